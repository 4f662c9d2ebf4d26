"""The one grammar of button actions: what a button sends back when it is pressed.

An action is a short string such as "a:12:3:0" (answer run 12, item 3, answer 0): a kind, then
numbers or short words, joined by colons, within Telegram's 64 bytes of callback data. Each kind
is a frozen dataclass here, built by the code that draws a button and read back by `decode`,
the one parser. Anything that is not exactly one of these is a `BadAction`, which the
conversation answers with one sentence; every action is checked again against the run as it
stands before it changes anything.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.core.errors import SoteriaError

#: Telegram's limit on a button's callback data.
MAX_BYTES = 64
#: The largest id an action may carry: SQLite's integers are 64-bit.
MAX_ID = 2**63 - 1
WORD = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
#: The days a date button can give: today, yesterday, or the date the item works out.
DAYS = ("today", "yesterday", "tomorrow", "computed")


class BadAction(SoteriaError):
    """Button data that is not one of ours, or no longer fits: nothing is changed."""

    def __init__(self) -> None:
        super().__init__("That button is no longer valid.")


@dataclass(frozen=True, slots=True)
class Action:
    """A button's action. Subclasses set `KIND` and their fields (ints or short words)."""

    KIND: ClassVar[str] = ""
    #: Carried only by a question's own message: it names the item that message asks.
    ON_QUESTION: ClassVar[bool] = False
    #: Only supervisors (and administrators) may press it.
    SUPERVISING: ClassVar[bool] = False
    #: Reads a whole team or force: a face may answer it off its main loop, as a slow command.
    SLOW_READ: ClassVar[bool] = False

    def encode(self) -> str:
        """The action as callback data; a programming error if it does not fit Telegram."""
        parts = [self.KIND, *(str(getattr(self, name)) for name in _field_names(type(self)))]
        data = ":".join(parts)
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data}")
        return data


@functools.cache
def _field_names(kind: type[Action]) -> tuple[str, ...]:
    # Every prompt encodes half a dozen buttons: the fields of a kind are looked up once.
    return tuple(field.name for field in dataclasses.fields(kind))


# --- an investigator's run -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartPlaybook(Action):
    """Start a playbook on the case being opened (by id: a publish may reorder the menu)."""

    KIND = "pb"
    playbook: str


@dataclass(frozen=True, slots=True)
class ChooseMilestone(Action):
    """Pick which milestone to record, by its place in the force's catalogue."""

    KIND = "ms"
    index: int


@dataclass(frozen=True, slots=True)
class MilestoneCase(Action):
    """Pick the case a milestone is recorded on, from the picker."""

    KIND = "msc"
    case: int


@dataclass(frozen=True, slots=True)
class MilestoneOccurrence(Action):
    """For a repeating milestone: record another occurrence (0), or correct occurrence N."""

    KIND = "mso"
    number: int


@dataclass(frozen=True, slots=True)
class MilestoneDay(Action):
    """Record the chosen milestone today or yesterday."""

    KIND = "msd"
    day: str


@dataclass(frozen=True, slots=True)
class OpenRun(Action):
    """Carry on with a run (resuming it if paused or returned)."""

    KIND = "go"
    run: int


@dataclass(frozen=True, slots=True)
class ShowSummary(Action):
    """Show one page of where a run stands (0 is the first)."""

    KIND = "sum"
    run: int
    page: int


@dataclass(frozen=True, slots=True)
class Submit(Action):
    """Submit a finished run for review."""

    KIND = "s"
    run: int


@dataclass(frozen=True, slots=True)
class Back(Action):
    """Show the previous item."""

    KIND = "b"
    run: int


@dataclass(frozen=True, slots=True)
class Revisit(Action):
    """Open an item again to change its answer."""

    KIND = "rv"
    run: int
    item: int


@dataclass(frozen=True, slots=True)
class Guidance(Action):
    """Show an item's guidance."""

    KIND = "g"
    ON_QUESTION = True
    run: int
    item: int


@dataclass(frozen=True, slots=True)
class Answer(Action):
    """Give one of an item's answers, by its place among them."""

    KIND = "a"
    ON_QUESTION = True
    run: int
    item: int
    choice: int


@dataclass(frozen=True, slots=True)
class NotYet(Action):
    """Answer that the event an item asks about has not happened yet."""

    KIND = "ny"
    ON_QUESTION = True
    run: int
    item: int


@dataclass(frozen=True, slots=True)
class DateButton(Action):
    """Answer a date item with today, yesterday or the date it works out."""

    KIND = "t"
    ON_QUESTION = True
    run: int
    item: int
    day: str


@dataclass(frozen=True, slots=True)
class Tick(Action):
    """Tick or untick one option of a multi-select item."""

    KIND = "m"
    ON_QUESTION = True
    run: int
    item: int
    option: int


@dataclass(frozen=True, slots=True)
class TicksDone(Action):
    """Answer a multi-select item with the options ticked."""

    KIND = "md"
    ON_QUESTION = True
    run: int
    item: int


@dataclass(frozen=True, slots=True)
class Later(Action):
    """Put an item off until later."""

    KIND = "l"
    ON_QUESTION = True
    run: int
    item: int


@dataclass(frozen=True, slots=True)
class PresetReason(Action):
    """Give one of an item's preset reasons."""

    KIND = "r"
    ON_QUESTION = True
    run: int
    item: int
    reason: int


@dataclass(frozen=True, slots=True)
class NothingToAdd(Action):
    """Answer an optional note with nothing to add."""

    KIND = "nx"
    ON_QUESTION = True
    run: int
    item: int


@dataclass(frozen=True, slots=True)
class Move(Action):
    """Move a run to a newer version (`version` is the target version's id)."""

    KIND = "mv"
    run: int
    version: int


@dataclass(frozen=True, slots=True)
class MoveAcknowledged(Action):
    """Move a run to a newer version, acknowledging its new required items."""

    KIND = "mva"
    run: int
    version: int


@dataclass(frozen=True, slots=True)
class Stay(Action):
    """Stay on the version the run is on."""

    KIND = "st"
    run: int


# --- supervision and handovers ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenCase(Action):
    """Show a case's completion log."""

    KIND = "cs"
    case: int


@dataclass(frozen=True, slots=True)
class CasePage(Action):
    """Show one page of a case's completion log (0 is the first)."""

    KIND = "cp"
    case: int
    page: int


@dataclass(frozen=True, slots=True)
class ViewCase(Action):
    """Show a case's completion log for a purpose, by its place in the list of purposes."""

    KIND = "vc"
    case: int
    purpose: int


@dataclass(frozen=True, slots=True)
class ExportFor(Action):
    """Export the team report for a purpose, by its place in the list of purposes."""

    KIND = "ex"
    SUPERVISING = True
    SLOW_READ = True
    purpose: int


@dataclass(frozen=True, slots=True)
class SignOff(Action):
    """Ask to sign a submitted run off: what it signs is shown first."""

    KIND = "so"
    SUPERVISING = True
    run: int


@dataclass(frozen=True, slots=True)
class ConfirmSignOff(Action):
    """Sign a submitted run off, having seen what it signs."""

    KIND = "sok"
    SUPERVISING = True
    run: int


@dataclass(frozen=True, slots=True)
class ReturnRun(Action):
    """Return a submitted run with a note."""

    KIND = "rt"
    SUPERVISING = True
    run: int


@dataclass(frozen=True, slots=True)
class ChallengeMenu(Action):
    """List a run's answered items to challenge one."""

    KIND = "ch"
    SUPERVISING = True
    run: int


@dataclass(frozen=True, slots=True)
class ChallengeItem(Action):
    """Challenge one item."""

    KIND = "ci"
    SUPERVISING = True
    run: int
    item: int


@dataclass(frozen=True, slots=True)
class Countersign(Action):
    """Confirm a trainee's answer."""

    KIND = "cn"
    SUPERVISING = True
    run: int
    item: int


@dataclass(frozen=True, slots=True)
class ReplyToChallenge(Action):
    """The officer replies to a challenge on an item."""

    KIND = "cr"
    run: int
    item: int


@dataclass(frozen=True, slots=True)
class HoldReview(Action):
    """Start or carry on the recurring checklist (the supervisory review) due on a case."""

    KIND = "hr"
    SUPERVISING = True
    case: int
    playbook: str


@dataclass(frozen=True, slots=True)
class CloseCase(Action):
    """Close a case with one of the reasons, by its place in the list."""

    KIND = "cc"
    SUPERVISING = True
    case: int
    reason: int


@dataclass(frozen=True, slots=True)
class AcceptHandover(Action):
    """Accept a case handed over."""

    KIND = "ho"
    handover: int


@dataclass(frozen=True, slots=True)
class HandTo(Action):
    """Offer a case to another investigator."""

    KIND = "hto"
    case: int
    user: int


KINDS: dict[str, type[Action]] = {
    kind.KIND: kind
    for kind in (
        StartPlaybook, ChooseMilestone, MilestoneCase, MilestoneOccurrence, MilestoneDay, OpenRun, ShowSummary, Submit, Back,
        Revisit, Guidance, Answer, NotYet, DateButton, Tick, TicksDone, Later, PresetReason, NothingToAdd, Move,
        MoveAcknowledged, Stay, OpenCase, CasePage, ViewCase, ExportFor, SignOff, ConfirmSignOff, ReturnRun, ChallengeMenu, ChallengeItem,
        Countersign, ReplyToChallenge, HoldReview, CloseCase, AcceptHandover, HandTo,
    )
}  # fmt: skip


def decode(data: str) -> Action:
    """Read callback data back into its action, or raise `BadAction`."""
    kind, *values = data.split(":")
    cls = KINDS.get(kind)
    if cls is None:
        raise BadAction
    fields = dataclasses.fields(cls)
    if len(values) != len(fields):
        raise BadAction
    read: dict[str, Any] = {}
    for field, value in zip(fields, values, strict=True):
        read[field.name] = _number(value) if field.type in (int, "int") else _word(value)
    if "day" in read and read["day"] not in DAYS:
        raise BadAction
    return cls(**read)


def is_slow_press(data: str) -> bool:
    """Tell whether button data is an action a face may answer off its main loop."""
    cls = KINDS.get(data.split(":")[0])
    return cls is not None and cls.SLOW_READ


def _number(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        raise BadAction
    return int(text)


def _word(text: str) -> str:
    if not WORD.fullmatch(text):
        raise BadAction
    return text
