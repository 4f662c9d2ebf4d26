"""The completion log: append-only, each record chained to the one before by its hash.

How a record is sealed, and the walk that checks the chain, are in `chain.py`. Triggers refuse
UPDATE and DELETE on the log, and `log_head` keeps the last record's number and hash (moved by
the insert itself), so `verify` names a record altered, removed, inserted or moved, even by
someone who dropped the triggers first. A rewrite of the whole chain and the head together is
caught against the signed checkpoints kept outside the database (`checkpoints.py`).

A record whose case was disposed of under the retention schedule keeps its hashes but not its
words: the walk checks what it keeps against the hash kept for it (`disposed.py`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

import sqlite_utils

from bot.core.records import Entry, EntryKind, Logged
from bot.store.chain import COLUMNS, Verdict, canonical_json, record_hash, walk
from bot.store.db import GENESIS_HASH, transaction, utc_text

__all__ = ["COLUMNS", "CompletionLog", "Verdict", "append", "canonical_json", "record_hash"]


def append(
    db: sqlite_utils.Database, entries: Sequence[Entry], stamp: Mapping[str, str] | None = None
) -> list[Logged]:
    """Number, chain and store entries after the last record; returns them as logged.

    `stamp` is added to every entry's detail (an import names who imported it, and from where).
    Call it inside the caller's `transaction`, with the writes the entries describe, so both
    are kept or neither; on its own it opens a transaction of its own.
    """
    if db.conn.in_transaction:
        # The caller's transaction already makes the batch all-or-nothing; a savepoint of our
        # own would cost two more statements on every answer.
        return _append(db, entries, stamp or {})
    with transaction(db):
        return _append(db, entries, stamp or {})


def head(db: sqlite_utils.Database) -> tuple[int, str]:
    """The last record's number and hash: (0, the genesis hash) while the log is empty."""
    found = db.execute("SELECT seq, hash FROM log_head WHERE id = 1").fetchone()
    return (int(found[0]), str(found[1])) if found else (0, GENESIS_HASH)


def _append(
    db: sqlite_utils.Database, entries: Sequence[Entry], stamp: Mapping[str, str]
) -> list[Logged]:
    logged: list[Logged] = []
    seq, prev_hash = head(db)
    for entry in entries:
        seq += 1
        at = utc_text(entry.at)
        detail = {str(key): str(val) for key, val in {**entry.detail, **stamp}.items()}
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
        return walk(db)
    # One snapshot for the walk and the head: the bot may commit answers meanwhile, and a head
    # read after them would look like records removed from the end.
    db.execute("BEGIN")
    try:
        return walk(db)
    finally:
        db.execute("COMMIT")


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
        #: Added to the detail of every entry appended while it is set (see `UnitOfWork.stamped`).
        self.stamp: dict[str, str] = {}

    def append(self, entries: Sequence[Entry]) -> list[Logged]:
        """Number, chain and store entries after the last record."""
        return append(self._db, entries, self.stamp)

    def head(self) -> tuple[int, str]:
        """The last record's number and hash: what a sign-off made now attests to."""
        return head(self._db)

    def entries(self, *, run_id: int | None = None, case_ref: str | None = None) -> list[Logged]:
        """The logged entries in order, all of them or those of one run and/or one case."""
        return entries(self._db, run_id=run_id, case_ref=case_ref)

    def verify(self) -> Verdict:
        """Walk the chain and report the first record that does not hold."""
        return verify(self._db)
