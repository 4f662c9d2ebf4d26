"""What each item type takes as an answer: its values, its checks, how the log keeps it, and how
typed text is read into it. One kind per type: a new item type is one class here (with a row of
buttons in the conversation and a label in the wording).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from bot.core.errors import InputRefused
from bot.core.typed_input import DateRange, check_range, parse_date, parse_number

if TYPE_CHECKING:
    from bot.core.playbook import Item

#: A logged answer as conditions compare it: a word, or the set of options ticked.
Decoded = str | frozenset[str]


class AnswerKind:
    """One item type's answers. The defaults suit a type answered with a word of its own."""

    #: The type's name, as trainers write it in `type:`.
    name: ClassVar[str] = ""
    #: Its answers can be named by conditions, `reason` and `open` (fixed words or options).
    named: ClassVar[bool] = False
    #: It is answered by typing (a date, a number, a note), not only with buttons.
    typed: ClassVar[bool] = False
    #: What is typed is free text, screened for personal details before it is read.
    free_text: ClassVar[bool] = False

    def values(self, item: Item) -> tuple[str, ...]:
        """The answers a button can give (none for a typed answer)."""
        return ()

    def check(self, item: Item, value: Any) -> Any:
        """The value as the run keeps it, or a refusal saying what to send instead."""
        raise NotImplementedError

    def encode(self, item: Item, value: Any) -> str:
        """A checked value as the log keeps it."""
        return str(value)

    def decode(self, item: Item, text: str) -> Decoded:
        """A logged answer read back as conditions compare it."""
        return text

    def read(self, item: Item, text: str, today: date) -> Any:
        """Typed text read into a value, or a refusal saying what to type."""
        raise InputRefused("Please answer with the buttons.")


class Fixed(AnswerKind):
    """Answers from a fixed set of words."""

    named = True
    words: ClassVar[tuple[str, ...]] = ()

    def values(self, item: Item) -> tuple[str, ...]:
        """The type's own words."""
        return self.words

    def check(self, item: Item, value: Any) -> Any:
        """One of the words."""
        if value not in self.values(item):
            raise InputRefused("Choose one of the answers on the buttons.")
        return value


class YesNo(Fixed):
    """Yes or no."""

    name = "yes-no"
    words = ("yes", "no")


class YesNoNa(Fixed):
    """Yes, no or not applicable."""

    name = "yes-no-na"
    words = ("yes", "no", "na")


class Choice(Fixed):
    """One of the trainer's options."""

    name = "choice"

    def values(self, item: Item) -> tuple[str, ...]:
        """The item's options."""
        return item.options


class Multi(AnswerKind):
    """Any number of the trainer's options, at least one; kept as a JSON list in their order."""

    name = "multi"
    named = True

    def values(self, item: Item) -> tuple[str, ...]:
        """The item's options."""
        return item.options

    def check(self, item: Item, value: Any) -> frozenset[str]:
        """A non-empty set of the item's options."""
        many = isinstance(value, Iterable) and not isinstance(value, str)
        chosen = frozenset(value) if many else frozenset()
        if not chosen or not chosen <= set(item.options):
            raise InputRefused("Choose at least one of the options, then Done.")
        alone = [option for option in item.exclusive if option in chosen]
        if alone and len(chosen) > 1:
            raise InputRefused(f"'{alone[0]}' can't be ticked with anything else.")
        return chosen

    def encode(self, item: Item, value: Any) -> str:
        """The options ticked, as a JSON list in the order the trainer wrote them."""
        return json.dumps([o for o in item.options if o in value], ensure_ascii=False)

    def decode(self, item: Item, text: str) -> Decoded:
        """The set of options ticked."""
        return frozenset(json.loads(text))


class DateKind(AnswerKind):
    """A date, typed or tapped (today, yesterday)."""

    name = "date"
    typed = True

    def check(self, item: Item, value: Any) -> date:
        """A date."""
        if not isinstance(value, date):
            raise InputRefused("Send a date, like 3/11, or tap a day.")
        return value

    def encode(self, item: Item, value: Any) -> str:
        """ISO, YYYY-MM-DD."""
        return value.isoformat() if isinstance(value, date) else str(value)

    def read(self, item: Item, text: str, today: date) -> date:
        """A typed date, on the side of today the item allows."""
        return parse_date(text, today, date_range(item))


def date_range(item: Item) -> DateRange:
    """Which side of today a date item takes: the past, unless its playbook says otherwise."""
    return "future" if item.dates == "future" else ("any" if item.dates == "any" else "past")


def button_days(item: Item) -> tuple[str, ...]:
    """The days a date item's buttons offer, each one it can take: a date still to come has
    Today and Tomorrow, any other Today and Yesterday."""
    return ("today", "tomorrow") if date_range(item) == "future" else ("today", "yesterday")


def check_day(item: Item, day: date, today: date) -> None:
    """Refuse (InputRefused) a date a button gave on the wrong side of today for the item."""
    check_range(day, today, date_range(item))


def takes_day(item: Item, day: date, today: date) -> bool:
    """Whether the item would take this date today (a button is offered only if so)."""
    try:
        check_day(item, day, today)
    except InputRefused:
        return False
    return True


class Number(AnswerKind):
    """A number, within the item's bounds."""

    name = "number"
    typed = True

    def check(self, item: Item, value: Any) -> int | float:
        """A number (not a bool)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputRefused("Send a number.")
        return value

    def read(self, item: Item, text: str, today: date) -> int | float:
        """A typed number, whole where it is whole."""
        number = parse_number(text, item.min, item.max)
        return int(number) if float(number).is_integer() else number


class Text(AnswerKind):
    """A short note (screened for personal details before it gets here)."""

    name = "text"
    typed = True
    free_text = True

    def check(self, item: Item, value: Any) -> str:
        """Some words, spaces tidied."""
        if not isinstance(value, str) or not value.strip():
            raise InputRefused("Send a short note.")
        return " ".join(value.split())

    def read(self, item: Item, text: str, today: date) -> str:
        """The note as typed."""
        return text


class Info(AnswerKind):
    """Something to read and acknowledge with OK."""

    name = "info"

    def check(self, item: Item, value: Any) -> str:
        """Always 'ok'."""
        return "ok"


KINDS: Mapping[str, AnswerKind] = {
    kind.name: kind
    for kind in (YesNo(), YesNoNa(), Choice(), Multi(), DateKind(), Number(), Text(), Info())
}
#: Types whose answers conditions, `reason` and `open` can name.
NAMED_TYPES = tuple(name for name, kind in KINDS.items() if kind.named)


def kind_of(item: Item) -> AnswerKind:
    """The answer kind of an item's type."""
    return KINDS[item.type]
