"""One chat's updates in the order they came; different chats at the same time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from .polling import Inbound


class PerChatOrder(BaseUpdateProcessor):
    """Run updates concurrently, but never two of the same chat at once, and in arrival order.

    An investigator who taps Yes then types a reason must have them handled in that order;
    another investigator's tap need not wait for it. asyncio locks are first come, first served.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._waiting: dict[int | None, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates, then handle this one."""
        if isinstance(update, Inbound):
            update = update.update
        chat = (
            update.effective_chat.id
            if isinstance(update, Update) and update.effective_chat
            else None
        )
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:  # Forget idle chats, so the table does not grow forever.
                del self._waiting[chat], self._locks[chat]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
