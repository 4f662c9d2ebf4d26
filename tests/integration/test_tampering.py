"""Every attack on the record in the security review's integrity table, made on a real database
with shell access to its file, and `soteria-bot verify` naming exactly what was changed.

The table (reviews/security-2.md, "Log tampering scenarios" and "File faults", with M4 and L10)
lists what `verify` caught and missed. Here each one is made again, and each test asserts the
record (or person, or playbook version) that `verify` names: never its neighbour.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.core.records import Entry
from bot.core.seals import digest
from bot.services import investigating
from bot.store import log
from bot.store.db import connect

from .oversight_world import make_world

REF = "43/12345/26"


@pytest.fixture(name="db_path")
def _db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with people, a published playbook, a case and its answers, closed."""
    world = make_world(tmp_path)
    casey = world.people["Casey"]
    run_id = world.open("Casey", REF)
    ctx = world.service
    investigating.answer(ctx, casey, run_id, "plan", "no")
    investigating.give_reason(ctx, casey, run_id, "Waiting on the phone download")
    investigating.answer(ctx, casey, run_id, "records", "yes")
    investigating.answer(ctx, casey, run_id, "victim-update", "yes")
    ctx.uow.close()
    path = tmp_path / "state" / "soteria.db"
    monkeypatch.setenv("SOTERIA_DB", str(path))
    monkeypatch.delenv("SOTERIA_CHECKPOINTS", raising=False)
    monkeypatch.delenv("SOTERIA_CHECKPOINT_KEY", raising=False)
    return path


def soteria(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def sql(path: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    """Change the file behind the bot's back, as someone with shell access could."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement, params if "?" in statement else ())
        conn.commit()
    finally:
        conn.close()


def one(path: Path, query: str, *params: object) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query, params).fetchone()[0]
    finally:
        conn.close()


def seq_of(path: Path, kind: str, item: str | None = None) -> int:
    """The number of the first record of a kind (and item)."""
    if item is None:
        return int(one(path, "SELECT min(seq) FROM log WHERE kind = ?", kind))  # type: ignore[arg-type]
    return int(one(path, "SELECT min(seq) FROM log WHERE kind = ? AND item = ?", kind, item))  # type: ignore[arg-type]


def last_seq(path: Path) -> int:
    return int(one(path, "SELECT max(seq) FROM log"))  # type: ignore[arg-type]


def rebuild_chain(path: Path, *, from_seq: int = 1) -> None:
    """Recompute every hash from `from_seq` to the end, and the head, as a careful forger would:
    with the triggers dropped for the work and put back afterwards."""
    conn = sqlite3.connect(path)
    try:
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
            "('log', 'log_head')"
        ).fetchall()
        for name, _sql in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        rows = conn.execute(f"SELECT {log.COLUMNS} FROM log ORDER BY seq").fetchall()
        prev = "0" * 64
        for row in rows:
            seq, ref, run, kind, item, value, actor, at, detail, _prev, digest_ = row
            if seq >= from_seq:
                digest_ = log.record_hash(
                    seq, ref, run, kind, item, value, actor, at, json.loads(detail), prev
                )
                conn.execute(
                    "UPDATE log SET prev_hash = ?, hash = ? WHERE seq = ?", [prev, digest_, seq]
                )
            prev = digest_
        last = rows[-1][0] if rows else 0
        conn.execute("UPDATE log_head SET seq = ?, hash = ?", [last, prev])
        for _name, text in triggers:
            conn.execute(text)
        conn.commit()
    finally:
        conn.close()


def checkpointed(path: Path) -> None:
    code, output = soteria("checkpoint")
    assert code == 0, output
    assert output.startswith("Checkpoint 1 written to "), output


def verify_says(path: Path) -> str:
    code, output = soteria("verify")
    assert code == 1, output
    return output.splitlines()[0]


# --- the chain on its own: what the review found detected, now named exactly ---------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("value", "no"),
        ("actor", "user:3"),
        ("at", "2026-11-01T09:00:00.000000+00:00"),
        ("kind", "deferred"),
        ("detail", '{"note":"forged"}'),
    ],
)
def test_a_changed_field_of_a_record_is_named(db_path, column, value):
    target = seq_of(db_path, "answered", "records")
    sql(
        db_path,
        "DROP TRIGGER log_no_update",
        f"UPDATE log SET {column} = ? WHERE seq = {target}",
        params=(value,),
    )

    assert verify_says(db_path) == (
        f"Record {target} was altered: its content no longer matches its hash."
    )


def test_a_changed_record_resealed_alone_is_named_not_the_record_after_it(db_path):
    """L10: the altered record's own hash recomputed; the next one still holds the old hash."""
    target = seq_of(db_path, "answered", "records")
    conn = sqlite3.connect(db_path)
    row = conn.execute(f"SELECT {log.COLUMNS} FROM log WHERE seq = ?", [target]).fetchone()
    conn.close()
    seq, ref, run, kind, item, _value, actor, at, detail, prev, _hash = row
    forged = log.record_hash(seq, ref, run, kind, item, "no", actor, at, json.loads(detail), prev)
    sql(
        db_path,
        "DROP TRIGGER log_no_update",
        f"UPDATE log SET value = 'no', hash = '{forged}' WHERE seq = {target}",
    )

    assert verify_says(db_path) == (
        f"Record {target} was altered and its hash recomputed: record {target + 1} still "
        f"carries the hash record {target} had when it was written."
    )


def test_two_records_swapped_are_named(db_path):
    first = seq_of(db_path, "answered", "plan")
    sql(
        db_path,
        "DROP TRIGGER log_no_update",
        f"UPDATE log SET seq = -1 WHERE seq = {first}",
        f"UPDATE log SET seq = {first} WHERE seq = {first + 1}",
        f"UPDATE log SET seq = {first + 1} WHERE seq = -1",
    )

    assert verify_says(db_path) == (
        f"Records {first} and {first + 1} were swapped: each was written under the other's number."
    )


def test_two_records_contents_swapped_are_named(db_path):
    first = seq_of(db_path, "answered", "plan")
    columns = [c for c in log.COLUMNS.split(", ") if c != "seq"]
    conn = sqlite3.connect(db_path)
    a = conn.execute(f"SELECT {', '.join(columns)} FROM log WHERE seq = ?", [first]).fetchone()
    b = conn.execute(f"SELECT {', '.join(columns)} FROM log WHERE seq = ?", [first + 1]).fetchone()
    conn.execute("DROP TRIGGER log_no_update")
    sets = ", ".join(f"{c} = ?" for c in columns)
    conn.execute(f"UPDATE log SET {sets} WHERE seq = ?", [*b, first])
    conn.execute(f"UPDATE log SET {sets} WHERE seq = ?", [*a, first + 1])
    conn.commit()
    conn.close()

    assert verify_says(db_path).startswith(f"Records {first} and {first + 1} were swapped")


def test_a_record_deleted_from_the_middle_is_named(db_path):
    target = seq_of(db_path, "reason-given")
    sql(db_path, "DROP TRIGGER log_no_delete", f"DELETE FROM log WHERE seq = {target}")

    assert verify_says(db_path) == (
        f"Record {target} is missing: the log goes from record {target - 1} to record "
        f"{target + 1}."
    )


def test_the_last_record_deleted_is_named(db_path):
    last = last_seq(db_path)
    sql(db_path, "DROP TRIGGER log_no_delete", f"DELETE FROM log WHERE seq = {last}")

    assert verify_says(db_path) == (
        f"Record {last} is missing: the log ends at record {last - 1} but {last} were written."
    )


def test_a_forged_record_inserted_in_the_middle_is_named_not_the_one_it_displaced(db_path):
    """L10: inserted at N, the rest renumbered; the review saw "Record N+1 was altered"."""
    at = seq_of(db_path, "answered", "records")
    conn = sqlite3.connect(db_path)
    for trigger in ("log_no_update", "log_follows_head", "log_moves_head"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("UPDATE log SET seq = -seq WHERE seq >= ?", [at])
    conn.execute("UPDATE log SET seq = -seq + 1 WHERE seq < 0")
    prev = conn.execute("SELECT hash FROM log WHERE seq = ?", [at - 1]).fetchone()[0]
    row = conn.execute(f"SELECT {log.COLUMNS} FROM log WHERE seq = ?", [at + 1]).fetchone()
    _s, ref, run, _kind, _item, _value, _actor, when, _detail, _prev, _hash = row
    forged = log.record_hash(
        at, ref, run, "countersigned", "records", None, "user:4", when, {}, prev
    )
    conn.execute(
        f"INSERT INTO log ({log.COLUMNS}) VALUES (?, ?, ?, 'countersigned', 'records', NULL,"
        " 'user:4', ?, '{}', ?, ?)",
        [at, ref, run, when, prev, forged],
    )
    conn.commit()
    conn.close()

    assert verify_says(db_path) == (
        f"Record {at} was inserted outside the bot: the records after it were renumbered "
        f"(the record now numbered {at + 1} was written as record {at})."
    )


def test_a_byte_flipped_in_the_file_names_the_record_it_changed(db_path):
    target = seq_of(db_path, "reason-given")
    data = bytearray(db_path.read_bytes())
    at = data.index(b"Waiting on the phone download")
    data[at] = ord("X")
    db_path.write_bytes(bytes(data))

    assert verify_says(db_path) == (
        f"Record {target} was altered: its content no longer matches its hash."
    )


def test_the_triggers_refuse_a_change_or_a_removal_outright(db_path):
    for statement in ("UPDATE log SET value = 'no' WHERE seq = 3", "DELETE FROM log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            sql(db_path, statement)
    assert soteria("verify")[0] == 0


def test_re_spacing_a_records_detail_changes_nothing_it_says_and_still_verifies(db_path):
    target = seq_of(db_path, "run-started")
    detail = one(db_path, "SELECT detail FROM log WHERE seq = ?", target)
    spaced = json.dumps(json.loads(str(detail)), indent=2)
    sql(
        db_path,
        "DROP TRIGGER log_no_update",
        f"UPDATE log SET detail = ? WHERE seq = {target}",
        params=(spaced,),
    )

    code, output = soteria("verify")
    assert code == 0, output


# --- what the review found undetected ------------------------------------------------------


def test_a_chain_rebuilt_from_end_to_end_does_not_match_the_checkpoint(db_path):
    """The acceptance test: a script recomputes every hash and the head; verify exits 1."""
    checkpointed(db_path)
    target = seq_of(db_path, "answered", "plan")
    sql(
        db_path, "DROP TRIGGER log_no_update", f"UPDATE log SET value = 'yes' WHERE seq = {target}"
    )
    rebuild_chain(db_path)

    first = verify_says(db_path)

    assert first.startswith("The chain does not match checkpoint 1 (signed ")
    assert first.endswith(
        f"): record {target} is not the record it signed, and the chain was rebuilt from there."
    )


def test_without_a_checkpoint_a_rebuilt_chain_is_what_the_file_says(db_path):
    """The limit the checkpoint removes: with none made yet, a full rebuild passes."""
    target = seq_of(db_path, "answered", "plan")
    sql(
        db_path, "DROP TRIGGER log_no_update", f"UPDATE log SET value = 'yes' WHERE seq = {target}"
    )
    rebuild_chain(db_path)

    code, output = soteria("verify")

    assert code == 0
    assert "Checkpoints: none in " in output


def test_a_record_changed_after_a_later_checkpoint_names_the_checkpoint_that_covers_it(db_path):
    checkpointed(db_path)
    assert "already covers the log" in soteria("checkpoint")[1]
    casey = int(one(db_path, "SELECT id FROM users WHERE name = 'Casey'"))  # type: ignore[arg-type]
    db = connect(db_path)
    try:
        (added,) = log.append(
            db, [Entry("deferred", REF, f"user:{casey}", datetime.now(UTC), 1, "note")]
        )
    finally:
        db.close()
    _code, output = soteria("checkpoint")
    assert output.startswith("Checkpoint 2 written to "), output
    sql(
        db_path,
        "DROP TRIGGER log_no_update",
        f"UPDATE log SET item = 'plan' WHERE seq = {added.seq}",
    )
    rebuild_chain(db_path, from_seq=added.seq)

    first = verify_says(db_path)

    assert first.startswith("The chain does not match checkpoint 2 (signed ")
    assert first.endswith(
        f"record {added.seq} is not the record it signed, and the chain was rebuilt from there."
    )


def test_a_tail_deleted_and_the_head_rewound_is_named(db_path):
    checkpointed(db_path)
    last = last_seq(db_path)
    cut = last - 2
    sql(db_path, "DROP TRIGGER log_no_delete", f"DELETE FROM log WHERE seq > {cut}")
    rebuild_chain(db_path)  # moves the head back to the new end

    first = verify_says(db_path)

    assert first.startswith(
        f"Records {cut + 1} to {last} are missing: the log ends at record {cut}"
    )
    assert first.endswith(f"covers records to {last}; the log was truncated or rewound.")


def test_a_tail_rewound_and_written_again_names_the_first_record_replaced(db_path):
    checkpointed(db_path)
    last = last_seq(db_path)
    sql(db_path, "DROP TRIGGER log_no_update", f"UPDATE log SET value = 'no' WHERE seq = {last}")
    rebuild_chain(db_path, from_seq=last)

    assert verify_says(db_path).endswith(
        f"record {last} is not the record it signed, and the chain was rebuilt from there."
    )


@pytest.mark.parametrize("actor", ["user:99", "officer:3", "user:3x"])
def test_a_forged_record_appended_by_no_one_the_bot_enrolled_is_named(db_path, actor):
    """The triggers let a well-formed record follow the head; its actor gives it away."""
    conn = sqlite3.connect(db_path)
    seq, prev = conn.execute("SELECT seq, hash FROM log_head").fetchone()
    when = "2026-11-03T09:00:00.000000+00:00"
    forged = log.record_hash(seq + 1, REF, 1, "transition", None, None, actor, when,
                             {"event": "sign_off"}, prev)  # fmt: skip
    conn.execute(
        f"INSERT INTO log ({log.COLUMNS}) VALUES (?, ?, 1, 'transition', NULL, NULL, ?, ?, ?, ?, ?)",
        [seq + 1, REF, actor, when, '{"event":"sign_off"}', prev, forged],
    )
    conn.commit()
    conn.close()

    assert verify_says(db_path) == (
        f"Record {seq + 1} was not written by the bot: its actor, {actor}, is no one the bot "
        "enrolled."
    )


def test_a_wiped_log_with_its_head_reset_is_found_against_the_checkpoint(db_path):
    checkpointed(db_path)
    records = last_seq(db_path)
    sql(
        db_path,
        "DROP TRIGGER log_no_delete",
        "DROP TRIGGER log_head_forward_only",
        "DELETE FROM log",
        f"UPDATE log_head SET seq = 0, hash = '{'0' * 64}'",
    )

    first = verify_says(db_path)

    assert first.startswith("The log was wiped: it holds no records, but checkpoint 1 (signed ")
    assert first.endswith(f") covers {records} records (to record {records}).")


def test_a_wiped_log_is_found_even_without_a_checkpoint(db_path):
    sql(
        db_path,
        "DROP TRIGGER log_no_delete",
        "DROP TRIGGER log_head_forward_only",
        "DELETE FROM log",
        f"UPDATE log_head SET seq = 0, hash = '{'0' * 64}'",
    )

    assert verify_says(db_path) == (
        "The log was wiped: it holds no records, but the database holds 1 case."
    )


def test_an_empty_database_file_fails_in_one_sentence_and_stays_empty(db_path):
    db_path.write_bytes(b"")
    for name in ("soteria.db-wal", "soteria.db-shm"):
        (db_path.parent / name).unlink(missing_ok=True)

    code, output = soteria("verify")

    assert (code, output) == (1, f"Error: {db_path} is empty, so it is not the bot's database.\n")
    assert db_path.read_bytes() == b""


def test_a_database_file_cut_short_fails_in_one_sentence(db_path):
    data = db_path.read_bytes()
    db_path.write_bytes(data[: len(data) // 3])

    code, output = soteria("verify")

    assert code == 1
    assert output.startswith(f"Error: {db_path} cannot be read")
    assert len(output.splitlines()) == 1


def test_a_missing_database_file_fails_in_one_sentence(db_path):
    db_path.unlink()

    assert soteria("verify") == (
        1,
        f"Error: No database at {db_path}; set SOTERIA_DB to the bot's database file.\n",
    )
    assert not db_path.exists()


def test_a_published_playbook_text_rewritten_is_named_with_the_record_that_sealed_it(db_path):
    sealed = seq_of(db_path, "playbook-published")
    text = str(one(db_path, "SELECT text FROM playbook_versions WHERE playbook_id = 'drill'"))
    changed = text.replace("Investigation plan opened?", "Investigation plan considered?")
    sql(
        db_path,
        "DROP TRIGGER playbook_versions_kept",
        "UPDATE playbook_versions SET text = ?, content_hash = ? WHERE playbook_id = 'drill'",
        params=(changed, digest(changed)),
    )

    assert verify_says(db_path) == (
        "The text and recorded content hash of playbook drill version 1 were changed after it "
        f"was published: they no longer match record {sealed}, which sealed it."
    )


def test_a_user_renamed_behind_an_actor_is_named_with_the_record_that_sealed_them(db_path):
    casey = int(one(db_path, "SELECT id FROM users WHERE name = 'Casey'"))  # type: ignore[arg-type]
    sealed = seq_of_person(db_path, casey)
    sql(db_path, f"UPDATE users SET name = 'DS Someone Else' WHERE id = {casey}")

    assert verify_says(db_path) == (
        f"User {casey}'s name was changed outside the bot: it no longer matches record "
        f"{sealed}, which sealed them."
    )


@pytest.mark.parametrize(
    ("revoked", "change", "field"),
    [
        (False, "UPDATE users SET role = 'admin' WHERE id = {id}", "role"),
        (False, "UPDATE users SET team = 'South' WHERE id = {id}", "team"),
        (True, "UPDATE users SET revoked_at = NULL WHERE id = {id}", "revocation"),
        (False, "UPDATE users SET in_training = 1 WHERE id = {id}", "in-training mark"),
        (
            False,
            "INSERT INTO supervised_teams (user_id, team) VALUES ({id}, 'South')",
            "list of teams overseen",
        ),
        (
            False,
            "INSERT INTO identities (channel, external_id, user_id, linked_at)"
            " VALUES ('telegram', '555', {id}, '2026-11-01')",
            "list of linked accounts",
        ),
    ],
    ids=["promoted", "moved-team", "unrevoked", "in-training", "given-a-team", "account-linked"],
)
def test_access_given_behind_the_bots_back_is_named(db_path, revoked, change, field):
    robin = int(one(db_path, "SELECT id FROM users WHERE name = 'Robin'"))  # type: ignore[arg-type]
    if revoked:
        code, output = soteria("users", "revoke", str(robin))
        assert code == 0, output
    sealed = int(one(db_path, "SELECT max(seq) FROM log WHERE kind = 'person-recorded'"))  # type: ignore[arg-type]
    sql(db_path, change.format(id=robin))

    assert verify_says(db_path) == (
        f"User {robin}'s {field} was changed outside the bot: it no longer matches record "
        f"{sealed if revoked else seq_of_person(db_path, robin)}, which sealed them."
    )


def seq_of_person(path: Path, user_id: int) -> int:
    """The record that last sealed a person."""
    return int(one(path, "SELECT max(seq) FROM log WHERE kind = 'person-recorded' AND "  # type: ignore[arg-type]
                   "json_extract(detail, '$.user') = ?", str(user_id)))  # fmt: skip


def test_a_user_added_outside_the_bot_is_named(db_path):
    sql(
        db_path,
        "INSERT INTO users (name, role, team, created_at) VALUES ('Mallory', 'admin', 'HQ', 'x')",
    )
    mallory = int(one(db_path, "SELECT id FROM users WHERE name = 'Mallory'"))  # type: ignore[arg-type]

    assert verify_says(db_path) == (
        f"User {mallory} was added outside the bot: no record in the log enrolled them."
    )


def test_a_checkpoint_edited_to_match_a_rebuilt_chain_is_refused(db_path):
    checkpointed(db_path)
    folder = db_path.parent / "checkpoints"
    (path,) = folder.glob("checkpoint-*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["head"]["hash"] = "f" * 64
    path.write_text(json.dumps(data), encoding="utf-8")

    code, output = soteria("verify")

    assert code == 1
    assert output == (
        f"Error: Checkpoint 1 ({path}) does not hold: its signature does not match this "
        "installation's public key, so it was edited or signed by another key.\n"
    )
