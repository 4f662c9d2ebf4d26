"""Commits made durable apart from the COMMIT: the bot's connection, its syncs and checkpoints, and
the order in which replies wait for them."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.durable import CHECKPOINT_EVERY, Durable
from bot.adapters.telegram.delivery import Delivery, Tap, Work
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply, note
from bot.core.errors import SoteriaError
from bot.store import checkpoints
from bot.store import durability as durability_module
from bot.store.db import connect, transaction
from bot.store.durability import Durability
from bot.store.health import StorageFailed
from bot.store.playbook_files import load_library

from ..apps import make_app
from ..conftest import PLAYBOOKS_DIR

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def pragma(db: Any, name: str) -> Any:
    return db.execute(f"PRAGMA {name}").fetchone()[0]


def test_the_bots_connection_leaves_the_sync_and_the_checkpoints_to_it(tmp_path: Path):
    apart = connect(tmp_path / "bot.db", sync_apart=True)
    full = connect(tmp_path / "bot.db")
    memory = connect(":memory:", sync_apart=True)
    try:
        assert (pragma(apart, "synchronous"), pragma(apart, "wal_autocheckpoint")) == (1, 0)
        assert (pragma(full, "synchronous"), pragma(full, "wal_autocheckpoint")) == (2, 1000)
        assert Durability(apart).apart
        assert not Durability(full).apart  # it syncs inside each COMMIT
        assert not Durability(memory).apart  # nothing to sync
    finally:
        for db in (apart, full, memory):
            db.close()


def test_a_sync_and_a_checkpoint_put_what_was_committed_into_the_database_file(tmp_path: Path):
    db = connect(tmp_path / "bot.db", sync_apart=True)
    try:
        durability = Durability(db)
        before = durability.written()
        with transaction(db):
            db.execute("CREATE TABLE answers (value TEXT)")
            db.execute("INSERT INTO answers VALUES ('yes')")
        assert durability.written() > before
        durability.sync()
        durability.checkpoint()
        # The database file alone, without its log, now holds the answer.
        shutil.copy(tmp_path / "bot.db", tmp_path / "copy.db")
        with contextlib.closing(sqlite3.connect(tmp_path / "copy.db")) as copy:
            assert copy.execute("SELECT value FROM answers").fetchall() == [("yes",)]
    finally:
        db.close()


class Disk:
    """A stand-in for a connection's syncs: counts them, and can hold one until let go."""

    apart = True

    def __init__(self) -> None:
        self.mark = 0
        self.syncs: list[int] = []  # the mark each sync began at
        self.checkpoints = 0
        self.hold: threading.Event | None = None
        self.failing = False

    def written(self) -> int:
        return self.mark

    def sync(self) -> None:
        self.syncs.append(self.mark)
        hold, self.hold = self.hold, None
        if hold is not None:
            assert hold.wait(10)
        if self.failing:
            raise StorageFailed("That could not be saved.")

    def checkpoint(self) -> None:
        self.checkpoints += 1


async def test_a_later_commit_does_not_wait_for_a_slow_sync_begun_before_it():
    disk = Disk()
    durable = Durable(disk)
    slow_disk = threading.Event()
    disk.mark, disk.hold = 1, slow_disk
    first = asyncio.create_task(durable.settle())
    await asyncio.sleep(0.05)
    disk.mark = 2  # another chat commits while the first sync is held
    await asyncio.wait_for(durable.settle(), 2)
    assert not first.done()
    slow_disk.set()
    await asyncio.wait_for(first, 2)
    assert disk.syncs == [1, 2]
    await durable.close()


async def test_commits_made_before_a_sync_share_it_and_nothing_new_needs_none():
    disk = Disk()
    durable = Durable(disk)
    disk.mark = 5  # several chats committed
    await asyncio.gather(*(durable.settle() for _ in range(10)))
    await durable.settle()
    assert disk.syncs == [5]
    await durable.close()


async def test_a_failed_sync_is_said_and_the_next_one_tried_again():
    disk = Disk()
    durable = Durable(disk)
    disk.mark, disk.failing = 1, True
    with pytest.raises(SoteriaError):
        await durable.settle()
    disk.failing = False
    await durable.settle()
    assert disk.syncs == [1, 1]
    await durable.close()


async def test_the_log_is_checkpointed_apart_once_enough_is_written():
    disk = Disk()
    durable = Durable(disk)
    for mark in range(1, 3 * CHECKPOINT_EVERY, 250):
        disk.mark = mark
        await durable.settle()
        await asyncio.sleep(0.01)  # the checkpoint runs on the pool
    await durable.close()
    assert disk.checkpoints == 2  # every CHECKPOINT_EVERY rows


async def test_a_checkpoint_overtaken_by_a_commit_is_followed_by_another():
    disk = Disk()
    durable = Durable(disk)
    begun = threading.Event()
    carry_on = threading.Event()

    def checkpoint() -> None:
        disk.checkpoints += 1
        if disk.checkpoints == 1:
            begun.set()
            assert carry_on.wait(10)

    disk.checkpoint = checkpoint  # type: ignore[method-assign]
    disk.mark = CHECKPOINT_EVERY
    await durable.settle()
    assert await asyncio.to_thread(begun.wait, 10)
    disk.mark += 1  # an officer's answer lands while the log is being copied
    carry_on.set()
    for _ in range(100):
        await asyncio.sleep(0.01)
        if disk.checkpoints == 2:
            break
    await asyncio.sleep(0.05)
    await durable.close()
    assert disk.checkpoints == 2  # one more, and no more once nothing overtook it


def test_under_steady_answers_the_log_starts_again_rather_than_grows(tmp_path: Path):
    async def answer_steadily() -> int:
        db = connect(tmp_path / "bot.db", sync_apart=True)
        durable = Durable(Durability(db))
        with transaction(db):
            db.execute("CREATE TABLE answers (value TEXT)")
        largest = 0
        for _ in range(4000):
            with transaction(db):
                db.execute("INSERT INTO answers VALUES (?)", ["y" * 200])
            await durable.settle()  # as before each reply
            await asyncio.sleep(0.002)  # the bot waits on Telegram between answers
            largest = max(largest, (tmp_path / "bot.db-wal").stat().st_size)
        await durable.close()
        db.close()
        return largest

    largest = asyncio.run(answer_steadily())
    # Each answer's commit adds at least a page to the log: 4,000 of them, 16 MB, never started
    # again. Checkpoints every CHECKPOINT_EVERY rows, caught up, hold it near 4 MB.
    assert largest < 8 * 1024 * 1024, f"the log grew to {largest // 1024} KB"


class Bot:
    """Records what is sent, in order with the syncs."""

    def __init__(self, events: list[tuple[str, int]], durability: Durability) -> None:
        self.events = events
        self.durability = durability

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        self.events.append(("sent", self.durability.written()))


class Recording(Durability):
    def __init__(self, db: Any, events: list[tuple[str, int]]) -> None:
        super().__init__(db)
        self.events = events
        self.read = 0

    def written(self) -> int:
        self.read = super().written()
        return self.read

    def sync(self) -> None:
        super().sync()
        self.events.append(("synced", self.read))


@contextlib.contextmanager
def answered_on_its_own_sync(tmp_path: Path) -> Iterator[tuple[Delivery, Recording, int]]:
    """The bot's delivery over a connection that syncs apart, its syncs recorded, and one
    answer committed but not yet synced: (delivery, its recorded syncs, the answer's mark)."""
    db = connect(tmp_path / "soteria.db", sync_apart=True)
    try:
        ctx = make_app(db, load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR))
        durability = Recording(db, [])
        delivery = Delivery(Dialogue(ctx, tmp_path), durable=Durable(durability))
        with transaction(db):
            db.execute("CREATE TABLE answers (value TEXT)")
            db.execute("INSERT INTO answers VALUES ('yes')")
        yield delivery, durability, durability.written()
    finally:
        db.close()


async def test_a_reply_is_sent_only_after_a_sync_of_what_it_acknowledges(tmp_path: Path):
    with answered_on_its_own_sync(tmp_path) as (delivery, durability, committed):
        events = durability.events
        await delivery.send(Work([Reply("Recorded.")]), Bot(events, durability), 1)  # type: ignore[arg-type]
        await delivery.durable.close()
    assert events == [("synced", committed), ("sent", committed)]


class Query:
    """A button press: records its callback answer, in order with the syncs."""

    def __init__(self, events: list[tuple[str, int]], durability: Any) -> None:
        self.events = events
        self.durability = durability
        self.answers: list[str | None] = []

    async def answer(self, text: str | None = None, **_: Any) -> None:
        self.answers.append(text)
        self.events.append(("answered", self.durability.written()))


async def test_a_press_is_answered_only_after_a_sync_of_what_it_recorded(tmp_path: Path):
    """A toast acknowledges an answer as much as a reply does: it waits for the same sync."""
    with answered_on_its_own_sync(tmp_path) as (delivery, durability, committed):
        events = durability.events
        query = Query(events, durability)
        tap = Tap(query, delivery.durable)  # type: ignore[arg-type]
        work = Work([note("Recorded.")], tap=tap)
        await delivery.send(work, Bot(events, durability), 1)  # type: ignore[arg-type]
        await tap.answer()  # as handling ends: answered once already
        await delivery.durable.close()
    assert events == [("synced", committed), ("answered", committed)]
    assert query.answers == ["Recorded."]


async def test_a_press_whose_sync_failed_is_not_acknowledged():
    disk = Disk()
    disk.mark, disk.failing = 1, True
    query = Query([], disk)
    tap = Tap(query, Durable(disk))  # type: ignore[arg-type]
    await tap.answer("Recorded.")
    assert query.answers == ["That could not be saved."]
    silent = Query([], disk)
    await Tap(silent, Durable(disk)).answer()  # type: ignore[arg-type]
    assert silent.answers == [None]  # the spinner stops; nothing is claimed


def test_a_signed_checkpoint_syncs_the_log_before_it_vouches_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The bot commits without syncing: a checkpoint read from another connection could see
    records a power cut would still take back, so it syncs the log before it signs."""
    bot = connect(tmp_path / "soteria.db", sync_apart=True)
    synced: list[str] = []
    real = durability_module._sync_file
    monkeypatch.setattr(
        durability_module, "_sync_file", lambda handle: (synced.append("sync"), real(handle))
    )
    try:
        with transaction(bot):
            bot.execute("CREATE TABLE answers (value TEXT)")
        reader = connect(tmp_path / "soteria.db")
        try:
            checkpoints.write(reader, tmp_path / "checkpoints", tmp_path / "key.pem", NOW)
        finally:
            reader.close()
    finally:
        bot.close()
    assert synced == ["sync"]
