"""The read model: what reports read of every run and item, kept in step with the log.

Reports used to rebuild every run of a team from its log records, which made a team's report
about five times the SQL that reads those records, and field feedback for a whole force take
13 s. They read these tables instead:

- `item_facts`: one row per item of every run not moved (`bot.core.facts.ItemRow`): where it
  stands, its answer, reason, who and when, when it was first answered and how long after the
  run started, its corrections, its due date given the case's events, whether it was ever put
  off, its challenge thread;
- `run_facts`: one row per run, for what the run's own `runs` row does not say: when it
  started, the review it holds, its last sign-off, and its last lifecycle move;
- `read_model`: one row saying what the due dates were counted with, and whether every run
  has its rows (not yet, just after the upgrade that added these tables).

They are written in the same transaction as the records they follow. `RunRepository.save` and
`add` note the run and the items its records touch; `EventRepository.record` notes a case whose
events moved (every due date and condition of its runs may follow). Just before the unit of
work commits, `flush` writes the rows of what was noted, from the runs as they now stand: the
touched items and those whose condition or due date reads them, or every row of a run whose
case's events moved. Where an item stands against today is worked out when it is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import TYPE_CHECKING, Any

import sqlite_utils

from bot.core.facts import (
    Calendar,
    ItemRow,
    RunRow,
    about_the_run,
    days_of,
    item_row,
    item_rows,
    item_values,
    run_row,
    run_values,
    touched_items,
)
from bot.core.history import shared_key, shares_with
from bot.core.lifecycle import UNDER_WAY
from bot.core.playbook import Item
from bot.core.records import Entry
from bot.store.read_model_schema import POSITION, waiting

if TYPE_CHECKING:
    from bot.store.cases import Scope
    from bot.store.runs import RunRepository, StoredRun
    from bot.store.versions import VersionRepository

ITEM_COLUMNS = (
    "run_id, place, version_id, item, status, value, reason, who, at, first_answered,"
    " corrections, due, deferred, thread, touched_n, touched, time_to_answer"
)
RUN_COLUMNS = (
    "run_id, started, review_due, signed_off_by, signed_off_at, reopened, changed_n, changed"
)
#: The columns of an item row as a team's reports read them, after its run id.
READ_ITEM = (
    "place, item, status, value, reason, who, at, first_answered, corrections, due, thread,"
    " touched_n, touched"
)
#: Every column of an item row after its run id, in `ItemRow`'s order: what `verify` compares.
KEPT_ITEM = (
    "place, item, status, value, reason, who, at, first_answered, corrections, due, deferred,"
    " thread, touched_n, touched, time_to_answer"
)

#: Statuses field feedback counts as settled.
INSIGHT_SETTLED = "'done', 'not-done', 'na', 'to-countersign'"
UNDER_WAY_SQL = ", ".join(f"'{state}'" for state in UNDER_WAY)
#: An item missed its due date: settled after it, or still waiting, in a run under way, past it.
#: The run's state is looked up only for a row still waiting past its due date: few of them.
LATE = (
    "(due IS NOT NULL AND CASE"
    " WHEN status IN ('done', 'not-done', 'na', 'to-countersign', 'not-yet')"
    " AND first_answered IS NOT NULL THEN substr(first_answered, 1, 10) > due"
    f" ELSE {waiting('status')} AND due < ?"
    f" AND (SELECT state FROM runs WHERE runs.id = item_facts.run_id) IN ({UNDER_WAY_SQL}) END)"
)


@dataclass(slots=True)
class Tallies:
    """Field feedback's totals, by playbook version and the item's position in it."""

    #: Runs per version id.
    runs: dict[int, int] = field(default_factory=dict)
    #: (version id, position, asked, no, na, later, challenged, with a due date, overdue,
    #: still open), over live items.
    items: list[tuple[Any, ...]] = field(default_factory=list)
    #: (version id, position, reason, times), most given first.
    reasons: list[tuple[Any, ...]] = field(default_factory=list)
    #: The median days from a run's start to the item's first answer, where settled.
    medians: dict[tuple[int, int], float] = field(default_factory=dict)


@dataclass(slots=True)
class _Noted:
    """A run whose rows are to be written before the commit, and which of them."""

    stored: StoredRun | None
    #: Item ids to write; None for every row of the run.
    items: set[str] | None = field(default_factory=set)
    #: Whether the run's own row is to be written.
    run: bool = False


class FactRepository:
    """The read model's tables: noted as records are written, flushed before the commit."""

    def __init__(self, db: sqlite_utils.Database, versions: VersionRepository) -> None:
        self._db = db
        self._versions = versions
        #: How due dates are counted now; the composition root sets it (`bot.bootstrap`).
        self.calendar: Callable[[], Calendar] = _no_calendar
        self._noted: dict[int, _Noted] = {}
        self._cases: set[int] = set()
        #: Facts answered, by case and by the run that answered them: each fact's shared key,
        #: with the playbook and item that answered it (`shares_with` reads them).
        self._shared: dict[int, dict[int, dict[str, tuple[str, Item]]]] = {}

    # --- noting what the records of a transaction change ------------------------------------

    def noted(self, stored: StoredRun, entries: Sequence[Entry]) -> None:
        """A run's records were logged: its touched items (and its own row) are to be written."""
        run = stored.run
        noted = self._noted.get(run.run_id)
        if noted is None:
            noted = self._noted[run.run_id] = _Noted(stored)
        noted.stored = stored
        if noted.items is not None:
            noted.items |= touched_items(run, entries)
        noted.run = noted.run or about_the_run(run, entries)
        answered: dict[str, tuple[str, Item]] = {}
        for entry in entries:
            if entry.kind != "answered" or entry.item is None or not run.has_item(entry.item):
                continue
            item = run.item(entry.item)
            if not item.occurrence:
                answered[shared_key(run.playbook.id, item)] = (run.playbook.id, item)
        if answered:
            # Every other run of the case that takes this answer (another playbook's `same-as`,
            # a later run of the same playbook unless it recurs: see `shares_with`) shows it
            # where it has none.
            self._shared.setdefault(stored.case.id, {}).setdefault(run.run_id, {}).update(answered)

    def added(self, stored: StoredRun) -> None:
        """A new run: every row of it is to be written."""
        self._noted[stored.run.run_id] = _Noted(stored, None, True)

    def events_moved(self, case_id: int) -> None:
        """A case's events changed: every row of every run of it is to be written again."""
        self._cases.add(case_id)

    def distrust(self) -> None:
        """Part of the transaction was rolled back: runs noted may hold records that were not
        kept, so their rows are worked out from the log instead, all of them."""
        for noted in self._noted.values():
            noted.stored, noted.items, noted.run = None, None, True

    def forget(self) -> None:
        """The transaction was rolled back: nothing noted is to be written."""
        self._noted.clear()
        self._cases.clear()
        self._shared.clear()

    # --- writing ----------------------------------------------------------------------------

    def flush(self, runs: RunRepository) -> None:
        """Write the rows of everything noted, inside the caller's transaction."""
        if not self._noted and not self._cases and not self._shared:
            return
        for case_id in self._cases:
            for run_id in runs.of_case(case_id):
                self._noted[run_id] = _Noted(None, None, True)
        for case_id, answered in self._shared.items():
            if case_id not in self._cases:
                self._note_readers(runs, case_id, answered)
        noted, self._noted, self._cases, self._shared = self._noted, {}, set(), {}
        calendar = self.calendar()
        for run_id, what in noted.items():
            stored = what.stored if what.stored is not None else runs.get(run_id)
            if stored is None or stored.run.state == "moved":
                # A moved run's work lives on in the run it moved to; reports leave it out.
                self.drop(run_id)
            elif what.items is None:
                self.write(stored, calendar)
            else:
                self._write_items(stored, what.items, calendar)
                if what.run:
                    self._write_run(stored)

    def _note_readers(
        self, runs: RunRepository, case_id: int, answered: dict[int, dict[str, tuple[str, Item]]]
    ) -> None:
        """Note the items of a case's other runs that take a fact answered in one of them, by
        the rule the runs themselves follow (`shares_with`, as `RunRepository.shared_answers`)."""
        for run_id, version_id in runs.versions_of_case(case_id).items():
            others = [facts for other, facts in answered.items() if other != run_id]
            if not others:
                continue
            playbook = self._versions.playbook(version_id)
            keys = {
                key
                for facts in others
                for key, (answered_in, item) in facts.items()
                if shares_with(playbook, answered_in, item)
            }
            if not keys or not any(
                shared_key(playbook.id, item) in keys for item in playbook.items if not item.each
            ):
                continue  # The playbook asks none of them: the run is not even read.
            stored = runs.get(run_id)
            if stored is None:
                continue
            run = stored.run
            asking = {
                item.id
                for item in run.items
                if not item.each and shared_key(playbook.id, item) in keys
            }
            noted = self._noted.setdefault(run_id, _Noted(stored))
            if noted.items is not None:
                noted.items |= asking
                for item_id in asking:
                    noted.items.update(run.readers_of(item_id))

    def write(self, stored: StoredRun, calendar: Calendar) -> None:
        """Write every row of a run again, as it stands."""
        run = stored.run
        self._db.execute("DELETE FROM item_facts WHERE run_id = ?", [run.run_id])
        self._db.conn.executemany(
            f"INSERT INTO item_facts ({ITEM_COLUMNS}) VALUES ({_marks(ITEM_COLUMNS)})",
            [_item_values(stored, row) for row in item_rows(run, calendar)],
        )
        self._write_run(stored)

    def _write_items(self, stored: StoredRun, item_ids: Iterable[str], calendar: Calendar) -> None:
        run = stored.run
        sql = f"INSERT OR REPLACE INTO item_facts ({ITEM_COLUMNS}) VALUES ({_marks(ITEM_COLUMNS)})"
        for item_id in item_ids:
            row = item_row(run, run.item(item_id), calendar)
            self._db.execute(sql, _item_values(stored, row))

    def _write_run(self, stored: StoredRun) -> None:
        row = run_row(stored.run)
        self._db.execute(
            f"INSERT OR REPLACE INTO run_facts ({RUN_COLUMNS}) VALUES ({_marks(RUN_COLUMNS)})",
            [stored.run.run_id, *run_values(row)],
        )

    def drop(self, run_id: int) -> None:
        """Remove a run's rows (a moved run, or one that is no more)."""
        self._db.execute("DELETE FROM item_facts WHERE run_id = ?", [run_id])
        self._db.execute("DELETE FROM run_facts WHERE run_id = ?", [run_id])

    # --- reading ----------------------------------------------------------------------------

    def items_of_runs(
        self, runs: str, params: Sequence[object], live_only: bool = False
    ) -> Iterator[tuple[Any, ...]]:
        """Item rows of the runs a subquery names, by run and place: (run_id, *READ_ITEM);
        with `live_only`, only those of items asked (about half a force's rows are not)."""
        live = " AND status != 'not-live'" if live_only else ""
        return iter(
            self._db.execute(
                f"SELECT run_id, {READ_ITEM} FROM item_facts WHERE run_id IN ({runs}){live}"
                " ORDER BY run_id, place",
                list(params),
            )
        )

    def runs_of_runs(self, runs: str, params: Sequence[object]) -> dict[int, RunRow]:
        """Run rows of the runs a subquery names, by run id."""
        found = {}
        for run_id, *values in self._db.execute(
            f"SELECT {RUN_COLUMNS} FROM run_facts WHERE run_id IN ({runs})", list(params)
        ):
            found[run_id] = RunRow(*values)
        return found

    def kept_items(self, run_id: int) -> list[ItemRow]:
        """A run's item rows as kept, in order: for checking them against a replay."""
        return [
            _item_of(row)
            for row in self._db.execute(
                f"SELECT {KEPT_ITEM} FROM item_facts WHERE run_id = ? ORDER BY place", [run_id]
            )
        ]

    def kept_run(self, run_id: int) -> RunRow | None:
        """A run's own row as kept, if it has one."""
        row = self._db.execute(
            f"SELECT {RUN_COLUMNS} FROM run_facts WHERE run_id = ?", [run_id]
        ).fetchone()
        return None if row is None else RunRow(*row[1:])

    def runs_with_rows(self) -> set[int]:
        """Every run that has rows in the read model."""
        found = {run_id for (run_id,) in self._db.execute("SELECT run_id FROM run_facts")}
        found |= {
            run_id for (run_id,) in self._db.execute("SELECT DISTINCT run_id FROM item_facts")
        }
        return found

    def tallies(
        self, runs: str, params: Sequence[object], today: date, *, every_run: bool = False
    ) -> Tallies:
        """Field feedback's totals per item of each playbook version, over the runs a subquery
        names, counted in SQL (see `Tallies`).

        With `every_run` the subquery names every run of the force, and their item rows are
        the whole table (a moved run's rows are dropped, a disposal removes its case's): the
        rows are then read through the indexes kept for this, not matched run by run.
        """
        found = Tallies()
        for version_id, count in self._db.execute(
            f"SELECT playbook_version_id, count(*) FROM runs WHERE id IN ({runs})"
            " GROUP BY playbook_version_id",
            list(params),
        ):
            found.runs[version_id] = count
        of_runs, args = ("", []) if every_run else (f" AND run_id IN ({runs})", list(params))
        # One pass over the live rows for every count, and how many have a time to answer.
        # A count with a FILTER skips the rows it does not count; sum() would add every row.
        counted = self._db.execute(
            f"SELECT version_id, {POSITION}, count(*), count(*) FILTER (WHERE value = 'no'),"
            " count(*) FILTER (WHERE value = 'na'), count(*) FILTER (WHERE deferred),"
            f" count(thread), count(due), count(*) FILTER (WHERE {LATE}),"
            " count(*) FILTER (WHERE status IN ('open', 'later', 'needs-reason')),"
            f" count(time_to_answer) FILTER (WHERE status IN ({INSIGHT_SETTLED}))"
            f" FROM item_facts WHERE status != 'not-live'{of_runs}"
            f" GROUP BY version_id, {POSITION}",
            [today.isoformat(), *args],
        ).fetchall()
        found.items = [row[:-1] for row in counted]
        found.reasons = self._db.execute(
            f"SELECT version_id, {POSITION}, reason, count(*) AS times FROM item_facts"
            f" WHERE status != 'not-live' AND reason != ''{of_runs}"
            f" GROUP BY version_id, {POSITION}, reason"
            f" ORDER BY version_id, {POSITION}, times DESC, reason",
            args,
        ).fetchall()
        if every_run:
            for version_id, position, *_totals, answered in counted:
                if answered:
                    found.medians[version_id, position] = _median_of_every_run(
                        self._db, version_id, position, answered
                    )
        else:
            found.medians = _medians_of(self._db, of_runs, args)
        return found

    def waiting_past(self, scope: Scope, day: date) -> list[tuple[int, int, int, int, str, str]]:
        """The item rows still waiting with a due date before a day, in the runs under way of
        a scope's cases: (case id, run id, version id, place, item, due). Only these can be
        escalating; `item_facts_waiting` holds them apart from the rest."""
        where, params = scope.where()
        return self._db.execute(
            "SELECT r.case_id, f.run_id, f.version_id, f.place, f.item, f.due"
            " FROM runs r JOIN item_facts f ON f.run_id = r.id"
            f" WHERE r.case_id IN (SELECT id FROM cases {where})"
            f" AND r.state IN ({UNDER_WAY_SQL}) AND {waiting('f.status')}"
            " AND f.due IS NOT NULL AND f.due < ?",
            [*params, day.isoformat()],
        ).fetchall()

    def held_in(
        self, scope: Scope, playbooks: Sequence[str]
    ) -> list[tuple[int, int, int, str, str | None]]:
        """The runs of some (recurring) playbooks in a scope's cases, moved ones left out, by
        id, with the day each holds: (case id, run id, version id, state, review due)."""
        where, params = scope.where()
        marks = ", ".join("?" for _ in playbooks)
        return self._db.execute(
            "SELECT r.case_id, r.id, r.playbook_version_id, r.state, f.review_due FROM runs r"
            " LEFT JOIN run_facts f ON f.run_id = r.id"
            f" WHERE r.case_id IN (SELECT id FROM cases {where}) AND r.state != 'moved'"
            " AND r.playbook_version_id IN (SELECT id FROM playbook_versions"
            f" WHERE playbook_id IN ({marks})) ORDER BY r.id",
            [*params, *playbooks],
        ).fetchall()

    # --- what the model was built with ------------------------------------------------------

    def state(self) -> tuple[str | None, bool]:
        """What the due dates were counted with (None: not said yet), and whether every run
        has its rows."""
        row = self._db.execute("SELECT basis, built FROM read_model WHERE id = 1").fetchone()
        if row is None:
            return None, False
        return row[0], bool(row[1])

    def mark(self, basis: str, built: bool = True) -> None:
        """Say what the due dates are now counted with, and whether every run has its rows."""
        self._db.execute(
            "INSERT INTO read_model (id, basis, built) VALUES (1, ?, ?) ON CONFLICT (id)"
            " DO UPDATE SET basis = excluded.basis, built = excluded.built",
            [basis, int(built)],
        )


def _median_of_every_run(
    db: sqlite_utils.Database, version_id: int, position: int, answered: int
) -> float:
    """The median days to a first answer of one item over every run, `answered` of them
    with a time: the middle one or two, found by walking the index to them."""
    middle = [
        micros
        for (micros,) in db.execute(
            "SELECT time_to_answer FROM item_facts WHERE status != 'not-live'"
            f" AND version_id = ? AND {POSITION} = ? AND status IN ({INSIGHT_SETTLED})"
            " AND time_to_answer IS NOT NULL ORDER BY time_to_answer LIMIT ? OFFSET ?",
            [version_id, position, 2 - answered % 2, (answered - 1) // 2],
        )
    ]
    return _middle_days(middle)


def _medians_of(
    db: sqlite_utils.Database, of_runs: str, args: list[object]
) -> dict[tuple[int, int], float]:
    """The median days to a first answer of each item over some runs' rows, from every time
    of them in order."""
    rows = db.execute(
        f"SELECT version_id, {POSITION}, time_to_answer FROM item_facts"
        f" WHERE status IN ({INSIGHT_SETTLED}) AND time_to_answer IS NOT NULL{of_runs}"
        f" ORDER BY version_id, {POSITION}, time_to_answer",
        args,
    )
    found = {}
    for key, group in groupby(rows, key=lambda row: (row[0], row[1])):
        times = [row[2] for row in group]
        half, odd = divmod(len(times), 2)
        found[key] = _middle_days(times[half - 1 + odd : half + 1])
    return found


def _middle_days(middle: Sequence[int]) -> float:
    """A median in days from the middle time of an odd count, or the middle two of an even
    one, as `statistics.median` takes it from the days themselves."""
    if len(middle) == 1:
        return days_of(middle[0])
    return (days_of(middle[0]) + days_of(middle[1])) / 2


def _item_values(stored: StoredRun, row: ItemRow) -> list[object]:
    return [stored.run.run_id, row.place, stored.version_id, *item_values(row)[1:]]


def _item_of(row: Sequence[Any]) -> ItemRow:
    values = list(row)
    values[10] = bool(values[10])  # deferred
    return ItemRow(*values)


def _marks(columns: str) -> str:
    return ", ".join("?" for _ in columns.split(","))


def _no_calendar() -> Calendar:
    raise RuntimeError("The read model has no calendar: build the context with context_on.")
