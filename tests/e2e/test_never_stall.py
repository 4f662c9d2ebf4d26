"""Never stall, never lose a press: what one person, one update or one outage cannot do to the
others. Each test is a finding of the second red-team review (H1, H2, H3, M6, L4, L7), played
over HTTP against the real bot process."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.store.db import connect

from ..apps import create_invite
from ..conftest import REPO
from .bot_process import BotProcess
from .emulator import Client, Emulator
from .test_faults import SECRET, Investigator, old_poll
from .test_telegram_bot import enrol, last_says, settle

pytestmark = pytest.mark.e2e

#: Every other person is answered within this long, whatever one person or update does.
ANSWERED_WITHIN = 2.0
HELP = "Your commands"


@pytest.fixture(name="bot")
def _bot(emulator: Emulator, tmp_path: Path) -> Iterator[BotProcess]:
    token = emulator.new_token()
    process = BotProcess(emulator.bot_api_base_url, token, tmp_path / "soteria.db")
    process.token = token  # type: ignore[attr-defined]
    process.env["SOTERIA_PERSON_RATE"] = "0"  # simulated people tap faster than people can
    process.env["SOTERIA_NOTICE_SECONDS"] = "1"
    process.start()
    yield process
    process.stop()


def person(emulator: Emulator, bot: BotProcess, name: str) -> Client:
    return emulator.client(name, token=bot.token)  # type: ignore[attr-defined]


def message(client: Client, **content: Any) -> dict[str, Any]:
    """A message from `client` as Telegram delivers it, with the content given."""
    return {
        "message": {
            "message_id": 800_000 + client.user_id,
            "from": client.user,
            "chat": client.chat,
            "date": int(time.time()),
            **content,
        }
    }


def help_command(client: Client, message_id: int) -> dict[str, Any]:
    """/help as Telegram delivers it."""
    entity = {"type": "bot_command", "offset": 0, "length": 5}
    update = message(client, text="/help", entities=[entity])
    update["message"]["message_id"] = message_id
    return update


async def helped(client: Client, times: int, within: float) -> float:
    """Seconds until the chat holds `times` answers to /help (a welcome counts); fails past
    `within`."""
    started = time.monotonic()
    await settle(client, lambda m: sum(HELP in x.text for x in m) >= times, within=within)
    return time.monotonic() - started


def inbox_states(db_path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        return dict(db.execute("select state, count(*) from inbox group by state").fetchall())


def troubles(bot: BotProcess) -> list[str]:
    return [line for line in bot.lines if re.search(r"Traceback| ERROR | CRITICAL ", line)]


# H3 ------------------------------------------------------------------------------------------


async def test_an_update_the_library_cannot_read_is_set_aside_and_nobody_waits(
    emulator: Emulator, bot: BotProcess
):
    """H3: an unreadable update from a stranger is kept aside, logged once by id; others are answered."""
    async with person(emulator, bot, "Casey") as casey, person(emulator, bot, "Stray") as stray:
        await enrol(casey, bot)
        poisoned = await stray.inject(old_poll(stray))
        await casey.command("/help")
        assert await helped(casey, 2, ANSWERED_WITHIN) < ANSWERED_WITHIN
        bot.stop()
        bot.start()
        await casey.command("/help")
        await helped(casey, 3, ANSWERED_WITHIN)
    said = [line for line in bot.lines if f"Update {poisoned['update_id']} cannot be read" in line]
    assert len(said) == 1, bot.log
    assert " WARNING " in said[0]
    assert SECRET not in bot.log
    assert not troubles(bot), bot.log
    assert inbox_states(bot.db_path)["unparseable"] == 1


# M6 ------------------------------------------------------------------------------------------


async def test_update_ids_that_start_again_lower_are_each_answered(
    emulator: Emulator, bot: BotProcess
):
    """M6: after ids restart inside the range already seen, every new update is answered."""
    async with person(emulator, bot, "Casey") as casey:
        first = await casey.command(f"/start {invite(bot)}")
        await settle(casey, last_says("Welcome"))
        for _ in range(3):
            await casey.command("/help")
        await settle(casey, lambda m: sum(HELP in x.text for x in m) == 4)
        reused = range(first["update_id"], first["update_id"] + 4)
        for number, update_id in enumerate(reused):
            again = help_command(casey, 700_000 + number)
            await casey.inject({**again, "update_id": update_id})
        await settle(casey, lambda m: sum(HELP in x.text for x in m) == 8)
    assert "delivered again" not in bot.log
    assert not troubles(bot), bot.log


def invite(bot: BotProcess, role: str = "investigator", team: str = "north") -> str:
    made = bot.cli("users", "invite", "--role", role, "--team", team)
    return re.search(r"\b([2-9A-Z]{10})\b", made).group(1)  # type: ignore[union-attr]


# H1 ------------------------------------------------------------------------------------------

BLOCKERS = 10
NOTES = 3


def waiting_notices(db_path: Path, user_ids: list[int]) -> None:
    """Urgent notices for each of these people, as an older release kept them (in words)."""
    db = connect(db_path)
    try:
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        for user_id in user_ids:
            for number in range(NOTES):
                db.execute(
                    "insert into notices (user_id, kind, text, urgent, created_at)"
                    " values (?, 'note', ?, 1, ?)",
                    [user_id, f"A note for you, number {number}.", now],
                )
    finally:
        db.close()


def user_ids(db_path: Path, names: list[str]) -> list[int]:
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        found = dict(db.execute("select name, id from users").fetchall())
    return [found[name] for name in names]


async def test_officers_who_blocked_the_bot_slow_nobody_and_are_tried_once(
    emulator: Emulator, bot: BotProcess
):
    """H1: ten supervisors block the bot with notices waiting: each is tried once, the rest go on."""
    token = bot.token  # type: ignore[attr-defined]
    db = connect(bot.db_path)
    now = datetime.now(UTC)
    codes = {
        "admin": create_invite(db, "admin", "force", now),
        **{f"Sup {n}": create_invite(db, "supervisor", "north", now) for n in range(BLOCKERS)},
    }
    officer_codes = [create_invite(db, "investigator", "north", now) for _ in range(3)]
    db.close()
    clients = {name: emulator.client(name, token=token) for name in codes}
    officers = [
        Investigator(emulator.client(f"Officer {n}", token=token), f"Officer {n}", n, 2.0)
        for n in range(3)
    ]
    stop = asyncio.Event()
    loops: list[asyncio.Task[None]] = []
    try:
        for name, code in codes.items():
            await clients[name].command(f"/start {code}")
            await settle(clients[name], last_says("Welcome"))
        await asyncio.gather(*(o.enrol(c) for o, c in zip(officers, officer_codes, strict=True)))
        blockers = [f"Sup {n}" for n in range(BLOCKERS)]
        for name in blockers:
            emulator.block(clients[name].chat_id, token=token)
        waiting_notices(bot.db_path, user_ids(bot.db_path, blockers))
        loops += [asyncio.create_task(o.keep_answering(stop)) for o in officers]
        await asyncio.sleep(8)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*loops), timeout=30)
        refused = emulator.refusals(token=token)
        admin = await settle(
            clients["admin"],
            lambda m: (
                sum("cannot be reached" in x.text for x in m) >= 1
                and all(any(f"Sup {n} (" in x.text for x in m) for n in range(BLOCKERS))
            ),
        )
        roster = bot.cli("users", "list")
        emulator.block(clients["Sup 0"].chat_id, blocked=False, token=token)
        await clients["Sup 0"].command("/start")
        back = await settle(
            clients["Sup 0"], lambda m: sum("A note for you" in x.text for x in m) >= 1
        )
    finally:
        stop.set()
        for loop in loops:
            loop.cancel()
        for client in [*clients.values(), *(o.client for o in officers)]:
            await client.aclose()
    latencies = sorted(s for o in officers for s in o.acknowledged.values())
    assert len(latencies) >= 30, latencies
    assert latencies[-1] < ANSWERED_WITHIN, latencies[-5:]
    # Each blocked person was tried once, not once per update.
    assert refused == {clients[name].chat_id: 1 for name in blockers}
    told = "\n".join(m.text for m in admin)
    assert all(told.count(f"Sup {n} (") == 1 for n in range(BLOCKERS)), told
    assert roster.count("unreachable") == BLOCKERS, roster
    notes = "\n".join(m.text for m in back)
    assert all(f"number {n}." in notes for n in range(NOTES)), notes
    assert not troubles(bot), bot.log


# L7 ------------------------------------------------------------------------------------------


async def test_an_outage_of_the_bot_api_is_one_warning_and_the_bot_answers_after(
    emulator: Emulator, bot: BotProcess
):
    """L7: an outage while polling is a WARNING line, not tracebacks; the next message is answered."""
    async with person(emulator, bot, "Casey") as casey:
        await enrol(casey, bot)
        emulator.outage(4)
        await asyncio.sleep(4.5)
        await casey.command("/help")
        await helped(casey, 2, 6.0)
    assert not troubles(bot), bot.log
    failed = [line for line in bot.lines if "Polling for updates failed" in line]
    assert len(failed) == 1, bot.log
    assert " WARNING " in failed[0]
    assert sum("answers again" in line for line in bot.lines) == 1, bot.log


# L4 and H2 -----------------------------------------------------------------------------------

UPLOADED = """\
playbook: uploaded-drill
title: A drill sent in the chat
version: 1
sections:
  - id: first
    title: First
    items:
      - id: statement
        ask: Statement taken?
        type: yes-no
"""


def document(client: Client, name: str, file: dict[str, Any]) -> dict[str, Any]:
    """A message carrying a file the emulator keeps, as Telegram delivers it."""
    return message(
        client,
        document={
            "file_id": file["file_id"],
            "file_unique_id": file["file_unique_id"],
            "file_name": name,
            "mime_type": "application/x-yaml",
            "file_size": file["file_size"],
        },
    )


async def test_a_playbook_file_is_fetched_from_the_bots_own_api_server(
    emulator: Emulator, bot: BotProcess
):
    """L4: a trainer's upload is downloaded from TELEGRAM_API_BASE_URL's server and published."""
    async with person(emulator, bot, "Tess") as tess:
        await enrol(tess, bot, "trainer")
        sent = emulator.upload_file("drill.yaml", UPLOADED.encode(), token=tess.token)
        await tess.inject(document(tess, "drill.yaml", sent))
        await settle(tess, last_says("Published uploaded-drill version 1"))
    assert "api.telegram.org" not in bot.log
    assert not troubles(bot), bot.log


def heavy_playbook(limit: int = 250 * 1024) -> str:
    """The largest playbook of the review's H2 shape a 256 KB upload takes: conditional items
    in a chain, each with long guidance."""
    guidance = "Why this matters, in a few sentences a trainer would write. " * 16
    lines = ["playbook: heavy", "title: Heavy", "version: 1", "sections:"]
    lines += ["  - id: only", "    title: Only", "    items:"]
    number = 0
    while len("\n".join(lines)) < limit - 2_000:
        lines += [
            f"      - id: step-{number}",
            f"        ask: Step {number} done?",
            "        type: yes-no",
            f"        guidance: {guidance}",
        ]
        if number:
            lines.append(f"        when: {{step-{number - 1}: yes}}")
        number += 1
    return "\n".join(lines) + "\n"


async def test_a_heavy_upload_is_checked_while_everyone_else_is_answered(
    emulator: Emulator, bot: BotProcess
):
    """H2: while the largest playbook an upload takes is checked, every answer comes within 2 s."""
    token = bot.token  # type: ignore[attr-defined]
    text = heavy_playbook()
    assert 200 * 1024 < len(text.encode()) < 256 * 1024
    officer = Investigator(person(emulator, bot, "Officer 0"), "Officer 0", 0, 2.0)
    stop = asyncio.Event()
    async with person(emulator, bot, "Tess") as tess:
        await enrol(tess, bot, "trainer")
        await officer.enrol(invite(bot))
        answering = asyncio.create_task(officer.keep_answering(stop))
        try:
            await asyncio.sleep(1.0)
            before = len(await tess.messages())
            for _ in range(3):
                sent = emulator.upload_file("heavy.yaml", text.encode(), token=token)
                await tess.inject(document(tess, "heavy.yaml", sent))
            replies = await settle(tess, lambda m: len(m) >= before + 3, within=60)
            await asyncio.sleep(1.0)
        finally:
            stop.set()
            await asyncio.wait_for(answering, timeout=30)
            await officer.client.aclose()
    assert "Published heavy version 1" in replies[before].text, replies[before].text
    latencies = sorted(officer.acknowledged.values())
    assert len(latencies) >= 5, latencies
    assert latencies[-1] < ANSWERED_WITHIN, latencies[-5:]
    assert not troubles(bot), bot.log


# One instance --------------------------------------------------------------------------------


async def test_a_second_bot_on_the_same_database_refuses_to_start_in_one_sentence(
    emulator: Emulator, bot: BotProcess
):
    """Two pollers on one database and token would each keep their own chat state: the second
    refuses, with one sentence and no traceback, and the first goes on answering."""
    second = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "run"],
        cwd=REPO,
        env=bot.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert second.returncode == 1
    assert second.stdout == ""
    assert second.stderr.strip().splitlines() == [
        f"Error: Another `soteria-bot run` is using {bot.db_path}; stop it first, as only one "
        "may run on a database."
    ]
    async with person(emulator, bot, "Casey") as casey:
        await enrol(casey, bot)
