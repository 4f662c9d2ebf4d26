"""Channels people reach the bot on (Telegram, the terminal), and the ids each one gives."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Identity:
    """A person's account on one channel: the channel's name and its id for them, as text."""

    channel: str
    external_id: str
