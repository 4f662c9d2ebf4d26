"""The pieces every part of the conversation shares: buttons, replies, chat state, marks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.errors import InputRefused
from bot.core.playbook import Item
from bot.core.screening import screen, warning
from bot.core.typed_input import check_text
from bot.wording.preview import answer_label

#: How each item status is marked in a summary and in an answered question's record line.
MARKS = {
    "done": "✓",
    "not-done": "✗",
    "na": "–",
    "later": "…",
    "open": "·",
    "needs-reason": "?",
    "to-countersign": "✎",
    "not-live": " ",
}


@dataclass(frozen=True, slots=True)
class Option:
    """A button: what it says, and the action it sends back when pressed."""

    label: str
    action: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to show, with its buttons (rows of options)."""

    text: str
    options: tuple[tuple[Option, ...], ...] = ()
    #: For a face that can edit: the run and item this message asks about.
    asks: tuple[int, str] | None = None
    #: A file to send with the text, where the face can send files (a report).
    document: Path | None = None


@dataclass
class ChatState:
    """What a chat is waiting for, beyond what the run itself records."""

    mode: str = "idle"
    run_id: int | None = None
    case_ref: str | None = None
    milestone: str | None = None
    item: str | None = None
    ticked: set[str] = field(default_factory=set)
    #: Runs whose move to a newer version the user chose not to make, this session.
    stayed: set[int] = field(default_factory=set)


def command_name(text: str) -> str:
    """The command a message starts with, as the dialogue reads it: "/TEAM@bot x" -> "/team"."""
    words = text.split()
    return words[0].lower().split("@")[0] if words else ""


def shown_value(item: Item, value: str) -> str:
    """An answer as a person reads it: labels for answer words, a list for several options."""
    if item.type == "multi":
        try:
            chosen = json.loads(value)
        except ValueError:
            return value
        return ", ".join(chosen) if chosen else "none"
    return answer_label(value)


def screened(text: str) -> str:
    """Typed free text, checked for length and refused if it holds personal details."""
    kinds = screen(text)
    if kinds:
        raise InputRefused(warning(kinds))
    return check_text(text)
