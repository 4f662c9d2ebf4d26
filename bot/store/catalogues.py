"""The milestone catalogue and force settings as published playbooks were checked against.

Kept (as the files' text) whenever it changes, so a restart can run on what is published even
when the playbooks folder is missing or broken.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlite_utils

from bot.store.db import utc_text

#: The catalogue's two files, by the names they have in the playbooks folder.
MILESTONES_FILE = "milestones.yaml"
SETTINGS_FILE = "settings.yaml"


def catalogue_hash(milestones: str, settings: str | None) -> str:
    """What identifies a catalogue: the SHA-256 of both files' text."""
    return hashlib.sha256(f"{milestones}\0{settings or ''}".encode()).hexdigest()


class CatalogueRepository:
    """Catalogues kept, newest last."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def find(self, milestones: str, settings: str | None) -> int | None:
        """The id this catalogue was kept under, if it was."""
        row = self._db.execute(
            "SELECT id FROM catalogues WHERE content_hash = ?",
            [catalogue_hash(milestones, settings)],
        ).fetchone()
        return None if row is None else int(row[0])

    def keep(self, milestones: str, settings: str | None, now: datetime) -> int:
        """Keep a catalogue unless it is kept already; its id either way."""
        found = self.find(milestones, settings)
        if found is not None:
            return found
        cursor = self._db.execute(
            "INSERT INTO catalogues (content_hash, milestones, settings, kept_at) VALUES (?, ?, ?, ?)",
            [catalogue_hash(milestones, settings), milestones, settings, utc_text(now)],
        )
        return int(cursor.lastrowid or 0)

    def latest(self) -> dict[str, str] | None:
        """The files of the catalogue kept last, by name; None when none was kept."""
        row = self._db.execute(
            "SELECT milestones, settings FROM catalogues ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        texts = {MILESTONES_FILE: str(row[0])}
        if row[1] is not None:
            texts[SETTINGS_FILE] = str(row[1])
        return texts
