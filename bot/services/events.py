"""Case events: recording a milestone, and what follows (playbooks started, runs refreshed).

A milestone moves every due date that hangs on it, in every run of the case; a playbook that
starts on it is started; a run that was finished asks what the new date makes live.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.core.case import Case
from bot.core.errors import InputRefused
from bot.core.people import User, actor_of
from bot.core.records import Entry
from bot.core.run import Run
from bot.services.access import find_case, load
from bot.services.context import Context
from bot.services.outcomes import Fact, MilestoneRecorded, PlaybookStarted
from bot.store.runs import StoredRun
from bot.store.unit_of_work import UnitOfWork


def record_milestone(ctx: Context, user: User, ref: str, name: str, when: date) -> list[Fact]:
    """Record (or move) a case milestone; returns what it set going (nothing if unchanged)."""
    if name not in ctx.catalog.milestones:
        raise InputRefused("That is not a milestone this force records.")
    with ctx.transaction() as uow:
        case = find_case(ctx, user, ref)
        now = ctx.now()
        facts = apply_milestone(ctx, uow, user, case, name, when, now)
        refresh_case(ctx, uow, user, case, now)
        return facts


def apply_milestone(
    ctx: Context,
    uow: UnitOfWork,
    user: User,
    case: Case,
    name: str,
    when: date,
    now: datetime,
) -> list[Fact]:
    """Record a milestone in the caller's transaction, and start the playbooks it starts."""
    current = uow.events.milestones(case.id)
    if current.get(name) == when:
        return []
    uow.events.record(case.id, name, when, now, user.id)
    detail = {"milestone": name, "date": when.isoformat()}
    if name in current:
        detail["moved_from"] = current[name].isoformat()
    uow.log.append([Entry("milestone-recorded", case.ref, actor_of(user), now, detail=detail)])
    title = ctx.catalog.milestones[name].title
    facts: list[Fact] = [MilestoneRecorded(name, title, when, moved=name in current)]
    for entry in ctx.catalog.library.playbooks:
        if entry.playbook.starts == name and name != "report":
            run, created = start_playbook(ctx, uow, user, case, entry.playbook.id, now)
            if created:
                facts.append(PlaybookStarted(run.playbook.id, run.playbook.title))
    return facts


def refresh_case(
    ctx: Context, uow: UnitOfWork, user: User, case: Case, now: datetime, but: Run | None = None
) -> None:
    """After a milestone moves, let every run of the case (bar one) ask what is now live."""
    for run_id in uow.runs.of_case(case.id):
        if but is not None and run_id == but.run_id:
            continue
        stored = load(ctx, user, run_id)
        extra = stored.run.refresh(actor_of(user), now)
        if extra:
            uow.runs.save(stored, extra)


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
    return stored, started
