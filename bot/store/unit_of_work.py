"""The unit of work: the repositories over one connection, and the transactions that write.

A use case writes in one transaction (`BEGIN IMMEDIATE` ... `COMMIT`): the completion log's
entries, the rows they change and the notices they call for are kept together or not at all,
and durably, before anyone is told it worked. The inbound message being handled (a Telegram
update kept in the inbox) is marked handled in that same transaction, so a message handled
again after a crash can never record anything twice; a message that records nothing is marked
on its own at the end.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

import sqlite_utils

from bot.core.playbook import Milestone
from bot.store.access_log import AccessLog
from bot.store.cases import CaseRepository
from bot.store.catalogues import CatalogueRepository
from bot.store.db import transaction
from bot.store.disposal import Disposal
from bot.store.durability import Durability
from bot.store.events import EventRepository
from bot.store.facts import FactRepository
from bot.store.handovers import HandoverRepository
from bot.store.health import NOT_SAVED, Health, StorageFailed
from bot.store.imported import ImportedLineRepository
from bot.store.inbox import InboxRepository
from bot.store.log import CompletionLog
from bot.store.notices import NoticeRepository
from bot.store.reachability import ReachabilityRepository
from bot.store.runs import RunCache, RunRepository
from bot.store.users import UserRepository
from bot.store.versions import VersionRepository

logger = logging.getLogger(__name__)


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
        self.users = UserRepository(db, clock)
        self.cases = CaseRepository(db, self._cache)
        self.versions = VersionRepository(db, milestones)
        self.facts = FactRepository(db, self.versions)
        self.events = EventRepository(db, self._cache, self.facts)
        self.log = CompletionLog(db)
        self.access = AccessLog(db)
        self.disposal = Disposal(db, self._cache)
        self.runs = RunRepository(
            db, self._cache, self.versions, self.events, self.log, self.facts
        )
        self.handovers = HandoverRepository(db)
        self.inbox = InboxRepository(db)
        self.imported = ImportedLineRepository(db)
        self.catalogues = CatalogueRepository(db)
        self.notices = NoticeRepository(db)
        self.reachability = ReachabilityRepository(db)
        self.health = Health(db)
        #: What the connection has committed, and how it is made durable (see `durability`).
        self.durability = Durability(db)
        # The inbox row being handled: marked with the first transaction it opens.
        self._message: int | None = None

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """Write in one transaction; a storage failure becomes one plain sentence.

        Nested, it is a savepoint of the transaction around it.
        """
        outermost = not self.db.conn.in_transaction
        marked: int | None = None
        try:
            with transaction(self.db):
                if outermost:
                    # Under the write lock: what another connection committed is seen now.
                    self._cache.check(self.db)
                    if self._message is not None:
                        marked, self._message = self._message, None
                        self.inbox.handled(marked, self._clock())
                yield self
                if outermost:
                    # The read model follows the records in the same transaction.
                    self.facts.flush(self.runs)
        except BaseException as error:
            if marked is not None:
                # Rolled back with everything else (a refused action, say): the message is
                # marked by the next transaction it opens, or on its own at the end.
                self._message = marked
            # The core may have moved a cached run that was then not saved.
            self._cache.clear()
            if outermost:
                self.facts.forget()
            else:
                self.facts.distrust()
            if not isinstance(error, sqlite3.OperationalError):
                raise
            self.health.refused(error)
            raise StorageFailed(NOT_SAVED) from error
        if outermost:
            self.health.wrote()

    def fresh(self) -> None:
        """Before reads: forget cached runs if another connection has written since."""
        self._cache.check(self.db)

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """Read in one snapshot: what others commit meanwhile is not seen half-way."""
        if self.db.conn.in_transaction:
            yield self
            return
        self.db.execute("BEGIN")
        try:
            yield self
        finally:
            self.db.execute("COMMIT")

    @contextmanager
    def handling(self, row: int) -> Iterator[None]:
        """Handle the inbox row of one inbound message: it is marked handled with the first
        thing it records, or on its own once handling ends."""
        self._message = row
        try:
            yield
        finally:
            pending, self._message = self._message, None
        if pending is not None:  # It recorded nothing (a /help, a refusal): mark it on its own.
            self.handled_alone(pending)

    def handled_alone(self, row: int) -> None:
        """Mark an inbox row handled in a transaction of its own: it recorded nothing."""
        try:
            with transaction(self.db):
                self.inbox.handled(row, self._clock())
        except sqlite3.OperationalError as error:
            # It recorded nothing, so handling it again after a restart is harmless; the
            # reply already worked out still goes to the person. The operator is told once.
            self.health.refused(error)
            logger.debug("could not mark inbox row %s as handled: %s", row, error)
            return
        self.health.wrote()

    @contextmanager
    def stamped(self, detail: Mapping[str, str]) -> Iterator[None]:
        """Add `detail` to every log entry written inside the block, whichever use case writes
        it: an import marks what it brought in, and who brought it."""
        before = dict(self.log.stamp)
        self.log.stamp.update(detail)
        try:
            yield
        finally:
            self.log.stamp.clear()
            self.log.stamp.update(before)

    def cached_runs(self) -> int:
        """How many runs are kept between taps (for the memory benchmark)."""
        return len(self._cache)

    def forget_runs(self) -> None:
        """Forget every kept run, as a failed write would."""
        self._cache.clear()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()
