"""Commands that read a whole team or force, answered on a thread with its own connection.

`/insights` replays every run of the force and `/team` every run of a team: seconds on a large
force. Worked out in the event loop, they would hold up every other chat for that long. Here
they run on one worker thread with its own SQLite connection (WAL lets it read while the bot
writes), and the loop goes on taking other people's taps meanwhile. What they write is only
their record in the access log, which SQLite's write lock keeps in order with the bot's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.core.people import User


class Reader:
    """One worker thread with its own dialogue and connection, made on the thread that uses it."""

    def __init__(self, make_dialogue: Callable[[], Dialogue]) -> None:
        self._make_dialogue = make_dialogue
        self._dialogue: Dialogue | None = None
        # One worker: these are rare, and one at a time keeps a second connection's memory bounded.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="soteria-reader")

    async def handle(self, user: User, text: str) -> list[Reply]:
        """The dialogue's answer to `text`, worked out on the worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._handle, user, text)

    async def press(self, user: User, data: str) -> list[Reply]:
        """The dialogue's answer to a pressed button, worked out on the worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._press, user, data)

    def _dialogue_here(self) -> Dialogue:
        if self._dialogue is None:
            # SQLite connections stay on the thread that opened them: open it here.
            self._dialogue = self._make_dialogue()
        return self._dialogue

    def _handle(self, user: User, text: str) -> list[Reply]:
        dialogue = self._dialogue_here()
        with dialogue.ctx.request():
            return dialogue.handle(user, text)

    def _press(self, user: User, data: str) -> list[Reply]:
        dialogue = self._dialogue_here()
        with dialogue.ctx.request():
            return dialogue.press(user, data)

    def close(self) -> None:
        """Finish what is being worked out, then stop the thread."""
        self._pool.shutdown(wait=True)
