"""The free-text screen: personal details are caught, and ordinary policing English passes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.screening import KINDS, screen, warning


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # names
        ("victim Jane Smith said she was followed", ["name"]),
        ("Suspect is John", ["name"]),
        ("Spoke to the witness, Priya, at 14:00", ["name"]),
        ("complainant: Zoë O'Brien-Hughes", ["name"]),
        ("offender named Kyle", ["name"]),
        ("Defendant McDonald pleaded not guilty", ["name"]),
        ("Mr Smith refused interview", ["name"]),
        ("mrs Patel not available", ["name"]),
        ("Mr. Jones", ["name"]),
        ("Mr.Jones", ["name"]),
        ("Dr Okafor at the SARC", ["name"]),
        ("Ms Brown and Miss Green", ["name"]),
        ("Mr SMITH", ["name"]),
        ("victim was Jane", ["name"]),
        # phone numbers
        ("Call her on 07700 900123 after 6", ["phone"]),
        ("mob 07700900123", ["phone"]),
        ("07700-900-123", ["phone"]),
        ("+44 7700 900123", ["phone"]),
        ("+447700900123", ["phone"]),
        ("0044 7700 900123", ["phone"]),
        ("+44 (0)20 7946 0000", ["phone"]),
        ("(020) 7946 0000", ["phone"]),
        ("tel 0161 496 0000", ["phone"]),
        ("landline 01632 960123", ["phone"]),
        ("7700 900123", ["phone"]),
        ("07700 900123 2026", ["phone"]),
        ("ring 07700 900123 re 43/12345/26", ["phone"]),
        # e-mail addresses
        ("emailed jane.smith@example.co.uk", ["email"]),
        ("JSMITH99@GMAIL.COM", ["email"]),
        ("her email is jane (at) example (dot) com", ["email"]),
        ("jane at example dot com", ["email"]),
        # postcodes
        ("lives near SW1A 1AA", ["postcode"]),
        ("M1 1AE", ["postcode"]),
        ("B33 8TH", ["postcode"]),
        ("address in sw1a1aa", ["postcode"]),
        ("EC1A 1BB area", ["postcode"]),
        ("CF10 1EP", ["postcode"]),
        # dates of birth
        ("DOB 03/11/1990", ["date of birth"]),
        ("D.O.B: 3.11.90", ["date of birth"]),
        ("born on 3 November 1990", ["date of birth"]),
        ("born in 2009", ["date of birth"]),
        # National Insurance numbers
        ("NI QQ 12 34 56 C", ["national insurance number"]),
        ("ab123456c", ["national insurance number"]),
        ("AB123456D", ["national insurance number"]),
        ("ni ab 12 34 56", ["national insurance number"]),
        # several at once, in the order they appear
        ("Call 07700 900123, victim Jane", ["phone", "name"]),
        ("victim Jane, 07700 900123, SW1A 1AA", ["name", "phone", "postcode"]),
        ("jane@example.com DOB 1/1/90", ["email", "date of birth"]),
    ],
)
def test_personal_details_are_caught(text, kinds):
    assert screen(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "Victim Personal Statement taken",
        "VPS offered; victim was informed of the decision",
        "Suspect not identified yet",
        "suspect not identified",
        "MG16 sent to CPS with the PNC printout",
        "MG11 2nd draft",
        "Crime ref 43/12345/26",
        "CR/0123456/26 linked",
        "CR-0123456789-26 linked",
        "2026-00123456",
        "Incident on 3/11/2026, reported 03.11.2026",
        "s.28 hearing listed; s28 applies",
        "PACE interview done, s.18 search",
        "Victim Support referral made",
        "Victims' Code explained; Victim Right to Review leaflet given",
        "Witness Care Unit updated",
        "Suspect Interview planned for Monday",
        "Offender Manager contacted",
        "Suspect A and Suspect B both arrested",
        "The suspect. Later that day CPS advised",
        "victim-led approach agreed",
        "Awaiting CPS advice, 2 working days",
        "Exhibit no 123456 seized",
        "PC 1234 attended at 14:30",
        "12 exhibits, 3 statements, 45 pages",
        "ABE interview 2nd of March",
        "Reviewed by DS on 24/11",
        "victim didn't want to dob him in",
        # A date-of-birth word with no date is no date of birth (security review M5).
        "d.o.b. not known",
        "her date of birth is on RMS",
        "birth date checked",
        "Suspect DOB confirmed on PNC",
        "suspect arrested at 10.45 and bailed to 24.12.2026",
        "ISVA referral made; SARC appointment booked",
        "Awaiting phone download",
        "",
    ],
)
def test_ordinary_policing_text_passes_clean(text):
    assert screen(text) == []


@pytest.mark.parametrize(
    ("kinds", "sentence"),
    [
        (
            ["phone", "name"],
            "That looks like a phone number and a name. "
            "Please don't type personal details here — rephrase without them.",
        ),
        (
            ["email"],
            "That looks like an email address. "
            "Please don't type personal details here — rephrase without them.",
        ),
        (
            ["postcode", "date of birth", "national insurance number"],
            "That looks like a postcode, a date of birth and a National Insurance number. "
            "Please don't type personal details here — rephrase without them.",
        ),
        ([], "Please don't type personal details here — rephrase without them."),
    ],
)
def test_the_warning_names_what_was_found_in_one_sentence(kinds, sentence):
    assert warning(kinds) == sentence


def test_every_kind_has_words_in_the_warning():
    for kind in KINDS:
        assert warning([kind]).startswith("That looks like a")


@given(st.text())
def test_any_text_can_be_screened(text):
    assert set(screen(text)) <= set(KINDS)


@given(st.text(alphabet="0123456789 +()-./@abcDEFmrvictm", max_size=80))
def test_text_made_of_the_characters_the_screen_looks_for_can_be_screened(text):
    assert set(screen(text)) <= set(KINDS)


def test_a_long_message_is_screened_quickly():
    # A run of digits with no phone in it must not make the screen backtrack for ever.
    assert screen("1 " * 5_000 + "x") == []
    assert screen("a" * 10_000) == []
