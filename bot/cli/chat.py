"""The conversation from the server: in this terminal (`chat`), or on Telegram (`run`)."""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import click

from bot.bootstrap import build, only_instance
from bot.cli.playbooks import walk_draft
from bot.config import Settings
from bot.services import people
from bot.services.publishing import publish_on_fresh_install


@click.command()
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

    With no configuration it creates state/soteria.db and a local investigator; on a fresh
    install, where nothing is published yet, it publishes the playbooks folder. Type a number
    to press an option; piped input works too.

    \b
    Example:
        soteria-bot chat
        printf '/new\\n43/12345/26\\n1\\n' | soteria-bot chat
        soteria-bot chat --playbook drafts/bad-character.yaml --draft
    """
    from bot.adapters.console import Console
    from bot.conversation.dialogue import Dialogue

    settings = Settings.from_env()
    if draft is not None or is_draft:
        if draft is None or not is_draft:
            raise click.UsageError("Walk a draft with both: --playbook FILE --draft.")
        walk_draft(draft, settings)
        return
    ctx = build(settings)
    publish_on_fresh_install(ctx)
    user = people.local_user(ctx, name, role)
    dialogue = Dialogue(ctx, settings.reports_dir)
    # Wrapped to the terminal's width; a transcript piped to a file keeps its lines whole.
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    Console(dialogue, user, sys.stdout, echo=not sys.stdin.isatty(), width=width).loop(sys.stdin)


@click.command()
def run() -> None:
    """Run the Telegram bot (long polling) until stopped with Ctrl-C or SIGTERM.

    Needs TELEGRAM_BOT_TOKEN. TELEGRAM_API_BASE_URL points it at another Bot API server (a
    force's own, or a local emulator for tests). On a fresh install, where nothing is published
    yet, it publishes the playbooks folder; after that, only `publish --as NAME` and /reload do.

    \b
    Example:
        TELEGRAM_BOT_TOKEN=123456:ABC... soteria-bot run
    """
    settings = Settings.from_env()
    if not settings.telegram_token:
        raise click.ClickException(
            "Set TELEGRAM_BOT_TOKEN to the token BotFather gave you (see README), "
            "or use `soteria-bot chat` to try the bot in this terminal."
        )
    held = only_instance(settings)  # before anything is read or written
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    quiet_chatter(settings.log_level)
    from bot.adapters.telegram.app import run_polling

    # The bot syncs what it commits off its event loop, before any reply that stands on it.
    ctx = build(settings, sync_apart=True)
    publish_on_fresh_install(ctx)
    try:
        run_polling(settings, ctx)
    finally:
        held.close()


#: Libraries that log routine work at INFO: every request (a getUpdates call every few
#: seconds), every run of a timed job, every step of a checklist's state machine.
CHATTY_LOGGERS = ("httpx", "apscheduler", "transitions")


def quiet_chatter(level: str) -> None:
    """Keep libraries' routine lines out of the log unless DEBUG is asked for.

    At INFO the bot's own log is then one line per update (its kind and how long it took)
    and what an operator must know: starts, stops, warnings and errors.
    """
    if level == "DEBUG":
        return
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
