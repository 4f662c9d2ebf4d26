"""Fifty investigators answering at once: every answer logged exactly once, and every reply sent.

It takes a minute or two because the bot keeps to Telegram's own limits (python-telegram-bot's
AIORateLimiter: about 30 messages a second in all, one a second to each chat), as it must in
production; the emulator would take far more.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import log
from bot.store.db import connect

from ..apps import create_invite
from ..conftest import REPO
from .bot_process import BotProcess
from .emulator import BotMessage, Client, Emulator

pytestmark = pytest.mark.e2e

INVESTIGATORS = 50
ANSWERS_EACH = 20


async def next_question(client: Client, after: int) -> BotMessage:
    """Wait for a question (a message with buttons) newer than message `after`."""
    while True:
        for message in reversed(await client.replies(1, within=60)):
            if message.message_id > after and message.keyboard:
                return message


async def investigator(client: Client, code: str, number: int) -> int:
    """Enrol, then answer until ANSWERS_EACH answers are in, opening cases as runs finish."""
    await client.command(f"/start {code}")
    await client.replies(1, within=60)
    given, case, question = 0, 0, None
    while given < ANSWERS_EACH:
        if question is None or "Submit" in question.labels:
            case += 1
            await client.command("/new")
            await client.replies(1, within=60)
            await client.send(f"43/{number:03d}{case:02d}/26")
            menu = await next_question(client, 0 if question is None else question.message_id)
            await client.press(next(label for label in menu.labels if "Bad character" in label))
            question = await next_question(client, menu.message_id)
        if "Why?" in question.text:
            await client.press(question.keyboard[0][0][0])  # the first preset reason
        elif "Done" in question.labels:
            await client.press(data=question.keyboard[0][0][1], message_id=question.message_id)
            await client.replies(1, within=60)  # the box is ticked in the same message
            await client.press("Done")
            given += 1
        elif "Type the date" in question.text:
            await client.send("today")
            given += 1
        else:
            await client.press(question.keyboard[0][0][0])
            given += 1
        question = await next_question(client, question.message_id)
    return given


@pytest.mark.slow
async def test_fifty_investigators_at_once_lose_nothing_and_record_nothing_twice(
    emulator: Emulator, tmp_path: Path
):
    """50 investigators, 20 answers each over HTTP: each in the log once, the log verifies, every press answered."""
    token = emulator.new_token()
    db_path = tmp_path / "soteria.db"
    db = connect(db_path)
    now = datetime.now(UTC)
    codes = [create_invite(db, "investigator", "north", now) for _ in range(INVESTIGATORS)]
    db.close()
    bot = BotProcess(emulator.bot_api_base_url, token, db_path).start()
    clients = [emulator.client(f"Officer {n}", token=token) for n in range(INVESTIGATORS)]
    try:
        given = await asyncio.wait_for(
            asyncio.gather(
                *(
                    investigator(c, code, n)
                    for n, (c, code) in enumerate(zip(clients, codes, strict=True))
                )
            ),
            timeout=300,
        )
    finally:
        for client in clients:
            await client.aclose()
        bot.stop()
    assert not bot.problems(), bot.log
    assert given == [ANSWERS_EACH] * INVESTIGATORS
    db = connect(db_path)
    entries = [e.entry for e in log.entries(db)]
    answered = Counter(e.actor for e in entries if e.kind == "answered")
    assert sorted(answered.values()) == [ANSWERS_EACH] * INVESTIGATORS
    # Exactly once: no run holds two answers to one item (nothing here is ever corrected).
    per_item = Counter((e.run_id, e.item) for e in entries if e.kind == "answered")
    assert max(per_item.values()) == 1
    assert log.verify(db).ok
    db.close()
    verified = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "verify"],
        cwd=REPO,
        env=bot.env,
        capture_output=True,
    )
    assert verified.returncode == 0, verified.stdout
