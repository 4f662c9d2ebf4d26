"""What supervisors oversee: every run of a team's cases, its items' standing, and the totals.

One pass reads a team's cases, runs, milestones and log in a handful of queries, rebuilds each
run from its log as the bot does, and keeps, per item, what a supervisor asks: done or not,
why, by whom and when, when it fell due and whether it was on time. `/team`, `/case`, the
weekly summary, escalations and every report format are views of these facts.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.core.case import Case
from bot.core.events import Events
from bot.core.history import challenge_open, origin, shared_key
from bot.core.lifecycle import UNDER_WAY
from bot.core.people import user_id_of
from bot.core.playbook import Item
from bot.core.records import Entry
from bot.core.run import Run
from bot.core.schedule import standing
from bot.services.context import Context
from bot.services.deadlines import item_due
from bot.services.reviews import Schedule, recurring, schedules
from bot.store.cases import Scope
from bot.store.runs import RunRow

#: Ages of overdue items, in days past their due date, for the "overdue by age" chart.
AGE_BANDS = ((1, 7, "1–7 days"), (8, 14, "8–14 days"), (15, 28, "15–28 days"), (29, None, "over 28 days"))  # fmt: skip
#: Run states in which items can still be worked on (and so fall overdue).
OPEN_STATES = UNDER_WAY
#: Statuses of an item that is answered, with its reason where it needs one.
SETTLED = frozenset({"done", "not-done", "na", "to-countersign", "not-yet"})
#: Case risk, most urgent first: the order of `/team` and of the report's case list.
RISKS = ("escalated", "overdue", "challenged", "due-soon", "on-track", "closed")


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
    when: datetime | None
    first_settled: datetime | None
    corrections: int
    due: date | None
    standing: str
    days_over: int
    thread: tuple[Entry, ...] = ()

    @property
    def on_time(self) -> bool | None:
        """Settled by its due date (True), late or not yet and past due (False), else None."""
        if self.due is None:
            return None
        if self.first_settled is not None:
            return self.first_settled.date() <= self.due
        return False if self.days_over > 0 else None


@dataclass(slots=True)
class RunFacts:
    """One run of a playbook on a case, with every item's facts."""

    run: Run
    state: str
    items: list[ItemFacts]
    last_activity: datetime | None
    history: list[Entry] = field(default_factory=list)
    #: Live items settled (answered, with a reason where needed), and items asked as it stands.
    settled: int = field(init=False)
    live: int = field(init=False)

    def __post_init__(self) -> None:
        # Counted once from the items' statuses: reports read these for every run, often twice.
        self.live = sum(1 for facts in self.items if facts.status != "not-live")
        self.settled = sum(1 for facts in self.items if facts.status in SETTLED)

    def with_status(self, *statuses: str) -> list[ItemFacts]:
        """Items in any of these statuses, in playbook order."""
        return [facts for facts in self.items if facts.status in statuses]

    @property
    def overdue(self) -> list[ItemFacts]:
        """Open items past their due date, most overdue first."""
        late = [facts for facts in self.items if facts.standing in ("overdue", "escalate")]
        return sorted(late, key=lambda facts: -facts.days_over)

    @property
    def open_challenges(self) -> list[ItemFacts]:
        """Items whose latest challenge waits for the investigator's reply."""
        return [facts for facts in self.items if challenge_open(facts.thread)]


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
        standings = {facts.standing for run in self.runs for facts in run.items}
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
) -> Oversight:
    """Read the facts of the given teams' cases (every team when None), or of one case.

    `open_runs_only` leaves signed-off runs out, for jobs that look only for work to chase.
    """
    ctx.fresh()
    with _no_collection_pauses():
        return _gather(ctx, Scope(tuple(teams) if teams else None, case_ref), open_runs_only)


@contextmanager
def _no_collection_pauses() -> Iterator[None]:
    """Hold Python's cycle collector while a team's facts are built.

    A team is tens of thousands of log entries, all kept until the report is written; each
    pass of the collector walks all of them again. Held, the work took about 30% less time
    (bench/README.md). Nothing is lost: the collector picks up any cycles once it is back on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _gather(ctx: Context, scope: Scope, open_runs_only: bool) -> Oversight:
    """The work of `gather`."""
    uow = ctx.uow
    now = ctx.now()
    today = ctx.today()
    cases = uow.cases.in_scope(scope)
    names = uow.users.names()
    events = uow.events.in_scope(scope)
    # A held review is kept even by a read of open runs only: it shows the review was held.
    keep = [playbook.id for playbook in recurring(ctx)]
    runs_by_case = uow.runs.rows_in(scope, open_only=open_runs_only, keep=keep)
    entries = uow.runs.entries_in(scope, open_only=open_runs_only, keep=keep)
    handovers = {
        case_id: {
            "id": handover.id,
            "from": names.get(handover.from_officer, "someone"),
            "to": names.get(handover.to_officer, "someone"),
            "offered": handover.offered_at,
        }
        for case_id, handover in uow.handovers.pending_in(scope).items()
    }
    holidays = ctx.holidays()
    found = []
    for case in cases:
        run_facts = []
        case_events = events.get(case.id, Events())
        rows = runs_by_case.get(case.id, [])
        shared = _shared(ctx, rows, entries)
        for row in rows:
            history = entries.get(row.id, [])
            run = Run.replay(
                ctx.catalog.playbook_of_version(row.version_id),
                row.id,
                case.ref,
                history,
                case_events,
                row.cursor,
                shared,
            )
            run_facts.append(_run_facts(ctx, run, history, today, holidays))
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
                schedules(ctx, case, case_events, [facts.run for facts in run_facts], today),
                case.closed_reason if case.closed else None,
            )
        )
    found.sort(key=lambda case: (RISKS.index(case.risk), case.opened))
    chosen = scope.teams or tuple(sorted({case.team for case in cases}))
    return Oversight(chosen, now, today, found, names)


def _shared(
    ctx: Context, rows: Sequence[RunRow], entries: Mapping[int, list[Entry]]
) -> dict[str, Entry]:
    """The latest answer to each fact of a case, by the name every playbook knows it by."""
    found: dict[str, Entry] = {}
    for row in rows:
        playbook = ctx.catalog.playbook_of_version(row.version_id)
        for entry in entries.get(row.id, []):
            if entry.kind == "answered" and entry.item and "@" not in entry.item:
                try:
                    found[shared_key(playbook.id, playbook.item(entry.item))] = entry
                except KeyError:
                    continue
    return found


def _run_facts(
    ctx: Context,
    run: Run,
    history: list[Entry],
    today: date,
    holidays: frozenset[date],
) -> RunFacts:
    """Each item's facts for one run."""
    settled_at: dict[str, datetime] = {}
    for entry in history:
        if entry.kind in ("answered", "reason-given") and entry.item:
            settled_at.setdefault(entry.item, origin(entry)[1])
    items = []
    open_run = run.state in OPEN_STATES
    for status in run.statuses():
        item = status.item
        # The calendar is worked out once for the whole report, not once per item.
        due = item_due(run, item, holidays, ctx.catalog.settings)
        where, days_over = "not-due", 0
        if status.status in ("open", "later", "needs-reason", "not-yet") and open_run:
            where = standing(due, today, item.escalate, holidays, ctx.catalog.settings)
            days_over = max((today - due).days, 0) if due is not None else 0
        settled = status.status in SETTLED
        items.append(
            ItemFacts(
                item,
                run.playbook.section_of(item.base_id),
                status.status,
                status.value,
                status.reason,
                status.actor,
                status.at,
                settled_at.get(item.id) if settled else None,
                status.corrections,
                due,
                where,
                days_over,
                run.thread(item.id),
            )
        )
    last = history[-1].at if history else None
    return RunFacts(run, run.state, items, last, history)
