"""What supervisors oversee: every run of a team's cases, its items' standing, and the totals.

One pass reads a team's cases, runs and milestones and the read model's rows for them (see
`bot.store.facts`): per item, what a supervisor asks: done or not, why, by whom and when, when
it fell due, and, worked out from today, whether it is overdue or to escalate. Nothing is
replayed from the log. `/team`, `/case`, the weekly summary and every report format are views
of these facts; the escalation scan reads only what can escalate (`bot.reports.escalations`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.core.case import Case
from bot.core.events import Events
from bot.core.facts import SETTLED as SETTLED
from bot.core.facts import RunRow, item_at, last_activity, number_at, thread_of
from bot.core.history import WAITING, challenge_open
from bot.core.lifecycle import UNDER_WAY
from bot.core.people import user_id_of
from bot.core.playbook import Item, Playbook
from bot.core.records import Entry
from bot.core.schedule import Standings
from bot.services.context import Context
from bot.services.reviews import Schedule, Schedules, recurring
from bot.store.cases import Scope
from bot.store.runs import RunRow as StoredRow

#: Ages of overdue items, in days past their due date, for the "overdue by age" chart.
AGE_BANDS = ((1, 7, "1–7 days"), (8, 14, "8–14 days"), (15, 28, "15–28 days"), (29, None, "over 28 days"))  # fmt: skip
#: Run states in which items can still be worked on (and so fall overdue).
OPEN_STATES = UNDER_WAY
#: Case risk, most urgent first: the order of `/team` and of the report's case list.
RISKS = ("escalated", "overdue", "challenged", "due-soon", "on-track", "closed")
#: Where an item past its due date stands.
LATE = frozenset({"overdue", "escalate"})


# Not frozen: a team report builds tens of thousands of these, and a frozen dataclass takes
# six times as long to build. Nothing changes them once built.
@dataclass(slots=True)
class ItemFacts:
    """One item of one run, as the log has it today."""

    item: Item
    section: str
    status: str
    value: str | None
    reason: str | None
    who: str | None
    #: When it was answered (or its reason given), and first settled, as the read model keeps
    #: them: read as times (`when`, `first_settled`) only by what shows or compares them.
    answered_at: str | None
    first_settled_at: str | None
    corrections: int
    due: date | None
    standing: str
    days_over: int
    thread: tuple[Entry, ...] = ()
    #: Its place in the run's order (see `bot.core.facts.place_of`).
    place: int = 0

    @property
    def when(self) -> datetime | None:
        """When it was answered (or its reason given)."""
        return datetime.fromisoformat(self.answered_at) if self.answered_at else None

    @property
    def first_settled(self) -> datetime | None:
        """When it was first answered, for an item settled now."""
        return datetime.fromisoformat(self.first_settled_at) if self.first_settled_at else None

    @property
    def on_time(self) -> bool | None:
        """Settled by its due date (True), late or not yet and past due (False), else None."""
        if self.due is None:
            return None
        if self.first_settled is not None:
            return self.first_settled.date() <= self.due
        return False if self.days_over > 0 else None

    @property
    def number(self) -> int:
        """The number a button names the item by (see `bot.core.run_items`)."""
        return number_at(self.place)


@dataclass(slots=True)
class RunFacts:
    """One run of a playbook on a case, with every item's facts."""

    run_id: int
    playbook: Playbook
    state: str
    items: list[ItemFacts]
    last_activity: datetime | None
    #: When it started; for a recurring playbook, the day the occurrence it holds fell due.
    started: datetime | None = None
    due_on: date | None = None
    #: Its last sign-off (who, as the log names them, and when), and whether it reopened since.
    signed_off_by: str | None = None
    signed_off_at: datetime | None = None
    reopened_after_sign_off: bool = False
    #: The run's own records: read for a report on one case only.
    history: list[Entry] = field(default_factory=list)
    #: Live items settled (answered, with a reason where needed), and items asked as it stands.
    settled: int = field(init=False)
    live: int = field(init=False)
    #: Where its items stand, bar "not-due"; items past their due date (most overdue first);
    #: items ever challenged. Few, and asked for of every run, often more than once.
    standings: frozenset[str] = field(init=False)
    _late: tuple[ItemFacts, ...] = field(init=False, repr=False)
    _challenged: tuple[ItemFacts, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # One pass over the items for all of these.
        live = settled = 0
        standings: set[str] = set()
        late, challenged = [], []
        for facts in self.items:
            status = facts.status
            if status != "not-live":
                live += 1
                if status in SETTLED:
                    settled += 1
            # An item waiting in a run under way has a standing: 'not yet' ones too.
            if facts.standing != "not-due":
                standings.add(facts.standing)
                if facts.standing in LATE:
                    late.append(facts)
            if facts.thread:
                challenged.append(facts)
        late.sort(key=_most_overdue_first)
        self.live, self.settled, self.standings = live, settled, frozenset(standings)
        self._late, self._challenged = tuple(late), tuple(challenged)

    def with_status(self, *statuses: str) -> list[ItemFacts]:
        """Items in any of these statuses, in playbook order."""
        return [facts for facts in self.items if facts.status in statuses]

    @property
    def overdue(self) -> list[ItemFacts]:
        """Open items past their due date, most overdue first."""
        return list(self._late)

    @property
    def open_challenges(self) -> list[ItemFacts]:
        """Items whose latest challenge waits for the investigator's reply."""
        return [facts for facts in self._challenged if challenge_open(facts.thread)]


def _most_overdue_first(facts: ItemFacts) -> int:
    return -facts.days_over


@dataclass(slots=True)
class CaseFacts:
    """A case, its officer, its runs and what makes it urgent."""

    id: int
    ref: str
    team: str
    officer_id: int
    officer: str
    opened: datetime
    runs: list[RunFacts]
    milestones: dict[str, date]
    handover: dict[str, Any] | None = None
    #: Every occurrence of each milestone.
    events: Events = field(default_factory=Events)
    #: The recurring playbooks (supervisory reviews) due on the case, held and missed.
    reviews: list[Schedule] = field(default_factory=list)
    closed_reason: str | None = None
    #: How urgent the case is: escalated, overdue, challenged, due soon, on track, closed.
    risk: str = field(init=False)

    def __post_init__(self) -> None:
        # Worked out once: reports sort by it, group by it and print it.
        self.risk = self._risk()

    @property
    def case(self) -> Case:
        """The case itself, as use cases take it."""
        return Case(self.id, self.ref, self.team, self.officer_id, self.opened)

    @property
    def last_activity(self) -> datetime:
        """When anything last happened on the case."""
        times = [run.last_activity for run in self.runs if run.last_activity is not None]
        return max(times, default=self.opened)

    def _risk(self) -> str:
        if self.closed_reason is not None:
            return "closed"
        standings = {standing for run in self.runs for standing in run.standings}
        standings |= {due.standing for review in self.reviews for due in review.occurrences}
        if "escalate" in standings:
            return "escalated"
        if "overdue" in standings:
            return "overdue"
        if any(run.open_challenges for run in self.runs):
            return "challenged"
        if standings & {"due-today", "upcoming"}:
            return "due-soon"
        # Every checklist signed off is not a closed case: reviews fall due until a supervisor
        # closes it with a reason.
        return "on-track"


@dataclass(slots=True)
class Oversight:
    """Every case of the chosen teams, riskiest and then oldest first."""

    teams: tuple[str, ...]
    generated: datetime
    today: date
    cases: list[CaseFacts]
    names: dict[int, str]

    def runs(self) -> Iterable[tuple[CaseFacts, RunFacts]]:
        """Each run with its case."""
        for case in self.cases:
            for run in case.runs:
                yield case, run

    def name(self, who: str | None) -> str:
        """The name behind a log actor ('user:12')."""
        user_id = user_id_of(who)
        if user_id is not None:
            return self.names.get(user_id, "someone")
        return who or ""


def gather(
    ctx: Context,
    teams: Sequence[str] | None = None,
    case_ref: str | None = None,
    open_runs_only: bool = False,
    live_only: bool = False,
) -> Oversight:
    """Read the facts of the given teams' cases (every team when None), or of one case.

    `open_runs_only` leaves signed-off runs out, for jobs that look only for work to chase.
    `live_only` leaves out the facts of items not asked, for views that count only those asked
    (the team table, `/team`): they say the same, from about half the rows.
    """
    ctx.fresh()
    scope = Scope(tuple(teams) if teams else None, case_ref)
    with _no_collection_pauses():
        return _gather(ctx, scope, open_runs_only, live_only)


@contextmanager
def _no_collection_pauses() -> Iterator[None]:
    """Hold Python's cycle collector while a team's facts are built.

    A team is tens of thousands of item facts, all kept until the report is written; each pass
    of the collector walks all of them again. Nothing is lost: the collector picks up any
    cycles once it is back on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _gather(ctx: Context, scope: Scope, open_runs_only: bool, live_only: bool) -> Oversight:
    """The work of `gather`."""
    uow = ctx.uow
    now = ctx.now()
    today = ctx.today()
    with uow.reading():
        cases = uow.cases.in_scope(scope)
        names = uow.users.names()
        events = uow.events.in_scope(scope)
        # A held review is kept even by a read of open runs only: it shows the review was held.
        keep = [playbook.id for playbook in recurring(ctx)]
        runs_by_case = uow.runs.rows_in(scope, open_only=open_runs_only, keep=keep)
        chosen_runs = uow.runs.ids_in(scope, open_only=open_runs_only, keep=keep)
        run_rows = uow.facts.runs_of_runs(*chosen_runs)
        runs = {row.id: row for rows in runs_by_case.values() for row in rows}
        rows = uow.facts.items_of_runs(*chosen_runs, live_only=live_only)
        items = _Items(ctx, today).read(rows, runs)
        pending = uow.handovers.pending_in(scope)
        histories = _histories(ctx, scope) if scope.case_ref is not None else {}
    handovers = {
        case_id: {
            "id": handover.id,
            "from": names.get(handover.from_officer, "someone"),
            "to": names.get(handover.to_officer, "someone"),
            "offered": handover.offered_at,
        }
        for case_id, handover in pending.items()
    }
    found = []
    reckoned = Schedules(ctx, today)
    for case in cases:
        case_events = events.get(case.id, Events())
        run_facts = [
            _run_facts(ctx, row, run_rows.get(row.id), items.get(row.id), histories.get(row.id))
            for row in runs_by_case.get(case.id, [])
        ]
        found.append(
            CaseFacts(
                case.id,
                case.ref,
                case.team,
                case.officer_id,
                names.get(case.officer_id, "someone"),
                case.opened_at,
                run_facts,
                case_events.latest_dates(),
                handovers.get(case.id),
                case_events,
                reckoned.of(case, case_events, run_facts),
                case.closed_reason if case.closed else None,
            )
        )
    found.sort(key=lambda case: (RISKS.index(case.risk), case.opened))
    chosen = scope.teams or tuple(sorted({case.team for case in cases}))
    return Oversight(chosen, now, today, found, names)


def _histories(ctx: Context, scope: Scope) -> dict[int, list[Entry]]:
    """The records of one case's runs, by run: a case view shows each answer a correction
    replaced. One case's records are few; a team's are never read."""
    found: dict[int, list[Entry]] = {}
    for logged in ctx.uow.log.entries(case_ref=scope.case_ref):
        if logged.entry.run_id is not None:
            found.setdefault(logged.entry.run_id, []).append(logged.entry)
    return found


def _run_facts(
    ctx: Context,
    stored: StoredRow,
    row: RunRow | None,
    items: _RunItems | None,
    history: list[Entry] | None,
) -> RunFacts:
    """One run's facts from its rows."""
    if row is None:  # Only while the read model is built for the first time.
        row = RunRow(None, None, None, None, False, None, None)
    facts, touched_n, touched = items or ([], None, None)
    return RunFacts(
        stored.id,
        ctx.catalog.playbook_of_version(stored.version_id),
        stored.state,
        facts,
        _time(last_activity(row, touched_n, touched)),
        _time(row.started),
        date.fromisoformat(row.review_due) if row.review_due else None,
        row.signed_off_by,
        _time(row.signed_off_at),
        bool(row.reopened),
        history or [],
    )


#: A run's item facts in order, and its last record about an item (number and time).
_RunItems = tuple[list[ItemFacts], int | None, str | None]


class _Items:
    """Item facts from the read model's rows, with what they share worked out once: an item's
    definition and section per version, each due date, each standing against today."""

    def __init__(self, ctx: Context, today: date) -> None:
        self._ctx = ctx
        self._today = today
        #: Each version's items by place, with their sections.
        self._items: dict[int, dict[int, tuple[Item, str]]] = {}
        self._dates: dict[str, date] = {}
        self._standings = Standings(today, ctx.holidays(), ctx.catalog.settings)

    def read(
        self, rows: Iterable[Sequence[Any]], runs: dict[int, StoredRow]
    ) -> dict[int, _RunItems]:
        """Each run's item facts, by run id, from rows ordered by run and place."""
        # A team is tens of thousands of rows: what each row needs is looked up once per run,
        # and what rows share (an item's definition, a due date) once per report.
        found: dict[int, _RunItems] = {}
        dates, today = self._dates, self._today
        current, stored, version_id, open_run = -1, None, 0, False
        known: dict[int, tuple[Item, str]] = {}
        facts: list[ItemFacts] = []
        last_n, last = None, None
        for (run_id, place, item_id, status, value, reason, who, at, first, corrections, due,
             thread, touched_n, touched) in rows:  # fmt: skip
            if run_id != current:
                if stored is not None:
                    found[current] = (facts, last_n, last)
                current, facts, last_n, last = run_id, [], None, None
                stored = runs.get(run_id)
                if stored is not None:
                    version_id, open_run = stored.version_id, stored.state in OPEN_STATES
                    known = self._items.setdefault(version_id, {})
            if stored is None:
                continue
            item, section = known.get(place) or self._item(version_id, place, item_id)
            when, where, days_over = None, "not-due", 0
            if due:
                when = dates.get(due)
                if when is None:
                    when = dates[due] = date.fromisoformat(due)
                if open_run and status in WAITING:
                    where = self._standings.of(when, item.escalate)
                    days_over = max((today - when).days, 0)
            if touched_n is not None and (last_n is None or touched_n > last_n):
                last_n, last = touched_n, touched
            facts.append(
                ItemFacts(
                    item,
                    section,
                    status,
                    value,
                    reason,
                    who,
                    at,
                    first if status in SETTLED else None,
                    corrections,
                    when,
                    where,
                    days_over,
                    thread_of(thread, run_id, stored.case.ref, item_id) if thread else (),
                    place,
                )
            )
        if stored is not None:
            found[current] = (facts, last_n, last)
        return found

    def _item(self, version_id: int, place: int, item_id: str) -> tuple[Item, str]:
        """The item at a place of a version, a copy for one occurrence where it is one."""
        playbook = self._ctx.catalog.playbook_of_version(version_id)
        item = item_at(playbook, place, item_id)
        found = self._items[version_id][place] = (item, playbook.section_of(item.base_id))
        return found


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
