"""The terminal chat end to end: a whole walk in process, and the real command killed mid-run."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.reports.case import case_report
from bot.services import people
from bot.services.context import Context
from bot.store import log
from bot.store.db import connect
from bot.store.playbook_files import load_library

from ..apps import make_app
from ..conftest import PLAYBOOKS_DIR

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(name="service")
def _service(tmp_path: Path) -> Context:
    return make_app(
        connect(tmp_path / "soteria.db"),
        load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR),
        clock=lambda: NOW,
    )


def press_label(dialogue: Dialogue, user, replies: list[Reply], label: str) -> list[Reply]:
    for reply in reversed(replies):
        for row in reply.options:
            for option in row:
                if option.label == label or option.label.startswith(label):
                    return dialogue.press(user, option.action)
    raise AssertionError(f"no option {label!r} in {[r.text for r in replies]}")


def test_a_whole_walk_with_a_branch_a_reason_and_a_correction_reaches_submission(
    service: Context, tmp_path
):
    dialogue = Dialogue(service)
    user = people.local_user(service, "Test investigator", "investigator")
    replies = dialogue.handle(user, "/new")
    replies = dialogue.handle(user, "43/12345/26")
    replies = press_label(dialogue, user, replies, "Bad character")
    first = replies[-1].text
    assert "Bad character" in first
    assert "PNC record" in first
    # A branch and a reason: No needs a reason; a preset is offered.
    replies = press_label(dialogue, user, replies, "No")
    assert "Why?" in replies[-1].text
    replies = press_label(dialogue, user, replies, "Systems unavailable")
    # Walk on: Yes where offered, the first option otherwise, dates by Today.
    for _ in range(80):
        text = replies[-1].text
        if "Submit it for review?" in text:
            break
        labels = [option.label for reply in replies for row in reply.options for option in row]
        if "Why?" in text:
            replies = dialogue.handle(user, "Not yet known")
        elif "Today" in labels:
            replies = press_label(dialogue, user, replies, "Today")
        elif "Type the number." in text:
            replies = dialogue.handle(user, "2")
        elif "Type a short note" in text:
            replies = dialogue.handle(user, "File reviewed")
        elif "Yes" in labels:
            replies = press_label(dialogue, user, replies, "Yes")
        elif "Done" in labels:
            replies = dialogue.press(user, replies[-1].options[0][0].action)
            replies = press_label(dialogue, user, replies, "Done")
        else:
            replies = dialogue.press(user, replies[-1].options[0][0].action)
    assert "Submit it for review?" in replies[-1].text
    # A correction: change the first answer from No to Yes, then submit.
    replies = press_label(dialogue, user, replies, "Change: Suspect's PNC record")
    replies = press_label(dialogue, user, replies, "Yes")
    while "Submit it for review?" not in replies[-1].text:
        replies = (
            press_label(dialogue, user, replies, "Yes")
            if "Yes" in str(replies[-1].options)
            else dialogue.handle(user, "Not yet known")
        )
    replies = press_label(dialogue, user, replies, "Submit")
    assert "Submitted for review" in replies[-1].text
    report = case_report(service, "43/12345/26")
    run = next(run for run in report["runs"] if run["playbook"] == "bad-character")
    assert run["state"] == "submitted"
    pnc = next(item for item in run["items"] if item["id"] == "pnc-record")
    assert pnc["value"] == "yes"
    assert [(h["value"], h["correction"]) for h in pnc["history"]] == [
        ("no", False),
        ("yes", True),
    ]
    assert log.verify(service.uow.db).ok


def test_report_json_from_the_command_line_shows_every_answer(
    service: Context, tmp_path, monkeypatch
):
    dialogue = Dialogue(service)
    user = people.local_user(service, "Test investigator", "investigator")
    dialogue.handle(user, "/new")
    replies = dialogue.handle(user, "43/55555/26")
    replies = press_label(dialogue, user, replies, "Bad character")
    replies = press_label(dialogue, user, replies, "No")
    dialogue.handle(user, "Awaiting PNC access")
    monkeypatch.setenv("SOTERIA_DB", str(tmp_path / "soteria.db"))
    monkeypatch.setenv("SOTERIA_PLAYBOOKS", str(PLAYBOOKS_DIR))
    result = CliRunner().invoke(
        cli, ["report", "--case", "43/55555/26", "--format", "json", "--purpose", "audit"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["case"] == "43/55555/26"
    run = data["runs"][0]
    assert (run["playbook"], run["version"], run["state"]) == ("bad-character", 3, "asking")
    pnc = run["items"][0]
    assert (pnc["id"], pnc["status"], pnc["value"], pnc["reason"]) == (
        "pnc-record",
        "not-done",
        "no",
        "Awaiting PNC access",
    )
    assert pnc["who"].startswith("user:")
    table = CliRunner().invoke(cli, ["report", "--case", "43/55555/26", "--purpose", "audit"])
    assert "NOT DONE   pnc-record: No — Awaiting PNC access" in table.output


def test_the_screen_refuses_personal_details_and_stores_nothing(service: Context):
    dialogue = Dialogue(service)
    user = people.local_user(service, "Test investigator", "investigator")
    dialogue.handle(user, "/new")
    replies = dialogue.handle(user, "43/77777/26")
    replies = press_label(dialogue, user, replies, "Bad character")
    press_label(dialogue, user, replies, "No")
    before = len(log.entries(service.uow.db))
    replies = dialogue.handle(user, "victim Jane Smith asked us to wait, call 07700 900123")
    assert (
        "don't type personal details" in replies[0].text.lower()
        or "personal details" in replies[0].text
    )
    assert len(log.entries(service.uow.db)) == before


# --- the real command, killed ---------------------------------------------------------------


class Chat:
    """`soteria-bot chat` as a subprocess, read line by line with timeouts."""

    def __init__(self, folder: Path) -> None:
        env = {
            **os.environ,
            "SOTERIA_DB": str(folder / "soteria.db"),
            "SOTERIA_PLAYBOOKS": str(PLAYBOOKS_DIR),
            "SOTERIA_CASE_KEY": "crime-reference",  # the walk types a crime reference
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat"], cwd=folder, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
        )  # fmt: skip
        self.seen = ""

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0 or (
                self.proc.poll() is not None
                and not select.select([self.proc.stdout], [], [], 0)[0]
            ):
                raise AssertionError(f"did not see {text!r}; saw:\n{self.seen[-2000:]}")
            ready, _, _ = select.select([self.proc.stdout], [], [], min(left, 0.5))
            if ready:
                self.seen += os.read(self.proc.stdout.fileno(), 65536).decode()
        return self.seen

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.close()

    def close(self) -> None:
        self.proc.wait(timeout=10)
        self.proc.stdin.close()
        self.proc.stdout.close()


def test_killed_right_after_an_acknowledged_answer_it_resumes_at_the_next_item_with_the_answer_kept_once(
    tmp_path: Path,
):
    chat = Chat(tmp_path)
    try:
        chat.wait_for("Nothing is waiting for you")
        chat.send("/new")
        chat.wait_for("Send the crime reference")
        chat.send("43/24680/26")
        menu = chat.wait_for(") Victim personal statement")  # the menu's last option
        number = next(
            line.split(")")[0].strip() for line in menu.splitlines() if "Bad character" in line
        )
        chat.send(number)
        chat.wait_for("PNC record")
        chat.send("1")  # Yes: acknowledged when the next item is shown
        chat.wait_for("PND and local intelligence")
        chat.kill()
    finally:
        if not chat.proc.stdout.closed:
            chat.kill()
    again = Chat(tmp_path)
    try:
        shown = again.wait_for("PND and local intelligence")
        assert "PNC record" not in shown.split("terminal chat", 1)[1]
        again.send("/quit")
        again.wait_for("Bye.")
        again.close()
    finally:
        if not again.proc.stdout.closed:
            again.kill()
    db = connect(tmp_path / "soteria.db")
    answers = [logged.entry for logged in log.entries(db) if logged.entry.kind == "answered"]
    assert [(entry.item, entry.value) for entry in answers] == [("pnc-record", "yes")]
    assert log.verify(db).ok


def test_the_terminal_wraps_to_its_width_and_takes_the_words_on_the_buttons(service: Context):
    """A narrow terminal gets whole words on each line; typed 'yes' answers; a note prints."""
    import io

    from bot.adapters.console import Console

    user = people.local_user(service, "Local", "investigator")
    out = io.StringIO()
    console = Console(Dialogue(service), user, out, width=40)
    console.feed("/new")
    console.feed("43/12345/26")
    number = next(
        line.split(")")[0].strip()
        for line in out.getvalue().splitlines()
        if "Bad character" in line and ")" in line
    )
    for line in (number, "yes", "yes I did it"):
        console.feed(line)
    shown = out.getvalue()
    assert all(len(line) <= 40 for line in shown.splitlines()), shown
    assert "PND and local intelligence" in shown  # 'yes' answered the first question
    assert "Please tap a button above, or type its" in shown
    words = {word for line in shown.splitlines() for word in line.split()}
    assert "intelligence" in words  # no word broken at the edge
