"""Recurring playbooks (the supervisory review): when each falls due on a case, which were
held, and starting the one due.

The schedule is worked out from the case's events and today, so a review is due on its date
whether or not anyone used the bot that day; a review is held once its run is submitted or
signed off. Only supervisors of the case's team (and administrators) hold them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.core.case import Case
from bot.core.errors import NotAllowed, NotFound
from bot.core.events import Events
from bot.core.people import User, actor_of
from bot.core.playbook import Playbook
from bot.core.recurrence import Occurrence, next_due, occurrences
from bot.core.schedule import Standing, Standings
from bot.services.access import find_case, load
from bot.services.context import Context
from bot.services.events import CLOSED, add_run
from bot.services.outcomes import Outcome

#: Run states in which an occurrence counts as held.
HELD = ("submitted", "signed_off")


# Not frozen: the escalation scan builds one for every occurrence of every case of the force
# (tens of thousands), and a frozen dataclass takes three times as long to build.
@dataclass(slots=True)
class Due:
    """One occurrence of a recurring playbook on a case, and where it stands today."""

    due: date
    because: str | None
    held: bool
    standing: Standing
    run_id: int | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    """A recurring playbook on one case: every occurrence due so far, and the next one."""

    playbook: Playbook
    occurrences: tuple[Due, ...]
    #: The case is closed: nothing more falls due on it.
    closed: bool = False

    @property
    def next(self) -> Due | None:
        """The first occurrence still to come (due today or later) and not held early; none
        once the case is closed."""
        if self.closed:
            return None
        return next(
            (
                due
                for due in self.occurrences
                if not due.held and due.standing in ("not-due", "upcoming", "due-today")
            ),
            None,
        )

    @property
    def missed(self) -> list[Due]:
        """Occurrences past their day and not held."""
        return [due for due in self.occurrences if due.standing in ("overdue", "escalate")]


class Holding(Protocol):
    """A run as a schedule reads it: a replayed run, or a report's facts of one."""

    @property
    def run_id(self) -> int: ...
    @property
    def playbook(self) -> Playbook: ...
    @property
    def state(self) -> str: ...
    @property
    def due_on(self) -> date | None: ...


def recurring(ctx: Context) -> list[Playbook]:
    """The recurring playbooks published now."""
    return [entry.playbook for entry in ctx.catalog.library.playbooks if entry.playbook.repeat]


def schedules(
    ctx: Context, case: Case, events: Events, runs: Iterable[Holding], today: date
) -> list[Schedule]:
    """Each recurring playbook's occurrences on a case, given its events and its runs."""
    return Schedules(ctx, today).of(case, events, runs)


class Schedules:
    """The schedules of many cases read together (a team's report, the escalation scan), with
    where each due day stands today worked out once for all of them."""

    def __init__(self, ctx: Context, today: date) -> None:
        self._today = today
        self._holidays = ctx.holidays()
        self._settings = ctx.catalog.settings
        self._recurring = recurring(ctx)
        self._standings = Standings(today, self._holidays, self._settings)

    def of(self, case: Case, events: Events, runs: Iterable[Holding]) -> list[Schedule]:
        """Each recurring playbook's occurrences on a case, given its events and its runs."""
        found = []
        runs = list(runs)
        closed = case.closed
        last = case.closed_at.date() if case.closed_at is not None else None
        for playbook in self._recurring:
            repeat = playbook.repeat
            assert repeat is not None
            mine = [run for run in runs if run.playbook.id == playbook.id and run.due_on]
            held = {run.due_on for run in mine if run.state in HELD}
            started = {run.due_on: run.run_id for run in mine}
            listed = []
            for occurrence in occurrences(
                repeat, events, self._today, self._holidays, self._settings
            ):
                due = occurrence.due
                if last is not None and due > last:
                    break
                done = due in held
                where: Standing = "not-due"
                if not done and not closed:
                    where = self._standings.of(due, repeat.escalate)
                listed.append(Due(due, occurrence.because, done, where, started.get(due)))
            if listed:
                found.append(Schedule(playbook, tuple(listed), closed))
        return found


def due_on_case(ctx: Context, user: User, ref: str) -> list[Schedule]:
    """The recurring playbooks of a case the user may see, with their occurrences so far."""
    ctx.fresh()
    case = find_case(ctx, user, ref)
    runs = [load(ctx, user, run_id).run for run_id in ctx.uow.runs.of_case(case.id, moved=False)]
    return schedules(ctx, case, ctx.uow.events.of_case(case.id), runs, ctx.today())


def start_review(ctx: Context, user: User, ref: str, playbook_id: str) -> Outcome:
    """Start (or carry on) the occurrence of a recurring playbook due on a case."""
    if not user.supervises:
        raise NotAllowed("Only a supervisor of the case's team holds the review.")
    with ctx.transaction() as uow:
        case = find_case(ctx, user, ref)
        if case.closed:
            raise NotAllowed(CLOSED)
        try:
            playbook = ctx.catalog.playbook(playbook_id)
        except KeyError:
            raise NotFound(f"There is no checklist called {playbook_id}.") from None
        if playbook.repeat is None:
            raise NotAllowed(f"'{playbook.title}' is not a recurring checklist.")
        runs = [load(ctx, user, run_id).run for run_id in uow.runs.of_case(case.id, moved=False)]
        today = ctx.today()
        found = schedules(ctx, case, uow.events.of_case(case.id), runs, today)
        schedule = next((s for s in found if s.playbook.id == playbook_id), None)
        if schedule is None:
            raise NotAllowed(f"No '{playbook.title}' is due on {case.ref} yet.")
        held = {due.due for due in schedule.occurrences if due.held}
        due = next_due([Occurrence(d.due, d.because) for d in schedule.occurrences], held, today)
        if due is None:
            raise NotAllowed(f"Every '{playbook.title}' on {case.ref} so far is held.")
        for run in runs:
            if run.playbook.id == playbook_id and run.due_on == due.due:
                return Outcome(run)
        now = ctx.now()
        version_id = ctx.catalog.current_version_id(playbook_id)
        stored, started = add_run(uow, user, case, version_id, now, due=due.due.isoformat())
        uow.runs.save(stored, [started, *stored.run.start(actor_of(user), now)])
        return Outcome(stored.run)
