"""The `soteria-bot` command: thin shells over the use cases for trainers and administrators.

Every command parses its arguments, calls a use case and prints. A `SoteriaError` (a refused
input, a bad setting, a missing database) becomes one line, `Error: ...`, in one place: the
group below, never a traceback.

Each command's module is imported only when that command runs (or `--help` lists them all):
a report need not load the chat, the importer or the personal-data screen to start.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import click

from bot import __version__
from bot.config import ConfigError
from bot.core.characters import visible
from bot.core.errors import SoteriaError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
#: Each command's name, and where it is defined (module, attribute).
COMMANDS = {
    "validate": ("bot.cli.playbooks", "validate"),
    "preview": ("bot.cli.playbooks", "preview"),
    "chat": ("bot.cli.chat", "chat"),
    "run": ("bot.cli.chat", "run"),
    "report": ("bot.cli.reports", "report"),
    "publish": ("bot.cli.playbooks", "publish"),
    "diff": ("bot.cli.playbooks", "diff"),
    "verify": ("bot.cli.admin", "verify"),
    "rebuild-read-model": ("bot.cli.admin", "rebuild_read_model"),
    "checkpoint": ("bot.cli.admin", "checkpoint"),
    "backup": ("bot.cli.admin", "backup"),
    "users": ("bot.cli.admin", "users"),
    "cases": ("bot.cli.admin", "cases"),
    "screen": ("bot.cli.admin", "screen"),
    "access-log": ("bot.cli.records", "access_log"),
    "retention": ("bot.cli.records", "retention"),
    "import": ("bot.cli.importing", "import_"),
}


class BadSetting(click.ClickException):
    """A setting in the environment cannot be used: exit 2, as for a bad option."""

    exit_code = 2


class SoteriaGroup(click.Group):
    """The command group, loading a command when it is named, and turning the product's own
    errors into one plain line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, in alphabetical order, as help lists them."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The named command, its module imported now; None for a name that is no command."""
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        command: click.Command = getattr(import_module(where[0]), where[1])
        return command

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
