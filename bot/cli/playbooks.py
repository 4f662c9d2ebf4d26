"""Trainers' commands: validate, preview, publish and compare playbooks, and walk a draft."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from bot.bootstrap import DraftInvalid, build, draft_context, read_files
from bot.config import Settings
from bot.conversation.trainer import publish_lines
from bot.core.changes import compare
from bot.core.playbook import Playbook
from bot.services import cases, investigating, people
from bot.services.catalog import content_hash
from bot.services.publishing import publish_files
from bot.wording.changes import Wording, diff_text, never_published
from bot.wording.labels import counted
from bot.wording.preview import render_preview


def _fail_with(library: Any) -> None:
    """Print every problem of a library read from files, then exit 1."""
    for problem in library.problems:
        click.echo(str(problem))
    files = len({problem.file for problem in library.problems})
    click.echo(
        f"{counted(len(library.problems), 'problem')} in {counted(files, 'file')}.", err=True
    )
    raise SystemExit(1)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check playbooks and list every problem as file:line:column: message.

    PATHS are playbook files or folders; with none, the playbooks folder (SOTERIA_PLAYBOOKS).
    Milestones come from milestones.yaml beside the playbooks, else from the playbooks folder.
    Exits 0 when every playbook is valid, 1 otherwise.

    \b
    Example:
        soteria-bot validate playbooks
        soteria-bot validate playbooks/bad-character.yaml
    """
    settings = Settings.from_env()
    library = read_files(list(paths) or [settings.playbooks_dir], settings)
    if library.problems:
        _fail_with(library)
    if not library.playbooks:
        raise click.ClickException("No playbook files (*.yaml) were found there.")
    for entry in library.playbooks:
        playbook = entry.playbook
        extra = f", starts on {' or '.join(playbook.starts)}" if playbook.starts else ""
        extra += f", repeats every {playbook.repeat.every}" if playbook.repeat else ""
        click.echo(
            f"{entry.source}: ok: {playbook.id} v{playbook.version}, "
            f"{counted(len(playbook.sections), 'section')}, {counted(len(playbook.items), 'item')}{extra}"
        )
    click.echo(f"{counted(len(library.playbooks), 'playbook')} valid.")


@click.command()
@click.argument("playbook")
@click.option("--walk", is_flag=True, help="Walk it as an investigator, on a throwaway database.")
@click.option("--mermaid", is_flag=True, help="Print a Mermaid diagram of how it is walked.")
def preview(playbook: str, walk: bool, mermaid: bool) -> None:
    """Show a playbook as an investigator meets it: items, answers, branches and due dates.

    PLAYBOOK is a file (a draft, say), or the id of a playbook in the playbooks folder
    (SOTERIA_PLAYBOOKS). --walk lets you answer it in this terminal against a throwaway
    database, seeing branches and due dates; nothing is published or kept. --mermaid prints
    a stateDiagram-v2 of the items and branches, to paste into a Mermaid viewer.

    \b
    Example:
        soteria-bot preview bad-character
        soteria-bot preview --walk drafts/bad-character.yaml
        soteria-bot preview --mermaid bad-character > bad-character.mmd
    """
    settings = Settings.from_env()
    as_path = Path(playbook)
    library = read_files([as_path] if as_path.is_file() else [settings.playbooks_dir], settings)
    if as_path.is_file():
        if library.problems:
            _fail_with(library)
        chosen = library.playbooks[0].playbook
    else:
        try:
            chosen = library.playbook(playbook)
        except KeyError:
            if library.problems:
                _fail_with(library)
            known = ", ".join(sorted(entry.playbook.id for entry in library.playbooks)) or "none"
            raise click.ClickException(
                f"No playbook '{playbook}' in {settings.playbooks_dir}. Known: {known}."
            ) from None
    if walk:
        source = next(e.source for e in library.playbooks if e.playbook.id == chosen.id)
        walk_draft(Path(source), settings)
        return
    if mermaid:
        from bot.wording.diagram import playbook_mermaid

        click.echo(playbook_mermaid(chosen, library.milestones), nl=False)
        return
    # Name the playbooks an answer opens by their titles, from the file's own folder.
    neighbours = library if not as_path.is_file() else read_files([as_path.parent], settings)
    titles = {entry.playbook.id: entry.playbook.title for entry in neighbours.playbooks}
    click.echo(render_preview(chosen, library.milestones, library.settings, titles), nl=False)


def walk_draft(path: Path, settings: Settings) -> None:
    """Walk a playbook file in this terminal on a throwaway database, as an investigator."""
    from bot.adapters.console import Console
    from bot.conversation.dialogue import Dialogue

    try:
        with draft_context(path, settings) as (ctx, playbook_id):
            user = people.local_user(ctx, "Trainer (draft walk)", "investigator")
            # Under handles the bot issues one; under crime references, the format's example.
            key = "" if ctx.case_key == "handle" else ctx.crime_reference.example
            case, _ = cases.open_case(ctx, user, key)
            investigating.start_run(ctx, user, case.ref, playbook_id)
            click.echo(
                f"Walking {path} on a throwaway database, as case {case.ref}. "
                "/milestone records a date to see what it makes live; nothing is kept."
            )
            dialogue = Dialogue(ctx, Path(tempfile.gettempdir()))
            width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
            Console(dialogue, user, sys.stdout, echo=not sys.stdin.isatty(), width=width).loop(
                sys.stdin
            )
    except DraftInvalid as invalid:
        for problem in invalid.library.problems:
            click.echo(str(problem))
        raise


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--as", "name", help="Who is publishing, kept with each version (needed).")
def publish(paths: tuple[Path, ...], name: str | None) -> None:
    """Check playbooks and publish each changed one as a new version: all or nothing.

    PATHS are playbook files or folders; with none, the playbooks folder (SOTERIA_PLAYBOOKS).
    --as NAME says who publishes; it is kept with each version. If any file has a problem,
    nothing is published and every problem is listed as file:line:column: message (exit 1). A
    changed playbook needs a higher `version:`. Runs under way stay on the version they
    started on; their investigators are offered the move. Nothing else publishes a file:
    diff, report, validate and a restart of the bot only read it.

    \b
    Example:
        soteria-bot publish --as "DS Trainer"
        soteria-bot publish playbooks/bad-character.yaml --as "DS Trainer"
    """
    # Publishing is deliberate and named: a version nobody put their name to is not published.
    if name is None or not name.strip():
        raise click.UsageError(
            'Say who is publishing: add --as NAME, for example --as "DS Trainer".'
        )
    settings = Settings.from_env()
    # Publishing lists the files' problems itself, all or nothing: they are no reason to stop.
    ctx = build(settings, check_files=False)
    if not ctx.catalog.milestones:
        lines = "\n".join(str(problem) for problem in ctx.catalog.files.problems)
        raise click.ClickException(f"The milestones cannot be read:\n{lines}")
    who = f"{' '.join(name.split())} (command line)"
    outcome = publish_files(ctx, list(paths) or [settings.playbooks_dir], None, who)
    for line in publish_lines(outcome):
        click.echo(line)
    if not outcome.ok:
        raise SystemExit(1)


@click.command()
@click.argument("playbook")
@click.argument("versions", nargs=-1, type=int)
def diff(playbook: str, versions: tuple[int, ...]) -> None:
    """Say in words what changed between two versions of a playbook.

    PLAYBOOK is a playbook id or file. V1 V2 are published version numbers. With none, it
    compares the newest published version with the playbook's file (what publishing it would
    change); when the file is already published, the two newest published versions; for a
    playbook never published, it says so and how big it is. It never publishes anything.

    \b
    Example:
        soteria-bot diff bad-character
        soteria-bot diff bad-character 3 4
    """
    if len(versions) not in (0, 2):
        raise click.UsageError("Give two version numbers, or none.")
    settings = Settings.from_env()
    ctx = build(settings)
    catalog = ctx.catalog
    as_path = Path(playbook)
    file_library = _file_library(as_path, settings) if as_path.is_file() else catalog.files
    playbook_id = (
        file_library.playbooks[0].playbook.id
        if as_path.is_file() and file_library.playbooks
        else playbook
    )
    kept = catalog.history(playbook_id)
    if not kept:
        draft = _draft(file_library, playbook_id)
        if draft is None:
            raise click.ClickException(
                f"No playbook '{playbook_id}' is in {settings.playbooks_dir}, "
                "nor was one published."
            )
        if versions:
            raise click.ClickException(f"{playbook_id} was never published: it has no versions.")
        click.echo(never_published(draft))
        return

    def published(number: int) -> Playbook:
        found = [v for v in kept if v.version == number]
        if not found:
            numbers = ", ".join(str(v.version) for v in kept)
            raise click.ClickException(
                f"{playbook_id} has no published version {number}. Published: {numbers}."
            )
        return catalog.playbook_of_version(found[-1].id)

    if versions:
        old, new = published(versions[0]), published(versions[1])
    else:
        file_text = file_library.texts.get(playbook_id)
        newest = kept[-1]
        if file_text is not None and content_hash(file_text) not in {v.content_hash for v in kept}:
            old = catalog.playbook_of_version(newest.id)
            new = file_library.playbook(playbook_id)
            click.echo(f"Comparing published version {old.version} with the file.")
        elif len(kept) > 1:
            old = catalog.playbook_of_version(kept[-2].id)
            new = catalog.playbook_of_version(newest.id)
        else:
            raise click.ClickException(
                f"{playbook_id} has one published version ({newest.version}) and its file "
                "is the same: nothing to compare."
            )
    wording = Wording(catalog.milestones, catalog.settings)
    click.echo(diff_text(compare(old, new), wording), nl=False)


def _draft(library: Any, playbook_id: str) -> Playbook | None:
    """The playbook of this id read from files, if there is one."""
    try:
        found: Playbook = library.playbook(playbook_id)
    except KeyError:
        return None
    return found


def _file_library(path: Path, settings: Settings) -> Any:
    """A playbook file read on its own, or every problem it has as a click error."""
    library = read_files([path], settings)
    if library.problems:
        raise click.ClickException(
            "The file has problems:\n" + "\n".join(str(problem) for problem in library.problems)
        )
    return library
