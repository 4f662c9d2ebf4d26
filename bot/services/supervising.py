"""A supervisor's work on a run: sign off, return, challenge, countersign; and the officer's reply.

Each is refused to anyone but a supervisor (or an administrator), whatever face it comes from,
and each tells the other side at once, in the same transaction as the act.
"""

from __future__ import annotations

from bot.core.case import Case
from bot.core.errors import InputRefused, NotAllowed
from bot.core.people import User, actor_of
from bot.core.records import Entry
from bot.services import notifications
from bot.services.access import find_case, load
from bot.services.context import Context
from bot.services.investigating import acting_on, record
from bot.services.outcomes import Outcome


def require_supervisor(user: User) -> None:
    """Refuse anyone who is not a supervisor or an administrator."""
    if not user.supervises:
        raise NotAllowed("Only a supervisor can do that.")


def sign_off(ctx: Context, user: User, run_id: int, note: str = "") -> Outcome:
    """A supervisor signs a submitted run off; its investigator is told at once."""
    require_supervisor(user)
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        now = ctx.now()
        # The log's head before this sign-off: what the supervisor saw, and attests to.
        entries = stored.run.sign_off(actor_of(user), now, note, covers=uow.log.head())
        outcome = record(ctx, uow, user, stored, entries)
        facts = {
            "case_ref": stored.case.ref,
            "title": stored.run.playbook.title,
            "by": user.name,
            "note": entries[-1].detail.get("note", ""),  # as the log keeps it
        }
        notifications.tell(uow, [stored.case.officer_id], "signed-off", facts, now)
        return outcome


def send_back(ctx: Context, user: User, run_id: int, note: str) -> Outcome:
    """A supervisor returns a submitted run with a note; its investigator is told at once."""
    require_supervisor(user)
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        now = ctx.now()
        entries = stored.run.send_back(actor_of(user), now, note)
        outcome = record(ctx, uow, user, stored, entries)
        facts = {
            "case_ref": stored.case.ref,
            "title": stored.run.playbook.title,
            "by": user.name,
            "note": entries[-1].detail["note"],
            "run_id": str(stored.run.run_id),
        }
        notifications.tell(uow, [stored.case.officer_id], "returned", facts, now)
        return outcome


def challenge(ctx: Context, user: User, run_id: int, item_id: str, question: str) -> Outcome:
    """A supervisor challenges one item; the investigator is told at once and must reply."""
    require_supervisor(user)
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        now = ctx.now()
        entries = stored.run.challenge(item_id, question, actor_of(user), now)
        outcome = record(ctx, uow, user, stored, entries)
        playbook = stored.run.playbook
        facts = {
            "case_ref": stored.case.ref,
            "title": playbook.title,
            "by": user.name,
            "ask": playbook.item(item_id).ask,
            "question": entries[0].value or "",
            "run_id": str(stored.run.run_id),
            "item": str(stored.run.number(item_id)),
        }
        notifications.tell(uow, [stored.case.officer_id], "challenged", facts, now)
        return outcome


def reply_to_challenge(ctx: Context, user: User, run_id: int, item_id: str, reply: str) -> Outcome:
    """The case's officer replies to a challenge; the supervisors are told."""
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        if stored.case.officer_id != user.id:
            raise NotAllowed("Only the officer in the case replies to a challenge.")
        now = ctx.now()
        entries = stored.run.reply_to_challenge(item_id, reply, actor_of(user), now)
        outcome = record(ctx, uow, user, stored, entries)
        facts = {
            "ask": stored.run.playbook.item(item_id).ask,
            "by": user.name,
            "reply": entries[0].value or "",
        }
        notifications.tell_supervisors(uow, stored.case, "challenge-answered", facts, now)
        return outcome


def countersign(ctx: Context, user: User, run_id: int, item_id: str) -> Outcome:
    """A supervisor confirms a trainee's answer, which then counts as done."""
    require_supervisor(user)
    with ctx.transaction() as uow:
        stored = acting_on(ctx, user, run_id)
        entries = stored.run.countersign(item_id, actor_of(user), ctx.now())
        return record(ctx, uow, user, stored, entries)


#: Why a case is closed: the reasons a supervisor picks from.
CLOSE_REASONS = (
    "no further action (final)",
    "convicted and sentenced",
    "acquitted",
    "victim withdrew, no further action",
    "transferred to another force",
    "other",
)


def close_case(ctx: Context, user: User, ref: str, reason: str) -> Case:
    """A supervisor closes a case with a reason: every run takes no more answers."""
    require_supervisor(user)
    if reason not in CLOSE_REASONS:
        raise InputRefused(f"Choose a reason to close: {', '.join(CLOSE_REASONS)}.")
    with ctx.transaction() as uow:
        case = find_case(ctx, user, ref)
        if case.closed:
            raise NotAllowed(f"{case.ref} is already closed.")
        now = ctx.now()
        uow.log.append(
            [Entry("case-closed", case.ref, actor_of(user), now, detail={"reason": reason})]
        )
        for run_id in uow.runs.of_case(case.id):
            stored = load(ctx, user, run_id)
            entries = stored.run.close(actor_of(user), now, reason)
            if entries:
                uow.runs.save(stored, entries)
        return uow.cases.close(case, reason, user.id, now)
