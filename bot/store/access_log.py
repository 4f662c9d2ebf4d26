"""The access log: append-only, each record chained to the one before, as the completion log is.

A record's hash is the SHA-256 of the canonical JSON of
`["access", seq, at, actor, action, subject, cases, purpose, detail, prev_hash]`, where `cases`
is the list of case ids and `detail` the object with its keys sorted; record 1's `prev_hash` is
64 zeros. The word "access" first keeps a record from ever hashing like a completion log record.
Triggers refuse UPDATE and DELETE, and `access_head` keeps the last record's number and hash,
so `verify` names a record changed, removed from the middle or cut from the end.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import sqlite_utils

from bot.core.consultation import Access, AccessRecord, Action
from bot.store.chain import Verdict, canonical_json
from bot.store.db import GENESIS_HASH, utc_text

COLUMNS = "seq, at, actor, action, subject, cases, purpose, detail, prev_hash, hash"


def access_hash(
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str,
    cases: Sequence[int],
    purpose: str | None,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    """The SHA-256 (hex) that seals one access record and links it to the one before."""
    fields = ["access", seq, at, actor, action, subject, list(cases), purpose, detail, prev_hash]
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


class AccessLog:
    """The access log as the unit of work offers it: append, read, remember, verify."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def append(self, access: Access) -> AccessRecord:
        """Number, chain and store one access after the last; in the caller's transaction."""
        seq, prev_hash = self._db.execute(
            "SELECT seq + 1, hash FROM access_head WHERE id = 1"
        ).fetchone()
        at = utc_text(access.at)
        cases = sorted(set(access.cases))
        detail = {str(key): str(value) for key, value in access.detail.items()}
        fields = (seq, at, access.actor, access.action, access.subject)
        digest = access_hash(*fields, cases, access.purpose, detail, prev_hash)
        self._db.execute(
            f"INSERT INTO access_log ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                *fields,
                json.dumps(cases),
                access.purpose,
                canonical_json(detail),
                prev_hash,
                digest,
            ],
        )
        kept = Access(
            datetime.fromisoformat(at),
            access.actor,
            access.action,
            access.subject,
            tuple(cases),
            access.purpose,
            detail,
        )
        return AccessRecord(seq, kept, digest)

    def records(
        self,
        *,
        case_id: int | None = None,
        actor: str | None = None,
        since: datetime | None = None,
    ) -> list[AccessRecord]:
        """The records in order: all, or those naming one case, made by one person, or since."""
        where: list[str] = []
        params: list[object] = []
        if case_id is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(access_log.cases) WHERE value = ?)")
            params.append(case_id)
        if actor is not None:
            where.append("actor = ?")
            params.append(actor)
        if since is not None:
            where.append("at >= ?")
            params.append(utc_text(since))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._db.execute(f"SELECT {COLUMNS} FROM access_log {clause} ORDER BY seq", params)
        return [_record(row) for row in rows]

    def purpose_since(self, actor: str, subject: str, since: datetime) -> str | None:
        """The purpose a person last gave for a subject since a time (today's start, say)."""
        row = self._db.execute(
            "SELECT purpose FROM access_log WHERE actor = ? AND subject = ? AND at >= ?"
            " AND purpose IS NOT NULL ORDER BY seq DESC LIMIT 1",
            [actor, subject, utc_text(since)],
        ).fetchone()
        return None if row is None else str(row[0])

    def refused_enrolments(self, since: datetime, actor: str | None = None) -> int:
        """How many enrolment codes were checked and refused since a time (for one account)."""
        where, params = "", [utc_text(since)]
        if actor is not None:
            where, params = " AND actor = ?", [*params, actor]
        row = self._db.execute(
            "SELECT count(*) FROM access_log WHERE action = 'enrol-refused' AND at >= ?"
            f" AND json_extract(detail, '$.checked') = 'yes'{where}",
            params,
        ).fetchone()
        return int(row[0])

    def unheard_since(self, actor: str, since: datetime) -> bool:
        """Tell whether an account was already refused unheard (too many tries) since a time."""
        row = self._db.execute(
            "SELECT 1 FROM access_log WHERE action = 'enrol-refused' AND actor = ? AND at >= ?"
            " AND json_extract(detail, '$.checked') = 'no' LIMIT 1",
            [actor, utc_text(since)],
        ).fetchone()
        return row is not None

    def verify(self) -> Verdict:
        """Walk the chain from the first record and report the first one that does not hold."""
        if self._db.conn.in_transaction:
            return _verify(self._db)
        # One snapshot for the walk and the head, as for the completion log.
        self._db.execute("BEGIN")
        try:
            return _verify(self._db)
        finally:
            self._db.execute("COMMIT")


def _record(row: Sequence[Any]) -> AccessRecord:
    seq, at, actor, action, subject, cases, purpose, detail, _prev, digest = row
    access = Access(
        datetime.fromisoformat(at).astimezone(UTC),
        actor,
        cast(Action, action),
        subject,
        tuple(int(case_id) for case_id in json.loads(cases)),
        purpose,
        json.loads(detail),
    )
    return AccessRecord(seq, access, digest)


def _verify(db: sqlite_utils.Database) -> Verdict:
    """The walk of `verify`, inside one read transaction."""
    expected_seq, expected_prev, checked = 1, GENESIS_HASH, 0
    for row in db.execute(f"SELECT {COLUMNS} FROM access_log ORDER BY seq"):
        seq, prev_hash, stored_hash = row[0], row[8], row[9]
        if seq != expected_seq:
            after = f"record {expected_seq - 1}" if expected_seq > 1 else "the start of the log"
            return _broken(
                checked, seq, f"Access record {seq} does not follow {after}: records are missing."
            )
        if stored_hash != _recomputed(row):
            return _broken(
                checked,
                seq,
                f"Access record {seq} was altered: its content no longer matches its hash.",
            )
        if prev_hash != expected_prev:
            return _broken(
                checked,
                seq,
                f"Access record {seq} does not follow the one before it: the chain is broken "
                "there (a record before it was altered or replaced).",
            )
        checked += 1
        expected_seq, expected_prev = seq + 1, stored_hash
    last = expected_seq - 1
    head = db.execute("SELECT seq, hash FROM access_head WHERE id = 1").fetchone()
    if head is None:
        return _broken(
            checked, None, "The access log's head is missing: its end cannot be checked."
        )
    head_seq, head_hash = head
    if head_seq > last:
        missing = head_seq - last
        records = "record is" if missing == 1 else f"{missing} records are"
        return _broken(
            checked,
            last + 1,
            f"The access log ends at record {last} but {head_seq} were written: "
            f"the last {records} missing.",
        )
    if head_seq < last or head_hash != expected_prev:
        return _broken(
            checked,
            last,
            f"Access record {last} does not match the access log's head: its end was rewritten.",
        )
    records = "1 record" if checked == 1 else f"{checked} records"
    return Verdict(True, checked, None, f"Access log verified: {records}, chain intact.")


def _recomputed(row: Sequence[Any]) -> str | None:
    seq, at, actor, action, subject, cases, purpose, detail, prev_hash, _hash = row
    try:
        case_ids, parsed = json.loads(cases), json.loads(detail)
    except (TypeError, ValueError):
        return None
    if not isinstance(case_ids, list) or not isinstance(parsed, dict):
        return None
    return access_hash(seq, at, actor, action, subject, case_ids, purpose, parsed, prev_hash)


def _broken(checked: int, seq: int | None, message: str) -> Verdict:
    return Verdict(ok=False, checked=checked, first_bad_seq=seq, message=message)
