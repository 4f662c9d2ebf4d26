"""The notice outbox: what the bot must tell someone, kept until it has been sent.

A notice is written in the same transaction as the event it reports (a submission, a return),
so it is never lost to a crash between the two; a face sends notices and marks them sent.
Urgent notices go out at once; the rest are gathered per person and sent as one message at
most once per interval, so a busy team does not bury its supervisor in pings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from bot.store.db import utc_text


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing to tell one person, with any buttons (label, action) that go with it."""

    id: int
    user_id: int
    kind: str
    text: str
    buttons: tuple[tuple[str, str], ...]
    urgent: bool
    created_at: str


def queue(
    db: sqlite_utils.Database,
    user_id: int,
    kind: str,
    text: str,
    now: datetime,
    *,
    buttons: Sequence[tuple[str, str]] = (),
    urgent: bool = False,
    dedupe_key: str | None = None,
) -> bool:
    """Keep a notice for sending; with a `dedupe_key` already used, keep nothing (False)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO notices (user_id, kind, text, buttons, urgent, dedupe_key,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [user_id, kind, text, json.dumps(list(buttons)), int(urgent), dedupe_key, utc_text(now)],
    )
    return cursor.rowcount == 1


def ready(db: sqlite_utils.Database, now: datetime, interval: timedelta) -> list[Notice]:
    """Unsent notices due now: urgent ones, and everyone's once their oldest has waited long
    enough (or was never batched with an earlier message inside the interval)."""
    rows = db.execute(
        "SELECT id, user_id, kind, text, buttons, urgent, created_at FROM notices"
        " WHERE sent_at IS NULL ORDER BY id"
    ).fetchall()
    if not rows:
        return []
    last_sent = dict(
        db.execute(
            "SELECT user_id, max(sent_at) FROM notices WHERE sent_at IS NOT NULL"
            " AND user_id IN (SELECT user_id FROM notices WHERE sent_at IS NULL)"
            " GROUP BY user_id"
        ).fetchall()
    )
    quiet_since = utc_text(now - interval)
    chosen = []
    for notice in map(_notice, rows):
        previous = last_sent.get(notice.user_id)
        if notice.urgent or previous is None or previous <= quiet_since:
            chosen.append(notice)
    # A person who gets anything now gets everything waiting, in one go.
    people = {notice.user_id for notice in chosen}
    taken = {notice.id for notice in chosen}
    chosen += [
        notice
        for notice in map(_notice, rows)
        if notice.user_id in people and notice.id not in taken
    ]
    return sorted(chosen, key=lambda notice: notice.id)


def mark_sent(db: sqlite_utils.Database, ids: Sequence[int], now: datetime) -> None:
    """Note that these notices reached (or were handed to) their person."""
    db.conn.executemany(
        "UPDATE notices SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
        [(utc_text(now), notice_id) for notice_id in ids],
    )


def _notice(row: Sequence[object]) -> Notice:
    notice_id, user_id, kind, text, buttons, urgent, created_at = row
    pairs = tuple((str(label), str(action)) for label, action in json.loads(str(buttons)))
    return Notice(
        int(notice_id), int(user_id), str(kind), str(text), pairs, bool(urgent), str(created_at)
    )  # type: ignore[arg-type]
