"""Find and read playbook files, reporting every problem as `file:line:column: message`."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.errors import PlaybookInvalid, Problem, SoteriaError
from bot.core.parsing import (
    Sourced,
    library_problems,
    parse,
    parse_force_settings,
    parse_milestones,
)
from bot.core.playbook import Duration, Milestone, Playbook
from bot.store.catalogues import MILESTONES_FILE, SETTINGS_FILE
from bot.store.yaml_source import Located, YamlTrouble, load_located

CATALOGUE_FILES = (MILESTONES_FILE, SETTINGS_FILE)
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True, order=True)
class FileProblem:
    """A problem at a line and column of a file, ready to print."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class LibraryInvalid(SoteriaError):
    """One or more playbook files have mistakes; `problems` lists them all."""

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = tuple(sorted(problems))
        lines = "\n".join(str(problem) for problem in self.problems)
        super().__init__(f"The playbooks have {len(self.problems)} problem(s):\n{lines}")


@dataclass
class Library:
    """The playbooks read from files, with the milestones and force settings beside them."""

    playbooks: list[Sourced] = field(default_factory=list)
    milestones: dict[str, Milestone] = field(default_factory=dict)
    settings: dict[str, Duration] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    problems: list[FileProblem] = field(default_factory=list)
    #: The text of milestones.yaml and settings.yaml as read, by file name.
    catalogue: dict[str, str] = field(default_factory=dict)

    def playbook(self, playbook_id: str) -> Playbook:
        """Return the playbook with this id (KeyError when there is none)."""
        for entry in self.playbooks:
            if entry.playbook.id == playbook_id:
                return entry.playbook
        raise KeyError(playbook_id)


def find_playbook_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into the playbook files inside them (milestones and settings excluded)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            children = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            found.extend(p for p in children if p.name not in CATALOGUE_FILES)
        elif path.name not in CATALOGUE_FILES:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _folders(paths: Iterable[Path]) -> list[Path]:
    folders: list[Path] = []
    for path in paths:
        folder = path if path.is_dir() else path.parent
        if folder.resolve() not in [known.resolve() for known in folders]:
            folders.append(folder)
    return folders


def _catalogue(paths: Sequence[Path], fallback: Path | None, name: str) -> Path | None:
    """The catalogue file beside the named playbooks, else in the configured playbooks folder."""
    candidates = _folders(paths) + ([fallback] if fallback else [])
    for folder in candidates:
        if (folder / name).is_file():
            return folder / name
    return None


def _read_text(path: Path, label: str) -> tuple[str | None, FileProblem | None]:
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as error:
        return None, FileProblem(label, 1, 1, f"the file is not UTF-8 text (byte {error.start})")
    except OSError as error:
        return None, FileProblem(label, 1, 1, f"the file cannot be read: {error.strerror}")


def _located_problems(
    label: str, located: Located, problems: Iterable[Problem]
) -> list[FileProblem]:
    out = []
    for problem in problems:
        line, column = located.position(problem)
        out.append(FileProblem(label, line, column, problem.message))
    return out


def _load(label: str, text: str) -> tuple[Located | None, list[FileProblem]]:
    try:
        located = load_located(text)
    except YamlTrouble as trouble:
        return None, [FileProblem(label, *trouble.position, trouble.message)]
    return located, [FileProblem(label, *where, message) for message, where in located.troubles]


def load_playbook_text(text: str, label: str, milestones: dict[str, Milestone]) -> Playbook:
    """Parse one playbook's text; raise LibraryInvalid with every located problem."""
    located, problems = _load(label, text)
    playbook = None
    if located is not None:
        try:
            playbook = parse(located.data, milestones)
        except PlaybookInvalid as invalid:
            problems += _located_problems(label, located, invalid.problems)
    if problems or playbook is None:
        raise LibraryInvalid(problems)
    return playbook


def _catalogue_data(
    path: Path | None, parse_it: Any, library: Library
) -> tuple[Any, Located | None]:
    """Parse a catalogue file (milestones or settings); its problems go into the library's."""
    if path is None:
        return None, None
    label = str(path)
    text, trouble = _read_text(path, label)
    if trouble:
        library.problems.append(trouble)
        return None, None
    library.catalogue[path.name] = text or ""
    return _catalogue_text(label, text or "", parse_it, library.problems)


def _catalogue_text(
    label: str, text: str, parse_it: Any, problems: list[FileProblem]
) -> tuple[Any, Located | None]:
    located, found = _load(label, text)
    problems.extend(found)
    if located is None or found:
        return None, located
    try:
        return parse_it(located.data), located
    except PlaybookInvalid as invalid:
        problems.extend(_located_problems(label, located, invalid.problems))
        return None, located


def _sibling_ids(folders: Iterable[Path], loaded: set[Path]) -> set[str]:
    """Ids of the other playbooks in the same folders, which an `open` may name."""
    ids: set[str] = set()
    for path in find_playbook_files(folders):
        if path.resolve() in loaded:
            continue
        text, trouble = _read_text(path, str(path))
        if trouble or text is None:
            continue
        try:
            data = load_located(text).data
        except YamlTrouble:
            continue
        if isinstance(data, dict) and isinstance(data.get("playbook"), str):
            ids.add(data["playbook"])
    return ids


def load_library(
    paths: Sequence[Path], fallback: Path | None = None, known_ids: Iterable[str] = ()
) -> Library:
    """Read playbooks from files and folders, collecting every problem instead of stopping.

    `known_ids` are playbooks that exist elsewhere (published ones), which an `open` may name.
    """
    with _collector_paused():
        return _read_library(paths, fallback, known_ids)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold Python's cycle collector off while a library is read, and put it back as it was.

    Reading 100 playbooks keeps some 40,000 objects alive until it ends, and each full pass of
    the collector walks all of them (and everything else the process holds): about a fifth of
    the time went on passes that found nothing, because reading makes no reference cycles.
    Objects without cycles are still freed as soon as they are dropped.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_library(
    paths: Sequence[Path], fallback: Path | None, known_ids: Iterable[str]
) -> Library:
    """`load_library`'s work: read, parse and check every file, then check across them."""
    library = Library()
    files = find_playbook_files(paths)
    milestones_path = _catalogue(paths, fallback, MILESTONES_FILE)
    if milestones_path is None:
        where = str(files[0]) if files else str(paths[0]) if paths else MILESTONES_FILE
        library.problems.append(
            FileProblem(
                where,
                1,
                1,
                f"no {MILESTONES_FILE} beside the playbooks or in {fallback}; copy the shipped one",
            )
        )
    milestones, _ = _catalogue_data(milestones_path, parse_milestones, library)
    library.milestones = milestones or {}
    settings_path = _catalogue(paths, fallback, SETTINGS_FILE)
    settings, settings_located = _catalogue_data(settings_path, parse_force_settings, library)
    library.settings = settings or {}
    located_by_label: dict[str, Located] = {}
    if settings_path is not None and settings_located is not None:
        located_by_label[SETTINGS_FILE] = settings_located
    for path in files:
        label = str(path)
        text, trouble = _read_text(path, label)
        if trouble:
            library.problems.append(trouble)
            continue
        located, found = _load(label, text or "")
        library.problems.extend(found)
        if located is None:
            continue
        located_by_label[label] = located
        try:
            playbook = parse(located.data, library.milestones)
        except PlaybookInvalid as invalid:
            library.problems.extend(_located_problems(label, located, invalid.problems))
            continue
        if not found:
            library.playbooks.append(Sourced(label, playbook))
            library.texts.setdefault(playbook.id, text or "")
    known = _sibling_ids(_folders(paths), {path.resolve() for path in files}) | set(known_ids)
    for label, problem in library_problems(library.playbooks, known, library.settings):
        located = located_by_label.get(label)
        # The core names the force's file by its bare name; show the path that was read.
        shown = str(settings_path) if label == SETTINGS_FILE else label
        if located is not None:
            library.problems.extend(_located_problems(shown, located, [problem]))
    if milestones_path is not None and not library.milestones and not library.problems:
        library.problems.append(
            FileProblem(str(milestones_path), 1, 1, "no milestones are defined")
        )
    library.problems.sort()
    return library


def load_catalogue(texts: dict[str, str]) -> Library:
    """A library of no playbooks, with the milestones and settings read from kept text."""
    library = Library(catalogue=dict(texts))
    milestones, _ = _catalogue_text(
        MILESTONES_FILE, texts.get(MILESTONES_FILE, ""), parse_milestones, library.problems
    )
    library.milestones = milestones or {}
    if SETTINGS_FILE in texts:
        settings, _ = _catalogue_text(
            SETTINGS_FILE, texts[SETTINGS_FILE], parse_force_settings, library.problems
        )
        library.settings = settings or {}
    return library
