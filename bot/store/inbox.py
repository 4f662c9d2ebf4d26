"""The inbox: every inbound message, kept before its channel is told it arrived, until handled.

A message is kept (one transaction per batch, durably) before the channel is told it may
forget it, so a crash loses nothing; it is marked handled in the transaction that records what
it did, so nothing is done twice. A message delivered again is known by its content (the same
id and the same digest); a new message under an id seen before (Telegram restarts its ids
after a quiet week) is a new row. Once handled, its content is emptied: what people typed is
not kept any longer than it takes to act on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.store.db import utc_text

#: A row's states: waiting to be handled, handled, or kept aside (its channel's library could
#: not read it, or handling it failed) for an administrator to look at.
WAITING, HANDLED, UNPARSEABLE, FAILED = "waiting", "handled", "unparseable", "failed"


@dataclass(frozen=True, slots=True)
class Kept:
    """A message in the inbox: its row, its id on its channel, and its content as received."""

    row: int
    external_id: str
    raw: str


def digest(raw: str) -> str:
    """The SHA-256 of a message's content, which tells a repeat from a new message."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class InboxRepository:
    """Inbound messages: kept, waiting, handled, kept aside, pruned."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def keep(
        self, channel: str, external_id: str, raw: str, now: datetime, *, readable: bool = True
    ) -> Kept | None:
        """Keep a message (in the caller's transaction); None when it was kept before."""
        found = digest(raw)
        seen = self._db.execute(
            "SELECT 1 FROM inbox WHERE channel = ? AND external_id = ?"
            " AND (digest = ? OR digest IS NULL)",
            [channel, external_id, found],
        ).fetchone()
        if seen is not None:
            return None
        cursor = self._db.execute(
            "INSERT INTO inbox (channel, external_id, digest, raw, state, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                channel,
                external_id,
                found,
                raw,
                WAITING if readable else UNPARSEABLE,
                utc_text(now),
            ],
        )
        return Kept(int(cursor.lastrowid or 0), external_id, raw)

    def waiting(self, channel: str) -> list[Kept]:
        """The messages kept and not yet handled, in the order they came."""
        rows = self._db.execute(
            "SELECT id, external_id, raw FROM inbox WHERE channel = ? AND state = 'waiting'"
            " ORDER BY id",
            [channel],
        ).fetchall()
        return [Kept(row, external_id, raw) for row, external_id, raw in rows]

    def handled(self, row: int, now: datetime) -> bool:
        """Mark a message handled and empty its content; False when it was not waiting."""
        cursor = self._db.execute(
            "UPDATE inbox SET state = 'handled', handled_at = ?, raw = NULL"
            " WHERE id = ? AND state = 'waiting'",
            [utc_text(now), row],
        )
        return cursor.rowcount == 1

    def set_aside(self, row: int, now: datetime) -> None:
        """Keep a message whose handling failed aside, with its content, for an administrator."""
        self._db.execute(
            "UPDATE inbox SET state = 'failed', handled_at = ? WHERE id = ? AND state = 'waiting'",
            [utc_text(now), row],
        )

    def prune(self, handled_before: datetime, aside_before: datetime) -> int:
        """Forget handled messages and those kept aside, once old enough; how many went."""
        cursor = self._db.execute(
            "DELETE FROM inbox WHERE (state = 'handled' AND received_at < ?)"
            " OR (state IN ('unparseable', 'failed') AND received_at < ?)",
            [utc_text(handled_before), utc_text(aside_before)],
        )
        return cursor.rowcount

    def counts(self) -> dict[str, int]:
        """How many messages are in each state."""
        rows = self._db.execute("SELECT state, count(*) FROM inbox GROUP BY state").fetchall()
        return {str(state): int(count) for state, count in rows}

    def states(self, channel: str, external_ids: Sequence[str]) -> list[tuple[str, str]]:
        """(external id, state) of every row kept under these ids, for checks and tests."""
        marks = ", ".join("?" for _ in external_ids)
        rows = self._db.execute(
            f"SELECT external_id, state FROM inbox WHERE channel = ? AND external_id IN ({marks})"
            " ORDER BY id",
            [channel, *external_ids],
        ).fetchall()
        return [(str(external_id), str(state)) for external_id, state in rows]
