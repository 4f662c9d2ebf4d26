"""People and roles: who someone is to the bot, and how the completion log names them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Role = Literal["investigator", "supervisor", "trainer", "admin"]
ROLES: tuple[Role, ...] = ("investigator", "supervisor", "trainer", "admin")
#: How the log names the administrator at the server's command line, who is not enrolled.
CLI_ADMIN_ACTOR = "admin:cli"


@dataclass(frozen=True, slots=True)
class User:
    """An enrolled person: their role and team decide what they may see and do."""

    id: int
    name: str
    role: Role
    team: str
    in_training: bool = False
    #: Teams a supervisor oversees besides their own.
    also_oversees: tuple[str, ...] = ()

    @property
    def teams(self) -> tuple[str, ...]:
        """Every team whose cases this person may see as a supervisor: their own first."""
        return (self.team, *self.also_oversees)

    @property
    def supervises(self) -> bool:
        """Tell whether this person may sign off, return, challenge and countersign."""
        return self.role in ("supervisor", "admin")


@dataclass(frozen=True, slots=True)
class Invite:
    """An enrolment code not yet used: whom it enrols, as what and until when; never the code."""

    id: int
    role: Role
    team: str
    #: The name to enrol under, given by the administrator; None to take the channel's name.
    name: str | None
    created_at: datetime
    expires_at: datetime


#: The administrator at the server's command line: acts on every case, is not enrolled.
CLI_ADMIN = User(0, "Administrator", "admin", "admin")


def as_role(text: str) -> Role:
    """A role name read from storage or typed, checked against the roles there are."""
    for role in ROLES:
        if text == role:
            return role
    raise ValueError(f"{text!r} is not a role")


def actor_of(user: User) -> str:
    """How the log names a person: stable, and no personal details ('user:12')."""
    return CLI_ADMIN_ACTOR if user.id == 0 else f"user:{user.id}"


def user_id_of(actor: str | None) -> int | None:
    """The user id inside a log actor ('user:12' -> 12), or None for anyone else."""
    if actor and actor.startswith("user:") and actor[5:].isdigit():
        return int(actor[5:])
    return None
