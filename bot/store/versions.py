"""Published playbook versions: the exact text of each, who published it, when and from where.

A run is pinned to the version it started on, so a version is written once and never changed
(triggers refuse it, and a record in the log seals it for `verify`). The latest version of each
playbook is the one new runs start on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.core.lifecycle import UNDER_WAY
from bot.core.parsing import Sourced
from bot.core.people import CLI_ADMIN_ACTOR
from bot.core.playbook import Duration, Milestone, Playbook
from bot.core.seals import FIRST_USE_ACTOR
from bot.store.db import utc_text
from bot.store.playbook_files import Library, load_playbook_text
from bot.store.seals import seal_version


@dataclass(frozen=True, slots=True)
class Version:
    """One published version of a playbook, exactly as it was published."""

    id: int
    playbook_id: str
    version: int
    content_hash: str
    text: str
    published_at: str
    published_by: int | None
    published_as: str | None
    source: str | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Version:
        """A version from its table row."""
        return cls(
            row["id"],
            row["playbook_id"],
            row["version"],
            row["content_hash"],
            row["text"],
            row["published_at"],
            row["published_by"],
            row.get("published_as"),
            row.get("source"),
        )

    @property
    def publisher(self) -> str:
        """Who published it, in words."""
        return self.published_as or "the server, on first use"


def content_hash(text: str) -> str:
    """The SHA-256 of a playbook's exact text, which identifies a version's content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _publisher_actor(by: int | None, by_name: str | None) -> str:
    """How the log names who published: an enrolled person, the command line, or the server."""
    if by is not None:
        return f"user:{by}"
    return CLI_ADMIN_ACTOR if by_name else FIRST_USE_ACTOR


class VersionRepository:
    """Published versions, and each one's playbook parsed once and kept."""

    def __init__(self, db: sqlite_utils.Database, milestones: dict[str, Milestone]) -> None:
        self._db = db
        self.milestones = milestones
        self._parsed: dict[int, Playbook] = {}

    def latest(self) -> dict[str, Version]:
        """The latest published version of each playbook, by playbook id."""
        rows = self._db.query(
            "select * from playbook_versions where id in"
            " (select max(id) from playbook_versions group by playbook_id) order by playbook_id"
        )
        return {row["playbook_id"]: Version.of(row) for row in rows}

    def history(self, playbook_id: str) -> list[Version]:
        """Every published version of one playbook, oldest first."""
        rows = self._db.query(
            "select * from playbook_versions where playbook_id = ? order by id", [playbook_id]
        )
        return [Version.of(row) for row in rows]

    def by_id(self, version_id: int) -> Version:
        """One version by its row id (KeyError when there is none)."""
        rows = list(self._db.query("select * from playbook_versions where id = ?", [version_id]))
        if not rows:
            raise KeyError(version_id)
        return Version.of(rows[0])

    def newest_id(self) -> int:
        """The id of the most recently published version (0 when none is): moves on each publish."""
        return int(
            self._db.execute("select coalesce(max(id), 0) from playbook_versions").fetchone()[0]
        )

    def playbook(self, version_id: int) -> Playbook:
        """The playbook exactly as it was published under this version's id."""
        if version_id not in self._parsed:
            version = self.by_id(version_id)
            self._parsed[version_id] = load_playbook_text(
                version.text, f"{version.playbook_id} v{version.version}", self.milestones
            )
        return self._parsed[version_id]

    def insert(
        self,
        playbook: Playbook,
        text: str,
        at: datetime,
        by: int | None,
        by_name: str | None,
        source: str | None,
    ) -> Version:
        """Keep a new version of a playbook, sealed in the log; the caller has checked its number
        and content."""
        cursor = self._db.execute(
            "insert into playbook_versions (playbook_id, version, content_hash, text,"
            " published_at, published_by, published_as, source) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                playbook.id,
                playbook.version,
                content_hash(text),
                text,
                utc_text(at),
                by,
                by_name,
                source,
            ],
        )
        version_id = int(cursor.lastrowid or 0)
        seal_version(self._db, version_id, _publisher_actor(by, by_name), at)
        self._parsed[version_id] = playbook
        return self.by_id(version_id)

    def runs_by_version(self) -> dict[str, dict[int, int]]:
        """Runs under way per playbook and version number: {playbook id: {version: runs}}."""
        marks = ", ".join("?" for _ in UNDER_WAY)
        counts: dict[str, dict[int, int]] = {}
        for row in self._db.query(
            "select v.playbook_id, v.version, count(*) as runs from runs"
            " join playbook_versions v on v.id = runs.playbook_version_id"
            f" where runs.state in ({marks}) group by v.playbook_id, v.version",
            list(UNDER_WAY),
        ):
            counts.setdefault(row["playbook_id"], {})[row["version"]] = row["runs"]
        return counts

    def published_library(self, settings: dict[str, Duration]) -> Library:
        """The library new runs start from: the newest published version of every playbook."""
        library = Library(milestones=self.milestones, settings=settings)
        for version in self.latest().values():
            label = f"{version.playbook_id} v{version.version}"
            library.playbooks.append(Sourced(label, self.playbook(version.id)))
            library.texts[version.playbook_id] = version.text
        return library
