"""Whether the database can be written, said to the operator once, with what to do about it.

A full disk or a read-only file refuses every write: each person is told in one sentence that
nothing was saved, and the operator reads one ERROR line naming the cause and the remedy, not
one a tap. Once a write succeeds again, that is said too, and the next failure is told afresh.
"""

from __future__ import annotations

import logging
import sqlite3

import sqlite_utils

from bot.core.errors import SoteriaError

logger = logging.getLogger("bot.store")
NOT_SAVED = "That could not be saved, so nothing was recorded. Please try again in a moment."


class StorageFailed(SoteriaError):
    """The database refused a write (disk full, locked too long): nothing was recorded."""


#: What to do about each cause, for the operator.
REMEDIES = {
    "full": "the disk is full: free space on the disk that holds {path}",
    "read-only": (
        "the database is read-only: give the user the bot runs as write access to {path}, "
        "its folder, and its -wal and -shm files"
    ),
    "locked": (
        "another process held the database locked for over 5 seconds: look for a long "
        "backup or a tool left open on {path}"
    ),
    "io": "the disk reported an input/output error: check the disk that holds {path}",
    "other": "SQLite refused a write to {path} ({error})",
}


def cause_of(error: sqlite3.Error) -> str:
    """Why SQLite refused a write, as one of the REMEDIES' keys."""
    text = str(error).lower()
    if "full" in text:
        return "full"
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "read-only"
    if "locked" in text or "busy" in text:
        return "locked"
    if "i/o" in text or "disk" in text:
        return "io"
    return "other"


def database_file(db: sqlite_utils.Database) -> str:
    """The file behind a connection, for messages ("memory" for a test's database)."""
    try:
        rows = db.conn.execute("PRAGMA database_list").fetchall()
    except sqlite3.Error:
        return "the database"
    return next((str(file) for _, name, file in rows if name == "main" and file), "memory")


class Health:
    """Tells the operator once about a database that cannot be written, and when it can again."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db
        self._told: str | None = None

    def refused(self, error: sqlite3.Error) -> None:
        """A write failed: say why and what to do, unless that was said already."""
        cause = cause_of(error)
        if cause == self._told:
            return
        self._told = cause
        remedy = REMEDIES[cause].format(path=database_file(self._db), error=error)
        logger.error(
            "The database cannot be written: %s. Until then the bot answers what it can "
            "and refuses every change in one sentence.",
            remedy,
        )

    def wrote(self) -> None:
        """A write succeeded: if a failure was told, say it is over."""
        if self._told is not None:
            self._told = None
            logger.warning("The database can be written again.")

    @property
    def failing(self) -> bool:
        """Whether the last write failed."""
        return self._told is not None
