"""One bot per database: a lock file beside it, held for as long as `soteria-bot run` runs.

Two pollers on one token and database would each keep their own chat state, so typed text
could land on the one that did not ask for it. The lock is an advisory lock on a file beside
the database (`soteria.db.run.lock`); the operating system lets it go when the process ends,
however it ends, so a killed bot never leaves it stuck.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows: the terminal chat works there; the bot is run on Linux.
    fcntl = None  # type: ignore[assignment]


def lock_path(db_path: Path) -> Path:
    """The lock file of a database."""
    return db_path.with_name(db_path.name + ".run.lock")


def hold(db_path: Path) -> IO[str] | None:
    """Take the database's run lock for this process; None when another process holds it.

    Keep the returned file open: closing it lets the lock go.
    """
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    if fcntl is None:
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")  # for an operator wondering which process holds it
    handle.flush()
    return handle
