"""The application as tests build it: the bot's own wiring over a real SQLite file.

`make_app` is what `bootstrap.build` makes, given an open database, the playbooks read from
files and a clock that stands still; the playbooks are published as on a fresh install, as `run`
and `chat` do at their first start. The people helpers go through the real user repository.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlite_utils

from bot.bootstrap import build, context_on
from bot.config import Settings
from bot.core.channels import Identity
from bot.core.people import User
from bot.core.typed_input import DEFAULT_CRIME_REFERENCE, CrimeReferenceFormat
from bot.services.context import Clock, Context, utc_now
from bot.services.publishing import publish_on_fresh_install
from bot.store.playbook_files import Library
from bot.store.users import UserRepository

TELEGRAM = "telegram"


def make_app(
    db: sqlite_utils.Database,
    library: Library,
    clock: Clock = utc_now,
    crime_reference: CrimeReferenceFormat = DEFAULT_CRIME_REFERENCE,
    timezone: str = "Europe/London",
    case_key: str = "crime-reference",
    playbooks_dir: Path | None = None,
) -> Context:
    """The application over an open database, with its playbooks published."""
    settings = Settings(timezone=timezone, case_key=case_key, crime_reference=crime_reference)
    ctx = context_on(db, library, settings, clock, playbooks_dir)
    publish_on_fresh_install(ctx)
    return ctx


def open_app(settings: Settings, clock: Clock = utc_now) -> Context:
    """The application as `soteria-bot run` opens it from its settings."""
    ctx = build(settings, clock)
    publish_on_fresh_install(ctx)
    return ctx


def enrol(db: sqlite_utils.Database, name: str, role: str, team: str, now: datetime) -> User:
    """Enrol someone for the terminal (no Telegram account)."""
    return UserRepository(db).add(name, role, team, now)


def create_invite(db: sqlite_utils.Database, role: str, team: str, now: datetime) -> str:
    """A one-time enrolment code."""
    return UserRepository(db).create_invite(role, team, now)


def redeem_invite(
    db: sqlite_utils.Database, code: str, telegram_id: int | None, name: str, now: datetime
) -> User:
    """Enrol the holder of a Telegram account with a code."""
    identity = None if telegram_id is None else Identity(TELEGRAM, str(telegram_id))
    return UserRepository(db).redeem_invite(code, identity, name, now)


def find_user(
    db: sqlite_utils.Database, *, telegram_id: int | None = None, user_id: int | None = None
) -> User | None:
    """The enrolled person with this Telegram id or user id."""
    users = UserRepository(db)
    if telegram_id is not None:
        return users.by_identity(Identity(TELEGRAM, str(telegram_id)))
    assert user_id is not None
    return users.get(user_id)


def telegram_id_of(db: sqlite_utils.Database, user: User) -> int | None:
    """A person's Telegram id, where they enrolled on Telegram."""
    found = UserRepository(db).external_id(user.id, TELEGRAM)
    return None if found is None else int(found)


def set_training(db: sqlite_utils.Database, user_id: int, in_training: bool) -> User:
    """Mark an investigator in training, or not."""
    return UserRepository(db).set_training(user_id, in_training)


def oversee(db: sqlite_utils.Database, user_id: int, team: str) -> User:
    """Give a supervisor another team."""
    return UserRepository(db).oversee(user_id, team)
