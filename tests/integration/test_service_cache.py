"""The service keeps runs between taps; what another process writes, or a failed save, still shows."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.errors import InputRefused
from bot.core.people import User
from bot.services import access, cases, events, investigating, people
from bot.services.context import Context
from bot.store import log
from bot.store.db import connect
from bot.store.health import StorageFailed
from bot.store.playbook_files import load_library

from ..apps import make_app
from ..conftest import PLAYBOOKS_DIR

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
LIBRARY = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
REF = "43/12345/26"


def open_service(path: Path) -> Context:
    return make_app(connect(path), LIBRARY, clock=lambda: NOW)


def started(service: Context) -> tuple[User, int]:
    user = people.local_user(service, "Casey", "investigator", "north")
    cases.open_case(service, user, REF)
    return user, investigating.start_run(service, user, REF, "bad-character").run.run_id


def test_an_answer_given_in_another_process_is_seen_by_the_bot(tmp_path: Path):
    """A correction made from a second process (the terminal chat) is what the bot then shows."""
    path = tmp_path / "soteria.db"
    bot, chat = open_service(path), open_service(path)
    user, run_id = started(bot)
    first = access.run(bot, user, run_id).current()
    investigating.answer(bot, user, run_id, first.id, "yes")

    investigating.answer(chat, user, run_id, first.id, "no")

    run = access.run(bot, user, run_id)
    assert run.answers()[first.id] == "no"
    assert run.status(first.id).corrections == 1
    assert log.verify(bot.uow.db).ok


def test_a_milestone_recorded_elsewhere_brings_items_into_play_here(tmp_path: Path):
    """A trial date recorded in another process moves the bot's view of the run at once."""
    path = tmp_path / "soteria.db"
    bot, admin = open_service(path), open_service(path)
    user, run_id = started(bot)
    before = access.run(bot, user, run_id).progress()[1]

    events.record_milestone(admin, user, REF, "charge", NOW.date())

    assert access.run(bot, user, run_id).milestones["charge"] == NOW.date()
    assert access.run(bot, user, run_id).progress()[1] > before


def test_an_answer_that_could_not_be_saved_is_not_remembered(tmp_path: Path):
    """When the write fails, the bot asks the same question again and the log has no answer."""
    path = tmp_path / "soteria.db"
    service = open_service(path)
    user, run_id = started(service)
    asked = access.run(service, user, run_id).current()
    size = len(log.entries(service.uow.db, run_id=run_id))

    def disk_gone() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    # The write fails after the core has already moved the run, as a full disk would.
    service.uow.db.conn.create_function("disk_gone", 0, disk_gone)
    service.uow.db.execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON log BEGIN SELECT disk_gone(); END"
    )
    with pytest.raises(StorageFailed):
        investigating.answer(service, user, run_id, asked.id, "yes")
    service.uow.db.execute("DROP TRIGGER refuse")

    run = access.run(service, user, run_id)
    assert run.current() == asked
    assert asked.id not in run.answers()
    assert len(log.entries(service.uow.db, run_id=run_id)) == size


def test_a_refused_answer_leaves_the_run_as_it_was(tmp_path: Path):
    """A value the item cannot take is refused, and the next tap still finds the same question."""
    service = open_service(tmp_path / "soteria.db")
    user, run_id = started(service)
    asked = access.run(service, user, run_id).current()

    with pytest.raises(InputRefused):
        investigating.answer(service, user, run_id, asked.id, "perhaps")

    run = access.run(service, user, run_id)
    assert run.current() == asked
    assert asked.id not in run.answers()
