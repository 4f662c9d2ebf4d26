"""A full disk: the investigator is told plainly, nothing is half-written, and the next answer works."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.core.records import Entry
from bot.services.context import Context
from bot.store import log
from bot.store.db import connect, transaction
from bot.store.playbook_files import load_library

from ..apps import enrol, make_app
from ..conftest import PLAYBOOKS_DIR

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
LIBRARY = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
REF = "43/12345/26"
NOT_SAVED = "That could not be saved, so nothing was recorded. Please try again in a moment."


def press(dialogue: Dialogue, user, replies: list[Reply], label: str | None = None) -> list[Reply]:
    """Press the button labelled `label` (the first button when None) on the latest question."""
    question = next(reply for reply in reversed(replies) if reply.options)
    action = next(o.action for row in question.options for o in row if label in (None, o.label))
    return dialogue.press(user, action)


def fill_the_disk(service: Context) -> None:
    """Let the file grow no further, then fill the log's last page with other cases' records.

    SQLite then fails the next write that needs a page with SQLITE_FULL, as on a full disk.
    """
    (pages,) = service.uow.db.execute("PRAGMA page_count").fetchone()
    service.uow.db.execute(f"PRAGMA max_page_count = {pages}")
    for number in itertools.count():
        other = Entry("answered", f"43/{number:05d}/25", "user:0", NOW, 1_000_000, "x", "yes")
        try:
            with transaction(service.uow.db):
                log.append(service.uow.db, [other])
        except sqlite3.OperationalError as error:
            if "full" not in str(error):
                raise
            return


def free_the_disk(service: Context) -> None:
    """Room again, as when the disk has been cleared."""
    service.uow.db.execute("PRAGMA max_page_count = 1073741823")


def answered(service: Context) -> list[str | None]:
    """The items of the case's records, in order."""
    return [e.entry.item for e in log.entries(service.uow.db) if e.entry.case_ref == REF]


def snapshot(service: Context) -> tuple[object, ...]:
    """Everything an answer could change: the log, the runs and the handled updates."""
    return (
        service.uow.db.execute("select count(*), max(seq) from log").fetchone(),
        service.uow.db.execute("select * from runs order by id").fetchall(),
        service.uow.db.execute("select count(*) from inbox").fetchone(),
        service.uow.db.execute("select * from log_head").fetchall(),
    )


def test_a_full_disk_refuses_the_answer_in_a_sentence_and_the_next_answer_works(tmp_path: Path):
    """While the disk is full each answer is refused in one sentence; once freed, the same question goes on."""
    service = make_app(connect(tmp_path / "soteria.db"), LIBRARY, clock=lambda: NOW)
    casey = enrol(service.uow.db, "Casey", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    dialogue.handle(casey, "/new")
    press(
        dialogue,
        casey,
        dialogue.handle(casey, REF),
        "Bad character - the suspect's previous conduct",
    )
    asked = dialogue.handle(casey, "/resume")[-1].asks

    fill_the_disk(service)
    before = snapshot(service)
    for _ in range(3):
        refused = press(dialogue, casey, dialogue.handle(casey, "/resume"), "Yes")
        # A passing note: the question it was pressed on stays there to try again.
        assert [(reply.text, reply.shown) for reply in refused] == [(NOT_SAVED, "note")]
        assert snapshot(service) == before  # nothing half-written: no record, no run change
    assert log.verify(service.uow.db).ok

    free_the_disk(service)
    resumed = dialogue.handle(casey, "/resume")
    assert resumed[-1].asks == asked
    moved = press(dialogue, casey, resumed, "Yes")
    assert moved[-1].asks != asked
    assert answered(service)[-1] == asked[1]
    assert answered(service).count(asked[1]) == 1
    assert log.verify(service.uow.db).ok
