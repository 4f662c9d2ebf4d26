"""The same conversation in a terminal: options are numbered; works with no token, no network,
and piped input."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from datetime import timedelta
from typing import TextIO

from bot.adapters import outbox
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.core.characters import visible
from bot.core.people import User
from bot.services.people import CONSOLE

QUIT = {"/quit", "/exit", "quit", "exit"}


class Console:
    """Reads lines, passes them to the conversation, prints replies with numbered options."""

    channel = CONSOLE

    def __init__(
        self,
        dialogue: Dialogue,
        user: User,
        out: TextIO,
        echo: bool = False,
        width: int | None = None,
    ) -> None:
        self.dialogue = dialogue
        self.user = user
        self.out = out
        #: Piped input is not shown by a terminal, so echo it to keep the transcript readable.
        self.echo = echo
        #: The terminal's width: lines are wrapped at words to fit it (None: as they are).
        self.width = width
        self.actions: list[str] = []

    def show(self, replies: Iterable[Reply]) -> None:
        """Print replies, then any notices; remember the last options so a number presses them."""
        actions: list[str] = []
        # A terminal cannot edit what it printed or show a toast: every reply is printed.
        for reply in [*replies, *self._notices()]:
            self.out.write("\n" + self._wrapped(visible(reply.text)) + "\n")
            if reply.document is not None:
                self.out.write(self._wrapped(f"  (saved as {reply.document})", "    ") + "\n")
            for row in reply.options:
                for option in row:
                    actions.append(option.action)
                    number = f"  {len(actions)}) "
                    label = visible(option.label)
                    self.out.write(self._wrapped(number + label, " " * len(number)) + "\n")
        if actions:
            self.actions = actions
        self.out.flush()

    def _wrapped(self, text: str, indent: str = "") -> str:
        """Text wrapped at words to the terminal's width, each line of it on its own."""
        if self.width is None:
            return text
        return "\n".join(
            textwrap.fill(line, self.width, subsequent_indent=indent, break_on_hyphens=False)
            if line
            else ""
            for line in text.splitlines()
        )

    def _notices(self) -> list[Reply]:
        """Notices waiting for this terminal's person (a return, a challenge), marked as read."""
        shown = []
        for batch in outbox.due_batches(self.dialogue, CONSOLE, timedelta(0), only=self.user.id):
            shown.append(Reply(f"Notice: {batch.reply.text}", batch.reply.options))
            outbox.delivered(self.dialogue, batch)
        return shown

    def feed(self, line: str) -> bool:
        """Handle one line of input; False when the person asked to leave."""
        text = line.strip()
        if not text:
            return True
        if text.lower() in QUIT:
            return False
        # Each line is one request: the catalog and the cached runs are checked once for it.
        with self.dialogue.ctx.request():
            if text.isdigit() and self.actions:
                index = int(text) - 1
                if 0 <= index < len(self.actions):
                    self.show(self.dialogue.press(self.user, self.actions[index]))
                    return True
            self.show(self.dialogue.handle(self.user, text))
        return True

    def loop(self, lines: Iterable[str]) -> None:
        """Greet, pick up where the person left off, then read until the input ends."""
        self.out.write(
            f"soteria-bot terminal chat, as {self.user.name} ({self.user.role}). "
            "Type a number to press an option, /help for commands, /quit to leave.\n"
        )
        self.show(self.dialogue.handle(self.user, "/resume"))
        for line in lines:
            if self.echo:
                self.out.write(f"> {line.rstrip()}\n")
            if not self.feed(line):
                break
        self.out.write("\nBye. Everything you answered is saved.\n")
        self.out.flush()
