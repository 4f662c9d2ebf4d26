"""Who may use the bot: one-time enrolment codes, the users they create, their identities.

An invite's code is shown once, to the administrator who made it, and only its SHA-256 is
stored, with the role, the team and, if the administrator gave one, the name to enrol under. Codes are 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about
49 bits: with one use and a short life, guessing one is hopeless. Revoked users stay in the
table, for the record, but are no longer found.

A person reaches the bot through an identity: their account on a channel, `(channel, external
id)`, such as `("telegram", "123456789")`. The terminal chat is a channel too (`console`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import sqlite_utils

from bot.core.channels import Identity
from bot.core.characters import describe, first_unsafe
from bot.core.errors import InputRefused, NotAllowed, NotFound
from bot.core.people import CLI_ADMIN_ACTOR, ROLES, Invite, Role, User, as_role
from bot.store.db import utc_text
from bot.store.seals import seal_people

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
INVITE_LIFE = timedelta(days=7)
NAME_LIMIT = 100

#: The same sentence for a code that is unknown, used or expired: it gives nothing away.
INVITE_REFUSED = "That enrolment code cannot be used; please ask your administrator for a new one."
ALREADY_ENROLLED = "This account is already enrolled; send /help to see what you can do."

USER_COLUMNS = "id, name, role, team, in_training"
INVITE_COLUMNS = "id, role, team, name, created_at, expires_at"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class UserRepository:
    """Users, their invites, their identities and the extra teams supervisors oversee.

    Every change to who someone is or what they may see is sealed in the completion log in the
    same transaction (`seals.py`), so `verify` finds a change made behind the bot's back.
    """

    def __init__(
        self, db: sqlite_utils.Database, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self._db = db
        self._clock = clock

    # --- invites ------------------------------------------------------------------------------

    def create_invite(
        self,
        role: str,
        team: str,
        now: datetime,
        ttl: timedelta = INVITE_LIFE,
        name: str | None = None,
    ) -> str:
        """Make a one-time enrolment code for someone joining `team` as `role`; returns it.

        With a `name`, its holder is enrolled under that name rather than their channel's.
        """
        role, team = checked_role(role), checked_team(team)
        named = None if name is None else checked_name(name)
        if ttl <= timedelta(0):
            raise InputRefused("An invite must last for some time; give a number of days above 0.")
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        self._db.execute(
            "INSERT INTO invites (code_hash, role, team, name, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [_code_hash(code), role, team, named, utc_text(now), utc_text(now + ttl)],
        )
        return code

    def usable_invite(self, code: str, now: datetime) -> Invite | None:
        """The invite behind a code, while it is unused and unexpired."""
        row = self._db.execute(
            f"SELECT {INVITE_COLUMNS} FROM invites "
            "WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
            [_code_hash(code), utc_text(now)],
        ).fetchone()
        return None if row is None else _invite(row)

    def refused_because(self, code: str, now: datetime) -> str:
        """Why a code cannot be used, for the access log: an unknown, used or expired code."""
        row = self._db.execute(
            "SELECT used_at, expires_at FROM invites WHERE code_hash = ?", [_code_hash(code)]
        ).fetchone()
        if row is None:
            return "unknown code"
        used_at, expires_at = row
        if used_at is not None:
            return "used code"
        return "expired code" if expires_at <= utc_text(now) else "usable code"

    def unused_invites(self, now: datetime) -> list[Invite]:
        """Every invite not used and not expired, the soonest to expire first."""
        rows = self._db.execute(
            f"SELECT {INVITE_COLUMNS} FROM invites WHERE used_at IS NULL AND expires_at > ?"
            " ORDER BY expires_at, id",
            [utc_text(now)],
        ).fetchall()
        return [_invite(row) for row in rows]

    def redeem_invite(
        self, code: str, identity: Identity | None, name: str, now: datetime
    ) -> User:
        """Enrol a person with an invite's code, which then cannot be used again.

        They are enrolled under the invite's name where it has one, else under `name`.
        """
        if identity is not None and self.by_identity(identity) is not None:
            raise NotAllowed(ALREADY_ENROLLED)
        invite = self.usable_invite(code, now)
        if invite is None:
            raise NotFound(INVITE_REFUSED)
        user = self.add(invite.name or checked_name(name), invite.role, invite.team, now, identity)
        self._db.execute(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ?",
            [utc_text(now), user.id, invite.id],
        )
        return user

    # --- users --------------------------------------------------------------------------------

    def add(
        self, name: str, role: str, team: str, now: datetime, identity: Identity | None = None
    ) -> User:
        """Enrol a person, reachable through `identity` when one is given."""
        name, chosen, team = checked_name(name), checked_role(role), checked_team(team)
        cursor = self._db.execute(
            "INSERT INTO users (name, role, team, created_at) VALUES (?, ?, ?, ?)",
            [name, chosen, team, utc_text(now)],
        )
        user = User(int(cursor.lastrowid or 0), name, chosen, team)
        moved_from = self._link(user.id, identity, now) if identity is not None else None
        seal_people(self._db, [user.id], "enrolled", f"user:{user.id}", now)
        if moved_from is not None:
            seal_people(self._db, [moved_from], "identity", f"user:{user.id}", now)
        return user

    def link(self, user_id: int, identity: Identity, now: datetime) -> None:
        """Let a person reach the bot through one more identity.

        An account that belonged to someone revoked moves to them; the revoked person's rows
        keep their history.
        """
        moved_from = self._link(user_id, identity, now)
        others = [] if moved_from is None else [moved_from]
        seal_people(self._db, [user_id, *others], "identity", f"user:{user_id}", now)

    def _link(self, user_id: int, identity: Identity, now: datetime) -> int | None:
        """Link an identity to a person; the person it was linked to before, if another."""
        before = self._db.execute(
            "SELECT user_id FROM identities WHERE channel = ? AND external_id = ?",
            [identity.channel, identity.external_id],
        ).fetchone()
        self._db.execute(
            "INSERT INTO identities (channel, external_id, user_id, linked_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (channel, external_id) DO UPDATE SET"
            " user_id = excluded.user_id, linked_at = excluded.linked_at",
            [identity.channel, identity.external_id, user_id, utc_text(now)],
        )
        return None if before is None or before[0] == user_id else int(before[0])

    def get(self, user_id: int) -> User | None:
        """The enrolled (not revoked) user with this id, with every team they oversee."""
        row = self._db.execute(
            f"SELECT {USER_COLUMNS} FROM users WHERE id = ? AND revoked_at IS NULL", [user_id]
        ).fetchone()
        return None if row is None else self._with_teams(_user(row))

    def by_identity(self, identity: Identity) -> User | None:
        """The enrolled (not revoked) user behind an account on a channel, if any."""
        row = self._db.execute(
            f"SELECT {USER_COLUMNS.replace('id,', 'users.id,', 1)} FROM identities"
            " JOIN users ON users.id = identities.user_id"
            " WHERE channel = ? AND external_id = ? AND revoked_at IS NULL",
            [identity.channel, identity.external_id],
        ).fetchone()
        return None if row is None else self._with_teams(_user(row))

    def external_id(self, user_id: int, channel: str) -> str | None:
        """A person's id on a channel, where they have an account there."""
        row = self._db.execute(
            "SELECT external_id FROM identities WHERE user_id = ? AND channel = ?"
            " ORDER BY linked_at DESC LIMIT 1",
            [user_id, channel],
        ).fetchone()
        return None if row is None else str(row[0])

    def channels(self) -> dict[int, tuple[str, ...]]:
        """The channels each user can be reached on, by user id."""
        found: dict[int, tuple[str, ...]] = {}
        for user_id, channel in self._db.execute(
            "SELECT user_id, channel FROM identities ORDER BY channel"
        ):
            found[user_id] = (*found.get(user_id, ()), channel)
        return found

    def enrolled(self, role: Role | None = None) -> list[User]:
        """Every user not revoked (of one role, if given), by team, then name."""
        where, params = ("AND role = ?", [role]) if role else ("", [])
        rows = self._db.execute(
            f"SELECT {USER_COLUMNS} FROM users WHERE revoked_at IS NULL {where}"
            " ORDER BY team, name, id",
            params,
        ).fetchall()
        return [self._with_teams(_user(row)) for row in rows]

    def names(self) -> dict[int, str]:
        """Every user's name by id, revoked ones included: the log still names them."""
        return {row[0]: row[1] for row in self._db.execute("SELECT id, name FROM users")}

    def name(self, user_id: int) -> str | None:
        """One user's name, revoked or not."""
        row = self._db.execute("SELECT name FROM users WHERE id = ?", [user_id]).fetchone()
        return None if row is None else str(row[0])

    def supervisors_of(self, team: str) -> list[User]:
        """The enrolled supervisors who oversee a team: its own and those given it."""
        rows = self._db.execute(
            "SELECT id FROM users WHERE role = 'supervisor' AND revoked_at IS NULL"
            " AND (team = ? OR id IN (SELECT user_id FROM supervised_teams WHERE team = ?))"
            " ORDER BY id",
            [team, team],
        ).fetchall()
        return [user for (user_id,) in rows if (user := self.get(user_id)) is not None]

    def investigators_of(self, team: str, but: int) -> list[User]:
        """A team's enrolled investigators, bar one, by name."""
        rows = self._db.execute(
            "SELECT id FROM users WHERE role = 'investigator' AND team = ?"
            " AND revoked_at IS NULL AND id != ? ORDER BY name, id",
            [team, but],
        ).fetchall()
        return [user for (user_id,) in rows if (user := self.get(user_id)) is not None]

    def set_training(self, user_id: int, in_training: bool, by: str = CLI_ADMIN_ACTOR) -> User:
        """Mark an investigator as in training (their `countersign` answers need a supervisor)."""
        user = self.enrolled_user(user_id)
        self._db.execute(
            "UPDATE users SET in_training = ? WHERE id = ?", [int(in_training), user_id]
        )
        seal_people(self._db, [user_id], "training", by, self._clock())
        return replace(user, in_training=in_training)

    def oversee(
        self, user_id: int, team: str, *, add: bool = True, by: str = CLI_ADMIN_ACTOR
    ) -> User:
        """Give a supervisor another team to oversee (or take it away); returns them now."""
        team = checked_team(team)
        user = self.enrolled_user(user_id)
        if user.role != "supervisor":
            raise InputRefused(f"{user.name} is not a supervisor; only supervisors oversee teams.")
        if add:
            self._db.execute(
                "INSERT OR IGNORE INTO supervised_teams (user_id, team) VALUES (?, ?)",
                [user_id, team],
            )
        else:
            self._db.execute(
                "DELETE FROM supervised_teams WHERE user_id = ? AND team = ?", [user_id, team]
            )
        seal_people(self._db, [user_id], "oversees", by, self._clock())
        return self.enrolled_user(user_id)

    def rename(self, user_id: int, name: str, by: str = CLI_ADMIN_ACTOR) -> User:
        """Change the name an enrolled person's records show; returns them renamed."""
        name = checked_name(name)
        user = self.enrolled_user(user_id)
        self._db.execute("UPDATE users SET name = ? WHERE id = ?", [name, user_id])
        seal_people(self._db, [user_id], "renamed", by, self._clock())
        return replace(user, name=name)

    def revoke(self, user_id: int, now: datetime, by: str = CLI_ADMIN_ACTOR) -> User:
        """Stop a user from using the bot from now on; returns who was revoked."""
        user = self.enrolled_user(user_id)
        self._db.execute("UPDATE users SET revoked_at = ? WHERE id = ?", [utc_text(now), user_id])
        seal_people(self._db, [user_id], "revoked", by, now)
        return user

    def enrolled_user(self, user_id: int) -> User:
        """The enrolled user with this id, or a sentence saying there is none."""
        user = self.get(user_id)
        if user is None:
            raise NotFound(f"No enrolled user has the id {user_id}.")
        return user

    def _with_teams(self, user: User) -> User:
        if user.role != "supervisor":
            return user
        extra = self._db.execute(
            "SELECT team FROM supervised_teams WHERE user_id = ? ORDER BY team", [user.id]
        ).fetchall()
        return replace(user, also_oversees=tuple(t for (t,) in extra if t != user.team))


def _user(row: tuple[int, str, str, str, int]) -> User:
    user_id, name, role, team, in_training = row
    return User(user_id, name, as_role(role), team, bool(in_training))


def _invite(row: tuple[int, str, str, str | None, str, str]) -> Invite:
    invite_id, role, team, name, created_at, expires_at = row
    return Invite(
        invite_id,
        as_role(role),
        team,
        name,
        datetime.fromisoformat(created_at),
        datetime.fromisoformat(expires_at),
    )


def _code_hash(code: str) -> str:
    """Hash a code as typed, forgiving case, spaces and hyphens."""
    normal = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def checked_role(role: str) -> Role:
    """A role as given, or a sentence naming the roles there are."""
    if role not in ROLES:
        raise InputRefused(f"'{role}' is not a role; choose one of {', '.join(ROLES)}.")
    return as_role(role)


def checked_team(team: str) -> str:
    """A team's name with its spaces tidied, or a sentence asking for one."""
    team = " ".join(team.split())
    if not team:
        raise InputRefused("Give the team's name, for example 'North RASSO'.")
    _refuse_unsafe(team, "team's name")
    return team


def checked_name(name: str) -> str:
    """A person's name with its spaces tidied, or a sentence saying what is wrong."""
    name = " ".join(name.split())
    if not name:
        raise InputRefused("Give a name to enrol under.")
    if len(name) > NAME_LIMIT:
        raise InputRefused(f"Keep the name to {NAME_LIMIT} characters or fewer.")
    _refuse_unsafe(name, "name")
    return name


def _refuse_unsafe(text: str, what: str) -> None:
    """Refuse a name holding a control or bidirectional character: it would disguise records."""
    at = first_unsafe(text)
    if at is not None:
        raise InputRefused(
            f"The {what} holds an invisible control character, {describe(text[at])}, which "
            "would disguise every record it appears on; give it without."
        )
