"""The retention schedule: when a closed case falls due for review, and for disposal."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.playbook import Duration
from bot.core.retention import DEFAULT_REVIEW, Closed, Schedule, after, standing

CLOSED = Closed(
    case_id=7, ref="43/12345/26", team="North", closed_on=date(2020, 3, 1), reason="acquitted"
)


@pytest.mark.parametrize(
    ("start", "span", "due"),
    [
        (date(2020, 3, 1), Duration(72, "mo"), date(2026, 3, 1)),
        (date(2020, 2, 29), Duration(12, "mo"), date(2021, 3, 1)),
        (date(2020, 1, 31), Duration(1, "mo"), date(2020, 3, 1)),
        (date(2020, 3, 1), Duration(30, "d"), date(2020, 3, 31)),
        (date(2020, 3, 1), Duration(2, "w"), date(2020, 3, 15)),
    ],
)
def test_a_period_beginning_with_a_day_is_over_on_the_day_it_names(start, span, due):
    assert after(start, span) == due


def test_the_default_schedule_reviews_after_six_years_and_leaves_disposal_to_the_force():
    schedule = Schedule.of({})

    assert schedule.review == DEFAULT_REVIEW == Duration(72, "mo")
    assert schedule.dispose is None
    assert schedule.review_is_default


def test_force_settings_replace_the_defaults():
    schedule = Schedule.of(
        {"retention-review": Duration(24, "mo"), "retention-dispose": Duration(84, "mo")}
    )

    assert (schedule.review, schedule.dispose) == (Duration(24, "mo"), Duration(84, "mo"))
    assert not schedule.review_is_default


def test_a_closed_case_is_kept_then_due_for_review_and_never_for_disposal_by_default():
    schedule = Schedule.of({})

    assert standing(CLOSED, schedule, date(2026, 2, 28)).standing == "kept"
    due = standing(CLOSED, schedule, date(2026, 3, 1))
    assert (due.standing, due.review_on, due.dispose_on) == ("review", date(2026, 3, 1), None)
    assert standing(CLOSED, schedule, date(2090, 1, 1)).standing == "review"


def test_with_a_disposal_period_a_case_past_it_is_due_for_disposal():
    schedule = Schedule.of({"retention-dispose": Duration(84, "mo")})

    assert standing(CLOSED, schedule, date(2027, 2, 28)).standing == "review"
    due = standing(CLOSED, schedule, date(2027, 3, 1))
    assert (due.standing, due.dispose_on) == ("dispose", date(2027, 3, 1))


def test_a_review_that_kept_the_case_holds_until_the_next_review():
    schedule = Schedule.of({"retention-dispose": Duration(84, "mo")})
    reviewed = Closed(7, "43/12345/26", "North", date(2020, 3, 1), "acquitted", date(2026, 6, 1))

    due = standing(reviewed, schedule, date(2027, 3, 1))

    assert (due.standing, due.review_on, due.dispose_on) == (
        "kept",
        date(2032, 6, 1),
        date(2032, 6, 1),
    )


def test_settings_yaml_may_set_the_retention_periods_though_no_playbook_uses_them():
    from bot.core.parsing import library_problems, parse_force_settings

    settings = parse_force_settings(
        {
            "settings": {
                "retention-review": "24mo",
                "retention-dispose": "84mo",
                "revew-every": "7d",
            }
        }
    )
    problems = [problem.message for _where, problem in library_problems([], (), settings)]

    assert problems == ["no playbook uses a setting called 'revew-every'"]
