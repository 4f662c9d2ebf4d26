"""An investigator's work on a run: start it, answer, give reasons, put off, go back, submit.

Each command loads the run, lets the core decide, and writes the core's log entries and the
run's new state in one transaction, before it returns: only then may a face say it worked.
Answers can record milestones and open other playbooks; what they set going is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bot.core.errors import NotFound
from bot.core.people import User, actor_of
from bot.core.records import Entry
from bot.core.run import Run
from bot.services import notifications
from bot.services.access import NOT_YOURS, find_case, load
from bot.services.context import Context
from bot.services.events import apply_milestone, refresh_case, start_playbook
from bot.services.outcomes import Fact, Outcome, PlaybookOpened
from bot.store.runs import StoredRun
from bot.store.unit_of_work import UnitOfWork

#: What a command does to a run: (run, actor, now) -> the entries to log.
Act = Callable[[Run, str, datetime], list[Entry]]
#: What follows an act in its transaction (notices): (uow, stored run, entries, now).
Then = Callable[[UnitOfWork, StoredRun, list[Entry], datetime], None]


def start_run(ctx: Context, user: User, ref: str, playbook_id: str) -> Outcome:
    """Start a playbook on a case (or return the run already under way)."""
    ctx.fresh()
    try:
        ctx.catalog.playbook(playbook_id)
    except KeyError:
        raise NotFound(f"There is no checklist called {playbook_id}.") from None
    with ctx.transaction() as uow:
        case = find_case(ctx, user, ref)
        return Outcome(start_playbook(ctx, uow, user, case, playbook_id, ctx.now())[0])


def command(ctx: Context, user: User, run_id: int, act: Act, then: Then | None = None) -> Outcome:
    """Load a run, let the core act, save the result and follow on (milestones, opens).

    `then` runs in the same transaction, for the notices the act calls for: they are kept
    exactly when the act is.
    """
    with ctx.transaction() as uow:
        stored = load(ctx, user, run_id)
        if user.role == "investigator" and stored.case.officer_id != user.id:
            raise NotFound(NOT_YOURS)
        now = ctx.now()
        entries = act(stored.run, actor_of(user), now)
        uow.runs.save(stored, entries)
        outcome = Outcome(stored.run, _follow_on(ctx, uow, user, stored, entries, now))
        if then is not None:
            then(uow, stored, entries, now)
        return outcome


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
        item = run.playbook.item(entry.item)
        if item.sets and entry.value:
            when = date.fromisoformat(entry.value)
            facts += apply_milestone(ctx, uow, user, case, item.sets, when, now)
            run.milestones[item.sets] = when
            refresh_case(ctx, uow, user, case, now, but=run)
        for answer, target in item.opens:
            value = run.answers().get(item.id)
            chosen = value == answer or (isinstance(value, frozenset) and answer in value)
            if chosen and target in ctx.catalog.library.texts:
                opened, created = start_playbook(ctx, uow, user, case, target, now)
                if created:  # Two answers may open one checklist: say so once, when it opens.
                    facts.append(PlaybookOpened(opened.playbook.id, opened.playbook.title))
    extra = run.refresh(actor_of(user), now)
    if extra:
        uow.runs.save(stored, extra)
    return facts


def answer(ctx: Context, user: User, run_id: int, item_id: str, value: Any) -> Outcome:
    """Record an answer (or a correction); a trainee's may need a countersignature."""

    def act(run: Run, who: str, now: datetime) -> list[Entry]:
        return run.answer(item_id, value, who, now, user.in_training)

    def then(uow: UnitOfWork, stored: StoredRun, entries: list[Entry], now: datetime) -> None:
        for entry in entries:
            if entry.kind == "answered" and entry.detail.get("countersign") == "needed":
                ask = stored.run.playbook.item(entry.item or "").ask
                facts = {"ask": ask, "by": user.name}
                notifications.tell_supervisors(uow, stored.case, "countersign", facts, now)

    return command(ctx, user, run_id, act, then)


def give_reason(ctx: Context, user: User, run_id: int, reason: str) -> Outcome:
    """Record the reason the current answer needs."""
    return command(ctx, user, run_id, lambda run, who, now: run.give_reason(reason, who, now))


def defer(ctx: Context, user: User, run_id: int, item_id: str) -> Outcome:
    """Put an item off until later."""
    return command(ctx, user, run_id, lambda run, who, now: run.defer(item_id, who, now))


def back(ctx: Context, user: User, run_id: int) -> Outcome:
    """Show the previous item (nothing is recorded, but the place is kept)."""

    def step(run: Run, who: str, now: datetime) -> list[Entry]:
        run.back()
        return []

    return command(ctx, user, run_id, step)


def revisit(ctx: Context, user: User, run_id: int, item_id: str) -> Outcome:
    """Open an item to change its answer."""
    return command(ctx, user, run_id, lambda run, who, now: run.revisit(item_id, who, now))


def pause(ctx: Context, user: User, run_id: int) -> Outcome:
    """Pause a run."""
    return command(ctx, user, run_id, lambda run, who, now: run.pause(who, now))


def resume(ctx: Context, user: User, run_id: int) -> Outcome:
    """Resume a paused or returned run."""
    return command(ctx, user, run_id, lambda run, who, now: run.resume(who, now))


def submit(ctx: Context, user: User, run_id: int) -> Outcome:
    """Submit a finished run for a supervisor's review; the team's supervisors are told."""

    def then(uow: UnitOfWork, stored: StoredRun, entries: list[Entry], now: datetime) -> None:
        facts = {"title": stored.run.playbook.title, "by": user.name}
        notifications.tell_supervisors(uow, stored.case, "submitted", facts, now)

    return command(ctx, user, run_id, lambda run, who, now: run.submit(who, now), then)
