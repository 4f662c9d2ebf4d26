"""The `soteria-bot` command: one thin shell over the library for trainers and administrators."""

from __future__ import annotations

from pathlib import Path

import click

from bot import __version__
from bot.admin_cli import backup, cases, users, verify
from bot.config import Settings
from bot.preview import render_preview
from bot.store.playbook_files import Library, load_library
from bot.texts import counted

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
def preview(playbook: str) -> None:
    """Show a playbook as an investigator meets it: items, answers, branches and due dates.

    PLAYBOOK is a file, or the id of a playbook in the playbooks folder (SOTERIA_PLAYBOOKS).

    \b
    Example:
        soteria-bot preview bad-character
        soteria-bot preview playbooks/bad-character.yaml
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
    # Name the playbooks an answer opens by their titles, from the file's own folder.
    neighbours = (
        library
        if not as_path.is_file()
        else load_library([as_path.parent], settings.playbooks_dir)
    )
    titles = {entry.playbook.id: entry.playbook.title for entry in neighbours.playbooks}
    click.echo(render_preview(chosen, library.milestones, library.settings, titles), nl=False)


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
def chat(name: str, role: str) -> None:
    """Talk to the bot in this terminal: no Telegram token and no network needed.

    With no configuration it creates state/soteria.db and a local investigator. Type a number to
    press an option; piped input works too.

    \b
    Example:
        soteria-bot chat
        printf '/new\n43/12345/26\n1\n' | soteria-bot chat
    """
    import sys

    from bot.adapters.console import Console
    from bot.dialogue import Dialogue

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
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file."
)
def report(teams: tuple[str, ...], case_ref: str | None, fmt: str, output: Path | None) -> None:
    """Report on teams or one case: completion, overdue items, reasons, workload and measures.

    With neither --team nor --case, every team. `disclosure` lists every record of one case
    (--case), in order, with who and when. `html` is one self-contained file with charts.

    \b
    Example:
        soteria-bot report --team "North RASSO"
        soteria-bot report --team "North RASSO" --format html -o north.html
        soteria-bot report --case 43/12345/26 --format json
        soteria-bot report --case 43/12345/26 --format disclosure -o schedule.txt
    """
    from bot.core.errors import SoteriaError

    if fmt == "disclosure" and not case_ref:
        raise click.UsageError("The disclosure format is for one case: add --case REF.")
    if teams and case_ref:
        raise click.UsageError("Give --team or --case, not both.")
    service = _service()
    try:
        text = _report_text(service, teams, case_ref, fmt)
    except SoteriaError as error:
        raise click.ClickException(str(error)) from None
    if output is not None:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.")
    else:
        click.echo(text, nl=False)


def _report_text(service, teams: tuple[str, ...], case_ref: str | None, fmt: str) -> str:  # type: ignore[no-untyped-def]
    """The report in the chosen format, as text."""
    import json

    from bot.oversight import gather
    from bot.reports import team

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
    from bot.core.errors import SoteriaError
    from bot.service import Service

    try:
        return Service.from_settings(Settings.from_env())
    except SoteriaError as error:
        raise click.ClickException(str(error)) from None


cli.add_command(verify)
cli.add_command(backup)
cli.add_command(users)
cli.add_command(cases)
