"""Publishing playbooks: check every file, then keep each changed one as a new version, or none.

A version number only goes up: a changed text under a number already published is refused at
its `version:` line, so two different texts never share a number. Runs under way stay on their
version; new runs start on the newest. Files, the command line, /reload and a document sent in
Telegram all come through here.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.core.changes import Changes, compare
from bot.core.errors import Problem
from bot.core.parsing import Sourced
from bot.services.service import Service
from bot.store import versions
from bot.store.db import transaction
from bot.store.playbook_files import FileProblem, Library, load_library
from bot.store.yaml_source import YamlTrouble, load_located
from bot.wording.changes import headline
from bot.wording.texts import counted

#: The largest playbook file taken from a chat: the shipped ones are under 20 KB.
UPLOAD_LIMIT = 256 * 1024


@dataclass(frozen=True, slots=True)
class Published:
    """A version just published, and what it changed from the one before."""

    version: versions.Version
    changes: Changes | None
    runs_left: int


@dataclass
class PublishOutcome:
    """What a publish did: the versions it kept, the files unchanged, or every problem."""

    published: list[Published] = field(default_factory=list)
    unchanged: list[versions.Version] = field(default_factory=list)
    #: Files holding an older published version: left alone, so they block nothing.
    behind: list[tuple[versions.Version, versions.Version]] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing was wrong, so everything changed was published."""
        return not self.problems

    def lines(self) -> list[str]:
        """The outcome in words, one line each, for a terminal or a chat."""
        if self.problems:
            return [
                f"Nothing was published: {counted(len(self.problems), 'problem')}.",
                *(str(problem) for problem in self.problems),
            ]
        lines = []
        for done in self.published:
            version = done.version
            if done.changes is None:
                lines.append(f"Published {version.playbook_id} version {version.version} (new).")
                continue
            old = done.changes.old.version
            lines.append(
                f"Published {version.playbook_id} version {version.version} "
                f"(was {old}): {headline(done.changes)}."
            )
            if done.runs_left:
                lines.append(
                    f"  {counted(done.runs_left, 'run')} under way "
                    f"{'stays' if done.runs_left == 1 else 'stay'} on the version "
                    "started on until the investigator moves."
                )
        if not self.published and not self.behind and self.unchanged:
            count = counted(len(self.unchanged), "playbook")
            return [f"Nothing to publish: all {count} match their published versions."]
        for version in self.unchanged:
            lines.append(f"Unchanged: {version.playbook_id} version {version.version}.")
        for old, newest in self.behind:
            lines.append(
                f"Left alone: the file holds {old.playbook_id} version {old.version}, "
                f"published before; version {newest.version} is the newest."
            )
        return lines or ["No playbook files were found."]


def publish_files(
    service: Service, paths: Sequence[Path], by: int | None, by_name: str
) -> PublishOutcome:
    """Check the files and publish each changed playbook among them, all or nothing."""
    fallback = service.playbooks_dir
    library = load_library(list(paths), fallback, known_ids=service.library.texts)
    return _publish(service, library, by, by_name)


def publish_upload(
    service: Service, filename: str, data: bytes, by: int | None, by_name: str
) -> PublishOutcome:
    """Check a playbook file sent in a chat and publish it if it is clean."""
    label = _safe_name(filename)
    if not label.endswith((".yaml", ".yml")):
        return _refused(label, "send a playbook as a .yaml file")
    if len(data) > UPLOAD_LIMIT:
        return _refused(label, f"the file is larger than {UPLOAD_LIMIT // 1024} KB")
    with tempfile.TemporaryDirectory(prefix="soteria-upload-") as folder:
        path = Path(folder) / label
        path.write_bytes(data)
        library = load_library([path], service.playbooks_dir, known_ids=service.library.texts)
    # Problems name the file as the trainer sent it, not the temporary copy.
    library.problems = [replace(problem, file=label) for problem in library.problems]
    library.playbooks = [Sourced(label, entry.playbook) for entry in library.playbooks]
    return _publish(service, library, by, by_name)


def _refused(label: str, message: str) -> PublishOutcome:
    return PublishOutcome(problems=[FileProblem(label, 1, 1, message)])


#: The longest name a sent file keeps on disk.
FILE_NAME_LIMIT = 100


def _safe_name(filename: str) -> str:
    """A sent file's name with no folders or odd characters in it."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename or "playbook.yaml").name)
    name = name.lstrip(".") or "playbook.yaml"
    # File systems take names of up to 255 bytes: keep the end, where ".yaml" is.
    return name[-FILE_NAME_LIMIT:]


def _publish(service: Service, library: Library, by: int | None, by_name: str) -> PublishOutcome:
    """Check version numbers against what is published, then publish everything or nothing."""
    outcome = PublishOutcome(problems=list(library.problems))
    if library.milestones and library.milestones != service.files.milestones:
        outcome.problems.append(
            FileProblem(
                "milestones.yaml",
                1,
                1,
                "the milestones changed since the bot started; restart it, then publish",
            )
        )
    fresh: list[Sourced] = []
    published = versions.latest(service.db)
    for entry in library.playbooks:
        text = library.texts[entry.playbook.id]
        before = published.get(entry.playbook.id)
        digest = versions.content_hash(text)
        if before is not None and before.content_hash == digest:
            outcome.unchanged.append(before)
            continue
        earlier = [
            v for v in versions.history(service.db, entry.playbook.id) if v.content_hash == digest
        ]
        if before is not None and earlier:
            outcome.behind.append((earlier[0], before))
            continue
        if before is not None and entry.playbook.version <= before.version:
            outcome.problems.append(_version_problem(entry, text, before))
            continue
        fresh.append(entry)
    outcome.problems.sort()
    if outcome.problems:
        outcome.unchanged, outcome.behind = [], []
        return outcome
    runs = versions.runs_by_version(service.db)
    with transaction(service.db):
        for entry in fresh:
            playbook = entry.playbook
            before = published.get(playbook.id)
            kept = versions.insert(
                service.db,
                playbook,
                library.texts[playbook.id],
                service.clock(),
                by,
                by_name,
                entry.source,
            )
            changes = None
            left = 0
            if before is not None:
                changes = compare(service.playbook_of_version(before.id), playbook)
                left = sum(runs.get(playbook.id, {}).values())
            outcome.published.append(Published(kept, changes, left))
    service.refresh_playbooks()
    return outcome


def _version_problem(entry: Sourced, text: str, before: versions.Version) -> FileProblem:
    """Say at the `version:` line why this number cannot be published."""
    number = entry.playbook.version
    if number == before.version:
        message = (
            f"version {number} is already published with different content; "
            f"make it {before.version + 1} to publish this change"
        )
    else:
        message = (
            f"version {number} is older than the published version {before.version}; "
            f"make it {before.version + 1}"
        )
    try:
        line, column = load_located(text).position(Problem(("version",), message))
    except YamlTrouble:
        line, column = 1, 1
    return FileProblem(entry.source, line, column, message)
