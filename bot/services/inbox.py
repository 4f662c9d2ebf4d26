"""Inbound messages kept before they are handled, so a crash loses none and repeats none.

A face fetches a batch from its channel, keeps it here in one transaction, and only then tells
the channel it arrived (Telegram: the next getUpdates' offset). It handles each kept message
inside `ctx.request(row)`, which marks the row handled in the transaction of the first thing
the message records (or on its own at the end). On a start, what was kept and not handled
comes first. When the database cannot be written, a batch is handed on unkept: it is answered
as far as it can be, and any change it asks for is refused in one sentence anyway.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.services.context import Context
from bot.store.health import StorageFailed

logger = logging.getLogger(__name__)

#: Handled messages are remembered this long: a channel repeats only unconfirmed ones, and
#: Telegram keeps those for a day.
KEPT_HANDLED = timedelta(hours=48)
#: Messages kept aside (unreadable, or their handling failed) stay this long for a look.
KEPT_ASIDE = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Arrival:
    """A message as its channel gave it, and whether the channel's library could read it."""

    external_id: str
    data: Mapping[str, Any]
    readable: bool = True


@dataclass(frozen=True, slots=True)
class Inbound:
    """A message to handle: its inbox row (None when it could not be kept) and its content."""

    row: int | None
    external_id: str
    data: Mapping[str, Any]


def content(data: Mapping[str, Any]) -> str:
    """A message's content as kept: JSON with sorted keys, so a repeat reads the same."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def keep(ctx: Context, channel: str, batch: Sequence[Arrival]) -> list[Inbound]:
    """Keep a batch in one durable transaction; the readable messages new to the inbox.

    A message kept before (delivered again) is left out. When the database cannot be written,
    the readable messages come back unkept (row None) rather than not at all.
    """
    try:
        with ctx.uow.transaction() as uow:
            fresh = []
            for arrival in batch:
                kept = uow.inbox.keep(
                    channel,
                    arrival.external_id,
                    content(arrival.data),
                    ctx.now(),
                    readable=arrival.readable,
                )
                if kept is None:
                    logger.info("update %s was delivered again; ignored", arrival.external_id)
                elif arrival.readable:
                    fresh.append(Inbound(kept.row, arrival.external_id, arrival.data))
            return fresh
    except StorageFailed:
        # Said to the operator once by the unit of work; people still get their answers.
        return [Inbound(None, a.external_id, a.data) for a in batch if a.readable]


def waiting(ctx: Context, channel: str) -> list[Inbound]:
    """What was kept and never handled (the bot stopped first), in the order it came."""
    return [
        Inbound(kept.row, kept.external_id, json.loads(kept.raw))
        for kept in ctx.uow.inbox.waiting(channel)
    ]


def unreadable(ctx: Context, row: int | None) -> None:
    """Keep aside a waiting message that can no longer be read (the library changed)."""
    if row is not None:
        _aside(ctx, row)


def done(ctx: Context, row: int | None) -> None:
    """Mark a message handled that recorded nothing (turned away, or empty)."""
    if row is not None:
        ctx.uow.handled_alone(row)


def failed(ctx: Context, row: int | None) -> None:
    """Keep aside a message whose handling failed, so a restart does not fail on it again."""
    if row is not None:
        _aside(ctx, row)


def _aside(ctx: Context, row: int) -> None:
    try:
        with ctx.uow.transaction() as uow:
            uow.inbox.set_aside(row, ctx.now())
    except StorageFailed:
        pass  # Told once already; it stays waiting, to be tried again after a restart.


def prune(ctx: Context) -> int:
    """Forget handled messages after two days, and those kept aside after thirty."""
    now = ctx.now()
    try:
        with ctx.uow.transaction() as uow:
            return uow.inbox.prune(now - KEPT_HANDLED, now - KEPT_ASIDE)
    except StorageFailed:
        return 0


def counts(ctx: Context) -> dict[str, int]:
    """How many messages the inbox holds in each state."""
    return ctx.uow.inbox.counts()
