"""Case handles: with SOTERIA_CASE_KEY=handle no crime reference passes through the chat."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.conversation.dialogue import Dialogue
from bot.core.errors import InputRefused
from bot.services import cases, people
from bot.services.context import Context
from bot.store.db import connect
from bot.store.playbook_files import load_library

from ..apps import make_app
from ..conftest import PLAYBOOKS_DIR

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
LIBRARY = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)


@pytest.fixture(name="db_path")
def _db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "soteria.db"
    monkeypatch.setenv("SOTERIA_DB", str(path))
    monkeypatch.setenv("SOTERIA_PLAYBOOKS", str(PLAYBOOKS_DIR))
    monkeypatch.setenv("SOTERIA_CASE_KEY", "handle")
    return path


def handle_service(path: Path) -> Context:
    return make_app(connect(path), LIBRARY, clock=lambda: NOW, case_key="handle")


def opened_by_handle(service: Context) -> tuple[Dialogue, str]:
    """An investigator sends /new; the bot issues a handle and offers the playbooks."""
    dialogue = Dialogue(service)
    user = people.local_user(service, "Casey", "investigator")
    replies = dialogue.handle(user, "/new")
    handle = replies[0].text.split("New case handle: ")[1].split(".")[0]
    return dialogue, handle


def test_new_issues_a_handle_and_never_asks_for_the_crime_reference(db_path: Path):
    """/new answers with a handle like C-7K3M9Q and the playbook menu, in one step."""
    service = handle_service(db_path)
    dialogue = Dialogue(service)
    user = people.local_user(service, "Casey", "investigator")
    replies = dialogue.handle(user, "/new")
    assert "crime reference" not in replies[0].text.split(";")[0]
    assert "do not send the crime reference here" in replies[0].text
    handle = replies[0].text.split("New case handle: ")[1].split(".")[0]
    assert len(handle) == 8
    assert handle.startswith("C-")
    assert replies[1].options  # the playbooks to start
    assert [case.ref for case in cases.my_cases(service, user)] == [handle]


def test_a_crime_reference_typed_where_a_handle_is_expected_is_refused(db_path: Path):
    """Typing a crime reference to find a case gets a sentence, and nothing is opened."""
    service = handle_service(db_path)
    user = people.local_user(service, "Casey", "investigator")
    with pytest.raises(InputRefused, match="not a case handle"):
        cases.open_case(service, user, "43/12345/26")
    assert service.uow.db["cases"].count == 0


def test_an_administrator_links_the_handle_and_the_report_finds_it_by_either(db_path: Path):
    """`cases link` joins handle and crime reference on the server; reports take either key."""
    _, handle = opened_by_handle(handle_service(db_path))
    runner = CliRunner()
    linked = runner.invoke(cli, ["cases", "link", handle.lower(), "43/12345/26"])
    assert linked.exit_code == 0, linked.output
    assert linked.output == f"Linked {handle} to 43/12345/26.\n"
    by_ref = runner.invoke(
        cli, ["report", "--case", "43/12345/26", "--format", "json", "--purpose", "audit"]
    )
    by_handle = runner.invoke(
        cli, ["report", "--case", handle, "--format", "json", "--purpose", "audit"]
    )
    assert by_ref.exit_code == 0, by_ref.output
    assert by_ref.output == by_handle.output
    assert f'"case": "{handle}"' in by_ref.output
    assert '"crime_reference": "43/12345/26"' in by_ref.output


def test_a_handle_or_a_reference_cannot_be_linked_twice(db_path: Path):
    """A second link for the same handle, or the same reference, is refused in a sentence."""
    service = handle_service(db_path)
    _, first = opened_by_handle(service)
    _, second = opened_by_handle(service)
    runner = CliRunner()
    assert runner.invoke(cli, ["cases", "link", first, "43/12345/26"]).exit_code == 0
    again = runner.invoke(cli, ["cases", "link", first, "43/99999/26"])
    assert again.exit_code == 1
    assert f"{first} is already linked to 43/12345/26" in again.output
    taken = runner.invoke(cli, ["cases", "link", second, "43/12345/26"])
    assert taken.exit_code == 1
    assert f"43/12345/26 is already linked to {first}" in taken.output
    unknown = runner.invoke(cli, ["cases", "link", "C-2222222", "43/11111/26"])
    assert unknown.exit_code == 1
    assert "not a case handle" in unknown.output


def test_the_default_keeps_the_crime_reference_as_the_key(tmp_path: Path):
    """With no setting, /new asks for the crime reference as before."""
    service = make_app(connect(tmp_path / "soteria.db"), LIBRARY, clock=lambda: NOW)
    user = people.local_user(service, "Casey", "investigator")
    assert "crime reference" in Dialogue(service).handle(user, "/new")[0].text
