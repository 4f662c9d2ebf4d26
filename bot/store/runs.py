"""Runs: each playbook on each case, rebuilt from the completion log, kept between taps.

A run's truth is its log; the `runs` row keeps only its state and the item on screen, so a
list of runs needs no replay. Rebuilding a run on every tap would replay its whole log, so runs
are kept in a cache between taps, trusted only while nothing else has written: another
connection's commit is caught by `PRAGMA data_version`, and every write of this store that
changes what a run depends on (its case's officer, its milestones) drops that case's runs.
"""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlite_utils

from bot.core.case import Case
from bot.core.history import shared_key, shares_with
from bot.core.lifecycle import MOVABLE
from bot.core.playbook import Playbook
from bot.core.records import Entry
from bot.core.run import Run
from bot.store import log
from bot.store.db import utc_text

if TYPE_CHECKING:
    from bot.store.cases import Scope
    from bot.store.events import EventRepository
    from bot.store.facts import FactRepository
    from bot.store.versions import VersionRepository

#: Columns of a run joined with its case, in the order `_stored` reads them.
RUN_COLUMNS = (
    "runs.id, runs.case_id, runs.playbook_version_id, runs.state, runs.current_item,"
    " cases.ref, cases.team, cases.officer_id, cases.opened_at, cases.closed_at,"
    " cases.closed_reason"
)
RUN_ROWS = f"SELECT {RUN_COLUMNS} FROM runs JOIN cases ON cases.id = runs.case_id"


@dataclass(slots=True)
class StoredRun:
    """A run as rebuilt from its log, with its case and what its row last said."""

    run: Run
    case: Case
    version_id: int
    #: The row's state and current item as last written: unchanged ones are not written again.
    state: str
    cursor: str | None


@dataclass(frozen=True, slots=True)
class RunRow:
    """A run's row, with its case, before its log is replayed."""

    id: int
    case: Case
    version_id: int
    state: str
    cursor: str | None


class RunCache:
    """Runs as last loaded or saved, most recently used last, at most `SIZE` of them."""

    SIZE = 512

    def __init__(self) -> None:
        self._runs: OrderedDict[int, StoredRun] = OrderedDict()
        self._data_version: int | None = None

    def __len__(self) -> int:
        return len(self._runs)

    def get(self, run_id: int) -> StoredRun | None:
        """A kept run, now the most recently used."""
        stored = self._runs.get(run_id)
        if stored is not None:
            self._runs.move_to_end(run_id)
        return stored

    def keep(self, stored: StoredRun) -> None:
        """Keep a run, forgetting the least recently used beyond the size."""
        self._runs[stored.run.run_id] = stored
        self._runs.move_to_end(stored.run.run_id)
        if len(self._runs) > self.SIZE:
            self._runs.popitem(last=False)

    def forget_others(self, case_id: int, run_id: int) -> None:
        """Drop a case's runs but one: an answer in that one may be a fact they share."""
        for other in [rid for rid, kept in self._runs.items() if kept.case.id == case_id]:
            if other != run_id:
                del self._runs[other]

    def forget_case(self, case_id: int) -> None:
        """Drop a case's runs: its officer or its milestones changed under them."""
        for run_id in [rid for rid, stored in self._runs.items() if stored.case.id == case_id]:
            del self._runs[run_id]

    def clear(self) -> None:
        """Forget every run (a failed transaction may have moved one that was not saved)."""
        self._runs.clear()

    def check(self, db: sqlite_utils.Database) -> None:
        """Forget every run once another connection (a CLI, a second process) has written."""
        version = db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._runs.clear()
            self._data_version = version


class RunRepository:
    """Run rows and their replay; reads go through the cache."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        cache: RunCache,
        versions: VersionRepository,
        events: EventRepository,
        completion_log: log.CompletionLog,
        facts: FactRepository,
    ) -> None:
        self._db = db
        self._cache = cache
        self._versions = versions
        self._events = events
        self._log = completion_log
        self._facts = facts

    def get(self, run_id: int) -> StoredRun | None:
        """A run rebuilt from its log (or as kept since), with its case; None if none."""
        cached = self._cache.get(run_id)
        if cached is not None:
            return cached
        row = self._db.execute(f"{RUN_ROWS} WHERE runs.id = ?", [run_id]).fetchone()
        if row is None:
            return None
        found = _row(row)
        entries = [logged.entry for logged in log.entries(self._db, run_id=run_id)]
        playbook = self._versions.playbook(found.version_id)
        run = Run.replay(
            playbook,
            found.id,
            found.case.ref,
            entries,
            self._events.of_case(found.case.id),
            found.cursor,
            self.shared_answers(found.case.id, playbook, but=found.id),
        )
        stored = StoredRun(run, found.case, found.version_id, found.state, found.cursor)
        self._cache.keep(stored)
        return stored

    def shared_answers(self, case_id: int, playbook: Playbook, but: int) -> dict[str, Entry]:
        """The latest answers other runs of the case gave to facts this playbook shares."""
        wanted = {shared_key(playbook.id, item) for item in playbook.items if not item.each}
        found: dict[str, Entry] = {}
        rows = self._db.execute(
            "SELECT runs.playbook_version_id, log.kind, log.case_ref, log.actor, log.at,"
            " log.run_id, log.item, log.value, log.detail FROM log"
            " JOIN runs ON runs.id = log.run_id WHERE runs.case_id = ? AND runs.id != ?"
            " AND runs.state != 'moved' AND log.kind = 'answered' ORDER BY log.seq",
            [case_id, but],
        ).fetchall()
        for version_id, kind, ref, actor, at, run_id, item_id, value, detail in rows:
            other = self._versions.playbook(version_id)
            try:
                item = other.item(item_id)
            except KeyError:
                continue  # a per-occurrence copy: never shared
            key = shared_key(other.id, item)
            # Each run of a recurring playbook is its own occurrence (a review held on its own
            # day): from its earlier runs it takes only the facts it names with `same-as`.
            if key in wanted and shares_with(playbook, other.id, item):
                found[key] = Entry(
                    kind, ref, actor, datetime.fromisoformat(at), run_id, item_id, value,
                    json.loads(detail),
                )  # fmt: skip
        return found

    def add(self, case: Case, version_id: int, started_by: int, now: datetime) -> StoredRun:
        """A new run's row on a version, not started yet."""
        cursor = self._db.execute(
            "INSERT INTO runs (case_id, playbook_version_id, state, started_at, started_by,"
            " current_item) VALUES (?, ?, 'not_started', ?, ?, NULL)",
            [case.id, version_id, utc_text(now), started_by],
        )
        run_id = int(cursor.lastrowid or 0)
        playbook = self._versions.playbook(version_id)
        run = Run(
            playbook,
            run_id,
            case.ref,
            self._events.of_case(case.id),
            self.shared_answers(case.id, playbook, but=run_id),
        )
        stored = StoredRun(run, case, version_id, "not_started", None)
        self._cache.keep(stored)
        self._facts.added(stored)
        return stored

    def remember(self, stored: StoredRun) -> None:
        """Keep a run the caller holds as the one kept between taps (it is the newest)."""
        self._cache.keep(stored)

    def save(self, stored: StoredRun, entries: Sequence[Entry]) -> None:
        """Log a run's new entries and keep its row's state and current item in step; the read
        model's rows follow before the commit (`FactRepository.flush`).

        An answer may be the same fact another run of the case asks (`same-as`): the case's
        other runs are read again on next use, so they show it.
        """
        if entries:
            self._log.append(entries)
            self._facts.noted(stored, entries)
            if any(entry.kind == "answered" for entry in entries):
                self._cache.forget_others(stored.case.id, stored.run.run_id)
        run = stored.run
        if (stored.state, stored.cursor) == (run.state, run.cursor):
            return  # Most taps leave both as they were: one write fewer before the fsync.
        self._db.execute(
            "UPDATE runs SET state = ?, current_item = ? WHERE id = ?",
            [run.state, run.cursor, run.run_id],
        )
        stored.state, stored.cursor = run.state, run.cursor

    def of_case(self, case_id: int, *, moved: bool = True) -> list[int]:
        """The ids of a case's runs, oldest first (moved ones too, unless told not to)."""
        skip = "" if moved else " AND state != 'moved'"
        rows = self._db.execute(
            f"SELECT id FROM runs WHERE case_id = ?{skip} ORDER BY id", [case_id]
        ).fetchall()
        return [run_id for (run_id,) in rows]

    def versions_of_case(self, case_id: int) -> dict[int, int]:
        """Every run of a case, moved ones too, with the version id it is pinned to."""
        rows = self._db.execute(
            "SELECT id, playbook_version_id FROM runs WHERE case_id = ?", [case_id]
        ).fetchall()
        return dict(rows)

    def of_playbook(self, case_id: int, playbook_id: str) -> list[tuple[int, str]]:
        """A case's runs of one playbook, not moved: (id, state), signed-off last, newest first."""
        rows = self._db.execute(
            "SELECT runs.id, runs.state FROM runs"
            " JOIN playbook_versions v ON v.id = runs.playbook_version_id"
            " WHERE runs.case_id = ? AND v.playbook_id = ? AND runs.state != 'moved'"
            " ORDER BY runs.state = 'signed_off', runs.id DESC",
            [case_id, playbook_id],
        ).fetchall()
        return [(run_id, state) for run_id, state in rows]

    def under_way_of_officer(self, officer_id: int, *, latest_first: bool = False) -> list[int]:
        """An officer's runs still taking answers: by id, or the last touched first."""
        marks = ", ".join("?" for _ in MOVABLE)
        order = (
            "(SELECT max(seq) FROM log WHERE log.run_id = runs.id) DESC"
            if latest_first
            else "runs.id"
        )
        rows = self._db.execute(
            "SELECT runs.id FROM runs JOIN cases ON cases.id = runs.case_id"
            f" WHERE cases.officer_id = ? AND runs.state IN ({marks}) ORDER BY {order}",
            [officer_id, *MOVABLE],
        ).fetchall()
        return [run_id for (run_id,) in rows]

    def officer_of(self, run_id: int) -> int | None:
        """The officer in the case a run belongs to."""
        found = self._db.execute(
            "SELECT cases.officer_id FROM runs JOIN cases ON cases.id = runs.case_id"
            " WHERE runs.id = ?",
            [run_id],
        ).fetchone()
        return None if found is None else int(found[0])

    def rows_in(
        self, scope: Scope, *, open_only: bool = False, keep: Sequence[str] = ()
    ) -> dict[int, list[RunRow]]:
        """The runs of the cases a report covers, by case id, moved ones left out.

        `open_only` leaves signed-off runs out too, for jobs that look only for work to chase,
        bar those of the playbooks in `keep` (recurring ones: a held review counts as held).
        """
        where, params = scope.where()
        left_out, kept = _left_out(open_only, keep)
        found: dict[int, list[RunRow]] = defaultdict(list)
        for row in self._db.execute(
            f"{RUN_ROWS} WHERE runs.case_id IN (SELECT id FROM cases {where})"
            f"{left_out} ORDER BY runs.id",
            [*params, *kept],
        ):
            # A case's runs share its one Case: a team has thousands of runs.
            runs = found[row[1]]
            stored = _row(row, runs[0].case if runs else None)
            runs.append(stored)
        return found

    def replay_in(self, scope: Scope) -> Iterator[StoredRun]:
        """Every run of the cases a scope covers, moved ones left out, rebuilt from its log as
        `get` rebuilds it but read in a handful of queries: for building the read model and
        checking it. Nothing is kept in the cache."""
        rows = self.rows_in(scope)
        entries = self.entries_in(scope)
        events = self._events.in_scope(scope)
        for case_id, found in rows.items():
            for row in found:
                playbook = self._versions.playbook(row.version_id)
                # As `get` reads it: a case's other runs answer the facts this one shares.
                shared = self.shared_answers(case_id, playbook, but=row.id)
                run = Run.replay(
                    playbook,
                    row.id,
                    row.case.ref,
                    entries.get(row.id, []),
                    events.get(case_id),
                    row.cursor,
                    shared,
                )
                yield StoredRun(run, row.case, row.version_id, row.state, row.cursor)

    def entries_in(
        self, scope: Scope, *, open_only: bool = False, keep: Sequence[str] = ()
    ) -> dict[int, list[Entry]]:
        """Every log entry of the runs `rows_in` finds, grouped by run."""
        return log.entries_of_runs(self._db, *self.ids_in(scope, open_only=open_only, keep=keep))

    def ids_in(
        self, scope: Scope, *, open_only: bool = False, keep: Sequence[str] = ()
    ) -> tuple[str, list[object]]:
        """A subquery naming the runs `rows_in` finds, and its parameters."""
        where, params = scope.where()
        left_out, kept = _left_out(open_only, keep)
        return (
            f"SELECT runs.id FROM runs WHERE runs.case_id IN (SELECT id FROM cases {where})"
            f"{left_out}",
            [*params, *kept],
        )


def _left_out(open_only: bool, keep: Sequence[str]) -> tuple[str, list[str]]:
    """The runs a read leaves out, as SQL after WHERE, and its parameters."""
    # A moved run's work lives on in the run it moved to: counting both would count it twice.
    sql = " AND runs.state != 'moved'"
    if not open_only:
        return sql, []
    if not keep:
        return sql + " AND runs.state != 'signed_off'", []
    marks = ", ".join("?" * len(keep))
    return (
        sql + " AND (runs.state != 'signed_off' OR runs.playbook_version_id IN"
        f" (SELECT id FROM playbook_versions WHERE playbook_id IN ({marks})))",
        list(keep),
    )


def _row(row: Sequence[Any], case: Case | None = None) -> RunRow:
    """A run's row, with its case as read beside it unless given."""
    run_id, case_id, version_id, state, cursor, ref, team, officer_id, opened_at, closed, why = row
    if case is None:
        opened = datetime.fromisoformat(opened_at).astimezone(UTC)
        closed_at = datetime.fromisoformat(closed).astimezone(UTC) if closed else None
        case = Case(case_id, ref, team, officer_id, opened, closed_at, why)
    return RunRow(run_id, case, version_id, state, cursor)
