"""What the conversation says: replies with their buttons, and what a chat is waiting for."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.conversation.actions import Action
from bot.core.errors import InputRefused
from bot.core.screening import screen, warning
from bot.core.typed_input import check_text


@dataclass(frozen=True, slots=True)
class Option:
    """A button: what it says, and the action it sends back when pressed."""

    label: str
    action: str

    @classmethod
    def of(cls, label: str, action: Action) -> Option:
        """A button for an action of the one grammar."""
        return cls(label, action.encode())


Rows = tuple[tuple[Option, ...], ...]


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to show, with its buttons (rows of options)."""

    text: str
    options: Rows = ()
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
    #: For a repeating milestone: the occurrence being corrected (None records a new one).
    occurrence: int | None = None
    item: str | None = None
    ticked: set[str] = field(default_factory=set)
    #: Runs whose move to a newer version the user chose not to make, this session.
    stayed: set[int] = field(default_factory=set)


def screened(text: str, focus: str | None = None) -> str:
    """Typed free text, checked for length and refused if it holds personal details.

    On an item about the victim (`focus`), health and religion count as personal details too.
    """
    kinds = screen(text, focus=focus)
    if kinds:
        raise InputRefused(warning(kinds))
    return check_text(text)
