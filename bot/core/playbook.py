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
    #: It can happen many times (bail extended, trial listed): each occurrence is kept.
    repeats: bool = False
    #: Milestones it cannot come before (a verdict is not before the trial).
    not_before: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Duration:
    """A span of calendar days, weeks or working days, possibly a force setting."""

    amount: int
    unit: Literal["d", "w", "wd", "mo"]
    setting: str | None = None

    def in_words(self) -> str:
        """Say the span as a person would: '5 working days', '1 week', '3 months'."""
        noun = {"d": "day", "w": "week", "wd": "working day", "mo": "month"}[self.unit]
        return f"{self.amount} {noun}{'' if self.amount == 1 else 's'}"

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


@dataclass(frozen=True, slots=True)
class DueRule:
    """When an item falls due: a span within (after) or before a milestone or a date item.

    `milestone` names a milestone, or, when `of_item` is set, an earlier date item whose
    answer the span counts from.
    """

    relation: Literal["within", "before"]
    span: Duration
    milestone: str
    of_item: bool = False


@dataclass(frozen=True, slots=True)
class Repeat:
    """A recurring playbook: due every span from a milestone, and/or at each of some milestones."""

    every: Duration | None
    start: str | None
    on: tuple[str, ...] = ()
    #: How long a missed occurrence may wait before the supervisor is told.
    escalate: Duration | None = None

    def milestones(self) -> tuple[str, ...]:
        """Every milestone the schedule counts from or falls on."""
        return ((self.start,) if self.start else ()) + self.on


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
    #: Asked again for every occurrence of this repeating milestone.
    each: str | None = None
    #: Which occurrence of `each` this copy of the item asks about (1 for the first); 0 when
    #: the item is not asked per occurrence.
    occurrence: int = 0
    #: Can be answered "not yet": the event it asks about has not happened.
    not_yet: bool = False
    #: The same fact as an item of another playbook ("playbook/item"): answered once.
    same_as: str | None = None
    #: Answers offered only while a condition holds: (answer, condition).
    offered: tuple[tuple[str, Condition], ...] = ()
    #: Options of a multi item that cannot be ticked with any other.
    exclusive: tuple[str, ...] = ()
    #: Reason presets for one answer only: (answer, presets); `reasons` serves the rest.
    reasons_by_answer: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: A date the investigator can take with one tap, worked out from a milestone.
    computed: DueRule | None = None

    @property
    def base_id(self) -> str:
        """The id the trainer wrote: without the occurrence a per-occurrence copy carries."""
        return self.id.split("@", 1)[0]

    def presets(self, answer: str) -> tuple[str, ...]:
        """The reason presets offered for one answer."""
        for word, presets in self.reasons_by_answer:
            if word == answer:
                return presets
        return labelled_for(self.reasons, answer)

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
    #: The milestones any of which starts the playbook on a case.
    starts: tuple[str, ...] = ()
    repeat: Repeat | None = None
    #: Who answers it: None for the case's investigator, "supervisor" for the team's supervisors.
    role: str | None = None
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
        used: set[str] = set(self.starts)
        if self.repeat:
            used.update(self.repeat.milestones())
        for item in self.items:
            if item.due and not item.due.of_item:
                used.add(item.due.milestone)
            if item.each:
                used.add(item.each)
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


#: How a preset in a plain list says which answer it is for (written before presets could be
#: given per answer, and still in many playbooks).
PRESET_LABELS = {"no": "No:", "na": "N/A:"}


def labelled_for(reasons: tuple[str, ...], answer: str) -> tuple[str, ...]:
    """The presets of a plain list for one answer: those labelled with another answer are left
    out, and the label is dropped from those kept ('No: awaiting…' -> 'Awaiting…')."""
    found = []
    for reason in reasons:
        word = next((w for w, label in PRESET_LABELS.items() if reason.startswith(label)), None)
        if word is None:
            found.append(reason)
        elif word == answer:
            rest = reason[len(PRESET_LABELS[word]) :].strip()
            found.append(rest[:1].upper() + rest[1:])
    return tuple(found)
