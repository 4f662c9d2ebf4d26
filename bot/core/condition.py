"""Conditions that decide whether an item is live: answers given and milestones recorded."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

Answers = Mapping[str, "str | frozenset[str]"]


class Condition:
    """Base of the conditions that decide whether an item is live."""

    def holds(self, answers: Answers, milestones: Iterable[str]) -> bool:
        """Tell whether the condition holds for these answers and recorded milestones."""
        raise NotImplementedError

    def item_ids(self) -> Iterator[str]:
        """Yield the ids of the items this condition reads."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class AnswerIs(Condition):
    """Holds when an item's answer is one of `values` (for multi: one of them was chosen)."""

    item: str
    values: frozenset[str]

    def holds(self, answers: Answers, milestones: Iterable[str]) -> bool:
        """Tell whether the item was answered with one of the values."""
        given = answers.get(self.item)
        if given is None:
            return False
        if isinstance(given, frozenset):
            return bool(given & self.values)
        return given in self.values

    def item_ids(self) -> Iterator[str]:
        """Yield the one item read."""
        yield self.item


@dataclass(frozen=True, slots=True)
class MilestoneRecorded(Condition):
    """Holds once any of the named milestones is recorded on the case."""

    names: frozenset[str]

    def holds(self, answers: Answers, milestones: Iterable[str]) -> bool:
        """Tell whether one of the milestones is recorded."""
        return not self.names.isdisjoint(milestones)

    def item_ids(self) -> Iterator[str]:
        """Yield nothing: milestones are not items."""
        yield from ()


@dataclass(frozen=True, slots=True)
class Compound(Condition):
    """A condition made of parts: the base of AllOf and AnyOf."""

    parts: tuple[Condition, ...]

    def item_ids(self) -> Iterator[str]:
        """Yield the items every part reads."""
        for part in self.parts:
            yield from part.item_ids()


@dataclass(frozen=True, slots=True)
class AllOf(Compound):
    """Holds when every part holds."""

    def holds(self, answers: Answers, milestones: Iterable[str]) -> bool:
        """Tell whether all parts hold."""
        recorded = set(milestones)
        return all(part.holds(answers, recorded) for part in self.parts)


@dataclass(frozen=True, slots=True)
class AnyOf(Compound):
    """Holds when at least one part holds."""

    def holds(self, answers: Answers, milestones: Iterable[str]) -> bool:
        """Tell whether any part holds."""
        recorded = set(milestones)
        return any(part.holds(answers, recorded) for part in self.parts)


@dataclass(frozen=True, slots=True)
class Not(Condition):
    """Holds when its part does not."""

    part: Condition

    def holds(self, answers: Answers, milestones: Iterable[str]) -> bool:
        """Tell whether the part fails."""
        return not self.part.holds(answers, milestones)

    def item_ids(self) -> Iterator[str]:
        """Yield the items the part reads."""
        yield from self.part.item_ids()


def milestones_in(condition: Condition) -> set[str]:
    if isinstance(condition, MilestoneRecorded):
        return set(condition.names)
    if isinstance(condition, Compound):
        return set().union(*(milestones_in(part) for part in condition.parts))
    if isinstance(condition, Not):
        return milestones_in(condition.part)
    return set()
