"""Lines of import files already applied, known by the digest of their content, kept for good."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from bot.store.db import utc_text


class ImportedLineRepository:
    """Which import lines were applied: a file imported again applies only what is new."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def seen(self, digest: str) -> bool:
        """Tell whether a line with this content was applied before."""
        found = self._db.execute(
            "SELECT 1 FROM imported_lines WHERE digest = ?", [digest]
        ).fetchone()
        return found is not None

    def mark(self, digest: str, now: datetime) -> None:
        """Note a line as applied (in the caller's transaction)."""
        self._db.execute(
            "INSERT INTO imported_lines (digest, imported_at) VALUES (?, ?)",
            [digest, utc_text(now)],
        )
