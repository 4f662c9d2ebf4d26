"""What `verify` checks of completion log records whose case was disposed of.

A disposed record has lost its case reference, value and detail, so its own hash can no longer
be recomputed. It keeps that hash (the next record's `prev_hash` still links to it) and the hash
before it, and `log_disposed` keeps its residue: the SHA-256 of the canonical JSON of
`["disposed", seq, case_ref, run_id, kind, item, actor, at, prev_hash, hash]`, worked out when
it was disposed of, from the record as it was left. The disposal record, an ordinary record of
the chain whose own hash is checked like any other, names the records it disposed of and holds
the SHA-256 of their numbers and residues. So a change to what a disposed record keeps is named
at that record, a record blanked without a disposal is named, and a change to the list of
residues is named at the record whose residue no longer matches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.store.db import DISPOSED_PREFIX


@dataclass(frozen=True, slots=True)
class Finding:
    """A record that does not hold, and the sentence that says why."""

    seq: int
    message: str


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def residue_of(
    seq: int,
    case_ref: str,
    run_id: int | None,
    kind: str,
    item: str | None,
    actor: str,
    at: str,
    prev_hash: str,
    digest: str,
) -> str:
    """The SHA-256 (hex) of what a disposed record keeps."""
    fields = ["disposed", seq, case_ref, run_id, kind, item, actor, at, prev_hash, digest]
    return hashlib.sha256(_canonical(fields).encode("utf-8")).hexdigest()


def digest_of(pairs: Iterable[tuple[int, str]]) -> str:
    """The SHA-256 (hex) of the numbers and residues a disposal record vouches for."""
    listed = [[seq, residue] for seq, residue in pairs]
    return hashlib.sha256(_canonical(listed).encode("utf-8")).hexdigest()


def ranges(seqs: Sequence[int]) -> str:
    """Record numbers written short, in order: '3-7,9,12-13'."""
    spans: list[list[int]] = []
    for seq in sorted(seqs):
        if spans and seq == spans[-1][1] + 1:
            spans[-1][1] = seq
        else:
            spans.append([seq, seq])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def numbers(written: str) -> list[int]:
    """The record numbers that `ranges` wrote; none for text it did not write."""
    found: list[int] = []
    for part in written.split(",") if written else ():
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            return []
        found.extend(range(int(first), int(last or first) + 1))
    return found


def residues(db: sqlite_utils.Database) -> dict[int, tuple[int, str]]:
    """Each disposed record's number: the disposal that names it and its residue.

    A copy made before disposal existed has none.
    """
    exists = db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'log_disposed'"
    ).fetchone()[0]
    if not exists:
        return {}
    rows = db.execute("SELECT seq, disposal_seq, residue FROM log_disposed")
    return {seq: (by, residue) for seq, by, residue in rows}


def check_row(row: Sequence[Any], kept: str) -> str | None:
    """Why a disposed record (a row of the log, all its columns) does not hold, or None."""
    seq, case_ref, run_id, kind, item, value, actor, at, detail, prev_hash, digest = row
    if value is not None or detail != "{}" or not str(case_ref).startswith(DISPOSED_PREFIX):
        return f"Record {seq} was altered: its case was disposed of, yet it holds content again."
    if residue_of(seq, case_ref, run_id, kind, item, actor, at, prev_hash, digest) != kept:
        return (
            f"Record {seq} was altered after its case was disposed of: what it keeps no longer "
            "matches the hash kept for it."
        )
    return None


def check_disposals(
    db: sqlite_utils.Database, disposed: dict[int, tuple[int, str]]
) -> Finding | None:
    """Check every disposal record against the records marked as disposed of.

    The disposal records' own hashes were checked by the walk of the chain: what they say of
    the records they disposed of can be trusted here.
    """
    named: dict[int, int] = {}
    for seq, detail in db.execute("SELECT seq, detail FROM log WHERE kind = 'case-disposed'"):
        said = json.loads(detail)
        listed = numbers(str(said.get("records", "")))
        if not listed and "digest" not in said:
            continue  # it vouches for nothing: there is nothing to hold it to
        for record in listed:
            named[record] = seq
            if record not in disposed or disposed[record][0] != seq or record >= seq:
                return Finding(
                    record, f"Record {record} was disposed of by record {seq}, but is no longer "
                    "marked so: it was altered.",
                )  # fmt: skip
        pairs = [(record, disposed[record][1]) for record in listed]
        if digest_of(pairs) != said.get("digest"):
            return Finding(
                seq,
                f"Record {seq} no longer matches the records it disposed of: the hashes kept "
                "for them were changed.",
            )
    for record in sorted(disposed):
        if record not in named:
            return Finding(
                record,
                f"Record {record} is marked as disposed of, but no disposal record names it: "
                "it was altered.",
            )
    return None
