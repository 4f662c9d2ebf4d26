"""The bank-holiday calendar that working days are counted against, from the holidays library.

England and Wales share one set of bank holidays (Scotland and Northern Ireland have their own,
such as St Patrick's Day). The library lists England ("ENG") and Wales ("WLS") separately; they
are the same days in every year it knows, and a test says so. We use England's list.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from importlib.metadata import version

import holidays

COUNTRY = "GB"
SUBDIVISION = "ENG"


def calendar_version() -> str:
    """Which list of bank holidays is in use: the holidays library's version."""
    return version("holidays")


def bank_holidays(years: Iterable[int]) -> frozenset[date]:
    """Return the England and Wales bank holidays in the given years."""
    found: frozenset[date] = frozenset()
    for year in set(years):
        found |= _bank_holidays_in(year)
    return found


@functools.cache
def _bank_holidays_in(year: int) -> frozenset[date]:
    # A year's holidays never change while the bot runs, and reminders ask for them often.
    return frozenset(holidays.country_holidays(COUNTRY, subdiv=SUBDIVISION, years=year))


def working_calendar(today: date, span_years: int = 2, back_years: int = 1) -> frozenset[date]:
    """Return the bank holidays from `back_years` years before this one to `span_years` after.

    Last year is the least, for due dates counted back from early-January milestones; beyond
    the span, working days skip weekends only, so pass a longer span for far-off trial dates,
    and a longer way back for cases read long after their events.
    """
    return _years(today.year - back_years, today.year + span_years)


@functools.cache
def _years(first: int, last: int) -> frozenset[date]:
    # Due dates are worked out for every item shown; the union for a span is built once.
    return bank_holidays(range(first, last + 1))
