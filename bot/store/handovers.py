"""Handovers: a case offered to a new officer, waiting until they accept it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.store.cases import Scope
from bot.store.db import utc_text


@dataclass(frozen=True, slots=True)
class Handover:
    """One offer of a case to a new officer, and what became of it."""

    id: int
    case_id: int
    case_ref: str
    from_officer: int
    to_officer: int
    offered_at: str
    accepted: bool = False
    superseded: bool = False


HANDOVER_ROWS = (
    "SELECT h.id, h.case_id, c.ref, h.from_officer, h.to_officer, h.offered_at,"
    " h.accepted_at IS NOT NULL, h.superseded_at IS NOT NULL"
    " FROM handovers h JOIN cases c ON c.id = h.case_id"
)
PENDING = "h.accepted_at IS NULL AND h.superseded_at IS NULL"


class HandoverRepository:
    """Offers of cases, their acceptance, and the ones replaced by a newer offer."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def offer(
        self, case_id: int, from_officer: int, to_officer: int, by: int | None, now: datetime
    ) -> int:
        """Offer a case to a new officer, replacing any offer still waiting; the new id."""
        self._db.execute(
            "UPDATE handovers SET superseded_at = ? WHERE case_id = ? AND accepted_at IS NULL"
            " AND superseded_at IS NULL",
            [utc_text(now), case_id],
        )
        cursor = self._db.execute(
            "INSERT INTO handovers (case_id, from_officer, to_officer, offered_by, offered_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [case_id, from_officer, to_officer, by, utc_text(now)],
        )
        return int(cursor.lastrowid or 0)

    def get(self, handover_id: int) -> Handover | None:
        """One handover, whatever became of it."""
        row = self._db.execute(f"{HANDOVER_ROWS} WHERE h.id = ?", [handover_id]).fetchone()
        return None if row is None else _handover(row)

    def accept(self, handover_id: int, now: datetime) -> None:
        """Note that the new officer accepted."""
        self._db.execute(
            "UPDATE handovers SET accepted_at = ? WHERE id = ?", [utc_text(now), handover_id]
        )

    def pending_for(self, officer_id: int) -> list[Handover]:
        """Handovers waiting for this officer to accept them, oldest first."""
        rows = self._db.execute(
            f"{HANDOVER_ROWS} WHERE h.to_officer = ? AND {PENDING} ORDER BY h.id", [officer_id]
        ).fetchall()
        return [_handover(row) for row in rows]

    def pending_in(self, scope: Scope) -> dict[int, Handover]:
        """Handovers still waiting, by case, for the cases a report covers."""
        where, params = scope.where()
        rows = self._db.execute(
            f"{HANDOVER_ROWS} WHERE {PENDING} AND h.case_id IN (SELECT id FROM cases {where})",
            params,
        ).fetchall()
        return {handover.case_id: handover for handover in map(_handover, rows)}


def _handover(row: tuple[int, int, str, int, int, str, int, int]) -> Handover:
    handover_id, case_id, ref, from_id, to_id, offered, accepted, superseded = row
    return Handover(
        handover_id, case_id, ref, from_id, to_id, offered, bool(accepted), bool(superseded)
    )
