"""The completion log: append-only, each record chained to the one before by its hash.

A record's hash is the SHA-256 of the canonical JSON of
`[seq, case_ref, run_id, kind, item, value, actor, at, detail, prev_hash]`, where `at` is the
ISO-8601 UTC time as stored and `detail` the object with its keys sorted; record 1's
`prev_hash` is 64 zeros. Triggers refuse UPDATE and DELETE on the log, and `log_head` keeps
the last record's number and hash (moved by the insert itself), so `verify` finds a record
altered, one removed from the middle, and records removed from the end, even by someone who
dropped the triggers first. What it cannot find is a rewrite of the whole chain and the head
together: for that, compare with a backup or a head hash kept elsewhere.

A record whose case was disposed of under the retention schedule keeps its hashes but not its
words: `verify` checks what it keeps against the hash kept for it (`bot.store.disposed`).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import sqlite_utils

from bot.core.records import Entry, EntryKind, Logged
from bot.store import disposed as disposal_check
from bot.store.db import GENESIS_HASH, transaction, utc_text

COLUMNS = "seq, case_ref, run_id, kind, item, value, actor, at, detail, prev_hash, hash"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What `verify` found: whether the chain holds, how far it looked, and the first bad record."""

    ok: bool
    checked: int
    first_bad_seq: int | None
    message: str


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


def append(db: sqlite_utils.Database, entries: Sequence[Entry]) -> list[Logged]:
    """Number, chain and store entries after the last record; returns them as logged.

    Call it inside the caller's `transaction`, with the writes the entries describe, so both
    are kept or neither; on its own it opens a transaction of its own.
    """
    if db.conn.in_transaction:
        # The caller's transaction already makes the batch all-or-nothing; a savepoint of our
        # own would cost two more statements on every answer.
        return _append(db, entries)
    with transaction(db):
        return _append(db, entries)


def _append(db: sqlite_utils.Database, entries: Sequence[Entry]) -> list[Logged]:
    logged: list[Logged] = []
    head = db.execute("SELECT seq, hash FROM log_head WHERE id = 1").fetchone()
    seq, prev_hash = (head[0], head[1]) if head else (0, GENESIS_HASH)
    for entry in entries:
        seq += 1
        at = utc_text(entry.at)
        detail = {str(key): str(val) for key, val in entry.detail.items()}
        fields = (
            seq,
            entry.case_ref,
            entry.run_id,
            entry.kind,
            entry.item,
            entry.value,
            entry.actor,
            at,
        )
        digest = record_hash(*fields, detail, prev_hash)
        db.execute(
            f"INSERT INTO log ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*fields, canonical_json(detail), prev_hash, digest],
        )
        logged.append(Logged(seq=seq, entry=_entry_from(entry, at, detail), hash=digest))
        prev_hash = digest
    return logged


def _entry_from(entry: Entry, at: str, detail: dict[str, str]) -> Entry:
    return Entry(
        kind=entry.kind,
        case_ref=entry.case_ref,
        actor=entry.actor,
        at=datetime.fromisoformat(at),
        run_id=entry.run_id,
        item=entry.item,
        value=entry.value,
        detail=detail,
    )


def entries(
    db: sqlite_utils.Database, *, run_id: int | None = None, case_ref: str | None = None
) -> list[Logged]:
    """The logged entries in order, all of them or those of one run and/or one case."""
    where: list[str] = []
    params: list[object] = []
    if run_id is not None:
        where.append("run_id = ?")
        params.append(run_id)
    if case_ref is not None:
        where.append("case_ref = ?")
        params.append(case_ref)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = db.execute(f"SELECT {COLUMNS} FROM log {clause} ORDER BY seq", params)
    return [
        Logged(
            seq=seq,
            entry=Entry(
                kind=cast(EntryKind, kind),
                case_ref=ref,
                actor=actor,
                at=datetime.fromisoformat(at).astimezone(UTC),
                run_id=run,
                item=item,
                value=value,
                detail=json.loads(detail),
            ),
            hash=digest,
        )
        for seq, ref, run, kind, item, value, actor, at, detail, _prev, digest in rows
    ]


def verify(db: sqlite_utils.Database) -> Verdict:
    """Walk the chain from the first record and report the first one that does not hold."""
    if db.conn.in_transaction:
        return _verify(db)
    # One snapshot for the walk and the head: the bot may commit answers meanwhile, and a head
    # read after them would look like records removed from the end.
    db.execute("BEGIN")
    try:
        return _verify(db)
    finally:
        db.execute("COMMIT")


def _verify(db: sqlite_utils.Database) -> Verdict:
    """The walk of `verify`, inside one read transaction."""
    expected_seq, expected_prev = 1, GENESIS_HASH
    checked = 0
    disposed = disposal_check.residues(db)
    for row in db.execute(f"SELECT {COLUMNS} FROM log ORDER BY seq"):
        seq, prev_hash, stored_hash = row[0], row[9], row[10]
        if seq != expected_seq:
            missing = seq - expected_seq
            records = "a record is" if missing == 1 else f"{missing} records are"
            after = f"record {expected_seq - 1}" if expected_seq > 1 else "the start of the log"
            return _broken(
                checked, seq, f"Record {seq} does not follow {after}: {records} missing before it."
            )
        if seq in disposed:
            problem = disposal_check.check_row(row, disposed[seq][1])
            if problem is not None:
                return _broken(checked, seq, problem)
        elif stored_hash != _recomputed(row):
            return _broken(
                checked, seq, f"Record {seq} was altered: its content no longer matches its hash."
            )
        if prev_hash != expected_prev:
            before = f"record {seq - 1}" if seq > 1 else "the start of the log"
            return _broken(
                checked,
                seq,
                f"Record {seq} does not follow {before}: the chain is broken there "
                "(a record before it was altered or replaced).",
            )
        checked += 1
        expected_seq, expected_prev = seq + 1, stored_hash
    last = expected_seq - 1
    finding = disposal_check.check_disposals(db, disposed)
    if finding is not None:
        return _broken(checked, finding.seq, finding.message)
    head = db.execute("SELECT seq, hash FROM log_head WHERE id = 1").fetchone()
    if head is None:
        return _broken(
            checked, None, "The log's head record is missing, so its end cannot be checked."
        )
    head_seq, head_hash = head
    if head_seq > last:
        missing = head_seq - last
        records = "record is" if missing == 1 else f"{missing} records are"
        return _broken(
            checked,
            last + 1,
            f"The log ends at record {last} but {head_seq} were written: "
            f"the last {records} missing.",
        )
    if head_seq < last or head_hash != expected_prev:
        return _broken(
            checked,
            last,
            f"Record {last} does not match the log's head: the end of the log was rewritten.",
        )
    records = "1 record" if checked == 1 else f"{checked} records"
    message = f"Log verified: {records}, chain intact."
    if disposed:
        message += (
            f" {len(disposed)} of them belong to cases disposed of: their hashes are kept, "
            "not their words."
        )
    return Verdict(ok=True, checked=checked, first_bad_seq=None, message=message)


def _recomputed(row: Sequence[Any]) -> str | None:
    seq, case_ref, run_id, kind, item, value, actor, at, detail, prev_hash, _hash = row
    try:
        parsed = json.loads(detail)
    except (TypeError, ValueError):
        return None
    if not isinstance(parsed, dict):
        return None
    return record_hash(seq, case_ref, run_id, kind, item, value, actor, at, parsed, prev_hash)


def _broken(checked: int, seq: int | None, message: str) -> Verdict:
    return Verdict(ok=False, checked=checked, first_bad_seq=seq, message=message)


def entries_of_runs(
    db: sqlite_utils.Database, run_ids: str, params: Sequence[object]
) -> dict[int, list[Entry]]:
    """Every entry of the runs a subquery names, in order, grouped by run: for reports."""
    grouped: dict[int, list[Entry]] = defaultdict(list)
    rows = db.execute(
        "SELECT run_id, kind, case_ref, actor, at, item, value, detail FROM log"
        f" WHERE run_id IN ({run_ids}) ORDER BY seq",
        list(params),
    )
    # Most details repeat word for word (a transition from asking to review, say): parse each
    # distinct one once. Entries never change their detail, so sharing the dict is safe.
    details: dict[str, Any] = {"{}": {}}
    for run_id, kind, ref, who, at, item, value, detail in rows:
        parsed = details.get(detail)
        if parsed is None:
            parsed = details[detail] = json.loads(detail)
        grouped[run_id].append(
            Entry(kind, ref, who, datetime.fromisoformat(at), run_id, item, value, parsed)
        )
    return grouped


class CompletionLog:
    """The log as the unit of work offers it: append, read, verify."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def append(self, entries: Sequence[Entry]) -> list[Logged]:
        """Number, chain and store entries after the last record."""
        return append(self._db, entries)

    def entries(self, *, run_id: int | None = None, case_ref: str | None = None) -> list[Logged]:
        """The logged entries in order, all of them or those of one run and/or one case."""
        return entries(self._db, run_id=run_id, case_ref=case_ref)

    def verify(self) -> Verdict:
        """Walk the chain and report the first record that does not hold."""
        return verify(self._db)

    def head(self) -> tuple[int, str] | None:
        """The last record's number and hash: what a sign-off made now attests to."""
        row = self._db.execute("SELECT seq, hash FROM log_head WHERE id = 1").fetchone()
        return None if row is None else (int(row[0]), str(row[1]))
