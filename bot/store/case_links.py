"""Case handles: opaque keys issued by the bot, linked to crime references on the server only.

A force that does not want crime references to pass through Telegram sets SOTERIA_CASE_KEY to
`handle`. Cases are then opened under a handle such as `C-7K3M9Q`, which the investigator
writes against the crime in the force's own records; an administrator links the two with
`soteria-bot cases link`. The link never leaves the server.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import sqlite_utils

from bot.core.errors import InputRefused, NotFound
from bot.store.db import transaction, utc_text
from bot.store.users import CODE_ALPHABET

HANDLE_LENGTH = 6
HANDLE = re.compile(rf"C-[{CODE_ALPHABET}]{{{HANDLE_LENGTH}}}")


def new_handle(db: sqlite_utils.Database) -> str:
    """A case handle no case has yet: 'C-' and six letters and digits that cannot be misread."""
    while True:
        handle = "C-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(HANDLE_LENGTH))
        if db.execute("SELECT 1 FROM cases WHERE ref = ?", [handle]).fetchone() is None:
            return handle


def normalise_handle(typed: str) -> str:
    """A handle as typed ('c-7k3m9q', ' C-7K3M9Q ') in its one spelling, or a refusal."""
    handle = typed.strip().upper()
    if not HANDLE.fullmatch(handle):
        raise InputRefused(f"{typed.strip()!r} is not a case handle; they look like C-7K3M9Q.")
    return handle


def link(db: sqlite_utils.Database, handle: str, crime_ref: str, by: str, now: datetime) -> None:
    """Link a case handle to its crime reference; each side can be linked once only."""
    with transaction(db):
        case = db.execute("SELECT id FROM cases WHERE ref = ?", [handle]).fetchone()
        if case is None:
            raise NotFound(f"No case has the handle {handle}.")
        linked = db.execute(
            "SELECT crime_ref FROM case_links WHERE case_id = ?", [case[0]]
        ).fetchone()
        if linked is not None:
            raise InputRefused(f"{handle} is already linked to {linked[0]}.")
        taken = db.execute(
            "SELECT cases.ref FROM case_links JOIN cases ON cases.id = case_links.case_id"
            " WHERE crime_ref = ?",
            [crime_ref],
        ).fetchone()
        if taken is not None:
            raise InputRefused(f"{crime_ref} is already linked to {taken[0]}.")
        db.execute(
            "INSERT INTO case_links (case_id, crime_ref, linked_at, linked_by) VALUES (?, ?, ?, ?)",
            [case[0], crime_ref, utc_text(now), by],
        )


def case_key_for(db: sqlite_utils.Database, typed: str) -> str:
    """The key a case is stored under, given a handle or a linked crime reference."""
    found = db.execute(
        "SELECT cases.ref FROM case_links JOIN cases ON cases.id = case_links.case_id"
        " WHERE crime_ref = ?",
        [typed],
    ).fetchone()
    return str(found[0]) if found is not None else typed


def crime_ref_of(db: sqlite_utils.Database, handle: str) -> str | None:
    """The crime reference linked to a handle, if any (server side only)."""
    found = db.execute(
        "SELECT crime_ref FROM case_links JOIN cases ON cases.id = case_links.case_id"
        " WHERE cases.ref = ?",
        [handle],
    ).fetchone()
    return None if found is None else str(found[0])
