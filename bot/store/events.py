"""Case events: the dated milestones of a case (report, arrest, charge, trial...)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import sqlite_utils

from bot.store.cases import Scope
from bot.store.db import utc_text
from bot.store.runs import RunCache


class EventRepository:
    """Milestones by case; recording one drops the case's cached runs, which read them."""

    def __init__(self, db: sqlite_utils.Database, cache: RunCache) -> None:
        self._db = db
        self._cache = cache

    def milestones(self, case_id: int) -> dict[str, date]:
        """A case's milestones by name, with their dates."""
        rows = self._db.execute(
            "SELECT name, date FROM milestones WHERE case_id = ?", [case_id]
        ).fetchall()
        return {name: date.fromisoformat(when) for name, when in rows}

    def milestones_in(self, scope: Scope) -> dict[int, dict[str, date]]:
        """The milestones of every case a report covers, by case id."""
        where, params = scope.where()
        found: dict[int, dict[str, date]] = defaultdict(dict)
        for case_id, name, when in self._db.execute(
            "SELECT case_id, name, date FROM milestones"
            f" WHERE case_id IN (SELECT id FROM cases {where})",
            params,
        ):
            found[case_id][name] = date.fromisoformat(when)
        return found

    def record(self, case_id: int, name: str, when: date, now: datetime, by: int) -> None:
        """Record a milestone, or move it to a new date."""
        self._db.execute(
            "INSERT INTO milestones (case_id, name, date, recorded_at, recorded_by)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id, name) DO UPDATE SET"
            " date = excluded.date, recorded_at = excluded.recorded_at,"
            " recorded_by = excluded.recorded_by",
            [case_id, name, when.isoformat(), utc_text(now), by],
        )
        self._cache.forget_case(case_id)
