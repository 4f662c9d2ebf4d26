"""The screen on free text: personal details that must never be typed into a messaging app.

A hit only asks the investigator to rephrase, so for numbers with a published shape (phone,
NHS, National Insurance, passport, driving licence, vehicle registration, postcode) the screen
leans towards catching. Names, addresses and dates of birth are judged by their context ("victim
Jane", "spoke to Kyle", "12 High Street", "born 3/4/90"), because ordinary notes such as "Victim
Personal Statement taken", "Suspect Remanded" or "arrested 3/11" must pass every time.

Text is normalised first, so that look-alike characters, invisible characters and spaced-out
digits do not slip past: what a person reads is what the screen reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import Literal

from bot.core.screen_contacts import address_spans, email_at, email_spans, handle_at, phone_at
from bot.core.screen_names import TOKEN, health_at, name_at, religion_at
from bot.core.screen_places import (
    address_at,
    birth_at,
    licence_at,
    nhs_at,
    ni_at,
    passport_at,
    plate_at,
    postcode_at,
)
from bot.core.screen_text import lower_in_place, normalise, squeezed

Kind = Literal[
    "name",
    "phone",
    "email",
    "social media handle",
    "postcode",
    "address",
    "date of birth",
    "national insurance number",
    "nhs number",
    "passport number",
    "driving licence number",
    "vehicle registration",
    "health",
    "religion",
]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]

_PHRASES = {
    "name": "a name",
    "phone": "a phone number",
    "email": "an email address",
    "social media handle": "a social media handle",
    "postcode": "a postcode",
    "address": "an address",
    "date of birth": "a date of birth",
    "national insurance number": "a National Insurance number",
    "nhs number": "an NHS number",
    "passport number": "a passport number",
    "driving licence number": "a driving licence number",
    "vehicle registration": "a vehicle registration",
    "health": "a health detail",
    "religion": "a mention of religion",
}

# The focus of an item on which health and religion are screened too (see `Item.focus`).
VICTIM_FOCUS = "victim"


class View:
    """One reading of a message, with what several finders need worked out once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lower = lower_in_place(text)

    @cached_property
    def tokens(self) -> list[re.Match[str]]:
        """The words, with possessives and numbers glued on ("victim's", "S1")."""
        return list(TOKEN.finditer(self.text))

    @cached_property
    def shouting(self) -> bool:
        """Tell whether the message is written mostly in capitals, so capitals say nothing."""
        letters = sum(map(str.isalpha, self.text))
        return letters >= 12 and sum(map(str.isupper, self.text)) > 0.6 * letters

    @cached_property
    def email_spans(self) -> list[tuple[int, int]]:
        """Where the e-mail addresses are, found once for the e-mail and name finders."""
        return email_spans(self)

    @cached_property
    def for_names(self) -> View:
        """The same reading with e-mail addresses and handles blanked out."""
        blanked = self.text
        for start, end in address_spans(self):
            blanked = blanked[:start] + " " * (end - start) + blanked[end:]
        return self if blanked == self.text else View(blanked)


# --- the screen ------------------------------------------------------------------------------

Finder = Callable[[View], int | None]
_FINDERS: tuple[tuple[Kind, Finder], ...] = (
    ("name", name_at),
    ("phone", phone_at),
    ("email", email_at),
    ("social media handle", handle_at),
    ("postcode", postcode_at),
    ("address", address_at),
    ("date of birth", birth_at),
    ("national insurance number", ni_at),
    ("nhs number", nhs_at),
    ("passport number", passport_at),
    ("driving licence number", licence_at),
    ("vehicle registration", plate_at),
)
_VICTIM_FINDERS: tuple[tuple[Kind, Finder], ...] = (
    ("health", health_at),
    ("religion", religion_at),
)


def screen(text: str, *, focus: str | None = None) -> list[Kind]:
    """Return the kinds of personal detail found in the text, in the order they appear.

    On an item whose focus is the victim, health and religion count as personal details too.
    """
    finders = _FINDERS + _VICTIM_FINDERS if focus == VICTIM_FOCUS else _FINDERS
    plain = normalise(text)
    joined = squeezed(plain)
    views = [View(plain)] if joined == plain else [View(plain), View(joined)]
    first: dict[Kind, int] = {}
    for view in views:
        for kind, finder in finders:
            if kind in first:
                continue  # the squeezed reading looks only for what the plain one missed
            position = finder(view)
            if position is not None:
                first[kind] = position
    return sorted(first, key=lambda kind: (first[kind], KINDS.index(kind)))


def describe(kinds: Iterable[str]) -> str:
    """Name what the screen found, in a few words that never repeat the text itself."""
    phrases = [_PHRASES[kind] for kind in dict.fromkeys(kinds)]
    if not phrases:
        return "personal details"
    return phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"


def warning(kinds: Iterable[str]) -> str:
    """Say in one sentence what the screen found, and ask for a rephrase."""
    ask = "Please don't type personal details here — rephrase without them."
    kinds = list(kinds)
    if not kinds:
        return ask
    return f"That looks like {describe(kinds)}. {ask}"


def screen_lines(lines: Iterable[str], *, focus: str | None = None) -> Iterator[str]:
    """Judge each line as the chat would: "ok", or "refused", a tab and what was found."""
    for line in lines:
        kinds = screen(line.rstrip("\r\n"), focus=focus)
        yield f"refused\t{describe(kinds)}" if kinds else "ok"
