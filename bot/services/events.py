"""Case events: recording a milestone, and what follows (playbooks started, runs refreshed).

A milestone moves every due date that hangs on it, in every run of the case; a playbook that
starts on it is started; a run that was finished, submitted or signed off asks what the new date
makes live, and its supervisors are told it reopened. A date item that records a milestone and
the milestone are one fact: recording either gives the other the same date.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.core.case import Case
from bot.core.errors import InputRefused, NotAllowed
from bot.core.events import Events
from bot.core.people import User, actor_of
from bot.core.playbook import Milestone
from bot.core.records import Entry
from bot.core.run import Run
from bot.services import notifications
from bot.services.access import find_case, load
from bot.services.context import Context
from bot.services.outcomes import Fact, MilestoneRecorded, PlaybookStarted
from bot.store.runs import StoredRun
from bot.store.unit_of_work import UnitOfWork

CLOSED = "This case is closed, so nothing more is recorded on it."


class DateContradicts(InputRefused):
    """A date that contradicts the case's other dates; `plain` says how, without the chat's
    advice on what to do about it."""

    def __init__(self, plain: str) -> None:
        self.plain = plain
        super().__init__(f"{plain} Check the date, or correct that one first with /milestone.")


#: Every milestone comes on or after the report.
FIRST = "report"


def record_milestone(
    ctx: Context,
    user: User,
    ref: str,
    name: str,
    when: date,
    occurrence: int | None = None,
) -> list[Fact]:
    """Record a milestone (another occurrence of a repeating one), or move one to a new date
    (`occurrence`, or the only one of a milestone that happens once); returns what it set going,
    nothing when the date was already recorded."""
    if name not in ctx.catalog.milestones:
        raise InputRefused("That is not a milestone this force records.")
    with ctx.transaction() as uow:
        case = find_case(ctx, user, ref)
        if case.closed:
            raise NotAllowed(CLOSED)
        now = ctx.now()
        facts = apply_milestone(ctx, uow, user, case, name, when, now, occurrence)
        refresh_case(ctx, uow, user, case, now, why=ctx.catalog.milestones[name].phrase)
        return facts


def dates_of(ctx: Context, user: User, ref: str, name: str) -> tuple[date, ...]:
    """Every date recorded for a milestone on a case, in order of occurrence."""
    ctx.fresh()
    case = find_case(ctx, user, ref)
    return ctx.uow.events.of_case(case.id).all(name)


def apply_milestone(
    ctx: Context,
    uow: UnitOfWork,
    user: User,
    case: Case,
    name: str,
    when: date,
    now: datetime,
    occurrence: int | None = None,
    but: int | None = None,
) -> list[Fact]:
    """Record a milestone in the caller's transaction, and start the playbooks it starts.

    `but` is a run the caller holds and brings up to date itself (the run whose answer
    recorded the milestone).
    """
    milestone = ctx.catalog.milestones[name]
    events = uow.events.of_case(case.id)
    number, moved_from = _place(milestone, events, when, occurrence)
    if number is None:
        return []
    check_order(ctx, events, name, when, number)
    uow.events.record(case.id, name, when, now, user.id, number)
    detail = {"milestone": name, "date": when.isoformat()}
    if milestone.repeats:
        detail["occurrence"] = str(number)
    if moved_from is not None:
        detail["moved_from"] = moved_from.isoformat()
    uow.log.append([Entry("milestone-recorded", case.ref, actor_of(user), now, detail=detail)])
    facts: list[Fact] = [MilestoneRecorded(name, milestone.title, when, moved_from, number)]
    _give_items_the_date(ctx, uow, user, case, name, when, now, but)
    if name != FIRST and number == 1 and moved_from is None:
        for entry in ctx.catalog.library.playbooks:
            if name in entry.playbook.starts:
                run, created = start_playbook(ctx, uow, user, case, entry.playbook.id, now)
                if created:
                    facts.append(PlaybookStarted(run.playbook.id, run.playbook.title))
    return facts


def _place(
    milestone: Milestone, events: Events, when: date, occurrence: int | None
) -> tuple[int | None, date | None]:
    """Which occurrence to record and the date it moves from; (None, None) when nothing changes.

    A milestone that happens once is moved; a repeating one gains an occurrence, unless one is
    named (then it is moved) or one already has this date (recorded twice, kept once).
    """
    count = events.count(milestone.id)
    if not milestone.repeats:
        current = events.latest(milestone.id)
        return (None, None) if current == when else (1, current)
    if occurrence is not None and 1 <= occurrence <= count:
        current = events.nth(milestone.id, occurrence)
        return (None, None) if current == when else (occurrence, current)
    if when in events.all(milestone.id):
        return None, None
    return count + 1, None


def check_order(ctx: Context, events: Events, name: str, when: date, number: int) -> None:
    """Refuse a date that contradicts the case: a trial before the report, a verdict before the
    trial, a charge before the arrest. Every milestone is on or after the report."""
    milestones = ctx.catalog.milestones
    title = milestones[name].title
    earlier = set(milestones[name].not_before) | ({FIRST} if name != FIRST else set())
    for other in sorted(earlier):
        first = events.first(other)
        if first is not None and other in milestones and when < first:
            raise DateContradicts(
                f"{title} can't be before {milestones[other].phrase} "
                f"({first:%a} {first.day} {first:%b %Y})."
            )
    for other, later in milestones.items():
        if other == name or not (name in later.not_before or name == FIRST):
            continue
        first = events.first(other)
        if first is not None and when > first and number == 1:
            raise DateContradicts(
                f"{title} can't be after {later.phrase} ({first:%a} {first.day} {first:%b %Y})."
            )


def _give_items_the_date(
    ctx: Context,
    uow: UnitOfWork,
    user: User,
    case: Case,
    name: str,
    when: date,
    now: datetime,
    but: int | None,
) -> None:
    """Every item that records this milestone takes its date: they are one fact."""
    for run_id in uow.runs.of_case(case.id, moved=False):
        if run_id == but:
            continue
        stored = load(ctx, user, run_id)  # read again: the new event is in its picture
        run = stored.run
        for item in run.items:
            if item.sets == name:
                entries = run.take_fact(item.id, when.isoformat(), actor_of(user), now, name)
                if entries:
                    uow.runs.save(stored, entries)


def refresh_case(
    ctx: Context,
    uow: UnitOfWork,
    user: User,
    case: Case,
    now: datetime,
    why: str,
    but: Run | None = None,
) -> None:
    """After a milestone moves, let every run of the case (bar one) ask what is now live;
    `why` says what moved, for the notices of runs that reopen."""
    for run_id in uow.runs.of_case(case.id):
        if but is not None and run_id == but.run_id:
            continue
        stored = load(ctx, user, run_id)
        before = stored.run.state
        extra = stored.run.refresh(actor_of(user), now)
        if extra:
            uow.runs.save(stored, extra)
            tell_reopened(uow, user, stored, before, now, why)


def tell_reopened(
    uow: UnitOfWork, user: User, stored: StoredRun, before: str, now: datetime, why: str
) -> None:
    """A submitted or signed-off run reopened: its supervisors are told, and its officer too
    unless the officer reopened it."""
    if before not in ("submitted", "signed_off") or stored.run.state not in (
        "asking",
        "awaiting_reason",
    ):
        return
    run, case = stored.run, stored.case
    settled, live = run.progress()
    facts = {
        "case_ref": case.ref,
        "case_id": str(case.id),
        "title": run.playbook.title,
        "was": before,
        "why": why,
        "run_id": str(run.run_id),
        "open": str(live - settled),
    }
    notifications.tell_supervisors(uow, case, "reopened", facts, now)
    if user.id != case.officer_id:
        notifications.tell(uow, [case.officer_id], "reopened-officer", facts, now)


def start_playbook(
    ctx: Context, uow: UnitOfWork, user: User, case: Case, playbook_id: str, now: datetime
) -> tuple[Run, bool]:
    """The case's run of a playbook: the one under way, or a new one (then True).

    A signed-off run is the case's run for good, unless the playbook recurs: a moved
    milestone or a second answer that opens it must not start it all over again.
    """
    recurs = ctx.catalog.playbook(playbook_id).repeat is not None
    for run_id, state in uow.runs.of_playbook(case.id, playbook_id):
        if state != "signed_off" or not recurs:
            return load(ctx, user, run_id).run, False
    version_id = ctx.catalog.current_version_id(playbook_id)
    stored, started = add_run(uow, user, case, version_id, now)
    uow.runs.save(stored, [started, *stored.run.start(actor_of(user), now)])
    return stored.run, True


def add_run(
    uow: UnitOfWork, user: User, case: Case, version_id: int, now: datetime, **detail: str
) -> tuple[StoredRun, Entry]:
    """A new run's row on a version, and the `run-started` record to log with its start."""
    stored = uow.runs.add(case, version_id, user.id, now)
    playbook = stored.run.playbook
    started = Entry(
        "run-started",
        case.ref,
        actor_of(user),
        now,
        stored.run.run_id,
        detail={"playbook": playbook.id, "version": str(playbook.version), **detail},
    )
    stored.run.begin(started)
    return stored, started
