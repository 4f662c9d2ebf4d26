"""Case events: every dated occurrence of each milestone (report, arrest, bail extended...)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlite_utils

from bot.core.events import Events, RecordedEvent
from bot.store.cases import Scope
from bot.store.db import utc_text
from bot.store.facts import FactRepository
from bot.store.runs import RunCache

EVENT_ROWS = "SELECT case_id, name, date FROM case_events"


class EventRepository:
    """Milestones by case; recording one drops the case's cached runs, which read them, and
    has the read model write their rows again."""

    def __init__(self, db: sqlite_utils.Database, cache: RunCache, facts: FactRepository) -> None:
        self._db = db
        self._cache = cache
        self._facts = facts

    def of_case(self, case_id: int) -> Events:
        """A case's events: each milestone's occurrences, in order."""
        rows = self._db.execute(
            f"{EVENT_ROWS} WHERE case_id = ? ORDER BY name, occurrence", [case_id]
        ).fetchall()
        return _events(rows).get(case_id, Events())

    def in_scope(self, scope: Scope, names: Sequence[str] | None = None) -> dict[int, Events]:
        """The events of every case a report covers, by case id: of some milestones only, when
        named."""
        where, params = scope.where()
        only = f" AND name IN ({', '.join('?' for _ in names)})" if names is not None else ""
        rows = self._db.execute(
            f"{EVENT_ROWS} WHERE case_id IN (SELECT id FROM cases {where}){only}"
            " ORDER BY case_id, name, occurrence",
            [*params, *(names or ())],
        ).fetchall()
        return _events(rows)

    def recorded(self, case_id: int) -> list[RecordedEvent]:
        """Every occurrence of each milestone on a case, with who recorded it: by date."""
        rows = self._db.execute(
            "SELECT name, occurrence, date, recorded_at, recorded_by FROM case_events"
            " WHERE case_id = ? ORDER BY date, recorded_at, name, occurrence",
            [case_id],
        ).fetchall()
        return [
            RecordedEvent(
                name,
                occurrence,
                date.fromisoformat(when),
                datetime.fromisoformat(at).astimezone(UTC),
                by,
            )
            for name, occurrence, when, at, by in rows
        ]

    def milestones(self, case_id: int) -> dict[str, date]:
        """A case's milestones by name, each with its latest date."""
        return self.of_case(case_id).latest_dates()

    def record(
        self,
        case_id: int,
        name: str,
        when: date,
        now: datetime,
        by: int | None,
        occurrence: int,
    ) -> None:
        """Record an occurrence of a milestone, or move one to a new date."""
        self._db.execute(
            "INSERT INTO case_events (case_id, name, occurrence, date, recorded_at, recorded_by)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, name, occurrence) DO UPDATE SET"
            " date = excluded.date, recorded_at = excluded.recorded_at,"
            " recorded_by = excluded.recorded_by",
            [case_id, name, occurrence, when.isoformat(), utc_text(now), by or None],
        )
        self._cache.forget_case(case_id)
        self._facts.events_moved(case_id)


def _events(rows: list[tuple[int, str, str]]) -> dict[int, Events]:
    by_case: dict[int, dict[str, list[date]]] = defaultdict(dict)
    for case_id, name, when in rows:
        by_case[case_id].setdefault(name, []).append(date.fromisoformat(when))
    return {case_id: Events(dates) for case_id, dates in by_case.items()}
