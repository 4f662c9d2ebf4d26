"""What every use case works with: the unit of work, the catalog, the clock and the force's ways.

Built once by `bot.bootstrap` for each connection (the bot has one, its reader thread another),
and handed to the use cases in `bot.services`: plain functions that take it first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.typed_input import DEFAULT_CRIME_REFERENCE, CrimeReferenceFormat
from bot.services.calendar import working_calendar
from bot.services.catalog import Catalog
from bot.store.playbook_files import Library
from bot.store.unit_of_work import UnitOfWork

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time in UTC: the clock used unless a test gives another."""
    return datetime.now(UTC)


@dataclass
class Context:
    """One connection's unit of work and catalog, with the clock and the force's settings."""

    uow: UnitOfWork
    catalog: Catalog
    clock: Clock = utc_now
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    #: What a case is known by in chats: "crime-reference", or "handle" (issued by the bot).
    case_key: str = "crime-reference"
    crime_reference: CrimeReferenceFormat = DEFAULT_CRIME_REFERENCE
    #: The folder trainers' files are published from, when there is one.
    playbooks_dir: Path | None = None
    #: Off for a context with no playbooks (users, the log): the catalog is never read.
    uses_catalog: bool = True
    #: Playbook files checked off the event loop, by what was checked (see `checking`).
    checked: dict[str, Library] = field(default_factory=dict, repr=False)
    #: Inside `request`: the catalog and cached runs were checked for its whole length.
    _in_request: bool = field(default=False, init=False, repr=False)

    def now(self) -> datetime:
        """The time now, from the context's clock."""
        return self.clock()

    def today(self) -> date:
        """Today's date where the force is (Europe/London unless configured)."""
        return self.clock().astimezone(self.zone).date()

    def holidays(self) -> frozenset[date]:
        """England and Wales bank holidays from ten years ago to five years on: trials run
        late, and a case is read long after its events (a report on a closed case)."""
        return working_calendar(self.today(), span_years=5, back_years=10)

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """One transaction over the unit of work, on the newest published playbooks."""
        if not self._in_request and self.uses_catalog:
            self.catalog.refresh()
        with self.uow.transaction() as uow:
            yield uow

    def fresh(self) -> None:
        """Before reads outside a request: the newest playbooks, and no stale cached run."""
        if not self._in_request:
            if self.uses_catalog:
                self.catalog.refresh()
            self.uow.fresh()

    @contextmanager
    def request(self, inbox_row: int | None = None) -> Iterator[None]:
        """Handle one inbound message: freshness checked once, and its inbox row marked handled
        with the first thing it records (or on its own at the end), so it never acts twice."""
        if self.uses_catalog:
            self.catalog.refresh()
        self.uow.fresh()
        self._in_request = True
        try:
            if inbox_row is None:
                yield
            else:
                with self.uow.handling(inbox_row):
                    yield
        finally:
            self._in_request = False
