"""The notice outbox: what the bot must tell someone, kept until it has been sent.

A notice is written in the same transaction as the event it reports (a submission, a return),
so it is never lost to a crash between the two; a face sends notices and marks them sent.
It is kept as what happened (a kind and its facts, such as the case and who acted), and worded
only when sent, so the words can change without touching what was kept. Urgent notices go
out at once; the rest are gathered per person and sent as one message at most once per
interval, so a busy team does not bury its supervisor in pings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlite_utils

from bot.store.db import utc_text

NOTICE_COLUMNS = "id, user_id, kind, text, buttons, urgent, created_at, params"


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing to tell one person: its kind and facts (or, kept by an older release, words)."""

    id: int
    user_id: int
    kind: str
    params: Mapping[str, str]
    urgent: bool
    created_at: str
    #: Words and buttons (label, action) of a notice kept before notices were kept as facts.
    text: str = ""
    buttons: tuple[tuple[str, str], ...] = field(default=())


class Queued(NamedTuple):
    """A notice to keep: for whom, its kind and facts, and the key that keeps it once only.

    A tuple: the escalation scan makes tens of thousands, and builds a tuple fastest."""

    user_id: int
    kind: str
    params: Mapping[str, str]
    urgent: bool = False
    dedupe_key: str | None = None


class NoticeRepository:
    """Notices waiting to be sent, and the ones sent."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def queue(self, notices: Sequence[Queued], now: datetime) -> int:
        """Keep notices for sending, in order; how many were new (one whose `dedupe_key` was
        already used keeps nothing)."""
        # A scan tells of the same escalations each time it runs: the keys already used are
        # found in one query, and those notices are not written out only to be refused.
        used = self._used([notice.dedupe_key for notice in notices if notice.dedupe_key])
        fresh = [notice for notice in notices if notice.dedupe_key not in used]
        if not fresh:
            return 0
        created = utc_text(now)
        cursor = self._db.conn.executemany(
            "INSERT OR IGNORE INTO notices (user_id, kind, text, params, urgent, dedupe_key,"
            " created_at) VALUES (?, ?, '', ?, ?, ?, ?)",
            [
                (
                    n.user_id,
                    n.kind,
                    json.dumps(dict(n.params)),
                    int(n.urgent),
                    n.dedupe_key,
                    created,
                )
                for n in fresh
            ],
        )
        return cursor.rowcount  # the rows written: one ignored adds nothing

    def _used(self, keys: Sequence[str]) -> set[str]:
        """Which of these dedupe keys a kept notice has."""
        if not keys:
            return set()
        rows = self._db.execute(
            "SELECT notices.dedupe_key FROM json_each(?) AS asked"
            " JOIN notices ON notices.dedupe_key = asked.value",
            [json.dumps(list(keys))],
        )
        return {key for (key,) in rows}

    def ready(self, now: datetime, interval: timedelta) -> list[Notice]:
        """Unsent notices due now: urgent ones, and everyone's once their oldest has waited
        long enough (or was never batched with an earlier message inside the interval)."""
        rows = self._db.execute(
            f"SELECT {NOTICE_COLUMNS} FROM notices WHERE sent_at IS NULL ORDER BY id"
        ).fetchall()
        if not rows:
            return []
        last_sent = dict(
            self._db.execute(
                "SELECT user_id, max(sent_at) FROM notices WHERE sent_at IS NOT NULL"
                " AND user_id IN (SELECT user_id FROM notices WHERE sent_at IS NULL)"
                " GROUP BY user_id"
            ).fetchall()
        )
        quiet_since = utc_text(now - interval)
        waiting = [_notice(row) for row in rows]
        chosen = [
            notice
            for notice in waiting
            if notice.urgent
            or last_sent.get(notice.user_id) is None
            or last_sent[notice.user_id] <= quiet_since
        ]
        # A person who gets anything now gets everything waiting, in one go.
        people = {notice.user_id for notice in chosen}
        return [notice for notice in waiting if notice.user_id in people]

    def mark_sent(self, ids: Sequence[int], now: datetime) -> None:
        """Note that these notices reached (or were handed to) their person."""
        self._db.conn.executemany(
            "UPDATE notices SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
            [(utc_text(now), notice_id) for notice_id in ids],
        )


def _notice(row: Sequence[Any]) -> Notice:
    notice_id, user_id, kind, text, buttons, urgent, created_at, params = row
    pairs = tuple((str(label), str(action)) for label, action in json.loads(buttons or "[]"))
    facts = {str(key): str(value) for key, value in json.loads(params or "{}").items()}
    return Notice(notice_id, user_id, kind, facts, bool(urgent), created_at, text, pairs)
