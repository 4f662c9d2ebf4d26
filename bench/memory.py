"""Peak memory of the real bot process (`python -m bot run`) with 1,000 runs under way."""

# Run from the repository root:
#   .venv/bin/python bench/memory.py [--runs 1000] [--teams 10] [--investigators-per-team 10]
#       [--repeat 3] [--escalation-seconds 5] [--notice-seconds 5] [--idle 12] [--settle 15]
#       [--db TEMPLATE.db] [--export] [--where]
#
# 1. A fresh database is built through the real use cases (as make_cases.py does, in batched
#    transactions): teams of investigators and a supervisor, enrolled through invites redeemed
#    with Telegram ids, and cases whose runs come to exactly --runs runs under way, on every
#    shipped playbook an investigator works (started by hand or by recording the milestone that
#    starts them). Each run has some answers, some reasons, some items put off until later, and
#    cases opened up to 60 days ago, so many items are overdue and past their escalation point.
# 2. Each repeat copies that database, starts a fresh telegram-test-api emulator and the real
#    bot on it, with the escalation scan and the notices every few seconds, so both go over
#    every open run many times while the bot is watched.
# 3. The bot idles for --idle seconds (start-up, then scans without taps), then every
#    investigator sends /cases, opens each of their runs from its buttons and answers its
#    question (a reason where one is asked, a tick and Done, a typed number or note, "Later"),
#    then /resume and /cases again; each supervisor sends /team, opens a case, and /team again
#    once the investigators are done. Every run under way is opened at least once, more than
#    the 512 the service keeps, and every answer leaves a question message in the bot's memory.
# 4. Then --settle seconds with no taps (scans go on): the steady state.
#
# A thread reads the bot's VmRSS from /proc every 100 ms throughout, and VmHWM (the kernel's
# own high-water mark, which a short spike between samples cannot escape) before it is stopped.
# --export: each supervisor also sends /export (the team's HTML report, with charts).
# --where: what the bot's memory is made of. Imports and the bot's parts (service, escalation
# scan, runs kept, the face's question messages up to its limit, /export) in fresh interpreters,
# by VmRSS; then the same parts by tracemalloc, with the lines that allocate the runs kept.

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import random
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # so `bot` and `tests.e2e` import when run as a script

from bot.bootstrap import context_on  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.conversation import questions  # noqa: E402
from bot.core.channels import Identity  # noqa: E402
from bot.core.lifecycle import UNDER_WAY  # noqa: E402
from bot.core.people import User  # noqa: E402
from bot.core.playbook import Item  # noqa: E402
from bot.services import access, cases, events, investigating  # noqa: E402
from bot.services.context import Context  # noqa: E402
from bot.services.publishing import publish_on_fresh_install  # noqa: E402
from bot.store.db import connect, transaction  # noqa: E402
from bot.store.playbook_files import Library, load_library  # noqa: E402
from bot.store.users import UserRepository  # noqa: E402
from tests.e2e.bot_process import BotProcess  # noqa: E402
from tests.e2e.emulator import BotMessage, Client, Emulator  # noqa: E402

TARGET_MB = 200
#: Seconds a simulated user waits for the bot before giving up on it.
REPLY_TIMEOUT = 180.0
#: Seconds to wait for a message with buttons once a plain one has come (a notice, say).
GRACE = 3.0
SAMPLE_EVERY = 0.1
#: Telegram ids given to the enrolled people: investigators count up from the first.
INVESTIGATOR_IDS = 7_000_001
SUPERVISOR_IDS = 7_900_001
TEAM_NAMES = ("North", "South", "East", "West", "Central", "City", "Coast", "Valley", "Moor", "Vale")  # fmt: skip
#: The kinds of case: (weight, milestone recorded on the case, playbooks started by hand). A
#: recorded milestone starts every playbook that starts on it, as it would in the bot.
KINDS = (
    (30, None, ("initial-report",)),
    (20, None, ("initial-report", "investigation-plan")),
    (10, None, ("investigation-plan",)),
    (12, "suspect-identified", ()),
    (10, "arrest", ()),
    (6, "nfa", ()),
    (12, "interview", ()),
)
LATER_SHARE = 0.08
NO_SHARE = 0.12
#: Cases opened over this many days before now, so that early items are overdue by now.
SPAN_DAYS = 60
CASES_PER_TRANSACTION = 50


# --- answers that leave the number of runs as it is ---------------------------------------------


def starters(library: Library) -> frozenset[str]:
    """Milestones that start a playbook when recorded: an answer setting one adds a run."""
    return frozenset(
        name for entry in library.playbooks for name in entry.playbook.starts if name != "report"
    )


def safe_answer(item: Item, starting: frozenset[str], today: date, rng: random.Random) -> Any:
    """An answer to `item` that starts no other run, or None to put it off until later."""
    # Both the build and the simulated investigators answer with it, so the count of runs under
    # way stays the one asked for: an answer that opens a playbook, or records a milestone that
    # starts one, would add a run.
    opening = {answer for answer, _target in item.opens}
    if item.sets in starting:
        return None
    if item.type in ("yes-no", "yes-no-na", "choice", "multi"):
        usable = [answer for answer in item.answers if answer not in opening]
        if not usable:
            return None
        pick = usable[0]
        if "no" in usable and rng.random() < NO_SHARE:
            pick = "no"  # some need a reason, as in the field
        return {pick} if item.type == "multi" else pick
    if item.type == "date":
        return today + timedelta(days=14) if item.dates == "future" else today
    if item.type == "number":
        value = int(item.min) if item.min is not None else 1
        return min(value, int(item.max)) if item.max is not None else value
    if item.type == "text":
        return "Reviewed with the file"
    return "ok"  # info


# --- the database --------------------------------------------------------------------------------


@dataclass
class Built:
    """What the build made, for the report and for driving the bot."""

    cases: int
    runs: int
    log_records: int
    users: int
    seconds: float


def build(path: Path, runs: int, teams: int, per_team: int, seed: int) -> Built:
    """Create a database at `path` with exactly `runs` runs under way, through the service."""
    started = time.perf_counter()
    library = load_library([REPO / "playbooks"], REPO / "playbooks")
    if library.problems:
        raise SystemExit("\n".join(str(problem) for problem in library.problems))
    rng = random.Random(seed)
    now = [datetime.now(UTC) - timedelta(days=SPAN_DAYS + 1)]
    end = datetime.now(UTC) - timedelta(hours=1)

    def clock() -> datetime:
        return now[0]

    db = connect(path)
    # For the build only: a crash costs a rebuild, so commits need not wait for the disk.
    db.execute("PRAGMA synchronous = OFF")
    service = context_on(db, library, Settings(case_key="crime-reference"), clock=clock)
    publish_on_fresh_install(service)
    starting = starters(library)
    started_by = {
        name: [entry.playbook.id for entry in library.playbooks if name in entry.playbook.starts]
        for name in starting
    }
    sizes = [len(by_hand) + len(started_by.get(name or "", [])) for _w, name, by_hand in KINDS]
    with transaction(db):
        officers = enrol(service, teams, per_team, clock())
    load = dict.fromkeys(range(len(officers)), 0)  # runs each investigator works
    plans: list[tuple[int, int]] = []  # (kind, investigator) per case
    left = runs
    while left:
        fits = [index for index, size in enumerate(sizes) if size <= left]
        kind = rng.choices(fits, [KINDS[index][0] for index in fits])[0]
        # The investigator with the fewest runs, so each has about the same share.
        fewest = min(load.values())
        officer = rng.choice([who for who, count in load.items() if count == fewest])
        load[officer] += sizes[kind]
        plans.append((kind, officer))
        left -= sizes[kind]
    step = (end - now[0]) / len(plans)
    for first in range(0, len(plans), CASES_PER_TRANSACTION):
        with transaction(db):
            for number in range(first, min(first + CASES_PER_TRANSACTION, len(plans))):
                kind, officer = plans[number]
                now[0] = max(now[0], end - step * (len(plans) - number))
                work_case(service, officers[officer], number, KINDS[kind], rng, now, starting)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    under_way = db.execute(
        f"select count(*) from runs where state in ({', '.join('?' * len(UNDER_WAY))})",
        list(UNDER_WAY),
    ).fetchone()[0]
    if under_way != runs or db.execute("select count(*) from runs").fetchone()[0] != runs:
        raise RuntimeError(f"built {under_way} runs under way, not {runs}")
    built = Built(
        cases=db.execute("select count(*) from cases").fetchone()[0],
        runs=under_way,
        log_records=db.execute("select count(*) from log").fetchone()[0],
        users=db.execute("select count(*) from users").fetchone()[0],
        seconds=time.perf_counter() - started,
    )
    db.conn.close()
    return built


def enrol(service: Context, teams: int, per_team: int, at: datetime) -> list[User]:
    """Enrol each team's supervisor and investigators by invite, as /start does; the investigators."""
    officers = []
    for number in range(teams):
        team = f"{TEAM_NAMES[number % len(TEAM_NAMES)]} RASSO {number + 1}"
        people = [("supervisor", f"DS {team}", SUPERVISOR_IDS + number)] + [
            ("investigator", f"DC {team} {n + 1}", INVESTIGATOR_IDS + number * per_team + n)
            for n in range(per_team)
        ]
        for role, name, telegram_id in people:
            users = UserRepository(service.uow.db)
            code = users.create_invite(role, team, at)
            user = users.redeem_invite(code, Identity("telegram", str(telegram_id)), name, at)
            if role == "investigator":
                officers.append(user)
    return officers


def work_case(
    service: Context,
    officer: User,
    number: int,
    kind: tuple[int, str | None, tuple[str, ...]],
    rng: random.Random,
    now: list[datetime],
    starting: frozenset[str],
) -> None:
    """Open one case, start its runs, and work each part-way: answers, reasons, some later."""
    _weight, milestone, by_hand = kind
    ref = f"43/{10_000 + number:05d}/26"

    def tick() -> None:
        now[0] += timedelta(seconds=rng.randint(20, 120))

    cases.open_case(service, officer, ref)
    run_ids = []
    for playbook_id in by_hand:
        tick()
        run_ids.append(investigating.start_run(service, officer, ref, playbook_id).run.run_id)
    if milestone is not None:
        tick()
        events.record_milestone(service, officer, ref, milestone, service.today())
        run_ids += [run.run_id for run in cases.runs_of_case(service, officer, ref)]
    for run_id in run_ids:
        run = access.run(service, officer, run_id)
        budget = rng.randint(0, max(1, int(len(run.playbook.items) * 0.8)))
        for _ in range(budget):
            tick()
            run = access.run(service, officer, run_id)
            item = run.current()
            if item is None:
                break
            if run.state == "awaiting_reason":
                reason = item.reasons[0] if item.reasons else "Waiting on partner agency"
                investigating.give_reason(service, officer, run_id, reason)
                continue
            value = safe_answer(item, starting, service.today(), rng)
            if value is None or rng.random() < LATER_SHARE:
                investigating.defer(service, officer, run_id, item.id)
            else:
                investigating.answer(service, officer, run_id, item.id, value)
        run = access.run(service, officer, run_id)
        if run.state == "awaiting_reason":  # no run is left half-answered
            item = run.current()
            assert item is not None
            reason = item.reasons[0] if item.reasons else "Waiting on partner agency"
            investigating.give_reason(service, officer, run_id, reason)


# --- watching the bot's memory -------------------------------------------------------------------


def status_kb(pid: int, field_name: str) -> int:
    """A kB figure from /proc/PID/status (VmRSS, VmHWM), or 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler:
    """Reads a process's VmRSS every 100 ms on a thread, labelling each sample with a phase."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.phase = "start-up"
        self.samples: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = status_kb(self.pid, "VmRSS")
            if rss:
                self.samples.append((self.phase, rss))
            self._stop.wait(SAMPLE_EVERY)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def of(self, phase: str) -> list[float]:
        """The samples of one phase, in MB (MiB, as ru_maxrss / 1024 elsewhere in bench/)."""
        return [kb / 1024 for label, kb in self.samples if label == phase]


# --- the simulated people ------------------------------------------------------------------------


@dataclass
class Tally:
    """What the simulated people did and saw."""

    updates: int = 0
    answers: Counter[str] = field(default_factory=Counter)
    opened: set[int] = field(default_factory=set)  # runs shown after a go: press or /resume
    errors: list[str] = field(default_factory=list)


class Chat:
    """One person's chat: sends, and waits for what the bot shows next."""

    def __init__(self, client: Client, tally: Tally) -> None:
        self.client = client
        self.tally = tally
        self.newest = 0  # the newest bot message seen in this chat

    async def wait(
        self,
        *,
        edit_of: int | None = None,
        reason_on: int | None = None,
        wanted: Callable[[BotMessage], bool] = lambda _message: True,
    ) -> BotMessage | None:
        """The bot's next new message with buttons, edit of `edit_of`, or reason asked on `reason_on`."""
        # A new message without buttons (a sentence, no question) is taken if nothing better
        # comes within GRACE seconds; `wanted` passes over messages such as notices.
        plain: BotMessage | None = None
        until: float | None = None
        while True:
            within = REPLY_TIMEOUT if until is None else until - time.monotonic()
            if within <= 0:
                return plain
            try:
                changed = await self.client.replies(1, within=within)
            except TimeoutError:
                if plain is not None:
                    return plain
                raise
            for message in changed:
                if message.message_id == edit_of:
                    return message
                if message.message_id == reason_on and any(
                    data and data.startswith("r:") for data in message.callback_data
                ):
                    return message
                if message.message_id > self.newest:
                    self.newest = message.message_id
                    if not wanted(message):
                        continue
                    if message.keyboard:
                        return message
                    plain, until = message, time.monotonic() + GRACE

    async def command(self, text: str, **wait: Any) -> BotMessage | None:
        """Send a command such as /cases, and wait for what it shows."""
        self.tally.updates += 1
        await self.client.command(text)
        return await self.wait(**wait)

    async def press(self, data: str, message_id: int, **wait: Any) -> BotMessage | None:
        """Press the button with `data` on message `message_id`, and wait for what it shows."""
        self.tally.updates += 1
        await self.client.press(data=data, message_id=message_id)
        return await self.wait(**wait)

    async def type(self, text: str, **wait: Any) -> BotMessage | None:
        """Type a message, and wait for what it shows."""
        self.tally.updates += 1
        await self.client.send(text)
        return await self.wait(**wait)


class Investigator:
    """Opens each of their runs from /cases and answers the question it shows."""

    def __init__(
        self, chat: Chat, library: Library, playbook_of: dict[int, str], seed: int
    ) -> None:
        self.chat = chat
        self.library = library
        self.playbook_of = playbook_of
        self.starting = starters(library)
        self.rng = random.Random(seed)

    async def work(self) -> None:
        """Open every run from /cases and answer each one's question; then /resume, /cases."""
        chat = self.chat
        cases = await chat.command("/cases")
        if cases is None or not cases.keyboard:
            raise RuntimeError(f"/cases showed no runs: {cases}")
        for data in [d for d in cases.callback_data if d and d.startswith("go:")]:
            shown = await chat.press(data, cases.message_id)
            chat.tally.opened.add(int(data.split(":")[1]))
            await self.answer(shown)
        shown = await chat.command("/resume")
        await self.answer(shown)
        await chat.command("/cases")

    async def answer(self, question: BotMessage | None) -> None:
        """Answer the question shown, as the investigator would; a summary asks nothing."""
        if question is None or not question.keyboard:
            return
        data = [d for d in question.callback_data if d]
        if any(d.startswith("s:") for d in data):
            return  # everything answered: the summary offers Submit, which is not for now
        chat, qid = self.chat, question.message_id
        reasons = [d for d in data if d.startswith("r:")]
        if reasons:
            await chat.press(reasons[0], qid)
            chat.tally.answers["reason"] += 1
            return
        key = next((d for d in data if d.split(":")[0] in ("l", "a")), None)
        if key is None:
            return
        _kind, run_id, number = key.split(":")[:3]
        chat.tally.opened.add(int(run_id))
        playbook = self.library.playbook(self.playbook_of[int(run_id)])
        item = playbook.items[int(number)]
        value = safe_answer(item, self.starting, datetime.now(UTC).date(), self.rng)
        at = f"{run_id}:{number}"
        if value is None or (item.type == "date" and item.dates == "future"):
            shown = await chat.press(f"l:{at}", qid, reason_on=qid)
            kind = "later"
        elif item.type == "multi":
            index = item.options.index(next(iter(value)))
            await chat.press(f"m:{at}:{index}", qid, edit_of=qid)
            shown = await chat.press(f"md:{at}", qid, reason_on=qid)
            kind = "tick and done"
        elif item.type == "date":
            shown = await chat.press(f"t:{at}:today", qid, reason_on=qid)
            kind = "date"
        elif item.type in ("number", "text"):
            shown = await chat.type(str(value), reason_on=qid)
            kind = "typed"
        else:
            index = 0 if item.type == "info" else item.answers.index(value)
            shown = await chat.press(f"a:{at}:{index}", qid, reason_on=qid)
            kind = "button"
        chat.tally.answers[kind] += 1
        if shown is not None and shown.message_id == qid:  # a reason is asked: give the first
            await self.answer(shown)


def is_notice(message: BotMessage) -> bool:
    """Tell a notice the bot sent unasked (an escalation, a batch of them) from a reply."""
    # A batch of notices starts "N notices:"; a long batch is split, and the later parts
    # start with a bullet.
    head = message.text.split(":", 1)[0]
    return head == "Escalated" or head.endswith(" notices") or message.text.startswith("• ")


async def say_why(chat: Chat, asked: BotMessage | None, kind: str, wanted: Any) -> None:
    """Tap the first purpose when the bot asks why (a case's first view of the day, an export)."""
    if asked is None:
        return
    purpose = next((d for d in asked.callback_data if d and d.startswith(kind)), None)
    if purpose is not None:
        await chat.press(purpose, asked.message_id, wanted=wanted)


async def supervisor(chat: Chat, done: asyncio.Event, export: bool) -> None:
    """Send /team, open a case from it (and /export if asked), then /team once all is done."""

    def wanted(message: BotMessage) -> bool:
        return not is_notice(message)

    team = await chat.command("/team", wanted=wanted)
    if team is None or "open cases" not in team.text:
        raise RuntimeError(f"/team showed: {team}")
    first = next((d for d in team.callback_data if d and d.startswith("cs:")), None)
    if first is not None:
        asked = await chat.press(first, team.message_id, wanted=wanted)
        await say_why(chat, asked, "vc:", wanted)
    if export:
        asked = await chat.command("/export", wanted=wanted)
        await say_why(chat, asked, "ex:", wanted)
    await done.wait()
    await chat.command("/team", wanted=wanted)


# --- one measurement -----------------------------------------------------------------------------


@dataclass
class Measured:
    """One repeat's figures, in MB, and what was done."""

    start: float
    idle_peak: float
    drive_median: float
    drive_peak: float
    steady: float
    hwm: float
    drive_seconds: float
    updates: int
    answers: Counter[str]
    opened: int
    notices: tuple[int, int]  # queued, sent
    problems: list[str]
    cpu: float  # the bot's CPU seconds, start to finish


async def drive(
    emulator: Emulator,
    token: str,
    people: list[tuple[int, str, str]],
    runs: dict[int, str],
    export: bool,
) -> Tally:
    """Every investigator and supervisor at once, each with their own HTTP client."""
    library = load_library([REPO / "playbooks"], REPO / "playbooks")
    tally = Tally()
    done = asyncio.Event()
    clients = [
        Client(emulator.url, token, user_id=telegram_id, first_name=name)
        for telegram_id, name, _role in people
    ]
    investigators = []
    supervisors = []
    for client, (telegram_id, _name, role) in zip(clients, people, strict=True):
        chat = Chat(client, tally)
        if role == "investigator":
            person = Investigator(chat, library, runs, telegram_id)
            investigators.append(person.work())
        else:
            supervisors.append(supervisor(chat, done, export))

    async def everyone() -> None:
        async def then_done() -> None:
            results = await asyncio.gather(*investigators, return_exceptions=True)
            tally.errors += [repr(r) for r in results if isinstance(r, BaseException)]
            done.set()

        results = await asyncio.gather(then_done(), *supervisors, return_exceptions=True)
        tally.errors += [repr(r) for r in results if isinstance(r, BaseException)]

    try:
        await asyncio.wait_for(everyone(), timeout=1800)
    finally:
        for client in clients:
            await client.aclose()
    return tally


def measure(template: Path, args: argparse.Namespace) -> Measured:
    """Copy the database, run the bot on a fresh emulator, idle, drive, settle; read its memory."""
    with tempfile.TemporaryDirectory() as folder, Emulator() as emulator:
        db_path = Path(folder) / "soteria.db"
        shutil.copyfile(template, db_path)
        with sqlite3.connect(db_path) as db:
            people = db.execute(
                "select telegram_id, name, role from users where telegram_id is not null"
            ).fetchall()
            runs = dict(
                db.execute(
                    "select runs.id, v.playbook_id from runs"
                    " join playbook_versions v on v.id = runs.playbook_version_id"
                ).fetchall()
            )
        db.close()
        token = emulator.new_token()
        bot = BotProcess(emulator.bot_api_base_url, token, db_path)
        bot.env.update(
            SOTERIA_ESCALATION_SECONDS=f"{args.escalation_seconds:g}",
            SOTERIA_NOTICE_SECONDS=f"{args.notice_seconds:g}",
            # The emulator has no flood limit, so neither need the bot (where these exist).
            SOTERIA_SEND_RATE="0",
            SOTERIA_PERSON_RATE="0",
        )
        bot.start(timeout=120)
        assert bot.process is not None
        pid = bot.process.pid
        sampler = Sampler(pid).start()
        try:
            time.sleep(1.0)
            sampler.phase = "idle"
            time.sleep(args.idle)
            sampler.phase = "drive"
            began = time.monotonic()
            tally = asyncio.run(drive(emulator, token, people, runs, args.export))
            drive_seconds = time.monotonic() - began
            sampler.phase = "settle"
            time.sleep(args.settle)
            hwm = status_kb(pid, "VmHWM") / 1024
            cpu = cpu_seconds(pid)
        finally:
            sampler.stop()
            bot.stop()
        with sqlite3.connect(db_path) as db:
            queued, sent = db.execute("select count(*), count(sent_at) from notices").fetchone()
        db.close()
    start = sampler.of("start-up")
    return Measured(
        start=start[0] if start else 0.0,
        idle_peak=max(sampler.of("idle"), default=0.0),
        drive_median=statistics.median(sampler.of("drive") or [0.0]),
        drive_peak=max(sampler.of("drive"), default=0.0),
        steady=statistics.median(sampler.of("settle") or [0.0]),
        hwm=hwm,
        drive_seconds=drive_seconds,
        updates=tally.updates,
        answers=tally.answers,
        opened=len(tally.opened & set(runs)),
        notices=(queued, sent),
        problems=bot.problems() + tally.errors,
        cpu=cpu,
    )


def spread(values: list[float]) -> str:
    """Median and range, in MB."""
    ordered = sorted(values)
    return f"{statistics.median(ordered):.0f} MB (range {ordered[0]:.0f}–{ordered[-1]:.0f})"


# --- where the memory goes -----------------------------------------------------------------------


def rss_after(code: str) -> float:
    """The VmRSS of a fresh interpreter after it runs `code`, in MB."""
    probe = (
        f"{code}\nimport pathlib\nstatus = pathlib.Path('/proc/self/status').read_text()"
        "\nprint(next(l for l in status.splitlines() if l.startswith('VmRSS')).split()[1])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    return int(done.stdout.split()[-1]) / 1024


class Parts:
    """The bot's own parts on a database, as `run` builds them, without Telegram."""

    def __init__(self, path: Path) -> None:
        from bot.adapters.telegram.delivery import Delivery
        from bot.adapters.telegram.handlers import TelegramFace
        from bot.conversation.dialogue import Dialogue

        library = load_library([REPO / "playbooks"], REPO / "playbooks")
        self.service = context_on(connect(path), library, Settings(case_key="crime-reference"))
        publish_on_fresh_install(self.service)
        self.dialogue = Dialogue(self.service)
        self.face = TelegramFace(self.dialogue, Delivery(self.dialogue))
        self.owners: dict[int, int] = dict(
            self.service.uow.db.execute(
                "select runs.id, cases.officer_id from runs join cases on cases.id = runs.case_id"
            ).fetchall()
        )
        self.users = {
            user_id: UserRepository(self.service.uow.db).get(user_id)
            for user_id in set(self.owners.values())
        }

    def open_every_run(self) -> list[Any]:
        """Show each run's question, as a go: press does; returns the prompts shown."""
        prompts = []
        for run_id in sorted(self.owners):
            user = self.users[self.owners[run_id]]
            assert user is not None
            run = access.run(self.service, user, run_id)
            item = run.current()
            if item is not None:
                prompts.append(questions.prompt(self.service, run, item))
        return prompts

    def scan(self) -> None:
        """The escalation job's work: every team, one at a time."""
        from bot.jobs import queue_escalations, teams_with_cases

        for team in teams_with_cases(self.service):
            queue_escalations(self.service, team)

    def remember(self, prompts: list[Any]) -> None:
        """Fill the face's memory of question messages to its limit with these prompts."""
        screen = self.face.delivery.screen
        for number in range(screen.REMEMBERED):
            reply = prompts[number % len(prompts)]
            # Each message's text is its own string, as it is in the bot; so is each key.
            screen.asked(
                INVESTIGATOR_IDS + number % 100,
                100_000 + number,
                (reply.asks[0], reply.asks[1]),
                reply.text + " ",
            )

    def export(self) -> int:
        """What /export does for one team: gather it, render the HTML report with charts."""
        from bot.jobs import teams_with_cases
        from bot.reports.html import render_html
        from bot.reports.oversight import gather
        from bot.reports.team import team_dict

        team = teams_with_cases(self.service)[0]
        return len(render_html(team_dict(gather(self.service, teams=[team]))))


def steps(path: Path) -> None:
    """Print VmRSS after each part of the bot is built and used, in this fresh interpreter."""

    def say(label: str) -> None:
        gc.collect()
        print(f"{label}\t{status_kb(os.getpid(), 'VmRSS')}", flush=True)

    import bot.adapters.telegram.app
    import bot.cli
    import bot.jobs
    import bot.reports.oversight  # noqa: F401  (imported for their memory, as `run` imports them)

    say("the bot's modules for `run` (and this script's)")
    parts = Parts(path)
    say("the playbook library, the database, the service")
    parts.scan()
    say("an escalation scan over every team (and the first bank-holiday calendar)")
    prompts = parts.open_every_run()
    say(f"every run opened and its question shown ({parts.service.uow.cached_runs()} kept)")
    parts.scan()
    say("a second scan")
    parts.remember(prompts)
    say(f"the face's {len(parts.face.questions):,} question messages (its limit)")
    parts.export()
    say("/export for one team (HTML report with charts)")


def where(template: Path) -> None:
    """Print what the bot's memory is made of: imports, its parts as used, their Python objects."""
    # Imports and parts are measured in fresh interpreters (VmRSS), as the bot would hold them;
    # then the parts are sized with tracemalloc in this process. Each works on a copy of the
    # database, since the service writes (notices, handled updates).
    from bot.reports.oversight import gather

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "soteria.db"
        print("\nWhere the memory goes. Imports, each in a fresh interpreter (VmRSS):")
        run = "import bot.cli, bot.adapters.telegram.app, bot.jobs, bot.reports.oversight"
        no_numpy = "import sys\nsys.modules['numpy'] = None\n"  # an optional import then fails
        calendar = "\nimport datetime, bot.services.calendar\nbot.calendar.working_calendar(datetime.date.today(), 5)"
        measured: dict[str, float] = {}
        for key, label, code, over in (
            ("bare", "bare interpreter", "pass", None),
            ("run", "the bot's modules for `run`", run, "bare"),
            (
                "ptb",
                "  python-telegram-bot alone (httpx, APScheduler)",
                "import telegram.ext",
                "bare",
            ),
            ("holidays", "  holidays alone", "import holidays", "bare"),
            (
                "sqlite",
                "  sqlite_utils alone, numpy blocked",
                no_numpy + "import sqlite_utils",
                "bare",
            ),
            ("yaml", "  PyYAML and click alone", "import yaml, click", "bare"),
            ("nonumpy", "the bot's modules, numpy blocked", no_numpy + run, "run"),
            (
                "calendar",
                "the bot's modules + the first bank-holiday calendar",
                run + calendar,
                "run",
            ),
            (
                "charts",
                "the bot's modules + /export's imports (matplotlib)",
                run + "\nimport bot.reports.html, bot.reports.charts",
                "run",
            ),
        ):
            measured[key] = rss_after(code)
            delta = f"({measured[key] - measured[over]:+5.1f} vs {over})" if over else ""
            print(f"  {label:<56} {measured[key]:6.1f} MB  {delta}")

        # The service writes (notices, handled updates): each step works on its own copy.
        shutil.copyfile(template, path)
        print(
            "\nThe bot's parts, built and used one after another in a fresh interpreter (VmRSS):"
        )
        done = subprocess.run(
            [sys.executable, __file__, "--steps", str(path)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        before = 0.0
        for line in done.stdout.splitlines():
            label, kb = line.rsplit("\t", 1)
            rss = int(kb) / 1024
            print(f"  {label:<60} {rss:6.1f} MB  ({rss - before:+5.1f})")
            before = rss

        shutil.copyfile(template, path)
        parts = Parts(path)
        prompts = parts.open_every_run()  # once first, so lazy imports and caches are warm
        parts.service.uow.forget_runs()
        # One frame per allocation: enough to name the line that allocated, at modest cost.
        tracemalloc.start(1)
        gc.collect()
        base = tracemalloc.take_snapshot()
        held = tracemalloc.get_traced_memory()[0]
        parts.open_every_run()
        gc.collect()
        kept = parts.service.uow.cached_runs()
        size = tracemalloc.get_traced_memory()[0] - held
        print(
            "\nThe same parts sized with tracemalloc (Python objects only, no SQLite cache):\n"
            f"  runs kept by the service: {kept} of {len(parts.owners)}, {size / 2**20:.1f} MB"
            f" ({size / kept / 1024:.0f} KB a run)"
        )
        grown = tracemalloc.take_snapshot().compare_to(base, "lineno")
        tracemalloc.reset_peak()
        held = tracemalloc.get_traced_memory()[0]
        parts.scan()
        peak = tracemalloc.get_traced_memory()[1] - held
        print(f"  an escalation scan, team by team: peak +{peak / 2**20:.1f} MB while it runs")
        tracemalloc.reset_peak()
        held = tracemalloc.get_traced_memory()[0]
        everything = gather(parts.service, open_runs_only=True)
        del everything
        peak = tracemalloc.get_traced_memory()[1] - held
        print(f"  every team in one gather (not what the scan does): peak +{peak / 2**20:.1f} MB")
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
        parts.remember(prompts)
        gc.collect()
        size = tracemalloc.get_traced_memory()[0] - held
        count = len(parts.face.questions)
        print(
            f"  the face's {count:,} question messages: {size / 2**20:.1f} MB"
            f" ({size / count:.0f} bytes each)"
        )
        print("  where the runs kept by the service live (allocation sites):")
        for stat in grown[:6]:
            frame = stat.traceback[0]
            name = frame.filename.replace(str(REPO) + "/", "").replace(sys.prefix + "/", "")
            print(
                f"    {stat.size_diff / 2**20:6.2f} MB  {stat.count_diff:>8,} blocks  {name}:{frame.lineno}"
            )
        tracemalloc.stop()
        parts.service.uow.db.conn.close()


# --- the command ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000, help="runs under way (default 1000)")
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--investigators-per-team", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--escalation-seconds", type=float, default=5.0)
    parser.add_argument("--notice-seconds", type=float, default=5.0)
    parser.add_argument("--idle", type=float, default=12.0, help="seconds idle before the taps")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds idle after them")
    parser.add_argument("--db", type=Path, help="keep the built database here (reused if there)")
    parser.add_argument("--where", action="store_true", help="also show what the memory is")
    parser.add_argument("--steps", type=Path, help=argparse.SUPPRESS)  # used by --where
    parser.add_argument(
        "--export", action="store_true", help="each supervisor also sends /export (HTML report)"
    )
    args = parser.parse_args()
    if args.steps:
        steps(args.steps)
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" {platform.platform()}"
    )
    print(f"command: {shlex.join([os.path.relpath(sys.executable), *sys.argv])}")
    with tempfile.TemporaryDirectory() as folder:
        template = args.db or Path(folder) / "template.db"
        if not template.exists():
            built = build(template, args.runs, args.teams, args.investigators_per_team, args.seed)
            print(
                f"database: {built.cases:,} cases, {built.runs:,} runs under way,"
                f" {built.log_records:,} log records, {built.users} people with Telegram,"
                f" {template.stat().st_size / 1e6:.1f} MB, built through the service in"
                f" {built.seconds:.1f} s"
            )
        else:
            print(f"database: {template} (reused)")
        print(
            f"bot: escalation scan and notices every {args.escalation_seconds:g} s and"
            f" {args.notice_seconds:g} s; {args.idle:g} s idle, the taps, {args.settle:g} s idle"
        )
        results = []
        for number in range(1, args.repeat + 1):
            result = measure(template, args)
            results.append(result)
            answers = ", ".join(
                f"{count} {kind}" for kind, count in sorted(result.answers.items())
            )
            print(
                f"repeat {number}: start-up {result.start:.0f} MB, idle peak {result.idle_peak:.0f} MB,"
                f" under load median {result.drive_median:.0f} MB peak {result.drive_peak:.0f} MB,"
                f" after {result.steady:.0f} MB, VmHWM {result.hwm:.0f} MB"
                f" | {result.updates:,} updates in {result.drive_seconds:.0f} s,"
                f" {result.opened:,} of {args.runs:,} runs opened ({answers}),"
                f" notices {result.notices[1]:,} sent of {result.notices[0]:,},"
                f" bot CPU {result.cpu:.0f} s,"
                f" {len(result.problems)} problems",
                flush=True,
            )
            for line in result.problems[:5]:
                print(f"    {line[:300]}")
        if results:
            summarise(results, args)
        if args.where:
            where(template)


def summarise(results: list[Measured], args: argparse.Namespace) -> None:
    """Median and range of each figure over the repeats, and the verdict."""
    print(f"start-up (before any tap):  {spread([r.start for r in results])}")
    print(f"idle, scans running:        {spread([r.idle_peak for r in results])}")
    print(f"under load (median):        {spread([r.drive_median for r in results])}")
    print(f"steady state after load:    {spread([r.steady for r in results])}")
    print(f"peak (VmHWM):               {spread([r.hwm for r in results])}")
    worst = max(r.hwm for r in results)
    complete = all(r.opened == args.runs and not r.problems for r in results)
    verdict = "met" if worst < TARGET_MB else "MISSED"
    print(
        f"target: peak under {TARGET_MB} MB with {args.runs:,} runs under way: {verdict}"
        f" (worst {worst:.0f} MB){'' if complete else '; NOTE: not every run was opened, or problems were logged'}"
    )


if __name__ == "__main__":
    main()
