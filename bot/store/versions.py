"""Published playbook versions: the exact text of each, who published it, when and from where.

A run is pinned to the version it started on, so a version is written once and never changed
(triggers refuse it, and a record in the log seals it for `verify`). The latest version of each
playbook is the one new runs start on. Each version is also kept parsed (`playbook_parsed`, see
`bot.core.codec`), so it is checked when it is published and not again at every start.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.core import codec
from bot.core.lifecycle import UNDER_WAY
from bot.core.parsing import Sourced
from bot.core.people import CLI_ADMIN_ACTOR
from bot.core.playbook import Duration, Milestone, Playbook
from bot.core.seals import FIRST_USE_ACTOR
from bot.store.db import utc_text
from bot.store.playbook_files import Library, load_playbook_text
from bot.store.seals import seal_version

logger = logging.getLogger(__name__)


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
            kept = self._kept_parsed(version)
            self._parsed[version_id] = kept or load_playbook_text(
                version.text, f"{version.playbook_id} v{version.version}", self.milestones
            )
        return self._parsed[version_id]

    def _kept_parsed(self, version: Version) -> Playbook | None:
        """The version as kept parsed, when it was kept from this text by this model."""
        row = self._db.execute(
            "SELECT data FROM playbook_parsed WHERE version_id = ? AND content_hash = ?"
            " AND shape = ?",
            [version.id, version.content_hash, codec.SHAPE],
        ).fetchone()
        if row is None:
            return None
        try:
            return codec.decode(row[0])
        except (ValueError, TypeError) as error:
            logger.warning("version %s kept parsed cannot be read (%s)", version.id, error)
            return None

    def keep_parsed(self, version_ids: Iterable[int]) -> int:
        """Keep these versions parsed where they are not (in the caller's transaction)."""
        kept = 0
        for version_id in version_ids:
            version = self.by_id(version_id)
            if self._kept_parsed(version) is None:
                kept += self._keep(version, self.playbook(version_id))
        return kept

    def unkept(self, version_ids: Iterable[int]) -> list[int]:
        """Which of these versions are not kept parsed by this model (asked without a lock)."""
        wanted = list(version_ids)
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        kept = {
            row[0]
            for row in self._db.execute(
                f"SELECT version_id FROM playbook_parsed WHERE shape = ? AND version_id IN ({marks})",
                [codec.SHAPE, *wanted],
            )
        }
        return [version_id for version_id in wanted if version_id not in kept]

    def _keep(self, version: Version, book: Playbook) -> int:
        data = codec.encode(book)
        if data is None:
            return 0  # It holds what the codec cannot write: it is parsed at each start.
        self._db.execute(
            "INSERT OR REPLACE INTO playbook_parsed (version_id, content_hash, shape, data)"
            " VALUES (?, ?, ?, ?)",
            [version.id, version.content_hash, codec.SHAPE, data],
        )
        return 1

    def insert(
        self,
        playbook: Playbook,
        text: str,
        at: datetime,
        by: int | None,
        by_name: str | None,
        source: str | None,
        catalogue_id: int | None = None,
    ) -> Version:
        """Keep a new version of a playbook, parsed and sealed in the log; the caller has checked
        its number and content, against the catalogue `catalogue_id`."""
        cursor = self._db.execute(
            "insert into playbook_versions (playbook_id, version, content_hash, text,"
            " published_at, published_by, published_as, source, catalogue_id)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                playbook.id,
                playbook.version,
                content_hash(text),
                text,
                utc_text(at),
                by,
                by_name,
                source,
                catalogue_id,
            ],
        )
        version_id = int(cursor.lastrowid or 0)
        seal_version(self._db, version_id, _publisher_actor(by, by_name), at)
        self._parsed[version_id] = playbook
        version = self.by_id(version_id)
        self._keep(version, playbook)
        return version

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
