"""How long `soteria-bot import` takes on a force's worth of cases, beside SQLite's own floor.

Generates a JSON Lines file of CASES cases with 100 events each: the case opened, milestones
(the interview, the suspect, the arrest, bail extended twice, the charge, the trial listed three
times, a plea and two hearings), checklists started (four by their officer, two supervisory reviews by the supervisor)
and answers to every item those bring up that can be answered with no earlier answer or
reason, the per-listing items included (some put off with "later" first). Then it imports the file with the real command, as a
fresh process (`python -m bot import FILE`), into a fresh copy of a database where the people
are enrolled and the playbooks published, and times it.

The floors are measured in the same run, on the same disk and with the same pragmas (WAL,
synchronous=FULL): the same number of rows (one per line, the line's text) inserted into a
one-table database in one transaction, as the import is; and, for a sample, inserted with a
commit each, as the same events typed one by one in the chat would at least cost.

The lines come case after case, or with --chronological, all cases interleaved in the order
the events happened, as a records system sending its day's events would send them (each line
then touches a different case from the one before, so runs are rarely still in memory).

Run: .venv/bin/python bench/import_cost.py [--cases 1000] [--repeat 3] [--sizes 100,300]
         [--chronological]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.playbook import Item, Playbook
from bot.store.db import connect
from bot.store.playbook_files import load_library
from bot.store.users import UserRepository

REPO = Path(__file__).resolve().parents[1]
PLAYBOOKS = REPO / "playbooks"
EVENTS_PER_CASE = 100
TEAMS = 20
#: The first case is reported on this day; one more is reported every few hours after it.
FIRST = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
#: The checklists each case works through, in the order their milestones start them.
STARTED = ("vps-and-trial", "bad-character", "early-advice-and-charge", "protective-orders")
REVIEW = "supervisory-review"


def answerable(playbook: Playbook, milestones: set[str]) -> list[Item]:
    """Items live with no earlier answer, once these milestones are recorded, that an import
    can settle with one plain answer and no reason: what the generator answers."""
    found = []
    for item in playbook.items:
        if item.sets or item.offered or item.same_as or item.type == "info":
            continue
        if item.when is not None and not item.when.holds({}, milestones):
            continue
        value = value_of(item, FIRST.date())
        if item.needs_reason(frozenset(value) if isinstance(value, list) else str(value)):
            continue
        if item.each and item.each not in milestones:
            continue
        found.append(item)
    return found


def value_of(item: Item, day: date) -> Any:
    """A plain answer the item takes."""
    if item.type in ("yes-no", "yes-no-na"):
        return "yes"
    if item.type == "choice":
        return item.options[0]
    if item.type == "multi":
        return [next(option for option in item.options if option not in item.exclusive)]
    if item.type == "date":
        return day.isoformat()
    if item.type == "number":
        return int(item.min or 1)
    return "Reviewed with the officer"


def case_lines(
    number: int, officer: int, supervisor: int, playbooks: dict[str, Playbook]
) -> list[str]:
    """One case's hundred lines, in the order they happened."""
    ref = f"43/{number + 10000:05d}/24"
    start = FIRST + timedelta(hours=7 * number)
    lines: list[dict[str, Any]] = []

    def at(days: float) -> str:
        return (start + timedelta(days=days)).isoformat()

    def day(days: float) -> str:
        return (start + timedelta(days=days)).date().isoformat()

    def milestone(name: str, days: float) -> None:
        lines.append(
            {"event": "milestone", "case": ref, "milestone": name, "date": day(days),
             "by": officer, "at": at(days)}
        )  # fmt: skip

    lines.append({"event": "open", "case": ref, "officer": officer, "at": at(0)})
    plan = [("interview", 1), ("suspect-identified", 2), ("arrest", 3), ("bail", 3.2),
            ("eia-requested", 20), ("bail-extended", 90), ("bail-extended", 180),
            ("charge", 200), ("not-guilty-plea", 205), ("hearing-held", 206),
            ("trial-listed", 210), ("trial-listed", 300), ("hearing-held", 305),
            ("trial-listed", 390)]  # fmt: skip
    for name, days in plan:
        milestone(name, days)
    recorded = {name for name, _ in plan}
    for playbook_id in STARTED:
        lines.append(
            {"event": "start", "case": ref, "playbook": playbook_id, "by": officer, "at": at(4)}
        )
    for days in (29, 57):
        lines.append(
            {"event": "start", "case": ref, "playbook": REVIEW, "by": supervisor, "at": at(days)}
        )
    answers: list[dict[str, Any]] = []
    for playbook_id in (*STARTED, REVIEW):
        playbook = playbooks[playbook_id]
        by = supervisor if playbook_id == REVIEW else officer
        for item in answerable(playbook, recorded):
            ids = [f"{item.id}@{n}" for n in (1, 2, 3)] if item.each else [item.id]
            for item_id in ids:
                answers.append(
                    {"event": "answer", "case": ref, "playbook": playbook_id, "item": item_id,
                     "value": value_of(item, (start + timedelta(days=400)).date()), "by": by,
                     "at": at(400)}
                )  # fmt: skip
    room = EVENTS_PER_CASE - len(lines)
    # Some items were put off before they were answered: a "later" line, then the answer.
    put_off = max(0, room - len(answers))
    if put_off > len(answers):
        raise SystemExit(f"only {len(answers)} answers for {room} places; add events")
    for line in answers[:put_off]:
        lines.append({**line, "value": "later", "at": at(399)})
    lines += answers[: room - put_off]
    return [json.dumps(line) for line in lines]


def prepare(folder: Path, cases: int, chronological: bool) -> tuple[Path, Path, int]:
    """A database with the people enrolled and the playbooks published, and the file to import;
    (database, file, lines)."""
    library = load_library([PLAYBOOKS], PLAYBOOKS)
    playbooks = {entry.playbook.id: entry.playbook for entry in library.playbooks}
    template = folder / "template.db"
    db = connect(template)
    users = UserRepository(db)
    people = []
    for team in range(TEAMS):
        officer = users.add(f"Officer {team}", "investigator", f"Team {team}", FIRST)
        supervisor = users.add(f"Supervisor {team}", "supervisor", f"Team {team}", FIRST)
        people.append((officer.id, supervisor.id))
    db.close()
    env = {**os.environ, "SOTERIA_DB": str(template), "SOTERIA_PLAYBOOKS": str(PLAYBOOKS)}
    subprocess.run(
        [sys.executable, "-m", "bot", "publish", "--as", "Bench"],
        cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    source = folder / f"cases-{cases}.jsonl"
    lines = []
    for number in range(cases):
        officer, supervisor = people[number % TEAMS]
        lines += case_lines(number, officer, supervisor, playbooks)
    if chronological:
        # As a records system would send them: every case's events in the order they happened.
        lines.sort(key=lambda line: datetime.fromisoformat(json.loads(line)["at"]))
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return template, source, len(lines)


def import_once(template: Path, source: Path, folder: Path) -> float:
    """Import the file into a fresh copy of the template, as a fresh process; seconds."""
    target = folder / "import.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, target)
    env = {**os.environ, "SOTERIA_DB": str(target), "SOTERIA_PLAYBOOKS": str(PLAYBOOKS)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import", str(source), "--as", "Bench"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the import failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    print(f"  {done.stdout.strip()}", file=sys.stderr)
    return seconds


def floor_db(path: Path) -> sqlite3.Connection:
    """A one-table database with the store's pragmas."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE floor (id INTEGER PRIMARY KEY, line TEXT NOT NULL)")
    return conn


def floor_one_transaction(source: Path, folder: Path) -> float:
    """Every line inserted as a row, in one transaction: seconds."""
    conn = floor_db(folder / "floor.db")
    lines = source.read_text(encoding="utf-8").splitlines()
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for line in lines:
        conn.execute("INSERT INTO floor (line) VALUES (?)", [line])
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def floor_commit_each(source: Path, folder: Path, sample: int) -> float:
    """The first `sample` lines inserted with a commit each: seconds per line."""
    conn = floor_db(folder / "floor-each.db")
    lines = source.read_text(encoding="utf-8").splitlines()[:sample]
    started = time.perf_counter()
    for line in lines:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO floor (line) VALUES (?)", [line])
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds / len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--sizes", default="", help="smaller sizes to time first (cases)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2000, help="lines for the commit-each floor")
    parser.add_argument(
        "--chronological",
        action="store_true",
        help="every case's lines interleaved in time order, not case after case",
    )
    args = parser.parse_args()
    sizes = [int(part) for part in args.sizes.split(",") if part] + [args.cases]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"{'cases':>6} | {'lines':>7} | {'import median':>13} | {'range':>15} | {'per line':>8} | "
        f"{'floor 1 txn':>11} | {'÷ floor':>7} | {'commit each':>11} | {'÷ it':>5}"
    )
    state = REPO / "state"
    state.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=state) as name:
        folder = Path(name)
        for cases in sizes:
            template, source, count = prepare(folder, cases, args.chronological)
            ours, floors, each = [], [], []
            for _ in range(args.repeat):
                ours.append(import_once(template, source, folder))
                floors.append(floor_one_transaction(source, folder))
                each.append(floor_commit_each(source, folder, min(args.sample, count)))
            median = statistics.median(ours)
            floor = statistics.median(floors)
            per_commit = statistics.median(each) * count
            print(
                f"{cases:>6,} | {count:>7,} | {median:>11.1f} s | "
                f"{min(ours):>6.1f}–{max(ours):>6.1f} s | {median / count * 1e3:>5.2f} ms | "
                f"{floor:>9.2f} s | {median / floor:>7.0f} | {per_commit:>9.1f} s | "
                f"{median / per_commit:>5.2f}",
                flush=True,
            )
            template.unlink()
            source.unlink()


if __name__ == "__main__":
    main()
