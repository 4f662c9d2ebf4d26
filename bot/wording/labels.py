"""Labels people read: answer words, status marks and words, due dates said relative to today."""

from __future__ import annotations

import json
from datetime import date

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
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def answer_label(answer: str) -> str:
    """The button text for an answer word."""
    return ANSWER_LABELS.get(answer, answer)


def shown_value(item: Item, value: str) -> str:
    """An answer as a person reads it: labels for answer words, a list for several options."""
    if item.type == "multi":
        try:
            chosen = json.loads(value)
        except ValueError:
            return value
        return ", ".join(chosen) if chosen else "none"
    return answer_label(value)


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


def describe_due(due: date, today: date) -> str:
    """Say when something is due, relative to today: 'due in 3 days (Fri 27 Nov)'."""
    days = (due - today).days
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    if days > 1:
        return f"due in {days} days ({short_date(due, today)})"
    late = -days
    return f"overdue by {late} day{'' if late == 1 else 's'} (was due {short_date(due, today)})"


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st: which occurrence of an event."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
