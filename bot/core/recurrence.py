"""When a recurring playbook (the supervisory review) falls due on a case, from its events.

Each occurrence is due on its date whether or not anyone was using the bot that day: the
schedule is worked out from the case's events and today, never stored. An occurrence is known by
the day it falls due, which stays put when a later milestone adds an occurrence in between.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from bot.core.events import Events
from bot.core.playbook import Duration, Repeat, effective
from bot.core.schedule import add_days

#: The most occurrences a schedule lists: a case of ten years at one every 28 days.
MOST = 200


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One time a recurring playbook falls due: its day, and what brought it (a milestone's
    name, or None for the regular interval)."""

    due: date
    because: str | None = None


def occurrences(
    repeat: Repeat,
    events: Events,
    until: date,
    holidays: Container[date],
    settings: Mapping[str, Duration],
) -> list[Occurrence]:
    """Every occurrence due on or before `until`, and the first one after it, oldest first.

    Regular ones fall every `every` from the first `from` milestone (the first is one interval
    after it); milestone ones on each occurrence of each `on` milestone. Two on one day are one.
    """
    found: dict[date, Occurrence] = {}
    for name in repeat.on:
        for when in events.all(name):
            found.setdefault(when, Occurrence(when, name))
    regular = list(_regular(repeat, events, until, holidays, settings))
    for when in regular:
        found.setdefault(when, Occurrence(when))
    due = sorted(found.values(), key=lambda occurrence: occurrence.due)
    past = [occurrence for occurrence in due if occurrence.due <= until]
    later = [occurrence for occurrence in due if occurrence.due > until]
    return (past + later[:1])[-MOST:]


def _regular(
    repeat: Repeat,
    events: Events,
    until: date,
    holidays: Container[date],
    settings: Mapping[str, Duration],
) -> Iterable[date]:
    """The regular occurrences up to `until` and one beyond it."""
    if repeat.every is None or repeat.start is None:
        return
    start = events.first(repeat.start)
    if start is None:
        return
    span = effective(repeat.every, settings)
    when = start
    for _ in range(MOST):
        when = add_days(when, span, holidays)
        yield when
        if when > until:
            return


def next_due(
    schedule: Iterable[Occurrence], held: Container[date], today: date
) -> Occurrence | None:
    """The earliest occurrence not yet held that is due by today, else the next one to come."""
    waiting = [occurrence for occurrence in schedule if occurrence.due not in held]
    overdue = [occurrence for occurrence in waiting if occurrence.due <= today]
    if overdue:
        return overdue[0]
    return waiting[0] if waiting else None
