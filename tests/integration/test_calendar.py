"""The bank-holiday calendar from the holidays library, and working days counted against it."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from bot.core.playbook import DueRule, Duration
from bot.core.schedule import add_days, due_date
from bot.services.calendar import bank_holidays, working_calendar


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),  # Boxing Day substitute
        date(2027, 3, 26),
        date(2027, 12, 27),
        date(2027, 12, 28),
    ],
)
def test_england_and_wales_bank_holidays_are_in_the_calendar(day):
    assert day in bank_holidays([2026, 2027])


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 3, 17),  # St Patrick's Day: Northern Ireland only
        date(2026, 7, 13),  # Battle of the Boyne (observed): Northern Ireland only
        date(2026, 1, 2),  # Scotland only
        date(2026, 8, 3),  # Scotland's summer bank holiday
        date(2026, 11, 30),  # St Andrew's Day: Scotland only
        date(2026, 11, 24),  # an ordinary Tuesday
    ],
)
def test_holidays_elsewhere_in_the_uk_are_not(day):
    assert day not in bank_holidays([2026])


def test_england_and_wales_have_the_same_bank_holidays():
    years = range(2016, 2041)
    wales = holidays.country_holidays("GB", subdiv="WLS", years=years)
    assert bank_holidays(years) == frozenset(wales)


def test_no_years_give_no_holidays():
    assert bank_holidays([]) == frozenset()


def test_the_working_calendar_runs_from_last_year_to_two_years_ahead():
    calendar = working_calendar(date(2026, 11, 24))
    assert {date(2025, 12, 25), date(2026, 12, 25), date(2028, 12, 25)} <= calendar
    assert date(2024, 12, 25) not in calendar
    assert date(2029, 12, 25) not in calendar
    assert date(2030, 12, 25) in working_calendar(date(2026, 11, 24), span_years=4)


@pytest.mark.parametrize(
    ("start", "span", "expected"),
    [
        (date(2026, 4, 2), Duration(5, "wd"), date(2026, 4, 13)),  # over Easter
        (date(2026, 12, 24), Duration(1, "wd"), date(2026, 12, 29)),  # over Christmas
        (date(2026, 12, 24), Duration(5, "wd"), date(2027, 1, 5)),  # and New Year
        (date(2026, 8, 28), Duration(1, "wd"), date(2026, 9, 1)),  # August bank holiday
        (date(2026, 11, 27), Duration(1, "wd"), date(2026, 11, 30)),  # an ordinary weekend
    ],
)
def test_working_days_are_counted_with_the_real_calendar(start, span, expected):
    assert add_days(start, span, working_calendar(date(2026, 11, 24))) == expected


def test_a_before_rule_counts_back_over_easter_with_the_real_calendar():
    rule = DueRule("before", Duration(5, "wd"), "trial")
    trial = {"trial": date(2027, 3, 30)}  # the Tuesday after Easter 2027
    assert due_date(rule, trial, working_calendar(date(2026, 11, 24)), {}) == date(2027, 3, 19)
