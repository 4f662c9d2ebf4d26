"""How long a supervisor waits for a report, and how much memory it takes, on a large database.

Runs the real command (`python -m bot report ...`) as a fresh process several times per format,
as a supervisor or a cron job would, and reads each run's wall time and peak resident memory
(from wait4, for that process alone). Beside it, the plain SQL that reads the same log rows for
the team, so the figure says what our Python costs over the floor of reading the data at all.

    python bench/make_cases.py /tmp/bench-10k.db                # once: ~1M log records
    python bench/report_cost.py /tmp/bench-10k.db --repeat 5
    python bench/report_cost.py /tmp/bench-10k.db --trainer --repeat 3
    python bench/report_cost.py /tmp/bench-10k.db --escalations

It also times the table in one warm process, alternately with the SQL, for the ratio: start-up
is the same fixed cost for any report and is timed by the fresh-process figures.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Targets from issue #6: the team table, the team HTML report, and peak memory.
TARGETS = {"table": 2.0, "html": 5.0}
MEMORY_TARGET_MB = 300


def busiest_team(db_path: Path) -> tuple[str, int, int]:
    """The team with the most log records: (team, cases, records), the hardest report to make."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "select c.team, count(distinct c.id), count(l.seq) from cases c"
            " join runs r on r.case_id = c.id join log l on l.run_id = r.id"
            " group by c.team order by 3 desc limit 1"
        ).fetchone()
    finally:
        conn.close()
    return rows[0], rows[1], rows[2]


def run_once(db_path: Path, team: str | None, fmt: str, out_dir: Path) -> tuple[float, float]:
    """One report in a fresh process: (seconds, peak resident MB). No team: the trainers' one."""
    env = {**os.environ, "SOTERIA_DB": str(db_path), "SOTERIA_PLAYBOOKS": str(REPO / "playbooks")}
    output = out_dir / f"report.{fmt}"
    # Every report names its purpose for the access log (DPA 2018 s.62), as a person must.
    if team is not None:
        scope = ["--team", team, "--purpose", "supervision"]
    else:
        scope = ["--trainer", "--purpose", "training"]
    command = [sys.executable, "-m", "bot", "report", *scope, "--format", fmt]
    command += ["-o", str(output)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the report failed ({fmt}): exit {process.returncode}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports kilobytes


def plain_sql(db_path: Path, team: str) -> float:
    """Seconds to read and count the team's log rows with SQL alone: the floor under the report."""
    conn = sqlite3.connect(db_path)
    try:
        started = time.perf_counter()
        conn.execute(
            "select run_id, kind, count(*), max(at) from log where run_id in"
            " (select r.id from runs r join cases c on c.id = r.case_id where c.team = ?)"
            " group by run_id, kind, item",
            [team],
        ).fetchall()
        return time.perf_counter() - started
    finally:
        conn.close()


def read_model_sql(db_path: Path, team: str, live_only: bool = False) -> float:
    """Seconds to read the team's read-model rows with SQL alone (its runs' rows and every item
    row of them, with the case each belongs to): the floor under a report that reads them.
    With `live_only`, the item rows of items asked only, as the table reads them."""
    live = " and status != 'not-live'" if live_only else ""
    conn = sqlite3.connect(db_path)
    try:
        started = time.perf_counter()
        team_runs = "select r.id from runs r join cases c on c.id = r.case_id where c.team = ?"
        conn.execute(
            "select c.id, c.ref, r.id, r.state, f.* from cases c join runs r on r.case_id = c.id"
            f" join run_facts f on f.run_id = r.id where r.id in ({team_runs})",
            [team],
        ).fetchall()
        conn.execute(
            f"select * from item_facts where run_id in ({team_runs}){live} order by run_id, place",
            [team],
        ).fetchall()
        return time.perf_counter() - started
    finally:
        conn.close()


def in_process(db_path: Path, team: str, repeat: int) -> list[tuple[float, float, float, float]]:
    """(report seconds, log SQL seconds, read-model SQL seconds, the same for live items'
    rows only), timed alternately in one warm process.

    The report is `gather` plus the table, as the bot's /team and the CLI make it, without the
    interpreter's start-up; the SQL runs on its own connection right after each report.
    """
    sys.path.insert(0, str(REPO))
    from bot.bootstrap import build
    from bot.config import Settings
    from bot.reports.oversight import gather
    from bot.reports.team import render_team_table

    service = build(Settings(db_path=db_path, playbooks_dir=REPO / "playbooks"))
    # As the CLI's table and the bot's /team read it: the rows of items asked.
    render_team_table(gather(service, [team], live_only=True))  # warm: playbooks, pages cached
    pairs = []
    for _ in range(repeat):
        started = time.perf_counter()
        render_team_table(gather(service, [team], live_only=True))
        ours = time.perf_counter() - started
        pairs.append(
            (
                ours,
                plain_sql(db_path, team),
                read_model_sql(db_path, team),
                read_model_sql(db_path, team, live_only=True),
            )
        )
    return pairs


def insights_in_process(db_path: Path, repeat: int) -> list[float]:
    """Seconds for field feedback over every team, as `/insights` makes it in the running bot."""
    sys.path.insert(0, str(REPO))
    from bot.bootstrap import build
    from bot.config import Settings
    from bot.reports.insights import gather_insights, render_insights_table

    service = build(Settings(db_path=db_path, playbooks_dir=REPO / "playbooks"))
    render_insights_table(gather_insights(service))  # warm
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        render_insights_table(gather_insights(service))
        found.append(time.perf_counter() - started)
    return found


def escalations(db_path: Path) -> None:
    """Time the escalation scan, team by team, on a copy of the database (it queues notices):
    a first pass that queues every escalation due, then a second that finds them queued."""
    sys.path.insert(0, str(REPO))
    from bot.bootstrap import build
    from bot.config import Settings
    from bot.jobs import queue_escalations, teams_with_cases

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "copy.db"
        source = sqlite3.connect(db_path)
        target = sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
        service = build(Settings(db_path=copy, playbooks_dir=REPO / "playbooks"))
        for label in ("first pass (queues)", "second pass"):
            seconds, queued = [], 0
            for team in teams_with_cases(service):
                started = time.perf_counter()
                queued += queue_escalations(service, team)
                seconds.append(time.perf_counter() - started)
            seconds.sort()
            print(
                f"escalation scan, {label}: {len(seconds)} teams, {queued:,} notices queued;"
                f" per team median {statistics.median(seconds):.3f} s"
                f" (range {seconds[0]:.3f}–{seconds[-1]:.3f}), every team {sum(seconds):.2f} s"
            )


def main() -> None:
    """Time each report format on the busiest team and print medians, ranges and verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--trainer", action="store_true", help="time the trainers' report over every team"
    )
    parser.add_argument(
        "--escalations", action="store_true", help="time the escalation scan over every team"
    )
    args = parser.parse_args()
    if args.escalations:
        escalations(args.database)
        return
    if args.trainer:
        warm = sorted(insights_in_process(args.database, max(args.repeat, 5)))
        print(
            f"field feedback in one warm process (as /insights): median"
            f" {statistics.median(warm):.3f} s (range {warm[0]:.3f}–{warm[-1]:.3f})"
        )
        with tempfile.TemporaryDirectory() as scratch:
            runs = [
                run_once(args.database, None, "table", Path(scratch)) for _ in range(args.repeat)
            ]
            # The same command on an empty database: start-up alone, the floor under it.
            empty = Path(scratch) / "empty.db"
            bare = [run_once(empty, None, "table", Path(scratch)) for _ in range(args.repeat)]
        seconds = sorted(run[0] for run in runs)
        floor = sorted(run[0] for run in bare)
        print(
            f"report --trainer (every team): median {statistics.median(seconds):.2f} s"
            f" (range {seconds[0]:.2f}–{seconds[-1]:.2f}), peak {max(r[1] for r in runs):.0f} MB;"
            f" the same on an empty database (start-up): median {statistics.median(floor):.2f} s"
            f" (range {floor[0]:.2f}–{floor[-1]:.2f})"
        )
        return
    team, cases, records = busiest_team(args.database)
    total = sqlite3.connect(args.database).execute("select count(*) from log").fetchone()[0]
    print(f"database: {args.database} ({total:,} log records)")
    print(f"team: {team} ({cases:,} cases, {records:,} of its log records)")
    pairs = in_process(args.database, team, max(args.repeat, 9))
    ours, floors = sorted(p[0] for p in pairs), sorted(p[1] for p in pairs)
    model_floors = sorted(p[2] for p in pairs)
    ratios = sorted(p[0] / p[1] for p in pairs)
    model_ratios = sorted(p[0] / p[2] for p in pairs)
    live_floors = sorted(p[3] for p in pairs)
    live_ratios = sorted(p[0] / p[3] for p in pairs)
    print(
        f"plain SQL over the team's log rows: median {statistics.median(floors):.3f} s"
        f" (range {floors[0]:.3f}–{floors[-1]:.3f})"
    )
    print(
        f"plain SQL over the team's read-model rows: median {statistics.median(model_floors):.3f} s"
        f" (range {model_floors[0]:.3f}–{model_floors[-1]:.3f})"
    )
    print(
        f"the same for the rows of items asked (what the table reads): median"
        f" {statistics.median(live_floors):.3f} s (range {live_floors[0]:.3f}–{live_floors[-1]:.3f})"
    )
    print(
        f"table in one warm process: median {statistics.median(ours):.3f} s"
        f" (range {ours[0]:.3f}–{ours[-1]:.3f}); ÷ log SQL median {statistics.median(ratios):.2f}"
        f" (range {ratios[0]:.2f}–{ratios[-1]:.2f}); ÷ read-model SQL median"
        f" {statistics.median(model_ratios):.2f} (range {model_ratios[0]:.2f}–"
        f"{model_ratios[-1]:.2f}); target ≤ 2: "
        f"{'met' if statistics.median(model_ratios) <= 2 else 'MISSED'}; ÷ the SQL of the rows"
        f" it reads median {statistics.median(live_ratios):.2f} (range {live_ratios[0]:.2f}–"
        f"{live_ratios[-1]:.2f})"
    )
    with tempfile.TemporaryDirectory() as scratch:
        for fmt in ("table", "csv", "json", "html"):
            runs = [run_once(args.database, team, fmt, Path(scratch)) for _ in range(args.repeat)]
            seconds = sorted(run[0] for run in runs)
            memory = max(run[1] for run in runs)
            median = statistics.median(seconds)
            target = TARGETS.get(fmt)
            verdict = ""
            if target is not None:
                met = median < target and memory < MEMORY_TARGET_MB
                verdict = f"  target < {target:.0f} s, < {MEMORY_TARGET_MB} MB: {'met' if met else 'MISSED'}"
            print(
                f"{fmt:>5}: median {median:.2f} s (range {seconds[0]:.2f}–{seconds[-1]:.2f}),"
                f" peak {memory:.0f} MB, {median / statistics.median(floors):.0f}× the SQL{verdict}"
            )


if __name__ == "__main__":
    main()
