"""Names in context, and health and religion words, for the personal-data screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot.core.given_names import GIVEN_NAMES, SURNAMES, WORD_LIKE_NAMES
from bot.core.screen_text import words
from bot.core.vocabulary import (
    ACRONYMS,
    HEALTH_PATTERNS,
    ORDINARY_WORDS,
    ORGANISATION_WORDS,
    RELIGION_PATTERNS,
)

if TYPE_CHECKING:
    from bot.core.screening import View

# --- names -----------------------------------------------------------------------------------

TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_ROLES = words(
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
_TITLES = words("mr mrs ms miss mx dr prof rev sir dame")
_SPEAKING = words(
    """
    spoke spoken speak speaking talked talk met meet meeting told tell called call calling rang
    ring phoned texted messaged emailed visited interviewed saw seen contacted updated informed
    advised asked reassured named nicknamed aka
    """
)
_PARTICLES = words("to with up back")
_LINKS = words("is was named called known as aka name nicknamed")
_LINK_WORDS = _PARTICLES | _LINKS
_FAMILY = words("family families household brothers sisters twins clan kids")
_LEET = str.maketrans("013457@$", "oieastas")
# Endings of ordinary words, not of names: "Remanded", "Safeguarding", "Protection".
_ORDINARY_ENDINGS = (
    "ed", "ing", "ings", "tion", "tions", "sion", "ment", "ments", "ness", "ity", "ance",
    "ence", "ship", "ful", "less", "ous", "ive", "able", "ible", "ise", "ize",
)  # fmt: skip

_CONTEXT_WORDS = _ROLES | _TITLES | _SPEAKING | _LINKS | _FAMILY
_INTRODUCERS = _ROLES | _SPEAKING


def name_at(view: View) -> int | None:
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


def _titles_someone(view: View, i: int, word: str) -> bool:
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


def _is_name(view: View, j: int, *, after_title: bool) -> bool:
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
        return after_title and low != "and" and not is_ordinary(low)
    if len(word) == 1:
        return False  # a label: "Suspect A", "Witness B"
    if word.isupper():
        # Surnames are often written in capitals ("Mr SMITH", "victim SMITH"), but so are
        # acronyms ("suspect PNC check") and labels ("Suspect A").
        return not is_ordinary(low) and (after_title or len(word) >= 4)
    if after_title:
        # After "Mr" or "Dr" a capitalised word is a surname, even one that is also a word
        # ("Mr Brown"), unless it names a body or a role ("MS Teams", "Dr Victim").
        return not _is_institutional(low)
    return low in WORD_LIKE_NAMES or not is_ordinary(low)


def _is_name_alone(view: View, i: int) -> bool:
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
        return not is_ordinary(low)  # "Smith family pressuring her"
    # "Dawn Smith": a name that is also a word, then a surname.
    return (
        low in WORD_LIKE_NAMES
        and following[:1].isupper()
        and (following.lower() in SURNAMES or not is_ordinary(following.lower()))
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


def is_ordinary(low: str) -> bool:
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


def health_at(view: View) -> int | None:
    """Where the first health detail starts, or None."""
    match = _HEALTH.search(view.lower)
    return match.start() if match else None


def religion_at(view: View) -> int | None:
    """Where the first mention of religion starts, or None."""
    match = _RELIGION.search(view.lower)
    return match.start() if match else None
