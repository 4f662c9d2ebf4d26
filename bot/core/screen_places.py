"""Postcodes, addresses, dates of birth and numbers with a published format, for the screen."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.core.screen_names import is_ordinary
from bot.core.screen_text import words

if TYPE_CHECKING:
    from bot.core.screening import View

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
_EVERYDAY_STREET_WORDS = words(
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
_NOT_STREET_NAMES = words(
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
    return word.islower() and (low.endswith("s") or low in ("men", "women") or is_ordinary(low))


def postcode_at(view: View) -> int | None:
    """Where the first postcode starts, or None."""
    for match in _POSTCODE.finditer(view.lower):
        # "s28 2nd hearing": an ordinal typed in lower case is not an inward code.
        inward = view.text[match.start(2) : match.end(2)]
        if match[1].upper() in _POSTCODE_AREAS and not _ORDINAL.fullmatch(inward):
            return match.start()
    return None


def address_at(view: View) -> int | None:
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


def birth_at(view: View) -> int | None:
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


def ni_at(view: View) -> int | None:
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


def nhs_at(view: View) -> int | None:
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


def passport_at(view: View) -> int | None:
    """Where the first passport number starts, or None."""
    match = _PASSPORT.search(view.lower)
    return match.start() if match else None


def licence_at(view: View) -> int | None:
    """Where the first driving licence number starts, or None."""
    match = _LICENCE.search(view.lower)
    return match.start() if match else None


def plate_at(view: View) -> int | None:
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
    return not any(is_ordinary(group.lower()) for group in letters)
