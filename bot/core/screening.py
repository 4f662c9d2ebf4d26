"""The screen on free text: personal details that must never be typed into a messaging app.

A hit only asks the investigator to rephrase, so for phone numbers, e-mail addresses, postcodes
and National Insurance numbers the screen leans towards catching. Names are judged more
narrowly (a capitalised word right after "victim", "suspect", "Mr"...), because ordinary
policing phrases such as "Victim Personal Statement" must pass without a warning every time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Literal

Kind = Literal["name", "phone", "email", "postcode", "date of birth", "national insurance number"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]

_PHRASES = {
    "name": "a name",
    "phone": "a phone number",
    "email": "an email address",
    "postcode": "a postcode",
    "date of birth": "a date of birth",
    "national insurance number": "a National Insurance number",
}

# --- name ------------------------------------------------------------------------------------

_ROLE = re.compile(
    r"\b(?:(victim|suspect|witness|complainant|offender|defendant)\b|(mrs|mr|ms|miss|dr)\b\.?)",
    re.IGNORECASE,
)
# What may stand between the role and the name: "victim Jane", "victim: Jane", "suspect is
# John", "Mr.Smith".
_LINK = re.compile(
    r"(?:\s*[:=,(–—-]\s*|\s+|(?<=\.))(?:(?:is|was|named|called|known as|aka)\s*:?\s+)?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Capitalised words that follow "victim", "suspect"... in ordinary policing English.
_ORDINARY_WORDS = """
    personal statement statements support care code codes right rights review services service
    liaison unit units interview interviews strategy management manager managers profile contact
    navigator advocate advocacy information details account accounts summary record records
    impact safety plan plans led focused focussed centred centered identified unidentified
    identification description descriptions unknown known not no none nil yes was is has had did
    does will would should could may might must can the a an and or but of to for in on at by
    with from as if then so also he she they it his her hers their theirs them him we i you our
    us me my your this that these those there here who whom which what when where why how
    police officer officers court courts crown magistrates trial bail custody charge charged
    arrest arrested informed interviewed released bailed spoken seen visited contacted updated
    told advised offered referred supported declined refused agreed consented withdrew withdrawn
    attended engaged engaging requested confirmed reported disclosed present available
    unavailable vulnerable vulnerability intimidated intimidation anonymity special measures
    status welfare wishes views engagement attrition retraction withdrawal first initial further
    second third new other another all both each any some one two three history previous prior
    background number numbers address addresses phone mobile email dob date birth male female
    adult child youth juvenile sergeant inspector detective constable
    victim suspect witness complainant offender defendant mr mrs ms miss dr
    monday tuesday wednesday thursday friday saturday sunday
    january february march april june july august september october november december
"""
_NOT_NAMES = frozenset(_ORDINARY_WORDS.split())

# --- phone -----------------------------------------------------------------------------------

# Runs of digit groups joined by spaces, dots, hyphens or brackets. A run glued to letters or to
# a slash ("MG16", "s.28", "43/12345/26", "CR-0123456789") belongs to a reference, not a phone.
# Possessive quantifiers keep long runs linear; a last group glued to what follows is dropped.
_DIGIT_RUN = re.compile(r"(?<![\w/])(?<![^\W\d_][-.])\+?\(?\d++(?:[ \u00a0.()-]{1,3}+\d++)*+")
_GLUED = re.compile(r"[\w/]")
_DIGITS = re.compile(r"\d+")
_UK_NUMBER = re.compile(r"0[1-9][0-9]{8,9}|7[0-9]{9}")

# --- email -----------------------------------------------------------------------------------

# Matches start only where a word starts, so a long run without an "@" is not retried.
_EMAIL = re.compile(
    r"(?<![\w.+%-])(?:[\w.+%-]+@[\w-]+(?:\.[\w-]+)+"
    r"|[\w.+%-]+\s*(?:\(at\)|\[at\]|\sat\s)\s*[\w-]+"
    r"(?:\.|\s*\(dot\)\s*|\s*\[dot\]\s*|\s+dot\s+)(?:com|co|uk|org|net|gov|ac|me)\b)",
    re.IGNORECASE,
)

# --- postcode --------------------------------------------------------------------------------

# Every UK postcode area (with the Channel Islands, the Isle of Man and the two non-geographic
# ones): checking the letters keeps form names such as "MG11 2nd" from reading as postcodes.
_AREAS = """
    AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY
    E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE
    LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL
    SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE BF BX
"""
_POSTCODE_AREAS = frozenset(_AREAS.split())
_POSTCODE = re.compile(
    r"(?<![A-Z0-9])([A-Z]{1,2})[0-9][A-Z0-9]?\s?[0-9][A-Z]{2}(?![A-Z0-9])",
    re.IGNORECASE | re.ASCII,
)

# --- date of birth ---------------------------------------------------------------------------

_BIRTH = re.compile(
    # "dob" but not the verb, as in "didn't want to dob him in".
    r"\bd(?:\.\s?)?o(?:\.\s?)?b\b(?!\s+(?:(?:him|her|them|me|us|someone|anyone)\s+)?in\b)"
    r"|\bdates?\s+of\s+birth\b|\bbirth\s*dates?\b|\bborn\s+on\b"
    r"|\bborn\s+(?:in\s+)?(?:19|20)\d\d\b",
    re.IGNORECASE,
)

# --- national insurance number ---------------------------------------------------------------

_NI = re.compile(
    r"(?<![A-Z0-9])([A-Z]{2})\s?[0-9]{2}(\s?)[0-9]{2}\s?[0-9]{2}\s?([A-D])?(?![A-Z0-9])",
    re.IGNORECASE | re.ASCII,
)


def screen(text: str) -> list[Kind]:
    """Return the kinds of personal detail found in the text, in the order they appear."""
    finders: tuple[tuple[Kind, Iterator[int]], ...] = (
        ("name", _names(text)),
        ("phone", _phones(text)),
        ("email", (match.start() for match in _EMAIL.finditer(text))),
        ("postcode", _postcodes(text)),
        ("date of birth", (match.start() for match in _BIRTH.finditer(text))),
        ("national insurance number", _ni_numbers(text)),
    )
    first: dict[Kind, int] = {}
    for kind, positions in finders:
        position = next(positions, None)
        if position is not None:
            first[kind] = position
    return sorted(first, key=lambda kind: (first[kind], KINDS.index(kind)))


def warning(kinds: Iterable[str]) -> str:
    """Say in one sentence what the screen found, and ask for a rephrase."""
    phrases = [_PHRASES[kind] for kind in dict.fromkeys(kinds)]
    ask = "Please don't type personal details here — rephrase without them."
    if not phrases:
        return ask
    found = phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"
    return f"That looks like {found}. {ask}"


def _names(text: str) -> Iterator[int]:
    for role in _ROLE.finditer(text):
        link = _LINK.match(text, role.end())
        word = _WORD.match(text, link.end()) if link else None
        if word and _looks_like_name(word[0], after_title=role[2] is not None):
            yield role.start()


def _looks_like_name(word: str, *, after_title: bool) -> bool:
    """Tell whether a word reads as a name: capitalised and not ordinary policing English."""
    if not word[0].isupper() or word.lower() in _NOT_NAMES:
        return False
    if word.isupper():
        # Surnames are often written in capitals ("Mr SMITH"), but so are acronyms ("suspect
        # PNC check") and anonymised labels ("Suspect A"): only trust capitals after a title.
        return after_title and len(word) >= 2
    return True


def _phones(text: str) -> Iterator[int]:
    for run in _DIGIT_RUN.finditer(text):
        groups = list(_DIGITS.finditer(run[0]))
        if _GLUED.match(text, run.end()):
            groups.pop()  # "07700 900123 43/12345/26": the 43 belongs to the reference
        # A number may sit inside a longer run ("07700 900123 2026"): try every stretch.
        for i, start in enumerate(groups):
            digits = ""
            for group in groups[i:]:
                digits += group[0]
                if len(digits) > 14:
                    break
                if _is_uk_phone(digits):
                    yield run.start() + start.start()
                    return


def _is_uk_phone(digits: str) -> bool:
    """Tell whether digits form a UK phone number, written nationally or with +44 / 0044."""
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) >= 12:
        digits = "0" + digits[2:]
    if digits.startswith("00"):  # "+44 (0)20 ...": the national 0 kept after the country code
        digits = digits[1:]
    return _UK_NUMBER.fullmatch(digits) is not None


def _postcodes(text: str) -> Iterator[int]:
    for match in _POSTCODE.finditer(text):
        if match[1].upper() in _POSTCODE_AREAS:
            yield match.start()


def _ni_numbers(text: str) -> Iterator[int]:
    for match in _NI.finditer(text):
        prefix, spaced, suffix = match[1], match[2], match[3]
        # Lower-case "no 123456" is more likely a reference; an NI number shows itself by its
        # letter suffix, a capital prefix or the "12 34 56" spacing.
        if suffix or spaced or prefix.isupper():
            yield match.start()
