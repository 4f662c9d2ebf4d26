"""Who may use the bot: one-time enrolment codes, the users they create, and revocation.

An invite's code is shown once, to the administrator who made it, and only its SHA-256 is
stored. Codes are 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about
49 bits: with one use and a short life, guessing one is hopeless. Revoked users stay in the
table, for the record, but are no longer found.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal, cast

import sqlite_utils

from bot.core.errors import InputRefused, NotAllowed, NotFound
from bot.store.db import transaction, utc_text

Role = Literal["investigator", "supervisor", "trainer", "admin"]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
INVITE_LIFE = timedelta(days=7)
NAME_LIMIT = 100

#: The same sentence for a code that is unknown, used or expired: it gives nothing away.
INVITE_REFUSED = "That enrolment code cannot be used; please ask your administrator for a new one."
ALREADY_ENROLLED = "This Telegram account is already enrolled; send /help to see what you can do."

USER_COLUMNS = "id, name, role, team, in_training, telegram_id"


@dataclass(frozen=True, slots=True)
class User:
    """An enrolled person: their role and team decide what they may see and do."""

    id: int
    name: str
    role: Role
    team: str
    in_training: bool
    telegram_id: int | None
    #: Teams a supervisor oversees besides their own.
    also_oversees: tuple[str, ...] = ()

    @property
    def teams(self) -> tuple[str, ...]:
        """Every team whose cases this person may see as a supervisor: their own first."""
        return (self.team, *self.also_oversees)


def create_invite(
    db: sqlite_utils.Database,
    role: str,
    team: str,
    now: datetime,
    ttl: timedelta = INVITE_LIFE,
) -> str:
    """Make a one-time enrolment code for someone joining `team` as `role`; returns the code."""
    role, team = _checked_role(role), _checked_team(team)
    if ttl <= timedelta(0):
        raise InputRefused("An invite must last for some time; give a number of days above 0.")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    with transaction(db):
        db.execute(
            "INSERT INTO invites (code_hash, role, team, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [_code_hash(code), role, team, utc_text(now), utc_text(now + ttl)],
        )
    return code


def redeem_invite(
    db: sqlite_utils.Database, code: str, telegram_id: int | None, name: str, now: datetime
) -> User:
    """Enrol a person with an invite's code, which then cannot be used again."""
    name = _checked_name(name)
    with transaction(db):
        if telegram_id is not None and find_user(db, telegram_id=telegram_id) is not None:
            raise NotAllowed(ALREADY_ENROLLED)
        invite = db.execute(
            "SELECT id, role, team FROM invites "
            "WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
            [_code_hash(code), utc_text(now)],
        ).fetchone()
        if invite is None:
            raise NotFound(INVITE_REFUSED)
        invite_id, role, team = invite
        if telegram_id is not None:
            # A revoked user's account may enrol again; the old row keeps its history.
            db.execute(
                "UPDATE users SET telegram_id = NULL "
                "WHERE telegram_id = ? AND revoked_at IS NOT NULL",
                [telegram_id],
            )
        user = _insert_user(db, name, role, team, telegram_id, now)
        db.execute(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ?",
            [utc_text(now), user.id, invite_id],
        )
    return user


def add_local_user(
    db: sqlite_utils.Database, name: str, role: str, team: str, now: datetime
) -> User:
    """Enrol a person without Telegram, for the terminal chat."""
    name, role, team = _checked_name(name), _checked_role(role), _checked_team(team)
    with transaction(db):
        return _insert_user(db, name, role, team, None, now)


def find_user(
    db: sqlite_utils.Database, *, telegram_id: int | None = None, user_id: int | None = None
) -> User | None:
    """The enrolled (not revoked) user with this Telegram id or user id, if there is one."""
    if (telegram_id is None) == (user_id is None):
        raise TypeError("find_user() takes exactly one of telegram_id and user_id")
    column, key = ("telegram_id", telegram_id) if user_id is None else ("id", user_id)
    row = db.execute(
        f"SELECT {USER_COLUMNS} FROM users WHERE {column} = ? AND revoked_at IS NULL", [key]
    ).fetchone()
    if row is None:
        return None
    user = _user(row)
    if user.role != "supervisor":
        return user
    extra = db.execute(
        "SELECT team FROM supervised_teams WHERE user_id = ? ORDER BY team", [user.id]
    ).fetchall()
    return replace(user, also_oversees=tuple(team for (team,) in extra if team != user.team))


def set_training(db: sqlite_utils.Database, user_id: int, in_training: bool) -> User:
    """Mark an investigator as in training (their `countersign` answers need a supervisor)."""
    with transaction(db):
        user = _enrolled(db, user_id)
        db.execute("UPDATE users SET in_training = ? WHERE id = ?", [int(in_training), user_id])
    return replace(user, in_training=in_training)


def oversee(db: sqlite_utils.Database, user_id: int, team: str, *, add: bool = True) -> User:
    """Give a supervisor another team to oversee (or take it away); returns them as they now are."""
    team = _checked_team(team)
    with transaction(db):
        user = _enrolled(db, user_id)
        if user.role != "supervisor":
            raise InputRefused(f"{user.name} is not a supervisor; only supervisors oversee teams.")
        if add:
            db.execute(
                "INSERT OR IGNORE INTO supervised_teams (user_id, team) VALUES (?, ?)",
                [user_id, team],
            )
        else:
            db.execute(
                "DELETE FROM supervised_teams WHERE user_id = ? AND team = ?", [user_id, team]
            )
    found = find_user(db, user_id=user_id)
    assert found is not None
    return found


def supervisors_of(db: sqlite_utils.Database, team: str) -> list[User]:
    """The enrolled supervisors who oversee a team: its own and those given it."""
    rows = db.execute(
        "SELECT id FROM users WHERE role = 'supervisor' AND revoked_at IS NULL"
        " AND (team = ? OR id IN (SELECT user_id FROM supervised_teams WHERE team = ?))"
        " ORDER BY id",
        [team, team],
    ).fetchall()
    return [user for (user_id,) in rows if (user := find_user(db, user_id=user_id)) is not None]


def list_users(db: sqlite_utils.Database) -> list[User]:
    """Every enrolled user who has not been revoked, by team, then name."""
    rows = db.execute(
        f"SELECT {USER_COLUMNS} FROM users WHERE revoked_at IS NULL ORDER BY team, name, id"
    )
    return [_user(row) for row in rows]


def revoke_user(db: sqlite_utils.Database, user_id: int, now: datetime) -> User:
    """Stop a user from using the bot from now on; returns who was revoked."""
    with transaction(db):
        user = _enrolled(db, user_id)
        db.execute("UPDATE users SET revoked_at = ? WHERE id = ?", [utc_text(now), user_id])
    return user


def _enrolled(db: sqlite_utils.Database, user_id: int) -> User:
    """The enrolled user with this id, or a sentence saying there is none."""
    user = find_user(db, user_id=user_id)
    if user is None:
        raise NotFound(f"No enrolled user has the id {user_id}.")
    return user


def _insert_user(
    db: sqlite_utils.Database,
    name: str,
    role: str,
    team: str,
    telegram_id: int | None,
    now: datetime,
) -> User:
    cursor = db.execute(
        "INSERT INTO users (name, role, team, telegram_id, created_at) VALUES (?, ?, ?, ?, ?)",
        [name, role, team, telegram_id, utc_text(now)],
    )
    return User(
        id=cast(int, cursor.lastrowid),
        name=name,
        role=cast(Role, role),
        team=team,
        in_training=False,
        telegram_id=telegram_id,
    )


def _user(row: tuple[int, str, str, str, int, int | None]) -> User:
    user_id, name, role, team, in_training, telegram_id = row
    return User(user_id, name, cast(Role, role), team, bool(in_training), telegram_id)


def _code_hash(code: str) -> str:
    """Hash a code as typed, forgiving case, spaces and hyphens."""
    normal = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def _checked_role(role: str) -> str:
    if role not in ROLES:
        raise InputRefused(f"'{role}' is not a role; choose one of {', '.join(ROLES)}.")
    return role


def _checked_team(team: str) -> str:
    team = " ".join(team.split())
    if not team:
        raise InputRefused("Give the team's name, for example 'North RASSO'.")
    return team


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InputRefused("Give a name to enrol under.")
    if len(name) > NAME_LIMIT:
        raise InputRefused(f"Keep the name to {NAME_LIMIT} characters or fewer.")
    return name
