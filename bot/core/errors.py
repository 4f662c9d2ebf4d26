"""Domain errors whose messages are written for the person who has to act on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

#: A place in a parsed document: mapping keys and list indexes from the top down.
DocPath = tuple[str | int, ...]


class SoteriaError(Exception):
    """Base of every error the product raises on purpose; str() is fit to show a user."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a playbook, at a path in the document.

    `on` says whether the key at that path or its value is at fault, so a file reader can point
    at the right spot.
    """

    path: DocPath
    message: str
    on: Literal["key", "value"] = "value"


class PlaybookInvalid(SoteriaError):
    """A playbook (or the milestone catalogue) has one or more mistakes."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        first = self.problems[0].message if self.problems else "no details"
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"The playbook has a mistake: {first}{more}")


class InputRefused(SoteriaError):
    """What a user typed cannot be taken as it stands; the message says what to send instead."""


class NotAllowed(SoteriaError):
    """The move is not open from where the run stands; the message says where it stands."""


class NotFound(SoteriaError):
    """The case, run, user or invite asked for does not exist, or is not the user's to see."""
