"""The unit of work: the repositories over one connection, and the transactions that write.

A use case writes in one transaction (`BEGIN IMMEDIATE` ... `COMMIT`): the completion log's
entries, the rows they change and the notices they call for are kept together or not at all,
and durably, before anyone is told it worked. The inbound message being handled (a Telegram
update, say) is noted as handled in that same transaction, so a message delivered again can
never record anything twice; a message that records nothing is noted on its own at the end.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlite_utils

from bot.core.channels import MessageKey
from bot.core.errors import SoteriaError
from bot.core.playbook import Milestone
from bot.store.access_log import AccessLog
from bot.store.cases import CaseRepository
from bot.store.db import transaction
from bot.store.disposal import Disposal
from bot.store.events import EventRepository
from bot.store.handovers import HandoverRepository
from bot.store.log import CompletionLog
from bot.store.notices import NoticeRepository
from bot.store.processed import ProcessedRepository
from bot.store.runs import RunCache, RunRepository
from bot.store.users import UserRepository
from bot.store.versions import VersionRepository

logger = logging.getLogger(__name__)
NOT_SAVED = "That could not be saved, so nothing was recorded. Please try again in a moment."


class StorageFailed(SoteriaError):
    """The database refused a write (disk full, locked too long): nothing was recorded."""


class UnitOfWork:
    """Every repository over one connection, and `transaction()` to write through them."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        milestones: dict[str, Milestone],
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self._clock = clock
        self._cache = RunCache()
        self.users = UserRepository(db)
        self.cases = CaseRepository(db, self._cache)
        self.events = EventRepository(db, self._cache)
        self.versions = VersionRepository(db, milestones)
        self.runs = RunRepository(db, self._cache, self.versions, self.events)
        self.handovers = HandoverRepository(db)
        self.processed = ProcessedRepository(db)
        self.notices = NoticeRepository(db)
        self.log = CompletionLog(db)
        self.access = AccessLog(db)
        self.disposal = Disposal(db, self._cache)
        # The inbound message being handled: noted with the first transaction it opens.
        self._message: MessageKey | None = None

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """Write in one transaction; a storage failure becomes one plain sentence.

        Nested, it is a savepoint of the transaction around it.
        """
        outermost = not self.db.conn.in_transaction
        try:
            with transaction(self.db):
                if outermost:
                    # Under the write lock: what another connection committed is seen now.
                    self._cache.check(self.db)
                    if self._message is not None:
                        self.processed.mark(self._message, self._clock())
                        self._message = None
                yield self
        except BaseException as error:
            # The core may have moved a cached run that was then not saved.
            self._cache.clear()
            if not isinstance(error, sqlite3.OperationalError):
                raise
            raise StorageFailed(NOT_SAVED) from error

    def fresh(self) -> None:
        """Before reads: forget cached runs if another connection has written since."""
        self._cache.check(self.db)

    @contextmanager
    def handling(self, message: MessageKey) -> Iterator[None]:
        """Handle one inbound message: it is noted as handled with the first thing it records,
        or on its own once handling ends."""
        self._message = message
        try:
            yield
        finally:
            pending, self._message = self._message, None
        if pending is not None:  # It recorded nothing (a /help, a refusal): note it on its own.
            try:
                with transaction(self.db):
                    self.processed.mark(pending, self._clock())
            except sqlite3.OperationalError as error:
                # It recorded nothing, so handling it again after a restart is harmless; the
                # reply already worked out still goes to the person.
                logger.warning("could not note message %s as handled: %s", pending, error)

    def cached_runs(self) -> int:
        """How many runs are kept between taps (for the memory benchmark)."""
        return len(self._cache)

    def forget_runs(self) -> None:
        """Forget every kept run, as a failed write would."""
        self._cache.clear()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()
