"""People: who is behind an account on a channel, enrolment by code, names, and the roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.core.channels import Identity
from bot.core.characters import without_unsafe
from bot.core.consultation import TOO_MANY_TRIES, Access, channel_actor
from bot.core.errors import NotAllowed, NotFound
from bot.core.people import Invite, Role, User, user_id_of
from bot.services import consultation
from bot.services.context import Context
from bot.store.users import INVITE_LIFE, INVITE_REFUSED, NAME_LIMIT

#: The terminal chat's channel: its people are known by their role and name.
CONSOLE = "console"
#: How many days an enrolment code works unless the administrator says otherwise.
INVITE_DAYS = INVITE_LIFE.days


def identify(ctx: Context, identity: Identity) -> User | None:
    """The enrolled person behind an account on a channel, if any."""
    return ctx.uow.users.by_identity(identity)


@dataclass(frozen=True, slots=True)
class Enrolment:
    """Someone just enrolled, and whether their name came with the invite or from the channel."""

    user: User
    named_by_invite: bool


def enrol(ctx: Context, code: str, identity: Identity, name: str) -> Enrolment:
    """Enrol the person behind an account with a one-time code.

    They get the name the invite carries, else their name on the channel, cut to fit. Every
    attempt goes into the access log, a refused one with why but never with the code typed.
    An account, or the whole force, that has had too many codes refused in the last hour is
    refused without its code being looked at.
    """
    # Telegram allows 128 characters of name; the bot keeps 100, so cut rather than refuse. A
    # channel's name may hold control or bidirectional characters: dropped, not refused, since
    # the person cannot easily change it and is not the one at fault.
    name = " ".join(without_unsafe(name).split())[:NAME_LIMIT].strip() or "Officer"
    actor = channel_actor(identity.channel, identity.external_id)
    with ctx.transaction() as uow:
        now = ctx.now()
        held_back = consultation.enrolment_refusal(uow, actor, now)
        if held_back is not None:
            consultation.refused_enrolment(uow, actor, now, held_back, checked=False)
        else:
            invite = uow.users.usable_invite(code, now)
            if invite is not None:
                user = uow.users.redeem_invite(code, identity, name, now)
                detail = {"invite": str(invite.id)}
                uow.access.append(Access(now, actor, "enrol", f"user:{user.id}", detail=detail))
                return Enrolment(user, invite.name is not None)
            why = uow.users.refused_because(code, now)
            consultation.refused_enrolment(uow, actor, now, why, checked=True)
    # Raised once the refusal is committed: inside the transaction it would be rolled back.
    if held_back is not None:
        raise NotAllowed(TOO_MANY_TRIES)
    raise NotFound(INVITE_REFUSED)


def local_user(ctx: Context, name: str, role: str, team: str = "local") -> User:
    """The terminal chat's user: found by role and name, enrolled on first use."""
    identity = Identity(CONSOLE, f"{role}:{' '.join(name.split())}")
    with ctx.transaction() as uow:
        found = uow.users.by_identity(identity)
        return found or uow.users.add(name, role, team, ctx.now(), identity)


def name_of(ctx: Context, who: str | None) -> str:
    """The name behind a log actor ('user:12'), for showing who answered."""
    user_id = user_id_of(who)
    if user_id is not None:
        name = ctx.uow.users.name(user_id)
        if name is not None:
            return name
    if who and who.startswith("admin:"):
        return "an administrator"
    return "someone"


def invite(
    ctx: Context, role: str, team: str, days: int = INVITE_DAYS, name: str | None = None
) -> str:
    """A one-time enrolment code for someone joining a team in a role, under `name` if given."""
    with ctx.transaction() as uow:
        return uow.users.create_invite(role, team, ctx.now(), timedelta(days=days), name)


def invites(ctx: Context) -> list[Invite]:
    """The enrolment codes still waiting to be used, the soonest to expire first."""
    return ctx.uow.users.unused_invites(ctx.now())


def roster(ctx: Context) -> list[tuple[User, tuple[str, ...]]]:
    """Everyone enrolled and not revoked, by team and name, with the channels they use."""
    channels = ctx.uow.users.channels()
    return [(user, channels.get(user.id, ())) for user in ctx.uow.users.enrolled()]


def enrolled(ctx: Context, role: Role) -> list[User]:
    """Everyone enrolled in one role."""
    return ctx.uow.users.enrolled(role)


def address(ctx: Context, user_id: int, channel: str) -> str | None:
    """A person's id on a channel, where they can be reached there."""
    return ctx.uow.users.external_id(user_id, channel)


def get(ctx: Context, user_id: int) -> User | None:
    """The enrolled person with this id."""
    return ctx.uow.users.get(user_id)


def rename(ctx: Context, user_id: int, name: str) -> tuple[User, User]:
    """Change the name someone's records show: who they were, and who they are now."""
    with ctx.transaction() as uow:
        before = uow.users.enrolled_user(user_id)
        return before, uow.users.rename(user_id, name)


def revoke(ctx: Context, user_id: int) -> User:
    """Stop someone using the bot; their records stay in the log."""
    with ctx.transaction() as uow:
        return uow.users.revoke(user_id, ctx.now())


def set_training(ctx: Context, user_id: int, in_training: bool) -> User:
    """Mark an investigator as in training, or no longer."""
    with ctx.transaction() as uow:
        return uow.users.set_training(user_id, in_training)


def oversee(ctx: Context, user_id: int, team: str, add: bool = True) -> User:
    """Give a supervisor another team to oversee, or take it away."""
    with ctx.transaction() as uow:
        return uow.users.oversee(user_id, team, add=add)
