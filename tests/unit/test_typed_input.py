"""Reading what investigators type: dates, numbers, free text and crime references."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import InputRefused
from bot.core.typed_input import (
    DEFAULT_CRIME_REFERENCE,
    MAX_TEXT,
    CrimeReferenceFormat,
    check_text,
    normalise_crime_reference,
    parse_date,
    parse_number,
)

TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2026, 11, 24)),
        ("yesterday", date(2026, 11, 23)),
        ("  Yesterday ", date(2026, 11, 23)),
        ("TODAY", date(2026, 11, 24)),
        ("3/11", date(2026, 11, 3)),
        ("03/11", date(2026, 11, 3)),
        ("3/11/26", date(2026, 11, 3)),
        ("03/11/2026", date(2026, 11, 3)),
        ("3-11-2026", date(2026, 11, 3)),
        ("3.11.2026", date(2026, 11, 3)),
        ("3 Nov", date(2026, 11, 3)),
        ("3 nov", date(2026, 11, 3)),
        ("3nov", date(2026, 11, 3)),
        ("3 November 2026", date(2026, 11, 3)),
        ("3rd November 2026", date(2026, 11, 3)),
        ("3rd of November, 2026", date(2026, 11, 3)),
        ("3 Sept 2026", date(2026, 9, 3)),
        ("3 Nov.", date(2026, 11, 3)),
        ("Nov 3", date(2026, 11, 3)),
        ("November 3rd 2026", date(2026, 11, 3)),
        ("2026-11-03", date(2026, 11, 3)),
        ("  3/11 ", date(2026, 11, 3)),
        ("3 / 11 / 2026", date(2026, 11, 3)),
        ("24/11", date(2026, 11, 24)),  # today itself is in the past
        ("25/11", date(2025, 11, 25)),  # tomorrow's day and month: last year's
        ("1/12", date(2025, 12, 1)),
        ("29/2/2024", date(2024, 2, 29)),  # a leap year
    ],
)
def test_past_dates_are_read_in_every_accepted_form(text, expected):
    assert parse_date(text, TODAY, "past") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", date(2026, 11, 25)),
        ("today", date(2026, 11, 24)),
        ("1/12", date(2026, 12, 1)),
        ("3/11", date(2027, 11, 3)),  # already passed this year: next year's
        ("15 Jan", date(2027, 1, 15)),
        ("24/11", date(2026, 11, 24)),
    ],
)
def test_future_dates_take_the_next_such_day(text, expected):
    assert parse_date(text, TODAY, "future") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/11", date(2026, 11, 3)),  # three weeks ago, not eleven months on
        ("15 Jan", date(2027, 1, 15)),  # seven weeks on, not ten months ago
        ("1/12", date(2026, 12, 1)),
        ("28/2", date(2027, 2, 28)),  # the bail expiry typed in winter is next February
        ("15/3", date(2027, 3, 15)),
        ("1/6", date(2026, 6, 1)),  # 176 days back is nearer than 189 days on
        ("tomorrow", date(2026, 11, 25)),
        ("yesterday", date(2026, 11, 23)),
    ],
)
def test_either_way_dates_take_the_nearest_such_day(text, expected):
    assert parse_date(text, TODAY, "any") == expected


@pytest.mark.parametrize(
    ("text", "allowed", "message"),
    [
        ("31/02", "any", "There is no 31 February. Send the date as day/month, like 3/11."),
        ("31/4/2026", "any", "There is no 31 April. Send the date as day/month, like 3/11."),
        ("0/4", "any", "There is no 0 April. Send the date as day/month, like 3/11."),
        (
            "29/02/2026",
            "past",
            "There is no 29 February in 2026. Check the date and send it again.",
        ),
        ("29 Feb", "past", "There is no 29 February in 2026. Check the date and send it again."),
        ("11/25", "past", "There is no month 25. Send the date as day/month, like 3/11."),
        ("tomorrow", "past", "That date is in the future; send the date it happened."),
        ("25/11/2026", "past", "That date is in the future; send the date it happened."),
        ("yesterday", "future", "That date has passed; send a date still to come."),
        ("3/11/2026", "future", "That date has passed; send a date still to come."),
        ("3/11/2015", "past", "That is more than 10 years ago; check the year."),
        ("3/11/99", "any", "That is more than 10 years ahead; check the year."),
        ("3/11/2037", "future", "That is more than 10 years ahead; check the year."),
        (
            "",
            "past",
            "That is not a date I can read. Send it as day/month, like 3/11, or yesterday.",
        ),
        (
            "last week",
            "past",
            "That is not a date I can read. Send it as day/month, like 3/11, or yesterday.",
        ),
        (
            "soon",
            "future",
            "That is not a date I can read. Send it as day/month, like 3/11, or tomorrow.",
        ),
        ("3/11/202", "any", "That is not a date I can read. Send it as day/month, like 3/11."),
        ("3 Ma", "any", "That is not a date I can read. Send it as day/month, like 3/11."),
        ("3/11-2026", "any", "That is not a date I can read. Send it as day/month, like 3/11."),
        ("٣/١١", "any", "That is not a date I can read. Send it as day/month, like 3/11."),
    ],
)
def test_impossible_or_out_of_range_dates_are_refused_with_what_to_send(text, allowed, message):
    with pytest.raises(InputRefused) as refused:
        parse_date(text, TODAY, allowed)
    assert str(refused.value) == message


def test_ten_years_either_way_is_still_accepted():
    assert parse_date("24/11/2016", TODAY, "past") == date(2016, 11, 24)
    assert parse_date("24/11/2036", TODAY, "future") == date(2036, 11, 24)


def test_an_unknown_date_range_is_a_programming_error():
    with pytest.raises(ValueError, match="allowed"):
        parse_date("today", TODAY, "recent")  # type: ignore[arg-type]


def outcome(text: str, allowed: str) -> date | InputRefused:
    """What parse_date gives: a date, or the refusal (anything else escapes and fails the test)."""
    try:
        return parse_date(text, TODAY, allowed)  # type: ignore[arg-type]
    except InputRefused as refused:
        return refused


@given(st.text(max_size=40), st.sampled_from(["past", "future", "any"]))
def test_any_text_gives_a_date_or_a_refusal(text, allowed):
    result = outcome(text, allowed)
    assert isinstance(result, date) or str(result)


@given(
    st.from_regex(r"\s*\d{1,4}[/.\- ]\d{1,2}([/.\- ]\d{1,4})?\s*", fullmatch=True),
    st.sampled_from(["past", "future", "any"]),
)
def test_date_like_text_gives_a_date_or_a_refusal(text, allowed):
    result = outcome(text, allowed)
    assert isinstance(result, date) or str(result)


@pytest.mark.parametrize(
    ("text", "minimum", "maximum", "expected"),
    [
        ("3", 0, 10, 3.0),
        (" 3 ", 0, 10, 3.0),
        ("0", 0, 10, 0.0),
        ("10", 0, 10, 10.0),
        ("2.5", None, None, 2.5),
        (".5", None, None, 0.5),
        ("-4", None, None, -4.0),
        ("1,200", None, None, 1200.0),
        ("1 200", None, None, 1200.0),
    ],
)
def test_numbers_within_bounds_are_read(text, minimum, maximum, expected):
    assert parse_number(text, minimum, maximum) == expected


@pytest.mark.parametrize(
    ("text", "minimum", "maximum", "message"),
    [
        ("11", 0, 10, "That is more than 10. Send a number from 0 to 10."),
        ("-1", 0, 10, "That is less than 0. Send a number from 0 to 10."),
        ("0.5", 1, None, "That is less than 1. Send a number of at least 1."),
        ("1500", None, 1000, "That is more than 1,000. Send a number no more than 1,000."),
        ("2.75", None, 2.5, "That is more than 2.5. Send a number no more than 2.5."),
        ("three", None, None, "Send a number, like 3."),
        ("three", 1, 5, "Send a number, like 1."),
        ("", None, None, "Send a number, like 3."),
        ("nan", None, None, "Send a number, like 3."),
        ("inf", None, None, "Send a number, like 3."),
        ("1e5", None, None, "Send a number, like 3."),
        ("1,5", None, None, "Send a number, like 3."),
        ("9" * 400, None, None, "Send a number, like 3."),
    ],
)
def test_numbers_out_of_bounds_or_unreadable_are_refused(text, minimum, maximum, message):
    with pytest.raises(InputRefused) as refused:
        parse_number(text, minimum, maximum)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("  Awaiting CPS advice  ", "Awaiting CPS advice"),
        ("Done 👍", "Done 👍"),
        ("🙂", "🙂"),
        ("x" * MAX_TEXT, "x" * MAX_TEXT),
        ("Line one\nline two", "Line one\nline two"),
    ],
)
def test_free_text_is_kept_without_surrounding_spaces(text, kept):
    assert check_text(text) == kept


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "That message is empty. Type a few words, or tap a button."),
        ("  \n\t ", "That message is empty. Type a few words, or tap a button."),
        ("x" * 10_000, "That is 10,000 characters; keep it under 500."),
        ("x" * (MAX_TEXT + 1), "That is 501 characters; keep it under 500."),
    ],
)
def test_empty_or_overlong_text_is_refused(text, message):
    with pytest.raises(InputRefused) as refused:
        check_text(text)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("43/12345/26", "43/12345/26"),
        (" 43 / 12345 / 26 ", "43/12345/26"),
        ("CR/0123456/26", "CR/0123456/26"),
        ("cr/0123456/26", "CR/0123456/26"),
        ("2026-00123456", "2026/00123456"),
        ("5201234/26", "5201234/26"),
        ("01-234567-26", "01/234567/26"),  # one crime, one spelling: slashes
        ("43 /12345- 26", "43/12345/26"),
        ("43-90001-26", "43/90001/26"),
    ],
)
def test_crime_references_are_accepted_in_upper_case_without_spaces(text, reference):
    assert normalise_crime_reference(text, DEFAULT_CRIME_REFERENCE) == reference


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345",  # no separator
        "Jane Smith",
        "SMITH/JONES",  # no digit: most likely names
        "43//12345",
        "/43/12345",
        "43/12345/",
        "43/12345/26/1/2/3",  # too many parts
        "43_12345_26",
        "43/12345/26 John",
        "43 12345 26",
        "3/11/26",  # a date, not a reference
        "43/123/26",
        "ABCDEFGHIJKL13/1",  # a first part longer than any force uses
    ],
)
def test_other_text_is_refused_as_a_crime_reference(text):
    with pytest.raises(InputRefused) as refused:
        normalise_crime_reference(text, DEFAULT_CRIME_REFERENCE)
    assert str(refused.value) == (
        "That does not look like a crime reference. Send it like 43/12345/26 — no names."
    )


def test_a_force_can_use_its_own_crime_reference_format():
    fmt = CrimeReferenceFormat.of(r"[0-9]{2}[A-Z]{2}[0-9]{6}", "26AB123456")
    assert normalise_crime_reference(" 26ab123456 ", fmt) == "26AB123456"
    with pytest.raises(InputRefused, match=re.escape("Send it like 26AB123456")):
        normalise_crime_reference("43/12345/26", fmt)


def test_a_format_whose_example_does_not_fit_is_refused():
    with pytest.raises(ValueError, match="does not match"):
        CrimeReferenceFormat.of(r"[0-9]+", "43/12345/26")
