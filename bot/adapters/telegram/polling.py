"""Long polling through the inbox: fetch, keep, hand on, confirm once on disk; never stall.

python-telegram-bot's own Updater confirms a batch (the next getUpdates' offset) before its
updates are handled, and parses a whole batch at once, so one update it cannot read stops
every other. Here each batch is fetched as raw JSON, each update read on its own, the batch
kept in the inbox in one transaction and handed on, and once that is on disk the offset is
moved past it. An update that cannot be read is kept aside, logged once by its id, and skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import Conflict, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ExtBot

from bot.adapters.durable import Durable
from bot.core.errors import SoteriaError
from bot.services import inbox
from bot.services.context import Context

from .delivery import CHANNEL

log = logging.getLogger(__name__)

#: Seconds to wait before asking again after a failed getUpdates: doubled each time, to a cap.
FIRST_RETRY = 0.5
LONGEST_RETRY = 2.0
#: The kinds of update the bot asks for: messages and button presses.
ALLOWED_UPDATES = ("message", "callback_query")


class InboxBot(ExtBot[None]):
    """The bot, with getUpdates answered as plain JSON so each update can be read on its own."""

    async def raw_updates(
        self, offset: int | None, wait: int, allowed: Sequence[str]
    ) -> list[dict[str, Any]]:
        """One long poll: the updates after `offset`, unparsed."""
        data = {"timeout": wait, "offset": offset, "allowed_updates": list(allowed)}
        # The connection may have been dropped while the server waited: give it the poll's
        # length and a few seconds more, as python-telegram-bot's get_updates does.
        result = await self._post("getUpdates", data, read_timeout=wait + 5.0)
        return result if isinstance(result, list) else []


@dataclass(frozen=True, slots=True)
class Inbound:
    """An update to handle, with its inbox row (None when the database could not keep it)."""

    row: int | None
    update: Update


class Poller:
    """Fetches updates, keeps each in the inbox, then queues it for the application."""

    def __init__(
        self, ctx: Context, application: Application, timeout: int, durable: Durable
    ) -> None:
        self.ctx = ctx
        self.application = application
        self.timeout = timeout
        self.durable = durable
        self._outage: tuple[float, str] | None = None  # since when, and what kind of failure

    async def run(self, stop: asyncio.Event) -> None:
        """Handle what a stop left in the inbox, then poll until `stop` is set."""
        inbox.prune(self.ctx)
        for waiting in inbox.waiting(self.ctx, CHANNEL):
            update = self._read(waiting.external_id, waiting.data)
            if update is None:
                inbox.unreadable(self.ctx, waiting.row)
            else:
                await self.application.update_queue.put(Inbound(waiting.row, update))
        offset: int | None = None
        delay = FIRST_RETRY
        while not stop.is_set():
            batch = await self._fetch(offset, stop)
            if batch is None:  # Failed: wait a little, longer each time, then ask again.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, LONGEST_RETRY)
                continue
            delay = FIRST_RETRY
            if not batch:
                continue
            fresh = self._keep(batch)
            try:
                # The batch on disk before anything is done with it: then its own sync is over
                # before any answer in it is written, and a slow sync of that answer holds up
                # its reply alone, never the next batch.
                await self.durable.settle()
                settled = True
            except SoteriaError:
                settled = False
            for inbound in fresh:
                await self.application.update_queue.put(inbound)
            if not settled:
                # Not on disk: the offset stays, so the batch comes again (and is known).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                continue
            # Kept on disk, so the next getUpdates may confirm it: Telegram drops what is below
            # the offset. Ids restart lower after a quiet week, so the offset follows the batch,
            # not the highest id ever seen.
            ids = [raw["update_id"] for raw in batch if isinstance(raw.get("update_id"), int)]
            offset = max(ids) + 1 if ids else offset

    async def _fetch(self, offset: int | None, stop: asyncio.Event) -> list[dict[str, Any]] | None:
        """One getUpdates, cut short by `stop`; None when it failed (said once per outage)."""
        bot = self.application.bot
        assert isinstance(bot, InboxBot)
        fetch = asyncio.ensure_future(bot.raw_updates(offset, self.timeout, ALLOWED_UPDATES))
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await fetch
            return []
        try:
            batch = fetch.result()
        except (InvalidToken, Forbidden) as error:
            self._failing(
                "token", f"Telegram refused the token ({error}); check TELEGRAM_BOT_TOKEN"
            )
            return None
        except Conflict:
            self._failing(
                "conflict",
                "another process is polling with this bot token; only one may run at a time",
            )
            return None
        except (NetworkError, TelegramError) as error:
            self._failing(
                "network", f"cannot reach the Bot API ({error}); trying again every few seconds"
            )
            return None
        if self._outage is not None:
            since, _ = self._outage
            log.warning("The Bot API answers again, after %.0f s.", time.monotonic() - since)
            self._outage = None
        return batch

    def _failing(self, kind: str, why: str) -> None:
        """Say once why polling fails, not once a try (the details vary from try to try)."""
        if self._outage is None or self._outage[1] != kind:
            log.warning("Polling for updates failed: %s.", why)
            self._outage = (time.monotonic(), kind)

    def _keep(self, batch: list[dict[str, Any]]) -> list[Inbound]:
        """Read each update on its own and keep the batch; what is new and readable, to queue."""
        arrivals, read = [], {}
        for raw in batch:
            external_id = str(raw.get("update_id"))
            update = self._read(external_id, raw)
            arrivals.append(inbox.Arrival(external_id, raw, readable=update is not None))
            if update is not None:
                read[external_id] = update
        kept = inbox.keep(self.ctx, CHANNEL, arrivals)
        return [Inbound(new.row, read[new.external_id]) for new in kept]

    def _read(self, external_id: str, raw: Mapping[str, Any]) -> Update | None:
        """The update python-telegram-bot makes of the JSON, or None (logged once, by id only:
        the update holds what someone typed)."""
        try:
            update = Update.de_json(dict(raw), self.application.bot)
        except Exception as error:  # Anything the library raises means it cannot read it.
            log.warning(
                "Update %s cannot be read by python-telegram-bot (%s); kept aside in the inbox "
                "and skipped.",
                external_id,
                type(error).__name__,
            )
            return None
        if update is None:
            log.warning("Update %s is empty; kept aside in the inbox and skipped.", external_id)
        return update
