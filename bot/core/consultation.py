"""Who consulted or disclosed what, when and why: the records of the access log (DPA 2018 s.62).

Part 3 of the Data Protection Act 2018 asks a force to log consultation and disclosure, with the
justification, the date and time and, so far as possible, who did it and who received the data.
Each view of a case or a team, each export, print and backup, each disposal and each attempt to
enrol is one `Access`; the store numbers it and chains it like the completion log. Cases are
named by their id, never by their crime reference, so the log can be kept after a case's content
is disposed of without keeping the reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from bot.core.errors import InputRefused

#: Why someone looks at or takes a case or a team's cases: asked in the chat, given on the
#: command line. A short list, so the log can be read and counted.
PURPOSES: tuple[str, ...] = (
    "supervision",
    "case progression",
    "disclosure",
    "audit",
    "training",
)
#: The purpose of what the product does on the force's own schedule (disposal).
RETENTION = "retention"

Action = Literal[
    "view",  # shown on a screen or in a chat
    "print",  # written to the command line's standard output (a terminal, a pipe, a printer)
    "export",  # written to a file, or sent as one
    "backup",  # a copy of the whole database
    "dispose",  # a case's content removed under the retention schedule
    "enrol",  # someone enrolled with a code
    "enrol-refused",  # an enrolment code refused, or not checked because of too many tries
]
ACTIONS: tuple[str, ...] = Action.__args__  # type: ignore[attr-defined]

#: Refused enrolment codes one account may try in `ENROL_WINDOW` before it is refused unheard.
ENROL_TRIES_PER_ACCOUNT = 5
#: Refused enrolment codes the whole force may see in `ENROL_WINDOW` before every try is refused
#: unheard: many accounts guessing together.
ENROL_TRIES_PER_FORCE = 50
ENROL_WINDOW = timedelta(hours=1)
TOO_MANY_TRIES = (
    "Too many enrolment codes were tried; wait an hour, then try again or ask your administrator."
)


def case_subject(case_id: int) -> str:
    """The subject of a record about one case: its id, which outlives its reference."""
    return f"case:{case_id}"


def team_subject(teams: Sequence[str] | None) -> str:
    """The subject of a record about some teams' cases, or (None) every team's."""
    return "force" if not teams else "team:" + ", ".join(teams)


def cli_actor(name: str) -> str:
    """How the access log names a person at the server's command line ('cli:DS Jo Bloggs')."""
    return "cli:" + " ".join(name.split())


def channel_actor(channel: str, external_id: str) -> str:
    """How the access log names an account that is not (yet) enrolled ('telegram:123')."""
    return f"{channel}:{external_id}"


def read_purpose(typed: str | None) -> str:
    """A purpose as typed ('case-progression', 'Audit'), or one sentence listing the purposes."""
    words = " ".join((typed or "").replace("-", " ").replace("_", " ").split()).lower()
    if words not in PURPOSES:
        raise InputRefused(purpose_refusal())
    return words


def purpose_refusal() -> str:
    """The sentence that refuses a missing or unknown purpose, listing the ones there are."""
    listed = ", ".join(f"'{purpose}'" for purpose in PURPOSES)
    return f"Give the purpose with --purpose: one of {listed}."


@dataclass(frozen=True, slots=True)
class Access:
    """One consultation, disclosure, disposal or enrolment attempt, before the store chains it."""

    at: datetime
    actor: str
    action: Action
    subject: str
    #: The ids of the cases whose details were shown or taken.
    cases: tuple[int, ...] = ()
    purpose: str | None = None
    #: What else makes it possible to tell what happened: by which command, in which format, to
    #: whom; never a case's content and never a crime reference.
    detail: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("access times must be timezone-aware (UTC)")


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """An access as the store keeps it: numbered in order, with its place in the chain."""

    seq: int
    access: Access
    hash: str
