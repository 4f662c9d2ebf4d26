"""Inbound messages already handled, per channel: a message delivered twice acts once."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from bot.core.channels import MessageKey
from bot.store.db import utc_text


class ProcessedRepository:
    """The keys of the messages handled so far."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def seen(self, key: MessageKey) -> bool:
        """Tell whether this message was handled before."""
        found = self._db.execute(
            "SELECT 1 FROM processed WHERE channel = ? AND key = ?", [key.channel, key.key]
        ).fetchone()
        return found is not None

    def mark(self, key: MessageKey, now: datetime) -> None:
        """Note a message as handled (in the transaction that records what it did)."""
        self._db.execute(
            "INSERT OR IGNORE INTO processed (channel, key, handled_at) VALUES (?, ?, ?)",
            [key.channel, key.key, utc_text(now)],
        )

    def count(self) -> int:
        """How many messages have been handled."""
        return int(self._db.execute("SELECT count(*) FROM processed").fetchone()[0])
