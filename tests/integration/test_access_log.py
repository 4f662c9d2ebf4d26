"""The access log (DPA 2018 s.62) keeps every consultation in a hash chain of its own, and
`verify` finds any change to it, naming the record."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from bot.core.consultation import Access
from bot.store.access_log import AccessLog
from bot.store.db import connect, transaction

from .tampering import tamper

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def view(number: int, **extra: object) -> Access:
    fields: dict[str, object] = {
        "at": T0 + timedelta(minutes=number),
        "actor": "user:3",
        "action": "view",
        "subject": "case:7",
        "cases": (7,),
        "purpose": "supervision",
        "detail": {"via": "/case"},
    }
    fields.update(extra)
    return Access(**fields)  # type: ignore[arg-type]


@pytest.fixture(name="five")
def _five(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """An access log of five views."""
    with transaction(db):
        for number in range(1, 6):
            AccessLog(db).append(view(number))
    return db


def verdict_of(db_path: Path):
    db = connect(db_path)
    try:
        return AccessLog(db).verify()
    finally:
        db.close()


def test_appended_accesses_read_back_in_order_with_their_chain(db):
    with transaction(db):
        first = AccessLog(db).append(view(1))
        second = AccessLog(db).append(view(2, cases=(7, 9), subject="team:North RASSO"))

    assert (first.seq, second.seq) == (1, 2)
    assert AccessLog(db).records() == [first, second]
    assert second.access.cases == (7, 9)
    assert db.execute("SELECT prev_hash FROM access_log WHERE seq = 2").fetchone()[0] == first.hash


def test_an_untouched_access_log_verifies(five):
    verdict = AccessLog(five).verify()

    assert verdict.ok
    assert verdict.message == "Access log verified: 5 records, chain intact."


def test_an_empty_access_log_verifies(db):
    assert AccessLog(db).verify().ok


def test_sqlite_refuses_to_change_or_remove_an_access_record(five):
    for statement in (
        "UPDATE access_log SET purpose = 'training' WHERE seq = 2",
        "DELETE FROM access_log WHERE seq = 2",
        "DELETE FROM access_head",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            five.execute(statement)


def test_a_purpose_changed_with_the_triggers_dropped_is_named(five, db_path):
    tamper(
        db_path,
        "DROP TRIGGER access_log_no_update",
        "UPDATE access_log SET purpose = 'training' WHERE seq = 3",
    )

    verdict = verdict_of(db_path)

    assert not verdict.ok
    assert verdict.first_bad_seq == 3
    assert verdict.message.startswith("Access record 3 was altered")


def test_a_removed_access_record_is_found_as_a_gap_or_through_the_head(five, db_path):
    tamper(db_path, "DROP TRIGGER access_log_no_delete", "DELETE FROM access_log WHERE seq = 2")
    assert verdict_of(db_path).first_bad_seq == 3

    tamper(db_path, "DELETE FROM access_log WHERE seq = 5")
    assert "missing" in verdict_of(db_path).message


def test_the_last_access_records_removed_are_found_through_the_head(five, db_path):
    tamper(db_path, "DROP TRIGGER access_log_no_delete", "DELETE FROM access_log WHERE seq >= 4")

    verdict = verdict_of(db_path)

    assert not verdict.ok
    assert verdict.first_bad_seq == 4
    assert "the last 2 records are missing" in verdict.message


def test_a_purpose_chosen_today_is_found_for_that_person_and_case_only(five):
    access = AccessLog(five)

    assert access.purpose_since("user:3", "case:7", T0) == "supervision"
    assert access.purpose_since("user:3", "case:7", T0 + timedelta(hours=1)) is None
    assert access.purpose_since("user:4", "case:7", T0) is None
    assert access.purpose_since("user:3", "case:8", T0) is None


def test_records_can_be_read_for_one_case_one_person_or_since_a_time(db):
    with transaction(db):
        log = AccessLog(db)
        log.append(view(1))
        log.append(view(2, actor="user:4", subject="team:North", cases=(7, 8)))
        log.append(view(3, subject="case:8", cases=(8,)))
        log.append(view(4, subject="force", cases=()))

    log = AccessLog(db)
    assert [r.seq for r in log.records(case_id=7)] == [1, 2]
    assert [r.seq for r in log.records(case_id=8)] == [2, 3]
    assert [r.seq for r in log.records(actor="user:4")] == [2]
    assert [r.seq for r in log.records(since=T0 + timedelta(minutes=3))] == [3, 4]


def test_refused_enrolments_are_counted_per_account_and_across_the_force(db):
    with transaction(db):
        log = AccessLog(db)
        for number, who in enumerate(["telegram:1", "telegram:1", "telegram:2"], 1):
            log.append(
                view(
                    number,
                    actor=who,
                    action="enrol-refused",
                    subject="enrolment",
                    cases=(),
                    purpose=None,
                    detail={"why": "unknown code", "checked": "yes"},
                )
            )
        log.append(
            view(
                4,
                actor="telegram:1",
                action="enrol-refused",
                subject="enrolment",
                cases=(),
                purpose=None,
                detail={"why": "too many tries from this account", "checked": "no"},
            )
        )

    log = AccessLog(db)
    assert log.refused_enrolments(T0) == 3
    assert log.refused_enrolments(T0, actor="telegram:1") == 2
    assert log.refused_enrolments(T0 + timedelta(minutes=3)) == 1
    assert log.unheard_since("telegram:1", T0) is True
    assert log.unheard_since("telegram:2", T0) is False
