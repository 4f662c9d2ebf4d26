"""The faces of the product: each renders the same conversation for one channel.

A face does four things, and nothing else: it identifies who sent a message on its channel
(`services.people.identify` with an `Identity`), hands the message to the conversation inside
one request (`ctx.request(row)`, with the message's row in the inbox, so a message handled
again after a crash acts once), shows the replies once what they stand on is on disk
(`adapters.durable`), and delivers the notices waiting for people on its channel
(`adapters.outbox`).
A new channel is one more folder here: see CONTRIBUTING.md.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.conversation.dialogue import Dialogue


@runtime_checkable
class Face(Protocol):
    """What every face has: the channel it serves, and the conversation it shows."""

    #: The channel's name, as identities and the inbox are keyed (`telegram`, `console`).
    channel: str
    dialogue: Dialogue
