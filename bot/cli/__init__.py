"""The `soteria-bot` command: thin shells over the use cases for trainers and administrators.

Every command parses its arguments, calls a use case and prints. A `SoteriaError` (a refused
input, a bad setting, a missing database) becomes one line, `Error: ...`, in one place: the
group below, never a traceback.
"""

from __future__ import annotations

from typing import Any

import click

from bot import __version__
from bot.cli.admin import backup, cases, checkpoint, screen, users, verify
from bot.cli.chat import chat, run
from bot.cli.importing import import_
from bot.cli.playbooks import diff, preview, publish, validate
from bot.cli.records import access_log, retention
from bot.cli.reports import report
from bot.config import ConfigError
from bot.core.characters import visible
from bot.core.errors import SoteriaError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


class BadSetting(click.ClickException):
    """A setting in the environment cannot be used: exit 2, as for a bad option."""

    exit_code = 2


class SoteriaGroup(click.Group):
    """The command group, turning the product's own errors into one plain line."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the chosen command; a SoteriaError is shown as `Error: ...` (exit 1, or 2 for a
        setting that cannot be used)."""
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise BadSetting(visible(str(error))) from None
        except SoteriaError as error:
            # A sentence may quote what was typed or stored: shown, never obeyed.
            raise click.ClickException(visible(str(error))) from None


@click.group(cls=SoteriaGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="soteria-bot")
def cli() -> None:
    """Playbooks that keep RASSO investigations suspect-focused, one tap at a time."""


for command in (
    validate,
    preview,
    chat,
    run,
    report,
    publish,
    diff,
    verify,
    checkpoint,
    backup,
    users,
    cases,
    screen,
    access_log,
    retention,
    import_,
):
    cli.add_command(command)
