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
from bot.core.playbook import Playbook
from bot.services.context import Context
from bot.store.playbook_files import FileProblem, Library, load_library
from bot.store.versions import Version, VersionRepository, content_hash
from bot.store.yaml_source import YamlTrouble, load_located

#: The largest playbook file taken from a chat: the shipped ones are under 20 KB.
UPLOAD_LIMIT = 256 * 1024


@dataclass(frozen=True, slots=True)
class Published:
    """A version just published, and what it changed from the one before."""

    version: Version
    changes: Changes | None
    runs_left: int


@dataclass
class PublishOutcome:
    """What a publish did: the versions it kept, the files unchanged, or every problem."""

    published: list[Published] = field(default_factory=list)
    unchanged: list[Version] = field(default_factory=list)
    #: Files holding an older published version: left alone, so they block nothing.
    behind: list[tuple[Version, Version]] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing was wrong, so everything changed was published."""
        return not self.problems


def publish_files(
    ctx: Context, paths: Sequence[Path], by: int | None, by_name: str
) -> PublishOutcome:
    """Check the files and publish each changed playbook among them, all or nothing."""
    ctx.fresh()
    known = ctx.catalog.library.texts
    library = load_library(list(paths), ctx.playbooks_dir, known_ids=known)
    return _publish(ctx, library, by, by_name)


def publish_upload(
    ctx: Context, filename: str, data: bytes, by: int | None, by_name: str
) -> PublishOutcome:
    """Check a playbook file sent in a chat and publish it if it is clean."""
    label = _safe_name(filename)
    if not label.endswith((".yaml", ".yml")):
        return _refused(label, "send a playbook as a .yaml file")
    if len(data) > UPLOAD_LIMIT:
        return _refused(label, f"the file is larger than {UPLOAD_LIMIT // 1024} KB")
    ctx.fresh()
    with tempfile.TemporaryDirectory(prefix="soteria-upload-") as folder:
        path = Path(folder) / label
        path.write_bytes(data)
        library = load_library([path], ctx.playbooks_dir, known_ids=ctx.catalog.library.texts)
    # Problems name the file as the trainer sent it, not the temporary copy.
    library.problems = [replace(problem, file=label) for problem in library.problems]
    library.playbooks = [Sourced(label, entry.playbook) for entry in library.playbooks]
    return _publish(ctx, library, by, by_name)


def publish_on_fresh_install(ctx: Context) -> None:
    """Publish the playbook files of a fresh install, where nothing at all is published yet.

    This is what lets `soteria-bot chat` work straight after a clone. Once anything is
    published, a new or changed file is a trainer's draft: only `soteria-bot publish --as NAME`,
    /reload or a file sent by a trainer publishes it, never a start of the bot.
    """
    # Asked first without the write lock, so a start on a database in use takes no lock; asked
    # again under it, since another process may have published in between.
    if not ctx.uow.versions.newest_id():
        files = ctx.catalog.files
        with ctx.uow.transaction() as uow:
            if not uow.versions.newest_id():
                for entry in files.playbooks:
                    text = files.texts[entry.playbook.id]
                    uow.versions.insert(entry.playbook, text, ctx.now(), None, None, entry.source)
    ctx.catalog.refresh()


def files_waiting(ctx: Context) -> dict[str, Playbook]:
    """Playbooks whose file on the server differs from every published version, or was never
    published: the file's playbook, by id."""
    if ctx.playbooks_dir is None:
        return {}
    folder = ctx.playbooks_dir
    files = load_library([folder], folder)
    waiting = {}
    for entry in files.playbooks:
        playbook = entry.playbook
        digest = content_hash(files.texts[playbook.id])
        if digest not in {v.content_hash for v in ctx.uow.versions.history(playbook.id)}:
            waiting[playbook.id] = playbook
    return waiting


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


def _publish(ctx: Context, library: Library, by: int | None, by_name: str) -> PublishOutcome:
    """Check version numbers against what is published, then publish everything or nothing.

    The checks are made under the write lock, in the transaction that publishes: a publish
    racing another (the command line and /reload) cannot keep two texts under one number.
    """
    outcome = PublishOutcome(problems=list(library.problems))
    if library.milestones and library.milestones != ctx.catalog.milestones:
        outcome.problems.append(
            FileProblem(
                "milestones.yaml",
                1,
                1,
                "the milestones changed since the bot started; restart it, then publish",
            )
        )
    with ctx.transaction() as uow:
        fresh = _changed(uow.versions, library, outcome)
        outcome.problems.sort()
        if outcome.problems:
            outcome.unchanged, outcome.behind = [], []
            return outcome
        published = uow.versions.latest()
        runs = uow.versions.runs_by_version()
        for entry in fresh:
            playbook = entry.playbook
            before = published.get(playbook.id)
            text = library.texts[playbook.id]
            kept = uow.versions.insert(playbook, text, ctx.now(), by, by_name, entry.source)
            changes = None
            left = 0
            if before is not None:
                changes = compare(ctx.catalog.playbook_of_version(before.id), playbook)
                left = sum(runs.get(playbook.id, {}).values())
            outcome.published.append(Published(kept, changes, left))
    ctx.catalog.refresh()
    return outcome


def _changed(
    versions: VersionRepository, library: Library, outcome: PublishOutcome
) -> list[Sourced]:
    """The playbooks to publish; the unchanged, the older and the misnumbered go in `outcome`."""
    fresh: list[Sourced] = []
    published = versions.latest()
    for entry in library.playbooks:
        text = library.texts[entry.playbook.id]
        before = published.get(entry.playbook.id)
        digest = content_hash(text)
        if before is not None and before.content_hash == digest:
            outcome.unchanged.append(before)
            continue
        earlier = [v for v in versions.history(entry.playbook.id) if v.content_hash == digest]
        if before is not None and earlier:
            outcome.behind.append((earlier[0], before))
            continue
        if before is not None and entry.playbook.version <= before.version:
            outcome.problems.append(_version_problem(entry, text, before))
            continue
        fresh.append(entry)
    return fresh


def _version_problem(entry: Sourced, text: str, before: Version) -> FileProblem:
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
