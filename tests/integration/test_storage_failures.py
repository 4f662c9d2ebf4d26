"""L1: a database that cannot be written is said to the operator once, at ERROR, with what to do;
people are still answered what can be read, and each change is refused in one sentence."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.conversation.dialogue import Dialogue
from bot.services import inbox
from bot.store.db import connect

from ..apps import enrol, make_app
from .test_disk_full import LIBRARY, NOT_SAVED, REF, fill_the_disk, free_the_disk, press

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def at_a_question(tmp_path: Path):
    ctx = make_app(connect(tmp_path / "soteria.db"), LIBRARY, clock=lambda: NOW)
    casey = enrol(ctx.uow.db, "Casey", "investigator", "north", NOW)
    dialogue = Dialogue(ctx)
    dialogue.handle(casey, "/new")
    press(
        dialogue,
        casey,
        dialogue.handle(casey, REF),
        "Bad character - the suspect's previous conduct",
    )
    return ctx, dialogue, casey


def test_a_full_disk_is_one_error_line_saying_what_to_do(tmp_path, caplog):
    ctx, dialogue, casey = at_a_question(tmp_path)
    caplog.set_level(logging.INFO)
    fill_the_disk(ctx)
    for _ in range(4):
        refused = press(dialogue, casey, dialogue.handle(casey, "/resume"), "Yes")
        assert refused[0].text == NOT_SAVED
    [said] = errors(caplog)
    assert "the disk is full: free space on the disk that holds" in said
    assert str(tmp_path / "soteria.db") in said
    free_the_disk(ctx)
    press(dialogue, casey, dialogue.handle(casey, "/resume"), "Yes")
    assert any("can be written again" in r.getMessage() for r in caplog.records)
    fill_the_disk(ctx)
    press(dialogue, casey, dialogue.handle(casey, "/resume"), "Yes")
    assert len(errors(caplog)) == 2  # a new failure, after a success, is told afresh


def test_a_read_only_database_answers_reads_refuses_changes_and_says_so_once(tmp_path, caplog):
    ctx, dialogue, casey = at_a_question(tmp_path)
    caplog.set_level(logging.INFO)
    # What a file the bot's user may not write looks like to SQLite.
    ctx.uow.db.execute("PRAGMA query_only = ON")
    # The bot's first act on starting is a write (the inbox's pruning): it says so at once.
    inbox.prune(ctx)
    [said] = errors(caplog)
    assert "the database is read-only: give the user the bot runs as write access to" in said
    summary = dialogue.handle(casey, "/summary")
    assert REF in summary[0].text  # reads still answered
    for _ in range(3):
        refused = press(dialogue, casey, dialogue.handle(casey, "/resume"), "Yes")
        assert refused[0].text == NOT_SAVED
    assert len(errors(caplog)) == 1
