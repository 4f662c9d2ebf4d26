"""The service keeps runs between taps; what another process writes, or a failed save, still shows."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.errors import InputRefused
from bot.services.service import Service, StorageFailed
from bot.store import log
from bot.store.db import connect
from bot.store.playbook_files import load_library
from bot.store.users import User

from ..conftest import PLAYBOOKS_DIR

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
LIBRARY = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
REF = "43/12345/26"


def open_service(path: Path) -> Service:
    return Service(connect(path), LIBRARY, clock=lambda: NOW)


def started(service: Service) -> tuple[User, int]:
    user = service.local_user("Casey", "investigator", "north")
    service.open_case(user, REF)
    return user, service.start_run(user, REF, "bad-character").run.run_id


def test_an_answer_given_in_another_process_is_seen_by_the_bot(tmp_path: Path):
    """A correction made from a second process (the terminal chat) is what the bot then shows."""
    path = tmp_path / "soteria.db"
    bot, chat = open_service(path), open_service(path)
    user, run_id = started(bot)
    first = bot.run(user, run_id).current()
    bot.answer(user, run_id, first.id, "yes")

    chat.answer(user, run_id, first.id, "no")

    run = bot.run(user, run_id)
    assert run.answers()[first.id] == "no"
    assert run.status(first.id).corrections == 1
    assert log.verify(bot.db).ok


def test_a_milestone_recorded_elsewhere_brings_items_into_play_here(tmp_path: Path):
    """A trial date recorded in another process moves the bot's view of the run at once."""
    path = tmp_path / "soteria.db"
    bot, admin = open_service(path), open_service(path)
    user, run_id = started(bot)
    before = bot.run(user, run_id).progress()[1]

    admin.record_milestone(user, REF, "charge", NOW.date())

    assert bot.run(user, run_id).milestones["charge"] == NOW.date()
    assert bot.run(user, run_id).progress()[1] > before


def test_an_answer_that_could_not_be_saved_is_not_remembered(tmp_path: Path):
    """When the write fails, the bot asks the same question again and the log has no answer."""
    path = tmp_path / "soteria.db"
    service = open_service(path)
    user, run_id = started(service)
    asked = service.run(user, run_id).current()
    size = len(log.entries(service.db, run_id=run_id))

    def disk_gone() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    # The write fails after the core has already moved the run, as a full disk would.
    service.db.conn.create_function("disk_gone", 0, disk_gone)
    service.db.execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON log BEGIN SELECT disk_gone(); END"
    )
    with pytest.raises(StorageFailed):
        service.answer(user, run_id, asked.id, "yes")
    service.db.execute("DROP TRIGGER refuse")

    run = service.run(user, run_id)
    assert run.current() == asked
    assert asked.id not in run.answers()
    assert len(log.entries(service.db, run_id=run_id)) == size


def test_a_refused_answer_leaves_the_run_as_it_was(tmp_path: Path):
    """A value the item cannot take is refused, and the next tap still finds the same question."""
    service = open_service(tmp_path / "soteria.db")
    user, run_id = started(service)
    asked = service.run(user, run_id).current()

    with pytest.raises(InputRefused):
        service.answer(user, run_id, asked.id, "perhaps")

    run = service.run(user, run_id)
    assert run.current() == asked
    assert asked.id not in run.answers()
