"""The completion log keeps every entry in a hash chain, and `verify` finds any tampering."""

from __future__ import annotations

import itertools
import json
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.records import ENTRY_KINDS, Entry
from bot.store import log
from bot.store.db import connect, transaction

from .tampering import tamper

T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def entry(number: int, **extra: object) -> Entry:
    fields: dict[str, object] = {
        "kind": "answered",
        "case_ref": "42/12345/25",
        "actor": "user:1",
        "at": T0 + timedelta(minutes=number),
        "run_id": 1,
        "item": f"item-{number}",
        "value": "yes",
    }
    fields.update(extra)
    return Entry(**fields)  # type: ignore[arg-type]


@pytest.fixture(name="ten")
def _ten(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """A log of ten answers."""
    with transaction(db):
        log.append(db, [entry(n) for n in range(1, 11)])
    return db


def verdict_of(db_path: Path) -> log.Verdict:
    db = connect(db_path)
    try:
        return log.verify(db)
    finally:
        db.close()


def test_appended_entries_read_back_in_order_with_utc_times(db):
    london = timezone(timedelta(hours=1))
    first = entry(1, at=datetime(2025, 6, 1, 10, 0, tzinfo=london), detail={"b": "2", "a": "1"})
    second = entry(2, kind="transition", item=None, value=None, detail={"event": "submit"})
    with transaction(db):
        logged = log.append(db, [first, second])

    assert [record.seq for record in logged] == [1, 2]
    read = log.entries(db)
    assert read == logged
    assert read[0].entry == first
    assert read[0].entry.at.tzinfo == UTC
    assert read[0].entry.at.hour == 9
    assert read[1].entry.detail == {"event": "submit"}


def test_entries_can_be_read_for_one_run_or_one_case(db):
    with transaction(db):
        log.append(
            db,
            [
                entry(1, run_id=1, case_ref="A/1"),
                entry(2, run_id=2, case_ref="A/1"),
                entry(3, run_id=3, case_ref="B/2"),
                entry(4, run_id=None, case_ref="B/2", kind="case-opened"),
            ],
        )

    assert [r.seq for r in log.entries(db, run_id=2)] == [2]
    assert [r.seq for r in log.entries(db, case_ref="B/2")] == [3, 4]
    assert [r.seq for r in log.entries(db, run_id=1, case_ref="B/2")] == []


def test_each_record_carries_the_hash_of_the_one_before(ten):
    logged = log.entries(ten)
    rows = ten.execute("SELECT seq, prev_hash, hash FROM log ORDER BY seq").fetchall()

    assert rows[0][1] == "0" * 64
    for before, after in itertools.pairwise(rows):
        assert after[1] == before[2]
    assert [record.hash for record in logged] == [row[2] for row in rows]


def test_an_untouched_log_verifies(ten):
    verdict = log.verify(ten)

    head = log.entries(ten)[-1].hash
    assert verdict == log.Verdict(
        ok=True,
        checked=10,
        first_bad_seq=None,
        message="Log verified: 10 records, chain intact.",
        notes=(f"Head: record 10, hash {head}.",),
    )


def test_an_empty_log_verifies(db):
    assert log.verify(db).ok
    assert log.verify(db).checked == 0


def test_sqlite_itself_refuses_an_update_of_a_log_record(ten):
    """The log_no_update trigger refuses UPDATE inside SQLite, whoever connects."""
    with pytest.raises(sqlite3.IntegrityError, match="the completion log is append-only"):
        ten.execute("UPDATE log SET value = 'no' WHERE seq = 3")

    assert log.entries(ten)[2].entry.value == "yes"


def test_sqlite_itself_refuses_a_delete_of_a_log_record(ten):
    """The log_no_delete trigger refuses DELETE inside SQLite, whoever connects."""
    with pytest.raises(sqlite3.IntegrityError, match="the completion log is append-only"):
        ten.execute("DELETE FROM log WHERE seq = 10")

    assert len(log.entries(ten)) == 10


def test_a_record_that_does_not_follow_the_last_one_is_refused(ten):
    with pytest.raises(sqlite3.IntegrityError, match="must follow the last one"):
        ten.execute(
            "INSERT INTO log (seq, case_ref, kind, actor, at, detail, prev_hash, hash) "
            "VALUES (11, 'X', 'answered', 'u', 't', '{}', ?, 'h')",
            ["0" * 64],
        )


def test_with_the_triggers_dropped_an_altered_record_is_still_named_by_verify(ten, db_path):
    """Someone drops the trigger and changes an answer: verify names the record."""
    tamper(db_path, "DROP TRIGGER log_no_update", "UPDATE log SET value = 'no' WHERE seq = 7")

    verdict = verdict_of(db_path)

    assert not verdict.ok
    assert verdict.first_bad_seq == 7
    assert verdict.checked == 6
    assert verdict.message.startswith("Record 7 was altered")


def reseal(db_path: Path, seq: int, **changes: object) -> None:
    """Change a record and recompute its own hash, leaving the records after it alone."""
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute(f"SELECT {log.COLUMNS} FROM log WHERE seq = ?", [seq]).fetchone()
        fields = dict(zip(log.COLUMNS.split(", "), row, strict=True))
        fields.update(changes)
        digest = log.record_hash(
            fields["seq"], fields["case_ref"], fields["run_id"], fields["kind"], fields["item"],
            fields["value"], fields["actor"], fields["at"], json.loads(fields["detail"]),
            fields["prev_hash"],
        )  # fmt: skip
        conn.execute("DROP TRIGGER IF EXISTS log_no_update")
        sets = ", ".join(f"{name} = ?" for name in changes)
        conn.execute(
            f"UPDATE log SET {sets}, hash = ? WHERE seq = ?", [*changes.values(), digest, seq]
        )
        conn.commit()
    finally:
        conn.close()


def test_an_altered_record_with_a_recomputed_hash_is_named_not_the_one_after_it(ten, db_path):
    reseal(db_path, 4, value="no")

    verdict = verdict_of(db_path)

    assert verdict.first_bad_seq == 4
    assert verdict.message == (
        "Record 4 was altered and its hash recomputed: record 5 still carries the hash "
        "record 4 had when it was written."
    )


def test_the_last_record_altered_with_a_recomputed_hash_is_named_through_the_head(ten, db_path):
    reseal(db_path, 10, value="no")

    verdict = verdict_of(db_path)

    assert verdict.first_bad_seq == 10
    assert verdict.message == (
        "Record 10 was altered and its hash recomputed: the log's head still holds the hash "
        "record 10 had when it was written."
    )


def test_with_the_triggers_dropped_a_deleted_record_is_named_as_missing(ten, db_path):
    """Someone drops the trigger and deletes a record: verify names the one missing."""
    tamper(db_path, "DROP TRIGGER log_no_delete", "DELETE FROM log WHERE seq = 5")

    verdict = verdict_of(db_path)

    assert verdict.first_bad_seq == 5
    assert verdict.message == "Record 5 is missing: the log goes from record 4 to record 6."


def test_the_first_records_deleted_are_named(ten, db_path):
    tamper(db_path, "DROP TRIGGER log_no_delete", "DELETE FROM log WHERE seq IN (1, 2)")

    verdict = verdict_of(db_path)

    assert verdict.first_bad_seq == 1
    assert verdict.message == "Records 1 to 2 are missing: the log starts at record 3."


def test_a_record_deleted_with_the_rest_renumbered_is_named_as_missing(ten, db_path):
    tamper(
        db_path,
        "DROP TRIGGER log_no_delete",
        "DROP TRIGGER log_no_update",
        "DELETE FROM log WHERE seq = 6",
        "UPDATE log SET seq = seq - 1 WHERE seq > 6",
    )

    verdict = verdict_of(db_path)

    assert verdict.first_bad_seq == 6
    assert verdict.message == (
        "Record 6 is missing: the records after it were renumbered "
        "(the record now numbered 6 was written as record 7)."
    )


def forge_insert(db_path: Path, at: int, count: int = 1) -> None:
    """Insert forged records at `at`, sealed and chained, renumbering the ones after them."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("DROP TRIGGER log_no_update")
        conn.execute("DROP TRIGGER log_follows_head")
        conn.execute("DROP TRIGGER log_moves_head")
        conn.execute("UPDATE log SET seq = -seq WHERE seq >= ?", [at])
        conn.execute("UPDATE log SET seq = -seq + ? WHERE seq < 0", [count])
        prev = conn.execute("SELECT hash FROM log WHERE seq = ?", [at - 1]).fetchone()[0]
        for seq in range(at, at + count):
            when = "2025-03-01T09:45:00.000000+00:00"
            digest = log.record_hash(seq, "42/12345/25", 1, "answered", "forged", "yes",
                                     "user:1", when, {}, prev)  # fmt: skip
            conn.execute(
                f"INSERT INTO log ({log.COLUMNS}) VALUES (?, '42/12345/25', 1, 'answered',"
                " 'forged', 'yes', 'user:1', ?, '{}', ?, ?)",
                [seq, when, prev, digest],
            )
            prev = digest
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("count", [1, 3])
def test_forged_records_inserted_in_the_middle_are_named(ten, db_path, count):
    forge_insert(db_path, 7, count)

    verdict = verdict_of(db_path)

    assert verdict.first_bad_seq == 7
    what = "Record 7 was" if count == 1 else f"Records 7 to {6 + count} were"
    after = "it" if count == 1 else "them"
    assert verdict.message == (
        f"{what} inserted outside the bot: the records after {after} were renumbered "
        f"(the record now numbered {7 + count} was written as record 7)."
    )


def test_two_records_swapped_are_named(ten, db_path):
    tamper(
        db_path,
        "DROP TRIGGER log_no_update",
        "UPDATE log SET seq = -1 WHERE seq = 3",
        "UPDATE log SET seq = 3 WHERE seq = 4",
        "UPDATE log SET seq = 4 WHERE seq = -1",
    )

    verdict = verdict_of(db_path)

    assert verdict.first_bad_seq == 3
    assert (
        verdict.message
        == "Records 3 and 4 were swapped: each was written under the other's number."
    )


def test_the_last_record_deleted_is_found_through_the_head(ten, db_path):
    tamper(db_path, "DROP TRIGGER log_no_delete", "DELETE FROM log WHERE seq = 10")

    verdict = verdict_of(db_path)

    assert not verdict.ok
    assert verdict.first_bad_seq == 10
    assert verdict.message == "Record 10 is missing: the log ends at record 9 but 10 were written."


def test_records_added_without_moving_the_head_are_named(ten, db_path):
    forge_insert(db_path, 11)  # after the last: nothing to renumber, and the head stays at 10

    verdict = verdict_of(db_path)

    assert verdict.first_bad_seq == 11
    assert verdict.message == (
        "Record 11 was added outside the bot: the log's head ends at record 10."
    )


def test_the_head_cannot_be_moved_back_or_removed(ten):
    with pytest.raises(sqlite3.IntegrityError, match="only moves forward"):
        ten.execute("UPDATE log_head SET seq = 9")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        ten.execute("DELETE FROM log_head")


def test_appends_in_a_rolled_back_transaction_leave_no_trace(ten):
    def append_and_fail() -> None:
        with transaction(ten):
            log.append(ten, [entry(11)])
            raise RuntimeError("the reply could not be built")

    with pytest.raises(RuntimeError):
        append_and_fail()

    with transaction(ten):
        log.append(ten, [entry(12)])
    assert [r.seq for r in log.entries(ten)][-2:] == [10, 11]
    assert log.verify(ten).ok


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=20)
entries_strategy = st.builds(
    Entry,
    kind=st.sampled_from(ENTRY_KINDS),
    case_ref=texts,
    actor=texts,
    at=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5, minutes=-30))]),
    ),
    run_id=st.none() | st.integers(min_value=1, max_value=2**62),
    item=st.none() | texts,
    value=st.none() | texts,
    detail=st.dictionaries(texts, texts, max_size=3),
)


@settings(max_examples=30, deadline=None)
@given(batches=st.lists(st.lists(entries_strategy, max_size=5), max_size=4))
def test_any_sequence_of_appended_entries_verifies_and_reads_back(batches):
    with tempfile.TemporaryDirectory() as folder:
        db = connect(Path(folder) / "soteria.db")
        try:
            appended = []
            for batch in batches:
                with transaction(db):
                    appended += log.append(db, batch)

            assert log.entries(db) == appended
            assert [record.entry for record in appended] == [e for b in batches for e in b]
            verdict = log.verify(db)
            assert verdict.ok, verdict.message
            assert verdict.checked == sum(len(batch) for batch in batches)
        finally:
            db.close()
