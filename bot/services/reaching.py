"""Who can be reached on a channel: a person who blocked the bot or left is not sent to.

Telegram answers 403 (blocked, deactivated) or "chat not found" for them, for good. Sending
their notices again on every round would only slow everyone else down, so they are marked
once, an administrator is told once, and their notices wait, unsent, until they write again.
"""

from __future__ import annotations

from bot.core.channels import Identity
from bot.services import notifications
from bot.services.context import Context
from bot.store.reachability import Unreachable as Unreachable


def cannot_reach(ctx: Context, user_id: int, channel: str, why: str) -> bool:
    """Note that a person cannot be reached, and tell the administrators; False if noted before."""
    with ctx.transaction() as uow:
        now = ctx.now()
        if not uow.reachability.mark(user_id, channel, why, now):
            return False
        user = uow.users.get(user_id)
        if user is None:
            return True
        admins = [admin.id for admin in uow.users.enrolled("admin") if admin.id != user_id]
        facts = {"who": user.name, "role": user.role, "team": user.team, "why": why[:200]}
        key = f"unreachable:{user_id}:{channel}:{now.isoformat()}"
        notifications.tell(uow, admins, "unreachable", facts, now, dedupe_key=key)
        return True


def reached(ctx: Context, identity: Identity) -> bool:
    """The person wrote from this account: they can be reached again; False if they could."""
    with ctx.transaction() as uow:
        return uow.reachability.clear(identity)


def unreachable(ctx: Context, channel: str) -> dict[int, Unreachable]:
    """Everyone who cannot be reached on a channel, by user id."""
    return ctx.uow.reachability.on(channel)
