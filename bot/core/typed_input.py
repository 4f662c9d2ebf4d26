"""What investigators type, read into values; anything else is refused with what to send instead.

Dates are read in UK order (day before month). When no year is typed, it is inferred from what
the item asks for: the most recent such day for a past date, the next one for a future date,
and the current year when either will do. `today` is always an argument: the core reads no clock.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.core.characters import refusal
from bot.core.errors import InputRefused

DateRange = Literal["past", "future", "any"]

#: Dates further than this from today are refused as typing slips (a wrong year, most often).
MAX_YEARS_AWAY = 10
#: The longest free text kept; a chat reason is a sentence or two, not a statement.
MAX_TEXT = 500

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_RELATIVE: dict[str, Callable[[date], date]] = {
    "today": lambda today: today,
    "yesterday": lambda today: today - timedelta(days=1),
    "tomorrow": lambda today: today + timedelta(days=1),
}
# re.ASCII: \d must not accept other scripts' digits, which int() would quietly read.
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})(?:\2(\d{4}|\d{2}))?", re.ASCII)
_DAY_MONTH = re.compile(r"(\d{1,2}) ?([a-z]+)\.?(?: (\d{4}|\d{2}))?", re.ASCII)
_MONTH_DAY = re.compile(r"([a-z]+)\.? (\d{1,2})(?: (\d{4}|\d{2}))?", re.ASCII)
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th)\b", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+", re.ASCII)


def parse_date(text: str, today: date, allowed: DateRange = "past") -> date:
    """Read a typed date ('3/11', '3 Nov 2026', 'yesterday'...), checked against `allowed`."""
    if allowed not in ("past", "future", "any"):
        raise ValueError(f"allowed must be past, future or any, not {allowed!r}")
    words = _tidy(text) if len(text) <= 60 else ""  # no date is longer; skip the work
    if words in _RELATIVE:
        day = _RELATIVE[words](today)
    else:
        day_month_year = _day_month_year(words)
        if day_month_year is None:
            raise InputRefused(_unreadable(allowed))
        day = _build(*day_month_year, today, allowed)
    check_range(day, today, allowed)
    return day


def _tidy(text: str) -> str:
    """Lower-case, drop ordinals, 'of' and commas, and squeeze the spaces ('3 / 11' too)."""
    words = text.lower().replace(",", " ")
    words = _ORDINAL.sub(r"\1", words)
    words = " ".join(re.sub(r"\bof\b", " ", words).split())
    return re.sub(r" ?([/-]) ?", r"\1", words).rstrip(".")


def _day_month_year(words: str) -> tuple[int, int, int | None] | None:
    """Pick the day, month and (maybe) year out of one of the accepted forms."""
    if match := _ISO.fullmatch(words):
        return int(match[4]), int(match[3]), int(match[1])
    if match := _NUMERIC.fullmatch(words):
        return int(match[1]), int(match[3]), _year(match[4])
    if (match := _DAY_MONTH.fullmatch(words)) and (month := _month(match[2])):
        return int(match[1]), month, _year(match[3])
    if (match := _MONTH_DAY.fullmatch(words)) and (month := _month(match[1])):
        return int(match[2]), month, _year(match[3])
    return None


def _month(word: str) -> int | None:
    """Return the month a word names ('nov', 'sept', 'november'), or None."""
    if len(word) < 3:
        return None
    for number, name in enumerate(_MONTHS, start=1):
        if name.lower().startswith(word):
            return number
    return None


def _year(written: str | None) -> int | None:
    """Return a typed year; two digits mean 2000-2099 (far dates are refused later anyway)."""
    if written is None:
        return None
    return 2000 + int(written) if len(written) == 2 else int(written)


def _build(day: int, month: int, year: int | None, today: date, allowed: DateRange) -> date:
    """Make the date, inferring a missing year, or say why there is no such day."""
    if not 1 <= month <= 12:
        raise InputRefused(f"There is no month {month}. Send the date as day/month, like 3/11.")
    name = _MONTHS[month - 1]
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:  # 2000 was a leap year
        raise InputRefused(f"There is no {day} {name}. Send the date as day/month, like 3/11.")
    if year is None:
        year = _infer_year(day, month, today, allowed)
    if not 1 <= year <= 9999 or day > calendar.monthrange(year, month)[1]:
        raise InputRefused(
            f"There is no {day} {name} in {year}. Check the date and send it again."
        )
    return date(year, month, day)


def _infer_year(day: int, month: int, today: date, allowed: DateRange) -> int:
    """Pick the year for a day and month typed alone: the most recent such day for a past date,
    the next for a future one, and the nearest to today when either will do ("28/2" typed in
    December is next February, not the one ten months ago)."""
    typed, now = (month, day), (today.month, today.day)
    if allowed == "past" and typed > now:
        return today.year - 1
    if allowed == "future" and typed < now:
        return today.year + 1
    if allowed == "past" or allowed == "future":
        return today.year
    candidates = [
        date(year, month, day)
        for year in (today.year - 1, today.year, today.year + 1)
        if day <= calendar.monthrange(year, month)[1]
    ]
    if not candidates:  # 29 February with no leap year near: say so for this year
        return today.year
    return min(candidates, key=lambda when: (abs((when - today).days), when)).year


def check_range(day: date, today: date, allowed: DateRange) -> None:
    """Refuse dates on the wrong side of today, or implausibly far from it."""
    if allowed == "past" and day > today:
        raise InputRefused("That date is in the future; send the date it happened.")
    if allowed == "future" and day < today:
        raise InputRefused("That date has passed; send a date still to come.")
    if day < _years_from(today, -MAX_YEARS_AWAY):
        raise InputRefused(f"That is more than {MAX_YEARS_AWAY} years ago; check the year.")
    if day > _years_from(today, MAX_YEARS_AWAY):
        raise InputRefused(f"That is more than {MAX_YEARS_AWAY} years ahead; check the year.")


def _years_from(today: date, years: int) -> date:
    """Return the same day some years away (28 February standing in for 29 February)."""
    year = today.year + years
    return date(year, today.month, min(today.day, calendar.monthrange(year, today.month)[1]))


def _unreadable(allowed: DateRange) -> str:
    word = {"past": ", or yesterday", "future": ", or tomorrow", "any": ""}[allowed]
    return f"That is not a date I can read. Send it as day/month, like 3/11{word}."


def parse_number(text: str, minimum: float | None = None, maximum: float | None = None) -> float:
    """Read a typed number ('3', '2.5', '1,200'), checked against the item's bounds."""
    written = "".join(text.split())
    if len(written) > 30 or not _NUMBER.fullmatch(written):
        example = _number_words(minimum) if minimum is not None else "3"
        raise InputRefused(f"Send a number, like {example}.")
    value = float(written.replace(",", ""))
    if not math.isfinite(value):
        raise InputRefused("That number is too big. Send a smaller one.")
    if minimum is not None and value < minimum:
        raise InputRefused(
            f"That is less than {_number_words(minimum)}. {_bounds(minimum, maximum)}"
        )
    if maximum is not None and value > maximum:
        raise InputRefused(
            f"That is more than {_number_words(maximum)}. {_bounds(minimum, maximum)}"
        )
    return value


def _bounds(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f"Send a number from {_number_words(minimum)} to {_number_words(maximum)}."
    if minimum is not None:
        return f"Send a number of at least {_number_words(minimum)}."
    return f"Send a number no more than {_number_words(maximum or 0)}."


def _number_words(value: float) -> str:
    """Write a number as a person would: '10', not '10.0'; '1,200'."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def check_text(text: str) -> str:
    """Return typed free text without surrounding spaces, refusing it when empty, too long, or
    holding a control or bidirectional character (see `characters.py`)."""
    kept = text.strip()
    if not kept:
        raise InputRefused("That message is empty. Type a few words, or tap a button.")
    if len(kept) > MAX_TEXT:
        raise InputRefused(f"That is {len(kept):,} characters; keep it under {MAX_TEXT}.")
    unsafe = refusal(kept)
    if unsafe is not None:
        raise InputRefused(unsafe)
    return kept


@dataclass(frozen=True, slots=True)
class CrimeReferenceFormat:
    """The shape of a force's crime references, with an example to show investigators."""

    pattern: re.Pattern[str]
    example: str

    @classmethod
    def of(cls, pattern: str, example: str) -> CrimeReferenceFormat:
        """Build a format from a regular expression, checking that the example fits it."""
        compiled = re.compile(pattern)
        if not compiled.fullmatch(example):
            raise ValueError(f"the example {example!r} does not match {pattern!r}")
        return cls(compiled, example)


# A first part (force number or prefix), then one to four more parts joined by slashes or
# hyphens: 43/12345/26, CR/0123456/26, 5201234/26, 2026-00123456. One run of four digits or
# more (the serial number) keeps a date such as 3/11/26 from passing for a reference.
DEFAULT_CRIME_REFERENCE = CrimeReferenceFormat.of(
    r"(?=.*[0-9]{4})[A-Z0-9]{1,12}(?:[/-][A-Z0-9]{1,12}){1,4}", "43/12345/26"
)
_AROUND_SEPARATORS = re.compile(r" ?([/-]) ?")


def normalise_crime_reference(
    text: str, fmt: CrimeReferenceFormat = DEFAULT_CRIME_REFERENCE
) -> str:
    """Return a crime reference in upper case without spaces, or refuse one of the wrong shape."""
    # Spaces around separators are slips ("43 / 12345 / 26"); any other space joins something
    # else on, such as a name ("43/12345/26 John"), so it is refused rather than squeezed out.
    reference = _AROUND_SEPARATORS.sub(r"\1", " ".join(text.split())).upper()
    # A reference always carries a number; a digit-free one is most likely a name.
    if not any(c in "0123456789" for c in reference) or not fmt.pattern.fullmatch(reference):
        raise InputRefused(
            f"That does not look like a crime reference. Send it like {fmt.example} — no names."
        )
    # One crime, one spelling: "43-90001-26" is "43/90001/26" wherever the force's format
    # takes either separator.
    slashed = reference.replace("-", "/")
    return slashed if fmt.pattern.fullmatch(slashed) else reference
