"""Due dates in calendar days, weeks and working days; where an item stands; how that is said."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.playbook import DueRule, Duration
from bot.core.schedule import add_days, add_months, due_date, standing
from bot.wording.labels import describe_due, short_date

# England and Wales bank holidays, written out so these tests need no library and no clock.
HOLIDAYS_2026 = frozenset(
    {
        date(2026, 1, 1),
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),  # Christmas Day, a Friday
        date(2026, 12, 28),  # Boxing Day falls on Saturday; Monday is the substitute
    }
)
HOLIDAYS_2027 = frozenset({date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29)})
HOLIDAYS = HOLIDAYS_2026 | HOLIDAYS_2027
NONE: frozenset[date] = frozenset()


@pytest.mark.parametrize(
    ("start", "span", "expected"),
    [
        (date(2026, 11, 27), Duration(1, "wd"), date(2026, 11, 30)),  # Friday -> Monday
        (date(2026, 11, 23), Duration(5, "wd"), date(2026, 11, 30)),  # Monday -> next Monday
        (date(2026, 11, 28), Duration(1, "wd"), date(2026, 11, 30)),  # Saturday -> Monday
        (date(2026, 11, 25), Duration(2, "wd"), date(2026, 11, 27)),  # Wednesday -> Friday
        (date(2026, 11, 23), Duration(10, "wd"), date(2026, 12, 7)),
        (date(2026, 11, 28), Duration(0, "wd"), date(2026, 11, 28)),  # 0wd: the day itself
        (date(2026, 11, 27), Duration(3, "d"), date(2026, 11, 30)),
        (date(2026, 11, 27), Duration(0, "d"), date(2026, 11, 27)),
        (date(2026, 2, 20), Duration(10, "d"), date(2026, 3, 2)),  # across the end of February
        (date(2026, 11, 27), Duration(2, "w"), date(2026, 12, 11)),
    ],
)
def test_a_span_after_a_day_counts_calendar_days_weeks_or_working_days(start, span, expected):
    assert add_days(start, span, NONE) == expected


@pytest.mark.parametrize(
    ("start", "span", "expected"),
    [
        # Thursday before Easter: Good Friday, the weekend and Easter Monday are skipped.
        (date(2026, 4, 2), Duration(5, "wd"), date(2026, 4, 13)),
        (date(2026, 4, 2), Duration(1, "wd"), date(2026, 4, 7)),
        # Christmas Eve: Christmas Day, the weekend and the Boxing Day substitute are skipped.
        (date(2026, 12, 24), Duration(1, "wd"), date(2026, 12, 29)),
        (date(2026, 12, 24), Duration(5, "wd"), date(2027, 1, 5)),  # and New Year's Day
        (date(2026, 5, 22), Duration(1, "wd"), date(2026, 5, 26)),  # spring bank holiday
        (date(2026, 8, 28), Duration(2, "wd"), date(2026, 9, 2)),  # August bank holiday
        (date(2026, 4, 2), Duration(5, "d"), date(2026, 4, 7)),  # calendar days ignore them
    ],
)
def test_working_days_skip_the_bank_holidays(start, span, expected):
    assert add_days(start, span, HOLIDAYS) == expected


def test_five_working_days_skip_the_easter_bank_holidays():
    assert add_days(date(2026, 4, 2), Duration(5, "wd"), NONE) == date(2026, 4, 9)
    assert add_days(date(2026, 4, 2), Duration(5, "wd"), HOLIDAYS) == date(2026, 4, 13)


@pytest.mark.parametrize(
    ("start", "span", "holidays", "expected"),
    [
        (date(2026, 11, 30), Duration(5, "wd"), NONE, date(2026, 11, 23)),  # Monday -> Monday
        (date(2026, 11, 30), Duration(1, "wd"), NONE, date(2026, 11, 27)),  # Monday -> Friday
        (date(2026, 11, 29), Duration(1, "wd"), NONE, date(2026, 11, 27)),  # Sunday -> Friday
        (date(2026, 11, 30), Duration(28, "d"), NONE, date(2026, 11, 2)),
        (date(2026, 11, 30), Duration(1, "w"), NONE, date(2026, 11, 23)),
        # Tuesday after Easter: Easter Monday, the weekend and Good Friday are skipped.
        (date(2026, 4, 7), Duration(5, "wd"), HOLIDAYS, date(2026, 3, 27)),
        (date(2026, 12, 29), Duration(1, "wd"), HOLIDAYS, date(2026, 12, 24)),
    ],
)
def test_counting_backwards_for_before_rules(start, span, holidays, expected):
    assert add_days(start, span, holidays, sign=-1) == expected


def test_a_negative_span_counts_the_other_way():
    assert add_days(date(2026, 11, 30), Duration(-1, "wd"), NONE) == date(2026, 11, 27)


def test_a_sign_other_than_one_or_minus_one_is_a_programming_error():
    with pytest.raises(ValueError, match="sign"):
        add_days(date(2026, 11, 30), Duration(1, "d"), NONE, sign=2)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (DueRule("within", Duration(5, "wd"), "report"), date(2026, 4, 13)),
        (DueRule("within", Duration(7, "d"), "report"), date(2026, 4, 9)),
        (DueRule("before", Duration(28, "d"), "trial"), date(2027, 2, 15)),
        (DueRule("before", Duration(5, "wd"), "trial"), date(2027, 3, 8)),
        (DueRule("within", Duration(1, "wd"), "arrest"), None),  # not recorded yet
    ],
)
def test_a_due_date_hangs_on_its_milestone(rule, expected):
    milestones = {"report": date(2026, 4, 2), "trial": date(2027, 3, 15)}
    assert due_date(rule, milestones, HOLIDAYS, {}) == expected


def test_moving_a_milestone_moves_the_due_date():
    rule = DueRule("before", Duration(28, "d"), "trial")
    first = due_date(rule, {"trial": date(2027, 3, 15)}, HOLIDAYS, {})
    moved = due_date(rule, {"trial": date(2027, 5, 10)}, HOLIDAYS, {})
    assert (first, moved) == (date(2027, 2, 15), date(2027, 4, 12))


def test_a_force_setting_replaces_the_playbook_default():
    rule = DueRule("within", Duration(28, "d", setting="review-cadence"), "report")
    milestones = {"report": date(2026, 11, 2)}
    assert due_date(rule, milestones, NONE, {}) == date(2026, 11, 30)
    local = {"review-cadence": Duration(2, "w")}
    assert due_date(rule, milestones, NONE, local) == date(2026, 11, 16)


@pytest.mark.parametrize(
    ("due", "today", "escalate", "expected"),
    [
        (None, date(2026, 11, 23), None, "not-due"),
        (date(2026, 11, 23), date(2026, 11, 15), None, "not-due"),  # 8 days ahead
        (date(2026, 11, 23), date(2026, 11, 16), None, "upcoming"),  # 7 days ahead
        (date(2026, 11, 23), date(2026, 11, 22), None, "upcoming"),
        (date(2026, 11, 23), date(2026, 11, 23), None, "due-today"),
        (date(2026, 11, 23), date(2026, 11, 24), None, "overdue"),
        (date(2026, 11, 23), date(2027, 11, 24), None, "overdue"),  # no escalation rule
        (date(2026, 11, 23), date(2026, 11, 24), Duration(2, "d"), "overdue"),
        (date(2026, 11, 23), date(2026, 11, 25), Duration(2, "d"), "escalate"),
        (date(2026, 11, 23), date(2026, 12, 25), Duration(2, "d"), "escalate"),
        (date(2026, 11, 23), date(2026, 11, 23), Duration(0, "d"), "due-today"),
        (date(2026, 11, 23), date(2026, 11, 24), Duration(0, "d"), "escalate"),
        # 2 working days after a Friday is the Tuesday.
        (date(2026, 11, 27), date(2026, 11, 30), Duration(2, "wd"), "overdue"),
        (date(2026, 11, 27), date(2026, 12, 1), Duration(2, "wd"), "escalate"),
        # Over Christmas: 1 working day after Christmas Eve is 29 December.
        (date(2026, 12, 24), date(2026, 12, 28), Duration(1, "wd"), "overdue"),
        (date(2026, 12, 24), date(2026, 12, 29), Duration(1, "wd"), "escalate"),
    ],
)
def test_where_an_item_stands_against_its_due_date(due, today, escalate, expected):
    assert standing(due, today, escalate, HOLIDAYS, {}) == expected


def test_the_escalation_span_can_be_a_force_setting():
    escalate = Duration(7, "d", setting="escalation")
    due, today = date(2026, 11, 23), date(2026, 11, 26)
    assert standing(due, today, escalate, NONE, {}) == "overdue"
    assert standing(due, today, escalate, NONE, {"escalation": Duration(3, "d")}) == "escalate"


@pytest.mark.parametrize(
    ("due", "today", "words"),
    [
        (date(2026, 11, 24), date(2026, 11, 24), "due today"),
        (date(2026, 11, 25), date(2026, 11, 24), "due tomorrow"),
        (date(2026, 11, 27), date(2026, 11, 24), "due in 3 days (Fri 27 Nov)"),
        (date(2026, 11, 23), date(2026, 11, 24), "overdue by 1 day (was due Mon 23 Nov)"),
        (date(2026, 11, 23), date(2026, 11, 25), "overdue by 2 days (was due Mon 23 Nov)"),
        (date(2027, 1, 4), date(2026, 12, 30), "due in 5 days (Mon 4 Jan 2027)"),
        (date(2026, 12, 30), date(2027, 1, 2), "overdue by 3 days (was due Wed 30 Dec 2026)"),
    ],
)
def test_a_due_date_is_said_relative_to_today(due, today, words):
    assert describe_due(due, today) == words


def test_a_short_date_names_the_year_only_when_it_is_not_this_year():
    assert short_date(date(2026, 3, 1), date(2026, 11, 24)) == "Sun 1 Mar"
    assert short_date(date(2027, 3, 1), date(2026, 11, 24)) == "Mon 1 Mar 2027"


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # "A period of three months beginning with" 24 Dec 2026 includes that day: it ends the
        # day before 24 Mar 2027.
        (date(2026, 12, 24), 3, date(2027, 3, 23)),
        (date(2026, 11, 15), 3, date(2027, 2, 14)),  # across a year's end
        (date(2027, 3, 1), 1, date(2027, 3, 31)),  # a whole calendar month
        # No 31 February: the period ends with February.
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year's February
        (date(2028, 1, 28), 1, date(2028, 2, 27)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # from a leap day: no 29 Feb 2029
        (date(2028, 2, 29), 48, date(2032, 2, 28)),  # four years on, the day before 29 Feb
    ],
)
def test_months_count_as_the_law_counts_a_period_beginning_with_a_day(start, months, expected):
    assert add_months(start, months) == expected
    assert add_days(start, Duration(months, "mo"), NONE) == expected


def test_a_period_of_months_ending_with_a_day_is_counted_back_to_its_first_day():
    # Three months ending with 23 Mar 2027 began on 24 Dec 2026.
    assert add_months(date(2027, 3, 23), 3, -1) == date(2026, 12, 24)
    assert add_days(date(2027, 3, 23), Duration(3, "mo"), NONE, -1) == date(2026, 12, 24)
    # A month ending with 31 Mar: it began on 1 Mar.
    assert add_months(date(2027, 3, 31), 1, -1) == date(2027, 3, 1)


def test_a_due_date_can_count_months_from_a_milestone():
    rule = DueRule("within", Duration(3, "mo"), "bail")
    assert due_date(rule, {"bail": date(2026, 12, 24)}, HOLIDAYS, {}) == date(2027, 3, 23)
