"""Phone numbers, e-mail addresses and social media handles, for the personal-data screen."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import phonenumbers

from bot.core.screen_names import is_ordinary

if TYPE_CHECKING:
    from bot.core.screening import View

# --- phone -----------------------------------------------------------------------------------

# Runs of digit groups joined by spaces, dots, hyphens or brackets. A run glued to letters or to
# a slash ("MG16", "s.28", "43/12345/26", "CR-0123456789") belongs to a reference, not a phone.
# Possessive quantifiers keep long runs linear; a last group glued to what follows is dropped.
_DIGIT_RUN = re.compile(r"(?<![\w/])(?<![^\W\d_][-.])\+?\(?\d++(?:[ .()-]{1,3}+\d++)*+")
_GLUED = re.compile(r"[\w/]")
_DIGITS = re.compile(r"\d+")
# Digit groups with slashes between, long enough to be a phone and not a date or a reference.
_SLASHED = re.compile(r"(?<![\w/])\+?\d{3,5}(?:/\d{3,6}){1,2}(?![\w/])")
# Where a UK national significant number of ten digits can start: 01, 02, 03, 05, 07, 08, 09.
_UK_LEADING = frozenset("1235789")


def phone_at(view: View) -> int | None:
    """Where the first phone number starts, or None."""
    text = view.text
    for run in _DIGIT_RUN.finditer(text):
        groups = list(_DIGITS.finditer(run[0]))
        if _GLUED.match(text, run.end()):
            groups.pop()  # "07700 900123 43/12345/26": the 43 belongs to the reference
        if sum(len(group[0]) for group in groups) < 9:
            continue
        international = run[0].startswith("+")
        # A number may sit inside a longer run ("07700 900123 2026"): try every stretch.
        for i, start in enumerate(groups):
            if start[0][0] not in "047":
                continue  # a UK number starts 0, 44, 0044 or 7 (a mobile without its 0)
            digits = ""
            for group in groups[i:]:
                digits += group[0]
                if len(digits) > 15:
                    break
                if len(digits) >= 10 and _uk_shaped(
                    digits, international=international and i == 0
                ):
                    return run.start() + start.start()
        # libphonenumber judges the rest (numbers abroad, the few shorter UK ranges) on runs that
        # start as a dialled number does and are short enough to be one: it is slow on others.
        dialled = international or run[0].lstrip("(").startswith("0")
        if dialled and sum(len(group[0]) for group in groups) <= 17 and _valid_somewhere(run[0]):
            return run.start()
    for run in _SLASHED.finditer(text):
        if _uk_shaped(run[0].replace("/", "").lstrip("+"), international=run[0][0] == "+"):
            return run.start()
    return None


def _uk_shaped(digits: str, *, international: bool) -> bool:
    """Tell whether digits have the shape of a UK number, in any range, allocated or not."""
    if digits.startswith("0044"):
        national = digits[4:]
    elif digits.startswith("44") and (international or len(digits) >= 12):
        national = digits[2:]
    elif international or digits.startswith("00"):
        return False
    elif digits.startswith("0"):
        national = digits[1:]
    elif digits.startswith("7") and len(digits) == 10:
        national = digits  # a mobile written without its 0
    else:
        return False
    if national.startswith("0"):
        national = national[1:]  # "+44 (0)20 ...": the national 0 kept after the country code
    if len(national) == 10:
        return national[0] in _UK_LEADING
    return False


def _valid_somewhere(candidate: str) -> bool:
    """Ask libphonenumber whether the digits make a valid number, in the UK or abroad."""
    return any(True for _ in phonenumbers.PhoneNumberMatcher(candidate, "GB"))


# --- email and handles -----------------------------------------------------------------------

_MAIL_PROVIDERS = (
    "gmail|googlemail|hotmail|outlook|yahoo|ymail|icloud|btinternet|virginmedia|protonmail"
    "|aol|msn|live|sky|talktalk|gmx|mail|me"
)
_SPELLED_PROVIDERS = (
    "gmail|googlemail|hotmail|outlook|yahoo|ymail|icloud|btinternet|virginmedia|protonmail|aol"
)
_DOT_WORD = r"(?:\.|\s*(?:\(dot\)|\[dot\]|\{dot\})\s*|\s+dot\s+)"
# Both patterns read the lower-case copy of the text, and find an address from its "@" or its
# "at" (which is quick to look for), then the name before it.
_EMAIL_AT = re.compile(rf" ?@ ?[a-z][\w-]*(?:\.[\w-]+)+|@(?:{_MAIL_PROVIDERS})\b")
_SPELLED_AT = re.compile(
    rf"(?:\(at\)|\[at\]|\{{at\}}| at )\s*(?:[\w-]+{_DOT_WORD}(?:com|co|uk|org|net|gov|ac|me|io)\b"
    rf"|(?:{_SPELLED_PROVIDERS})\b)"
)
_LOCAL_BEFORE = re.compile(r"(?<![\w.+%-])[\w.+%-]+ ?$")
_AT_HANDLE = re.compile(r"(?<![\w.@+-])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
_PLATFORM = re.compile(
    r"\b(?:insta(?:gram)?|ig|snap(?:chat)?|sc|tik ?tok|tt|twitter|fb|facebook|discord|telegram"
    r"|whats ?app|kik|only ?fans|youtube|yt|reddit|twitch|xbox|psn|grindr|tinder|bumble|badoo"
    r"|pof|user ?name|user|handle|gamer ?tag)\b"
    r"((?:\s*(?:[:=-]|is|was|as|name|username|user|handle|account|acc|id|profile|page|group"
    r"|chat|channel|called))*)"
    r"\s*(@?[\w.#]{3,30})",
    re.ASCII,
)

_HANDLE_MARKS = re.compile(r"[\d_#]|\w\.\w|[a-z][A-Z]")
_STRONG_LINK = re.compile(r"[:=]|\b(?:is|name|username|handle|called|as)\b")


def email_at(view: View) -> int | None:
    """Where the first e-mail address starts, or None."""
    spans = view.email_spans
    return spans[0][0] if spans else None


def email_spans(view: View) -> list[tuple[int, int]]:
    """Where the e-mail addresses are, written with "@" or spelled out with "at"."""
    found = list(_EMAIL_AT.finditer(view.lower)) if "@" in view.text else []
    found += _SPELLED_AT.finditer(view.lower)
    spans = []
    for match in found:
        local = _LOCAL_BEFORE.search(view.lower, max(0, match.start() - 64), match.start())
        if local and local.start() < match.start():
            spans.append((local.start(), match.end()))
    return sorted(spans)


def address_spans(view: View) -> list[tuple[int, int]]:
    """Where e-mail addresses and @handles are, which hold names that are no news."""
    spans = list(view.email_spans)
    if "@" in view.text:
        spans += [match.span() for match in _AT_HANDLE.finditer(view.text)]
    return spans


def handle_at(view: View) -> int | None:
    """Where the first social media handle starts ("@jsmith99", "snap: sarah_x"), or None."""
    if "@" in view.text:
        for match in _AT_HANDLE.finditer(view.text):
            word = match[1]
            if not word.isdigit() and not is_ordinary(word.lower()):
                return match.start()
    for match in _PLATFORM.finditer(view.lower):
        start, end = match.span(2)
        written = view.text[start:end]
        token = written.lstrip("@")
        if not any(char.isalpha() for char in token) or is_ordinary(token.lower()):
            continue
        if written.startswith("@") or _HANDLE_MARKS.search(token):
            return match.start()
        if token.islower() and len(token) >= 5 and _STRONG_LINK.search(match[1]):
            return match.start()
    return None
