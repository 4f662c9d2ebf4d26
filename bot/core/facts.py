"""What reports read of a run: each item's facts and the run's own, worked out from the run.

These are the rows of the read model (`bot.store.facts`): kept in step with the completion log
in the same transaction as each record, rebuilt from the log on demand, and checked against a
replay of it by `verify`. Everything here stays true until the log or the case's events change;
where an item stands against today (upcoming, overdue, escalate) is worked out when it is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from operator import attrgetter

from bot.core.history import RunHistory
from bot.core.playbook import Duration, Item, Playbook
from bot.core.records import Entry
from bot.core.run_items import OCCURRENCE_STEP
from bot.core.schedule import due_from

#: Statuses of a live item that count as settled in reports (answered, with its reason where
#: it needs one, or answered 'not yet').
SETTLED = frozenset({"done", "not-done", "na", "to-countersign", "not-yet"})
ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Calendar:
    """What due dates are counted with: the bank holidays and the force's settings."""

    holidays: frozenset[date]
    settings: Mapping[str, Duration]


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One item of one run as reports read it: where it stands and what the log says of it."""

    place: int
    item: str
    status: str
    value: str | None
    reason: str | None
    who: str | None
    at: str | None
    #: When the run first logged an answer or reason for it, as first given.
    first_answered: str | None
    corrections: int
    due: str | None
    #: Ever put off until later (field feedback counts it even once answered).
    deferred: bool
    #: The challenge thread as JSON, [[kind, text, who, when], ...]; None when never challenged.
    thread: str | None
    #: The run's last record about the item: its number among the run's records, and its time.
    touched_n: int | None
    touched: str | None
    #: Microseconds from the run's start to the item's first answer (None before either).
    #: Field feedback takes the median days to a first answer over hundreds of thousands of
    #: rows: worked out here once, SQL reads a number instead of parsing two times per row.
    time_to_answer: int | None


@dataclass(frozen=True, slots=True)
class RunRow:
    """What reports read of a run itself, beside its state (which the run's own row keeps)."""

    started: str | None
    review_due: str | None
    signed_off_by: str | None
    signed_off_at: str | None
    reopened: bool
    #: The run's last record its item rows do not show (a lifecycle move): number and time.
    changed_n: int | None
    changed: str | None


#: A row's values in column order, in one call: `dataclasses.astuple` deep-copies each value,
#: and the read model writes a row or two on every answer.
item_values = attrgetter(*(column.name for column in fields(ItemRow)))
run_values = attrgetter(*(column.name for column in fields(RunRow)))


def last_activity(run: RunRow, touched_n: int | None, touched: str | None) -> str | None:
    """When the run's last record was made: the later of its own row's last record and the
    last record about any of its items (`touched_n`, `touched`: the latest item row's)."""
    if touched_n is not None and touched_n > (run.changed_n or 0):
        return touched
    return run.changed


def stamp(at: datetime | None) -> str | None:
    """A time as the read model keeps it: ISO 8601, with the offset it was given in."""
    return at.isoformat() if at is not None else None


def place_of(run: RunHistory, item_id: str) -> int:
    """An item's place in the run's order, stable as occurrences are added: its position in
    the playbook times the step, plus the occurrence it is asked for."""
    number = run.number(item_id)
    return (number % OCCURRENCE_STEP) * OCCURRENCE_STEP + number // OCCURRENCE_STEP


def base_position(place: int) -> int:
    """The position in the playbook of the item at a place (a copy's, its original's)."""
    return place // OCCURRENCE_STEP


def number_at(place: int) -> int:
    """The number a button names the item at a place by (see `bot.core.run_items`)."""
    return base_position(place) + OCCURRENCE_STEP * (place % OCCURRENCE_STEP)


def item_at(playbook: Playbook, place: int, item_id: str) -> Item:
    """The item of a playbook at a place of a run, a copy for one occurrence where it is one."""
    item = playbook.items[base_position(place)]
    occurrence = place % OCCURRENCE_STEP
    return replace(item, id=item_id, occurrence=occurrence) if occurrence else item


def item_due(
    run: RunHistory, item: Item, holidays: frozenset[date], settings: Mapping[str, Duration]
) -> date | None:
    """When an item of a run falls due: from the milestone's latest occurrence, the occurrence
    the item is asked for, or an earlier date item's answer."""
    if item.due is None:
        return None
    return due_from(item.due, run.anchor(item.due, item), holidays, settings)


def micros_between(start: datetime | None, end: datetime | None) -> int | None:
    """Whole microseconds from one time to another (None when either is missing)."""
    if start is None or end is None:
        return None
    return (end - start) // ONE_MICROSECOND


def days_of(micros: int) -> float:
    """Microseconds as days, as field feedback shows a time to answer."""
    return micros / 1000000.0 / 86400.0


def item_row(run: RunHistory, item: Item, calendar: Calendar) -> ItemRow:
    """One item's row, as the run stands."""
    status = run.status(item.id)
    due = item_due(run, item, calendar.holidays, calendar.settings)
    thread = run.thread(item.id)
    touched = run.past.touched.get(item.id)
    first = run.past.first_answered.get(item.id)
    return ItemRow(
        place_of(run, item.id),
        item.id,
        status.status,
        status.value,
        status.reason,
        status.actor,
        stamp(status.at),
        stamp(first),
        status.corrections,
        due.isoformat() if due else None,
        item.id in run.past.deferred,
        thread_text(thread) if thread else None,
        touched[0] if touched else None,
        stamp(touched[1]) if touched else None,
        micros_between(run.started_at, first),
    )


def item_rows(run: RunHistory, calendar: Calendar) -> list[ItemRow]:
    """Every item's row, in the run's order."""
    return [item_row(run, item, calendar) for item in run.items]


def run_row(run: RunHistory) -> RunRow:
    """The run's own row, as the run stands."""
    signed = run.signed_off_by
    # A record about an item the run does not ask (none today) has no row to show it.
    marks = [mark for item, mark in run.past.touched.items() if not run.has_item(item)]
    if run.changed is not None:
        marks.append(run.changed)
    changed = max(marks, key=lambda mark: mark[0]) if marks else None
    return RunRow(
        stamp(run.started_at),
        run.due_on.isoformat() if run.due_on else None,
        signed.actor if signed else None,
        stamp(signed.at) if signed else None,
        run.reopened_after_sign_off,
        changed[0] if changed else None,
        stamp(changed[1]) if changed else None,
    )


def about_the_run(run: RunHistory, entries: Iterable[Entry]) -> bool:
    """Tell whether any of these records changes the run's own row rather than an item's."""
    return any(entry.item is None or not run.has_item(entry.item) for entry in entries)


def touched_items(run: RunHistory, entries: Iterable[Entry]) -> set[str]:
    """The items these records are about, and the items whose standing reads them."""
    found = {entry.item for entry in entries if entry.item and run.has_item(entry.item)}
    for item_id in list(found):
        found.update(run.readers_of(item_id))
    return found


def thread_text(thread: Iterable[Entry]) -> str:
    """A challenge thread as the read model keeps it."""
    return json.dumps(
        [[entry.kind, entry.value, entry.actor, stamp(entry.at)] for entry in thread],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def thread_of(text: str | None, run_id: int, case_ref: str, item_id: str) -> tuple[Entry, ...]:
    """A challenge thread read back as log entries, oldest first."""
    if not text:
        return ()
    return tuple(
        Entry(kind, case_ref, actor, datetime.fromisoformat(at), run_id, item_id, value)
        for kind, value, actor, at in json.loads(text)
    )


def first_difference(kept: ItemRow | RunRow, replayed: ItemRow | RunRow) -> str | None:
    """The first column where a kept row and a replayed one disagree; None when they agree."""
    for column in fields(kept):
        if getattr(kept, column.name) != getattr(replayed, column.name):
            return column.name
    return None
