"""/export: the report goes to the supervisor, no server path is ever shown, and files do not
pile up on the server."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.error import BadRequest

from bot.adapters.telegram.delivery import Delivery
from bot.config import ConfigError, Settings
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.jobs import remove_old_exports

from .oversight_world import make_world
from .scheduled import job_names


@dataclass
class FakeBot:
    """Just enough of a Bot: it takes a document, or refuses it as a server without files does."""

    takes_files: bool = True
    documents: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    async def send_document(self, chat_id: int, handle: Any, filename: str) -> None:
        if not self.takes_files:
            raise BadRequest("Method not found")
        self.documents.append(filename)

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        self.messages.append(text)


def exported(tmp_path: Path) -> tuple[Dialogue, Reply]:
    world = make_world(tmp_path)
    world.open("Casey", "43/12345/26")
    dialogue = Dialogue(world.service, tmp_path / "state" / "reports")
    sam = world.people["Sam"]
    (prompt,) = dialogue.handle(sam, "/export")
    # The supervisor says why they export it first: the file comes with the answer.
    audit = next(o.action for row in prompt.options for o in row if o.label == "Audit")
    (reply,) = dialogue.press(sam, audit)
    return dialogue, reply


def test_export_says_no_server_path(tmp_path):
    _dialogue, reply = exported(tmp_path)

    assert reply.document is not None
    assert str(tmp_path) not in reply.text
    assert "/" not in reply.text.replace("43/12345/26", "")


async def test_a_report_sent_to_the_supervisor_is_removed_from_the_server(tmp_path):
    dialogue, reply = exported(tmp_path)
    assert reply.document is not None
    bot = FakeBot()

    await Delivery(dialogue).send_document(bot, 1, reply)  # type: ignore[arg-type]

    assert bot.documents == [reply.document.name]
    assert not reply.document.exists()


async def test_a_report_the_server_could_not_send_is_named_but_its_path_is_not(tmp_path):
    dialogue, reply = exported(tmp_path)
    assert reply.document is not None
    bot = FakeBot(takes_files=False)

    await Delivery(dialogue).send_document(bot, 1, reply)  # type: ignore[arg-type]

    (said,) = bot.messages
    assert reply.document.name in said
    assert str(reply.document.parent) not in said
    assert str(tmp_path) not in said
    assert "removed after 24 hours" in said
    assert reply.document.exists()  # kept for the administrator, until the job removes it


def test_the_job_removes_exports_older_than_the_setting_and_nothing_else(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    now = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    old, fresh = folder / "team-report-old.html", folder / "team-report-new.html"
    other = folder / "notes.txt"
    for path in (old, fresh, other):
        path.write_text("x")
    day_ago = (now - timedelta(hours=25)).timestamp()
    os.utime(old, (day_ago, day_ago))
    os.utime(other, (day_ago, day_ago))
    hour_ago = (now - timedelta(hours=1)).timestamp()
    os.utime(fresh, (hour_ago, hour_ago))

    removed = remove_old_exports(Settings(db_path=tmp_path / "soteria.db"), now)

    assert removed == 1
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "team-report-new.html"]


def test_the_time_exports_are_kept_is_a_setting(tmp_path):
    settings = Settings.from_env({"SOTERIA_EXPORT_HOURS": "0.5"})
    assert settings.export_hours == 0.5
    assert Settings.from_env({}).export_hours == 24
    with pytest.raises(ConfigError, match="SOTERIA_EXPORT_HOURS"):
        Settings.from_env({"SOTERIA_EXPORT_HOURS": "0"})


def test_the_bot_looks_for_old_exports_every_hour(tmp_path):
    assert "old exports" in job_names(tmp_path)


def test_a_missing_reports_folder_is_nothing_to_remove(tmp_path):
    assert remove_old_exports(Settings(db_path=tmp_path / "soteria.db"), datetime.now(UTC)) == 0
    assert not (tmp_path / "reports").exists()
