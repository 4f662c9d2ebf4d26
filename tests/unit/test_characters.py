"""Control and bidirectional characters made visible or refused; CSV cells safe to open."""

from __future__ import annotations

import pytest

from bot.core.characters import refusal, spreadsheet_cell, visible, without_unsafe
from bot.core.errors import InputRefused
from bot.core.typed_input import check_text

HOSTILE = {
    "ESC clears the screen": ("\x1b[2J", "[U+001B][2J"),
    "ESC hides text": ("ok\x1b[8mhidden", "ok[U+001B][8mhidden"),
    "BEL": ("ring\x07", "ring[U+0007]"),
    "BS writes over": ("yes\x08\x08no ", "yes[U+0008][U+0008]no "),
    "NUL": ("a\x00b", "a[U+0000]b"),
    "CR writes over": ("done\rnot done", "done[U+000D]not done"),
    "DEL": ("x\x7f", "x[U+007F]"),
    "C1 CSI": ("\x9b2J", "[U+009B]2J"),
    "RLO reverses": ("\u202eon\u202c", "[U+202E]on[U+202C]"),
    "isolates": ("\u2067x\u2069", "[U+2067]x[U+2069]"),
    "line separator": ("a\u2028b", "a[U+2028]b"),
}


@pytest.mark.parametrize(("typed", "shown"), HOSTILE.values(), ids=HOSTILE.keys())
def test_unsafe_characters_are_shown_for_what_they_are(typed, shown):
    assert visible(typed) == shown
    assert refusal(typed) is not None
    with pytest.raises(InputRefused, match="invisible control character"):
        check_text(typed)


@pytest.mark.parametrize(
    "ordinary",
    [
        "Awaiting PNC — due 3/11",
        "Line one\nline two",
        "tab\tseparated",
        "café, naïve, Ελληνικά, עברית, العربية",
        "emoji 👩‍👩‍👧 with a joiner",
    ],
)
def test_ordinary_text_in_any_script_is_left_as_it_is(ordinary):
    assert visible(ordinary) == ordinary
    assert refusal(ordinary) is None
    assert check_text(ordinary) == ordinary


def test_refusal_names_the_character_and_what_it_does():
    assert refusal("no\u202eon") == (
        "That message holds an invisible control character, U+202E (right-to-left override), "
        "which can disguise what a record says. Type it again without it."
    )


def test_a_name_taken_from_a_channel_loses_its_unsafe_characters():
    assert without_unsafe("Jo\u202e Bloggs\x1b") == "Jo Bloggs"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'[U+000D]=1+1"),
        ("-3", "-3"),
        ("+44", "+44"),
        ("-2.5", "-2.5"),
        ("43/12345/26", "43/12345/26"),
        ("2026-11-02", "2026-11-02"),
        ("Awaiting PNC", "Awaiting PNC"),
        ("a = b", "a = b"),
        ("", ""),
        (7, 7),
        (None, None),
    ],
)
def test_csv_cells_that_would_run_as_formulas_are_prefixed_and_numbers_stay(value, cell):
    assert spreadsheet_cell(value) == cell
