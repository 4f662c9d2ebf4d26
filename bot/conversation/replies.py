"""What the conversation says: replies with their buttons, and what a chat is waiting for."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

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
#: How a face shows a reply: as a message of its own; instead of the message the person
#: answered (the one whose button was pressed, or the prompt they typed to), where the face can
#: edit and that message is one it may replace; or as a passing note, which a face with
#: callback answers shows as a toast or an alert and any other face prints as a line.
Shown = Literal["new", "in-place", "note"]


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to show, with its buttons (rows of options)."""

    text: str
    options: Rows = ()
    #: For a face that can edit: the run and item this message asks about.
    asks: tuple[int, str] | None = None
    #: A file to send with the text, where the face can send files (a report).
    document: Path | None = None
    shown: Shown = "new"
    #: For a question: the lines that stay once it is answered (the rest are instructions).
    head: str | None = None


def note(text: str) -> Reply:
    """A passing note: a refusal of a tap, a nudge, guidance; nothing to keep in the chat."""
    return Reply(text, shown="note")


def in_place(reply: Reply) -> Reply:
    """The same reply, shown instead of the message the person answered where a face can."""
    return replace(reply, shown="in-place")


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
    #: The run and item the ticks are for: another question starts from its own answer.
    ticked_for: tuple[int, str] | None = None
    #: Runs whose move to a newer version the user chose not to make, this session.
    stayed: set[int] = field(default_factory=set)


def screened(text: str, focus: str | None = None) -> str:
    """Typed free text, checked for length and refused if it holds personal details.

    On an item about the victim (`focus`), health and religion count as personal details too.
    """
    refuse_personal(text, focus)
    return check_text(text)


def refuse_personal(text: str, focus: str | None = None) -> None:
    """Refuse typed text that holds personal details, whatever it was typed for."""
    kinds = screen(text, focus=focus)
    if kinds:
        raise InputRefused(warning(kinds))
