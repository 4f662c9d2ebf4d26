"""Administrators' import: case events from a JSON Lines file, through the chat's own use cases."""

from __future__ import annotations

from pathlib import Path

import click

from bot.bootstrap import build
from bot.config import Settings
from bot.services.importing import import_lines
from bot.services.publishing import publish_on_fresh_install
from bot.wording.labels import counted


@click.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as",
    "name",
    required=True,
    help="The administrator importing, kept with every record the import writes.",
)
def import_(file: Path, name: str) -> None:
    """Apply case events from a JSON Lines file (one JSON object a line): all or nothing.

    Each line opens a case, records a milestone, starts a checklist or answers an item, through
    the same steps as the chat, as the enrolled user it names (ids as `users list` shows them)
    and at the time it gives in "at". Every line is checked first: if any is refused, nothing
    is applied and each refusal is listed as FILE:LINE: message (exit 1). A line imported
    before is not applied again, so a file can be imported twice safely. Blank lines and lines
    starting with # are skipped.

    \b
    Lines ("at" is optional but on open; "reason" only where the answer needs one):
      {"event": "open", "case": "43/12345/26", "officer": 7, "at": "2026-10-01T09:30:00+01:00"}
      {"event": "milestone", "case": "43/12345/26", "milestone": "arrest",
       "date": "2026-10-03", "by": 7}
      {"event": "start", "case": "43/12345/26", "playbook": "bad-character", "by": 7}
      {"event": "answer", "case": "43/12345/26", "playbook": "bad-character",
       "item": "pnc-record", "value": "no", "reason": "Awaiting other force", "by": 7,
       "at": "2026-10-04T10:00:00+01:00"}

    \b
    Example:
        soteria-bot users list
        soteria-bot import cases.jsonl --as "DS Admin"
    """
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text.") from None
    ctx = build(Settings.from_env())
    # As when the bot starts: playbooks never published are published, so lines can use them.
    publish_on_fresh_install(ctx)
    who = " ".join(name.split())
    if not who:
        raise click.UsageError("Say who is importing: --as NAME.")
    outcome = import_lines(ctx, text, file.name, who)
    for refusal in outcome.refusals:
        click.echo(f"{file}:{refusal.line}: {refusal.message}")
    if not outcome.ok:
        click.echo(
            f"Nothing was imported: {counted(len(outcome.refusals), 'line')} refused.", err=True
        )
        if outcome.unchecked:
            click.echo(
                f"{counted(outcome.unchecked, 'line')} of cases whose open line was refused "
                "were not checked.",
                err=True,
            )
        raise SystemExit(1)
    for crime_ref, handle in outcome.opened:
        click.echo(f"Case {crime_ref} opened as {handle}.")
    click.echo(f"{counted(outcome.applied, 'line')} applied, {outcome.already} already applied.")
