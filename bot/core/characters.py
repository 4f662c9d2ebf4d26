"""Characters that must never reach a screen, a page or a spreadsheet as they are.

Control characters (C0, DEL, C1) drive terminals: ESC clears or hides the screen, BS and CR
write over what was printed. Bidirectional controls (Trojan Source) reverse or reorder what a
reader sees, so a reason can appear to say the opposite of what is stored. Line and paragraph
separators start new lines where a schedule expects none. New input holding any of them is
refused; what was stored before is shown with each one made visible, never obeyed.

Spreadsheets run a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return
before one) as a formula: OWASP's rule is to prefix such a cell with an apostrophe, which the
spreadsheet shows as text. A plain number ("-3", "+44") is left alone: it is a number either way.
"""

from __future__ import annotations

import re

#: Bidirectional formatting characters, by code point, with the names people know them by.
BIDI = {
    0x061C: "arabic letter mark",
    0x200E: "left-to-right mark",
    0x200F: "right-to-left mark",
    0x202A: "left-to-right embedding",
    0x202B: "right-to-left embedding",
    0x202C: "pop directional formatting",
    0x202D: "left-to-right override",
    0x202E: "right-to-left override",
    0x2066: "left-to-right isolate",
    0x2067: "right-to-left isolate",
    0x2068: "first strong isolate",
    0x2069: "pop directional isolate",
}
#: Characters that start a new line without being a line feed.
SEPARATORS = {0x0085: "next line", 0x2028: "line separator", 0x2029: "paragraph separator"}
#: Everything refused in new input and made visible on the way out. Tab and line feed are
#: ordinary typing; a carriage return is not (it writes over a terminal line).
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(chr(code) for code in (*BIDI, *SEPARATORS)) + "]"
)
#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def first_unsafe(text: str) -> int | None:
    """Where the first character that must not be shown as it is stands, if any."""
    found = UNSAFE.search(text)
    return None if found is None else found.start()


def describe(char: str) -> str:
    """A character by its code point and what it does: 'U+202E (right-to-left override)'."""
    code = ord(char)
    name = BIDI.get(code) or SEPARATORS.get(code) or "a control character"
    return f"U+{code:04X} ({name})"


def visible(text: str) -> str:
    """The text with each unsafe character shown for what it is, not obeyed: its code point in
    brackets ([U+001B] for ESC, [U+202E] for a right-to-left override), in plain ASCII that
    every font, terminal and chart can draw."""
    return UNSAFE.sub(lambda found: f"[U+{ord(found.group()):04X}]", text)


def refusal(text: str) -> str | None:
    """Why typed text cannot be kept as it is (a sentence), or None when it can."""
    at = first_unsafe(text)
    if at is None:
        return None
    return (
        f"That message holds an invisible control character, {describe(text[at])}, which can "
        "disguise what a record says. Type it again without it."
    )


def json_escaped(text: str) -> str:
    """JSON text with every unsafe character written as its escape (\\u202e): the data is the
    same, and a terminal showing it obeys none of them. JSON holds them only inside strings."""
    return UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def without_unsafe(text: str) -> str:
    """The text with every unsafe character removed: for names taken from a channel."""
    return UNSAFE.sub("", text)


def spreadsheet_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as written: text that would run as a formula is prefixed
    with an apostrophe (OWASP), unsafe characters are made visible, numbers stay numbers."""
    if not isinstance(value, str):
        return value
    shown = visible(value)
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + shown
    return shown


def spreadsheet_row(*values: object) -> list[object]:
    """A CSV row whose every cell a spreadsheet shows as written (see `spreadsheet_cell`)."""
    return [spreadsheet_cell(value) for value in values]
