"""Facts about the installation kept in its database: how its cases are keyed, what is sealed.

A database keeps the case key it was created with: a crime reference typed in the chat, or a
handle the bot issues. Cases are stored under that key, so reading them under the other would
find none.
"""

from __future__ import annotations

import re

import sqlite_utils

#: The installation fact naming the key cases are stored under.
CASE_KEY = "case-key"
#: A handle as `CaseRepository.new_handle` issues them (see store/cases.py).
_HANDLE = re.compile(r"C-[0-9A-Z]{6}")


def fact(db: sqlite_utils.Database, name: str) -> str | None:
    """One recorded fact about the installation, if it has been recorded."""
    row = db.execute("SELECT value FROM installation WHERE name = ?", [name]).fetchone()
    return None if row is None else str(row[0])


def record(db: sqlite_utils.Database, name: str, value: str) -> None:
    """Record (or change) one fact about the installation."""
    db.execute(
        "INSERT INTO installation (name, value) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [name, value],
    )


def key_of_existing_cases(db: sqlite_utils.Database) -> str | None:
    """The key existing cases were opened under, judged from them; None with no case, or no
    data at all (a new database)."""
    refs = [row[0] for row in db.execute("SELECT ref FROM cases")]
    if refs:
        return "handle" if all(_HANDLE.fullmatch(ref) for ref in refs) else "crime-reference"
    used = db.execute(
        "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM playbook_versions)"
    ).fetchone()[0]
    # An installation already in use kept crime references, the default before handles were.
    return "crime-reference" if used else None


def has_cases(db: sqlite_utils.Database) -> bool:
    """Tell whether any case has been opened."""
    return db.execute("SELECT 1 FROM cases LIMIT 1").fetchone() is not None
