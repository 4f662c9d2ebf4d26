"""Due dates from case milestones, counted in calendar days, weeks or working days.

Time and the bank-holiday calendar always come in as arguments: the core never reads a clock,
and the service builds the calendar (see `bot.services.calendar`).

Choices, so that everyone counts the same way:

- Working days skip Saturdays, Sundays and the given holidays, and are counted from the day
  after the milestone, as the Victims' Code counts: 1 working day after a Friday report is the
  Monday; 5 working days before a Monday trial is the Monday a week earlier.
- Months count as the law counts "a period of N months beginning with" a day: it ends the day
  before the same date N months on (bail from 24 Dec 2026 for 3 months ends 23 Mar 2027). When
  that month has no such date (a period beginning with 30 Nov ends in February), it ends on the
  last day of the month. Counted back, "N months before" a day is the first day of the period
  of N months that ends with it.
- 0 working days means the milestone's own day, even when that is a weekend or a holiday: a
  rule of "0wd" says "on the day", and moving it would invent a deadline nobody wrote.
- An item is "upcoming" in the 7 calendar days before it falls due, "due-today" on the day,
  "overdue" from the day after, and "escalate" once it is also overdue by its escalation span.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from datetime import date, timedelta
from typing import Literal

from bot.core.playbook import DueRule, Duration, effective

Standing = Literal["not-due", "upcoming", "due-today", "overdue", "escalate"]
STANDINGS: tuple[str, ...] = Standing.__args__  # type: ignore[attr-defined]

#: How many calendar days ahead an item counts as upcoming (a week, so Friday sees next Friday).
UPCOMING_DAYS = 7


def is_working_day(day: date, holidays: Container[date]) -> bool:
    """Tell whether a day is a working day: Monday to Friday and not a holiday."""
    return day.weekday() < 5 and day not in holidays


def add_days(
    start: date, span: Duration, holidays: Container[date], sign: Literal[1, -1] = 1
) -> date:
    """Return the day a span after `start` (or before it, with sign=-1)."""
    if sign not in (1, -1):
        raise ValueError(f"sign must be 1 or -1, not {sign!r}")
    # A negative amount counts the other way, so callers never have to special-case it.
    step = sign if span.amount >= 0 else -sign
    count = abs(span.amount)
    if span.unit == "mo":
        return add_months(start, count, step) if count else start
    if span.unit == "d":
        return start + timedelta(days=step * count)
    if span.unit == "w":
        return start + timedelta(weeks=step * count)
    day = start
    while count:
        day += timedelta(days=step)
        if is_working_day(day, holidays):
            count -= 1
    return day


def add_months(start: date, months: int, sign: int = 1) -> date:
    """The last day of the period of `months` months beginning with `start` (or, with sign=-1,
    the first day of the period of `months` months ending with it)."""
    if sign > 0:
        corresponding = _same_day(start, months)
        if corresponding is None:  # no such date that month: the period ends with the month
            return _month_end(start, months)
        return corresponding - timedelta(days=1)
    corresponding = _same_day(start, -months)
    if corresponding is None:
        return _month_end(start, -months) + timedelta(days=1)
    return corresponding + timedelta(days=1)


def _same_day(start: date, months: int) -> date | None:
    """The day with the same number `months` months away, if that month has one."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    try:
        return start.replace(year=year, month=month)
    except ValueError:
        return None


def _month_end(start: date, months: int) -> date:
    """The last day of the month `months` months away."""
    index = start.month + months  # the month after, counted from 0
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, 1) - timedelta(days=1)


def due_date(
    rule: DueRule,
    milestones: Mapping[str, date],
    holidays: Container[date],
    force_settings: Mapping[str, Duration],
) -> date | None:
    """Return the day an item falls due, or None while its milestone is not recorded."""
    return due_from(rule, milestones.get(rule.milestone), holidays, force_settings)


def due_from(
    rule: DueRule,
    anchor: date | None,
    holidays: Container[date],
    force_settings: Mapping[str, Duration],
) -> date | None:
    """Return the day a rule falls due, counted from `anchor` (None while there is none)."""
    if anchor is None:
        return None
    span = effective(rule.span, force_settings)
    return add_days(anchor, span, holidays, 1 if rule.relation == "within" else -1)


def standing(
    due: date | None,
    today: date,
    escalate: Duration | None,
    holidays: Container[date],
    force_settings: Mapping[str, Duration],
) -> Standing:
    """Say where an item stands against its due date today."""
    if due is None:
        return "not-due"
    if today > due:
        if escalate is not None:
            after = add_days(due, effective(escalate, force_settings), holidays)
            if today >= after:
                return "escalate"
        return "overdue"
    if today == due:
        return "due-today"
    if (due - today).days <= UPCOMING_DAYS:
        return "upcoming"
    return "not-due"


class Standings:
    """Where items stand today, each due day and escalation span worked out once: a team's
    report, its reviews and the escalation scan ask it of tens of thousands of items that share
    a few hundred due days."""

    def __init__(
        self, today: date, holidays: Container[date], force_settings: Mapping[str, Duration]
    ) -> None:
        self.today = today
        self._holidays = holidays
        self._settings = force_settings
        self._found: dict[tuple[date, Duration | None], Standing] = {}

    def of(self, due: date, escalate: Duration | None) -> Standing:
        """Where an item due that day, escalating that span after it, stands today."""
        key = (due, escalate)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = standing(
                due, self.today, escalate, self._holidays, self._settings
            )
        return found
