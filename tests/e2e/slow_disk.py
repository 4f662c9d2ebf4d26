"""`soteria-bot run` on a disk that is slow, once, to make an answer durable: for tests.

Run it as `python -m tests.e2e.slow_disk run`. While the file named by SOTERIA_TEST_SLOW_SYNC
exists, the next answer written to the completion log takes the number of seconds the file
holds to reach the disk, and the file is removed: one slow sync, as a busy disk gives now and
then. The wait is put where the disk's would be. On a connection that syncs as it commits
(`synchronous=FULL`), that is inside the COMMIT, with the write lock held and the calling thread
blocked. Where the bot syncs the write-ahead log apart from the commit, it is that sync
(`os.fdatasync` or `os.fsync`).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TRIGGER = "SOTERIA_TEST_SLOW_SYNC"

_connect = sqlite3.connect
_lock = threading.Lock()
_due: list[float] = []  # the seconds the next sync of an answer is to take


def _arm() -> None:
    """An answer was written: if the trigger is there, its sync is to be slow."""
    named = os.environ.get(TRIGGER)
    trigger = Path(named) if named else None
    if trigger is None or not trigger.exists():
        return
    seconds = float(trigger.read_text().strip() or 0)
    trigger.unlink()
    with _lock:
        _due.append(seconds)


def _stall() -> None:
    """The sync the disk is slow to make, if one is due."""
    with _lock:
        seconds = _due.pop() if _due else 0.0
    if seconds:
        time.sleep(seconds)


class _Watch:
    """A connection's statements, as SQLite runs them: answers written, commits made."""

    def __init__(self) -> None:
        self.syncs_at_commit = True  # SQLite's default, FULL, until the connection says

    def __call__(self, statement: str) -> None:
        said = statement.lstrip().upper()
        if said.startswith("PRAGMA SYNCHRONOUS"):
            self.syncs_at_commit = said.rstrip("; ").endswith(("FULL", "2", "EXTRA", "3"))
        elif said.startswith("INSERT INTO LOG "):
            _arm()
        elif said.startswith("COMMIT") and self.syncs_at_commit:
            _stall()


def _watched_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    conn = _connect(*args, **kwargs)
    conn.set_trace_callback(_Watch())
    return conn


def _slow(sync: Callable[[int], None]) -> Callable[[int], None]:
    def slowly(fd: int) -> None:
        _stall()
        sync(fd)

    return slowly


def main() -> None:
    """Slow the disk as described, then run the command line as `soteria-bot` would."""
    sqlite3.connect = _watched_connect  # type: ignore[assignment]
    os.fsync = _slow(os.fsync)
    if hasattr(os, "fdatasync"):
        os.fdatasync = _slow(os.fdatasync)
    from bot.cli import cli

    cli.main(args=sys.argv[1:], prog_name="soteria-bot")


if __name__ == "__main__":
    main()
