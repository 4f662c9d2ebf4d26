"""The `soteria-bot` command: one thin shell over the library for trainers and administrators."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from bot import __version__
from bot.cli.admin import backup, cases, users, verify
from bot.cli.playbooks import diff, publish
from bot.cli.support import open_service
from bot.config import Settings
from bot.store.playbook_files import Library, load_library
from bot.wording.preview import render_preview
from bot.wording.texts import counted

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="soteria-bot")
def cli() -> None:
    """Playbooks that keep RASSO investigations suspect-focused, one tap at a time."""


def _fail_with(library: Library) -> None:
    for problem in library.problems:
        click.echo(str(problem))
    files = len({problem.file for problem in library.problems})
    click.echo(
        f"{counted(len(library.problems), 'problem')} in {counted(files, 'file')}.", err=True
    )
    raise SystemExit(1)


@cli.command()
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
    library = load_library(list(paths) or [settings.playbooks_dir], settings.playbooks_dir)
    if library.problems:
        _fail_with(library)
    if not library.playbooks:
        raise click.ClickException("No playbook files (*.yaml) were found there.")
    for entry in library.playbooks:
        playbook = entry.playbook
        extra = f", starts on {playbook.starts}" if playbook.starts else ""
        extra += f", repeats every {playbook.repeat.every}" if playbook.repeat else ""
        click.echo(
            f"{entry.source}: ok: {playbook.id} v{playbook.version}, "
            f"{counted(len(playbook.sections), 'section')}, {counted(len(playbook.items), 'item')}{extra}"
        )
    click.echo(f"{counted(len(library.playbooks), 'playbook')} valid.")


@cli.command()
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
    library = load_library(
        [as_path] if as_path.is_file() else [settings.playbooks_dir], settings.playbooks_dir
    )
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
        _walk_draft(Path(source), settings)
        return
    if mermaid:
        from bot.wording.diagram import playbook_mermaid

        click.echo(playbook_mermaid(chosen, library.milestones), nl=False)
        return
    # Name the playbooks an answer opens by their titles, from the file's own folder.
    neighbours = (
        library
        if not as_path.is_file()
        else load_library([as_path.parent], settings.playbooks_dir)
    )
    titles = {entry.playbook.id: entry.playbook.title for entry in neighbours.playbooks}
    click.echo(render_preview(chosen, library.milestones, library.settings, titles), nl=False)


def _walk_draft(path: Path, settings: Settings) -> None:
    """Walk a playbook file in this terminal on a throwaway database, as an investigator."""
    import sys

    from bot.adapters.console import Console
    from bot.cli.playbooks import draft_service
    from bot.conversation.dialogue import Dialogue

    with draft_service(path, settings) as (service, playbook_id):
        user = service.local_user("Trainer (draft walk)", "investigator")
        case, _ = service.open_case(user, service.crime_reference.example)
        service.start_run(user, case["ref"], playbook_id)
        click.echo(
            f"Walking {path} on a throwaway database, as case {case['ref']}. "
            "/milestone records a date to see what it makes live; nothing is kept."
        )
        dialogue = Dialogue(service, Path(tempfile.gettempdir()))
        Console(dialogue, user, sys.stdout, echo=not sys.stdin.isatty()).loop(sys.stdin)


@cli.command()
@click.option(
    "--as",
    "name",
    default="Local investigator",
    show_default=True,
    help="Your name in this terminal.",
)
@click.option(
    "--role",
    type=click.Choice(["investigator", "supervisor", "trainer", "admin"]),
    default="investigator",
    show_default=True,
)
@click.option(
    "--playbook",
    "draft",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A draft playbook file to walk (with --draft).",
)
@click.option("--draft", "is_draft", is_flag=True, help="Use a throwaway database.")
def chat(name: str, role: str, draft: Path | None, is_draft: bool) -> None:
    """Talk to the bot in this terminal: no Telegram token and no network needed.

    With no configuration it creates state/soteria.db and a local investigator. Type a number to
    press an option; piped input works too.

    \b
    Example:
        soteria-bot chat
        printf '/new\n43/12345/26\n1\n' | soteria-bot chat
        soteria-bot chat --playbook drafts/bad-character.yaml --draft
    """
    import sys

    from bot.adapters.console import Console
    from bot.conversation.dialogue import Dialogue

    if draft is not None or is_draft:
        if draft is None or not is_draft:
            raise click.UsageError("Walk a draft with both: --playbook FILE --draft.")
        _walk_draft(draft, Settings.from_env())
        return
    service = _service()
    user = service.local_user(name, role)
    Console(
        Dialogue(service, Settings.from_env().reports_dir),
        user,
        sys.stdout,
        echo=not sys.stdin.isatty(),
    ).loop(sys.stdin)


@cli.command()
def run() -> None:
    """Run the Telegram bot (long polling) until stopped with Ctrl-C or SIGTERM.

    Needs TELEGRAM_BOT_TOKEN. TELEGRAM_API_BASE_URL points it at another Bot API server (a
    force's own, or a local emulator for tests).

    \b
    Example:
        TELEGRAM_BOT_TOKEN=123456:ABC... soteria-bot run
    """
    import logging

    settings = Settings.from_env()
    if not settings.telegram_token:
        raise click.ClickException(
            "Set TELEGRAM_BOT_TOKEN to the token BotFather gave you (see README), "
            "or use `soteria-bot chat` to try the bot in this terminal."
        )
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request at INFO, a getUpdates call every few seconds: keep it for errors.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bot.adapters.telegram.app import run_polling

    run_polling(settings, _service())


FORMATS = ("table", "csv", "json", "html", "disclosure")


@cli.command()
@click.option("--team", "teams", multiple=True, help="A team to report on (repeat for more).")
@click.option("--case", "case_ref", help="One case, by crime reference or handle.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--trainer",
    is_flag=True,
    help="Field feedback per item for trainers (table, csv or json; no cases named).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file."
)
def report(
    teams: tuple[str, ...], case_ref: str | None, fmt: str, trainer: bool, output: Path | None
) -> None:
    """Report on teams or one case: completion, overdue items, reasons, workload and measures.

    With neither --team nor --case, every team. `disclosure` lists every record of one case
    (--case), in order, with who and when. `html` is one self-contained file with charts.

    \b
    Example:
        soteria-bot report --team "North RASSO"
        soteria-bot report --team "North RASSO" --format html -o north.html
        soteria-bot report --case 43/12345/26 --format json
        soteria-bot report --case 43/12345/26 --format disclosure -o schedule.txt
        soteria-bot report --trainer
    """
    from bot.core.errors import SoteriaError

    if trainer:
        if case_ref or fmt not in ("table", "csv", "json"):
            raise click.UsageError("--trainer takes --team and --format table, csv or json.")
        _write(_trainer_text(_service(), teams, fmt), output)
        return

    if fmt == "disclosure" and not case_ref:
        raise click.UsageError("The disclosure format is for one case: add --case REF.")
    if teams and case_ref:
        raise click.UsageError("Give --team or --case, not both.")
    service = _service()
    try:
        text = _report_text(service, teams, case_ref, fmt)
    except SoteriaError as error:
        raise click.ClickException(str(error)) from None
    _write(text, output)


def _write(text: str, output: Path | None) -> None:
    """Print a report, or write it to a file and say so."""
    if output is not None:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.")
    else:
        click.echo(text, nl=False)


def _trainer_text(service, teams: tuple[str, ...], fmt: str) -> str:  # type: ignore[no-untyped-def]
    """Field feedback per playbook version and item, in the chosen format."""
    import json

    from bot.reports import insights

    found = insights.gather_insights(service, list(teams) or None)
    if fmt == "csv":
        return insights.render_insights_csv(found)
    if fmt == "json":
        return json.dumps(insights.insights_dict(found), indent=2, ensure_ascii=False) + "\n"
    return insights.render_insights_table(found)


def _report_text(service, teams: tuple[str, ...], case_ref: str | None, fmt: str) -> str:  # type: ignore[no-untyped-def]
    """The report in the chosen format, as text."""
    import json

    from bot.reports import team
    from bot.reports.oversight import gather

    if case_ref:
        ref = case_ref.strip().upper()
        if fmt == "disclosure":
            from bot.reports.disclosure import render_disclosure

            return render_disclosure(service, ref)
        if fmt in ("table", "json"):
            from bot.reports.case import render_case_table

            data = service.case_report(ref)
            if fmt == "json":
                return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            return render_case_table(data)
        from bot.store.case_links import case_key_for

        oversight = gather(service, case_ref=case_key_for(service.db, ref))
        if not oversight.cases:
            raise click.ClickException(f"No case {ref} was found.")
    else:
        oversight = gather(service, teams=list(teams) or None)
    if fmt == "table":
        return team.render_team_table(oversight)
    if fmt == "csv":
        return team.render_csv(oversight)
    data = team.team_dict(oversight)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    from bot.reports.html import render_html

    return render_html(data)


def _service():  # type: ignore[no-untyped-def]
    """The service on the configured database, with errors as one plain sentence."""
    return open_service()


cli.add_command(publish)
cli.add_command(diff)
cli.add_command(verify)
cli.add_command(backup)
cli.add_command(users)
cli.add_command(cases)
