"""What every command that shows or copies case data says about itself: who runs it, why, and
for whom, and the case it names."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Any, TypeVar

import click

from bot.core.consultation import cli_actor, purpose_refusal, read_purpose
from bot.core.errors import InputRefused, NotFound
from bot.core.people import CLI_ADMIN
from bot.services import access
from bot.services.context import Context

F = TypeVar("F", bound=Callable[..., Any])
#: The longest recipient kept: a team, an office or a person, not a letter.
RECIPIENT_LIMIT = 100


class PurposeRefused(click.ClickException):
    """No purpose, or one not on the list: exit 2, as for a missing option."""

    exit_code = 2


def consulting_options(func: F) -> F:
    """--purpose, --as and --to, for every command that shows or copies case data."""
    func = click.option(
        "--to",
        "recipient",
        help="Who the output is for, if not yourself (such as 'CPS reviewing lawyer').",
    )(func)
    func = click.option(
        "--as", "as_name", help="Your name for the access log (else your login name)."
    )(func)
    return click.option(
        "--purpose",
        help="Why: supervision, case progression, disclosure, audit or training. Required.",
    )(func)


def chosen_purpose(typed: str | None) -> str:
    """The purpose given, or one sentence listing the purposes (exit 2)."""
    try:
        return read_purpose(typed)
    except InputRefused:
        raise PurposeRefused(purpose_refusal()) from None


def actor_and_detail(
    as_name: str | None, recipient: str | None, **detail: str
) -> tuple[str, dict[str, str]]:
    """Who runs the command, for the log, and what the record says of how and for whom."""
    os_user = _login_name()
    name = " ".join((as_name or "").split()) or os_user
    kept = {key: value for key, value in detail.items() if value}
    kept["os_user"] = os_user
    to = " ".join((recipient or "").split())[:RECIPIENT_LIMIT]
    if to:
        kept["to"] = to
    return cli_actor(name), kept


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name: a container without a passwd entry
        return "unknown"


def case_id_of(ctx: Context, typed: str, *, by_number: bool = False) -> int:
    """The id of the case with this reference or handle (or, `by_number`, its number as '#17',
    which outlives a disposal), or one sentence saying there is none."""
    ref = typed.strip().upper()
    if by_number and ref.startswith("#") and ref[1:].isdigit():
        return int(ref[1:])
    try:
        return access.find_case(ctx, CLI_ADMIN, access.stored_key(ctx, ref)).id
    except NotFound:
        raise NotFound(f"No case {ref} was found.") from None
