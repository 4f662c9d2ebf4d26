"""Supervisors' and trainers' reports from the command line: one table of formats to choose."""

from __future__ import annotations

from pathlib import Path

import click

from bot.bootstrap import build
from bot.config import Settings
from bot.core.characters import visible
from bot.core.errors import NotFound
from bot.reports import insights
from bot.reports.formats import CASE_FORMATS, FORMATS, TEAM_FORMATS, json_text
from bot.reports.oversight import gather
from bot.services import access
from bot.services.context import Context

#: Formats of the trainers' field feedback.
TRAINER_FORMATS = {
    "table": lambda found: visible(insights.render_insights_table(found)),
    "csv": insights.render_insights_csv,
    "json": lambda found: json_text(insights.insights_dict(found)),
}


@click.command()
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
    if trainer:
        if case_ref or fmt not in TRAINER_FORMATS:
            raise click.UsageError("--trainer takes --team and --format table, csv or json.")
        found = insights.gather_insights(build(Settings.from_env()), list(teams) or None)
        _write(TRAINER_FORMATS[fmt](found), output)
        return
    if fmt not in TEAM_FORMATS and not case_ref:
        raise click.UsageError(f"The {fmt} format is for one case: add --case REF.")
    if teams and case_ref:
        raise click.UsageError("Give --team or --case, not both.")
    ctx = build(Settings.from_env())
    text = _case_text(ctx, case_ref, fmt) if case_ref else _team_text(ctx, teams, fmt)
    _write(text, output)


def _case_text(ctx: Context, typed: str, fmt: str) -> str:
    """One case's report: its own formats first, else the team formats for that case alone."""
    ref = typed.strip().upper()
    if fmt in CASE_FORMATS:
        return CASE_FORMATS[fmt](ctx, ref)
    oversight = gather(ctx, case_ref=access.stored_key(ctx, ref))
    if not oversight.cases:
        raise NotFound(f"No case {ref} was found.")
    return TEAM_FORMATS[fmt](oversight)


def _team_text(ctx: Context, teams: tuple[str, ...], fmt: str) -> str:
    return TEAM_FORMATS[fmt](gather(ctx, teams=list(teams) or None))


def _write(text: str, output: Path | None) -> None:
    """Print a report, or write it to a file and say so."""
    if output is not None:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.")
    else:
        click.echo(text, nl=False)
