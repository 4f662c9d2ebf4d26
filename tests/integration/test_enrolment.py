"""Enrolment in Telegram: the name on the record and what the welcome says about it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.adapters.telegram.delivery import Delivery
from bot.adapters.telegram.handlers import TelegramFace
from bot.conversation.dialogue import Dialogue
from bot.services import people
from bot.store.db import connect
from bot.store.playbook_files import load_library

from ..apps import make_app
from ..conftest import PLAYBOOKS_DIR

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
update_ids = itertools.count(1)


@pytest.fixture(name="face")
def _face(tmp_path: Path) -> Iterator[TelegramFace]:
    db = connect(tmp_path / "soteria.db")
    ctx = make_app(db, load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR), clock=lambda: NOW)
    dialogue = Dialogue(ctx, tmp_path / "reports")
    yield TelegramFace(dialogue, Delivery(dialogue))
    db.close()


def start(face: TelegramFace, code: str, telegram_id: int, first: str, last: str) -> str:
    """What the bot replies to /start CODE from a Telegram account with this name."""
    who: dict[str, Any] = {"id": telegram_id, "is_bot": False, "first_name": first}
    who["last_name"] = last
    body = {
        "message_id": 1,
        "date": 1_795_000_000,
        "chat": {"id": telegram_id, "type": "private", "first_name": first},
        "from": who,
        "text": f"/start {code}",
    }
    update = Update.de_json({"update_id": next(update_ids), "message": body}, None)
    return face.understand(update).replies[0].text


def welcome_of(reply: str) -> str:
    """The welcome paragraph, before the help that follows it."""
    return reply.split("\n\n")[0]


def test_a_named_invite_enrols_under_its_name_and_says_nothing_of_telegram(face: TelegramFace):
    ctx = face.dialogue.ctx
    code = people.invite(ctx, "investigator", "North", name="DC Jo Bloggs")

    reply = start(face, code, 1001, "Jojo", "B")

    assert welcome_of(reply) == (
        "Welcome, DC Jo Bloggs. You are enrolled as investigator in team North. "
        "Your administrator gave you this name and can change it."
    )
    assert [user.name for user, _ in people.roster(ctx)] == ["DC Jo Bloggs"]


def test_an_invite_without_a_name_uses_the_telegram_name_and_says_so(face: TelegramFace):
    code = people.invite(face.dialogue.ctx, "investigator", "North")

    reply = start(face, code, 1002, "Sam", "Patel")

    assert welcome_of(reply) == (
        "Welcome, Sam Patel. You are enrolled as investigator in team North. "
        "Your Telegram name is used as your name here; an administrator can change it."
    )
