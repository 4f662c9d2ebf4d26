"""The record itself, for administrators: check the log (of the database or of a backup) against
its chain, its seals and its signed checkpoints; write a checkpoint; copy the database; link
keys."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import sqlite_utils

from bot.core.errors import SoteriaError
from bot.core.people import CLI_ADMIN_ACTOR
from bot.core.typed_input import normalise_crime_reference
from bot.services.context import Context
from bot.store import checkpoints, seals
from bot.store.access_log import AccessLog
from bot.store.backup import backup as copy_database
from bot.store.backup import has_access_log, reading
from bot.store.cases import normalise_handle
from bot.store.log import Verdict
from bot.store.log import verify as verify_chain


@dataclass(frozen=True, slots=True)
class Anchors:
    """Where the checkpoints are kept, and the key file that signs them."""

    key: Path
    folder: Path


@dataclass(frozen=True, slots=True)
class Written:
    """A checkpoint `checkpoint` wrote, or the one that already covered the log."""

    number: int
    seq: int
    hash: str
    records: int
    path: Path
    new: bool


def verify_database(path: Path, anchors: Anchors, *, copy: bool = False) -> Verdict:
    """Check a database file, read-only: its chain, its checkpoints, its seals and its actors.

    `copy` is for a backup: checkpoints made after it was taken are passed over. A file that is
    missing, empty or not the bot's database is one sentence (an error), and so is one that
    cannot be read to the end.
    """
    try:
        with reading(path, live=not copy) as db:
            return _verified(db, anchors, copy=copy)
    except OSError as error:
        raise SoteriaError(
            f"The checkpoints or their key cannot be read ({error.filename}: {error.strerror})."
        ) from None


def verify_all(path: Path, anchors: Anchors, *, copy: bool = False) -> list[Verdict]:
    """`verify_database`'s verdict on the completion log, then the access log's, from one snapshot.

    A copy made before the access log existed has only the completion log to check.
    """
    try:
        with reading(path, live=not copy) as db:
            verdicts = [_verified(db, anchors, copy=copy)]
            if has_access_log(db):
                verdicts.append(_access_verified(db, anchors, copy=copy))
            return verdicts
    except OSError as error:
        raise SoteriaError(
            f"The checkpoints or their key cannot be read ({error.filename}: {error.strerror})."
        ) from None


def checkpoint(path: Path, anchors: Anchors, now: datetime) -> Written:
    """Verify the database, then sign its log's head into the next checkpoint file.

    Nothing is signed unless everything verifies: a checkpoint must never vouch for a log
    already changed. The head signed is the one verified, from the same snapshot.
    """
    try:
        with reading(path, live=True) as db:
            verdict = _verified(db, anchors)
            if not verdict.ok:
                raise SoteriaError(
                    f"The log does not verify, so no checkpoint was written: {verdict.message}"
                )
            if has_access_log(db):
                # Against the checkpoints too: an access log rebuilt since is never signed.
                access = _access_verified(db, anchors)
                if not access.ok:
                    raise SoteriaError(
                        "The access log does not verify, so no checkpoint was written: "
                        f"{access.message}"
                    )
            made, new = checkpoints.write(db, anchors.folder, anchors.key, now)
    except OSError as error:
        raise SoteriaError(
            f"No checkpoint was written: {error.filename} cannot be used ({error.strerror})."
        ) from None
    return Written(made.number, made.seq, made.hash, made.records, made.path, new)


def _verified(db: sqlite_utils.Database, anchors: Anchors, *, copy: bool = False) -> Verdict:
    """The chain, then the checkpoints, then the seals and actors: the first that fails, or all
    their notes."""
    chain = verify_chain(db)
    if not chain.ok:
        return chain
    anchored = checkpoints.check(db, anchors.folder, anchors.key, copy=copy)
    if not anchored.ok:
        return anchored
    sealed = seals.check(db)
    if not sealed.ok:
        return sealed
    return replace(chain, notes=chain.notes + anchored.notes + sealed.notes)


def _access_verified(
    db: sqlite_utils.Database, anchors: Anchors, *, copy: bool = False
) -> Verdict:
    """The access log's chain, then the checkpoints' heads and prints of it."""
    chain = AccessLog(db).verify()
    if not chain.ok:
        return chain
    anchored = checkpoints.check_access(db, anchors.folder, anchors.key, copy=copy)
    if not anchored.ok:
        return anchored
    return replace(chain, notes=chain.notes + anchored.notes)


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
