"""Faults while investigators work: the bot killed fifty times under load, updates it cannot read
in the stream, backups taken and the database held open by a reader meanwhile, one press
delivered again and again across a kill, and `verify` run by an administrator while answers are
being written.

Each simulated investigator counts an answer as acknowledged only once the bot's reply proves it
was handled: the pressed question edited into a record, or the run's next question shown. Every
acknowledged answer must then be in the completion log exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from bot.core.playbook import Playbook
from bot.core.records import Entry
from bot.services.inbox import content
from bot.store import log
from bot.store.db import connect, transaction
from bot.store.inbox import digest
from bot.store.playbook_files import load_library
from bot.wording import texts

from ..apps import create_invite
from ..conftest import PLAYBOOKS_DIR, REPO
from .bot_process import BotProcess
from .emulator import BotMessage, Client, Emulator, EmulatorError
from .test_telegram_bot import last_says, settle

pytestmark = pytest.mark.e2e

logger = logging.getLogger(__name__)

PLAYBOOK = "bad-character"
#: (run id, item number in the playbook), as a question's buttons name them.
Asks = tuple[int, int]
#: Buttons that belong to a question's own message, and those that answer it.
QUESTION_KINDS = frozenset({"a", "t", "m", "md", "r", "l", "g"})
ANSWER_KINDS = frozenset({"a", "t", "md"})
#: Texts that wait for the investigator to type or command something.
PROMPTS = ("Send the crime reference", "Nothing is waiting", "Use /new to open a case")

#: 50 in CI; a longer soak sets SOTERIA_SOAK_KILLS (and SOTERIA_SOAK_SEED for other moments).
KILLS = int(os.environ.get("SOTERIA_SOAK_KILLS") or 50)
SEED = int(os.environ.get("SOTERIA_SOAK_SEED") or 20_260_608)
INVESTIGATORS = 5
#: A reader holds the database this long; answers meanwhile must be acknowledged this quickly.
HOLD = 5.0
ACK_WITHIN = 2.0
#: Times an administrator runs `verify` while the officers answer, on a log this long.
VERIFY_RUNS = 4
HISTORY = 20_000


@cache
def playbook() -> Playbook:
    """The playbook the investigators work through, read as the bot reads it."""
    return load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR).playbook(PLAYBOOK)


def asked_by(message: BotMessage) -> Asks | None:
    """The run and item a question message asks about, read from its buttons."""
    for data in message.callback_data:
        kind, *rest = (data or "").split(":")
        if kind in QUESTION_KINDS and len(rest) >= 2:
            return int(rest[0]), int(rest[1])
    return None


def shown(message: BotMessage) -> tuple[int, str, object]:
    """What the user sees of a message: its id, text and buttons."""
    return message.message_id, message.text, message.keyboard


@dataclass
class Investigator:
    """One officer answering in a closed loop, who keeps going whether the bot is up or not."""

    client: Client
    name: str
    number: int
    #: How long to wait for the bot to react before looking again and pressing what is live.
    patience: float = 2.0
    chat: dict[int, BotMessage] = field(default_factory=dict)
    asks: dict[int, Asks] = field(default_factory=dict)  # message id -> what it asked
    #: Answers pressed: (first press time, id of the message pressed).
    pressed: dict[Asks, tuple[float, int]] = field(default_factory=dict)
    #: Answers acknowledged: seconds from the first press to the reply that proved it.
    acknowledged: dict[Asks, float] = field(default_factory=dict)
    repeated: int = 0  # presses of an answer pressed before, whose reply did not come in time
    cases: int = 0
    #: Every update this officer sent, as the Bot API hands it to the bot.
    sent: list[dict[str, Any]] = field(default_factory=list)

    @property
    def latest(self) -> BotMessage | None:
        return self.chat[max(self.chat)] if self.chat else None

    async def enrol(self, code: str) -> None:
        self.sent.append(await self.client.command(f"/start {code}"))
        while not any("Welcome" in m.text for m in self.chat.values()):
            if not await self.look(30):
                raise AssertionError(f"{self.name} was never welcomed")

    async def look(self, within: float) -> bool:
        """Take in what changed in the chat within `within` seconds; False when nothing did."""
        try:
            changed = await self.client.replies(1, within=within)
        except TimeoutError:
            return False
        now = time.monotonic()
        for message in changed:
            self.chat[message.message_id] = message
            if (asks := asked_by(message)) is not None:
                self.asks[message.message_id] = asks
        waiting = [asks for asks in self.pressed if asks not in self.acknowledged]
        for message in changed:
            for asks in waiting:
                if self._proves(message, asks):
                    self.acknowledged[asks] = now - self.pressed[asks][0]
        return True

    def _proves(self, message: BotMessage, asks: Asks) -> bool:
        """The message proves the answer was handled: it is now its record, or asks what is next."""
        if self.asks.get(message.message_id) == asks and not message.keyboard:
            record = message.text.splitlines()[-1]
            return re.search(rf" · {re.escape(self.name)}(,|$)", record) is not None
        now_asks = asked_by(message)
        return (
            now_asks is not None
            and now_asks[0] == asks[0]
            and now_asks[1] != asks[1]
            and message.message_id > self.pressed[asks][1]
        )

    async def keep_answering(self, stop: asyncio.Event) -> None:
        """Answer whatever is asked until `stop`; then wait (once) for the last press's reply."""
        while not stop.is_set():
            acted_on = self.latest
            await self.act(acted_on)
            await self.settle(acted_on)

    async def settle(self, acted_on: BotMessage | None) -> None:
        """Wait until the bot shows something new to act on, or until patience runs out."""
        deadline = time.monotonic() + self.patience
        while (left := deadline - time.monotonic()) > 0:
            await self.look(left)
            latest = self.latest
            if latest is None or (acted_on is not None and shown(latest) == shown(acted_on)):
                continue
            if latest.keyboard or any(prompt in latest.text for prompt in PROMPTS):
                return

    async def act(self, latest: BotMessage | None) -> None:
        """Do what an officer would do next, given the newest message in the chat."""
        data = [d for d in latest.callback_data if d] if latest else []
        kinds = {d.split(":")[0] for d in data}
        if latest is not None and kinds & {"a", "t", "m", "md", "r"}:
            await self.answer(latest, data, kinds)
        elif f"pb:{PLAYBOOK}" in data:
            assert latest is not None
            self.sent.append(
                await self.client.press(data=f"pb:{PLAYBOOK}", message_id=latest.message_id)
            )
        elif latest is not None and "Send the crime reference" in latest.text:
            self.cases += 1
            self.sent.append(await self.client.send(f"43/{self.number:02d}{self.cases:03d}/26"))
        elif "s" in kinds or (
            latest is not None and ("Nothing is" in latest.text or "Use /new" in latest.text)
        ):
            # Submit on screen: the run is complete (or there is none): open a new case.
            self.sent.append(await self.client.command("/new"))
        else:
            self.sent.append(await self.client.command("/resume"))  # where was I?

    async def answer(self, question: BotMessage, data: list[str], kinds: set[str]) -> None:
        """Answer the question the way that needs no reason: Yes, the first option, today."""
        if "r" in kinds:
            choice = next(d for d in data if d.startswith("r:"))
        elif "md" in kinds:
            ticked = any(label.startswith("✓ ") for label in question.labels)
            choice = next(d for d in data if d.startswith("md:" if ticked else "m:"))
        elif "t" in kinds:
            choice = next(d for d in data if d.startswith("t:") and d.endswith(":today"))
        else:
            choice = next(d for d in data if d.startswith("a:"))
        kind, run, item, *_ = choice.split(":")
        first_press = False
        if kind in ANSWER_KINDS:
            asks = (int(run), int(item))
            if asks in self.pressed:
                self.repeated += 1
            else:
                self.pressed[asks] = (time.monotonic(), question.message_id)
                first_press = True
        try:
            self.sent.append(await self.client.press(data=choice, message_id=question.message_id))
        except EmulatorError as error:
            if "button not found" not in str(error):
                raise
            # The bot took these buttons away as the officer pressed (a newer message holds
            # the live ones): Telegram sends no such press, so nothing was asked of the bot.
            if first_press:
                del self.pressed[asks]

    def acknowledged_items(self) -> set[tuple[int, str]]:
        """Acknowledged answers as the log names them: (run id, item id)."""
        items = playbook().items
        return {(run, items[number].id) for run, number in self.acknowledged}


def answered_counts(db_path: Path) -> Counter[tuple[int, str]]:
    """How many `answered` records each (run, item) has, read from the live file, read-only."""
    return read_log(db_path)[0]


def read_log(db_path: Path) -> tuple[Counter[tuple[int, str]], log.Verdict]:
    """The `answered` records per (run, item), and the chain checked, in one read transaction
    on the live file, read-only: one snapshot, whatever the bot writes meanwhile."""
    uri = f"file:{db_path}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=10)) as conn:
        conn.isolation_level = None
        conn.execute("BEGIN")
        rows = conn.execute(
            "select run_id, item, count(*) from log where kind = 'answered' group by run_id, item"
        ).fetchall()
        verdict = log.verify(sqlite_utils.Database(conn))
        conn.execute("COMMIT")
    return Counter({(run, item): count for run, item, count in rows}), verdict


def recorded_once(db_path: Path, investigators: list[Investigator], when: str) -> int:
    """Assert every acknowledged answer is in the log once, nothing is answered twice, and the
    chain holds."""
    acknowledged = set().union(*(i.acknowledged_items() for i in investigators))
    counts, verdict = read_log(db_path)
    assert verdict.ok, f"{when}: {verdict.message}"
    twice = {key: count for key, count in counts.items() if count > 1}
    lost = sorted(acknowledged - set(counts))
    assert not twice, f"{when}: answered more than once: {twice}"
    assert not lost, f"{when}: acknowledged but not in the log: {lost}"
    return len(acknowledged)


def inbox_rows(db_path: Path) -> Counter[tuple[str, str, str]]:
    """(update id, content digest, state) of every update the bot kept, counted."""
    uri = f"file:{db_path}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=10)) as conn:
        rows = conn.execute("select external_id, digest, state from inbox").fetchall()
    return Counter((str(update_id), str(found), state) for update_id, found, state in rows)


def kept_once(update: dict[str, Any]) -> tuple[str, str, str]:
    """The inbox row an update sent must end up as: handled, once."""
    return (str(update["update_id"]), digest(content(update)), "handled")


async def every_press_handled_once(
    db_path: Path, officers: list[Investigator], within: float = 15.0
) -> tuple[int, Counter[tuple[str, str, str]]]:
    """Wait until every update the officers sent is kept and handled; then how many were sent,
    and the inbox rows (asserted: each sent update once, handled)."""
    sent = [kept_once(update) for o in officers for update in o.sent]
    deadline = time.monotonic() + within
    while True:
        rows = await asyncio.to_thread(inbox_rows, db_path)
        missing = [row for row in sent if rows[row] != 1]
        if not missing or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    found = {row: count for row, count in rows.items() if row[0] in {m[0] for m in missing}}
    assert not missing, (
        f"{len(missing)} of {len(sent)} presses not handled once: {missing[:5]}; kept: {found}"
    )
    return len(sent), rows


def cli(bot: BotProcess, *args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` as an administrator would, on the bot's database or `db`."""
    env = dict(bot.env) if db is None else {**bot.env, "SOTERIA_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def new_database(db_path: Path, investigators: int, ballast_mb: int = 0) -> list[str]:
    """A database with enrolment codes (and, if asked, megabytes of ballast); returns the codes."""
    if ballast_mb:
        # Written before the schema, without a journal: quick to make, and a backup must copy it.
        with contextlib.closing(sqlite3.connect(db_path)) as raw:
            raw.execute("PRAGMA journal_mode = OFF")
            raw.execute("PRAGMA synchronous = OFF")
            raw.execute("CREATE TABLE ballast (b BLOB)")
            raw.executemany("INSERT INTO ballast VALUES (zeroblob(?))", [(1 << 20,)] * ballast_mb)
            raw.commit()
    db = connect(db_path)
    now = datetime.now(UTC)
    codes = [create_invite(db, "investigator", "north", now) for _ in range(investigators)]
    db.close()
    return codes


def earlier_history(db_path: Path, records: int) -> None:
    """Records from months before, chained as the bot chains them, so walking the log takes as
    long as it does on a force's log (here, a few tenths of a second)."""
    db = connect(db_path)
    first = datetime.now(UTC) - timedelta(days=180)
    try:
        with transaction(db):
            log.append(
                db,
                [
                    Entry("case-opened", f"43/{n:05d}/25", "user:1", first + timedelta(minutes=n))
                    for n in range(records)
                ],
            )
    finally:
        db.close()


async def team(
    emulator: Emulator, token: str, codes: list[str], patience: float
) -> list[Investigator]:
    """Enrolled investigators, each with a client of their own."""
    officers = [
        Investigator(emulator.client(f"Officer {n}", token=token), f"Officer {n}", n, patience)
        for n in range(len(codes))
    ]
    await asyncio.gather(*(o.enrol(code) for o, code in zip(officers, codes, strict=True)))
    return officers


def problems(lines: list[str]) -> list[str]:
    """Log lines that show a crash: tracebacks and errors."""
    return [line for line in lines if "Traceback" in line or " ERROR " in line]


async def logged(bot: BotProcess, words: str, times: int, within: float = 10.0) -> None:
    """Wait until the bot has logged `words` `times` times (in all its lives so far)."""
    deadline = time.monotonic() + within
    while sum(words in line for line in list(bot.lines)) < times:
        if time.monotonic() > deadline:
            raise AssertionError(f"never logged {times} times: {words}\n{bot.log}")
        await asyncio.sleep(0.05)


def everything_said(officers: list[Investigator]) -> list[str]:
    return [m.text for o in officers for m in o.chat.values()]


async def wind_down(
    stop: asyncio.Event,
    loops: list[asyncio.Task[None]],
    officers: list[Investigator],
    bot: BotProcess,
) -> None:
    """Stop the officers' loops, close their clients, and stop the bot."""
    stop.set()
    for loop in loops:
        loop.cancel()
    await asyncio.gather(*loops, return_exceptions=True)
    for officer in officers:
        await officer.client.aclose()
    bot.stop()


def tireless_bot(emulator: Emulator, token: str, db_path: Path) -> BotProcess:
    """The bot, with no pace per person: these officers tap far faster than people can.

    The pace itself is tested in test_throttle.py; here it would only slow the load down.
    """
    bot = BotProcess(emulator.bot_api_base_url, token, db_path)
    bot.env["SOTERIA_PERSON_RATE"] = "0"
    return bot


#: A question only the sender of a poisoned update typed: it must never reach the log.
SECRET = "a question only the stranger typed"
POISONED = 5


def old_poll(client: Client) -> dict[str, Any]:
    """A message with a poll in the Bot API's shape before 9.6 (options without
    persistent_id), which python-telegram-bot 22.8 cannot read."""
    return {
        "message": {
            "message_id": 800_000 + client.user_id,
            "from": client.user,
            "chat": client.chat,
            "date": int(time.time()),
            "poll": {
                "id": "5",
                "question": SECRET,
                "options": [{"text": "yes", "voter_count": 0}, {"text": "no", "voter_count": 0}],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            },
        }
    }


@pytest.mark.slow
async def test_fifty_kills_under_load_lose_no_acknowledged_answer_and_record_none_twice(
    emulator: Emulator, tmp_path: Path
):
    """Killed 50 times while 5 officers answer: each acknowledged answer is kept once, the log verifies."""
    token = emulator.new_token()
    db_path = tmp_path / "soteria.db"
    codes = new_database(db_path, INVESTIGATORS)
    bot = tireless_bot(emulator, token, db_path)
    bot.lines = deque()  # every line of every life, not just the latest 400
    bot.start()
    rng = random.Random(SEED)
    officers: list[Investigator] = []
    lives: list[list[str]] = []
    checked: list[int] = []
    kills: list[float] = []
    restarts: list[float] = []
    stop = asyncio.Event()

    async def kill_and_restart() -> None:
        for kill in range(1, KILLS + 1):
            await asyncio.sleep(rng.uniform(0.2, 1.5))
            bot.kill()
            kills.append(time.monotonic())
            lives.append(list(bot.lines))
            bot.lines.clear()
            await asyncio.to_thread(bot.start)
            restarts.append(time.monotonic() - kills[-1])
            checked.append(recorded_once(db_path, officers, f"after restart {kill}"))
        await asyncio.sleep(1.0)
        stop.set()

    started = time.monotonic()
    loops: list[asyncio.Task[None]] = []
    try:
        officers += await team(emulator, token, codes, patience=2.0)
        loops += [asyncio.create_task(o.keep_answering(stop)) for o in officers]
        await asyncio.wait_for(kill_and_restart(), timeout=4 * KILLS)
        await asyncio.wait_for(asyncio.gather(*loops), timeout=30)
        presses, rows = await every_press_handled_once(db_path, officers)
    finally:
        await wind_down(stop, loops, officers, bot)
        lives.append(list(bot.lines))
    elapsed = time.monotonic() - started
    total = recorded_once(db_path, officers, "at the end")
    waiting = sum(count for (_, _, state), count in rows.items() if state != "handled")
    # Answers pressed before a kill and acknowledged only after the restart that followed.
    in_flight = sum(
        any(pressed <= kill <= pressed + seconds for kill in kills)
        for o in officers
        for asks, seconds in o.acknowledged.items()
        for pressed in [o.pressed[asks][0]]
    )
    logger.info(
        "%d kills in %.0fs (restarts took %.1f s on average, at most %.1f s): %d answers "
        "acknowledged (%s each), %d of them across a kill; %d updates sent, each kept and "
        "handled once (%d rows not handled); %d repeated presses, %d updates delivered again "
        "and ignored, %d cases",
        KILLS,
        elapsed,
        sum(restarts) / len(restarts),
        max(restarts),
        total,
        [len(o.acknowledged) for o in officers],
        in_flight,
        presses,
        waiting,
        sum(o.repeated for o in officers),
        sum("delivered again; ignored" in line for life in lives for line in life),
        sum(o.cases for o in officers),
    )
    assert waiting == 0, rows
    assert len(checked) == KILLS
    # Enough work went on between the kills for them to mean something: with 50 kills, at
    # least 100 answers, 10 of them across a kill.
    assert total >= 2 * KILLS, total
    assert in_flight >= KILLS // 5, in_flight
    assert all(len(o.acknowledged) >= KILLS // 5 for o in officers), [
        len(o.acknowledged) for o in officers
    ]
    said = everything_said(officers)
    assert not [text for text in said if "Traceback" in text or 'File "' in text]
    assert texts.SOMETHING_WENT_WRONG not in said
    assert not problems([line for life in lives for line in life]), "\n".join(
        problems([line for life in lives for line in life])
    )
    verified = await asyncio.to_thread(cli, bot, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


async def test_updates_the_library_cannot_read_hold_no_answer_up(
    emulator: Emulator, tmp_path: Path
):
    """Five unreadable updates among 5 officers' answers: each kept aside, every answer acknowledged within 2 s."""
    token = emulator.new_token()
    db_path = tmp_path / "soteria.db"
    codes = new_database(db_path, INVESTIGATORS)
    bot = tireless_bot(emulator, token, db_path)
    bot.start()
    officers: list[Investigator] = []
    poisoned: list[dict[str, Any]] = []
    stop = asyncio.Event()

    async def poison() -> None:
        async with emulator.client("Stray", token=token) as stray:
            for _ in range(POISONED):
                await asyncio.sleep(1.0)
                poisoned.append(await stray.inject(old_poll(stray)))
        await asyncio.sleep(1.5)
        stop.set()

    loops: list[asyncio.Task[None]] = []
    try:
        officers += await team(emulator, token, codes, patience=2.0)
        loops += [asyncio.create_task(o.keep_answering(stop)) for o in officers]
        await asyncio.wait_for(poison(), timeout=60)
        await asyncio.wait_for(asyncio.gather(*loops), timeout=30)
        presses, rows = await every_press_handled_once(db_path, officers)
    finally:
        await wind_down(stop, loops, officers, bot)
    latencies = sorted(s for o in officers for s in o.acknowledged.values())
    logger.info(
        "%d unreadable updates among %d presses: %d answers acknowledged, slowest %.2f s",
        POISONED,
        presses,
        len(latencies),
        latencies[-1],
    )
    assert len(latencies) >= 25, latencies
    assert latencies[-1] < ACK_WITHIN, latencies[-5:]
    aside = {(update_id, state) for (update_id, _, state) in rows if state == "unparseable"}
    assert aside == {(str(update["update_id"]), "unparseable") for update in poisoned}
    warned = [line for line in bot.lines if "cannot be read by python-telegram-bot" in line]
    assert len(warned) == POISONED, bot.log
    assert SECRET not in bot.log
    assert not bot.problems(), bot.log
    recorded_once(db_path, officers, "after the unreadable updates")


async def test_backups_and_a_long_reader_hold_no_answer_up(emulator: Emulator, tmp_path: Path):
    """Backups and a reader holding the database 5 s: every answer meanwhile acknowledged within 2 s, kept once."""
    token = emulator.new_token()
    db_path = tmp_path / "soteria.db"
    codes = new_database(db_path, 3, ballast_mb=96)
    bot = tireless_bot(emulator, token, db_path)
    bot.start()
    officers: list[Investigator] = []
    stop = asyncio.Event()
    backups: list[tuple[float, float, Path]] = []
    held: list[tuple[float, float]] = []
    snapshot: list[int] = []

    def hold_the_database(seconds: float) -> None:
        # What a long backup does to the bot: a read transaction open on one snapshot.
        with contextlib.closing(sqlite3.connect(db_path, isolation_level=None)) as reader:
            reader.execute("BEGIN")
            begun = time.monotonic()
            snapshot.append(reader.execute("SELECT max(seq) FROM log").fetchone()[0])
            time.sleep(seconds)
            snapshot.append(reader.execute("SELECT max(seq) FROM log").fetchone()[0])
            reader.execute("COMMIT")
            held.append((begun, time.monotonic()))

    async def meanwhile() -> None:
        await asyncio.sleep(1.0)
        for n in range(3):
            copy = tmp_path / f"backup-{n}.db"
            begun = time.monotonic()
            made = await asyncio.to_thread(cli, bot, "backup", str(copy), "--purpose", "audit")
            assert made.returncode == 0, made.stdout + made.stderr
            backups.append((begun, time.monotonic(), copy))
            await asyncio.sleep(0.3)
        await asyncio.to_thread(hold_the_database, HOLD)
        await asyncio.sleep(0.5)
        stop.set()

    loops: list[asyncio.Task[None]] = []
    try:
        officers += await team(emulator, token, codes, patience=HOLD + 1)
        loops += [asyncio.create_task(o.keep_answering(stop)) for o in officers]
        await asyncio.wait_for(meanwhile(), timeout=90)
        await asyncio.wait_for(asyncio.gather(*loops), timeout=30)
    finally:
        await wind_down(stop, loops, officers, bot)
    assert not bot.problems(), bot.log
    recorded_once(db_path, officers, "after the backups")
    for officer in officers:
        assert set(officer.pressed) == set(officer.acknowledged), officer.name
        assert officer.repeated == 0, officer.name
    during = {
        what: [
            seconds
            for o in officers
            for asks, seconds in o.acknowledged.items()
            if any(begun <= o.pressed[asks][0] <= ended for begun, ended, *_ in windows)
        ]
        for what, windows in (("backups", backups), ("hold", held))
    }
    latencies = [s for o in officers for s in o.acknowledged.values()]
    logger.info(
        "backups took %s s; %d answers during them, %d during the %.0f s hold; slowest reply %.2f s",
        [round(ended - begun, 2) for begun, ended, _ in backups],
        len(during["backups"]),
        len(during["hold"]),
        HOLD,
        max(latencies),
    )
    assert len(during["backups"]) >= 3, during
    assert len(during["hold"]) >= 5, during
    assert max(latencies) < ACK_WITHIN, sorted(latencies)[-5:]
    # The reader really kept one snapshot while the bot went on writing past it.
    assert snapshot[0] == snapshot[1], snapshot
    live = connect(db_path)
    try:
        assert live.execute("SELECT max(seq) FROM log").fetchone()[0] > snapshot[1]
        for _begun, _ended, copy in backups:
            verified = cli(bot, "verify", db=copy)
            assert verified.returncode == 0, verified.stdout + verified.stderr
            # The copy is the live log as it stood: the same records, up to its end.
            with contextlib.closing(sqlite3.connect(copy)) as backup:
                seq, digest = backup.execute("SELECT seq, hash FROM log_head").fetchone()
            assert live.execute("SELECT hash FROM log WHERE seq = ?", [seq]).fetchone() == (
                digest,
            )
            copy.unlink()
    finally:
        live.close()
    verified = cli(bot, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


async def test_a_press_repeated_across_kills_is_recorded_and_answered_once(
    emulator: Emulator, tmp_path: Path
):
    """A press made while the bot is down, delivered three times and again after a kill: one answer, one reply."""
    token = emulator.new_token()
    db_path = tmp_path / "soteria.db"
    [code] = new_database(db_path, 1)
    bot = tireless_bot(emulator, token, db_path).start()
    try:
        async with emulator.client("Casey", token=token) as casey:
            await casey.command(f"/start {code}")
            await settle(casey, last_says("Welcome"))
            await casey.command("/new")
            await settle(casey, last_says("crime reference"))
            await casey.send("43/12345/26")
            await settle(casey, lambda m: bool(m[-1].keyboard))
            await casey.press(
                data=f"pb:{PLAYBOOK}", message_id=(await casey.messages())[-1].message_id
            )
            question = (await settle(casey, lambda m: asked_by(m[-1]) is not None))[-1]
            run = asked_by(question)
            bot.kill()
            update = await casey.press("Yes")
            await casey.inject(update)
            await casey.inject(update)
            bot.start()
            chat = await settle(casey, lambda m: m[-1].message_id > question.message_id)
            ignored = f"update {update['update_id']} was delivered again; ignored"
            await logged(bot, ignored, 2)  # the two copies that came in the same batch
            bot.kill()
            bot.start()
            await casey.inject(update)
            await logged(bot, ignored, 3)  # and the one after the restart
            await casey.command("/summary")
            after = await settle(casey, last_says(" · in progress · "))
    finally:
        bot.stop()
    assert not bot.problems(), bot.log
    assert len(after) == len(chat) + 1, [m.text for m in after]  # the summary, nothing more
    record = next(m for m in after if m.message_id == question.message_id)
    assert "✓ Yes · Casey" in record.text
    assert not record.keyboard
    assert " · 1/" in after[-2].text  # the next question, asked once
    assert run is not None
    assert answered_counts(db_path) == Counter({(run[0], "pnc-record"): 1})
    verified = cli(bot, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


async def test_verify_run_while_officers_answer_finds_the_log_intact(
    emulator: Emulator, tmp_path: Path
):
    """`verify` run while 5 officers answer, on a log of months: it finds the log intact every time."""
    token = emulator.new_token()
    db_path = tmp_path / "soteria.db"
    codes = new_database(db_path, INVESTIGATORS)
    earlier_history(db_path, HISTORY)
    bot = tireless_bot(emulator, token, db_path)
    bot.start()
    officers: list[Investigator] = []
    stop = asyncio.Event()
    runs: list[subprocess.CompletedProcess[str]] = []
    loops: list[asyncio.Task[None]] = []
    try:
        officers += await team(emulator, token, codes, patience=2.0)
        loops += [asyncio.create_task(o.keep_answering(stop)) for o in officers]
        await asyncio.sleep(1.0)
        for _ in range(VERIFY_RUNS):
            runs.append(await asyncio.to_thread(cli, bot, "verify"))
        stop.set()
        await asyncio.wait_for(asyncio.gather(*loops), timeout=30)
    finally:
        await wind_down(stop, loops, officers, bot)
    assert not bot.problems(), bot.log
    recorded_once(db_path, officers, "after the verify runs")
    afterwards = cli(bot, "verify")
    assert afterwards.returncode == 0, afterwards.stdout + afterwards.stderr
    said_broken = [run.stdout.strip() for run in runs if run.returncode != 0]
    assert not said_broken, (
        f"{len(said_broken)} of {VERIFY_RUNS} runs called the log broken while officers "
        f"answered, yet with the bot stopped: {afterwards.stdout.strip()!r}: {said_broken}"
    )
