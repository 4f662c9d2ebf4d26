"""A consistent copy of the database, taken with SQLite's online backup while the bot writes."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.core.errors import InputRefused, NotFound, SoteriaError


def backup_name(now: datetime) -> str:
    """The file name a backup gets in a folder: soteria-YYYYMMDD-HHMMSS.db, in UTC."""
    return f"soteria-{now.astimezone(UTC):%Y%m%d-%H%M%S}.db"


def backup(db_path: Path, dest: Path, *, now: datetime | None = None) -> Path:
    """Copy the database at `db_path` to `dest` (a folder or a new file); returns the copy's path.

    The copy is one self-contained file (rollback journal, not WAL) and is checked before this
    returns. An existing file is never overwritten.
    """
    if not db_path.is_file():
        raise NotFound(f"No database at {db_path}; check SOTERIA_DB.")
    target = dest / backup_name(now or datetime.now(UTC)) if dest.is_dir() else dest
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Claim the name first, so two backups cannot both write to it.
        target.open("xb").close()
    except FileExistsError:
        raise InputRefused(f"{target} already exists; give a new file name or a folder.") from None
    try:
        _copy(db_path, target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def _copy(source_path: Path, target: Path) -> None:
    # Opened read-write but only read: a read-only connection cannot always open a WAL database.
    with contextlib.closing(sqlite3.connect(source_path)) as source:
        source.execute("PRAGMA busy_timeout = 5000")
        with contextlib.closing(sqlite3.connect(target, isolation_level=None)) as copy:
            # One step: a WAL reader sees one snapshot and never blocks the bot's writes.
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            (result,) = copy.execute("PRAGMA quick_check").fetchone()
            if result != "ok":
                raise SoteriaError(f"The copy at {target} failed its check ({result}); try again.")
