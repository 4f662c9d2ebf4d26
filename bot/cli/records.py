"""For the data protection officer: the access log, and the retention schedule with its
reviews and disposals."""

from __future__ import annotations

from datetime import datetime

import click

from bot.bootstrap import build
from bot.cli.consulting import PurposeRefused, actor_and_detail, case_id_of
from bot.config import Settings
from bot.reports.access_log import FORMATS, lines_of
from bot.services import consultation
from bot.services import retention as retention_service
from bot.services.retention import Disposals
from bot.wording.labels import counted
from bot.wording.retention import NONE_DUE, due_table, schedule_line


@click.command(name="access-log")
@click.option(
    "--case",
    "case_ref",
    help="Only records that name this case: its reference or handle, or its number as '#17' "
    "(for a case disposed of).",
)
@click.option(
    "--person",
    help="Only what one person did: a user id (as `users list` shows), or an actor as the log "
    "names it, such as 'cli:DS Jo Bloggs' or 'telegram:123456789'.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only records from this day on (YYYY-MM-DD, where the force is).",
)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="table", show_default=True
)
def access_log(case_ref: str | None, person: str | None, since: datetime | None, fmt: str) -> None:
    """Show who consulted or disclosed what, when and why (DPA 2018 s.62), oldest first.

    Every view of a case or a team in the chat, every report, export and backup, every
    disposal and every enrolment attempt is kept, with the purpose given. `csv` is safe to open
    in a spreadsheet; `json` gives each record's hash, which `verify` checks.

    \b
    Example:
        soteria-bot access-log --case 43/12345/26
        soteria-bot access-log --person 7 --since 2026-11-01 --format csv
    """
    ctx = build(Settings.from_env(), playbooks=False, create=False)
    case_id = case_id_of(ctx, case_ref, by_number=True) if case_ref else None
    actor = f"user:{person}" if person and person.isdigit() else person
    start = consultation.day_start(ctx, since.date()) if since else None
    lines = lines_of(ctx, consultation.history(ctx, case_id, actor, start))
    click.echo(FORMATS[fmt](lines, ctx.zone), nl=False)


@click.command()
@click.option("--all", "show_all", is_flag=True, help="List every closed case, due or not.")
@click.option(
    "--apply",
    is_flag=True,
    help="Dispose of the content of every case due for disposal (or, with --case, of that case "
    "if it is due for review or disposal).",
)
@click.option("--case", "case_ref", help="With --apply: only this case, on its review.")
@click.option("--retain", "retain_ref", help="Record a review that keeps this closed case.")
@click.option("--reason", help="With --retain: why the case is kept (no names).")
@click.option("--as", "as_name", help="Your name, for the log. Required with --apply or --retain.")
def retention(
    show_all: bool,
    apply: bool,
    case_ref: str | None,
    retain_ref: str | None,
    reason: str | None,
    as_name: str | None,
) -> None:
    """List closed cases due for review or disposal under the force's retention schedule;
    dispose of their content, or record a review that keeps one.

    The schedule is the force's: `retention-review` and `retention-dispose` in settings.yaml
    (README.md, "Retention"). Disposal removes a case's answers, reasons, notes, challenges,
    event dates and its reference, and keeps each completion log record as its hashes, so
    `verify` still passes; the file is then rebuilt so no copy of the words is left in it.
    Backups taken before still hold them. The bot tells administrators each Monday how many
    cases are due, naming none.

    \b
    Example:
        soteria-bot retention
        soteria-bot retention --retain 43/12345/26 --reason "linked to a live series" --as "DI Kim Ng"
        soteria-bot retention --apply --as "DI Kim Ng"
        soteria-bot retention --apply --case 43/12345/26 --as "DI Kim Ng"
    """
    acting = apply or retain_ref is not None
    if case_ref and not apply:
        raise click.UsageError("--case goes with --apply.")
    if apply and retain_ref:
        raise click.UsageError("Give --apply or --retain, not both.")
    name = " ".join((as_name or "").split())
    if acting and not name:
        raise PurposeRefused("Give your name with --as: the log keeps who reviewed or disposed.")
    if retain_ref and not reason:
        raise PurposeRefused("Give the reason the case is kept with --reason (no names).")
    ctx = build(Settings.from_env(), create=False)
    if retain_ref:
        kept = retention_service.retain(ctx, retain_ref, name, reason or "")
        click.echo(
            f"Recorded the review of {kept.case.ref}: kept. Its next review is due on "
            f"{kept.review_on.isoformat()}."
        )
        return
    if apply:
        _, detail = actor_and_detail(name, None)
        if case_ref:
            done = retention_service.dispose_case(ctx, case_ref, name, detail)
        else:
            done = retention_service.dispose_due(ctx, name, detail)
        for line in disposal_lines(done):
            click.echo(line)
        return
    click.echo(schedule_line(retention_service.schedule(ctx)))
    found = retention_service.closed(ctx) if show_all else retention_service.due(ctx)
    click.echo(due_table(found) if found else NONE_DUE)


def disposal_lines(done: Disposals) -> list[str]:
    """What a disposal did, case by case, and what it could not reach."""
    lines = [
        f"Disposed of the content of {case.key} (now case #{case.case_id}): the completion "
        f"log keeps {counted(case.records, 'record')} as hashes and record {case.disposal_seq} "
        f"says so; {counted(case.events, 'event date')}, {counted(case.runs, 'checklist')} "
        f"and {counted(case.notices, 'notice')} removed."
        for case in done.done
    ] or ["No closed case is due for disposal; nothing was disposed of."]
    compacted = done.compacted
    if compacted is None:
        return lines
    if not compacted.rebuilt:
        lines.append(
            "The database file could not be rebuilt while the bot was writing, so old copies "
            "of deleted content may remain in its free space: run this again when the bot is "
            "quiet (or stopped)."
        )
        return lines
    if done.done:
        lines.append(
            "The database file was rebuilt, so no copy of the content is left in it. Backups "
            "taken before now still hold it: replace them as the force's schedule says."
        )
    if not compacted.wal_emptied:
        lines.append(
            "The write-ahead log (the file ending -wal) was in use and could not be emptied "
            "yet; it is emptied at the bot's next checkpoint, or run this again when it is idle."
        )
    return lines
