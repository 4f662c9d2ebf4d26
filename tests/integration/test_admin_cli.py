"""The administrators' commands, run through click as `soteria-bot` runs them."""

from __future__ import annotations

import re
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.core.records import Entry
from bot.store import log
from bot.store.db import connect, transaction

from ..apps import enrol, redeem_invite

T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

group = cli


@pytest.fixture(name="db_path")
def _db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state" / "soteria.db"
    monkeypatch.setenv("SOTERIA_DB", str(path))
    monkeypatch.setenv("SOTERIA_TZ", "Europe/London")
    return path


@pytest.fixture(name="logged")
def _logged(db_path: Path) -> Path:
    """A database whose log holds an officer's enrolment and five answers of theirs."""
    db = connect(db_path)
    try:
        enrol(db, "Jo", "investigator", "North", T0)
        with transaction(db):
            log.append(
                db,
                [
                    Entry("answered", "42/1/25", "user:1", T0 + timedelta(minutes=n), 1, f"i{n}")
                    for n in range(5)
                ],
            )
    finally:
        db.close()
    return db_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(group, list(args))
    return result.exit_code, result.output


def invite(role: str = "investigator", team: str = "North RASSO") -> str:
    code, output = run("users", "invite", "--role", role, "--team", team)
    assert code == 0, output
    found = re.search(r"/start ([0-9A-Z]{10})$", output, re.MULTILINE)
    assert found, output
    return found.group(1)


def test_users_invite_prints_a_code_and_the_start_command(db_path):
    code, output = run("users", "invite", "--role", "supervisor", "--team", "North RASSO")

    assert code == 0, output
    assert "Enrolment code for a supervisor in North RASSO: " in output
    assert re.search(r"^The new user sends this to the bot:  /start [0-9A-Z]{10}$", output, re.M)
    assert "It works once, until " in output
    assert db_path.is_file()


@pytest.mark.parametrize("given", ["soteria_anyshire_bot", "@soteria_anyshire_bot"])
def test_users_invite_prints_the_deep_link_when_the_bot_username_is_set(
    db_path, monkeypatch: pytest.MonkeyPatch, given: str
):
    monkeypatch.setenv("SOTERIA_BOT_USERNAME", given)

    code, output = run("users", "invite", "--role", "investigator", "--team", "North")

    assert code == 0, output
    made = re.search(r"/start ([0-9A-Z]{10})$", output, re.MULTILINE)
    assert made, output
    assert output.splitlines()[-1] == (
        f"Or opens this link in Telegram:  https://t.me/soteria_anyshire_bot?start={made.group(1)}"
    )


def test_users_invite_says_how_to_form_the_link_when_the_bot_username_is_not_set(db_path):
    code, output = run("users", "invite", "--role", "investigator", "--team", "North")

    assert code == 0, output
    made = re.search(r"/start ([0-9A-Z]{10})$", output, re.MULTILINE)
    assert made, output
    assert output.splitlines()[-2:] == [
        f"Or opens https://t.me/BOT_USERNAME?start={made.group(1)} in Telegram, BOT_USERNAME being",
        "the bot's username from BotFather; set SOTERIA_BOT_USERNAME to have the link printed whole.",
    ]


def test_users_invite_refuses_an_unknown_role(db_path):
    code, output = run("users", "invite", "--role", "chief", "--team", "North")

    assert code == 2
    assert "'chief' is not one of" in output


def test_users_list_shows_enrolled_users_in_a_table(db_path):
    code_text = invite("supervisor")
    db = connect(db_path)
    try:
        redeem_invite(db, code_text, 1001, "Jo Bloggs", datetime.now(UTC))
        enrol(db, "Terminal Tester", "trainer", "Training", T0)
    finally:
        db.close()

    code, output = run("users", "list")

    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == ["ID", "NAME", "ROLE", "TEAM", "IN", "TRAINING", "TELEGRAM"]
    assert "Jo Bloggs" in lines[1]
    assert "supervisor" in lines[1]
    assert "linked" in lines[1]
    assert "Terminal Tester" in lines[2]
    assert "terminal only" in lines[2]


def test_users_list_says_when_nobody_is_enrolled(db_path):
    connect(db_path).close()

    code, output = run("users", "list")

    assert code == 0
    assert "No users are enrolled yet" in output


def test_users_revoke_removes_a_user_from_the_list(db_path):
    db = connect(db_path)
    try:
        user = enrol(db, "Jo Bloggs", "investigator", "North", T0)
    finally:
        db.close()

    code, output = run("users", "revoke", str(user.id))
    assert code == 0, output
    assert "Revoked Jo Bloggs" in output
    assert "No users are enrolled yet" in run("users", "list")[1]

    code, output = run("users", "revoke", str(user.id))
    assert code == 1
    assert f"Error: No enrolled user has the id {user.id}." in output
    assert "Traceback" not in output


def test_users_invite_with_a_name_says_who_the_code_is_for(db_path):
    code, output = run(
        "users",
        "invite",
        "--role",
        "investigator",
        "--team",
        "North RASSO",
        "--name",
        "DC Jo Bloggs",
    )

    assert code == 0, output
    assert "Enrolment code for DC Jo Bloggs, an investigator in North RASSO: " in output


def test_users_invites_lists_unused_codes_with_their_names_but_not_the_codes(db_path):
    named = run(
        "users", "invite", "--role", "trainer", "--team", "Training", "--name", "Tess Trainer"
    )[1]
    plain = invite("investigator", "North RASSO")
    used = invite("supervisor", "North RASSO")
    db = connect(db_path)
    try:
        redeem_invite(db, used, 1001, "Jo Bloggs", datetime.now(UTC))
    finally:
        db.close()

    code, output = run("users", "invites")

    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == ["ROLE", "TEAM", "NAME", "MADE", "EXPIRES"]
    assert len(lines) == 3
    assert {line.split()[0] for line in lines[1:]} == {"investigator", "trainer"}
    assert "Tess Trainer" in output
    assert "(Telegram name)" in output
    for code_text in (plain, used, re.findall(r"[2-9A-Z]{10}", named)[0]):
        assert code_text not in output


def test_users_invites_says_when_no_code_is_waiting(db_path):
    connect(db_path).close()

    assert run("users", "invites") == (
        0,
        "No enrolment codes are waiting to be used; `soteria-bot users invite` makes one.\n",
    )


def test_users_rename_changes_the_name_everyone_sees(db_path):
    db = connect(db_path)
    try:
        user = enrol(db, "Sam", "supervisor", "North", T0)
    finally:
        db.close()

    code, output = run("users", "rename", str(user.id), "DS Sam Patel")

    assert code == 0, output
    assert output == f"Renamed Sam (id {user.id}) to DS Sam Patel.\n"
    assert "DS Sam Patel" in run("users", "list")[1]
    assert run("users", "rename", "999", "Nobody") == (
        1,
        "Error: No enrolled user has the id 999.\n",
    )


def test_verify_passes_an_untouched_log(logged):
    code, output = run("verify")

    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == "Log verified: 6 records, chain intact."
    assert re.fullmatch(r"Head: record 6, hash [0-9a-f]{64}\.", lines[1])
    assert lines[2] == (
        f"Checkpoints: none in {logged.parent / 'checkpoints'} yet; `soteria-bot checkpoint` "
        "makes one (the bot makes one every day)."
    )
    assert lines[3] == (
        "People and playbook versions: 1 person and 0 versions match their seals in the log."
    )
    assert lines[4:] == ["Access log verified: 0 records, chain intact."]


def test_verify_names_an_altered_record_and_exits_1(logged):
    conn = sqlite3.connect(logged)
    conn.execute("DROP TRIGGER log_no_update")
    conn.execute("UPDATE log SET value = 'no' WHERE seq = 3")
    conn.commit()
    conn.close()

    code, output = run("verify")

    assert code == 1
    assert output.startswith("Record 3 was altered")


def test_verify_without_a_database_says_where_it_looked(db_path):
    code, output = run("verify")

    assert code == 1
    assert f"No database at {db_path}" in output
    assert not db_path.exists()


def test_verify_db_checks_a_backup_file_without_changing_it(logged, tmp_path):
    copy = tmp_path / "backups" / "monday.db"
    assert run("backup", str(copy), "--purpose", "audit")[0] == 0
    before = copy.read_bytes()

    code, output = run("verify", "--db", str(copy))

    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == f"{copy}: Log verified: 6 records, chain intact."
    assert lines[-1] == f"{copy}: Access log verified: 0 records, chain intact."
    assert copy.read_bytes() == before
    assert sorted(path.name for path in copy.parent.iterdir()) == ["monday.db"]


def test_verify_db_names_an_altered_record_of_a_backup(logged, tmp_path):
    copy = tmp_path / "monday.db"
    run("backup", str(copy), "--purpose", "audit")
    conn = sqlite3.connect(copy)
    conn.execute("DROP TRIGGER log_no_update")
    conn.execute("UPDATE log SET value = 'no' WHERE seq = 2")
    conn.commit()
    conn.close()

    code, output = run("verify", "--db", str(copy))

    assert code == 1
    assert output.startswith(f"{copy}: Record 2 was altered")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "No file at {path}; give the path of a backup of the bot's database."),
        (b"", "{path} is empty, so it is not a backup of the bot's database."),
        (
            b"crime,officer\n43/1/26,Jo\n" * 10,
            "{path} is not an SQLite database, so it is not a backup of the bot's database.",
        ),
        (
            "sqlite",
            "{path} is an SQLite database but not the bot's: it has no completion log.",
        ),
    ],
    ids=["missing", "empty", "text", "other-sqlite"],
)
def test_verify_db_refuses_what_is_not_a_backup_in_one_sentence(db_path, tmp_path, content, says):
    path = tmp_path / "copy.db"
    if content == "sqlite":
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE notes (text TEXT)")
        other.commit()
        other.close()
    elif content is not None:
        path.write_bytes(content)

    code, output = run("verify", "--db", str(path))

    assert code == 1
    assert output == f"Error: {says.format(path=path)}\n"
    assert not db_path.exists()  # the configured database is not touched, nor made


def test_backup_to_a_folder_writes_a_copy_with_the_same_log(logged, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()

    code, output = run("backup", str(folder), "--purpose", "audit")

    assert code == 0, output
    (copy,) = folder.iterdir()
    assert re.fullmatch(r"soteria-\d{8}-\d{6}\.db", copy.name)
    assert f"to {copy}." in output
    original, copied = connect(logged), connect(copy)
    try:
        assert log.entries(copied) == log.entries(original)
        assert log.verify(copied).ok
    finally:
        original.close()
        copied.close()


def test_backup_refuses_to_overwrite_a_file(logged, tmp_path):
    target = tmp_path / "copy.db"
    assert run("backup", str(target), "--purpose", "audit")[0] == 0
    size = target.stat().st_size

    code, output = run("backup", str(target), "--purpose", "audit")

    assert code == 1
    assert "already exists" in output
    assert target.stat().st_size == size


def test_backup_while_another_connection_writes_copies_only_what_was_committed(logged, tmp_path):
    writer = sqlite3.connect(logged, isolation_level=None, check_same_thread=False)
    # The write commits a moment after the copy is taken; the backup's own access record then
    # waits for the write lock, as it would behind any of the bot's writes.
    commit = threading.Timer(1.0, writer.execute, ["COMMIT"])
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO users (name, role, team, created_at) VALUES ('W', 'admin', 'HQ', 'x')"
        )
        commit.start()
        code, output = run("backup", str(tmp_path / "during.db"), "--purpose", "audit")
    finally:
        commit.join()
        writer.close()

    assert code == 0, output
    copy = sqlite3.connect(tmp_path / "during.db")
    try:
        assert copy.execute("SELECT count(*) FROM log").fetchone() == (6,)
        assert copy.execute("SELECT count(*) FROM users").fetchone() == (1,)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    finally:
        copy.close()


@pytest.mark.parametrize(
    "path",
    [
        ("verify",),
        ("backup",),
        ("users",),
        ("users", "invite"),
        ("users", "list"),
        ("users", "revoke"),
        ("users", "rename"),
        ("users", "invites"),
    ],
    ids=" ".join,
)
def test_every_admin_command_has_help_with_an_example(path):
    code, output = run(*path, "--help")

    assert code == 0
    assert "Example:" in output


def test_screen_says_ok_or_refused_with_why_for_each_line(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "Arrested 3/11, interview booked\nspoke to Jane Smith\nV in hospital after overdose\n",
        encoding="utf-8",
    )

    code, output = run("screen", str(notes))
    assert code == 0, output
    assert output.splitlines() == ["ok", "refused\ta name", "ok"]

    code, output = run("screen", "--focus", "victim", str(notes))
    assert output.splitlines()[2] == "refused\ta health detail"
