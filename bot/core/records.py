"""What the completion log records: one immutable entry for each thing that happened on a case.

The core produces entries; the store chains and keeps them. Nothing is ever changed or removed:
a correction is a new `answered` entry for the same item, and every run's state can be rebuilt
from its entries alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

EntryKind = Literal[
    "case-opened",  # a case was opened by crime reference
    "run-started",  # a playbook run began on the case (detail: playbook, version)
    "answered",  # an item was answered; a later one for the same item is a correction
    "reason-given",  # the reason for an answer that needs one (value: preset or typed text)
    "deferred",  # the investigator chose "later" for the item
    "not-yet",  # the event the item asks about has not happened yet; settled, still on the agenda
    "milestone-recorded",  # detail: milestone, date (ISO); a later one for the same name moves it
    "transition",  # the run's lifecycle moved (detail: event, source, dest, note)
    "challenged",  # a supervisor questioned an item's answer or reason (value: what they asked)
    "challenge-answered",  # the investigator's reply to the open challenge on the item
    "countersigned",  # a supervisor confirmed an answer given by an officer in training
    "handover-offered",  # the case is offered to a new officer (detail: from, to: user ids)
    "handover-accepted",  # the new officer took the case on (detail: from, to)
    "version-moved",  # the run's work moved to a run on a newer version (detail: to_run, ...)
    "case-closed",  # a supervisor closed the case (detail: reason)
    "retention-reviewed",  # the closed case was reviewed and kept (detail: decision, reason)
    "case-disposed",  # the case's content was disposed of (detail: case, records, count, digest)
    # Not about a case (case_ref is empty): an import, and seals of rows kept in other tables
    # (core/seals.py).
    "imported",  # a file was imported (detail: file, sha256, by, applied, already)
    "person-recorded",  # someone enrolled, or their name, role, team or access changed
    "playbook-published",  # a playbook version was published (detail: its seal)
]
ENTRY_KINDS: tuple[str, ...] = EntryKind.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Entry:
    """One record of the completion log, before the store numbers and chains it."""

    kind: EntryKind
    case_ref: str
    actor: str
    at: datetime
    run_id: int | None = None
    item: str | None = None
    value: str | None = None
    detail: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("log times must be timezone-aware (UTC)")


@dataclass(frozen=True, slots=True)
class Logged:
    """An entry as the store keeps it: numbered in order, with its place in the hash chain."""

    seq: int
    entry: Entry
    hash: str
