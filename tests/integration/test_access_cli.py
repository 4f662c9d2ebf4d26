"""From the command line, reports and backups need a purpose and are kept in the access log;
`access-log` shows the log to the data protection officer, and `verify` checks its chain."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.core.consultation import PURPOSES
from bot.store.db import connect

from ..conftest import PLAYBOOKS_DIR

REF = "43/12345/26"
PURPOSE_REFUSED = (
    "Error: Give the purpose with --purpose: one of 'supervision', 'case progression', "
    "'disclosure', 'audit', 'training'.\n"
)


@pytest.fixture(name="db_path")
def _db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state" / "soteria.db"
    monkeypatch.setenv("SOTERIA_DB", str(path))
    monkeypatch.setenv("SOTERIA_PLAYBOOKS", str(PLAYBOOKS_DIR))
    monkeypatch.setenv("SOTERIA_TZ", "Europe/London")
    # The cases are opened, and reports asked for, by crime reference.
    monkeypatch.setenv("SOTERIA_CASE_KEY", "crime-reference")
    return path


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.output


def chat(name: str, role: str, lines: list[str]) -> str:
    code, output = run("chat", "--as", name, "--role", role, stdin="\n".join(lines) + "\n")
    assert code == 0, output
    return output


@pytest.fixture(name="walked")
def _walked(db_path: Path) -> Path:
    """An investigator opens a case in the terminal chat and answers its first item."""
    chat("DC Jo Bloggs", "investigator", ["/new", REF, "1", "1"])
    return db_path


def access_rows(db_path: Path) -> list[tuple]:
    db = connect(db_path)
    try:
        return db.execute(
            "SELECT actor, action, subject, purpose, detail FROM access_log ORDER BY seq"
        ).fetchall()
    finally:
        db.close()


@pytest.mark.parametrize(
    "args",
    [
        ["report"],
        ["report", "--case", REF, "--format", "disclosure"],
        ["report", "--trainer"],
        ["report", "--purpose", "curiosity"],
    ],
    ids=["team", "disclosure", "trainer", "unknown-purpose"],
)
def test_a_report_without_a_purpose_is_refused_in_one_sentence_and_shows_nothing(walked, args):
    code, output = run(*args)

    assert (code, output) == (2, PURPOSE_REFUSED)
    assert access_rows(walked) == []


def test_a_disclosure_schedule_to_a_file_is_kept_as_an_export_with_who_why_and_to_whom(
    walked, tmp_path
):
    schedule = tmp_path / "schedule.txt"

    code, output = run(
        "report", "--case", REF, "--format", "disclosure", "-o", str(schedule),
        "--purpose", "disclosure", "--as", "DS Sam Patel", "--to", "CPS reviewing lawyer",
    )  # fmt: skip

    assert code == 0, output
    assert schedule.exists()
    ((actor, action, subject, purpose, detail),) = access_rows(walked)
    assert (actor, action, purpose) == ("cli:DS Sam Patel", "export", "disclosure")
    assert subject.startswith("case:")
    details = json.loads(detail)
    assert details["via"] == "report"
    assert details["format"] == "disclosure"
    assert details["to"] == "CPS reviewing lawyer"
    assert details["os_user"]
    assert REF not in detail  # the access log never holds a crime reference


def test_a_team_report_printed_is_kept_as_a_print_for_its_purpose_by_the_os_user(walked):
    code, output = run("report", "--purpose", "supervision")

    assert code == 0, output
    ((actor, action, subject, purpose, detail),) = access_rows(walked)
    assert actor == f"cli:{json.loads(detail)['os_user']}"
    assert (action, subject, purpose) == ("print", "force", "supervision")


def test_trainer_feedback_is_kept_as_a_force_wide_print_for_training(walked):
    code, output = run("report", "--trainer", "--purpose", "training")

    assert code == 0, output
    ((_actor, action, subject, purpose, detail),) = access_rows(walked)
    assert (action, subject, purpose) == ("print", "force", "training")
    assert json.loads(detail)["via"] == "report --trainer"


def test_a_backup_needs_a_purpose_and_is_kept_once_made(walked, tmp_path):
    refused = tmp_path / "refused.db"
    assert run("backup", str(refused)) == (2, PURPOSE_REFUSED)
    assert not refused.exists()

    code, output = run("backup", str(tmp_path / "copy.db"), "--purpose", "audit")

    assert code == 0, output
    ((_actor, action, subject, purpose, _detail),) = access_rows(walked)
    assert (action, subject, purpose) == ("backup", "database", "audit")


def test_access_log_lists_the_views_and_the_exports_of_a_scripted_walk_with_their_purposes(
    walked, tmp_path
):
    chat(
        "DS Sam Patel",
        "supervisor",
        # The case, asked why (2: case progression); again the same day, not asked; the team
        # report exported for disclosure (3).
        [f"/case {REF}", "2", f"/case {REF}", "/export", "3"],
    )
    code, output = run(
        "report", "--case", REF, "--format", "disclosure", "-o", str(tmp_path / "s.txt"),
        "--purpose", "disclosure", "--as", "DS Sam Patel", "--to", "CPS",
    )  # fmt: skip
    assert code == 0, output

    code, table = run("access-log", "--case", REF)

    assert code == 0, table
    lines = table.splitlines()
    assert lines[0].split() == ["#", "WHEN", "WHO", "ACTION", "WHAT", "PURPOSE", "HOW"]
    body = lines[1:]
    assert len(body) == 4
    assert all(f"case {REF}" in line or "team local" in line for line in body)
    assert [
        next(word for word in ("view", "export") if f"  {word}  " in line) for line in body
    ] == ["view", "view", "export", "export"]
    assert sum("case progression" in line for line in body) == 2
    assert sum("disclosure" in line for line in body) == 2
    assert "DS Sam Patel" in body[0]
    assert "/export, html, to their chat" in body[2]
    assert "report, disclosure, to CPS" in body[3]


def test_access_log_as_csv_and_json_with_person_and_since_filters(walked):
    chat("DS Sam Patel", "supervisor", [f"/case {REF}", "1"])
    run("report", "--purpose", "audit", "--as", "DPO")
    supervisor_id = (
        sqlite3.connect(walked)
        .execute("SELECT id FROM users WHERE name = 'DS Sam Patel'")
        .fetchone()[0]
    )

    code, as_json = run("access-log", "--format", "json")
    assert code == 0, as_json
    records = json.loads(as_json)
    assert [(r["action"], r["purpose"]) for r in records] == [
        ("view", "supervision"),
        ("print", "audit"),
    ]
    assert records[0]["cases"] == [REF]
    assert records[0]["who"] == "DS Sam Patel"
    assert records[1]["who"] == "DPO (command line)"
    assert len(records[0]["hash"]) == 64

    code, only_sam = run("access-log", "--person", str(supervisor_id), "--format", "csv")
    assert code == 0, only_sam
    rows = list(csv.DictReader(io.StringIO(only_sam)))
    assert [row["action"] for row in rows] == ["view"]

    code, later = run("access-log", "--since", "2099-01-01")
    assert (code, later) == (0, "No access has been recorded for that.\n")


def test_access_log_csv_cells_cannot_run_as_spreadsheet_formulas(walked):
    run("report", "--purpose", "audit", "--as", '=HYPERLINK("http://evil.example")')

    code, output = run("access-log", "--format", "csv")

    assert code == 0, output
    (row,) = list(csv.DictReader(io.StringIO(output)))
    assert row["who"].startswith("'=")


def test_access_log_of_a_case_that_does_not_exist_says_so(walked):
    assert run("access-log", "--case", "43/99999/26") == (
        1,
        "Error: No case 43/99999/26 was found.\n",
    )


def test_verify_checks_the_access_log_too_and_names_a_changed_record(walked):
    run("report", "--purpose", "audit")
    run("report", "--purpose", "training")

    code, output = run("verify")
    assert code == 0, output
    assert output.splitlines()[-1] == "Access log verified: 2 records, chain intact."

    conn = sqlite3.connect(walked)
    conn.execute("DROP TRIGGER access_log_no_update")
    conn.execute("UPDATE access_log SET purpose = 'supervision' WHERE seq = 2")
    conn.commit()
    conn.close()

    code, output = run("verify")
    assert code == 1
    assert output.splitlines()[-1].startswith("Access record 2 was altered")


def test_every_purpose_is_offered_on_the_command_line(walked):
    for purpose in PURPOSES:
        code, output = run("report", "--purpose", purpose.replace(" ", "-"))
        assert code == 0, output
    assert [row[3] for row in access_rows(walked)] == list(PURPOSES)


@pytest.mark.parametrize("path", [("access-log",), ("retention",)], ids=" ".join)
def test_the_data_protection_commands_have_help_with_an_example(path):
    code, output = run(*path, "--help")

    assert code == 0
    assert "Example:" in output
