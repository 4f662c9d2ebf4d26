"""Seals in the chain for rows kept in other tables: people and published playbook versions.

Each change the bot makes to a person, and each version it publishes, appends a record that
seals the row as it now stands (`bot.core.seals`), in the same transaction. `check` compares
the tables with their latest seals, and the log's actors with the people enrolled, naming the
person, version or record that was changed outside the bot.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Final, Literal

import sqlite_utils

from bot.core.records import Entry
from bot.core.seals import (
    PERSON_FIELDS,
    VERSION_FIELDS,
    PersonRow,
    VersionRow,
    changed,
    in_words,
    is_known_actor,
    person_seal,
    version_seal,
)
from bot.store.chain import Verdict
from bot.store.log import append

PERSON: Final[Literal["person-recorded"]] = "person-recorded"
PUBLISHED: Final[Literal["playbook-published"]] = "playbook-published"
#: The table and the name under which a database says its people and versions are sealed.
INSTALLATION = "installation"
SEALED = "sealed"


def seal_people(
    db: sqlite_utils.Database, user_ids: Iterable[int], change: str, actor: str, at: datetime
) -> None:
    """Append a record sealing each person as their rows now stand, after a change."""
    entries = []
    for user_id in dict.fromkeys(user_ids):
        person = person_row(db, user_id)
        if person is not None:
            detail = {**person_seal(person), "change": change}
            entries.append(Entry(PERSON, "", actor, at, detail=detail))
    append(db, entries)


def seal_version(db: sqlite_utils.Database, version_id: int, actor: str, at: datetime) -> None:
    """Append the record sealing a version just published."""
    version = version_row(db, version_id)
    if version is not None:
        append(db, [Entry(PUBLISHED, "", actor, at, detail=version_seal(version))])


def person_row(db: sqlite_utils.Database, user_id: int) -> PersonRow | None:
    """A person as their tables hold them, revoked or not."""
    row = db.execute(
        "SELECT id, name, role, team, in_training, revoked_at FROM users WHERE id = ?", [user_id]
    ).fetchone()
    if row is None:
        return None
    teams = db.execute(
        "SELECT team FROM supervised_teams WHERE user_id = ? ORDER BY team", [user_id]
    ).fetchall()
    accounts = db.execute(
        "SELECT channel || ':' || external_id FROM identities WHERE user_id = ?", [user_id]
    ).fetchall()
    return PersonRow(
        row[0],
        row[1],
        row[2],
        row[3],
        bool(row[4]),
        row[5] is not None,
        tuple(team for (team,) in teams),
        tuple(account for (account,) in accounts),
    )


def version_row(db: sqlite_utils.Database, version_id: int) -> VersionRow | None:
    """A published version as its table holds it."""
    row = db.execute(
        "SELECT id, playbook_id, version, text, content_hash, published_at, published_by,"
        " published_as FROM playbook_versions WHERE id = ?",
        [version_id],
    ).fetchone()
    return None if row is None else VersionRow(*row)


def check(db: sqlite_utils.Database) -> Verdict:
    """Compare people and published versions with their seals, and actors with the people."""
    counts = _counts(db)
    records = db.execute("SELECT count(*) FROM log").fetchone()[0]
    if records == 0 and counts["cases"]:
        return _broken(
            1,
            f"The log was wiped: it holds no records, but the database holds {counts['cases']} "
            f"{'case' if counts['cases'] == 1 else 'cases'}.",
        )
    people, versions = _latest_seals(db)
    if not (people or versions or _sealed_by_migration(db)):
        # A copy made before people and versions were sealed: only the chain can be checked.
        note = "People and playbook versions: not sealed in this database (it predates seals)."
        return _actors(db, note)
    for version_id, (seq, sealed) in sorted(versions.items()):
        version = version_row(db, version_id)
        if version is None:
            return _broken(
                seq,
                f"Playbook {sealed.get('playbook')} version {sealed.get('version')} was removed "
                f"outside the bot: record {seq} sealed it when it was published.",
            )
        fields = changed(sealed, version_seal(version), VERSION_FIELDS)
        if fields:
            what = in_words([VERSION_FIELDS[field] for field in fields])
            verb, pronoun = ("was", "it") if len(fields) == 1 else ("were", "they")
            return _broken(
                seq,
                f"The {what} of playbook {version.playbook_id} version {version.version} {verb} "
                f"changed after it was published: {pronoun} {_match(len(fields))} {seq}, which "
                "sealed it.",
            )
    unsealed = _unsealed(db, "playbook_versions", versions)
    if unsealed is not None:
        version = version_row(db, unsealed)
        assert version is not None
        return _broken(
            None,
            f"Playbook {version.playbook_id} version {version.version} was added outside the "
            "bot: no record in the log published it.",
        )
    for user_id, (seq, sealed) in sorted(people.items()):
        person = person_row(db, user_id)
        if person is None:
            return _broken(
                seq, f"User {user_id} was removed outside the bot: record {seq} sealed them."
            )
        fields = changed(sealed, person_seal(person), PERSON_FIELDS)
        if fields:
            what = in_words([PERSON_FIELDS[field] for field in fields])
            verb, pronoun = ("was", "it") if len(fields) == 1 else ("were", "they")
            return _broken(
                seq,
                f"User {user_id}'s {what} {verb} changed outside the bot: {pronoun} "
                f"{_match(len(fields))} {seq}, which sealed them.",
            )
    unsealed = _unsealed(db, "users", people)
    if unsealed is not None:
        return _broken(
            None, f"User {unsealed} was added outside the bot: no record in the log enrolled them."
        )
    note = (
        f"People and playbook versions: {_count(len(people), 'person', 'people')} and "
        f"{_count(len(versions), 'version', 'versions')} match their seals in the log."
    )
    return _actors(db, note)


def _match(fields: int) -> str:
    return "no longer matches record" if fields == 1 else "no longer match record"


def _actors(db: sqlite_utils.Database, note: str) -> Verdict:
    """Every record names someone the bot could have written it for; else the first that does not."""
    users = {user_id for (user_id,) in db.execute("SELECT id FROM users")}
    strangers = [
        (int(first), actor)
        for actor, first in db.execute("SELECT actor, min(seq) FROM log GROUP BY actor")
        if not is_known_actor(actor, users)
    ]
    if strangers:
        seq, actor = min(strangers)
        return _broken(
            seq,
            f"Record {seq} was not written by the bot: its actor, {actor}, is no one the bot "
            "enrolled.",
        )
    return Verdict(ok=True, checked=0, first_bad_seq=None, message="", notes=(note,))


def _latest_seals(
    db: sqlite_utils.Database,
) -> tuple[dict[int, tuple[int, dict[str, str]]], dict[int, tuple[int, dict[str, str]]]]:
    """The latest seal of each person and each version, with the record that holds it."""
    people: dict[int, tuple[int, dict[str, str]]] = {}
    versions: dict[int, tuple[int, dict[str, str]]] = {}
    for seq, kind, detail in db.execute(
        "SELECT seq, kind, detail FROM log WHERE kind IN (?, ?) ORDER BY seq", [PERSON, PUBLISHED]
    ):
        sealed = _detail(detail)
        key = sealed.get("user" if kind == PERSON else "version_id", "")
        if key.isdigit():
            (people if kind == PERSON else versions)[int(key)] = (seq, sealed)
    return people, versions


def _detail(text: str) -> dict[str, str]:
    try:
        parsed = json.loads(text)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def _unsealed(db: sqlite_utils.Database, table: str, sealed: Mapping[int, object]) -> int | None:
    """The first row of a table that no seal covers."""
    for (row_id,) in db.execute(f"SELECT id FROM {table} ORDER BY id"):
        if row_id not in sealed:
            return int(row_id)
    return None


def _sealed_by_migration(db: sqlite_utils.Database) -> bool:
    """Tell whether the database was migrated to seal people and versions (rows or none)."""
    if not _has_table(db, INSTALLATION):
        return False
    found = db.execute(f"SELECT 1 FROM {INSTALLATION} WHERE name = ?", [SEALED]).fetchone()
    return found is not None


def _has_table(db: sqlite_utils.Database, name: str) -> bool:
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]
    ).fetchone()
    return found is not None


def _counts(db: sqlite_utils.Database) -> dict[str, int]:
    return {"cases": int(db.execute("SELECT count(*) FROM cases").fetchone()[0])}


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _broken(seq: int | None, message: str) -> Verdict:
    return Verdict(ok=False, checked=0, first_bad_seq=seq, message=message)
