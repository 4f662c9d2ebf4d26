"""End-to-end throughput and reply latency of `soteria-bot run` beside a bare python-telegram-bot floor."""

# Run from the repository root:
#   .venv/bin/python bench/e2e_throughput.py [--clients 10,50,200] [--repeat 3]
#       [--warmup 5] [--window 20] [--send-rate 0|30] [--wait relay|long-poll]
#       [--count-calls] [--py-spy DIR] [--keep-logs DIR] [--blocked 10] [--notices 30]
#
# Each measurement starts a fresh telegram-test-api emulator (it keeps every message and slows
# as history grows), then either the real bot (`python -m bot run` on a fresh database, N
# investigators enrolled through invites) or the floor, bench/echo_bot.py. N simulated users
# enrol and open a first case (not measured), then interact in a closed loop for the warm-up
# and the window: act, wait for what the bot shows next, act again. Ours and the floor take
# turns within each repeat, so a busy spell on the shared machine hits both.
#
# What counts: answer taps, presses that answer a question (answerCallbackQuery, editMessageText
# and sendMessage in both bots). Latency runs from the press call's return to the user seeing
# the next question. A case also takes two texts, a menu press and two ticks; the floor's users
# play the same sequence (CASE_PLAN), and the report shows both mixes and the calls per answer.
#
# Both bots reach the emulator through a relay on 127.0.0.1 (bench/startup.py's ApiRelay). It
# counts their Bot API calls, and tells a simulated user when the bot has written to its chat;
# the user then reads the chat through the emulator's client API. Waiting with the client API's
# own long poll (--wait long-poll) wakes every waiting user on every message the bot sends to
# anyone: with 50 or 200 users that herd, not the bot, sets the pace.

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # so `bot` and `tests.e2e` import when run as a script

from startup import ApiRelay  # noqa: E402  (bench/ is on the path: this script's folder)

from bot.core.channels import Identity  # noqa: E402
from bot.store.db import connect, transaction, utc_text  # noqa: E402
from bot.store.users import UserRepository  # noqa: E402
from tests.e2e.emulator import BotMessage, Client, Emulator  # noqa: E402

#: Seconds a simulated user waits for a reply before it counts as lost.
REPLY_TIMEOUT = 60.0
#: The chat ids of officers who blocked the bot (the simulated users' start at 10,001).
BLOCKED_CHATS = 20_001
#: The kinds of interaction a case takes in soteria-bot when every question gets its first
#: answer in the bad-character playbook (16 answers, two of them multi-choice items ticked
#: once before Done). The floor plays the same sequence, so both do the same mix of calls.
CASE_PLAN = ("text", "text", "menu") + ("answer",) * 12 + ("tick", "answer") * 2 + ("answer",) * 2
PROBLEM = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b")


@dataclass
class Tally:
    """What one measurement of one bot saw inside its window."""

    window: float
    latencies: list[float] = field(default_factory=list)  # answer taps, in seconds
    kinds: Counter[str] = field(default_factory=Counter)  # interactions completed, by kind
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used, by process
    api: Counter[str] = field(default_factory=Counter)  # Bot API calls made, by method
    lost: int = 0  # users who could not start, or waited in vain for a reply
    refused: int = 0  # sends the blocked officers' chats refused (ours: once each is right)
    problems: int = 0  # error lines the bot logged before the window's end
    errors: list[str] = field(default_factory=list)  # what went wrong, to print

    @property
    def throughput(self) -> float:
        """Answer taps completed per second."""
        return len(self.latencies) / self.window

    def percentile(self, share: float) -> float:
        """The answer latency below which `share` of the answers fall."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


class Window:
    """The measuring window after the warm-up; only interactions that end inside it count."""

    def __init__(self, tally: Tally) -> None:
        self.start = self.end = float("inf")  # nothing counts until begin()
        self.tally = tally
        self.calls: list[tuple[float, str]] = []  # (time, kind) of each interaction begun

    def begin(self, warmup: float, length: float) -> None:
        """Start the warm-up now; the window follows it."""
        self.start = time.monotonic() + warmup
        self.end = self.start + length

    def record(self, kind: str, began: float, latency: float) -> None:
        """Count an interaction that ended inside the window."""
        done = began + latency
        if self.start <= done <= self.end:
            self.tally.kinds[kind] += 1
            if kind == "answer":
                self.tally.latencies.append(latency)

    @property
    def over(self) -> bool:
        """Whether the window has ended."""
        return time.monotonic() > self.end


class User(Client):
    """A simulated user who reads the chat when told the bot wrote to it, or by long poll."""

    def __init__(self, *args: Any, long_poll: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.long_poll = long_poll
        self.news = asyncio.Event()  # set by the relay when the bot's call on this chat is done

    async def changed(self) -> list[BotMessage]:
        """Bot messages new or edited since the last look (possibly none, after a late signal)."""
        if self.long_poll:
            return await self.replies(1, within=REPLY_TIMEOUT)
        await asyncio.wait_for(self.news.wait(), REPLY_TIMEOUT)
        # Cleared before reading: news that comes while the read is on its way is kept.
        self.news.clear()
        result = await self._call("/botMessages", {"chatId": self.chat_id, "after": self._version})
        self._version = result["version"]
        return [BotMessage.from_api(message) for message in result["messages"]]


class Investigator:
    """One simulated user: acts, then waits for what the bot shows next, and times the wait."""

    def __init__(self, client: User, window: Window, number: int) -> None:
        self.client = client
        self.window = window
        self.number = number
        self.newest = 0  # the id of the newest bot message seen in this chat
        self.question: BotMessage | None = None  # the latest question, to answer next
        self.case = 0  # cases opened
        self.step = 0  # the floor's place in CASE_PLAN

    async def act(
        self, kind: str, action: Awaitable[Any], wait: Callable[[], Awaitable[BotMessage]]
    ) -> BotMessage:
        """Do one interaction; its latency runs from the action's return to the reply seen."""
        self.window.calls.append((time.monotonic(), kind))
        await action
        began = time.monotonic()
        reply = await wait()
        self.window.record(kind, began, time.monotonic() - began)
        return reply

    def new_message(self, *, keyboard: bool) -> Callable[[], Awaitable[BotMessage]]:
        """A wait for a bot message newer than any seen (one with buttons, if `keyboard`)."""

        async def wait() -> BotMessage:
            while True:
                for message in await self.client.changed():
                    if message.message_id > self.newest and (message.keyboard or not keyboard):
                        self.newest = message.message_id
                        return message

        return wait

    def edit_of(self, message_id: int) -> Callable[[], Awaitable[BotMessage]]:
        """A wait for message `message_id` to change in place."""

        async def wait() -> BotMessage:
            while True:
                for message in await self.client.changed():
                    if message.message_id == message_id:
                        return message

        return wait

    def press(self, message: BotMessage, data: str | None) -> Awaitable[Any]:
        """Press the button with callback `data` on `message`."""
        # By data and message id: the client then skips listing the whole chat to find the
        # button, which would grow with history and load the emulator for nothing.
        assert data is not None
        return self.client.press(data=data, message_id=message.message_id)


async def ours(person: Investigator) -> str:
    """One interaction of an investigator working through bad-character cases; returns its kind."""
    question = person.question
    if question is None or "Submit" in question.labels:
        # A run ends in review: open the next case and pick the playbook.
        person.case += 1
        await person.act("text", person.client.command("/new"), person.new_message(keyboard=False))
        menu = await person.act(
            "text",
            person.client.send(f"43/{person.number:03d}{person.case:03d}/26"),
            person.new_message(keyboard=True),
        )
        pick = next(d for row in menu.keyboard for label, d in row if "Bad character" in label)
        kind, action, wait = "menu", person.press(menu, pick), person.new_message(keyboard=True)
    elif "Why?" in question.text:  # never with first answers; here should the playbook change
        kind = "reason"
        action = person.press(question, question.keyboard[0][0][1])
        wait = person.new_message(keyboard=True)
    elif "Done" in question.labels and not question.labels[0].startswith("✓"):
        kind = "tick"
        action = person.press(question, question.keyboard[0][0][1])
        wait = person.edit_of(question.message_id)
    elif "Done" in question.labels:
        kind = "answer"
        action = person.press(question, question.data_for("Done"))
        wait = person.new_message(keyboard=True)
    elif "Type the date" in question.text:
        kind, action, wait = "date", person.client.send("today"), person.new_message(keyboard=True)
    else:
        kind = "answer"
        action = person.press(question, question.keyboard[0][0][1])
        wait = person.new_message(keyboard=True)
    person.question = await person.act(kind, action, wait)
    return kind


async def floor(person: Investigator) -> str:
    """One interaction of an echo bot user playing soteria-bot's sequence; returns its kind."""
    kind = CASE_PLAN[person.step % len(CASE_PLAN)]
    person.step += 1
    question = person.question
    if kind == "text":
        action, wait = person.client.send("43/00001/26"), person.new_message(keyboard=True)
    elif kind == "tick":
        assert question is not None
        action = person.press(question, question.data_for("Tick"))
        wait = person.edit_of(question.message_id)
    else:
        assert question is not None
        action = person.press(question, question.keyboard[0][0][1])
        wait = person.new_message(keyboard=True)
    person.question = await person.act(kind, action, wait)
    return kind


Step = Callable[[Investigator], Awaitable[str]]


async def start(person: Investigator, step: Step, code: str) -> None:
    """Enrol (or say hello to the echo bot) and open the first case: none of it measured."""
    await person.client.command(f"/start {code}" if code else "/start")
    while not await person.client.changed():
        pass
    while await step(person) != "menu":
        pass


async def play(person: Investigator, step: Step) -> None:
    """Interact until the window is over."""
    while not person.window.over:
        await step(person)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Setup:
    """One measurement's settings."""

    which: str  # "ours" or "floor"
    clients: int
    warmup: float
    window: float
    send_rate: float
    long_poll: bool = False
    count_calls: bool = False
    py_spy: Path | None = None
    keep_log: Path | None = None
    #: People who blocked the bot, each with notices waiting for them (ours only).
    blocked: int = 0
    notices: int = 0


async def measure(setup: Setup) -> tuple[Tally, list[tuple[float, str]], list[tuple[float, str]]]:
    """One bot, its own emulator and N users for one window; also every Bot API call if asked."""
    tally = Tally(setup.window)
    api_calls: list[tuple[float, str]] = []
    users: dict[int, User] = {}
    window: Window | None = None

    def on_request(path: str, _at: float) -> None:
        method = path.rsplit("/", 1)[-1]
        now = time.monotonic()
        if setup.count_calls:
            api_calls.append((now, method))
        if window is not None and window.start <= now <= window.end:
            tally.api[method] += 1

    def on_response(body: bytes) -> None:
        # A sent or edited message comes back with its chat: that chat's user has news.
        try:
            result = json.loads(body).get("result")
        except (ValueError, AttributeError):
            return
        if isinstance(result, dict) and "chat" in result:
            user = users.get(result["chat"]["id"])
            if user is not None:
                user.news.set()

    with Emulator() as emulator, tempfile.TemporaryDirectory() as folder:
        port = int(emulator.url.rsplit(":", 1)[1])
        relay = await ApiRelay(port, on_request, on_response).start()
        base_url = relay.bot_api_base_url
        db_path = Path(folder) / "soteria.db"
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_BASE_URL": base_url,
            "SOTERIA_DB": str(db_path),
            "SOTERIA_PLAYBOOKS": str(REPO / "playbooks"),
            "SOTERIA_LOG_LEVEL": "WARNING",
            "SOTERIA_CASE_KEY": "crime-reference",  # simulated officers type crime references
            "SOTERIA_SEND_RATE": f"{setup.send_rate:g}",
            # Simulated users tap non-stop: a per-person limit, where the bot has one, is off.
            "SOTERIA_PERSON_RATE": "0",
            "NO_PROXY": "127.0.0.1",  # only 127.0.0.1 is ever a network target
        }
        codes: list[str] = []
        if setup.which == "ours":
            db = connect(db_path)  # creates and migrates the database the bot will open
            now = datetime.now(UTC)
            repository = UserRepository(db)
            codes = [
                repository.create_invite("investigator", "north", now)
                for _ in range(setup.clients)
            ]
            blocked_chats = blocked_officers(db, setup.blocked, setup.notices, now)
            db.close()
            for chat_id in blocked_chats:
                emulator.block(chat_id)
            command = [sys.executable, "-m", "bot", "run"]
        else:
            command = [sys.executable, str(REPO / "bench" / "echo_bot.py")]
        # Made before the bot starts: each builds its own TLS context, a few milliseconds of
        # blocking work apiece, and 200 of them would stall the relay under the bot's getMe.
        clients = [
            User(
                emulator.url,
                emulator.token,
                user_id=10_001 + n,
                first_name=f"Officer {n}",
                long_poll=setup.long_poll,
            )
            for n in range(setup.clients)
        ]
        users.update((client.chat_id, client) for client in clients)
        log_path = Path(folder) / "bot.log"
        with log_path.open("w") as log:
            process = await asyncio.create_subprocess_exec(
                *command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        try:
            # Not measured: each investigator redeems an invite (each echo user says hello) and
            # opens a first case, so both bots are up and every user is answering questions
            # before the warm-up begins.
            window = Window(tally)
            step = ours if setup.which == "ours" else floor
            people = [
                Investigator(client, window, number) for number, client in enumerate(clients)
            ]
            started = await asyncio.gather(
                *(
                    start(person, step, code)
                    for person, code in zip(people, codes or [""] * len(people), strict=True)
                ),
                return_exceptions=True,
            )
            failed = [outcome for outcome in started if isinstance(outcome, BaseException)]
            if failed:
                tally.lost += len(failed)
                tally.errors.append(f"{len(failed)} users could not start: {failed[0]!r}")
            window.begin(setup.warmup, setup.window)
            tasks = [
                asyncio.ensure_future(play(person, step))
                for person, outcome in zip(people, started, strict=True)
                if not isinstance(outcome, BaseException)
            ]
            watcher = asyncio.ensure_future(
                watch_cpu(window, tally, process.pid, emulator, setup.py_spy)
            )
            # At the window's end whatever is still under way no longer counts: stop it.
            if tasks:
                await asyncio.wait(tasks, timeout=max(0.0, window.end - time.monotonic()))
            for task in tasks:
                if task.done() and task.exception() is not None:
                    tally.lost += 1
                    tally.errors.append(f"user: {task.exception()!r}")
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await watcher
            calls = window.calls
            tally.refused = sum(emulator.refusals().values())
            window_end = time.time() - (time.monotonic() - window.end)
        finally:
            for client in clients:
                await client.aclose()
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
            await relay.close()
        lines = log_path.read_text().splitlines()
        if setup.keep_log is not None:
            setup.keep_log.write_text("\n".join(lines) + "\n")
        # A traceback's lines have no time of their own: they take their record's.
        stamps = list(itertools.accumulate(map(log_time, lines), lambda last, at: at or last))
        problems = [index for index, line in enumerate(lines) if PROBLEM.search(line)]
        # Problems after the window are the bot being stopped mid-call under load: not counted.
        tally.problems = sum(1 for index in problems if stamps[index] <= window_end)
        if problems:
            # The first problem with what follows it (a traceback, usually) tells most.
            first = problems[0]
            when = "after" if stamps[first] > window_end else "before"
            tally.errors.append(
                f"bot logged {len(problems)} problem lines; the first, {when} the window's end:"
            )
            tally.errors.extend(f"bot: {line}" for line in lines[first : first + 12])
    return tally, calls, api_calls


def blocked_officers(
    db: sqlite_utils.Database, count: int, notices: int, now: datetime
) -> list[int]:
    """Enrol `count` officers who then blocked the bot, with `notices` urgent notices waiting for
    each (the red team's H1); their chat ids, for the emulator to refuse."""
    repository = UserRepository(db)
    chats = []
    for number in range(count):
        chat_id = BLOCKED_CHATS + number
        code = repository.create_invite("supervisor", "north", now)
        user = repository.redeem_invite(
            code, Identity("telegram", str(chat_id)), f"Blocked {number}", now
        )
        with transaction(db):
            for note in range(notices):
                db.execute(
                    "INSERT INTO notices (user_id, kind, text, urgent, created_at)"
                    " VALUES (?, 'note', ?, 1, ?)",
                    [user.id, f"A note for you, number {note}.", utc_text(now)],
                )
        chats.append(chat_id)
    return chats


def log_time(line: str) -> float:
    """The time a log line was written, from its asctime prefix (0 if it has none)."""
    try:
        return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").astimezone().timestamp()
    except ValueError:
        return 0.0


async def watch_cpu(
    window: Window, tally: Tally, bot_pid: int, emulator: Emulator, py_spy: Path | None
) -> None:
    """Note each process's CPU time at the window's start and end; profile the bot in it if asked."""
    node_pid = emulator._process.pid if emulator._process is not None else None
    pids = {"bot": bot_pid, "emulator": node_pid, "users": os.getpid()}
    await asyncio.sleep(max(0.0, window.start - time.monotonic()))
    before = {name: cpu_seconds(pid) for name, pid in pids.items() if pid is not None}
    spy = None
    if py_spy is not None:
        spy = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(bot_pid),
            "--duration",
            f"{int(window.end - window.start)}",
            "--rate",
            "250",
            "--format",
            "raw",
            "--output",
            str(py_spy),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    await asyncio.sleep(max(0.0, window.end - time.monotonic()))
    for name, pid in pids.items():
        if pid is not None:
            tally.cpu[name] = cpu_seconds(pid) - before[name]
    if spy is not None:
        await spy.wait()


def attribute(calls: list[tuple[float, str]], api_calls: list[tuple[float, str]]) -> None:
    """Print the Bot API calls per interaction kind, each call put to the interaction before it."""
    calls = sorted(calls)
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for at, method in api_calls:
        if method in ("getUpdates", "getMe", "deleteWebhook", "setMyCommands"):
            continue
        earlier = [kind for began, kind in calls if began <= at]
        if earlier:
            per_kind[earlier[-1]][method] += 1
    seen = Counter(kind for _, kind in calls)
    for kind in sorted(per_kind):
        methods = ", ".join(
            f"{method} {count / seen[kind]:.2f}"
            for method, count in sorted(per_kind[kind].items())
        )
        print(f"    {kind:<7} ({seen[kind]:>3} of them): {methods}")


#: Frames that put a sample in a part of the work: under a Bot API call, or under a handler.
BOT_API = "Bot._post ("
HANDLERS = ("TelegramFace.on_update (", "on_press (", "on_tick (", "on_text (")
# Frames every sample of `soteria-bot run` passes through on its way to the event loop.
ENTRY = ("bot/__main__.py", "bot/cli/__init__.py", "bot/adapters/telegram/app.py")


def summarise_profile(path: Path, answers: int) -> None:
    """Print where a bot's CPU went in the window, from py-spy's raw (collapsed) samples."""
    parts: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        frames = stack.split(";")
        if any(BOT_API in frame for frame in frames):
            parts["Bot API calls (python-telegram-bot, httpx, httpcore)"] += samples
            continue
        if not any(frame.startswith(HANDLERS) for frame in frames):
            parts["fetching and dispatching updates, event loop"] += samples
            continue
        parts["handler, less its Bot API calls"] += samples
        leaves[frames[-1]] += samples
        # Inclusive samples of each of our functions, once per sample however deep.
        named = {re.sub(r":\d+\)$", ")", frame) for frame in frames}
        for name in named:
            if "(bot/" in name and not any(entry in name for entry in ENTRY):
                ours[name] += samples
    print(f"    profile {path.name}: {total} samples at 250 Hz, {answers} answers in the window")
    for part, samples in parts.most_common():
        print(f"      {samples / total:6.1%}  {part}")
    if ours:
        print("      in the handler, less its Bot API calls: our functions, inclusive (top 12)")
        for name, samples in ours.most_common(12):
            print(f"      {samples / total:6.1%}  {name}")
        print("      in the handler, less its Bot API calls: innermost lines (top 8)")
        for name, samples in leaves.most_common(8):
            print(f"      {samples / total:6.1%}  {name}")


def spread(values: list[float], digits: int = 1) -> str:
    """Median and range, as `median (low-high)`."""
    return (
        f"{statistics.median(values):.{digits}f} "
        f"({min(values):.{digits}f}–{max(values):.{digits}f})"
    )


def report(clients: int, results: dict[str, list[Tally]]) -> None:
    """Print one N's table: each repeat, then medians and ranges of the ratios."""
    print(f"\nN = {clients} simulated investigators")
    print(
        f"  {'repeat':>6} | {'ours taps/s':>11} | {'floor taps/s':>12} | {'ours p50':>8} | "
        f"{'ours p99':>8} | {'floor p50':>9} | {'floor p99':>9} | {'thr ratio':>9} | "
        f"{'p99 ratio':>9} | {'bot CPU ms/tap ours, floor':>26} | lost users, bot errors; "
        "sends the blocked refused"
    )
    thr, p99, cpu = [], [], []
    for index, (mine, base) in enumerate(zip(results["ours"], results["floor"], strict=True)):
        thr.append(mine.throughput / base.throughput if base.throughput else 0.0)
        p99.append(mine.percentile(0.99) / base.percentile(0.99) if base.latencies else 0.0)
        ours_cpu = cpu_per_tap(mine)
        floor_cpu = cpu_per_tap(base)
        cpu.append(ours_cpu / floor_cpu if floor_cpu else 0.0)
        print(
            f"  {index + 1:>6} | {mine.throughput:>11.1f} | {base.throughput:>12.1f} | "
            f"{mine.percentile(0.5) * 1e3:>6.0f}ms | {mine.percentile(0.99) * 1e3:>6.0f}ms | "
            f"{base.percentile(0.5) * 1e3:>7.0f}ms | {base.percentile(0.99) * 1e3:>7.0f}ms | "
            f"{thr[-1]:>9.2f} | {p99[-1]:>9.2f} | {ours_cpu:>12.2f}, {floor_cpu:>11.2f} | "
            f"{mine.lost}, {mine.problems}; {base.lost}, {base.problems}; refused {mine.refused}"
        )
    mine, base = results["ours"], results["floor"]
    print(
        f"  median (range) over {len(mine)} repeats: ours {spread([t.throughput for t in mine])}"
        f" taps/s, floor {spread([t.throughput for t in base])} taps/s"
    )
    print(
        f"    p50 ms: ours {spread([t.percentile(0.5) * 1e3 for t in mine], 0)}, floor "
        f"{spread([t.percentile(0.5) * 1e3 for t in base], 0)}; p99 ms: ours "
        f"{spread([t.percentile(0.99) * 1e3 for t in mine], 0)}, floor "
        f"{spread([t.percentile(0.99) * 1e3 for t in base], 0)}"
    )
    print(
        f"    throughput ours ÷ floor {spread(thr, 2)} (target ≥ 0.95); "
        f"p99 ours ÷ floor {spread(p99, 2)} (target ≤ 1.2); bot CPU per tap ours ÷ floor "
        f"{spread(cpu, 2)}"
    )
    for name in ("ours", "floor"):
        tallies = results[name]
        shares = {
            process: statistics.median(t.cpu.get(process, 0) / t.window for t in tallies)
            for process in ("bot", "emulator", "users")
        }
        kinds = sum((t.kinds for t in tallies), Counter())
        answers = kinds["answer"] or 1
        mix = ", ".join(f"{kind} {count / answers:.2f}" for kind, count in sorted(kinds.items()))
        api = sum((t.api for t in tallies), Counter())
        calls = ", ".join(
            f"{method} {count / answers:.2f}"
            for method, count in sorted(api.items())
            if method != "getUpdates"
        )
        print(
            f"    {name}: cores busy (median) bot {shares['bot']:.2f}, emulator "
            f"{shares['emulator']:.2f}, users and relay {shares['users']:.2f}"
        )
        print(f"      interactions per answer: {mix}")
        print(
            f"      Bot API calls per answer: {calls}; getUpdates {api['getUpdates'] / answers:.2f}"
        )
        for tally in tallies:
            for error in tally.errors[:14]:
                print(f"    {name} error: {error}")


def cpu_per_tap(tally: Tally) -> float:
    """The bot's CPU milliseconds per answer tap (every interaction's work, put on the answers)."""
    return tally.cpu.get("bot", 0) * 1e3 / len(tally.latencies) if tally.latencies else 0.0


async def main_async(args: argparse.Namespace) -> None:
    """Count calls, or measure each N in turn and print its table."""
    counts = [int(part) for part in args.clients.split(",")]
    if args.count_calls:
        for which in ("ours", "floor"):
            setup = Setup(
                which, 1, 1.0, args.window, args.send_rate, args.wait == "long-poll", True
            )
            tally, calls, api_calls = await measure(setup)
            print(f"  {which}: Bot API calls per interaction (one user, {args.window:g} s)")
            attribute(calls, api_calls)
            for error in tally.errors:
                print(f"    error: {error}")
        return
    for clients in counts:
        results: dict[str, list[Tally]] = {"ours": [], "floor": []}
        for repeat in range(args.repeat):
            # Alternate which goes first, so a drift in the machine's load evens out.
            order = ("ours", "floor") if repeat % 2 == 0 else ("floor", "ours")
            for which in order:
                spy = None
                if args.py_spy is not None:
                    args.py_spy.mkdir(parents=True, exist_ok=True)
                    spy = args.py_spy / f"{which}-{clients}-{repeat + 1}.txt"
                log = None
                if args.keep_logs is not None:
                    args.keep_logs.mkdir(parents=True, exist_ok=True)
                    log = args.keep_logs / f"{which}-{clients}-{repeat + 1}.log"
                setup = Setup(
                    which,
                    clients,
                    args.warmup,
                    args.window,
                    args.send_rate,
                    long_poll=args.wait == "long-poll",
                    py_spy=spy,
                    keep_log=log,
                    blocked=args.blocked,
                    notices=args.notices,
                )
                tally, _, _ = await measure(setup)
                results[which].append(tally)
                if spy is not None and spy.exists():
                    summarise_profile(spy, len(tally.latencies))
                print(
                    f"  N={clients} repeat {repeat + 1} {which}: {tally.throughput:.1f} taps/s, "
                    f"p50 {tally.percentile(0.5) * 1e3:.0f} ms, p99 "
                    f"{tally.percentile(0.99) * 1e3:.0f} ms, lost users {tally.lost}, bot errors "
                    f"{tally.problems}",
                    flush=True,
                )
        report(clients, results)


def main() -> None:
    """Read the options, print the machine and the settings, and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", default="10,50,200", help="numbers of simulated users")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--window", type=float, default=20.0, help="seconds measured")
    parser.add_argument(
        "--send-rate",
        type=float,
        default=0.0,
        help="messages a second for both bots' AIORateLimiter (30 as deployed; 0 for none)",
    )
    parser.add_argument(
        "--wait",
        choices=("relay", "long-poll"),
        default="relay",
        help="how users learn of replies: the relay's signal, or the client API's long poll",
    )
    parser.add_argument(
        "--count-calls",
        action="store_true",
        help="only count each bot's Bot API calls per interaction, with one user",
    )
    parser.add_argument(
        "--py-spy",
        type=Path,
        help="profile each bot in each window into this folder, and summarise (figures then "
        "include py-spy's own cost)",
    )
    parser.add_argument("--keep-logs", type=Path, help="keep each bot's log in this folder")
    parser.add_argument(
        "--blocked",
        type=int,
        default=10,
        help="officers who blocked the bot, present in our run (each refuses every send)",
    )
    parser.add_argument(
        "--notices", type=int, default=30, help="notices waiting for each officer who blocked it"
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )
    print(
        f"settings: warm-up {args.warmup:g} s, window {args.window:g} s, "
        f"{args.repeat} repeats, send rate {args.send_rate:g}/s (0: no rate limiter), "
        f"users wait by {args.wait}; ours with {args.blocked} officers who blocked the bot, "
        f"{args.notices} notices waiting for each"
    )
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
