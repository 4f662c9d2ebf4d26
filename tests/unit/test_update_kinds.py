"""What the bot's log says of each update: its kind, never its words or its sender."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from bot.adapters.telegram.handlers import kind_of

SENDER = {"id": 4242, "is_bot": False, "first_name": "Jo"}


def message(**fields: Any) -> Update:
    body = {"message_id": 1, "date": 1_795_000_000, "chat": {"id": 4242, "type": "private"}}
    return Update.de_json({"update_id": 1, "message": {**body, "from": SENDER, **fields}}, None)


def press(data: str) -> Update:
    query = {"id": "q1", "from": SENDER, "chat_instance": "c", "data": data}
    return Update.de_json({"update_id": 2, "callback_query": query}, None)


@pytest.mark.parametrize(
    ("update", "kind"),
    [
        (message(text="/start 5QRKCC7T5P"), "command /start"),
        (message(text="/CASE@soteria_bot 43/12345/26"), "command /case"),
        (message(text="/SarahJones"), "command (unknown)"),
        (message(text="Spoke to Sarah Jones"), "text"),
        (message(photo=[]), "message without text"),
        (message(document={"file_id": "f", "file_unique_id": "u"}), "document"),
        (press("a:12:3:yes"), "button Answer"),
        (press("so:7"), "button SignOff"),
        (press("Sarah Jones"), "button (unknown)"),
    ],
)
def test_an_update_is_logged_by_its_kind_alone(update: Update, kind: str):
    assert kind_of(update) == kind
