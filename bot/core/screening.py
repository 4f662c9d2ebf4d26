"""The screen on free text: personal details that must never be typed into a messaging app.

A hit only asks the investigator to rephrase, so for numbers with a published shape (phone,
NHS, National Insurance, passport, driving licence, vehicle registration, postcode) the screen
leans towards catching. Names, addresses and dates of birth are judged by their context ("victim
Jane", "spoke to Kyle", "12 High Street", "born 3/4/90"), because ordinary notes such as "Victim
Personal Statement taken", "Suspect Remanded" or "arrested 3/11" must pass every time.

Text is normalised first, so that look-alike characters, invisible characters and spaced-out
digits do not slip past: what a person reads is what the screen reads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import Literal

import phonenumbers

from bot.core.given_names import GIVEN_NAMES, SURNAMES, WORD_LIKE_NAMES
from bot.core.vocabulary import (
    ACRONYMS,
    HEALTH_PATTERNS,
    ORDINARY_WORDS,
    ORGANISATION_WORDS,
    RELIGION_PATTERNS,
)

Kind = Literal[
    "name",
    "phone",
    "email",
    "social media handle",
    "postcode",
    "address",
    "date of birth",
    "national insurance number",
    "nhs number",
    "passport number",
    "driving licence number",
    "vehicle registration",
    "health",
    "religion",
]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]

_PHRASES = {
    "name": "a name",
    "phone": "a phone number",
    "email": "an email address",
    "social media handle": "a social media handle",
    "postcode": "a postcode",
    "address": "an address",
    "date of birth": "a date of birth",
    "national insurance number": "a National Insurance number",
    "nhs number": "an NHS number",
    "passport number": "a passport number",
    "driving licence number": "a driving licence number",
    "vehicle registration": "a vehicle registration",
    "health": "a health detail",
    "religion": "a mention of religion",
}

# The focus of an item on which health and religion are screened too (see `Item.focus`).
VICTIM_FOCUS = "victim"


def _words(text: str) -> frozenset[str]:
    """The words of a list written as text, one space or line apart."""
    return frozenset(text.split())


# --- normalising -----------------------------------------------------------------------------

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


def _lower_in_place(text: str) -> str:
    """Lower-case the text without changing its length, so positions stay where they were."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(char if len(char.lower()) != 1 else char.lower() for char in text)


def _digits_for_words(text: str) -> str:
    """Write spelled-out digits as digits: "Zero seven seven zero" becomes "0770"."""
    lower = _lower_in_place(text)
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


def _squeezed(text: str) -> str:
    """Join characters typed one at a time: "L S 1 4 A P" becomes "LS14AP"."""
    return _SPACED_OUT.sub(lambda run: _SEPARATOR.sub("", run[0]), text)


class _View:
    """One reading of a message, with what several finders need worked out once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lower = _lower_in_place(text)

    @cached_property
    def tokens(self) -> list[re.Match[str]]:
        """The words, with possessives and numbers glued on ("victim's", "S1")."""
        return list(_TOKEN.finditer(self.text))

    @cached_property
    def shouting(self) -> bool:
        """Tell whether the message is written mostly in capitals, so capitals say nothing."""
        letters = sum(map(str.isalpha, self.text))
        return letters >= 12 and sum(map(str.isupper, self.text)) > 0.6 * letters

    @cached_property
    def email_spans(self) -> list[tuple[int, int]]:
        """Where the e-mail addresses are, found once for the e-mail and name finders."""
        return _email_spans(self)

    @cached_property
    def for_names(self) -> _View:
        """The same reading with e-mail addresses and handles blanked out."""
        blanked = self.text
        for start, end in _address_spans(self):
            blanked = blanked[:start] + " " * (end - start) + blanked[end:]
        return self if blanked == self.text else _View(blanked)


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


def _phone_at(view: _View) -> int | None:
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


def _email_at(view: _View) -> int | None:
    """Where the first e-mail address starts, or None."""
    spans = view.email_spans
    return spans[0][0] if spans else None


def _email_spans(view: _View) -> list[tuple[int, int]]:
    """Where the e-mail addresses are, written with "@" or spelled out with "at"."""
    found = list(_EMAIL_AT.finditer(view.lower)) if "@" in view.text else []
    found += _SPELLED_AT.finditer(view.lower)
    spans = []
    for match in found:
        local = _LOCAL_BEFORE.search(view.lower, max(0, match.start() - 64), match.start())
        if local and local.start() < match.start():
            spans.append((local.start(), match.end()))
    return sorted(spans)


def _address_spans(view: _View) -> list[tuple[int, int]]:
    """Where e-mail addresses and @handles are, which hold names that are no news."""
    spans = list(view.email_spans)
    if "@" in view.text:
        spans += [match.span() for match in _AT_HANDLE.finditer(view.text)]
    return spans


def _handle_at(view: _View) -> int | None:
    """Where the first social media handle starts ("@jsmith99", "snap: sarah_x"), or None."""
    if "@" in view.text:
        for match in _AT_HANDLE.finditer(view.text):
            word = match[1]
            if not word.isdigit() and not _is_ordinary(word.lower()):
                return match.start()
    for match in _PLATFORM.finditer(view.lower):
        start, end = match.span(2)
        written = view.text[start:end]
        token = written.lstrip("@")
        if not any(char.isalpha() for char in token) or _is_ordinary(token.lower()):
            continue
        if written.startswith("@") or _HANDLE_MARKS.search(token):
            return match.start()
        if token.islower() and len(token) >= 5 and _STRONG_LINK.search(match[1]):
            return match.start()
    return None


# --- postcode, address -----------------------------------------------------------------------

# Every UK postcode area (with the Channel Islands, the Isle of Man and the two non-geographic
# ones): checking the letters keeps form names such as "MG11 2nd" from reading as postcodes.
_AREAS = """
    AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY
    E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE
    LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL
    SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE BF BX
"""
_POSTCODE_AREAS = frozenset(_AREAS.split())
# The inward code is a digit and two letters, and a space may slip in. Royal Mail never uses
# C, I, K, M, O or V there, but a mistyped postcode is still a postcode. Read in lower case.
_POSTCODE = re.compile(
    r"(?<![a-z0-9])([a-z]{1,2})[0-9][a-z0-9]? ?([0-9] ?[a-z] ?[a-z])(?![a-z0-9])"
)
_ORDINAL = re.compile(r"1st|2nd|3rd|[04-9]th")

_STREET_WORDS = (
    "road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|court|ct|crescent|cres|gardens"
    "|gdns|place|pl|terrace|tce|grove|hill|park|square|sq|row|mews|walk|rise|vale|view|green"
    "|parade|boulevard|wharf|quay|croft|meadows?|fields|heights|gate"
)
# Street words that are also everyday verbs or nouns ("2 lads drive off", "2 people walk past"):
# written in lower case, they need a capitalised street name before them.
_EVERYDAY_STREET_WORDS = _words(
    """
    close drive dr way court ct place pl hill park row walk rise view green gate fields
    """
)
# A house number, one to three words of street name and a street word: "12 High Street".
# Read in lower case; the case of the words is looked up in the text as written.
_HOUSE = re.compile(
    rf"(?<![\w/.:])\d{{1,4}}[a-z]?,? ((?:[^\W\d_][\w'-]* ){{1,3}})({_STREET_WORDS})\b"
)
# Words that make "number ... Court" a count or an institution, not a street: "3 Crown Court
# hearings", "a 5 minute walk", "2 car park spaces", "10 times in the park".
_NOT_STREET_NAMES = _words(
    """
    in on at of to a an and or for with from by near into onto outside inside behind the times
    time minute minutes min mins hour hours day days week weeks month months year years mile
    miles metre metres crown magistrates county family youth car retail business industrial
    different separate other more extra
    """
)
_FLAT = re.compile(r"\b(?:flat|apartment|apt|flt)\.? ?(?:no\.? ?|number )?\d{1,4}[a-z]?\b")
_RESIDES_AT = re.compile(
    r"\b(?:lives? at|living at|resides? at|residing at|stays at|staying at|address is:?"
    r"|address:) ?\d{1,4}[a-z]?\b"
)
# "lives on Station Road": a street named, without a number. Read as written.
_LIVES_ON = re.compile(
    r"\b(?:[Ll]ives?|[Ll]iving|[Rr]esides?|[Rr]esiding|[Ss]tays|[Ss]taying) (?:on|in|off|at)"
    rf" (?:[A-Z][a-z'-]+ ){{1,2}}(?:{_STREET_WORDS.title()})\b"
)


def _counted(word: str) -> bool:
    """Tell whether a word after a number reads as what is counted: "2 lads", "3 people"."""
    low = word.lower()
    return word.islower() and (low.endswith("s") or low in ("men", "women") or _is_ordinary(low))


def _postcode_at(view: _View) -> int | None:
    """Where the first postcode starts, or None."""
    for match in _POSTCODE.finditer(view.lower):
        # "s28 2nd hearing": an ordinal typed in lower case is not an inward code.
        inward = view.text[match.start(2) : match.end(2)]
        if match[1].upper() in _POSTCODE_AREAS and not _ORDINAL.fullmatch(inward):
            return match.start()
    return None


def _address_at(view: _View) -> int | None:
    """Where the first street address or flat number starts, or None."""
    for match in _HOUSE.finditer(view.lower):
        words = view.text[match.start(1) : match.end(1)].split()
        if any(word.lower() in _NOT_STREET_NAMES for word in words):
            continue
        street = view.text[match.start(2) : match.end(2)]
        if street.islower() and street in _EVERYDAY_STREET_WORDS and _counted(words[-1]):
            continue
        return match.start()
    for found in (_FLAT.search(view.lower), _RESIDES_AT.search(view.lower)):
        if found:
            return found.start()
    found = _LIVES_ON.search(view.text)
    return found.start() if found else None


# --- date of birth ---------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)[0-9]{2}"
_NUMERIC_DATE = r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2})\b"
_FULL_DATE = (
    rf"(?:{_NUMERIC_DATE}|{_YEAR}-[0-9]{{2}}-[0-9]{{2}}"
    rf"|{_DAY} (?:of )?{_MONTH},? (?:{_YEAR}|'?[0-9]{{2}})\b"
    rf"|{_MONTH} {_DAY},? {_YEAR}\b)"
)
_ANY_DATE = (
    rf"(?:{_FULL_DATE}|[0-9]{{1,2}}[/.-][0-9]{{1,2}}\b|{_DAY} (?:of )?{_MONTH}\b"
    rf"|{_MONTH} {_DAY}\b|{_YEAR}\b)"
)
_BIRTH_WORD = (
    r"\b(?:d\.? ?o\.? ?b\b\.?|dates? of birth|birth ?dates?|birthdays?|born)(?:'s)?"
    r"(?: ?[:=-])?(?: (?:is|was|on|in|of|the|=|-|:))*"
)
_BIRTH = re.compile(
    rf"{_BIRTH_WORD} ?\(?{_ANY_DATE}"
    rf"|\bb\. ?(?:{_FULL_DATE}|{_YEAR}\b)"
    # Without a keyword: a full date straight after a person or an age ("suspect 12/03/1990",
    # "aged 34 (1/2/90)"). Event dates follow verbs ("arrested 3/11"), not people.
    rf"|(?<![\w'])(?:victim|vic|suspect|susp|witness|complainant|offender|defendant|v|s|ip|w)"
    rf"[,:]? ?\(?{_FULL_DATE}"
    rf"|\baged? [0-9]{{1,3}},? ?\(?(?:born )?{_FULL_DATE}"
)


def _birth_at(view: _View) -> int | None:
    """Where the first date of birth starts, or None."""
    match = _BIRTH.search(view.lower)
    return match.start() if match else None


# --- numbers with a published format ---------------------------------------------------------

_NI = re.compile(
    r"(?<![A-Z0-9])([A-Z]{2})[ .-]?([0-9]{2})([ .-]?)([0-9]{2})[ .-]?([0-9]{2})"
    r"(?:[ .-]?([A-D]))?(?![A-Z0-9])",
    re.IGNORECASE | re.ASCII,
)
_NI_WORD = re.compile(r"\b(?:ni|nino|n\.i\.?|national insurance)\b")
# HMRC never issues these prefixes, nor D, F, I, Q, U or V first, nor D, F, I, O, Q, U or V second.
_NI_NEVER = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})

_NHS = re.compile(r"(?<![\w/])([0-9]{3})([ -]?)([0-9]{3})[ -]?([0-9]{4})(?![\w/])")
_NHS_WORD = re.compile(r"\bnhs\b")

_PASSPORT = re.compile(
    r"\b(?:passport|ppt|pp)\b(?: ?(?:no\.?|number|num|#|is|was|:|-))* ?"
    r"(?:[a-z]{1,2} ?)?[0-9](?: ?[0-9]){6,8}(?![\w/])"
)

# A GB driving licence: five letters of the surname (padded with 9s), the birth date coded
# (decade, month with 50 added for women, day, year), initials, a digit and two check letters.
_LICENCE = re.compile(
    r"(?<![a-z0-9])(?=[a-z9]{5})[a-z]{1,5}9{0,4} ?[0-9](?:0[1-9]|1[0-2]|5[1-9]|6[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01])[0-9] ?[a-z][a-z9][0-9][a-z]{2}(?: ?[0-9]{2})?(?![a-z0-9])"
)

# Vehicle registrations, current (AB12 CDE, since 2001), prefix (A123 BCD, 1983-2001) and
# suffix (ABC 123D, 1963-1983). Capitals anywhere; any case after a word such as "car".
_CURRENT_PLATE = r"[A-HJ-PR-Y][A-HJ-PR-Y]([0-9]{2}) ?([A-HJ-PR-Z]{3})"
_PREFIX_PLATE = r"[A-HJ-NPR-TV-Y][0-9]{1,3} ?([A-HJ-PR-Z]{3})"
_SUFFIX_PLATE = r"([A-HJ-PR-Z]{3}) ?[0-9]{1,3} ?[A-HJ-NPR-TV-Y]"
_DATELESS_PLATE = r"[A-HJ-PR-Y]{1,3} ?[0-9]{1,4}|[0-9]{1,4} ?[A-HJ-PR-Y]{1,3}"
_PLATE = re.compile(
    rf"(?<![A-Za-z0-9])(?:{_CURRENT_PLATE}|{_PREFIX_PLATE}|{_SUFFIX_PLATE})(?![A-Za-z0-9])"
)
_VEHICLE_WORD = re.compile(
    r"\b(?:car|van|vehicle|reg(?:istration)?|vrm|vrn|plate|taxi|cab|motorbike|moped|lorry"
    r"|truck|drives|anpr)\b(?: ?(?:no\.?|number|is|was|:|plate))* ?"
)
_PLATE_ANY_CASE = re.compile(
    rf"(?:{_CURRENT_PLATE}|{_PREFIX_PLATE}|{_SUFFIX_PLATE})(?![A-Za-z0-9])", re.IGNORECASE
)
_DATELESS = re.compile(rf"(?:{_DATELESS_PLATE})(?![A-Za-z0-9])")


def _ni_at(view: _View) -> int | None:
    """Where the first National Insurance number starts, or None."""
    for match in _NI.finditer(view.text):
        prefix, spaced, suffix = match[1].upper(), match[3], match[6]
        if _NI_WORD.search(view.lower, max(0, match.start() - 25), match.start()):
            return match.start()
        allowed = (
            prefix[0] not in "DFIQUV" and prefix[1] not in "DFIOQUV" and prefix not in _NI_NEVER
        )
        # Without the words, an NI number shows itself by its letter suffix, or by its spacing
        # after capitals: "custody ref WY123456" is a reference, "on 12 03 26" a date.
        if allowed and (suffix or (spaced and match[1].isupper())):
            return match.start()
    return None


def _nhs_at(view: _View) -> int | None:
    """Where the first NHS number starts, or None."""
    for match in _NHS.finditer(view.text):
        digits = "".join(match.group(1, 3, 4))
        if _NHS_WORD.search(view.lower, max(0, match.start() - 25), match.start()):
            return match.start()
        if match[2] and _nhs_check_digit_holds(digits):
            return match.start()  # written 3-3-4, as the NHS prints it, and the check holds
    return None


def _nhs_check_digit_holds(digits: str) -> bool:
    """Apply the NHS modulus 11 check: weights 10 to 2 on the first nine digits."""
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _passport_at(view: _View) -> int | None:
    """Where the first passport number starts, or None."""
    match = _PASSPORT.search(view.lower)
    return match.start() if match else None


def _licence_at(view: _View) -> int | None:
    """Where the first driving licence number starts, or None."""
    match = _LICENCE.search(view.lower)
    return match.start() if match else None


def _plate_at(view: _View) -> int | None:
    """Where the first vehicle registration starts, or None."""
    text = view.text
    for match in _PLATE.finditer(text):
        if _plausible_plate(match):
            return match.start()
    for word in _VEHICLE_WORD.finditer(view.lower):
        plate = _PLATE_ANY_CASE.match(text, word.end()) or _DATELESS.match(text, word.end())
        if plate and _plausible_plate(plate):
            return plate.start()
    return None


def _plausible_plate(match: re.Match[str]) -> bool:
    """Tell whether a plate-shaped match is a registration, not an acronym with a number."""
    age = match.groups()[0] if match.re.groups else None
    if age is not None and age.isdigit() and not ("02" <= age <= "29" or "51" <= age <= "79"):
        return False
    letters = [group for group in match.groups() if group and group.isalpha()]
    return not any(_is_ordinary(group.lower()) for group in letters)


# --- names -----------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_ROLES = _words(
    """
    victim vic complainant aggrieved survivor suspect susp offender defendant accused
    perpetrator perp witness mum mam mom mother mummy dad daddy father stepdad stepmum
    stepfather stepmother brother bro sister sis sibling son daughter aunt auntie aunty uncle
    cousin nan nana nanna gran granny grandma grandmother grandad granddad grandpa grandfather
    nephew niece grandson granddaughter partner ex ex-partner ex-boyfriend ex-girlfriend
    ex-husband ex-wife boyfriend girlfriend bf gf husband wife fiance fiancee friend mate
    bestie neighbour colleague coworker co-worker flatmate housemate roommate landlord landlady
    boss employer teacher tutor carer coach pupil student classmate child kid baby lodger
    tenant stepson stepdaughter stepbrother stepsister
    """
)
# Roles written as capital letters, with a number or without: "V Jane", "IP Hannah", "S1 Darren".
_ROLE_CODE = re.compile(r"(?:V|S|W|IP|[VSW]\d{1,2}|IP\d{1,2})")
_ROLE_LETTERS = frozenset({"V", "S", "W", "IP"})
_TITLES = _words("mr mrs ms miss mx dr prof rev sir dame")
_SPEAKING = _words(
    """
    spoke spoken speak speaking talked talk met meet meeting told tell called call calling rang
    ring phoned texted messaged emailed visited interviewed saw seen contacted updated informed
    advised asked reassured named nicknamed aka
    """
)
_PARTICLES = _words("to with up back")
_LINKS = _words("is was named called known as aka name nicknamed")
_LINK_WORDS = _PARTICLES | _LINKS
_FAMILY = _words("family families household brothers sisters twins clan kids")
_LEET = str.maketrans("013457@$", "oieastas")
# Endings of ordinary words, not of names: "Remanded", "Safeguarding", "Protection".
_ORDINARY_ENDINGS = (
    "ed", "ing", "ings", "tion", "tions", "sion", "ment", "ments", "ness", "ity", "ance",
    "ence", "ship", "ful", "less", "ous", "ive", "able", "ible", "ise", "ize",
)  # fmt: skip
_CONTEXT_WORDS = _ROLES | _TITLES | _SPEAKING | _LINKS | _FAMILY
_INTRODUCERS = _ROLES | _SPEAKING


def _name_at(view: _View) -> int | None:
    """Where the first name starts, or None."""
    view = view.for_names
    tokens = view.tokens
    for i, token in enumerate(tokens):
        word = _base(token[0])
        low = word.lower()
        if low in _INTRODUCERS or (
            (word in _ROLE_LETTERS or not word.isalpha()) and _is_role(word)
        ):
            j = _skip_links(view.text, tokens, i)
            found = j is not None and _is_name(view, j, after_title=False)
        elif low in _TITLES:
            found = _titles_someone(view, i, word)
        elif low in GIVEN_NAMES or low in SURNAMES or word[0].isupper():
            found = _is_name_alone(view, i)
        else:
            continue  # most words: lower case, and nothing to do with people
        if found:
            return token.start()
    return None


def _titles_someone(view: _View, i: int, word: str) -> bool:
    """Tell whether "Mr", "Dr", "Miss"... at i comes before a name ("Mr. Jones", "mrs patel")."""
    tokens = view.tokens
    if word == "miss" or i + 1 >= len(tokens):
        return False  # lower-case "miss" is the verb
    gap = view.text[tokens[i].end() : tokens[i + 1].start()]
    return gap in (" ", ".", ". ") and _is_name(view, i + 1, after_title=True)


def _base(token: str) -> str:
    """The word without a possessive or a contraction: "victim's" is "victim", "RUI'd" is "RUI"."""
    if "'" not in token:
        return token
    for ending in ("'s", "'d", "'ll", "'ve", "'"):
        if token.endswith(ending) and len(token) > len(ending) + 1:
            return token[: -len(ending)]
    return token


def _is_role(word: str) -> bool:
    """Tell whether a word names someone's part in the case: "victim", "mum", "V", "susp"."""
    low = word.lower()
    if low in _ROLES or _ROLE_CODE.fullmatch(word):
        return True
    # "v1ctim", "susp3ct": digits written for letters.
    return any(char.isdigit() for char in low) and low.translate(_LEET) in _ROLES


def _skip_links(text: str, tokens: list[re.Match[str]], i: int) -> int | None:
    """Step over the words between a role or verb and a name ("to", "is", "name is"), or None."""
    j = i + 1
    while j < len(tokens) and _joined(text, tokens[j - 1], tokens[j]):
        if tokens[j][0].lower() not in _LINK_WORDS or j - i > 3:
            return j
        j += 1
    return None


def _joined(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    """Tell whether two tokens are close enough to belong together ("victim: Jane")."""
    gap = text[left.end() : right.start()]
    return len(gap) <= 3 and not any(mark in gap for mark in ".;!?")


def _is_name(view: _View, j: int, *, after_title: bool) -> bool:
    """Tell whether the token at j, which follows a role, verb or title, is a name."""
    tokens = view.tokens
    word = _base(tokens[j][0])
    low = word.lower()
    if low in GIVEN_NAMES or low in SURNAMES:
        return True
    if not word.replace("'", "").replace("-", "").isalpha():
        return False
    if _followed_by_organisation(tokens, j) or _is_sensitive_word(low):
        return False
    if view.shouting or not word[0].isupper():
        return after_title and low != "and" and not _is_ordinary(low)
    if len(word) == 1:
        return False  # a label: "Suspect A", "Witness B"
    if word.isupper():
        # Surnames are often written in capitals ("Mr SMITH", "victim SMITH"), but so are
        # acronyms ("suspect PNC check") and labels ("Suspect A").
        return not _is_ordinary(low) and (after_title or len(word) >= 4)
    if after_title:
        # After "Mr" or "Dr" a capitalised word is a surname, even one that is also a word
        # ("Mr Brown"), unless it names a body or a role ("MS Teams", "Dr Victim").
        return not _is_institutional(low)
    return low in WORD_LIKE_NAMES or not _is_ordinary(low)


def _is_name_alone(view: _View, i: int) -> bool:
    """Tell whether a token is a name without any word before it to say so."""
    tokens = view.tokens
    word = _base(tokens[i][0])
    low = word.lower()
    capitalised = word[0].isupper() and not view.shouting
    if tokens[i][0].endswith("'s") and _next_word(tokens, i) == "law":
        return False  # a scheme named after someone: "Clare's Law", "Sarah's Law"
    if low in GIVEN_NAMES or (capitalised and _has_given_part(low)):
        return not _followed_by_organisation(tokens, i)
    if capitalised and low in SURNAMES:
        return not _followed_by_organisation(tokens, i)
    if i + 1 >= len(tokens) or not capitalised or not word.isalpha():
        return False
    following = _base(tokens[i + 1][0])
    if following.lower() in _FAMILY:
        return not _is_ordinary(low)  # "Smith family pressuring her"
    # "Dawn Smith": a name that is also a word, then a surname.
    return (
        low in WORD_LIKE_NAMES
        and following[:1].isupper()
        and (following.lower() in SURNAMES or not _is_ordinary(following.lower()))
        and not _followed_by_organisation(tokens, i + 1)
    )


def _has_given_part(low: str) -> bool:
    """Tell whether a double-barrelled word holds a given name: "Ellie-Mae", "Anne-Marie"."""
    return "-" in low and any(part in GIVEN_NAMES for part in low.split("-"))


def _followed_by_organisation(tokens: list[re.Match[str]], j: int) -> bool:
    """Tell whether the next word makes this one part of a place or body: "Anytown Police"."""
    return _next_word(tokens, j) in ORGANISATION_WORDS


def _next_word(tokens: list[re.Match[str]], j: int) -> str:
    """The token after j, in lower case, or nothing."""
    return tokens[j + 1][0].lower() if j + 1 < len(tokens) else ""


def _is_sensitive_word(low: str) -> bool:
    """Tell whether a word is a faith or a condition ("victim is Muslim"), which is no name."""
    return bool(_RELIGION.fullmatch(low) or _HEALTH.fullmatch(low))


def _is_institutional(low: str) -> bool:
    """Tell whether a lower-case word names a body, a role or an acronym, in any common form."""
    if low in ACRONYMS or low in _CONTEXT_WORDS:
        return True
    return any(stem in ORGANISATION_WORDS for stem in (low, *_stems(low)))


def _is_ordinary(low: str) -> bool:
    """Tell whether a lower-case word is ordinary English of policing, in any common form."""
    if low in ORDINARY_WORDS or low in ACRONYMS or low in ORGANISATION_WORDS:
        return True
    if low in _CONTEXT_WORDS or low in _PARTICLES:
        return True
    return any(
        stem in ORDINARY_WORDS or (len(stem) > 4 and stem.endswith(_ORDINARY_ENDINGS))
        for stem in (low, *_stems(low))
    )


def _stems(low: str) -> Iterator[str]:
    """The base forms a word may come from: "enquiries" from "enquiry", "located" from "locate"."""
    if low.endswith("ies"):
        yield low[:-3] + "y"
    if low.endswith("es"):
        yield low[:-2]
    if low.endswith("s"):
        yield low[:-1]
    if low.endswith("ed"):
        yield low[:-2]
        yield low[:-1]
    if low.endswith("ing"):
        yield low[:-3]
        yield low[:-3] + "e"


# --- health and religion, on victim-focused items --------------------------------------------

# Both read the lower-case copy of the text: faster than matching without regard to case.
_HEALTH = re.compile(r"\b(?:" + "|".join(HEALTH_PATTERNS) + r")\b")
_RELIGION = re.compile(r"\b(?:" + "|".join(RELIGION_PATTERNS) + r")\b")


def _health_at(view: _View) -> int | None:
    """Where the first health detail starts, or None."""
    match = _HEALTH.search(view.lower)
    return match.start() if match else None


def _religion_at(view: _View) -> int | None:
    """Where the first mention of religion starts, or None."""
    match = _RELIGION.search(view.lower)
    return match.start() if match else None


# --- the screen ------------------------------------------------------------------------------

Finder = Callable[[_View], int | None]
_FINDERS: tuple[tuple[Kind, Finder], ...] = (
    ("name", _name_at),
    ("phone", _phone_at),
    ("email", _email_at),
    ("social media handle", _handle_at),
    ("postcode", _postcode_at),
    ("address", _address_at),
    ("date of birth", _birth_at),
    ("national insurance number", _ni_at),
    ("nhs number", _nhs_at),
    ("passport number", _passport_at),
    ("driving licence number", _licence_at),
    ("vehicle registration", _plate_at),
)
_VICTIM_FINDERS: tuple[tuple[Kind, Finder], ...] = (
    ("health", _health_at),
    ("religion", _religion_at),
)


def screen(text: str, *, focus: str | None = None) -> list[Kind]:
    """Return the kinds of personal detail found in the text, in the order they appear.

    On an item whose focus is the victim, health and religion count as personal details too.
    """
    finders = _FINDERS + _VICTIM_FINDERS if focus == VICTIM_FOCUS else _FINDERS
    plain = normalise(text)
    squeezed = _squeezed(plain)
    views = [_View(plain)] if squeezed == plain else [_View(plain), _View(squeezed)]
    first: dict[Kind, int] = {}
    for view in views:
        for kind, finder in finders:
            if kind in first:
                continue  # the squeezed reading looks only for what the plain one missed
            position = finder(view)
            if position is not None:
                first[kind] = position
    return sorted(first, key=lambda kind: (first[kind], KINDS.index(kind)))


def describe(kinds: Iterable[str]) -> str:
    """Name what the screen found, in a few words that never repeat the text itself."""
    phrases = [_PHRASES[kind] for kind in dict.fromkeys(kinds)]
    if not phrases:
        return "personal details"
    return phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"


def warning(kinds: Iterable[str]) -> str:
    """Say in one sentence what the screen found, and ask for a rephrase."""
    ask = "Please don't type personal details here — rephrase without them."
    kinds = list(kinds)
    if not kinds:
        return ask
    return f"That looks like {describe(kinds)}. {ask}"


def screen_lines(lines: Iterable[str], *, focus: str | None = None) -> Iterator[str]:
    """Judge each line as the chat would: "ok", or "refused", a tab and what was found."""
    for line in lines:
        kinds = screen(line.rstrip("\r\n"), focus=focus)
        yield f"refused\t{describe(kinds)}" if kinds else "ok"
