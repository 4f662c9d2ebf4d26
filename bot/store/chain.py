"""How log records are sealed and chained, and the walk that names the record a change broke.

A record's hash is the SHA-256 of the canonical JSON of
`[seq, case_ref, run_id, kind, item, value, actor, at, detail, prev_hash]`, where `at` is the
ISO-8601 UTC time as stored and `detail` the object with its keys sorted; record 1's
`prev_hash` is 64 zeros. Because the number is sealed with the content, a record moved to
another number still tells which number it was written under, and the record after a
resealed one still carries the hash it had: so the walk names the record that was changed,
removed, inserted or moved, never its neighbour.

A record whose case was disposed of has lost its words, so its seal cannot be worked out again:
the walk checks what it keeps against the residue kept for it, and every disposal record
against the records it vouches for (`disposed.py`). Its hash is kept, so the chain (and any
checkpoint that signed it) still holds across it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlite_utils

from bot.store import disposed as disposal_check
from bot.store.db import GENESIS_HASH

COLUMNS = "seq, case_ref, run_id, kind, item, value, actor, at, detail, prev_hash, hash"
#: How far from its place the walk looks for the number a moved record was written under.
MOVED_BY_AT_MOST = 500


@dataclass(frozen=True, slots=True)
class Verdict:
    """What `verify` found: whether the chain holds, how far it looked, and the first bad record."""

    ok: bool
    checked: int
    first_bad_seq: int | None
    message: str
    #: Further lines for the administrator: the head, the checkpoints, the sealed tables.
    notes: tuple[str, ...] = ()


def canonical_json(value: object) -> str:
    """The one JSON spelling of a value: sorted keys, no spaces, non-ASCII kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(
    seq: int,
    case_ref: str,
    run_id: int | None,
    kind: str,
    item: str | None,
    value: str | None,
    actor: str,
    at: str,
    detail: Mapping[str, Any],
    prev_hash: str,
) -> str:
    """The SHA-256 (hex) that seals one record and links it to the one before."""
    fields = [seq, case_ref, run_id, kind, item, value, actor, at, dict(detail), prev_hash]
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def walk(db: sqlite_utils.Database) -> Verdict:
    """Walk the chain from record 1 to the head and name the first record that does not hold."""
    expected_seq, expected_prev = 1, GENESIS_HASH
    checked = 0
    disposed = disposal_check.residues(db)
    for row in db.execute(f"SELECT {COLUMNS} FROM log ORDER BY seq"):
        seq, prev_hash, stored_hash = row[0], row[9], row[10]
        if seq != expected_seq:
            return _gap(checked, expected_seq, seq)
        if seq in disposed:
            problem = disposal_check.check_row(row, disposed[seq][1])
            if problem is not None:
                return _broken(checked, seq, problem)
        elif stored_hash != resealed(row):
            return _misplaced(db, checked, row)
        if prev_hash != expected_prev:
            if seq == 1:
                return _broken(0, 1, "Record 1 was altered: it does not start the chain.")
            # Its own seal holds, so it is as written: the record before it changed, and was
            # sealed again, after this one had taken its hash.
            return _broken(
                checked - 1,
                seq - 1,
                f"Record {seq - 1} was altered and its hash recomputed: record {seq} still "
                f"carries the hash record {seq - 1} had when it was written.",
            )
        checked += 1
        expected_seq, expected_prev = seq + 1, stored_hash
    finding = disposal_check.check_disposals(db, disposed)
    if finding is not None:
        return _broken(checked, finding.seq, finding.message)
    verdict = _against_head(db, checked, expected_seq - 1, expected_prev)
    if verdict.ok and disposed:
        return replace(
            verdict,
            message=f"{verdict.message} {len(disposed)} of them belong to cases disposed of: "
            "their hashes are kept, not their words.",
        )
    return verdict


def resealed(row: Sequence[Any], seq: int | None = None) -> str | None:
    """The hash a stored row would have if sealed under `seq` (its own number by default)."""
    number, case_ref, run_id, kind, item, value, actor, at, detail, prev_hash, _hash = row
    try:
        parsed = json.loads(detail)
    except (TypeError, ValueError):
        return None
    if not isinstance(parsed, dict):
        return None
    return record_hash(
        number if seq is None else seq,
        case_ref,
        run_id,
        kind,
        item,
        value,
        actor,
        at,
        parsed,
        prev_hash,
    )


def _gap(checked: int, expected: int, found: int) -> Verdict:
    """Records missing between the last good one and the next found."""
    which = _records(expected, found - 1)
    if expected == 1:
        where = f"the log starts at record {found}"
    else:
        where = f"the log goes from record {expected - 1} to record {found}"
    return _broken(checked, expected, f"{which} missing: {where}.")


def _misplaced(db: sqlite_utils.Database, checked: int, row: Sequence[Any]) -> Verdict:
    """A record whose seal fails: changed, or moved from the number it was written under."""
    seq, stored_hash = row[0], row[10]
    written = _written_as(db, row)
    if written is None:
        return _broken(
            checked, seq, f"Record {seq} was altered: its content no longer matches its hash."
        )
    other = db.execute(f"SELECT {COLUMNS} FROM log WHERE seq = ?", [written]).fetchone()
    if other is not None and resealed(other, seq) == other[10] and stored_hash != other[10]:
        first, second = sorted((seq, written))
        return _broken(
            checked,
            first,
            f"Records {first} and {second} were swapped: each was written under the other's "
            "number.",
        )
    moved = f"the record now numbered {seq} was written as record {written}"
    if written > seq:
        which = _records(seq, written - 1)
        after = "it" if written - 1 == seq else "them"
        return _broken(
            checked, seq, f"{which} missing: the records after {after} were renumbered ({moved})."
        )
    inserted = "Record {0} was" if seq - 1 == written else "Records {0} to {1} were"
    after = "it" if seq - 1 == written else "them"
    return _broken(
        written - 1,
        written,
        f"{inserted.format(written, seq - 1)} inserted outside the bot: the records after "
        f"{after} were renumbered ({moved}).",
    )


def _written_as(db: sqlite_utils.Database, row: Sequence[Any]) -> int | None:
    """The number a stored record was sealed under, when it is not its own; None if changed."""
    seq, prev_hash, stored_hash = int(row[0]), row[9], row[10]
    # The record it followed when written is usually still there: it names the number at once.
    if prev_hash == GENESIS_HASH:
        before: tuple[int] | None = (0,)
    else:
        before = db.execute("SELECT seq FROM log WHERE hash = ? LIMIT 1", [prev_hash]).fetchone()
    if before is not None:
        number = int(before[0]) + 1
        if number != seq and resealed(row, number) == stored_hash:
            return number
    for distance in range(1, MOVED_BY_AT_MOST + 1):
        for number in (seq + distance, seq - distance):
            if number >= 1 and resealed(row, number) == stored_hash:
                return number
    return None


def _against_head(db: sqlite_utils.Database, checked: int, last: int, last_hash: str) -> Verdict:
    """The chain held record by record: does it end where the head says it does?"""
    head = db.execute("SELECT seq, hash FROM log_head WHERE id = 1").fetchone()
    if head is None:
        return _broken(
            checked, None, "The log's head record is missing, so its end cannot be checked."
        )
    head_seq, head_hash = head
    if last == 0 and head_seq > 0:
        return _broken(
            0,
            1,
            f"The log is empty, but its head says {head_seq} records were written: the log "
            "was wiped.",
        )
    if head_seq > last:
        which = _records(last + 1, head_seq)
        return _broken(
            checked,
            last + 1,
            f"{which} missing: the log ends at record {last} but {head_seq} were written.",
        )
    if head_seq < last:
        added = "Record {0} was" if head_seq + 1 == last else "Records {0} to {1} were"
        return _broken(
            head_seq,
            head_seq + 1,
            f"{added.format(head_seq + 1, last)} added outside the bot: the log's head ends at "
            f"record {head_seq}.",
        )
    if head_hash != last_hash:
        return _broken(
            checked - 1,
            last,
            f"Record {last} was altered and its hash recomputed: the log's head still holds "
            f"the hash record {last} had when it was written.",
        )
    records = "1 record" if checked == 1 else f"{checked} records"
    head_note = f"Head: record {last}, hash {last_hash}." if last else "Head: no records yet."
    return Verdict(
        ok=True,
        checked=checked,
        first_bad_seq=None,
        message=f"Log verified: {records}, chain intact.",
        notes=(head_note,),
    )


def _records(first: int, last: int) -> str:
    """'Record 5 is' or 'Records 5 to 7 are'."""
    return f"Record {first} is" if first == last else f"Records {first} to {last} are"


def _broken(checked: int, seq: int | None, message: str) -> Verdict:
    return Verdict(ok=False, checked=checked, first_bad_seq=seq, message=message)
