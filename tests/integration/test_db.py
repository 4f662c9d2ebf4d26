"""The database is opened for durable writes, migrated once, and written in whole transactions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
import sqlite_utils

from bot.core.channels import Identity
from bot.core.people import User
from bot.core.records import Entry
from bot.store import log
from bot.store.db import connect, migrate, migrations, transaction
from bot.store.inbox import InboxRepository
from bot.store.users import UserRepository

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def pragma(db: sqlite_utils.Database, name: str) -> object:
    return db.execute(f"PRAGMA {name}").fetchone()[0]


def add_user(db: sqlite_utils.Database, name: str = "Sam") -> int:
    cursor = db.execute(
        "INSERT INTO users (name, role, team, created_at) VALUES (?, 'investigator', 'North', ?)",
        [name, NOW.isoformat()],
    )
    return int(cursor.lastrowid or 0)


def test_connecting_creates_the_folder_and_sets_durable_pragmas(db, db_path):
    assert db_path.is_file()
    assert pragma(db, "journal_mode") == "wal"
    assert pragma(db, "synchronous") == 2  # FULL
    assert pragma(db, "foreign_keys") == 1
    assert pragma(db, "busy_timeout") == 5000


def test_the_schema_has_every_table(db):
    assert set(db.table_names()) >= {
        "users",
        "invites",
        "cases",
        "case_events",
        "playbook_versions",
        "runs",
        "log",
        "log_head",
        "identities",
        "inbox",
    }
    assert "processed" not in db.table_names()


def test_an_in_memory_database_works_for_tests():
    db = connect(":memory:")
    try:
        assert "log" in db.table_names()
        assert pragma(db, "foreign_keys") == 1
    finally:
        db.close()


def test_applying_the_migrations_twice_is_harmless(db, db_path):
    add_user(db)
    schema = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()

    migrate(db)
    again = connect(db_path)
    try:
        migrate(again)
        assert again.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
        assert again.execute("SELECT count(*) FROM users").fetchone()[0] == 1
        applied = again.execute("SELECT name FROM _sqlite_migrations").fetchall()
        assert applied == [
            ("0001-initial-schema",),
            ("0002-case-links",),
            ("0003-oversight",),
            ("0004-publishing",),
            ("0005-channels",),
            ("0006-case-events",),
            ("0007-invite-names",),
            ("0008-inbox",),
            ("0009-reachability",),
            ("0010-published-kept",),
            ("0011-imported-lines",),
            ("0012-installation",),
            ("0013-seals",),
            ("0014-case-key",),
            ("0015-access-log",),
            ("0016-disposal",),
            ("0017-read-model",),
            ("0018-read-model-tallies",),
            ("0019-waiting-index",),
        ]
    finally:
        again.close()


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        db.execute(
            "INSERT INTO cases (ref, team, officer_id, opened_at, opened_by) "
            "VALUES ('42/1/25', 'North', 99, ?, 99)",
            [NOW.isoformat()],
        )


def test_a_role_outside_the_four_is_refused(db):
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute(
            "INSERT INTO users (name, role, team, created_at) VALUES ('X', 'chief', 'N', 'now')"
        )


def test_a_transaction_rolls_back_everything_on_error(db):
    def open_a_case_and_fail() -> None:
        with transaction(db):
            add_user(db)
            log.append(db, [Entry("case-opened", "42/1/25", "user:1", NOW)])
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        open_a_case_and_fail()

    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    assert log.entries(db) == []
    assert db.execute("SELECT seq FROM log_head").fetchone()[0] == 0
    assert not db.conn.in_transaction


def test_a_committed_transaction_is_seen_by_a_new_connection(db, db_path):
    with transaction(db):
        add_user(db)

    other = sqlite3.connect(db_path)
    try:
        assert other.execute("SELECT name FROM users").fetchall() == [("Sam",)]
    finally:
        other.close()


def test_a_nested_transaction_is_a_savepoint_undone_alone(db):
    def add_inner_and_fail() -> None:
        with transaction(db):
            add_user(db, "Inner")
            raise ValueError("inner")

    with transaction(db):
        add_user(db, "Outer")
        with pytest.raises(ValueError, match="inner"):
            add_inner_and_fail()
        assert db.conn.in_transaction

    names = [row[0] for row in db.execute("SELECT name FROM users")]
    assert names == ["Outer"]


def test_a_transaction_takes_the_write_lock_at_once(db, db_path):
    other = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    try:
        with transaction(db):
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            add_user(db)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_database_of_the_last_release_opens_with_its_people_and_updates_kept(tmp_path):
    """Telegram ids move from `users` into identities; handled updates keep their keys."""
    path = tmp_path / "soteria.db"
    old = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    old.execute("PRAGMA foreign_keys = ON")
    migrations.apply(old, stop_before="0005-channels")
    for name, telegram_id in (("Sam", 555), ("Local investigator", None)):
        old.execute(
            "INSERT INTO users (name, role, team, telegram_id, created_at)"
            " VALUES (?, 'investigator', 'North', ?, ?)",
            [name, telegram_id, NOW.isoformat()],
        )
    old.execute(
        "INSERT INTO cases (ref, team, officer_id, opened_at, opened_by)"
        " VALUES ('43/1/26', 'North', 1, ?, 1)",
        [NOW.isoformat()],
    )
    old.execute("INSERT INTO updates (update_id, handled_at) VALUES (77, ?)", [NOW.isoformat()])
    old.close()

    db = connect(path)
    try:
        users = UserRepository(db)
        assert users.by_identity(Identity("telegram", "555")) == User(
            1, "Sam", "investigator", "North"
        )
        local = users.by_identity(Identity("console", "investigator:Local investigator"))
        assert local is not None
        assert local.id == 2
        assert "telegram_id" not in db["users"].columns_dict
        # Update 77, handled before the inbox existed, is still known as handled.
        assert InboxRepository(db).keep("telegram", "77", '{"update_id":77}', NOW) is None
        assert InboxRepository(db).keep("telegram", "78", '{"update_id":78}', NOW) is not None
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert log.verify(db).ok
    finally:
        db.close()


def test_a_case_of_the_last_release_keeps_its_milestones_as_first_occurrences(tmp_path):
    """Each milestone a case had becomes occurrence 1 of that event; the old table goes."""
    path = tmp_path / "soteria.db"
    old = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    old.execute("PRAGMA foreign_keys = ON")
    migrations.apply(old, stop_before="0006-case-events")
    old.execute(
        "INSERT INTO users (name, role, team, created_at) VALUES ('Sam', 'investigator', 'North', ?)",
        [NOW.isoformat()],
    )
    old.execute(
        "INSERT INTO cases (ref, team, officer_id, opened_at, opened_by)"
        " VALUES ('43/1/26', 'North', 1, ?, 1)",
        [NOW.isoformat()],
    )
    for name, when in (("report", "2026-01-05"), ("charge", "2026-06-01")):
        old.execute(
            "INSERT INTO milestones (case_id, name, date, recorded_at, recorded_by)"
            " VALUES (1, ?, ?, ?, 1)",
            [name, when, NOW.isoformat()],
        )
    old.close()

    db = connect(path)
    try:
        rows = db.execute(
            "SELECT name, occurrence, date FROM case_events ORDER BY date"
        ).fetchall()
        assert rows == [("report", 1, "2026-01-05"), ("charge", 1, "2026-06-01")]
        assert "milestones" not in db.table_names()
        assert db.execute("SELECT closed_at FROM cases").fetchone() == (None,)
    finally:
        db.close()
