"""One person flooding the bot is slowed down politely, and nobody else notices."""

from __future__ import annotations

import asyncio

import pytest

from bot.wording import texts

from .bot_process import BotProcess
from .emulator import Emulator
from .test_telegram_bot import (  # _bot is the `bot` fixture, shared
    _bot,  # noqa: F401
    answers,
    at_first_question,
    enrol,
    log_verifies,
    moved_on_from,
    person,
    settle,
)

pytestmark = pytest.mark.e2e

FLOOD = 1000
#: The flood is sent faster than 1,000 a minute (about 50 a second) to keep the test short.
FLOOD_PER_SECOND = 50


async def test_a_flood_from_one_person_is_slowed_politely_while_another_answers_as_usual(
    emulator: Emulator, bot: BotProcess
):
    """1,000 messages from Flo get a few replies and a polite sentence; Casey's answers all land."""
    async with person(emulator, bot, "Flo") as flo, person(emulator, bot, "Casey") as casey:
        await enrol(flo, bot)
        question = await at_first_question(casey, bot)

        async def flood() -> float:
            started = asyncio.get_running_loop().time()
            for number in range(FLOOD):
                await flo.send(f"hello {number}")
                await asyncio.sleep(1 / FLOOD_PER_SECOND)
            return asyncio.get_running_loop().time() - started

        async def answer_eight() -> int:
            nonlocal question
            given = 0
            while given < 8:
                await casey.press("Yes" if "Yes" in question.labels else question.labels[0])
                chat = await settle(casey, moved_on_from(question))
                question = chat[-1]
                given += 1
                await asyncio.sleep(0.5)
            return given

        flooding, given = await asyncio.gather(flood(), answer_eight())
        await asyncio.sleep(1.0)  # the last admitted messages are answered
        to_flo = [m.text for m in await flo.messages()][1:]  # after the welcome
        to_casey = [m.text for m in await casey.messages()]

    told = [text for text in to_flo if text == texts.SLOW_DOWN]
    # Told once, then at most once every 30 seconds while it lasts.
    assert 1 <= len(told) <= 1 + int(flooding // 30)
    # A burst of 20, then one a second: far fewer replies than messages.
    assert len(to_flo) - len(told) <= 20 + int(flooding) + 2
    assert texts.SLOW_DOWN not in to_casey
    assert given == 8
    assert len([a for a in answers(bot) if a[2] == "answered"]) == 8
    assert log_verifies(bot)
