"""An investigator's work on a run: start it, answer, give reasons, put off, go back, submit.

Each command loads the run, lets the core decide, and writes the core's log entries and the
run's new state in one transaction, before it returns: only then may a face say it worked.
Answers can record milestones and open other playbooks; what they set going is returned.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.core.errors import NotAllowed, NotFound
from bot.core.people import User, actor_of
from bot.core.records import Entry
from bot.services import notifications, reviews
from bot.services.access import NOT_YOURS, find_case, load
from bot.services.context import Context
from bot.services.events import (
    CLOSED,
    apply_milestone,
    refresh_case,
    start_playbook,
    tell_reopened,
)
from bot.services.outcomes import Fact, Outcome, PlaybookOpened
from bot.store.runs import StoredRun
from bot.store.unit_of_work import UnitOfWork


def start_run(ctx: Context, user: User, ref: str, playbook_id: str) -> Outcome:
    """Start a playbook on a case (or return the run already under way)."""
    ctx.fresh()
    try:
        playbook = ctx.catalog.playbook(playbook_id)
    except KeyError:
        raise NotFound(f"There is no checklist called {playbook_id}.") from None
    if playbook.repeat is not None:
        # A recurring checklist is held for the occurrence due, never as a run of its own.
        return reviews.start_review(ctx, user, ref, playbook_id)
    with ctx.transaction() as uow:
        case = find_case(ctx, user, ref)
        return Outcome(start_playbook(ctx, uow, user, case, playbook_id, ctx.now())[0])


def acting_on(ctx: Context, user: User, run_id: int) -> StoredRun:
    """The run a command acts on, inside the command's transaction: the user's to change.

    A playbook answered by supervisors (the supervisory review) is theirs alone; a closed case
    takes nothing more.
    """
    stored = load(ctx, user, run_id)
    if user.role == "investigator" and stored.case.officer_id != user.id:
        raise NotFound(NOT_YOURS)
    if stored.run.playbook.role == "supervisor" and not user.supervises:
        raise NotAllowed("Only a supervisor of the case's team answers this checklist.")
    if stored.case.closed:
        raise NotAllowed(CLOSED)
    return stored


def record(
    ctx: Context, uow: UnitOfWork, user: User, stored: StoredRun, entries: list[Entry]
) -> Outcome:
    """Keep what the core decided, and follow it on: milestones recorded, playbooks opened."""
    uow.runs.save(stored, entries)
    return Outcome(stored.run, _follow_on(ctx, uow, user, stored, entries, ctx.now()))


def _follow_on(
    ctx: Context,
    uow: UnitOfWork,
    user: User,
    stored: StoredRun,
    entries: list[Entry],
    now: datetime,
) -> list[Fact]:
    """Answers can record milestones and open other playbooks; say so, never surprise."""
    run, case = stored.run, stored.case
    facts: list[Fact] = []
    for entry in entries:
        if entry.kind != "answered" or entry.item is None:
            continue
        item = run.item(entry.item)
        if item.sets and entry.value:
            when = date.fromisoformat(entry.value)
            facts += apply_milestone(ctx, uow, user, case, item.sets, when, now, but=run.run_id)
            run.record_event(item.sets, when)
            phrase = ctx.catalog.milestones[item.sets].phrase
            refresh_case(ctx, uow, user, case, now, phrase, but=run)
        for answer, target in item.opens:
            value = run.answers().get(item.id)
            chosen = value == answer or (isinstance(value, frozenset) and answer in value)
            if chosen and target in ctx.catalog.library.texts:
                opened, created = start_playbook(ctx, uow, user, case, target, now)
                if created:  # Two answers may open one checklist: say so once, when it opens.
                    facts.append(PlaybookOpened(opened.playbook.id, opened.playbook.title))
    before = run.state
    extra = run.refresh(actor_of(user), now)
    if extra:
        uow.runs.save(stored, extra)
        tell_reopened(uow, user, stored, before, now, "an answer that opened new items")
    # The case's runs were read again for the new facts; this one is the newest picture.
    uow.runs.remember(stored)
    return facts


def answer(ctx: Context, user: User, run_id: int, item_id: str, value: Any) -> Outcome:
    """Record an answer (or a correction); a trainee's may need a countersignature."""
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        now = ctx.now()
        entries = stored.run.answer(item_id, value, actor_of(user), now, user.in_training)
        outcome = record(ctx, uow, user, stored, entries)
        for entry in entries:
            if entry.kind == "answered" and entry.detail.get("countersign") == "needed":
                facts = {"ask": stored.run.playbook.item(item_id).ask, "by": user.name}
                notifications.tell_supervisors(uow, stored.case, "countersign", facts, now)
        _tell_officer(uow, user, stored, entries, now)
        return outcome


def _tell_officer(
    uow: UnitOfWork, user: User, stored: StoredRun, entries: list[Entry], now: datetime
) -> None:
    """Someone else (a supervisor) answered an item of an officer's checklist: the officer is
    told. A checklist the supervisors answer themselves (the review) tells nobody."""
    if stored.case.officer_id == user.id or stored.run.playbook.role == "supervisor":
        return
    for entry in entries:
        if entry.kind != "answered" or entry.item is None:
            continue
        facts = {
            "case_ref": stored.case.ref,
            "title": stored.run.playbook.title,
            "ask": stored.run.playbook.item(entry.item).ask,
            "value": entry.value or "",
            "by": user.name,
        }
        notifications.tell(uow, [stored.case.officer_id], "answered-for-officer", facts, now)


def give_reason(ctx: Context, user: User, run_id: int, reason: str) -> Outcome:
    """Record the reason the current answer needs."""
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        entries = stored.run.give_reason(reason, actor_of(user), ctx.now())
        return record(ctx, uow, user, stored, entries)


def not_yet(ctx: Context, user: User, run_id: int, item_id: str) -> Outcome:
    """Answer that the event an item asks about has not happened yet."""
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        entries = stored.run.not_yet(item_id, actor_of(user), ctx.now())
        return record(ctx, uow, user, stored, entries)


def defer(ctx: Context, user: User, run_id: int, item_id: str) -> Outcome:
    """Put an item off until later."""
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        entries = stored.run.defer(item_id, actor_of(user), ctx.now())
        return record(ctx, uow, user, stored, entries)


def back(ctx: Context, user: User, run_id: int) -> Outcome:
    """Show the previous item (nothing is recorded, but the place is kept)."""
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        stored.run.back()
        return record(ctx, uow, user, stored, [])


def revisit(ctx: Context, user: User, run_id: int, item_id: str) -> Outcome:
    """Open an item to change its answer; a submitted or signed-off run reopens for it."""
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        before = stored.run.state
        now = ctx.now()
        entries = stored.run.revisit(item_id, actor_of(user), now)
        outcome = record(ctx, uow, user, stored, entries)
        tell_reopened(uow, user, stored, before, now, "a correction")
        return outcome


def pause(ctx: Context, user: User, run_id: int) -> Outcome:
    """Pause a run."""
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        return record(ctx, uow, user, stored, stored.run.pause(actor_of(user), ctx.now()))


def resume(ctx: Context, user: User, run_id: int) -> Outcome:
    """Resume a paused or returned run."""
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        return record(ctx, uow, user, stored, stored.run.resume(actor_of(user), ctx.now()))


def submit(ctx: Context, user: User, run_id: int) -> Outcome:
    """Submit a finished run for a supervisor's review; the team's supervisors are told."""
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        now = ctx.now()
        outcome = record(ctx, uow, user, stored, stored.run.submit(actor_of(user), now))
        facts = {"title": stored.run.playbook.title, "by": user.name}
        notifications.tell_supervisors(uow, stored.case, "submitted", facts, now)
        return outcome
