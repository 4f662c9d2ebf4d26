"""The cost of one answer at 1k, 100k and 1M existing log records, beside the durability floor.

One answer is what an investigator's tap costs: load the run (replaying its log entries), let the
state machine move, commit the records in one transaction (WAL, synchronous=FULL: an fsync), and
compute the next prompt. The floor is a bare sqlite3 INSERT and COMMIT of one row with the same
pragmas in the same file, measured interleaved with ours.

With --writes-alone a third figure is measured, interleaved with the other two: the writes one
answer must make and nothing else (one chained log record through the store's own append, its
two indexes and the head its triggers move, and one read-model row written as the answer's is),
in one transaction on the service's connection. It is the least an answer can cost while the
hash chain and the read model are kept in the answer's transaction; the rest of ours is Python.

With --sync-apart the service's connection is the bot's (`soteria-bot run`): its COMMIT does not
wait for the disk, and each answer ends with the sync of the write-ahead log that the bot makes
before replying, off its event loop; the answer is timed to the end of that sync. The floor
stays a COMMIT with synchronous=FULL.

Run: .venv/bin/python bench/answer_cost.py [--sizes 1000,100000,1000000] [--answers 300]
         [--sync-apart] [--writes-alone]
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.adapters.durable import CHECKPOINT_EVERY
from bot.bootstrap import context_on
from bot.config import Settings
from bot.conversation.dialogue import Dialogue
from bot.conversation.questions import prompt
from bot.core.records import Entry
from bot.services import access, cases, investigating, people
from bot.services.context import Context
from bot.services.publishing import publish_on_fresh_install
from bot.store import log
from bot.store.db import connect, transaction
from bot.store.facts import ITEM_COLUMNS
from bot.store.playbook_files import load_library

REPO = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def fill(service: Context, target: int) -> None:
    """Grow the log to `target` records: chained entries of other cases' runs."""
    have = len(service.uow.db.execute("select seq from log").fetchall())
    batch = 20_000
    at = START
    while have < target:
        size = min(batch, target - have)
        entries = [
            Entry(
                "answered",
                f"FILL/{(have + i) // 50:07d}/26",
                "user:0",
                at,
                10_000_000 + (have + i) // 50,
                f"item-{i % 50}",
                "yes",
            )
            for i in range(size)
        ]
        with transaction(service.uow.db):
            log.append(service.uow.db, entries)
        service.uow.durability.checkpoint()  # as the bot does apart (nothing on FULL)
        have += size


def bare_writes(service: Context, number: int) -> float:
    """Time the writes an answer must make, alone: a chained record and a read-model row."""
    db = service.uow.db
    run_id = 20_000_000 + number // 20
    record = Entry(
        "answered", f"WRITES/{run_id}/26", "user:0", START, run_id, f"item-{number % 20}", "yes"
    )
    row = [run_id, number % 20, 1, f"item-{number % 20}", "done", "yes", None, "user:0"]
    row += [START.isoformat(), START.isoformat(), 0, None, 0, None, 3, START.isoformat(), 2000000]
    marks = ", ".join("?" for _ in row)
    started = time.perf_counter()
    with transaction(db):
        log.append(db, [record])
        db.execute(f"INSERT OR REPLACE INTO item_facts ({ITEM_COLUMNS}) VALUES ({marks})", row)
    service.uow.durability.sync()  # as an answer waits for it (none on FULL)
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(
    service: Context,
    dialogue: Dialogue,
    user,
    floor_db: sqlite3.Connection,
    answers: int,
    tag: str,
    writes: list[float] | None = None,
) -> tuple[list[float], list[float]]:
    ours: list[float] = []
    floor: list[float] = []
    case = 0
    run_id = None
    checkpointed = service.uow.durability.written()
    while len(ours) < answers:
        if run_id is None or access.run(service, user, run_id).current() is None:
            case += 1
            cases.open_case(service, user, f"43/{tag}{case:04d}/26")
            ref = f"43/{tag}{case:04d}/26"
            run_id = investigating.start_run(service, user, ref, "bad-character").run.run_id
        run = access.run(service, user, run_id)
        item = run.current()
        value = run.playbook.item(item.id)
        answer = (
            "yes"
            if value.type in ("yes-no", "yes-no-na")
            else value.options[0]
            if value.type == "choice"
            else None
        )
        started = time.perf_counter()
        if run.state == "awaiting_reason":
            outcome = investigating.give_reason(service, user, run_id, "Awaiting other force")
        elif value.type == "multi":
            outcome = investigating.answer(service, user, run_id, item.id, {value.options[0]})
        elif value.type == "date":
            outcome = investigating.answer(service, user, run_id, item.id, START.date())
        elif value.type == "number":
            outcome = investigating.answer(service, user, run_id, item.id, 1)
        elif value.type == "text":
            outcome = investigating.answer(service, user, run_id, item.id, "Reviewed")
        else:
            outcome = investigating.answer(service, user, run_id, item.id, answer)
        following = outcome.run.current()
        if following is not None:
            # The next prompt, as a face would show it.
            prompt(service, outcome.run, following)
        service.uow.durability.sync()  # the bot's reply waits for it (none on FULL)
        ours.append(time.perf_counter() - started)
        if service.uow.durability.written() - checkpointed >= CHECKPOINT_EVERY:
            # The bot checkpoints apart, on a thread of its own: not timed.
            service.uow.durability.checkpoint()
            checkpointed = service.uow.durability.written()
        shared = floor_db is service.uow.db.conn and service.uow.durability.apart
        if shared:
            floor_db.execute("PRAGMA synchronous = FULL")
        started = time.perf_counter()
        floor_db.execute("BEGIN IMMEDIATE")
        floor_db.execute("INSERT INTO floor (at, value) VALUES (?, ?)", [time.time(), "yes"])
        floor_db.execute("COMMIT")
        floor.append(time.perf_counter() - started)
        if shared:
            floor_db.execute("PRAGMA synchronous = NORMAL")
        if writes is not None:
            writes.append(bare_writes(service, len(writes)))
    return ours, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument(
        "--sync-apart",
        action="store_true",
        help="the bot's connection: commit without waiting, then sync the log before replying",
    )
    parser.add_argument(
        "--writes-alone",
        action="store_true",
        help="also time the writes an answer must make and nothing else, against the floor",
    )
    args = parser.parse_args()
    library = load_library([REPO / "playbooks"], REPO / "playbooks")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    print(
        "ours: commit without waiting, then sync the log (the bot)"
        if args.sync_apart
        else "ours: commit with synchronous=FULL"
    )
    alone = f" | {'writes p50':>10} | {'÷ floor':>7}" if args.writes_alone else ""
    print(
        f"{'log records':>12} | {'writers':>14} | {'ours p50':>9} | {'ours p99':>9} | {'floor p50':>9} | {'floor p99':>9} | {'ratio p50':>9} | {'ratio p99':>9}"
        + alone
    )
    with tempfile.TemporaryDirectory(dir=REPO / "state") as folder:
        path = Path(folder) / "bench.db"
        clock = [START]

        def tick() -> datetime:
            clock[0] += timedelta(seconds=1)
            return clock[0]

        service = context_on(
            connect(path, sync_apart=args.sync_apart),
            library,
            Settings(case_key="crime-reference"),
            clock=tick,
        )
        publish_on_fresh_install(service)
        user = people.local_user(service, "Bench", "investigator", "bench")
        dialogue = Dialogue(service)
        # The floor is measured in the same file with the same pragmas. "alone": it runs on the
        # service's own connection, as when the bot is the only writer. "another writer": it
        # runs on a second connection, and each of its commits makes the service replay the run
        # from the log, as after a CLI command or a second process writes.
        floors = {
            "alone": open_floor(service.uow.db.conn, keep_synchronous=args.sync_apart),
            "another writer": open_floor(sqlite3.connect(path, isolation_level=None)),
        }
        for size in (int(part) for part in args.sizes.split(",")):
            fill(service, size)
            for case, floor_db in floors.items():
                tag = f"{size % 97:02d}{1 if case == 'alone' else 2}"
                writes: list[float] | None = [] if args.writes_alone else None
                ours, floor = measure(service, dialogue, user, floor_db, args.answers, tag, writes)
                ratio50 = statistics.median(ours) / statistics.median(floor)
                ratio99 = percentile(ours, 0.99) / percentile(floor, 0.99)
                bare = (
                    f" | {statistics.median(writes) * 1e3:>8.2f}ms"
                    f" | {statistics.median(writes) / statistics.median(floor):>7.2f}"
                    if writes
                    else ""
                )
                print(
                    f"{size:>12,} | {case:>14} | {statistics.median(ours) * 1e3:>7.2f}ms | {percentile(ours, 0.99) * 1e3:>7.2f}ms | "
                    f"{statistics.median(floor) * 1e3:>7.2f}ms | {percentile(floor, 0.99) * 1e3:>7.2f}ms | {ratio50:>9.2f} | {ratio99:>9.2f}"
                    + bare,
                    flush=True,
                )
        floors["another writer"].close()


def open_floor(
    floor_db: sqlite3.Connection, *, keep_synchronous: bool = False
) -> sqlite3.Connection:
    """Give a connection the store's pragmas, and a one-table floor to insert into.

    `keep_synchronous` leaves the service's own connection as the bot set it; the floor then
    turns FULL on for its own commits only.
    """
    pragmas = ["journal_mode=WAL", "foreign_keys=ON", "busy_timeout=5000"]
    if not keep_synchronous:
        pragmas.append("synchronous=FULL")
    for pragma in pragmas:
        floor_db.execute(f"PRAGMA {pragma}")
    floor_db.execute(
        "CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, at REAL, value TEXT)"
    )
    return floor_db


if __name__ == "__main__":
    main()
