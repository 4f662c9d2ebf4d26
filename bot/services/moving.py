"""Moving a run to its playbook's newest version: what changes, what carries, and the move.

A newly published version never changes a run under way. Its officer is offered the move: the
answers whose items still mean the same carry over, and new required items are acknowledged
first. The old run keeps its version and its log, and ends as moved, naming the new run.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.changes import Changes, compare
from bot.core.errors import NotAllowed
from bot.core.lifecycle import MOVABLE
from bot.core.people import User, actor_of
from bot.core.playbook import Item
from bot.core.run import Run
from bot.services.access import load
from bot.services.context import Context
from bot.services.events import add_run
from bot.services.outcomes import Outcome, RunMoved
from bot.store.runs import StoredRun

#: Said when an offer on screen no longer holds.
STALE_OFFER = (
    "That offer is out of date: the checklist moved, or another version was published since. "
    "Open the checklist again to see where it stands."
)


@dataclass(frozen=True, slots=True)
class MoveOffer:
    """Moving a run to its playbook's newest version: what changed, what carries, what not."""

    run: Run
    target: int
    changes: Changes
    carried: tuple[str, ...]
    dropped: tuple[Item, ...]


def newer_version(ctx: Context, stored: StoredRun) -> int | None:
    """The newest version's id, where the run is on an older one and can still move."""
    newest = ctx.catalog.newest_of(stored.run.playbook.id)
    if newest in (None, stored.version_id) or stored.run.state not in MOVABLE:
        return None
    return newest


def move_offer(ctx: Context, user: User, run_id: int) -> MoveOffer | None:
    """What moving a run to its playbook's newest version would change; None if it cannot."""
    ctx.fresh()
    stored = load(ctx, user, run_id)
    newest = newer_version(ctx, stored)
    return None if newest is None else _plan(ctx, stored.run, newest)


def _plan(ctx: Context, run: Run, target: int) -> MoveOffer:
    changes = compare(run.playbook, ctx.catalog.playbook_of_version(target))
    answered = run.answered_items()
    removed = {item.id for item in changes.removed}
    return MoveOffer(
        run,
        target,
        changes,
        carried=tuple(item for item in answered if changes.carries(item)),
        dropped=tuple(
            run.playbook.item(item)
            for item in answered
            if not changes.carries(item) and item not in removed
        ),
    )


def move_run(ctx: Context, user: User, run_id: int, target: int, acknowledged: bool) -> Outcome:
    """Move a run's work to a new run on the newest version, carrying what still fits.

    New required items must be acknowledged first, and a stale offer is refused.
    """
    with ctx.transaction() as uow:
        stored = load(ctx, user, run_id)
        run = stored.run
        if stored.case.officer_id != user.id:
            raise NotAllowed("Only the officer in the case moves its checklist.")
        if newer_version(ctx, stored) != target:
            raise NotAllowed(STALE_OFFER)
        offer = _plan(ctx, run, target)
        required = [item.id for item in offer.changes.newly_required]
        if required and not acknowledged:
            raise NotAllowed("Acknowledge the new required items first.")
        now = ctx.now()
        new, started = add_run(uow, user, stored.case, target, now, moved_from=str(run.run_id))
        detail = {
            "to_run": str(new.run.run_id),
            "from_version": str(run.playbook.version),
            "to_version": str(new.run.playbook.version),
            "carried": ",".join(offer.carried),
            "dropped": ",".join(item.id for item in offer.dropped),
            "removed": ",".join(item.id for item in offer.changes.removed),
            "acknowledged": ",".join(required),
        }
        who = actor_of(user)
        uow.runs.save(stored, run.move(who, now, detail))
        carried = run.carried(offer.carried, new.run.run_id, who, now)
        new.run = Run.replay(
            new.run.playbook, new.run.run_id, run.case_ref, [started, *carried], run.milestones
        )
        uow.runs.save(new, [started, *carried, *new.run.start(who, now)])
        playbook = new.run.playbook
        return Outcome(new.run, [RunMoved(playbook.title, playbook.version, len(offer.carried))])
