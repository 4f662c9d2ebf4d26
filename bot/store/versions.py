"""Published playbook versions: the exact text of each, who published it, when and from where.

A run is pinned to the version it started on, so a version is written once and never changed
(triggers refuse it). The latest version of each playbook is the one new runs start on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.core.parsing import Sourced
from bot.core.playbook import Duration, Milestone, Playbook
from bot.core.run import UNDER_WAY
from bot.store.db import utc_text
from bot.store.playbook_files import Library, load_playbook_text


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


def latest(db: sqlite_utils.Database) -> dict[str, Version]:
    """The latest published version of each playbook, by playbook id."""
    rows = db.query(
        "select * from playbook_versions where id in"
        " (select max(id) from playbook_versions group by playbook_id) order by playbook_id"
    )
    return {row["playbook_id"]: Version.of(row) for row in rows}


def history(db: sqlite_utils.Database, playbook_id: str) -> list[Version]:
    """Every published version of one playbook, oldest first."""
    rows = db.query(
        "select * from playbook_versions where playbook_id = ? order by id", [playbook_id]
    )
    return [Version.of(row) for row in rows]


def by_id(db: sqlite_utils.Database, version_id: int) -> Version:
    """One version by its row id (KeyError when there is none)."""
    rows = list(db.query("select * from playbook_versions where id = ?", [version_id]))
    if not rows:
        raise KeyError(version_id)
    return Version.of(rows[0])


def newest_id(db: sqlite_utils.Database) -> int:
    """The id of the most recently published version (0 when none is): moves on each publish."""
    return int(db.execute("select coalesce(max(id), 0) from playbook_versions").fetchone()[0])


def insert(
    db: sqlite_utils.Database,
    playbook: Playbook,
    text: str,
    at: datetime,
    by: int | None,
    by_name: str | None,
    source: str | None,
) -> Version:
    """Keep a new version of a playbook; the caller has checked its number and content."""
    table = db.table("playbook_versions")
    table.insert(
        {
            "playbook_id": playbook.id,
            "version": playbook.version,
            "content_hash": content_hash(text),
            "text": text,
            "published_at": utc_text(at),
            "published_by": by,
            "published_as": by_name,
            "source": source,
        }
    )
    return by_id(db, int(table.last_pk))


def runs_by_version(db: sqlite_utils.Database) -> dict[str, dict[int, int]]:
    """Runs under way per playbook and version number: {playbook id: {version: runs}}."""
    marks = ", ".join("?" for _ in UNDER_WAY)
    counts: dict[str, dict[int, int]] = {}
    for row in db.query(
        "select v.playbook_id, v.version, count(*) as runs from runs"
        " join playbook_versions v on v.id = runs.playbook_version_id"
        f" where runs.state in ({marks}) group by v.playbook_id, v.version",
        list(UNDER_WAY),
    ):
        counts.setdefault(row["playbook_id"], {})[row["version"]] = row["runs"]
    return counts


def published_library(
    newest: Mapping[str, Version],
    milestones: dict[str, Milestone],
    settings: dict[str, Duration],
    parsed: dict[int, Playbook],
) -> Library:
    """The library new runs start from: the newest published version of every playbook.

    `parsed` keeps playbooks read by version id, so a reload parses only what is new; each one
    read here is added to it.
    """
    library = Library(milestones=milestones, settings=settings)
    for version in newest.values():
        if version.id not in parsed:
            parsed[version.id] = load_playbook_text(
                version.text, f"{version.playbook_id} v{version.version}", milestones
            )
        label = f"{version.playbook_id} v{version.version}"
        library.playbooks.append(Sourced(label, parsed[version.id]))
        library.texts[version.playbook_id] = version.text
    return library


def unpublished(db: sqlite_utils.Database, files: Library) -> Iterable[Sourced]:
    """Playbooks read from files that have never been published: a new install or a new file."""
    known = set(latest(db))
    return [entry for entry in files.playbooks if entry.playbook.id not in known]
