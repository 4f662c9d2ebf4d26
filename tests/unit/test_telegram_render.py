"""Replies as Telegram messages: escaping, size limits, keyboards and callback data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.telegram.render import (
    MAX_CALLBACK_BYTES,
    MAX_MESSAGE,
    keyboard,
    message_html,
    pieces,
    rendered,
    units,
    with_record,
)
from bot.conversation.replies import Option, Reply


def utf16(text: str) -> int:
    """A text's length as Telegram measures it: in UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def test_what_a_user_typed_is_shown_as_typed_not_as_markup():
    """A reason like '<b>no</b> & co' reaches Telegram escaped, so it shows literally."""
    html = message_html("Reason: <b>no</b> & co")
    assert html == "Reason: &lt;b&gt;no&lt;/b&gt; &amp; co"


def test_a_question_has_its_heading_in_bold_and_the_rest_escaped():
    """The first line ('43/1/26 · Bad character · 4/12') is bold; the question is plain text."""
    html = message_html("43/1/26 · Bad character · 4/12\nIs <this> done?", headed=True)
    assert html == "<b>43/1/26 · Bad character · 4/12</b>\nIs &lt;this&gt; done?"


def test_a_long_reply_is_split_at_line_breaks_within_telegrams_limit():
    """A case list too long for one message becomes several, none over 4,096 characters."""
    text = "\n".join(f"43/{n:05d}/26 · Bad character · 3/12 · asking" for n in range(300))
    parts = pieces(text)
    assert len(parts) > 1
    assert all(len(part) <= MAX_MESSAGE for part in parts)
    assert "\n".join(parts) == text  # nothing lost or reordered


@given(st.text(min_size=0, max_size=20_000) | st.text(alphabet="&<>\nab ", max_size=20_000))
def test_any_text_renders_as_messages_telegram_accepts(text: str):
    """Whatever the text, every message fits, and only the last carries the buttons."""
    reply = Reply(text, ((Option("Yes", "a:1:0:0"),),), asks=(1, "x"))
    messages = rendered(reply)
    assert all(utf16(html) <= MAX_MESSAGE for html, _ in messages)
    assert "".join(html for html, _ in messages).count("&amp;") == text.count("&")
    assert messages[-1][1] is not None
    assert all(markup is None for _, markup in messages[:-1])


def test_buttons_keep_their_rows_and_send_back_their_actions():
    """Yes, No and N/A on one row, Later and Back on the next, each with its action."""
    markup = keyboard(
        (
            (Option("Yes", "a:12:3:0"), Option("No", "a:12:3:1"), Option("N/A", "a:12:3:2")),
            (Option("Later", "l:12:3"), Option("Back", "b:12")),
        )
    )
    assert markup is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [
        [("Yes", "a:12:3:0"), ("No", "a:12:3:1"), ("N/A", "a:12:3:2")],
        [("Later", "l:12:3"), ("Back", "b:12")],
    ]


def test_a_reply_without_options_has_no_keyboard():
    """A plain sentence is sent without an empty keyboard."""
    assert keyboard(()) is None


def test_callback_data_over_telegrams_limit_is_refused_before_sending():
    """Telegram refuses callback data over 64 bytes; we find out before a user does."""
    with pytest.raises(ValueError, match="64"):
        keyboard(((Option("Too long", "a:" + "9" * MAX_CALLBACK_BYTES),),))


def test_the_biggest_real_button_fits_in_callback_data():
    """The longest action the dialogue makes (run, item and choice numbers in the millions) fits."""
    action = f"a:{10**9}:{10**4}:{10**3}"
    assert len(action.encode()) <= MAX_CALLBACK_BYTES


def test_an_answered_question_keeps_its_text_and_shows_the_record_below():
    """Once answered, the message reads as a record: the question, then who answered what."""
    html = with_record(
        "43/1/26 · Bad character · 4/12\nPNC checked?", "✓ Yes · Casey, 22 Nov 10:04"
    )
    assert html == (
        "<b>43/1/26 · Bad character · 4/12</b>\nPNC checked?\n<i>✓ Yes · Casey, 22 Nov 10:04</i>"
    )


def test_an_emoji_heavy_reply_is_split_by_telegrams_own_measure():
    """L9: a /case view of emoji reasons fits in 4,096 characters but not in 4,096 UTF-16
    units, which is what Telegram (and the emulator) count: it is split by the stricter."""
    text = "\n".join("Reason: " + "🙂" * 60 for _ in range(50))
    assert len(text) <= MAX_MESSAGE < utf16(text)
    messages = rendered(Reply(text))
    assert all(utf16(html) <= MAX_MESSAGE for html, _ in messages)
    assert "".join(html for html, _ in messages).count("🙂") == 3_000


def test_an_answered_question_full_of_emoji_still_fits_with_its_record():
    question = "43/1/26 · Bad character · 4/12\n" + "🙂" * 3_000
    html = with_record(question, "✗ No (" + "🙂" * 100 + ") · Casey, 22 Nov 10:04")
    assert utf16(html) <= MAX_MESSAGE


def test_telegram_s_limit_is_counted_in_utf_16_units_not_characters():
    """Emoji and other characters outside the basic plane count twice towards the 4,096."""
    text = "\n".join("🚨 " + "x" * 60 for _ in range(100))  # 6,300 units, 6,200 characters
    assert units("🚨") == 2
    parts = pieces(text)
    assert all(units(part) <= MAX_MESSAGE for part in parts)
    assert "\n".join(parts) == text
    assert units("🚨" * 2048) == MAX_MESSAGE
    assert pieces("🚨" * 2049)[0] == "🚨" * 2048
