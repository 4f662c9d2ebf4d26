"""Nothing leaves the bot before what it stands on is on disk, and nobody waits for another's sync.

The bot's connection commits without waiting for the disk (`bot.store.durability`). Before a
reply, a notice or the confirmation of a batch of updates goes out, `settle()` waits, off the
event loop, for a sync begun after everything committed so far. A sync already under way covers
only what was committed before it began: a later commit starts a sync of its own rather than
queue behind a slow one, and everything committed while one sync runs shares the next.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

log = logging.getLogger(__name__)

#: Syncs under way at once, at most: a slow one never holds up the next.
SYNC_THREADS = 4
#: Rows written between checkpoints (SQLite's own default is 1,000 pages; an answer writes a
#: handful of rows and about as many pages).
CHECKPOINT_EVERY = 1_000
#: Checkpoints that may follow one overtaken by a commit, before waiting for the next rows.
CHASES = 5


class Syncs(Protocol):
    """What a connection has committed, and how it is made durable."""

    apart: bool

    def written(self) -> int:
        """A mark that grows with every row written."""
        ...

    def sync(self) -> None:
        """Put every commit made before the call on disk."""
        ...

    def checkpoint(self) -> None:
        """Copy the committed log into the database file."""
        ...


class Durable:
    """Waits for commits to reach the disk, on threads of its own; checkpoints now and then."""

    def __init__(self, syncs: Syncs) -> None:
        self._syncs = syncs
        self._pool = ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="soteria-sync")
        self._synced = -1  # the mark the last finished sync covered (none yet)
        self._under_way: list[tuple[int, asyncio.Future[None]]] = []
        self._checkpointed = 0
        self._checkpoint: asyncio.Future[None] | None = None
        self._pool_closed = False

    async def settle(self) -> None:
        """Return once everything committed so far is on disk (a SoteriaError if the disk fails)."""
        if not self._syncs.apart:
            return  # The connection syncs inside each COMMIT.
        mark = self._syncs.written()
        if mark <= self._synced:
            return
        sync = next((s for covers, s in self._under_way if covers >= mark), None)
        await asyncio.shield(sync if sync is not None else self._start(mark))

    def _start(self, mark: int) -> asyncio.Future[None]:
        """A sync of everything written up to `mark`, on a thread of the pool."""
        sync = asyncio.get_running_loop().run_in_executor(self._pool, self._syncs.sync)
        entry = (mark, sync)
        self._under_way.append(entry)

        def done(finished: asyncio.Future[None]) -> None:
            self._under_way.remove(entry)
            if not finished.cancelled() and finished.exception() is None:
                self._synced = max(self._synced, mark)
                self._maybe_checkpoint(mark)

        sync.add_done_callback(done)
        return sync

    def _maybe_checkpoint(self, mark: int) -> None:
        """Copy the log into the database once enough is written, one checkpoint at a time."""
        if self._checkpoint is not None or mark - self._checkpointed < CHECKPOINT_EVERY:
            return
        self._start_checkpoint(CHASES)

    async def checkpoint(self) -> None:
        """Copy the log into the database now (at a start: a bot killed before it wrote
        CHECKPOINT_EVERY rows would leave the log to grow across restarts)."""
        if not self._syncs.apart:
            return
        await asyncio.get_running_loop().run_in_executor(self._pool, self._syncs.checkpoint)
        self._checkpointed = self._syncs.written()

    def _start_checkpoint(self, chases: int) -> None:
        """A checkpoint on the pool, followed by up to `chases` more while commits overtake it."""
        begun = self._syncs.written()
        self._checkpointed = begun
        self._checkpoint = asyncio.get_running_loop().run_in_executor(
            self._pool, self._syncs.checkpoint
        )

        def done(finished: asyncio.Future[None]) -> None:
            self._checkpoint = None
            if finished.cancelled() or self._pool_closed:
                return
            if finished.exception() is not None:
                # The log grows until the next one succeeds; answers are durable meanwhile.
                log.warning("A checkpoint failed: %s", finished.exception())
            elif chases and self._syncs.written() > begun:
                # SQLite starts the log again from its beginning only at a write that finds all
                # of it copied. The bot's own connection does not checkpoint, so one that a
                # commit overtook is chased by another (each copies less): otherwise, under
                # steady work, the log would only grow. A few at most, as each costs two syncs.
                self._start_checkpoint(chases - 1)

        self._checkpoint.add_done_callback(done)

    async def close(self) -> None:
        """Sync what is left, and stop the threads."""
        try:
            await self.settle()
        finally:
            self._pool_closed = True
            self._pool.shutdown(wait=True)
