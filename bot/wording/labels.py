"""Labels people read: answer words, status marks and words, due dates said relative to today."""

from __future__ import annotations

import json
from datetime import date, datetime

from bot.core.playbook import Item

ANSWER_LABELS = {"yes": "Yes", "no": "No", "na": "N/A"}
#: How each item status is marked in a chat summary and in an answered question's record line.
MARKS = {
    "done": "✓",
    "not-done": "✗",
    "na": "–",
    "later": "…",
    "not-yet": "○",
    "open": "·",
    "needs-reason": "?",
    "to-countersign": "✎",
    "not-live": " ",
}
#: Each item status in words, for reports.
STATUS_WORDS = {
    "done": "done",
    "not-done": "not done",
    "na": "n/a",
    "later": "later",
    "not-yet": "not yet",
    "open": "open",
    "needs-reason": "reason due",
    "to-countersign": "to countersign",
    "not-live": "not asked",
}
#: A run's state as people say it, for summaries and case views.
RUN_STATE_WORDS = {
    "not_started": "not started",
    "asking": "in progress",
    "awaiting_reason": "waiting for a reason",
    "paused": "paused",
    "review": "ready to submit",
    "submitted": "submitted for review",
    "signed_off": "signed off",
    "returned": "returned for changes",
    "moved": "moved to a newer version",
    "closed": "closed",
}
#: A case's risk as people say it, for supervisors.
RISK_WORDS = {
    "escalated": "escalated",
    "overdue": "overdue",
    "challenged": "challenged",
    "due-soon": "due soon",
    "on-track": "on track",
    "closed": "closed",
}
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def answer_label(answer: str) -> str:
    """The button text for an answer word."""
    return ANSWER_LABELS.get(answer, answer)


def shown_value(item: Item, value: str) -> str:
    """An answer as a person reads it: labels for answer words, several options in the
    trainer's order, a date in the chat's one style."""
    if item.type == "multi":
        try:
            chosen = json.loads(value)
        except ValueError:
            return value
        # Older answers were kept sorted by name; people read them in the order of the buttons.
        ordered = [o for o in item.options if o in chosen] + [
            o for o in chosen if o not in item.options
        ]
        return ", ".join(ordered) if ordered else "none"
    if item.type == "date":
        try:
            return full_date(date.fromisoformat(value))
        except ValueError:
            return value
    return answer_label(value)


def plain_value(value: str) -> str:
    """An answer as kept, read without its item: answer words, lists and dates in words."""
    if value.startswith("["):
        try:
            return ", ".join(json.loads(value))
        except ValueError:
            return value
    try:
        return full_date(date.fromisoformat(value))
    except ValueError:
        return answer_label(value)


def run_state(state: str) -> str:
    """A run's state in words ('in progress', never 'asking')."""
    return RUN_STATE_WORDS.get(state, state.replace("_", " "))


def cut(text: str, limit: int) -> str:
    """Text cut to `limit` characters at a word, with '…' where anything was left out."""
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    ends_a_word = not text[limit - 1].isalnum()
    at_word = room if ends_a_word or " " not in room else room.rsplit(" ", 1)[0]
    # A word of its own longer than half the room is cut inside it rather than dropped.
    kept = at_word if len(at_word) >= limit // 2 else room
    return kept.rstrip(" ,;:-–—(") + "…"


def sentence(words: str) -> str:
    """Words with the first letter made a capital, and the rest as they were ('Tue', 'Nov')."""
    return words[:1].upper() + words[1:]


def counted(count: int, noun: str) -> str:
    """Say a count with its noun: '1 section', '3 sections'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def short_date(day: date, today: date) -> str:
    """Say a date briefly for a phone: 'Fri 27 Nov', with the year only when it differs."""
    words = f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]}"
    return words if day.year == today.year else f"{words} {day.year}"


def full_date(day: date) -> str:
    """A date of record, with its year: 'Sat 28 Nov 2026'."""
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def stamp(at: datetime, today: date) -> str:
    """When something was done, in local time: 'Wed 2 Dec 06:06', the year only when it differs."""
    return f"{short_date(at.date(), today)} {at:%H:%M}"


def describe_due(due: date, today: date) -> str:
    """Say when something is due, relative to today: 'due in 3 days (Fri 27 Nov)'."""
    days = (due - today).days
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    if days > 1:
        return f"due in {days} days ({short_date(due, today)})"
    return f"overdue by {counted(-days, 'day')} (was due {short_date(due, today)})"


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st: which occurrence of an event."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
