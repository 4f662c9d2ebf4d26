"""What the command-line modules share: the service on the configured database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bot.config import Settings

if TYPE_CHECKING:
    from bot.services.service import Service


def open_service(settings: Settings | None = None) -> Service:
    """The service on the configured database, with errors as one plain sentence."""
    from bot.core.errors import SoteriaError
    from bot.services.service import Service

    try:
        return Service.from_settings(settings or Settings.from_env())
    except SoteriaError as error:
        raise click.ClickException(str(error)) from None
