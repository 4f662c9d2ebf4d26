"""Trainers' commands: publish playbooks, compare versions, walk a draft before publishing."""

from __future__ import annotations

import getpass
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.support import open_service
from bot.config import Settings
from bot.core.parsing import Sourced
from bot.store.playbook_files import Library, load_library

if TYPE_CHECKING:
    from bot.core.playbook import Playbook
    from bot.services.service import Service


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name, as in some containers
        return "someone"


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--as",
    "name",
    default=None,
    help="Who is publishing, kept with each version. [default: your login name]",
)
def publish(paths: tuple[Path, ...], name: str | None) -> None:
    """Check playbooks and publish each changed one as a new version: all or nothing.

    PATHS are playbook files or folders; with none, the playbooks folder (SOTERIA_PLAYBOOKS).
    If any file has a problem, nothing is published and every problem is listed as
    file:line:column: message (exit 1). A changed playbook needs a higher `version:`. Runs
    under way stay on the version they started on; their investigators are offered the move.

    \b
    Example:
        soteria-bot publish
        soteria-bot publish playbooks/bad-character.yaml --as "DS Trainer"
    """
    from bot.services.publishing import publish_files

    settings = Settings.from_env()
    service = _publishing_service(settings)
    who = f"{name or _who()} (command line)"
    outcome = publish_files(service, list(paths) or [settings.playbooks_dir], None, who)
    for line in outcome.lines():
        click.echo(line)
    if not outcome.ok:
        raise SystemExit(1)


def _publishing_service(settings: Settings) -> Service:
    """The service with nothing published on opening: publishing decides, all or nothing.

    Opening it the usual way would publish a new install's valid files one by one first.
    """
    from bot.services.service import Service
    from bot.store.db import connect

    files = load_library([settings.playbooks_dir], settings.playbooks_dir)
    if not files.milestones:
        lines = "\n".join(str(problem) for problem in files.problems)
        raise click.ClickException(f"The milestones cannot be read:\n{lines}")
    empty = Library(milestones=files.milestones, settings=files.settings)
    return Service(connect(settings.db_path), empty, playbooks_dir=settings.playbooks_dir)


@click.command()
@click.argument("playbook")
@click.argument("versions", nargs=-1, type=int)
def diff(playbook: str, versions: tuple[int, ...]) -> None:
    """Say in words what changed between two versions of a playbook.

    PLAYBOOK is a playbook id or file. V1 V2 are published version numbers. With none, it
    compares the newest published version with the playbook's file (what publishing it would
    change); when the file is already published, the two newest published versions.

    \b
    Example:
        soteria-bot diff bad-character
        soteria-bot diff bad-character 3 4
    """
    from bot.core.changes import compare
    from bot.store import versions as version_store
    from bot.wording.changes import Wording, diff_text

    if len(versions) not in (0, 2):
        raise click.UsageError("Give two version numbers, or none.")
    settings = Settings.from_env()
    service = open_service(settings)
    as_path = Path(playbook)
    file_library = _file_library(as_path, settings) if as_path.is_file() else service.files
    playbook_id = (
        file_library.playbooks[0].playbook.id
        if as_path.is_file() and file_library.playbooks
        else playbook
    )
    kept = version_store.history(service.db, playbook_id)
    if not kept:
        raise click.ClickException(f"No playbook '{playbook_id}' has been published.")

    def published(number: int) -> Playbook:
        found = [v for v in kept if v.version == number]
        if not found:
            numbers = ", ".join(str(v.version) for v in kept)
            raise click.ClickException(
                f"{playbook_id} has no published version {number}. Published: {numbers}."
            )
        return service.playbook_of_version(found[-1].id)

    if versions:
        old, new = published(versions[0]), published(versions[1])
    else:
        file_text = file_library.texts.get(playbook_id)
        newest = kept[-1]
        if file_text is not None and version_store.content_hash(file_text) not in {
            v.content_hash for v in kept
        }:
            old = service.playbook_of_version(newest.id)
            new = file_library.playbook(playbook_id)
            click.echo(f"Comparing published version {old.version} with the file.")
        elif len(kept) > 1:
            old = service.playbook_of_version(kept[-2].id)
            new = service.playbook_of_version(newest.id)
        else:
            raise click.ClickException(
                f"{playbook_id} has one published version ({newest.version}) and its file "
                "is the same: nothing to compare."
            )
    wording = Wording(service.files.milestones, service.files.settings)
    click.echo(diff_text(compare(old, new), wording), nl=False)


def _file_library(path: Path, settings: Settings) -> Library:
    """A playbook file read on its own, or every problem it has as a click error."""
    library = load_library([path], settings.playbooks_dir)
    if library.problems:
        raise click.ClickException(
            "The file has problems:\n" + "\n".join(str(problem) for problem in library.problems)
        )
    return library


@contextmanager
def draft_service(path: Path, settings: Settings) -> Iterator[tuple[Service, str]]:
    """A service on a throwaway database, with the draft beside the published playbooks.

    The draft replaces the playbook of the same id, so a walk meets it exactly as an
    investigator would once it is published; nothing touches the real database.
    """
    from bot.core.errors import SoteriaError
    from bot.services.service import Service, crime_reference_format
    from bot.store.db import connect

    draft = load_library([path], settings.playbooks_dir)
    if draft.problems:
        for problem in draft.problems:
            click.echo(str(problem))
        raise click.ClickException("Fix the draft's problems first; nothing was walked.")
    chosen = draft.playbooks[0].playbook
    shipped = load_library([settings.playbooks_dir], settings.playbooks_dir)
    library = Library(milestones=draft.milestones, settings=draft.settings)
    for entry in shipped.playbooks:
        if entry.playbook.id != chosen.id:
            library.playbooks.append(entry)
            library.texts[entry.playbook.id] = shipped.texts[entry.playbook.id]
    library.playbooks.append(Sourced(str(path), chosen))
    library.texts[chosen.id] = draft.texts[chosen.id]
    with tempfile.TemporaryDirectory(prefix="soteria-draft-") as folder:
        db = connect(Path(folder) / "draft.db")
        try:
            service = Service(
                db,
                library,
                crime_reference=crime_reference_format(settings),
                timezone=settings.timezone,
            )
        except SoteriaError as error:
            db.close()
            raise click.ClickException(str(error)) from None
        try:
            yield service, chosen.id
        finally:
            db.close()
