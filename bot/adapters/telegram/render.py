"""Replies as Telegram messages: escaped HTML text within the size limit, and inline keyboards.

Telegram measures a message in UTF-16 code units, where an emoji or any character beyond
the Basic Multilingual Plane counts twice, so every limit here is measured that way.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.conversation.replies import Option, Reply
from bot.core.characters import visible

#: Telegram's limits: UTF-16 units in one message, bytes of callback data in one button,
#: characters in a callback answer (a toast or an alert).
MAX_MESSAGE = 4096
MAX_CALLBACK_BYTES = 64
MAX_CALLBACK_TEXT = 200
#: Room kept in a question's message for the line that records its answer.
RECORD_ROOM = 200
#: The longest first line shown in bold as a question's heading.
HEADING_LIMIT = 200


def units(text: str) -> int:
    """A text's length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def fitting(text: str, limit: int) -> int:
    """How many characters from the start of `text` fit in `limit` UTF-16 units."""
    if len(text) <= limit // 2 or units(text) <= limit:
        return len(text)
    used = 0
    for index, character in enumerate(text):
        used += 2 if ord(character) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def message_html(text: str, *, headed: bool = False) -> str:
    """Escape a reply's text for HTML parse mode; a question's first line is shown in bold.

    Control and bidirectional characters stored before they were refused are shown, not
    obeyed: a right-to-left override cannot turn a reason round in the chat.
    """
    text = visible(text)
    if not headed:
        return html.escape(text, quote=False)
    first, _, rest = text.partition("\n")
    head = f"<b>{html.escape(first, quote=False)}</b>"
    return head + ("\n" + html.escape(rest, quote=False) if rest else "")


def pieces(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split text into messages Telegram accepts, at line breaks where it can.

    The text may be escaped HTML: a cut never falls inside an entity such as `&amp;`.
    """
    parts: list[str] = []
    while (end := fitting(text, limit)) < len(text):
        cut = text.rfind("\n", 0, end)
        if cut <= end // 2:
            cut = end
            entity = text.rfind("&", cut - 8, cut)
            if entity != -1 and ";" not in text[entity:cut]:
                cut = entity
        parts.append(text[:cut])
        text = text[cut:].removeprefix("\n")
    parts.append(text)
    return parts


def keyboard(rows: tuple[tuple[Option, ...], ...]) -> InlineKeyboardMarkup | None:
    """An inline keyboard for a reply's options, or None when it has none."""
    if not rows:
        return None
    buttons = []
    for row in rows:
        for option in row:
            if len(option.action.encode("utf-8")) > MAX_CALLBACK_BYTES:
                # A programming error, not a user's: actions are a few short numbers.
                raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {option.action}")
        buttons.append(
            [InlineKeyboardButton(visible(o.label), callback_data=o.action) for o in row]
        )
    return InlineKeyboardMarkup(buttons)


def rendered(reply: Reply) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """A reply as one or more (HTML text, keyboard) messages; the keyboard goes on the last."""
    limit = MAX_MESSAGE - (RECORD_ROOM if reply.asks else 0)
    # Only a short heading is made bold, so a cut can never fall between <b> and </b>.
    headed = bool(reply.asks) and len(reply.text.partition("\n")[0]) <= HEADING_LIMIT
    texts = pieces(message_html(reply.text, headed=headed), limit)
    messages: list[tuple[str, InlineKeyboardMarkup | None]] = [(text, None) for text in texts]
    messages[-1] = (messages[-1][0], keyboard(reply.options))
    return messages


def with_record(question: str, record: str) -> str:
    """A question's message once dealt with: the question as sent, then what became of it;
    the question is cut short if both would not fit."""
    record = record[: fitting(record, RECORD_ROOM * 2)]
    tail = "\n<i>" + message_html(record) + "</i>"
    room = MAX_MESSAGE - units(tail)
    body = question[: fitting(question, room)]
    while units(shown := message_html(body, headed=True)) > room:
        # Escaping lengthened it (& is &amp;): cut as much more as it overflows.
        body = body[: fitting(body, units(body) - (units(shown) - room))]
    return shown + tail


def with_note(question: str, note: str) -> str:
    """A question with a note too long for a toast (its guidance) shown under it."""
    room = MAX_MESSAGE - RECORD_ROOM - units(question) - 2
    shown = note if units(note) <= room else note[: fitting(note, room - 1)] + "…"
    return message_html(question, headed=True) + "\n\n<i>" + message_html(shown) + "</i>"
