"""What supervisors oversee: every run of a team's cases, its items' standing, and the totals.

One pass reads a team's cases, runs, milestones and log in a handful of queries, rebuilds each
run from its log as the bot does, and keeps, per item, what a supervisor asks: done or not,
why, by whom and when, when it fell due and whether it was on time. `/team`, `/case`, the
weekly summary, escalations and every report format are views of these facts.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from bot.core.playbook import Item
from bot.core.records import Entry
from bot.core.run import UNDER_WAY, Run, challenge_open, origin
from bot.core.schedule import due_date, standing
from bot.services.service import Service

#: Ages of overdue items, in days past their due date, for the "overdue by age" chart.
AGE_BANDS = ((1, 7, "1–7 days"), (8, 14, "8–14 days"), (15, 28, "15–28 days"), (29, None, "over 28 days"))  # fmt: skip
#: Run states in which items can still be worked on (and so fall overdue).
OPEN_STATES = UNDER_WAY
#: Statuses of an item that is answered, with its reason where it needs one.
SETTLED = frozenset({"done", "not-done", "na", "to-countersign"})
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
    #: How urgent the case is: escalated, overdue, challenged, due soon, on track, closed.
    risk: str = field(init=False)

    def __post_init__(self) -> None:
        # Worked out once: reports sort by it, group by it and print it.
        self.risk = self._risk()

    @property
    def last_activity(self) -> datetime:
        """When anything last happened on the case."""
        times = [run.last_activity for run in self.runs if run.last_activity is not None]
        return max(times, default=self.opened)

    def _risk(self) -> str:
        standings = {facts.standing for run in self.runs for facts in run.items}
        if "escalate" in standings:
            return "escalated"
        if "overdue" in standings:
            return "overdue"
        if any(run.open_challenges for run in self.runs):
            return "challenged"
        if standings & {"due-today", "upcoming"}:
            return "due-soon"
        if all(run.state == "signed_off" for run in self.runs) and self.runs:
            return "closed"
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
        if who and who.startswith("user:") and who[5:].isdigit():
            return self.names.get(int(who[5:]), "someone")
        return who or ""


def gather(
    service: Service,
    teams: Sequence[str] | None = None,
    case_ref: str | None = None,
    open_runs_only: bool = False,
) -> Oversight:
    """Read the facts of the given teams' cases (every team when None), or of one case.

    `open_runs_only` leaves signed-off runs out, for jobs that look only for work to chase.
    """
    with _no_collection_pauses():
        return _gather(service, teams, case_ref, open_runs_only)


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


def _gather(
    service: Service, teams: Sequence[str] | None, case_ref: str | None, open_runs_only: bool
) -> Oversight:
    """The work of `gather`."""
    now = service.clock()
    today = service.today()
    where, params = _scope(teams, case_ref)
    db = service.db
    cases = list(db.query(f"select * from cases {where} order by id", params))
    names = {row["id"]: row["name"] for row in db.query("select id, name from users")}
    milestones: dict[int, dict[str, date]] = defaultdict(dict)
    for row in db.execute(
        f"select case_id, name, date from milestones where case_id in (select id from cases {where})",
        params,
    ):
        milestones[row[0]][row[1]] = date.fromisoformat(row[2])
    runs_by_case: dict[int, list[dict[str, Any]]] = defaultdict(list)
    # A moved run's work lives on in the run it moved to: counting both would count it twice.
    signed = " and runs.state != 'moved'"
    signed += " and runs.state != 'signed_off'" if open_runs_only else ""
    for row in db.query(
        f"{service.RUN_ROWS} where runs.case_id in (select id from cases {where}){signed}"
        " order by runs.id",
        params,
    ):
        runs_by_case[row["case_id"]].append(row)
    entries = _entries_by_run(service, where, signed, params)
    handovers = _pending_handovers(service, where, params, names)
    holidays = service.holidays()
    found = []
    for case in cases:
        run_facts = []
        for row in runs_by_case.get(case["id"], []):
            history = entries.get(row["id"], [])
            run = Run.replay(
                service.playbook_of_version(row["playbook_version_id"]),
                row["id"],
                row["ref"],
                history,
                milestones.get(case["id"], {}),
                row["current_item"],
            )
            run_facts.append(_run_facts(service, run, history, today, holidays))
        found.append(
            CaseFacts(
                case["id"],
                case["ref"],
                case["team"],
                case["officer_id"],
                names.get(case["officer_id"], "someone"),
                datetime.fromisoformat(case["opened_at"]).astimezone(UTC),
                run_facts,
                milestones.get(case["id"], {}),
                handovers.get(case["id"]),
            )
        )
    found.sort(key=lambda case: (RISKS.index(case.risk), case.opened))
    chosen = tuple(teams) if teams else tuple(sorted({case["team"] for case in cases}))
    return Oversight(chosen, now, today, found, names)


def _scope(teams: Sequence[str] | None, case_ref: str | None) -> tuple[str, list[Any]]:
    """The WHERE clause on cases for some teams, one case, or everything."""
    if case_ref is not None:
        return "where ref = ?", [case_ref]
    if teams:
        return f"where team in ({', '.join('?' * len(teams))})", list(teams)
    return "", []


def _entries_by_run(
    service: Service, where: str, signed: str, params: list[Any]
) -> dict[int, list[Entry]]:
    """Every log entry of the chosen cases' runs (bar signed-off ones, if asked), grouped by run."""
    grouped: dict[int, list[Entry]] = defaultdict(list)
    rows = service.db.execute(
        "select run_id, kind, case_ref, actor, at, item, value, detail from log"
        " where run_id in (select runs.id from runs"
        f" where runs.case_id in (select id from cases {where}){signed}) order by seq",
        params,
    )
    # Most details repeat word for word (a transition from asking to review, say): parse each
    # distinct one once. Entries never change their detail, so sharing the dict is safe.
    details: dict[str, Any] = {"{}": {}}
    for run_id, kind, ref, who, at, item, value, detail in rows:
        parsed = details.get(detail)
        if parsed is None:
            parsed = details[detail] = json.loads(detail)
        grouped[run_id].append(
            Entry(kind, ref, who, datetime.fromisoformat(at), run_id, item, value, parsed)
        )
    return grouped


def _pending_handovers(
    service: Service, where: str, params: list[Any], names: dict[int, str]
) -> dict[int, dict[str, Any]]:
    """Handovers offered and not yet accepted, by case."""
    rows = service.db.execute(
        "select id, case_id, from_officer, to_officer, offered_at from handovers"
        " where accepted_at is null and superseded_at is null"
        f" and case_id in (select id from cases {where})",
        params,
    )
    return {
        case_id: {
            "id": handover_id,
            "from": names.get(from_id, "someone"),
            "to": names.get(to_id, "someone"),
            "offered": offered,
        }
        for handover_id, case_id, from_id, to_id, offered in rows
    }


def _run_facts(
    service: Service,
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
        due = (
            due_date(item.due, run.milestones, holidays, service.library.settings)
            if item.due is not None
            else None
        )
        where, days_over = "not-due", 0
        if status.status in ("open", "later", "needs-reason") and open_run:
            where = standing(due, today, item.escalate, holidays, service.library.settings)
            days_over = max((today - due).days, 0) if due is not None else 0
        settled = status.status in SETTLED
        items.append(
            ItemFacts(
                item,
                run.playbook.section_of(item.id),
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
