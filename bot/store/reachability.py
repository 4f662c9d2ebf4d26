"""Accounts their channel says cannot be reached: the person blocked the bot or left.

Sending to them again would fail again, so their notices wait, unsent, until they write to
the bot (which they can only do once they have unblocked it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.core.channels import Identity
from bot.store.db import utc_text


@dataclass(frozen=True, slots=True)
class Unreachable:
    """A person who cannot be reached on a channel: since when, and what the channel said."""

    user_id: int
    external_id: str
    since: str
    why: str


class ReachabilityRepository:
    """Which accounts cannot be reached, per channel."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def mark(self, user_id: int, channel: str, why: str, now: datetime) -> bool:
        """Note that a person cannot be reached on a channel; False when noted already."""
        cursor = self._db.execute(
            "UPDATE identities SET unreachable_since = ?, unreachable_why = ?"
            " WHERE user_id = ? AND channel = ? AND unreachable_since IS NULL",
            [utc_text(now), why[:200], user_id, channel],
        )
        return cursor.rowcount > 0

    def clear(self, identity: Identity) -> bool:
        """The person wrote from this account, so it can be reached; False if it was already."""
        cursor = self._db.execute(
            "UPDATE identities SET unreachable_since = NULL, unreachable_why = NULL"
            " WHERE channel = ? AND external_id = ? AND unreachable_since IS NOT NULL",
            [identity.channel, identity.external_id],
        )
        return cursor.rowcount > 0

    def on(self, channel: str) -> dict[int, Unreachable]:
        """Everyone who cannot be reached on a channel, by user id."""
        rows = self._db.execute(
            "SELECT user_id, external_id, unreachable_since, unreachable_why FROM identities"
            " WHERE channel = ? AND unreachable_since IS NOT NULL",
            [channel],
        ).fetchall()
        return {row[0]: Unreachable(row[0], row[1], row[2], row[3] or "") for row in rows}
