"""The playbook model: sections of items, with their answers, conditions and due rules.

Parsing trainers' data into this model lives in `bot.core.parsing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.core.answers import KINDS, NAMED_TYPES, Fixed, kind_of
from bot.core.condition import Condition, milestones_in
from bot.core.errors import DocPath

#: Every item type, as trainers write it: one answer kind each (see `bot.core.answers`).
ITEM_TYPES = tuple(KINDS)
#: What an item is aimed at; "intrusion" marks a request into the victim's own records or devices.
FOCUSES = ("suspect", "victim", "context", "intrusion")
DATE_RANGES = ("past", "future", "any")
#: The answers each fixed-answer type can give; choice and multi take theirs from `options`.
FIXED_ANSWERS: Mapping[str, tuple[str, ...]] = {
    name: kind.words for name, kind in KINDS.items() if isinstance(kind, Fixed) and kind.words
}
#: Types whose answers conditions, `reason` and `open` can name.
ANSWER_TYPES = NAMED_TYPES


@dataclass(frozen=True, slots=True)
class Milestone:
    """A dated event in a case (report, arrest, charge...) that items and due dates hang on."""

    id: str
    title: str
    phrase: str
    dates: str = "past"


@dataclass(frozen=True, slots=True)
class Duration:
    """A span of calendar days, weeks or working days, possibly a force setting."""

    amount: int
    unit: Literal["d", "w", "wd"]
    setting: str | None = None

    def in_words(self) -> str:
        """Say the span as a person would: '5 working days', '1 week'."""
        noun = {"d": "day", "w": "week", "wd": "working day"}[self.unit]
        return f"{self.amount} {noun}{'' if self.amount == 1 else 's'}"

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


@dataclass(frozen=True, slots=True)
class DueRule:
    """When an item falls due: a span within (after) or before a milestone."""

    relation: Literal["within", "before"]
    span: Duration
    milestone: str


@dataclass(frozen=True, slots=True)
class Repeat:
    """A recurring playbook: a new run every span, counted from a milestone."""

    every: Duration
    start: str


@dataclass(frozen=True, slots=True)
class Item:
    """One question an investigator answers in one tap."""

    id: str
    ask: str
    type: str
    path: DocPath = ()
    options: tuple[str, ...] = ()
    reason: frozenset[str] = frozenset()
    reasons: tuple[str, ...] = ()
    guidance: str | None = None
    when: Condition | None = None
    due: DueRule | None = None
    escalate: Duration | None = None
    sets: str | None = None
    dates: str = "past"
    opens: tuple[tuple[str, str], ...] = ()
    required: bool = True
    min: float | None = None
    max: float | None = None
    focus: str | None = None
    countersign: bool = False

    @property
    def answers(self) -> tuple[str, ...]:
        """The answers a button can give (empty for date, number, text and info)."""
        return kind_of(self).values(self)

    def needs_reason(self, value: str | frozenset[str]) -> bool:
        """Tell whether this answer must be explained before the item counts as done."""
        if isinstance(value, frozenset):
            return bool(value & self.reason)
        return value in self.reason


@dataclass(frozen=True, slots=True)
class Section:
    """A titled group of items."""

    id: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class SettingUse:
    """A place where a playbook uses a force setting, with the default it gives there."""

    name: str
    default: Duration
    path: DocPath


@dataclass(frozen=True, slots=True)
class Playbook:
    """A checklist of sections and items, as a trainer wrote it."""

    id: str
    title: str
    version: int
    sections: tuple[Section, ...]
    summary: str | None = None
    starts: str | None = None
    repeat: Repeat | None = None
    settings: tuple[SettingUse, ...] = field(default=())
    # Worked out once: a run asks for the items in order, and by id, on every tap.
    _items: tuple[Item, ...] = field(init=False, repr=False, compare=False, default=())
    _by_id: dict[str, Item] = field(init=False, repr=False, compare=False, default_factory=dict)
    _numbers: dict[str, int] = field(init=False, repr=False, compare=False, default_factory=dict)
    _sections: dict[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        flat = tuple(item for section in self.sections for item in section.items)
        object.__setattr__(self, "_items", flat)
        object.__setattr__(self, "_by_id", {item.id: item for item in reversed(flat)})
        numbers = {item.id: number for number, item in reversed(list(enumerate(flat)))}
        object.__setattr__(self, "_numbers", numbers)
        sections = {
            item.id: section.id for section in reversed(self.sections) for item in section.items
        }
        object.__setattr__(self, "_sections", sections)

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item, in the order an investigator meets them."""
        return self._items

    def item(self, item_id: str) -> Item:
        """Return the item with this id (KeyError when there is none)."""
        return self._by_id[item_id]

    def number(self, item_id: str) -> int:
        """The item's place in the playbook, counting from 0 (KeyError when there is none)."""
        return self._numbers[item_id]

    def section_of(self, item_id: str) -> str:
        """The id of the section an item is in (KeyError when there is none)."""
        return self._sections[item_id]

    def milestones_used(self) -> frozenset[str]:
        """Every milestone the playbook reads or records."""
        used: set[str] = set()
        if self.starts:
            used.add(self.starts)
        if self.repeat:
            used.add(self.repeat.start)
        for item in self.items:
            if item.due:
                used.add(item.due.milestone)
            if item.sets:
                used.add(item.sets)
            if item.when:
                used |= milestones_in(item.when)
        return frozenset(used)


def effective(span: Duration, force_settings: Mapping[str, Duration]) -> Duration:
    """Return the span a force actually uses: its setting's value, or the playbook's default."""
    if span.setting and span.setting in force_settings:
        chosen = force_settings[span.setting]
        return Duration(chosen.amount, chosen.unit, span.setting)
    return span
