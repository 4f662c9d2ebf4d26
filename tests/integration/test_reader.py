"""Slow team-wide reads are answered on their own thread while the bot keeps taking taps."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from bot.adapters.telegram.reader import Reader
from bot.conversation.commands import is_slow_read
from bot.conversation.dialogue import Dialogue
from bot.services import access, investigating
from bot.store.db import connect

from ..apps import make_app
from .oversight_world import World, make_world


@pytest.fixture(name="world")
def _world(tmp_path: Path) -> World:
    world = make_world(tmp_path)
    for number, who in enumerate(("Casey", "Robin", "Sol")):
        run_id = world.open(who, f"43/1000{number}/26")
        item = access.run(world.service, world.people[who], run_id).current()
        assert item is not None
        investigating.answer(world.service, world.people[who], run_id, item.id, "no")
    return world


def reader_for(world: World, threads: list[str], db_path: Path) -> Reader:
    """A reader whose dialogue opens its own connection to the world's database, on its thread."""
    main = world.service

    def make() -> Dialogue:
        threads.append(threading.current_thread().name)
        service = make_app(connect(db_path), main.catalog.files, world.clock)
        return Dialogue(service)

    return Reader(make)


@pytest.mark.parametrize("text", ["/team", "/TEAM@soteria_bot", " /insights", "/signoff"])
def test_team_wide_reads_are_the_slow_ones(text: str):
    """The commands that replay a whole team or force are the ones sent to the reader."""
    assert is_slow_read(text)


@pytest.mark.parametrize("text", ["/new", "/resume", "/case 43/10000/26", "Yes", "", "/teams"])
def test_everything_else_stays_in_the_loop(text: str):
    """Answers, single cases and anything that records are not sent to the reader."""
    assert not is_slow_read(text)


async def test_the_team_view_from_the_reader_is_the_same_and_the_loop_keeps_going(
    world: World, tmp_path: Path
):
    """A supervisor's /team reads the same from the reader, and other work runs meanwhile."""
    threads: list[str] = []
    reader = reader_for(world, threads, tmp_path / "state" / "soteria.db")
    sam = world.people["Sam"]
    ticks = 0

    async def other_people() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    others = asyncio.create_task(other_people())
    try:
        replies = await reader.handle(sam, "/team")
    finally:
        others.cancel()
        reader.close()
    assert [r.text for r in replies] == [
        r.text for r in Dialogue(world.service).handle(sam, "/team")
    ]
    assert "43/10000/26" in replies[0].text
    assert "43/10002/26" not in replies[0].text  # South's case stays with South
    assert ticks > 0  # the loop was free while the reader worked
    assert threads == ["soteria-reader_0"]  # made once, on the reader's own thread


async def test_the_reader_sees_what_the_bot_wrote_after_it_opened(world: World, tmp_path: Path):
    """An answer given after the reader's first use shows in its next /team."""
    reader = reader_for(world, [], tmp_path / "state" / "soteria.db")
    sam, casey = world.people["Sam"], world.people["Casey"]
    try:
        before = await reader.handle(sam, "/team")
        world.open("Casey", "43/10009/26")
        after = await reader.handle(sam, "/team")
    finally:
        reader.close()
    assert "43/10009/26" not in before[0].text
    assert "43/10009/26" in after[0].text
    assert casey.name in after[0].text


async def test_an_export_for_a_purpose_is_made_on_the_reader_and_kept_in_the_access_log(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The export's button is a slow read too: made on the reader's thread, and recorded."""
    monkeypatch.chdir(tmp_path)  # the reader's dialogue writes reports under ./state/reports
    from bot.conversation.actions import ExportFor, is_slow_press
    from bot.services import consultation

    threads: list[str] = []
    reader = reader_for(world, threads, tmp_path / "state" / "soteria.db")
    sam = world.people["Sam"]
    data = ExportFor(2).encode()
    assert is_slow_press(data)
    try:
        replies = await reader.press(sam, data)
    finally:
        reader.close()

    assert replies[0].document is not None
    assert threads == ["soteria-reader_0"]
    (kept,) = consultation.history(world.service)
    assert (kept.access.action, kept.access.purpose) == ("export", "disclosure")
