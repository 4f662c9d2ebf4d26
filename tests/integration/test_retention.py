"""Retention and disposal: closed cases listed for review or disposal under the force's schedule,
and a disposal that removes a case's content from the database file while the completion log's
chain still verifies, and still names any other change."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from bot.bootstrap import build
from bot.cli import cli
from bot.cli.records import disposal_lines
from bot.config import Settings
from bot.conversation.dialogue import Dialogue
from bot.conversation.said import notice_reply
from bot.core.errors import NotFound, SoteriaError
from bot.jobs import retention_notice
from bot.reports.disclosure import render_disclosure
from bot.services import consultation, events, investigating, retention, supervising
from bot.store import log
from bot.store.db import connect, transaction
from bot.store.disposal import CLEARED, KEPT_AS_IS
from bot.store.disposed import numbers, ranges, residue_of
from bot.store.durability import Durability

from ..apps import enrol
from .oversight_world import World, make_world
from .scheduled import job_names

REF = "43/12345/26"
OTHER = "43/54321/26"
CLOSED_AT = datetime(2019, 3, 4, 9, 0, tzinfo=UTC)
#: Words typed into the case that must not survive its disposal, anywhere in the file.
TYPED = {
    "reason": "waiting on the plovmark lab slot",
    "note": "plan filed in the zqxvtrell folder",
    "challenge": "why is the brindlecove action still open",
    "reply": "the brindlecove action closed on the system",
    "return": "add the quorvish enquiry to the plan",
}
EVENT_DAY = date(2019, 1, 17)
DISPOSE_7_YEARS = "settings:\n  retention-dispose: 84mo\n"


def worked_case(world: World, ref: str) -> int:
    """A case with every kind of typed text and an event date, submitted, challenged, replied
    to and returned; then closed. Its run's id."""
    service = world.service
    casey, sam = world.people["Casey"], world.people["Sam"]
    run = world.open("Casey", ref)
    events.record_milestone(service, casey, ref, "report", EVENT_DAY)
    investigating.answer(service, casey, run, "plan", "no")
    investigating.give_reason(service, casey, run, TYPED["reason"])
    investigating.answer(service, casey, run, "records", "yes")
    investigating.answer(service, casey, run, "victim-update", "yes")
    investigating.answer(service, casey, run, "note", TYPED["note"])
    investigating.submit(service, casey, run)
    supervising.challenge(service, sam, run, "plan", TYPED["challenge"])
    supervising.reply_to_challenge(service, casey, run, "plan", TYPED["reply"])
    supervising.send_back(service, sam, run, TYPED["return"])
    return run


@pytest.fixture(name="world")
def _world(tmp_path: Path) -> World:
    world = make_world(tmp_path, start=CLOSED_AT - timedelta(days=60))
    worked_case(world, REF)
    world.open("Casey", OTHER)
    world.clock.now = CLOSED_AT
    supervising.close_case(world.service, world.people["Sam"], REF, "acquitted")
    return world


@pytest.fixture(name="env")
def _env(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The command line pointed at the world's database and playbooks; the database's path."""
    db_path = tmp_path / "state" / "soteria.db"
    monkeypatch.setenv("SOTERIA_DB", str(db_path))
    monkeypatch.setenv("SOTERIA_PLAYBOOKS", str(tmp_path / "playbooks"))
    monkeypatch.setenv("SOTERIA_TZ", "Europe/London")
    world.service.uow.db.close()
    return db_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def file_bytes(db_path: Path) -> bytes:
    """Everything SQLite keeps on disk for the database: the file, and its WAL if there is one."""
    found = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    return found + (wal.read_bytes() if wal.exists() else b"")


def test_retention_lists_a_closed_case_due_for_review_with_the_schedule_it_used(env):
    code, output = run("retention")

    assert code == 0, output
    assert "review 72 months after a case is closed (the default)" in output
    assert "disposal: not set" in output
    (line,) = [line for line in output.splitlines() if REF in line]
    assert "acquitted" in line
    assert "due for review" in line
    assert "2019-03-04" in line
    assert OTHER not in output  # open cases are not the schedule's business


def test_a_case_closed_recently_is_not_listed_until_asked_for_all(world):
    world.clock.now = CLOSED_AT + timedelta(days=365)

    assert retention.due(world.service) == []
    (kept,) = retention.closed(world.service)
    assert (kept.standing, kept.review_on) == ("kept", date(2025, 3, 4))


def test_disposal_needs_a_name_and_names_what_it_did(env):
    code, output = run("retention", "--apply", "--case", REF)
    assert code == 2
    assert "--as" in output

    code, output = run("retention", "--apply", "--case", REF, "--as", "DS Records Officer")

    assert code == 0, output
    assert f"Disposed of the content of {REF}" in output
    assert "the completion log keeps" in output


def test_after_disposal_verify_passes_and_no_typed_word_of_the_case_is_left_in_the_file(env):
    before = file_bytes(env)
    for words in TYPED.values():
        assert words.encode() in before  # the search finds them while they are there

    code, output = run("retention", "--apply", "--case", REF, "--as", "DS Records Officer")
    assert code == 0, output

    code, verified = run("verify")
    assert code == 0, verified
    assert "chain intact" in verified.splitlines()[0]
    after = file_bytes(env)
    for words in TYPED.values():
        assert words.encode() not in after, words
    assert REF.encode() not in after
    assert EVENT_DAY.isoformat().encode() not in after
    # The other case keeps everything.
    assert OTHER.encode() in after


def read_model_rows(db_path: Path, words: str) -> list[tuple[str, int]]:
    """The read model's rows (table, run) that hold these words anywhere."""
    conn = sqlite3.connect(db_path)
    try:
        found = []
        for table in ("item_facts", "run_facts"):
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            cells = " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)
            found += [
                (table, run_id)
                for (run_id,) in conn.execute(
                    f"SELECT run_id FROM {table} WHERE instr({cells}, ?) > 0", [words]
                )
            ]
        return found
    finally:
        conn.close()


def test_disposal_clears_the_case_from_the_read_model_and_verify_still_agrees(env):
    db = connect(env)
    try:
        (run_id,) = [row[0] for row in db.execute("SELECT id FROM runs WHERE case_id = 1")]
        (other,) = [row[0] for row in db.execute("SELECT id FROM runs WHERE case_id = 2")]
    finally:
        db.close()
    for words in (TYPED["reason"], TYPED["note"], TYPED["challenge"]):
        assert ("item_facts", run_id) in read_model_rows(env, words)  # there before

    code, output = run("retention", "--apply", "--case", REF, "--as", "DS Records Officer")
    assert code == 0, output

    db = connect(env)
    try:
        for table in ("item_facts", "run_facts"):
            kept = {row[0] for row in db.execute(f"SELECT DISTINCT run_id FROM {table}")}
            assert run_id not in kept, table
            assert other in kept, table  # the other case's rows stay
    finally:
        db.close()
    for words in TYPED.values():
        assert read_model_rows(env, words) == []
    after = file_bytes(env)
    assert all(words.encode() not in after for words in TYPED.values())
    code, verified = run("verify")
    assert code == 0, verified
    lines = verified.splitlines()
    assert "chain intact" in lines[0]
    assert any(line.startswith("Access log verified:") for line in lines)
    assert lines[-1] == "Read model agrees with the log: 1 runs."
    # Built again from the log, the read model has no row of the disposed case either.
    code, output = run("rebuild-read-model")
    assert code == 0, output
    assert read_model_rows(env, TYPED["reason"]) == []
    assert run("verify")[0] == 0


def test_a_checkpoint_signed_before_a_disposal_still_matches_after_it(env):
    code, output = run("checkpoint")
    assert code == 0, output
    code, output = run("retention", "--apply", "--case", REF, "--as", "DS Records Officer")
    assert code == 0, output

    code, verified = run("verify")

    # The checkpoint signed the records' hashes, which a disposal keeps.
    assert code == 0, verified
    lines = verified.splitlines()
    assert "chain intact" in lines[0]
    assert "belong to cases disposed of" in lines[0]
    assert any(line.startswith("Checkpoints: 1 in ") and "matches each" in line for line in lines)
    assert any(line.startswith("Access log verified:") for line in lines)
    assert lines[-1].startswith("Read model agrees with the log")
    # A checkpoint made after the disposal signs the chain as it now stands.
    code, output = run("checkpoint")
    assert code == 0, output
    code, verified = run("verify")
    assert code == 0, verified
    assert any(line.startswith("Checkpoints: 2 in ") for line in verified.splitlines())


def test_disposal_keeps_each_record_as_its_hashes_and_a_disposal_record(env):
    db = connect(env)
    try:
        before = db.execute("SELECT seq, hash FROM log ORDER BY seq").fetchall()
        ours = [seq for (seq,) in db.execute("SELECT seq FROM log WHERE case_ref = ?", [REF])]
    finally:
        db.close()

    run("retention", "--apply", "--case", REF, "--as", "DS Records Officer")

    db = connect(env)
    try:
        after = db.execute("SELECT seq, hash FROM log ORDER BY seq").fetchall()
        assert after[: len(before)] == before  # nothing renumbered, no hash changed
        (disposal,) = log.entries(db)[len(before) :]
        assert disposal.entry.kind == "case-disposed"
        assert disposal.entry.actor == "admin:DS Records Officer"
        assert int(disposal.entry.detail["count"]) == len(ours)
        blank = db.execute(
            f"SELECT count(*) FROM log WHERE seq IN ({', '.join('?' * len(ours))})"
            " AND value IS NULL AND detail = '{}' AND case_ref GLOB 'disposed-*'",
            ours,
        ).fetchone()[0]
        assert blank == len(ours)
        for table in ("case_events", "case_links", "handovers"):
            assert db.execute(f"SELECT count(*) FROM {table} WHERE case_id = 1").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM runs WHERE case_id = 1").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM notices").fetchone() == (0,)
        case_row = db.execute("SELECT ref, disposed_at FROM cases WHERE id = 1").fetchone()
        assert case_row[0] == "disposed-1"
        assert case_row[1] is not None
    finally:
        db.close()


def test_a_disposal_is_kept_in_the_access_log(env):
    run("retention", "--apply", "--case", REF, "--as", "DS Records Officer")

    code, output = run("access-log", "--format", "json")

    assert code == 0, output
    (record,) = json.loads(output)
    assert (record["action"], record["purpose"]) == ("dispose", "retention")
    assert record["who"] == "DS Records Officer (command line)"
    assert record["cases"] == ["#1 (disposed of)"]
    code, table = run("access-log", "--case", "#1")
    assert code == 0, table
    assert "case #1 (disposed of)" in table
    assert run("access-log", "--case", REF)[0] == 1  # the reference went with the content


def tamper(db_path: Path, *statements: str) -> None:
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("DROP TRIGGER IF EXISTS log_no_update")
        conn.execute("DROP TRIGGER IF EXISTS log_disposed_no_update")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def disposed_seqs(db_path: Path) -> list[int]:
    conn = sqlite3.connect(db_path)
    try:
        return [seq for (seq,) in conn.execute("SELECT seq FROM log_disposed ORDER BY seq")]
    finally:
        conn.close()


@pytest.fixture(name="disposed")
def _disposed(env: Path) -> Path:
    code, output = run("retention", "--apply", "--case", REF, "--as", "DS Records Officer")
    assert code == 0, output
    return env


def test_after_disposal_a_change_to_what_a_disposed_record_keeps_is_named(disposed):
    seq = disposed_seqs(disposed)[2]
    tamper(disposed, f"UPDATE log SET actor = 'user:99' WHERE seq = {seq}")

    code, output = run("verify")

    assert code == 1
    assert output.startswith(f"Record {seq} was altered after its case was disposed of")


def test_after_disposal_content_put_back_into_a_disposed_record_is_named(disposed):
    seq = disposed_seqs(disposed)[2]
    tamper(disposed, f"UPDATE log SET value = 'yes' WHERE seq = {seq}")

    code, output = run("verify")

    assert code == 1
    assert output.startswith(f"Record {seq} was altered")


def test_after_disposal_another_record_altered_is_still_named(disposed):
    conn = sqlite3.connect(disposed)
    other = conn.execute("SELECT seq FROM log WHERE case_ref = ? LIMIT 1", [OTHER]).fetchone()[0]
    conn.close()
    tamper(disposed, f"UPDATE log SET actor = 'user:99' WHERE seq = {other}")

    code, output = run("verify")

    assert code == 1
    assert output.startswith(f"Record {other} was altered")


def test_a_record_blanked_and_marked_disposed_without_a_disposal_is_named(disposed):
    conn = sqlite3.connect(disposed)
    other = conn.execute("SELECT seq FROM log WHERE case_ref = ? LIMIT 1", [OTHER]).fetchone()[0]
    conn.close()
    db = connect(disposed)
    row = db.execute("SELECT * FROM log WHERE seq = ?", [other]).fetchone()
    db.close()
    seq, _ref, run_id, kind, item, _value, actor, at, _detail, prev_hash, digest = row
    kept = residue_of(seq, "disposed-2", run_id, kind, item, actor, at, prev_hash, digest)
    last = max(disposed_seqs(disposed))
    tamper(
        disposed,
        f"INSERT INTO log_disposed (seq, disposal_seq, residue) VALUES ({other}, {last + 1}, '{kept}')",
        f"UPDATE log SET case_ref = 'disposed-2', value = NULL, detail = '{{}}' WHERE seq = {other}",
    )

    code, output = run("verify")

    assert code == 1
    assert output.startswith(f"Record {other} is marked as disposed of")


def test_the_disposal_record_itself_cannot_be_changed_unseen(disposed):
    tamper(
        disposed,
        "UPDATE log SET detail = replace(detail, '\"count\"', '\"cnt\"') WHERE kind = 'case-disposed'",
    )

    code, output = run("verify")

    assert code == 1
    assert "was altered" in output.splitlines()[0]


def test_a_kept_hash_changed_in_the_disposal_list_is_named(disposed):
    seq = disposed_seqs(disposed)[1]
    tamper(disposed, f"UPDATE log_disposed SET residue = '{'0' * 64}' WHERE seq = {seq}")

    code, output = run("verify")

    assert code == 1
    assert output.startswith(f"Record {seq} was altered after its case was disposed of")


def test_sqlite_refuses_to_blank_a_record_that_is_not_listed_as_disposed(disposed):
    conn = sqlite3.connect(disposed)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(
                "UPDATE log SET value = NULL, detail = '{}', case_ref = 'disposed-2'"
                " WHERE case_ref = ?",
                [OTHER],
            )
        seq = disposed_seqs(disposed)[0]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE log SET actor = 'user:9' WHERE seq = ?", [seq])
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM log_disposed")
    finally:
        conn.close()


def test_a_disposed_case_is_found_by_no_one(disposed, tmp_path):
    service = build(Settings.from_env())
    try:
        sam = service.uow.users.get(4)
        assert sam is not None
        assert sam.name == "Sam"
        dialogue = Dialogue(service, tmp_path / "reports")
        assert "No case" in dialogue.handle(sam, f"/case {REF}")[0].text
        team = dialogue.handle(sam, "/team")[0].text
        assert REF not in team
        assert OTHER in team
        assert run("report", "--case", REF, "--purpose", "audit")[0] == 1
        assert "disposed" not in run("report", "--purpose", "audit")[1]
        assert retention.closed(service) == []
    finally:
        service.uow.close()


def test_with_a_disposal_period_set_apply_disposes_of_every_case_due_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    world = make_world(
        tmp_path,
        extra={"settings.yaml": DISPOSE_7_YEARS},
        start=CLOSED_AT - timedelta(days=60),
    )
    worked_case(world, REF)
    world.open("Casey", OTHER)
    world.clock.now = CLOSED_AT
    supervising.close_case(world.service, world.people["Sam"], REF, "acquitted")
    supervising.close_case(world.service, world.people["Sam"], OTHER, "other")
    service = world.service

    world.clock.now = CLOSED_AT + timedelta(days=365 * 6 + 60)
    assert [due.standing for due in retention.closed(service)] == ["review", "review"]
    assert retention.dispose_due(service, "DS Records Officer").done == []

    retention.retain(service, OTHER, "DS Records Officer", "linked to a live series")
    schedule = render_disclosure(service, OTHER)
    assert "Reviewed under the retention schedule and kept: linked to a live series" in schedule
    assert "Case closed: other" in schedule
    with pytest.raises(SoteriaError, match="a name"):
        retention.retain(service, OTHER, "DS Records Officer", "victim Jane Smith asked")
    world.clock.now = CLOSED_AT + timedelta(days=365 * 7 + 2)
    standings = {due.case.ref: due.standing for due in retention.closed(service)}
    assert standings == {REF: "dispose", OTHER: "kept"}

    gone = retention.dispose_due(service, "DS Records Officer")

    assert [done.case_id for done in gone.done] == [1]
    assert [due.case.ref for due in retention.closed(service)] == [OTHER]
    assert log.verify(service.uow.db).ok
    assert consultation.verify(service).ok


def test_a_case_not_yet_due_or_still_open_is_not_disposed_of(world):
    world.clock.now = CLOSED_AT + timedelta(days=30)
    with pytest.raises(SoteriaError, match="not due for review or disposal until 2025-03-04"):
        retention.dispose_case(world.service, REF, "DS Records Officer")
    with pytest.raises(SoteriaError, match="is not closed"):
        retention.dispose_case(world.service, OTHER, "DS Records Officer")
    with pytest.raises(NotFound):
        retention.dispose_case(world.service, "43/99999/26", "DS Records Officer")


def test_nothing_is_disposed_of_while_the_log_does_not_verify(env):
    conn = sqlite3.connect(env)
    conn.execute("DROP TRIGGER log_no_update")
    conn.execute("UPDATE log SET value = 'no' WHERE seq = 3")
    conn.commit()
    conn.close()

    code, output = run("retention", "--apply", "--case", REF, "--as", "DS Records Officer")

    assert code == 1
    assert "Nothing was disposed of" in output
    assert b"plovmark" in file_bytes(env)


def test_every_table_is_either_cleared_by_disposal_or_holds_no_case_content(world):
    """A table added later must be sorted here, so a disposal never misses a case's content."""
    tables = {
        name
        for (name,) in world.service.uow.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    assert tables == set(CLEARED) | set(KEPT_AS_IS)
    assert not set(CLEARED) & set(KEPT_AS_IS)


@given(st.lists(st.integers(1, 400), unique=True, max_size=60))
def test_record_numbers_written_short_read_back_the_same(seqs):
    assert numbers(ranges(seqs)) == sorted(seqs)


def test_a_reader_holding_the_write_ahead_log_is_waited_out_on_a_later_run(world, tmp_path):
    """While another process reads, the write-ahead log cannot be emptied: that is said, and
    the next run empties it, leaving no word of the case on disk."""
    service = world.service
    world.clock.now = CLOSED_AT + timedelta(days=365 * 7)
    service.uow.db.execute("PRAGMA busy_timeout = 100")  # the test need not wait five seconds
    db_path = tmp_path / "state" / "soteria.db"
    reader = sqlite3.connect(db_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM log").fetchone()
    try:
        done = retention.dispose_case(service, REF, "DS Records Officer")
    finally:
        reader.execute("COMMIT")
        reader.close()
    said = disposal_lines(done)
    assert "The database file was rebuilt" in said[1]
    assert "could not be emptied yet" in said[2]

    again = retention.dispose_due(service, "DS Records Officer")

    assert disposal_lines(again) == [
        "No closed case is due for disposal; nothing was disposed of."
    ]
    after = file_bytes(db_path)
    assert all(words.encode() not in after for words in TYPED.values())
    assert log.verify(service.uow.db).ok


def test_a_rebuild_held_up_by_a_writer_is_said_and_done_on_the_next_run(world, tmp_path):
    """Another process writing for longer than the busy timeout holds up the rebuild: the
    command says free space may keep old copies, and the next run rebuilds the file."""
    service = world.service
    world.clock.now = CLOSED_AT + timedelta(days=365 * 7)
    retention.dispose_case(service, REF, "DS Records Officer")
    service.uow.db.execute("PRAGMA busy_timeout = 100")  # the test need not wait five seconds
    db_path = tmp_path / "state" / "soteria.db"
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("CREATE TABLE scratch (x BLOB)")
    writer.execute("INSERT INTO scratch VALUES (zeroblob(200000))")
    writer.execute("DROP TABLE scratch")  # free pages, as a deletion leaves them
    writer.execute("BEGIN IMMEDIATE")
    try:
        held = retention.dispose_due(service, "DS Records Officer")
    finally:
        writer.execute("COMMIT")
        writer.close()
    said = disposal_lines(held)
    assert len(said) == 2
    assert "could not be rebuilt while the bot was writing" in said[1]

    again = retention.dispose_due(service, "DS Records Officer")

    assert disposal_lines(again) == [
        "No closed case is due for disposal; nothing was disposed of."
    ]
    assert not service.uow.disposal.has_free_pages()
    assert log.verify(service.uow.db).ok


def test_a_disposal_beside_the_bots_connection_syncing_apart_rebuilds_and_empties_the_log(env):
    """The running bot commits without syncing and never checkpoints (`sync_apart`): a disposal
    beside it still rebuilds the file and empties the log, and the bot's connection goes on
    writing, syncing and checkpointing afterwards."""
    bot = connect(env, sync_apart=True)
    try:
        durability = Durability(bot)
        assert durability.apart
        with transaction(bot):  # committed, not yet synced, not checkpointed
            bot.execute("CREATE TABLE scratch (x BLOB)")
            bot.execute("INSERT INTO scratch VALUES (zeroblob(100000))")
        code, output = run("retention", "--apply", "--case", REF, "--as", "DS Records Officer")
        assert code == 0, output
        assert "The database file was rebuilt" in output
        assert "could not" not in output, output
        wal = env.with_name(env.name + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        after = file_bytes(env)
        assert all(words.encode() not in after for words in TYPED.values())

        with transaction(bot):
            bot.execute("DROP TABLE scratch")
        durability.sync()
        durability.checkpoint()
        assert (
            bot.execute("SELECT count(*) FROM sqlite_master WHERE name = 'scratch'").fetchone()[0]
            == 0
        )
    finally:
        bot.close()
    code, verified = run("verify")
    assert code == 0, verified


def retention_told(world: World, admin) -> list[str]:
    service = world.service
    return [
        notice_reply(service, notice).text
        for notice in service.uow.notices.ready(world.clock.now, timedelta(0))
        if notice.kind == "retention-due" and notice.user_id == admin.id
    ]


def test_administrators_are_told_each_week_how_many_closed_cases_await_retention(world):
    admin = enrol(world.service.uow.db, "Ade Admin", "admin", "HQ", world.clock.now)
    # Closed on Mon 4 Mar 2019; 72 months on (Tue 4 Mar 2025) it is due for review.
    world.clock.now = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)  # the Monday before
    assert retention_notice(world.service) == 0
    world.clock.now = datetime(2025, 3, 10, 7, 0, tzinfo=UTC)  # the Monday after

    assert retention_notice(world.service) == 1
    assert retention_notice(world.service) == 0  # once a week, however often it runs

    assert retention_told(world, admin) == [
        "Retention: 1 closed case is due for review. On the server, "
        "`soteria-bot retention` lists them; `--retain` keeps one, with why, and `--apply` "
        "disposes of those due."
    ]
    # Officers and supervisors are not told, and the notice names no case.
    assert [
        notice.user_id
        for notice in world.service.uow.notices.ready(world.clock.now, timedelta(0))
        if notice.kind == "retention-due"
    ] == [admin.id]
    assert REF not in retention_told(world, admin)[0]


def test_the_bot_schedules_the_retention_notice(tmp_path):
    assert "retention review" in job_names(tmp_path)
