"""The `soteria-bot validate` and `preview` commands, run as a trainer runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import COMMANDS, cli

from ..conftest import PLAYBOOKS_DIR, REPO

THREE_MISTAKES = """\
playbook: three-mistakes
title: Three mistakes
version: 1
sections:
  - id: main
    title: Main
    items:
      - id: related
        ask: Related offending reviewed?
        type: yes-no
        when: {pnc: yes}
      - id: pnc
        ask: PNC checked?
        type: yes-no
        reasn: [no]
        due: {within: 5 days, of: report}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_validate_the_shipped_playbooks_exits_0_with_a_line_per_playbook(in_repo):
    code, output = run("validate", "playbooks")
    files = sorted(
        p
        for p in PLAYBOOKS_DIR.glob("*.yaml")
        if p.name not in ("milestones.yaml", "settings.yaml")
    )
    assert code == 0, output
    for path in files:
        assert f"playbooks/{path.name}: ok: " in output
    assert output.rstrip().endswith(f"{len(files)} playbooks valid.")


def test_validate_with_no_path_checks_the_configured_folder(in_repo):
    code, output = run("validate")
    assert code == 0
    assert "playbooks valid." in output


def test_three_mistakes_give_three_located_lines_and_exit_1(tmp_path: Path):
    bad = tmp_path / "three.yaml"
    bad.write_text(THREE_MISTAKES, encoding="utf-8")
    code, output = run("validate", str(bad))
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith(str(bad))]
    assert lines == [
        f"{bad}:11:16: item 'related': the condition names 'pnc', which comes later; a condition may only name earlier items",
        f"{bad}:15:9: item 'pnc': unknown key 'reasn' (did you mean 'reason'?)",
        f"{bad}:16:23: item 'pnc': 'due': '5 days' is not a duration; write a number and a unit, like 5d (days), 2w (weeks), 5wd (working days) or 3mo (months)",
    ]


def copy_shipped_playbooks(folder: Path) -> None:
    for path in PLAYBOOKS_DIR.glob("*.yaml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")


def test_one_bad_file_among_good_ones_fails_the_whole_run(tmp_path: Path):
    copy_shipped_playbooks(tmp_path)
    (tmp_path / "three.yaml").write_text(THREE_MISTAKES, encoding="utf-8")
    code, output = run("validate", str(tmp_path))
    assert code == 1
    assert "ok:" not in output
    assert output.count("three.yaml:") == 3


def test_a_missing_path_is_refused_plainly():
    code, output = run("validate", "no/such/folder")
    assert code == 2
    assert "does not exist" in output


def test_a_folder_with_no_playbooks_is_an_error(tmp_path: Path):
    (tmp_path / "milestones.yaml").write_text(
        (PLAYBOOKS_DIR / "milestones.yaml").read_text(), encoding="utf-8"
    )
    code, output = run("validate", str(tmp_path))
    assert code == 1
    assert "No playbook files" in output


def test_preview_by_id_shows_numbered_items_answers_branches_and_due_dates_in_words(in_repo):
    code, output = run("preview", "initial-report")
    assert code == 0, output
    assert "1.1" in output
    assert "Answer: Yes · No" in output
    assert "working days of the report" in output
    assert "Asked only when" in output


def test_preview_by_path_reads_the_file_and_names_opened_playbooks_by_title(in_repo):
    code, output = run("preview", "playbooks/initial-report.yaml")
    assert code == 0
    assert output.startswith("Initial report")
    assert "opens the playbook 'Protective and preventative orders'" in output


def test_preview_says_due_rules_and_branches_in_words(tmp_path: Path, in_repo):
    demo = tmp_path / "demo.yaml"
    demo.write_text(
        """\
playbook: demo
title: Demo
version: 2
starts: {milestone: charge}
sections:
  - id: main
    title: Main
    items:
      - id: pnc
        ask: PNC checked?
        type: yes-no-na
        reason: [no, na]
        reasons: [Awaiting other force]
        due: {within: 5wd, of: report}
        escalate: {after: 2d}
      - id: vps
        ask: VPS update offered?
        type: yes-no
        when: {pnc: yes, milestone: trial}
        due: {before: {setting: vps-update, default: 28d}, of: trial}
      - id: trial-date
        ask: Trial date?
        type: date
        dates: any
        sets: trial
""",
        encoding="utf-8",
    )
    (tmp_path / "milestones.yaml").write_text(
        (PLAYBOOKS_DIR / "milestones.yaml").read_text(), encoding="utf-8"
    )
    code, output = run("preview", str(demo))
    assert code == 0, output
    output = " ".join(output.split())  # the preview wraps long lines; compare the words
    assert "demo · version 2 · 1 section · 3 items" in output
    assert "Starts itself once the charge is recorded." in output
    assert "Reason needed for: No, N/A. Presets: Awaiting other force." in output
    assert (
        "Due within 5 working days of the report; the supervisor is told once it is 2 days overdue."
        in output
    )
    assert "Asked only when 1.1 is Yes and the trial is recorded." in output
    assert "Due 28 days (force setting 'vps-update', default 28d) before the trial." in output
    assert "Answer: a date (any date), or Today / Yesterday" in output
    assert "Records the milestone: Trial date." in output


def test_preview_of_an_unknown_id_lists_the_known_ones(in_repo):
    code, output = run("preview", "bad-charcter")
    assert code == 1
    assert "No playbook 'bad-charcter'" in output
    assert "bad-character" in output


def test_python_dash_m_bot_runs_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "validate", "playbooks"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "playbooks valid." in result.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_found_under_its_own_name(command):
    found = cli.get_command(click.Context(cli), command)
    assert found is not None
    assert found.name == command


def test_help_lists_every_command():
    code, output = run("--help")
    assert code == 0
    listed = [line.split()[0] for line in output.split("Commands:")[1].splitlines() if line]
    assert listed == sorted(COMMANDS)


def test_a_report_starts_without_loading_the_chat_or_the_screen():
    # A fresh `report` is mostly start-up: loading every command's modules cost it a tenth of
    # a second or more.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from bot.cli import cli; cli.get_command(None, 'report');"
            " print(' '.join(sorted(sys.modules)))",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "bot.cli.reports" in loaded
    assert not [name for name in loaded if name.startswith("bot.conversation")]
    assert "bot.core.screening" not in loaded


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command):
    code, output = run(command, "--help")
    assert code == 0
    assert "Example:" in output


def test_an_unknown_force_setting_points_at_its_line_in_settings_yaml(tmp_path: Path):
    copy_shipped_playbooks(tmp_path)
    (tmp_path / "settings.yaml").write_text(
        "settings:\n  review-cadence: 21d\n  reveiw-cadence: 14d\n", encoding="utf-8"
    )
    code, output = run("validate", str(tmp_path))
    assert code == 1
    assert (
        f"{tmp_path / 'settings.yaml'}:3:3: no playbook uses a setting called 'reveiw-cadence' (did you mean 'review-cadence'?)"
        in output
    )


def test_a_force_setting_changes_what_the_preview_says(tmp_path: Path):
    copy_shipped_playbooks(tmp_path)
    (tmp_path / "settings.yaml").write_text("settings:\n  review-cadence: 21d\n", encoding="utf-8")
    code, output = run("preview", str(tmp_path / "supervisory-review.yaml"))
    assert code == 0, output
    assert "every 21 days (force setting 'review-cadence', set by the force)" in " ".join(
        output.split()
    )


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("SOTERIA_CASE_KEY", "foo", "SOTERIA_CASE_KEY must be one of crime-reference, handle"),
        ("SOTERIA_TZ", "Mars/Olympus", "SOTERIA_TZ must name a time zone"),
        ("SOTERIA_NOTICE_SECONDS", "soon", "SOTERIA_NOTICE_SECONDS must be a number of seconds"),
        ("SOTERIA_SEND_RATE", "-1", "SOTERIA_SEND_RATE must be 0 (no limit) or more"),
        ("SOTERIA_PERSON_RATE", "nan", "SOTERIA_PERSON_RATE must be a number"),
        ("SOTERIA_LOG_LEVEL", "chatty", "SOTERIA_LOG_LEVEL must be one of DEBUG"),
        ("SOTERIA_BOT_USERNAME", "soteria bot", "SOTERIA_BOT_USERNAME must be the bot's"),
        (
            "SOTERIA_CRIME_REFERENCE",
            "CRI(",
            "SOTERIA_CRIME_REFERENCE must be a regular expression",
        ),
    ],
)
@pytest.mark.parametrize("command", [["verify"], ["report"], ["users", "list"], ["validate"]])
def test_a_bad_setting_is_one_sentence_and_exit_2_for_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command, variable, value, says
):
    monkeypatch.setenv("SOTERIA_DB", str(tmp_path / "soteria.db"))
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {says}")
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
