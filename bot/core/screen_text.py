"""Text as the personal-data screen reads it: normalised against evasions, with views of it."""

from __future__ import annotations

import re
import unicodedata


def words(text: str) -> frozenset[str]:
    """The words of a list written as text, one space or line apart."""
    return frozenset(text.split())


# Characters that show nothing: zero-width spaces and joiners, soft hyphens, bidi marks,
# variation selectors and the Hangul fillers.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
# Cyrillic and Greek letters drawn like Latin ones, typographic dashes and quotes.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁһԛԝАВЕКМНОРСТХУІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧοι‐‑‒–—―−﹘﹣－‘’‛′",
    "aeopcyxijsdhqwABEKMHOPCTXYIJSABEZHIKMNOPTYXoi----------''''",
)
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
_SPACES = re.compile(r"\s+")
_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "nought": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_DIGIT_WORD = "(?:" + "|".join(_DIGIT_WORDS) + ")"
_SPELLED_DIGITS = re.compile(rf"\b{_DIGIT_WORD}(?:[ -]{_DIGIT_WORD}){{3,}}\b")
# A run of number-like tokens in which letters O, o, I or l stand in for digits: "O77OO 9OO123".
_NUMBER_LIKE = re.compile(r"(?<![^\W_])[0-9OoIl]+(?:[ ./:-][0-9OoIl]+)*(?![^\W_])")
_DIGIT_FOR = str.maketrans("OoIl", "0011")
# Characters typed one at a time with spaces, dots or hyphens between: "L S 1 4 A P", "D O B".
_SPACED_OUT = re.compile(r"(?<![^\W_])[^\W_](?:[ .-][^\W_](?![^\W_])){2,}")
_SEPARATOR = re.compile(r"[ .-]")


def normalise(text: str) -> str:
    """Return the text as a person reads it: plain digits and letters, single spaces."""
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
        text = unicodedata.normalize("NFKC", text).translate(_LOOK_ALIKES)
        text = _OTHER_DIGIT.sub(lambda digit: str(unicodedata.decimal(digit[0], 0)), text)
    text = _digits_for_words(_SPACES.sub(" ", text))
    return _NUMBER_LIKE.sub(_digits_for_letters, text)


def lower_in_place(text: str) -> str:
    """Lower-case the text without changing its length, so positions stay where they were."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(char if len(char.lower()) != 1 else char.lower() for char in text)


def _digits_for_words(text: str) -> str:
    """Write spelled-out digits as digits: "Zero seven seven zero" becomes "0770"."""
    lower = lower_in_place(text)
    pieces, done = [], 0
    for match in _SPELLED_DIGITS.finditer(lower):
        digits = "".join(_DIGIT_WORDS[word] for word in re.split(r"[ -]", match[0]))
        pieces += [text[done : match.start()], digits]
        done = match.end()
    return "".join(pieces) + text[done:] if pieces else text


def _digits_for_letters(match: re.Match[str]) -> str:
    """Read O and I as digits inside a run that is mostly digits already."""
    run = match[0]
    digits = sum(char.isdigit() for char in run)
    letters = sum(char in "OoIl" for char in run)
    if letters and digits >= 3 and letters <= digits:
        return run.translate(_DIGIT_FOR)
    return run


def squeezed(text: str) -> str:
    """Join characters typed one at a time: "L S 1 4 A P" becomes "LS14AP"."""
    return _SPACED_OUT.sub(lambda run: _SEPARATOR.sub("", run[0]), text)
