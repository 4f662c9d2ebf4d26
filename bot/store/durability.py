"""Commits made durable apart from the COMMIT: the sync and the checkpoint, off the writer's thread.

With `synchronous=FULL`, SQLite syncs the write-ahead log inside every COMMIT, holding the write
lock and the thread that commits: the bot's event loop, and so every chat, waited for each
person's disk sync in turn. A connection opened with `connect(path, sync_apart=True)` commits
without that sync and never checkpoints; this module makes the same sync of the log file and the
checkpoints for it, from other threads. A sync makes durable every commit made before it began,
so commits made while one sync runs share the next one. The bot shows nothing before the sync
that covers it (`bot/adapters/durable.py`), so the promise is the one FULL keeps: what a
person saw acknowledged survives a power cut.

This relies on what SQLite documents of WAL mode: a commit is durable once the log file's frames
up to it are on disk; a transaction writes only to the log (the database file is written by
checkpoints, which sync both files); and where the file system does not promise power-safe
overwrites (`SQLITE_IOCAP_POWERSAFE_OVERWRITE`, on by default on Unix), FULL pads a commit to a
whole sector and this does not, so keep such a disk on FULL.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3

import sqlite_utils

from bot.store.health import NOT_SAVED, StorageFailed

logger = logging.getLogger("bot.store")

#: Syncs the log file's data (and its size), as SQLite's own sync does on Linux.
_sync_file = getattr(os, "fdatasync", os.fsync)


def sync_log(db: sqlite_utils.Database) -> None:
    """Put on disk every commit any connection made to `db`'s file before the call (blocking).

    Whoever vouches for what it reads, outside the database, calls it first: a signed checkpoint
    must never cover records that a power cut could still take back, and the bot's own
    connection leaves its syncs to threads of their own (`Durability`).
    """
    file = _file_of(db)
    if not file:
        return
    try:
        handle = os.open(f"{file}-wal", os.O_RDONLY)
    except FileNotFoundError:
        return  # No log: everything committed is in the database file, synced by a checkpoint.
    try:
        _sync_file(handle)
    finally:
        os.close(handle)


def _file_of(db: sqlite_utils.Database) -> str:
    """The main database's file, or '' for one in memory."""
    rows = db.conn.execute("PRAGMA database_list").fetchall()
    return next((str(file) for _, name, file in rows if name == "main" and file), "")


class Durability:
    """What one connection has committed, and the syncs and checkpoints that make it durable."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._conn = db.conn
        file = _file_of(db)
        synchronous = db.conn.execute("PRAGMA synchronous").fetchone()[0]
        #: Whether commits wait for a sync from here (NORMAL on a file), not inside COMMIT.
        self.apart = bool(file) and synchronous == 1
        self._file = file
        self._told = False

    def written(self) -> int:
        """A mark that grows with every row the connection writes: a sync begun after it was
        read covers everything written before. Read it on the connection's own thread."""
        return int(self._conn.total_changes)

    def sync(self) -> None:
        """Put on disk every commit made before the call (blocking: call it off the event loop).

        A disk that fails the sync is told to the operator once; the caller is told that nothing
        can be promised, in one sentence.
        """
        if not self.apart:
            return
        try:
            handle = os.open(f"{self._file}-wal", os.O_RDONLY)
        except FileNotFoundError:
            # No log: the last connection's close emptied it into the database, and synced that.
            return
        try:
            _sync_file(handle)
        except OSError as error:
            if not self._told:
                self._told = True
                logger.error(
                    "The disk reported an error while syncing %s-wal (%s): check the disk; "
                    "until a sync succeeds no answer is acknowledged.",
                    self._file,
                    error,
                )
            raise StorageFailed(NOT_SAVED) from error
        finally:
            os.close(handle)
        if self._told:
            self._told = False
            logger.warning("The disk syncs again.")

    def checkpoint(self) -> None:
        """Copy the log's committed frames into the database file, on a connection of its own
        (blocking: call it off the event loop). It waits for no reader and no writer."""
        if not self.apart:
            return
        with contextlib.closing(sqlite3.connect(self._file, isolation_level=None)) as conn:
            # FULL here syncs the log before copying it and the database file after.
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
