"""Cases built as an administrator builds them: `soteria-bot import` on a real SQLite file.

The commands run in-process through click, as `soteria-bot` runs them, with one change: the
clock they build their context with is the test's (`World.now`), so "today" in a report is the
day the test says, not the day the suite runs.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot import bootstrap
from bot.cli import admin as admin_cli
from bot.cli import cli
from bot.cli import importing as import_cli
from bot.cli import playbooks as playbooks_cli
from bot.cli import reports as reports_cli
from bot.config import Settings
from bot.core.people import User
from bot.core.playbook import Item
from bot.services import investigating, supervising
from bot.services.context import Context
from bot.services.publishing import publish_on_fresh_install
from bot.store.db import connect

from ..apps import enrol
from ..conftest import PLAYBOOKS_DIR

REF = "43/12345/26"
TEAM = "North RASSO"


class World:
    """A database, its people, and the commands an administrator runs on it."""

    def __init__(
        self,
        folder: Path,
        monkeypatch: pytest.MonkeyPatch,
        now: datetime,
        case_key: str = "crime-reference",
    ) -> None:
        self.folder = folder
        self.db_path = folder / "state" / "soteria.db"
        self.now = now
        monkeypatch.setenv("SOTERIA_DB", str(self.db_path))
        monkeypatch.setenv("SOTERIA_PLAYBOOKS", str(PLAYBOOKS_DIR))
        monkeypatch.setenv("SOTERIA_TZ", "Europe/London")
        # These forces key cases by crime reference unless a test says otherwise.
        monkeypatch.setenv("SOTERIA_CASE_KEY", case_key)
        for module in (import_cli, reports_cli, admin_cli, playbooks_cli):
            monkeypatch.setattr(module, "build", self._build)
        code, output = self.cli("publish", "--as", "DS Trainer")
        assert code == 0, output
        self.files = 0

    def _build(self, settings: Settings, clock: Any = None, **options: Any) -> Context:
        return bootstrap.build(settings, lambda: self.now, **options)

    def enrol(self, name: str, role: str, team: str = TEAM) -> int:
        """Enrol someone; their user id, as `users list` shows it."""
        db = connect(self.db_path)
        try:
            return enrol(db, name, role, team, datetime(2026, 1, 4, tzinfo=UTC)).id
        finally:
            db.close()

    def cli(self, *args: str) -> tuple[int, str]:
        """Run `soteria-bot ARGS`; the exit code and everything it printed."""
        result = CliRunner().invoke(cli, list(args))
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.output

    def write(self, lines: list[dict[str, Any] | str], name: str | None = None) -> Path:
        """A JSON Lines file of these lines (objects as JSON, strings as they are)."""
        self.files += 1
        path = self.folder / (name or f"import-{self.files}.jsonl")
        text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
        path.write_text(text + "\n", encoding="utf-8")
        return path

    def import_lines(
        self, lines: list[dict[str, Any] | str], name: str | None = None
    ) -> tuple[int, str]:
        """Write the lines to a file and import it as DS Admin."""
        return self.cli("import", str(self.write(lines, name)), "--as", "DS Admin")

    def imported(self, lines: list[dict[str, Any] | str]) -> str:
        """Import lines that must all apply; what the command said."""
        code, output = self.import_lines(lines)
        assert code == 0, output
        return output

    def report(self, ref: str = REF) -> dict[str, Any]:
        """`report --case REF --format json`, read."""
        code, output = self.cli(
            "report", "--case", ref, "--format", "json", "--purpose", "case progression"
        )
        assert code == 0, output
        return json.loads(output)

    def context(self) -> Context:
        """The application at the test's clock, for what only the chat does (submit, sign off,
        close)."""
        ctx = bootstrap.build(Settings.from_env(), lambda: self.now)
        publish_on_fresh_install(ctx)
        return ctx

    def dump(self) -> list[str]:
        """Everything the database holds, as SQL: to show that nothing changed."""
        conn = sqlite3.connect(self.db_path)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()


def person(ctx: Context, user_id: int) -> User:
    """An enrolled person, by id."""
    found = ctx.uow.users.get(user_id)
    assert found is not None
    return found


def run_of(report: dict[str, Any], playbook: str, index: int = -1) -> dict[str, Any]:
    """A run of a playbook in a case report (the newest unless told)."""
    return [run for run in report["runs"] if run["playbook"] == playbook][index]


def item_of(run: dict[str, Any], item_id: str) -> dict[str, Any]:
    """One item of a run in a case report."""
    return next(item for item in run["items"] if item["id"] == item_id)


def settled_answer(item: Item, day: date) -> Any:
    """An answer that settles an item with no reason: what a records system would send for work
    done."""
    if item.type in ("yes-no", "yes-no-na"):
        return "yes"
    if item.type == "choice":
        return item.options[0]
    if item.type == "multi":
        return [next(option for option in item.options if option not in item.exclusive)]
    if item.type == "date":
        # A date that records a milestone is the milestone's to give: until it is recorded, the
        # event has not happened yet.
        return "not yet" if item.sets else day.isoformat()
    if item.type == "number":
        return int(item.min or 1)
    if item.type == "text":
        return "Reviewed with the officer"
    return "ok"


def answer_everything_open(
    world: World, playbook: str, by: int, at: datetime, ref: str = REF
) -> list[str]:
    """Import an answer for every item open in the newest run of a playbook, round after round
    (an answer can bring more items up); the ids answered, in order."""
    catalog = world.context().catalog.playbook(playbook)
    answered: list[str] = []
    for _ in range(10):
        run = run_of(world.report(ref), playbook)
        waiting = [item["id"] for item in run["items"] if item["status"] in ("open", "later")]
        if not waiting:
            return answered
        world.imported(
            [
                {
                    "event": "answer",
                    "case": ref,
                    "playbook": playbook,
                    "item": item_id,
                    "value": settled_answer(catalog.item(item_id.split("@")[0]), at.date()),
                    "by": by,
                    "at": at.isoformat(),
                }
                for item_id in waiting
            ]
        )
        answered += waiting
    raise AssertionError(f"{playbook} still has open items after ten rounds")


# --- lines and readings for whole cases ---------------------------------------------------------


def milestone_line(
    name: str, when: str, by: int, at: str | None = None, ref: str = REF, **more: Any
) -> dict[str, Any]:
    """A milestone line: recorded at `at` when given (a date booked ahead needs it), else at the
    start of its date."""
    line = {"event": "milestone", "case": ref, "milestone": name, "date": when, "by": by}
    return {**line, **({"at": at} if at else {}), **more}


def answer_line(
    playbook: str,
    item: str,
    value: Any,
    by: int,
    at: str,
    reason: str | None = None,
    ref: str = REF,
) -> dict[str, Any]:
    """An answer line, with its reason when the answer needs one."""
    line = {"event": "answer", "case": ref, "playbook": playbook, "item": item, "value": value}
    return {**line, **({"reason": reason} if reason is not None else {}), "by": by, "at": at}


def start_line(playbook: str, by: int, at: str, ref: str = REF) -> dict[str, Any]:
    """A start line: a checklist started by hand, or the review due held by a supervisor."""
    return {"event": "start", "case": ref, "playbook": playbook, "by": by, "at": at}


def statuses(run: dict[str, Any]) -> dict[str, set[str]]:
    """Every item of a run in a case report, grouped by its status."""
    grouped: dict[str, set[str]] = {}
    for item in run["items"]:
        grouped.setdefault(item["status"], set()).add(item["id"])
    return grouped


def dues(run: dict[str, Any]) -> dict[str, str]:
    """Every item of a run in a case report that has a due date, with that date."""
    return {item["id"]: item["due"] for item in run["items"] if item["due"] is not None}


def hold_review_with(
    world: World, supervisor: int, at: datetime, answers: dict[str, Any], ref: str = REF
) -> dict[str, Any]:
    """A supervisor holds the review due: starts it, answers every item it asks from `answers`
    (a value, or a (value, reason) pair), round after round, and submits it; the run as the case
    report then shows it."""
    world.now = at
    world.imported([start_line("supervisory-review", supervisor, at.isoformat(), ref)])
    for _ in range(10):
        run = run_of(world.report(ref), "supervisory-review")
        waiting = [
            item["id"]
            for item in run["items"]
            if item["status"] in ("open", "later", "needs-reason")
        ]
        if not waiting:
            break
        lines: list[dict[str, Any] | str] = []
        for item_id in waiting:
            given = answers[item_id]
            value, reason = given if isinstance(given, tuple) else (given, None)
            lines.append(
                answer_line(
                    "supervisory-review", item_id, value, supervisor, at.isoformat(), reason, ref
                )
            )
        world.imported(lines)
    else:
        raise AssertionError("the review still has open items after ten rounds")
    ctx = world.context()
    investigating.submit(ctx, person(ctx, supervisor), run["run"])
    return next(r for r in world.report(ref)["runs"] if r["run"] == run["run"])


def submit_and_sign_off(
    world: World,
    playbook: str,
    officer: int,
    supervisor: int,
    at: datetime,
    note: str,
    ref: str = REF,
) -> int:
    """The officer submits the newest run of a playbook and the supervisor signs it off, at
    `at`; the run's id."""
    world.now = at
    ctx = world.context()
    run_id = run_of(world.report(ref), playbook)["run"]
    investigating.submit(ctx, person(ctx, officer), run_id)
    supervising.sign_off(ctx, person(ctx, supervisor), run_id, note)
    return run_id
