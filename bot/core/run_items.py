"""The items a run asks: the playbook's own, and one copy of each `each` item per occurrence
of its milestone (`victim-told-trial-date@2` for the second listing of the trial).

Copies are numbered for buttons so that a new occurrence never moves the others: the copy for
occurrence N of the item at position P is number P + 1000 * N.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.core.events import Events
from bot.core.playbook import Item, Playbook

#: How far apart the button numbers of an item's copies are, one per occurrence.
OCCURRENCE_STEP = 1000


class RunItems:
    """A run's items over the case's events: expanded again whenever an occurrence is added."""

    def __init__(self, playbook: Playbook, events: Events) -> None:
        self.playbook = playbook
        self.events = events
        #: Each milestone's latest date: what conditions and most due rules read.
        self.milestones: dict[str, date] = events.latest_dates()
        self._each = [item.each for item in playbook.items if item.each]
        self._expanded: tuple[int, tuple[Item, ...]] | None = None
        self._items: dict[str, Item] = {}
        self._numbers: dict[str, int] = {}
        self._readers: dict[str, tuple[str, ...]] = {}
        self._expand()

    def _expand(self) -> tuple[Item, ...]:
        """The run's items, worked out again only when the case's events change (an `each`
        milestone gaining an occurrence adds copies)."""
        key = self.events.signature() if self._each else 0
        if self._expanded is not None and self._expanded[0] == key:
            return self._expanded[1]
        items: list[Item] = []
        numbers: dict[str, int] = {}
        for number, item in enumerate(self.playbook.items):
            if item.each is None:
                items.append(item)
                numbers[item.id] = number
                continue
            for occurrence in range(1, self.events.count(item.each) + 1):
                copy = replace(item, id=f"{item.id}@{occurrence}", occurrence=occurrence)
                items.append(copy)
                numbers[copy.id] = number + OCCURRENCE_STEP * occurrence
        self._items = {item.id: item for item in items}
        self._numbers = numbers
        self._readers = _readers(items)
        self._expanded = (key, tuple(items))
        return self._expanded[1]

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item of the run in order, one copy per occurrence for `each` items."""
        return self._expand()

    def item(self, item_id: str) -> Item:
        """One item of the run (a per-occurrence copy by its `item@N` id); KeyError if none."""
        self._expand()
        return self._items[item_id]

    def number(self, item_id: str) -> int:
        """The number a button names an item by; stable as occurrences are added."""
        self._expand()
        return self._numbers[item_id]

    def has_item(self, item_id: str) -> bool:
        """Tell whether the run asks an item (a per-occurrence copy by its `item@N` id)."""
        self._expand()
        return item_id in self._items

    def readers_of(self, item_id: str) -> tuple[str, ...]:
        """The items whose standing reads this one's answer: those asked only under a
        condition naming it, and those due a span from it."""
        self._expand()
        return self._readers.get(item_id, ())

    def item_at(self, number: int) -> Item | None:
        """The item a button's number names, if the run has it."""
        base, occurrence = number % OCCURRENCE_STEP, number // OCCURRENCE_STEP
        if base >= len(self.playbook.items):
            return None
        item_id = self.playbook.items[base].id
        if occurrence:
            item_id = f"{item_id}@{occurrence}"
        self._expand()
        return self._items.get(item_id)

    def record_event(self, name: str, when: date, number: int | None = None) -> None:
        """Take a newly recorded (or moved) occurrence of a milestone into account."""
        self.events.record(name, when, number)
        self.milestones = self.events.latest_dates()
        self._expand()


def _readers(items: list[Item]) -> dict[str, tuple[str, ...]]:
    """For each item, the items that read its answer (see `RunItems.readers_of`)."""
    found: dict[str, list[str]] = {}
    for item in items:
        read = set(item.when.item_ids()) if item.when is not None else set()
        if item.due is not None and item.due.of_item:
            read.add(item.due.milestone)
        for name in read:
            found.setdefault(name, []).append(item.id)
    return {name: tuple(ids) for name, ids in found.items()}
