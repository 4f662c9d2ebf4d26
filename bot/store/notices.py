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
from typing import Any

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


class NoticeRepository:
    """Notices waiting to be sent, and the ones sent."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def queue(
        self,
        user_id: int,
        kind: str,
        params: Mapping[str, str],
        now: datetime,
        *,
        urgent: bool = False,
        dedupe_key: str | None = None,
    ) -> bool:
        """Keep a notice for sending; with a `dedupe_key` already used, keep nothing (False)."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO notices (user_id, kind, text, params, urgent, dedupe_key,"
            " created_at) VALUES (?, ?, '', ?, ?, ?, ?)",
            [user_id, kind, json.dumps(dict(params)), int(urgent), dedupe_key, utc_text(now)],
        )
        return cursor.rowcount == 1

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
