"""What use cases return: the run as it now stands, and what else their act set going.

These are facts, never sentences: the conversation and the command line word them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.core.run import Run


@dataclass(frozen=True, slots=True)
class MilestoneRecorded:
    """A milestone was recorded on the case, or moved to a new date (from `moved_from`)."""

    name: str
    title: str
    when: date
    moved_from: date | None = None
    #: Which occurrence of a repeating milestone (1 for the first, or one that happens once).
    occurrence: int = 1


@dataclass(frozen=True, slots=True)
class PlaybookStarted:
    """A milestone started a playbook on the case."""

    playbook_id: str
    title: str


@dataclass(frozen=True, slots=True)
class PlaybookOpened:
    """An answer opened another playbook on the case."""

    playbook_id: str
    title: str


@dataclass(frozen=True, slots=True)
class RunMoved:
    """The run's work moved to a newer version, carrying some answers."""

    title: str
    version: int
    carried: int


Fact = MilestoneRecorded | PlaybookStarted | PlaybookOpened | RunMoved


@dataclass
class Outcome:
    """What a command did: the run as it now stands, and what else it set going, in order."""

    run: Run | None = None
    facts: list[Fact] = field(default_factory=list)
