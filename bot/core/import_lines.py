"""The lines of an import file: one JSON object a line, read into typed events, with one plain
sentence for each way a line can be wrong. Nothing here reads a file, a clock or the database;
whether a line makes sense for its case is for the use case that applies it.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from bot.core.errors import InputRefused

#: What a value can be: a word or a date, options ticked, or a number.
Value = str | tuple[str, ...] | int | float


class LineRefused(InputRefused):
    """A line of an import file cannot be read; the message says what is wrong with it."""


@dataclass(frozen=True, slots=True)
class OpenLine:
    """A case opened by its officer; the report is dated the day of `at`."""

    case: str
    officer: int
    at: datetime


@dataclass(frozen=True, slots=True)
class MilestoneLine:
    """A milestone recorded on a case (an occurrence of a repeating one, or one moved)."""

    case: str
    milestone: str
    date: date
    by: int
    at: datetime | None = None
    #: Which occurrence of a repeating milestone this moves; None records a new one.
    occurrence: int | None = None


@dataclass(frozen=True, slots=True)
class StartLine:
    """A playbook started on a case (the occurrence due, for a recurring one)."""

    case: str
    playbook: str
    by: int
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """An item answered (with its reason where the answer needs one), put off, or 'not yet'."""

    case: str
    playbook: str
    item: str
    value: Value
    by: int
    reason: str | None = None
    at: datetime | None = None


ImportLine = OpenLine | MilestoneLine | StartLine | AnswerLine

#: Each event's fields: those it needs, then those it may have.
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "open": (("case", "officer", "at"), ()),
    "milestone": (("case", "milestone", "date", "by"), ("at", "occurrence")),
    "start": (("case", "playbook", "by"), ("at",)),
    "answer": (("case", "playbook", "item", "value", "by"), ("reason", "at")),
}
EVENTS = tuple(FIELDS)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_skipped(text: str) -> bool:
    """Tell whether a line is left alone: blank, or a comment starting with #."""
    kept = text.strip()
    return not kept or kept.startswith("#")


def read_object(text: str) -> dict[str, Any]:
    """The JSON object a line holds, or a refusal saying why it is not one."""
    try:
        found = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise LineRefused(
            f"This line is not valid JSON ({error.msg.lower()} at column {error.colno})."
        ) from None
    if not isinstance(found, dict):
        raise LineRefused(
            'Each line must be one JSON object, like {"event": "open", "case": ...}.'
        )
    return found


def _no_constant(name: str) -> Any:
    raise LineRefused(f"This line is not valid JSON ({name} is not a JSON value).")


def parse_line(found: dict[str, Any], zone: tzinfo) -> ImportLine:
    """A line's object read into its event; times without an offset are in `zone`."""
    event = found.get("event")
    if event is None:
        raise LineRefused(f'The line has no "event"; use {_words(EVENTS)}.')
    if event not in FIELDS:
        raise LineRefused(
            f"{json.dumps(event)} is not an event import knows; use {_words(EVENTS)}."
        )
    needed, optional = FIELDS[event]
    known = {"event", *needed, *optional}
    for key in found:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise LineRefused(
                f'A{"n" if event[0] in "aeiou" else ""} {event} line has no field "{key}"{hint}; '
                f"it takes {_words(needed + optional, 'and')}."
            )
    missing = [key for key in needed if found.get(key) is None]
    if missing:
        raise LineRefused(
            f"A{'n' if event[0] in 'aeiou' else ''} {event} line needs {_words(missing, 'and')}."
        )
    at = _time(found["at"], zone) if found.get("at") is not None else None
    case = _text(found, "case")
    if event == "open":
        assert at is not None
        return OpenLine(case, _user(found, "officer"), at)
    if event == "milestone":
        return MilestoneLine(
            case,
            _text(found, "milestone"),
            _date(found["date"]),
            _user(found, "by"),
            at,
            _occurrence(found.get("occurrence")),
        )
    if event == "start":
        return StartLine(case, _text(found, "playbook"), _user(found, "by"), at)
    reason = found.get("reason")
    if reason is not None and not (isinstance(reason, str) and reason.strip()):
        raise LineRefused('"reason" must be a few words of text.')
    return AnswerLine(
        case,
        _text(found, "playbook"),
        _text(found, "item"),
        _value(found["value"]),
        _user(found, "by"),
        " ".join(reason.split()) if reason is not None else None,
        at,
    )


def _words(names: tuple[str, ...] | list[str], last: str = "or") -> str:
    quoted = [f'"{name}"' if last == "and" else name for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} {last} {quoted[-1]}"


def _text(found: dict[str, Any], key: str) -> str:
    value = found[key]
    if not isinstance(value, str) or not value.strip():
        raise LineRefused(f'"{key}" must be text, not {json.dumps(value)}.')
    return value.strip()


def _user(found: dict[str, Any], key: str) -> int:
    value = found[key]
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise LineRefused(
            f'"{key}" must be a user id (a number, as `soteria-bot users list` shows), '
            f"not {json.dumps(value)}."
        )
    return value


def _time(value: Any, zone: tzinfo) -> datetime:
    example = "2026-10-01T09:30:00+01:00"
    if not isinstance(value, str):
        raise LineRefused(f'"at" must be a date and time like {example}, not {json.dumps(value)}.')
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise LineRefused(
            f'"at" must be a date and time like {example}, not {json.dumps(value)}.'
        ) from None
    return when.replace(tzinfo=zone) if when.tzinfo is None else when


def _date(value: Any) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise LineRefused(
            f'"date" must be a date written YYYY-MM-DD, like 2026-10-01, not {json.dumps(value)}.'
        )
    return day_of(value.strip())


def day_of(text: str) -> date:
    """A YYYY-MM-DD date, or a refusal naming the day that does not exist."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise LineRefused(f"There is no such day as {text}.") from None


def is_iso_date(text: str) -> bool:
    """Tell whether text is written YYYY-MM-DD (whether or not the day exists)."""
    return bool(_DATE.fullmatch(text))


def _occurrence(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise LineRefused(
            f'"occurrence" must be a number from 1 (the first time), not {json.dumps(value)}.'
        )
    return value


def _value(value: Any) -> Value:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise LineRefused(
        '"value" must be an answer: a word or a date as text, a list of options, or a number; '
        f"not {json.dumps(value)}."
    )
