"""Administrators' commands: enrol and revoke users, verify the log and the read model, back up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TextIO

import click

from bot.bootstrap import build
from bot.cli.consulting import actor_and_detail, chosen_purpose, consulting_options
from bot.config import Settings
from bot.core.characters import visible
from bot.core.people import CLI_ADMIN, ROLES
from bot.core.screening import screen_lines
from bot.services import consultation, facts, people, reaching, records
from bot.services import handover as handovers
from bot.services.context import Context, utc_now
from bot.services.people import INVITE_DAYS


def _context(*, create: bool = False) -> Context:
    """The configured database, for commands that need no playbooks."""
    return build(Settings.from_env(), playbooks=False, create=create)


def _anchors(settings: Settings) -> records.Anchors:
    return records.Anchors(settings.checkpoint_key_path, settings.checkpoints_dir)


@click.command()
@click.option(
    "--db",
    "copy",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A backup (or other copy) of the database to check instead; it is only read.",
)
def verify(copy: Path | None) -> None:
    """Check the completion log: its hash chain, its signed checkpoints and its seals; then the
    access log's chain; then the read model reports use, against a replay of the log.

    Walks the chain record by record to its recorded end, compares it with every checkpoint in
    SOTERIA_CHECKPOINTS (signed with the key in SOTERIA_CHECKPOINT_KEY), and compares people and
    published playbook texts with the records that sealed them; then walks the access log's
    chain the same way and compares it with the checkpoints too. Records whose case was disposed
    of keep their hashes and are checked as such. Exits 0 when all hold, 1 naming the first
    record (or person, or version) changed, removed, inserted or moved, a chain rebuilt ("does
    not match checkpoint N"), or a log cut short or wiped; or the first read-model row that
    disagrees with the log (`rebuild-read-model` puts that right; a disposed case has no rows
    left to check). It only reads, the read model checked as found: with --db it checks a
    backup's logs instead, passing over checkpoints made after it. A file that is missing, empty
    or not the bot's database fails with one sentence (exit 1).

    \b
    Example:
        soteria-bot verify
        soteria-bot verify --db /srv/backups/soteria-20261201-020000.db
    """
    settings = Settings.from_env()
    path = settings.db_path if copy is None else copy
    verdicts = records.verify_all(path, _anchors(settings), copy=copy is not None)
    prefix = "" if copy is None else f"{copy}: "
    for verdict in verdicts:
        click.echo(prefix + verdict.message)
        for note in verdict.notes:
            click.echo(note)
    if copy is None and verdicts[0].ok:
        # Replaying runs needs the published playbooks and the force's settings; the model is
        # checked as found, never brought up to date first. A backup's chains only are checked.
        ctx = build(settings, create=False, check_files=False, catch_up=False)
        agreement = facts.check(ctx)
        click.echo(agreement.message)
        if not agreement.ok:
            raise SystemExit(1)
    if not all(verdict.ok for verdict in verdicts):
        raise SystemExit(1)


@click.command("rebuild-read-model")
def rebuild_read_model() -> None:
    """Build the read model reports use again from the completion log, one team at a time.

    For when `verify` finds a row that disagrees with the log. Safe while the bot runs: each
    team is written in a transaction of its own. The bot also does this by itself when it
    first starts after the upgrade that added the read model, or with changed settings.

    \b
    Example:
        soteria-bot rebuild-read-model
    """
    ctx = build(Settings.from_env(), create=False, check_files=False, catch_up=False)
    written = facts.rebuild(ctx)
    click.echo(f"Rebuilt the read model from the log: {written} runs.")


@click.command()
def checkpoint() -> None:
    """Sign the completion log's and the access log's heads into a checkpoint kept outside the
    database.

    Verifies both logs first and signs nothing if either does not hold. The checkpoint (the last
    record's number and hash, the number of records, the time, the start of every record's hash
    since the checkpoint before, and the same of the access log) goes to SOTERIA_CHECKPOINTS as
    checkpoint-NNNNNN.json, signed with the Ed25519 key in SOTERIA_CHECKPOINT_KEY, which is made
    on first use (readable by its owner only, its public half beside it as .pub). The bot makes
    one every day; `verify` then finds a chain rebuilt, cut short or wiped.

    \b
    Example:
        soteria-bot checkpoint
        SOTERIA_CHECKPOINTS=/mnt/force-archive/soteria soteria-bot checkpoint
    """
    settings = Settings.from_env()
    made = records.checkpoint(settings.db_path, _anchors(settings), utc_now())
    if made.new:
        click.echo(
            f"Checkpoint {made.number} written to {made.path}: record {made.seq}, hash "
            f"{made.hash}, {made.records} records."
        )
    else:
        click.echo(
            f"Checkpoint {made.number} ({made.path}) already covers the log as it stands "
            f"(record {made.seq}); nothing new was written."
        )


@click.command()
@click.argument("dest", type=click.Path(path_type=Path))
@consulting_options
def backup(dest: Path, purpose: str | None, as_name: str | None, recipient: str | None) -> None:
    """Copy the database, consistently, even while the bot is running.

    DEST is a folder (the copy is named soteria-YYYYMMDD-HHMMSS.db, in UTC) or a new file's
    name. An existing file is never overwritten. --purpose is required: the copy holds every
    case, so it goes into the access log with who made it and why.

    \b
    Example:
        soteria-bot backup /srv/backups/ --purpose audit --as "Force IT (nightly)"
        soteria-bot backup state/before-upgrade.db --purpose audit
    """
    source = Settings.from_env().db_path
    why = chosen_purpose(purpose)
    copy = records.backup(source, dest)
    actor, detail = actor_and_detail(as_name, recipient, via="backup")
    ctx = _context()
    try:
        consultation.record(ctx, actor, "backup", "database", (), why, detail)
    finally:
        # Closed here, not left to the process's end: the write-ahead log then goes with it.
        ctx.uow.db.close()
    click.echo(f"Backed up {source} to {copy}.")


@click.group()
def users() -> None:
    """Enrol people with one-time codes, list and rename them, and revoke them.

    \b
    Example:
        soteria-bot users invite --role investigator --team "North RASSO" --name "DC Jo Bloggs"
        soteria-bot users invites
        soteria-bot users list
        soteria-bot users rename 7 "DC Jo Bloggs"
        soteria-bot users revoke 7
    """


@users.command()
@click.option("--role", required=True, type=click.Choice(ROLES), help="What they will do.")
@click.option("--team", required=True, help="Their team, as supervisors will see it.")
@click.option(
    "--name",
    help="The name their records will show (else their Telegram name), like 'DC Jo Bloggs'.",
)
@click.option(
    "--days",
    default=INVITE_DAYS,
    show_default=True,
    type=click.IntRange(min=1, max=90),
    help="How long the code stays valid.",
)
def invite(role: str, team: str, name: str | None, days: int) -> None:
    """Print a one-time enrolment code for a new user.

    The code enrols its holder with the given role and team, under --name if given (else
    under their Telegram name): they send /start CODE to the bot. It works once and expires
    after --days.

    \b
    Example:
        soteria-bot users invite --role investigator --team "North RASSO" --name "DC Jo Bloggs"
        soteria-bot users invite --role supervisor --team "North RASSO" --days 2
    """
    settings = Settings.from_env()
    ctx = _context(create=True)
    code = people.invite(ctx, role, team, days, name)
    expires = f"{(ctx.now() + timedelta(days=days)).astimezone(ctx.zone):%Y-%m-%d %H:%M %Z}"
    whom = _a(role) if name is None else f"{' '.join(name.split())}, {_a(role)}"
    click.echo(f"Enrolment code for {whom} in {' '.join(team.split())}: {code}")
    click.echo(f"It works once, until {expires}.")
    click.echo(f"The new user sends this to the bot:  /start {code}")
    for line in _deep_link(settings.bot_username, code):
        click.echo(line)


def _deep_link(username: str | None, code: str) -> list[str]:
    """The link that enrols in one tap, or how to make it: only Telegram knows the username."""
    if username:
        return [f"Or opens this link in Telegram:  https://t.me/{username}?start={code}"]
    return [
        f"Or opens https://t.me/BOT_USERNAME?start={code} in Telegram, BOT_USERNAME being",
        "the bot's username from BotFather; set SOTERIA_BOT_USERNAME to have the link printed whole.",
    ]


@users.command()
def invites() -> None:
    """List the enrolment codes not yet used nor expired: role, team, name and expiry.

    The codes themselves cannot be shown: only their hashes are kept. An unwanted code simply
    expires.

    \b
    Example:
        soteria-bot users invites
    """
    ctx = _context()
    waiting = people.invites(ctx)
    if not waiting:
        click.echo(
            "No enrolment codes are waiting to be used; `soteria-bot users invite` makes one."
        )
        return
    rows = [
        (
            invite.role,
            invite.team,
            invite.name or "(Telegram name)",
            f"{invite.created_at.astimezone(ctx.zone):%Y-%m-%d}",
            f"{invite.expires_at.astimezone(ctx.zone):%Y-%m-%d %H:%M %Z}",
        )
        for invite in waiting
    ]
    click.echo(_table(("ROLE", "TEAM", "NAME", "MADE", "EXPIRES"), rows))


@users.command(name="list")
def list_() -> None:
    """List the enrolled users who have not been revoked, by team.

    TELEGRAM says "unreachable since DATE" for someone Telegram will not deliver to (they
    blocked the bot, or deleted their account): their notices wait until they write to the
    bot again.

    \b
    Example:
        soteria-bot users list
    """
    ctx = _context()
    roster = people.roster(ctx)
    if not roster:
        click.echo("No users are enrolled yet; `soteria-bot users invite` makes a code.")
        return
    cut_off = reaching.unreachable(ctx, "telegram")

    def telegram(user_id: int, channels: tuple[str, ...]) -> str:
        if user_id in cut_off:
            return f"unreachable since {cut_off[user_id].since[:10]} ({cut_off[user_id].why})"
        return "linked" if "telegram" in channels else "terminal only"

    rows = [
        (
            str(person.id),
            person.name,
            person.role,
            person.team,
            "yes" if person.in_training else "no",
            telegram(person.id, channels),
        )
        for person, channels in roster
    ]
    click.echo(_table(("ID", "NAME", "ROLE", "TEAM", "IN TRAINING", "TELEGRAM"), rows))


@users.command()
@click.argument("user_id", type=int)
def revoke(user_id: int) -> None:
    """Stop a user from using the bot; their records stay in the log.

    USER_ID is the number `soteria-bot users list` shows.

    \b
    Example:
        soteria-bot users revoke 7
    """
    person = people.revoke(_context(), user_id)
    click.echo(
        f"Revoked {person.name} (id {person.id}, {person.role}, {person.team}): "
        "they can no longer use the bot."
    )


@users.command()
@click.argument("user_id", type=int)
@click.argument("name")
def rename(user_id: int, name: str) -> None:
    """Change the name a user's records show, past and future: their name on the record.

    USER_ID is the number `soteria-bot users list` shows.

    \b
    Example:
        soteria-bot users rename 7 "DC Jo Bloggs"
    """
    before, after = people.rename(_context(), user_id, name)
    click.echo(visible(f"Renamed {before.name} (id {after.id}) to {after.name}."))


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    # Names may come from a channel, stored before unsafe characters were refused there.
    rows = [[visible(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines)


@click.group()
def cases() -> None:
    """Link case handles to crime references, where the force keeps references off Telegram.

    \b
    Example:
        soteria-bot cases link C-7K3M9Q 43/12345/26
    """


@cases.command()
@click.argument("handle")
@click.argument("crime_ref")
def link(handle: str, crime_ref: str) -> None:
    """Link the case opened under HANDLE to its crime reference, on this server only.

    Each handle and each crime reference can be linked once. Reports then find the case by
    either.

    \b
    Example:
        soteria-bot cases link C-7K3M9Q 43/12345/26
    """
    chosen, ref = records.link_case(_context(), handle, crime_ref)
    click.echo(f"Linked {chosen} to {ref}.")


@users.command()
@click.argument("user_id", type=int)
@click.argument("state", type=click.Choice(["on", "off"]))
def training(user_id: int, state: str) -> None:
    """Mark an investigator as in training (on) or not (off).

    While on, their answers to items a playbook marks `countersign: true` count as done only
    once a supervisor of their team confirms them.

    \b
    Example:
        soteria-bot users training 7 on
    """
    person = people.set_training(_context(), user_id, state == "on")
    status = "in training" if person.in_training else "no longer in training"
    click.echo(f"{person.name} (id {person.id}) is {status}.")


@users.command()
@click.argument("user_id", type=int)
@click.argument("team")
@click.option("--remove", is_flag=True, help="Take the team away instead.")
def oversee(user_id: int, team: str, remove: bool) -> None:
    """Let a supervisor oversee another team besides their own (or stop, with --remove).

    \b
    Example:
        soteria-bot users oversee 3 "South RASSO"
    """
    person = people.oversee(_context(), user_id, team, add=not remove)
    click.echo(f"{person.name} (id {person.id}) oversees: {', '.join(person.teams)}.")


@cases.command()
@click.argument("ref")
@click.option("--to", "to_user", required=True, type=int, help="The new officer's user id.")
def handover(ref: str, to_user: int) -> None:
    """Offer a case to a new officer of its team; it moves once they accept in the bot.

    \b
    Example:
        soteria-bot cases handover 43/12345/26 --to 9
    """
    offer = handovers.offer(build(Settings.from_env()), CLI_ADMIN, ref.strip().upper(), to_user)
    click.echo(
        f"Offered {offer.case_ref} to user {offer.to_officer}; it stays with user "
        f"{offer.from_officer} until they accept it in the bot."
    )


@click.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option(
    "--focus",
    type=click.Choice(["victim"]),
    help="Screen as on an item about the victim: health and religion count too.",
)
def screen(file: TextIO, focus: str | None) -> None:
    """Say, for each line, whether the chat's personal-data screen would take it.

    Prints `ok`, or `refused<TAB>why`, one line for each line read (FILE, or standard input).
    For data protection officers and trainers to test the screen; nothing is stored.

    \b
    Example:
        soteria-bot screen notes.txt
        echo "spoke to Jane Smith" | soteria-bot screen
    """
    for verdict in screen_lines((line.rstrip("\n") for line in file), focus=focus):
        click.echo(verdict)
