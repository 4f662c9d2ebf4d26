"""A case's dated events: every occurrence of each milestone, in the order they were recorded.

Most milestones happen once (the report, the charge); some repeat (bail extended, a trial
listed again). Conditions hold from a milestone's first occurrence; due rules count from its
latest; an item asked per occurrence counts from its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """One occurrence of a milestone as the case keeps it: when, and who recorded it when."""

    name: str
    occurrence: int
    date: date
    recorded_at: datetime
    #: The user who recorded it (or last moved it); None where nobody enrolled did.
    recorded_by: int | None


class Events:
    """Each milestone's occurrences, oldest recorded first."""

    __slots__ = ("_changes", "_dates")

    def __init__(self, dates: Mapping[str, Sequence[date]] | None = None) -> None:
        self._dates: dict[str, list[date]] = {
            name: list(when) for name, when in (dates or {}).items() if when
        }
        self._changes = 0

    @classmethod
    def of(cls, milestones: Events | Mapping[str, date] | None) -> Events:
        """Events from another Events (copied), or from one date per milestone."""
        if isinstance(milestones, Events):
            return cls(milestones._dates)
        return cls({name: [when] for name, when in (milestones or {}).items()})

    def __contains__(self, name: object) -> bool:
        return name in self._dates

    def __iter__(self) -> Iterator[str]:
        return iter(self._dates)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Events) and self._dates == other._dates

    __hash__ = None  # type: ignore[assignment]

    def count(self, name: str) -> int:
        """How many times a milestone has been recorded."""
        return len(self._dates.get(name, ()))

    def first(self, name: str) -> date | None:
        """The date of a milestone's first occurrence, if any."""
        found = self._dates.get(name)
        return found[0] if found else None

    def latest(self, name: str) -> date | None:
        """The date of a milestone's latest occurrence, if any."""
        found = self._dates.get(name)
        return found[-1] if found else None

    def nth(self, name: str, number: int) -> date | None:
        """The date of a milestone's occurrence `number` (1 for the first), if recorded."""
        found = self._dates.get(name, [])
        return found[number - 1] if 0 < number <= len(found) else None

    def all(self, name: str) -> tuple[date, ...]:
        """Every occurrence of a milestone, oldest recorded first."""
        return tuple(self._dates.get(name, ()))

    def latest_dates(self) -> dict[str, date]:
        """Each milestone's latest date: what conditions and most due rules read."""
        return {name: when[-1] for name, when in self._dates.items()}

    def record(self, name: str, when: date, number: int | None = None) -> None:
        """Add an occurrence (at the end), or move occurrence `number` to a new date."""
        found = self._dates.setdefault(name, [])
        self._changes += 1
        if number is None or number > len(found):
            found.append(when)
        else:
            found[number - 1] = when

    def signature(self) -> int:
        """A number that changes whenever an occurrence is added or moved: for caches kept
        beside these events (a run's items, its survey), checked on every tap."""
        return self._changes
