"""Handing a case to a new officer: offered, then accepted, with its open items in view.

Until the new officer accepts, the case stays with the old one and supervisors see it as in
handover; nothing the old officer recorded moves or changes. Both steps are in the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.case import Case
from bot.core.errors import NotAllowed, NotFound
from bot.core.people import User, actor_of
from bot.core.records import Entry
from bot.services import notifications
from bot.services.access import find_case
from bot.services.context import Context
from bot.store.handovers import Handover


@dataclass(frozen=True, slots=True)
class Accepted:
    """What accepting a handover did: the case, and whether it was already held."""

    case_ref: str
    already: bool = False


def candidates(ctx: Context, user: User, ref: str) -> tuple[Case, list[User]]:
    """The case, and the investigators it can be handed to: its team's, bar its officer."""
    case = _case_to_hand_over(ctx, user, ref)
    return case, ctx.uow.users.investigators_of(case.team, but=case.officer_id)


def offer(ctx: Context, user: User, ref: str, to_user_id: int) -> Handover:
    """Offer a case to a new officer of its team; they are told at once and must accept."""
    with ctx.transaction() as uow:
        case = _case_to_hand_over(ctx, user, ref)
        target = uow.users.get(to_user_id)
        if target is None or target.role != "investigator" or target.team != case.team:
            raise NotAllowed("A case can only go to an investigator in its own team.")
        if target.id == case.officer_id:
            raise NotAllowed(f"{target.name} already has {case.ref}.")
        now = ctx.now()
        handover_id = uow.handovers.offer(
            case.id, case.officer_id, target.id, user.id or None, now
        )
        detail = {"from": str(case.officer_id), "to": str(target.id)}
        uow.log.append([Entry("handover-offered", case.ref, actor_of(user), now, detail=detail)])
        facts = {
            "case_id": str(case.id),
            "case_ref": case.ref,
            "by": user.name,
            "handover_id": str(handover_id),
        }
        notifications.tell(uow, [target.id], "handover", facts, now)
        if case.officer_id != user.id:
            # The officer who holds it hears of it from the bot, not from the team.
            told = {"case_ref": case.ref, "by": user.name, "to": target.name}
            notifications.tell(uow, [case.officer_id], "handover-offered", told, now)
        found = uow.handovers.get(handover_id)
        assert found is not None
        return found


def accept(ctx: Context, user: User, handover_id: int) -> Accepted:
    """The new officer takes the case on; the old officer and the supervisors are told."""
    with ctx.transaction() as uow:
        handover = uow.handovers.get(handover_id)
        if handover is None or handover.to_officer != user.id:
            raise NotFound("That handover is not one for you.")
        if handover.accepted:
            return Accepted(handover.case_ref, already=True)
        if handover.superseded:
            raise NotAllowed(f"That handover of {handover.case_ref} was replaced by a newer one.")
        case = uow.cases.by_id(handover.case_id)
        assert case is not None
        now = ctx.now()
        uow.cases.set_officer(case, user.id)
        uow.handovers.accept(handover_id, now)
        detail = {"from": str(handover.from_officer), "to": str(user.id)}
        uow.log.append([Entry("handover-accepted", case.ref, actor_of(user), now, detail=detail)])
        told = {handover.from_officer, *notifications.supervisor_ids(uow, case.team)}
        facts = {"case_ref": case.ref, "by": user.name}
        notifications.tell(uow, sorted(told), "handover-accepted", facts, now)
        return Accepted(case.ref)


def pending_for(ctx: Context, user: User) -> list[Handover]:
    """Handovers waiting for this officer to accept them."""
    return ctx.uow.handovers.pending_for(user.id)


def _case_to_hand_over(ctx: Context, user: User, ref: str) -> Case:
    """The case, if this person may hand it over: its officer, its supervisors, an admin."""
    case = find_case(ctx, user, ref)
    if user.role == "trainer":
        raise NotAllowed("Only the case's officer or a supervisor can hand it over.")
    return case
