"""What a case is known by: handles on a new installation, the key a database was created with
ever after, and one sentence for a setting that contradicts it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.store.db import connect

from ..apps import enrol
from ..conftest import PLAYBOOKS_DIR


@pytest.fixture(name="db_path")
def _db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state" / "soteria.db"
    monkeypatch.setenv("SOTERIA_DB", str(path))
    monkeypatch.setenv("SOTERIA_PLAYBOOKS", str(PLAYBOOKS_DIR))
    monkeypatch.delenv("SOTERIA_CASE_KEY", raising=False)
    return path


def chat(*lines: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["chat"], input="\n".join(lines) + "\n")
    return result.exit_code, result.output


def recorded_key(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT value FROM installation WHERE name = 'case-key'").fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


def made_by_an_older_release(path: Path, refs: list[str]) -> None:
    """A database as an older release left it: cases keyed one way, and no key recorded."""
    db = connect(path)
    try:
        officer = enrol(db, "Jo", "investigator", "North", _now())
        for ref in refs:
            db.execute(
                "INSERT INTO cases (ref, team, officer_id, opened_at, opened_by) "
                "VALUES (?, 'North', ?, '2026-01-05T09:00:00.000000+00:00', ?)",
                [ref, officer.id, officer.id],
            )
        db.execute("DELETE FROM installation WHERE name = 'case-key'")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = '0014-case-key'")
    finally:
        db.close()


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_new_installation_keys_cases_by_handle(db_path):
    code, output = chat("/new")

    assert code == 0, output
    assert "New case handle: C-" in output
    assert "Send the crime reference" not in output
    assert recorded_key(db_path) == "handle"


def test_a_new_installation_told_to_use_crime_references_keeps_to_them(db_path, monkeypatch):
    monkeypatch.setenv("SOTERIA_CASE_KEY", "crime-reference")

    code, output = chat("/new", "43/12345/26")

    assert code == 0, output
    assert "Send the crime reference for the new case" in output
    assert recorded_key(db_path) == "crime-reference"
    monkeypatch.delenv("SOTERIA_CASE_KEY")
    assert "Send the crime reference for the new case" in chat("/new")[1]


@pytest.mark.parametrize(
    ("refs", "key"),
    [(["43/12345/26"], "crime-reference"), (["C-7K3M9Q", "C-ABCDEF"], "handle")],
    ids=["crime-references", "handles"],
)
def test_a_database_from_an_older_release_keeps_the_key_its_cases_were_opened_under(
    db_path, refs, key
):
    made_by_an_older_release(db_path, refs)

    code, output = chat("/new")

    assert code == 0, output
    assert recorded_key(db_path) == key
    said = "New case handle: C-" if key == "handle" else "Send the crime reference"
    assert said in output


def test_an_older_installation_with_no_case_yet_stays_on_crime_references(db_path):
    made_by_an_older_release(db_path, [])

    assert "Send the crime reference for the new case" in chat("/new")[1]
    assert recorded_key(db_path) == "crime-reference"


def test_a_setting_that_contradicts_the_database_is_refused_in_one_sentence(db_path, monkeypatch):
    made_by_an_older_release(db_path, ["43/12345/26"])
    monkeypatch.setenv("SOTERIA_CASE_KEY", "handle")

    result = CliRunner().invoke(cli, ["users", "list"])

    assert result.exit_code == 2
    assert result.output == (
        "Error: SOTERIA_CASE_KEY is handle, but this database keys its cases by "
        "crime-reference, as they were opened; unset SOTERIA_CASE_KEY or set it to "
        "crime-reference.\n"
    )


def test_the_key_can_still_change_while_no_case_is_open(db_path, monkeypatch):
    chat("/help")
    assert recorded_key(db_path) == "handle"
    monkeypatch.setenv("SOTERIA_CASE_KEY", "crime-reference")

    code, output = chat("/new", "43/12345/26")

    assert code == 0, output
    assert recorded_key(db_path) == "crime-reference"
    monkeypatch.setenv("SOTERIA_CASE_KEY", "handle")
    assert CliRunner().invoke(cli, ["users", "list"]).exit_code == 2
