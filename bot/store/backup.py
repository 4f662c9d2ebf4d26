"""A consistent copy of the database, taken with SQLite's online backup while the bot writes,
and a copy opened again, read-only, to check it before it is ever needed."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from bot.core.errors import InputRefused, NotFound, SoteriaError

#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: What a backup must hold for its log to be checked: the chain and its recorded end.
LOG_TABLES = ("log", "log_head")


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


def has_access_log(db: sqlite_utils.Database) -> bool:
    """Tell whether a copy holds the access log: one made before it was added does not."""
    found = db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        " AND name IN ('access_log', 'access_head')"
    ).fetchone()[0]
    return bool(found == 2)


def open_copy(path: Path, *, live: bool = False) -> sqlite_utils.Database:
    """Open a copy of the bot's database read-only, or say in one sentence why it is not one.

    Nothing is written to the copy: no migration, no journal mode, no checkpoint. `live` is for
    the configured database itself, which the sentences then call the database, not a backup.
    """
    what = "the bot's database" if live else "a backup of the bot's database"
    if not path.is_file():
        if live:
            raise NotFound(f"No database at {path}; set SOTERIA_DB to the bot's database file.")
        raise NotFound(f"No file at {path}; give the path of a backup of the bot's database.")
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if not header:
        raise InputRefused(f"{path} is empty, so it is not {what}.")
    if header != SQLITE_HEADER:
        raise InputRefused(f"{path} is not an SQLite database, so it is not {what}.")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        marks = ", ".join("?" for _ in LOG_TABLES)
        found = conn.execute(
            f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
            LOG_TABLES,
        ).fetchone()[0]
    except sqlite3.DatabaseError as error:
        conn.close()
        raise InputRefused(f"{path} cannot be read as a database: {error}.") from None
    if found != len(LOG_TABLES):
        conn.close()
        raise InputRefused(
            f"{path} is an SQLite database but not the bot's: it has no completion log."
        )
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def reading(path: Path, *, live: bool = False) -> Iterator[sqlite_utils.Database]:
    """The bot's database (or a copy) at `path`, read-only, in one snapshot.

    A file that is missing, empty, not a database, or that cannot be read to the end (cut
    short, damaged) is one sentence, never a traceback.
    """
    db = open_copy(path, live=live)
    try:
        # One snapshot for every check: the bot may commit answers meanwhile, and a head read
        # after them would look like records added behind the chain's back.
        db.execute("BEGIN")
        yield db
        db.execute("COMMIT")
    except sqlite3.DatabaseError as error:
        raise SoteriaError(f"{path} cannot be read to the end as a database: {error}.") from None
    finally:
        db.close()
