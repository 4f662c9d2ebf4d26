"""Cases: their keys, teams and officers, and the crime references linked to case handles.

A force that keeps crime references off Telegram sets SOTERIA_CASE_KEY to `handle`: cases are
then opened under a handle such as `C-7K3M9Q`, which the investigator writes against the crime
in the force's own records, and an administrator links the two on the server. The link never
leaves the server.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from bot.core.case import Case
from bot.core.errors import InputRefused, NotFound
from bot.store.db import utc_text
from bot.store.runs import RunCache
from bot.store.users import CODE_ALPHABET

HANDLE_LENGTH = 6
HANDLE = re.compile(rf"C-[{CODE_ALPHABET}]{{{HANDLE_LENGTH}}}")
CASE_COLUMNS = "id, ref, team, officer_id, opened_at, closed_at, closed_reason"
#: A case whose content was disposed of keeps only its row's number: no lookup finds it.
LIVE = "disposed_at IS NULL"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which cases a read covers: one case, some teams, or every case (both None)."""

    teams: tuple[str, ...] | None = None
    case_ref: str | None = None

    def where(self) -> tuple[str, list[object]]:
        """The WHERE clause on `cases` for this scope, and its parameters; a case disposed of
        is in no scope."""
        if self.case_ref is not None:
            return f"where {LIVE} and ref = ?", [self.case_ref]
        if self.teams:
            marks = ", ".join("?" * len(self.teams))
            return f"where {LIVE} and team in ({marks})", list(self.teams)
        return f"where {LIVE}", []


class CaseRepository:
    """Cases and their handle links; a change of officer drops the case's cached runs."""

    def __init__(self, db: sqlite_utils.Database, cache: RunCache) -> None:
        self._db = db
        self._cache = cache

    def by_ref(self, ref: str) -> Case | None:
        """The case stored under this key, if any; '24/1234' and '24-1234' name the same case."""
        # An exact match wins, so two cases stored before references were made canonical
        # (one with hyphens, one with slashes) each stay reachable by their own spelling.
        row = self._db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases"
            f" WHERE (ref = ? OR replace(ref, '-', '/') = replace(?, '-', '/')) AND {LIVE}"
            " ORDER BY ref = ? DESC LIMIT 1",
            [ref, ref, ref],
        ).fetchone()
        return None if row is None else _case(row)

    def by_id(self, case_id: int) -> Case | None:
        """The case with this id, if any."""
        row = self._db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ? AND {LIVE}", [case_id]
        ).fetchone()
        return None if row is None else _case(row)

    def add(self, ref: str, team: str, officer_id: int, now: datetime) -> Case:
        """Open a case under a key no case has yet."""
        cursor = self._db.execute(
            "INSERT INTO cases (ref, team, officer_id, opened_at, opened_by)"
            " VALUES (?, ?, ?, ?, ?)",
            [ref, team, officer_id, utc_text(now), officer_id],
        )
        return Case(int(cursor.lastrowid or 0), ref, team, officer_id, now)

    def close(self, case: Case, reason: str, by: int, now: datetime) -> Case:
        """Mark the case closed with its reason; its runs are read again on next use."""
        self._db.execute(
            "UPDATE cases SET closed_at = ?, closed_reason = ?, closed_by = ? WHERE id = ?",
            [utc_text(now), reason, by, case.id],
        )
        self._cache.forget_case(case.id)
        return Case(case.id, case.ref, case.team, case.officer_id, case.opened_at, now, reason)

    def set_officer(self, case: Case, officer_id: int) -> None:
        """Give the case to another officer; its runs are read again on next use."""
        self._db.execute("UPDATE cases SET officer_id = ? WHERE id = ?", [officer_id, case.id])
        self._cache.forget_case(case.id)

    def visible(self, officer_id: int | None, teams: Sequence[str] | None) -> list[Case]:
        """Cases newest first: an officer's own, some teams', or (both None) every case."""
        params: list[object] = []
        where = f"WHERE {LIVE}"
        if officer_id is not None:
            where, params = f"{where} AND officer_id = ?", [officer_id]
        elif teams is not None:
            where, params = f"{where} AND team IN ({', '.join('?' * len(teams))})", list(teams)
        rows = self._db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases {where} ORDER BY id DESC", params
        ).fetchall()
        return [_case(row) for row in rows]

    def in_scope(self, scope: Scope) -> list[Case]:
        """The cases a report covers, oldest first."""
        where, params = scope.where()
        rows = self._db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases {where} ORDER BY id", params
        ).fetchall()
        return [_case(row) for row in rows]

    def closed(self) -> list[Case]:
        """Every case closed and not yet disposed of, the longest closed first."""
        rows = self._db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE closed_at IS NOT NULL AND {LIVE}"
            " ORDER BY closed_at, id"
        ).fetchall()
        return [_case(row) for row in rows]

    def teams(self) -> list[str]:
        """Every team that has a case."""
        return [
            row[0]
            for row in self._db.execute(
                f"SELECT DISTINCT team FROM cases WHERE {LIVE} ORDER BY team"
            )
        ]

    def new_handle(self) -> str:
        """A case handle no case has yet: 'C-' and six letters and digits hard to misread."""
        while True:
            handle = "C-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(HANDLE_LENGTH))
            if self.by_ref(handle) is None:
                return handle

    def link(self, handle: str, crime_ref: str, by: str, now: datetime) -> None:
        """Link a case handle to its crime reference; each side can be linked once only."""
        case = self.by_ref(handle)
        if case is None:
            raise NotFound(f"No case has the handle {handle}.")
        linked = self.crime_ref_of(handle)
        if linked is not None:
            raise InputRefused(f"{handle} is already linked to {linked}.")
        taken = self.key_for(crime_ref)
        if taken != crime_ref:
            raise InputRefused(f"{crime_ref} is already linked to {taken}.")
        self._db.execute(
            "INSERT INTO case_links (case_id, crime_ref, linked_at, linked_by)"
            " VALUES (?, ?, ?, ?)",
            [case.id, crime_ref, utc_text(now), by],
        )

    def key_for(self, typed: str) -> str:
        """The key a case is stored under, given a handle or a linked crime reference."""
        found = self._db.execute(
            "SELECT cases.ref FROM case_links JOIN cases ON cases.id = case_links.case_id"
            " WHERE crime_ref = ?",
            [typed],
        ).fetchone()
        return str(found[0]) if found is not None else typed

    def refs_of(self, case_ids: Sequence[int]) -> dict[int, str | None]:
        """The keys of cases by id, as they stand now; None for a case disposed of."""
        found: dict[int, str | None] = {}
        for start in range(0, len(case_ids), 500):  # within SQLite's limit on parameters
            chunk = list(case_ids[start : start + 500])
            rows = self._db.execute(
                f"SELECT id, ref, disposed_at FROM cases WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            found.update({case_id: None if gone else ref for case_id, ref, gone in rows})
        return found

    def crime_ref_of(self, handle: str) -> str | None:
        """The crime reference linked to a handle, if any (server side only)."""
        found = self._db.execute(
            "SELECT crime_ref FROM case_links JOIN cases ON cases.id = case_links.case_id"
            " WHERE cases.ref = ?",
            [handle],
        ).fetchone()
        return None if found is None else str(found[0])


def normalise_handle(typed: str) -> str:
    """A handle as typed ('c-7k3m9q', ' C-7K3M9Q ') in its one spelling, or a refusal."""
    handle = typed.strip().upper()
    if not HANDLE.fullmatch(handle):
        raise InputRefused(f"{typed.strip()!r} is not a case handle; they look like C-7K3M9Q.")
    return handle


def _case(row: Sequence[Any]) -> Case:
    case_id, ref, team, officer_id, opened_at, closed_at, reason = row
    opened = datetime.fromisoformat(opened_at).astimezone(UTC)
    closed = datetime.fromisoformat(closed_at).astimezone(UTC) if closed_at else None
    return Case(case_id, ref, team, officer_id, opened, closed, reason)
