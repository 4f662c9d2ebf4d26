"""A disk slow to make one officer's answer durable holds up that officer alone: everyone else is
answered meanwhile, and the officer is told only once the answer is on disk."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .bot_process import BotProcess
from .emulator import Client, Emulator
from .test_telegram_bot import enrol, moved_on_from, open_case, person, settle

pytestmark = pytest.mark.e2e

#: How long the disk takes to make one answer durable, once.
SLOW_SYNC = 3.0
#: Another officer's answer, pressed while that sync goes on, is acknowledged within this long.
ANSWERED_WITHIN = 1.0


@pytest.fixture(name="bot")
def _bot(emulator: Emulator, tmp_path: Path) -> Iterator[BotProcess]:
    token = emulator.new_token()
    process = BotProcess(emulator.bot_api_base_url, token, tmp_path / "soteria.db")
    process.token = token  # type: ignore[attr-defined]
    process.command = ["-m", "tests.e2e.slow_disk", "run"]
    process.env["SOTERIA_TEST_SLOW_SYNC"] = str(tmp_path / "slow-sync")
    process.start()
    yield process
    process.stop()
    assert not process.problems(), process.log


async def acknowledged(client: Client, pressed_at: float) -> float:
    """Seconds from a press of Yes on the latest question until the next question is shown."""
    question = (await client.messages())[-1]
    await client.press("Yes", message_id=question.message_id)
    await settle(client, moved_on_from(question), within=SLOW_SYNC * 3)
    return time.monotonic() - pressed_at


async def test_a_slow_sync_of_one_answer_holds_up_no_other_officer(
    emulator: Emulator, bot: BotProcess
):
    """One answer takes the disk 3 s to make durable: another officer pressing meanwhile is answered within 1 s."""
    trigger = Path(bot.env["SOTERIA_TEST_SLOW_SYNC"])
    async with person(emulator, bot, "Ana") as ana, person(emulator, bot, "Ben") as ben:
        for client, ref in ((ana, "43/11111/26"), (ben, "43/22222/26")):
            await enrol(client, bot)
            await open_case(client, ref)
        await asyncio.to_thread(trigger.write_text, f"{SLOW_SYNC}")
        slow = asyncio.create_task(acknowledged(ana, time.monotonic()))
        await asyncio.sleep(0.5)  # Ana's answer is on its way to the disk
        quick = await acknowledged(ben, time.monotonic())
        slow_took = await slow
    assert not await asyncio.to_thread(trigger.exists), "the disk was never slow: no answer"
    assert quick < ANSWERED_WITHIN, f"Ben waited {quick:.2f} s behind Ana's sync"
    # Ana is told only once her answer is on disk: the durability promise, kept.
    assert slow_took >= SLOW_SYNC, f"Ana was answered after {slow_took:.2f} s"
