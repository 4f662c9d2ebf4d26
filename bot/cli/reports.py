"""Supervisors' and trainers' reports from the command line: one table of formats to choose."""

from __future__ import annotations

from pathlib import Path

import click

from bot.bootstrap import build
from bot.cli.consulting import actor_and_detail, case_id_of, chosen_purpose, consulting_options
from bot.config import Settings
from bot.core.characters import visible
from bot.core.consultation import case_subject, team_subject
from bot.core.errors import NotFound
from bot.reports import insights
from bot.reports.formats import CASE_FORMATS, FORMATS, TEAM_FORMATS, json_text
from bot.reports.oversight import gather
from bot.services import access, consultation
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
@consulting_options
def report(
    teams: tuple[str, ...],
    case_ref: str | None,
    fmt: str,
    trainer: bool,
    output: Path | None,
    purpose: str | None,
    as_name: str | None,
    recipient: str | None,
) -> None:
    """Report on teams or one case: completion, overdue items, reasons, workload and measures.

    With neither --team nor --case, every team. `disclosure` lists every record of one case
    (--case), in order, with who and when. `html` is one self-contained file with charts.
    --purpose is required: each report goes into the access log with who made it (--as, else
    your login name), why, and for whom (--to).

    \b
    Example:
        soteria-bot report --team "North RASSO" --purpose supervision
        soteria-bot report --team "North RASSO" --format html -o north.html --purpose audit
        soteria-bot report --case 43/12345/26 --format json --purpose "case progression"
        soteria-bot report --case 43/12345/26 --format disclosure -o schedule.txt \\
            --purpose disclosure --as "DC Jo Bloggs" --to "CPS reviewing lawyer"
        soteria-bot report --trainer --purpose training
    """
    settings = Settings.from_env()
    if trainer and (case_ref or fmt not in TRAINER_FORMATS):
        raise click.UsageError("--trainer takes --team and --format table, csv or json.")
    if not trainer and fmt not in TEAM_FORMATS and not case_ref:
        raise click.UsageError(f"The {fmt} format is for one case: add --case REF.")
    if teams and case_ref:
        raise click.UsageError("Give --team or --case, not both.")
    why = chosen_purpose(purpose)
    ctx = build(settings)
    via = "report --trainer" if trainer else "report"
    actor, detail = actor_and_detail(as_name, recipient, via=via, format=fmt)
    if trainer:
        found = insights.gather_insights(ctx, list(teams) or None)
        text, subject, shown = TRAINER_FORMATS[fmt](found), team_subject(teams), ()
    elif case_ref:
        text, shown = _case_text(ctx, case_ref, fmt)
        subject = case_subject(shown[0])
    else:
        text, shown = _team_text(ctx, teams, fmt)
        subject = team_subject(teams)
    # Kept before anything is shown or written: no record, no report.
    action = "print" if output is None else "export"
    consultation.record(ctx, actor, action, subject, shown, why, detail)
    _write(text, output)


def _case_text(ctx: Context, typed: str, fmt: str) -> tuple[str, tuple[int, ...]]:
    """One case's report (its own formats first, else the team formats for that case alone),
    and its case's id."""
    ref = typed.strip().upper()
    case_id = case_id_of(ctx, ref)
    if fmt in CASE_FORMATS:
        return CASE_FORMATS[fmt](ctx, ref), (case_id,)
    oversight = gather(ctx, case_ref=access.stored_key(ctx, ref))
    if not oversight.cases:
        raise NotFound(f"No case {ref} was found.")
    return TEAM_FORMATS[fmt](oversight), (case_id,)


def _team_text(ctx: Context, teams: tuple[str, ...], fmt: str) -> tuple[str, tuple[int, ...]]:
    """Some teams' report (every team's without any), and the ids of the cases in it."""
    # The table counts only the items asked; the other formats list every item of a run.
    oversight = gather(ctx, teams=list(teams) or None, live_only=fmt == "table")
    return TEAM_FORMATS[fmt](oversight), tuple(case.id for case in oversight.cases)


def _write(text: str, output: Path | None) -> None:
    """Print a report, or write it to a file and say so."""
    if output is not None:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.")
    else:
        click.echo(text, nl=False)
