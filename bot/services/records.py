"""The record itself, for administrators: check the log's chain (of the database or of a
backup), copy the database, link keys."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core.errors import SoteriaError
from bot.core.people import CLI_ADMIN_ACTOR
from bot.core.typed_input import normalise_crime_reference
from bot.services.context import Context
from bot.store.access_log import AccessLog
from bot.store.backup import backup as copy_database
from bot.store.backup import has_access_log, open_copy
from bot.store.cases import normalise_handle
from bot.store.log import Verdict
from bot.store.log import verify as verify_chain


def verify(ctx: Context) -> Verdict:
    """Walk the completion log's chain and say whether it holds, naming the first bad record."""
    return ctx.uow.log.verify()


def verify_both(ctx: Context) -> list[Verdict]:
    """The completion log's verdict, then the access log's."""
    return [ctx.uow.log.verify(), ctx.uow.access.verify()]


def verify_copy(path: Path) -> list[Verdict]:
    """Walk the chains of a copy of the database (a backup, say), read-only, as `verify` does.

    A copy made before the access log existed has only the completion log to check.
    """
    db = open_copy(path)
    try:
        verdicts = [verify_chain(db)]
        if has_access_log(db):
            verdicts.append(AccessLog(db).verify())
        return verdicts
    finally:
        db.close()


def backup(db_path: Path, dest: Path) -> Path:
    """A consistent copy of the database, safe while the bot writes; the copy's path."""
    try:
        return copy_database(db_path, dest)
    except (sqlite3.Error, OSError) as error:
        raise SoteriaError(f"The backup to {dest} failed: {error}.") from None


def link_case(ctx: Context, handle: str, crime_ref: str) -> tuple[str, str]:
    """Link a case handle to its crime reference on the server; both as stored."""
    chosen = normalise_handle(handle)
    ref = normalise_crime_reference(crime_ref, ctx.crime_reference)
    with ctx.transaction() as uow:
        uow.cases.link(chosen, ref, CLI_ADMIN_ACTOR, ctx.now())
    return chosen, ref
