"""Signed checkpoints of the log: the key made on first use, the files written, what `verify`
makes of them, and the bot's daily job."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from bot.cli import cli
from bot.config import Settings
from bot.core.consultation import Access
from bot.core.records import Entry
from bot.jobs import write_checkpoint
from bot.store import log
from bot.store.access_log import AccessLog
from bot.store.chain import canonical_json
from bot.store.db import GENESIS_HASH, connect, transaction

from ..apps import enrol
from .scheduled import job_names
from .tampering import tamper

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(name="db_path")
def _db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database holding an officer's enrolment and three answers of theirs."""
    path = tmp_path / "state" / "soteria.db"
    monkeypatch.setenv("SOTERIA_DB", str(path))
    monkeypatch.delenv("SOTERIA_CHECKPOINTS", raising=False)
    monkeypatch.delenv("SOTERIA_CHECKPOINT_KEY", raising=False)
    add_answers(path, 3, first=True)
    return path


def add_answers(path: Path, count: int, first: bool = False) -> None:
    db = connect(path)
    try:
        if first:
            enrol(db, "Jo", "investigator", "North", T0)
        with transaction(db):
            log.append(
                db,
                [
                    Entry("answered", "43/1/26", "user:1", T0 + timedelta(minutes=n), 1, f"i{n}")
                    for n in range(count)
                ],
            )
    finally:
        db.close()


def soteria(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_the_first_checkpoint_makes_a_key_readable_by_its_owner_only(db_path):
    code, output = soteria("checkpoint")

    assert code == 0, output
    state = db_path.parent
    key, public = state / "keys" / "checkpoint.key", state / "keys" / "checkpoint.pub"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((state / "keys").stat().st_mode) == 0o700
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in public.read_text()
    path = state / "checkpoints" / "checkpoint-000001.json"
    assert output.startswith(f"Checkpoint 1 written to {path}: record 4, hash ")
    assert output.endswith(", 4 records.\n")
    data = json.loads(path.read_text())
    assert data["head"]["seq"] == 4
    assert data["records"] == 4
    assert data["prints"]["from"] == 1
    assert len(data["prints"]["hashes"]) == 4 * 12


def test_a_checkpoint_is_written_only_when_the_log_has_moved_and_keeps_what_came_since(db_path):
    soteria("checkpoint")

    code, output = soteria("checkpoint")
    assert code == 0
    assert "already covers the log as it stands (record 4); nothing new was written." in output

    add_answers(db_path, 2)
    code, output = soteria("checkpoint")
    assert output.startswith("Checkpoint 2 written to "), output
    data = json.loads((db_path.parent / "checkpoints" / "checkpoint-000002.json").read_text())
    assert (data["prints"]["from"], len(data["prints"]["hashes"])) == (5, 2 * 12)


def test_verify_reports_the_checkpoints_it_matched_and_the_records_after_them(db_path):
    soteria("checkpoint")
    add_answers(db_path, 2)

    code, output = soteria("verify")

    assert code == 0, output
    lines = output.splitlines()
    assert lines[2].startswith(
        f"Checkpoints: 1 in {db_path.parent / 'checkpoints'}, signed with this installation's "
        "key; the log matches each. The latest, checkpoint 1 of "
    )
    assert lines[2].endswith(" UTC, covers records 1 to 4.")
    assert lines[3] == (
        "Records 5 to 6 came after the latest checkpoint: only the chain vouches for them "
        "until the next one."
    )


def test_nothing_is_signed_when_the_log_does_not_verify(db_path):
    tamper(db_path, "DROP TRIGGER log_no_update", "UPDATE log SET value = 'no' WHERE seq = 3")

    code, output = soteria("checkpoint")

    assert code == 1
    assert output == (
        "Error: The log does not verify, so no checkpoint was written: Record 3 was altered: "
        "its content no longer matches its hash.\n"
    )
    assert not (db_path.parent / "checkpoints").exists()


def test_the_settings_put_the_key_and_the_checkpoints_elsewhere(db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("SOTERIA_CHECKPOINT_KEY", str(tmp_path / "vault" / "soteria.key"))
    monkeypatch.setenv("SOTERIA_CHECKPOINTS", str(tmp_path / "archive"))

    code, output = soteria("checkpoint")

    assert code == 0, output
    assert (tmp_path / "vault" / "soteria.key").is_file()
    assert (tmp_path / "vault" / "soteria.pub").is_file()
    assert (tmp_path / "archive" / "checkpoint-000001.json").is_file()
    assert not (db_path.parent / "keys").exists()
    assert "Checkpoints: 1 in " + str(tmp_path / "archive") in soteria("verify")[1]


def test_a_key_others_can_read_is_not_used(db_path):
    soteria("checkpoint")
    key = db_path.parent / "keys" / "checkpoint.key"
    key.chmod(0o644)
    add_answers(db_path, 1)

    code, output = soteria("checkpoint")

    assert code == 1
    assert output == (
        f"Error: The checkpoint key {key} can be read by other users; make it readable by its "
        f"owner only (chmod 600 {key}).\n"
    )


def test_a_lost_key_is_not_silently_replaced(db_path):
    soteria("checkpoint")
    key = db_path.parent / "keys" / "checkpoint.key"
    key.unlink()

    code, output = soteria("checkpoint")

    assert code == 1
    assert output.startswith(f"Error: The checkpoint key {key} is missing but its public key ")


def test_checkpoints_without_their_public_key_cannot_vouch_for_anything(db_path):
    soteria("checkpoint")
    (db_path.parent / "keys" / "checkpoint.pub").unlink()

    code, output = soteria("verify")

    assert code == 1
    assert output.startswith(
        f"Error: There are checkpoints in {db_path.parent / 'checkpoints'} but no public key"
    )


def test_a_checkpoint_signed_by_another_key_is_refused(db_path):
    soteria("checkpoint")
    folder = db_path.parent / "checkpoints"
    data = json.loads((folder / "checkpoint-000001.json").read_text())
    other = Ed25519PrivateKey.generate()
    del data["signature"]
    data["checkpoint"] = 2
    data["public_key"] = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    data["signature"] = other.sign(canonical_json(data).encode()).hex()
    forged = folder / "checkpoint-000002.json"
    forged.write_text(json.dumps(data))

    code, output = soteria("verify")

    assert code == 1
    assert output == (
        f"Error: Checkpoint 2 ({forged}) does not hold: its signature does not match this "
        "installation's public key, so it was edited or signed by another key.\n"
    )


def test_a_backup_is_checked_against_the_checkpoints_made_before_it_only(db_path, tmp_path):
    add_views(db_path, 1)
    soteria("checkpoint")
    copy = tmp_path / "monday.db"
    assert soteria("backup", str(copy), "--purpose", "audit")[0] == 0
    add_answers(db_path, 2)
    add_views(db_path, 3)  # the later checkpoint signs access records the copy lacks too
    soteria("checkpoint")

    code, output = soteria("verify", "--db", str(copy))

    assert code == 0, output
    assert "Checkpoints made after this copy was taken, not checked: 2." in output
    assert soteria("verify")[0] == 0


def test_a_backup_restored_in_place_of_the_database_says_what_it_lacks(db_path, tmp_path):
    copy = tmp_path / "monday.db"
    soteria("backup", str(copy), "--purpose", "audit")
    add_answers(db_path, 2)
    soteria("checkpoint")
    copy.replace(db_path)

    code, output = soteria("verify")

    assert code == 1
    assert output.startswith("Records 5 to 6 are missing: the log ends at record 4, but ")


def test_the_days_checkpoint_job_writes_one(db_path, tmp_path):
    settings = Settings(db_path=db_path)

    made = write_checkpoint(settings, T0)

    assert (made.number, made.seq, made.new) == (1, 4, True)
    assert made.path == db_path.parent / "checkpoints" / "checkpoint-000001.json"


def test_the_bot_schedules_a_checkpoint_every_day(tmp_path):
    assert "daily checkpoint" in job_names(tmp_path)


def test_a_checkpoint_folder_that_cannot_be_written_is_one_sentence(
    db_path, tmp_path, monkeypatch
):
    not_a_folder = tmp_path / "checkpoints.txt"
    not_a_folder.write_text("a file, not a folder")
    monkeypatch.setenv("SOTERIA_CHECKPOINTS", str(not_a_folder))

    code, output = soteria("checkpoint")

    assert code == 1
    assert output == (
        f"Error: No checkpoint was written: {not_a_folder} cannot be used (File exists).\n"
    )


def test_a_checkpoint_taken_out_of_the_folder_is_named(db_path):
    soteria("checkpoint")
    for _ in range(2):
        add_answers(db_path, 1)
        soteria("checkpoint")
    folder = db_path.parent / "checkpoints"
    (folder / "checkpoint-000002.json").unlink()

    code, output = soteria("verify")

    assert code == 1
    assert output.splitlines()[0] == (
        f"Checkpoint 2 is missing from {folder}: checkpoints 1 and 3 are there, so one was "
        "removed."
    )


# --- the access log under the same checkpoints ---------------------------------------------


def add_views(path: Path, count: int, purpose: str = "supervision") -> None:
    """Append `count` views of case 1 to the access log, as `/case` would."""
    db = connect(path)
    try:
        with transaction(db):
            start = int(db.execute("SELECT seq FROM access_head").fetchone()[0])
            for n in range(count):
                AccessLog(db).append(
                    Access(
                        T0 + timedelta(minutes=start + n),
                        "user:1",
                        "view",
                        "case:1",
                        (1,),
                        purpose,
                        {"via": "/case"},
                    )
                )
    finally:
        db.close()


def rebuild_access_log(path: Path, purposes: list[str]) -> None:
    """Wipe the access log behind the store's back and write it again, its chain and head
    made to match, as someone with shell access but not the checkpoint key could."""
    tamper(
        path,
        "DROP TRIGGER access_log_no_delete",
        "DROP TRIGGER access_head_forward_only",
        "DELETE FROM access_log",
        f"UPDATE access_head SET seq = 0, hash = '{GENESIS_HASH}'",
    )
    for purpose in purposes:
        add_views(path, 1, purpose)


def test_a_checkpoint_signs_the_access_log_head_too(db_path):
    add_views(db_path, 3)

    code, output = soteria("checkpoint")

    assert code == 0, output
    data = json.loads((db_path.parent / "checkpoints" / "checkpoint-000001.json").read_text())
    assert data["access"]["head"]["seq"] == 3
    assert (data["access"]["prints"]["from"], len(data["access"]["prints"]["hashes"])) == (
        1,
        3 * 12,
    )


def test_a_checkpoint_is_written_when_only_the_access_log_has_moved(db_path):
    soteria("checkpoint")
    add_views(db_path, 2)

    code, output = soteria("checkpoint")

    assert code == 0
    assert output.startswith("Checkpoint 2 written to "), output
    data = json.loads((db_path.parent / "checkpoints" / "checkpoint-000002.json").read_text())
    assert data["access"]["head"]["seq"] == 2


def test_an_access_log_rebuilt_end_to_end_does_not_match_its_checkpoint(db_path):
    add_views(db_path, 3)
    soteria("checkpoint")
    # The second view's purpose changed, every hash after it and the head recomputed: the
    # chain alone holds, the signed prints do not.
    rebuild_access_log(db_path, ["supervision", "disclosure", "supervision"])

    code, output = soteria("verify")

    assert code == 1, output
    last = output.splitlines()[-2]  # before the read model's line
    assert last.startswith("The access log does not match checkpoint 1 (signed "), output
    assert last.endswith(
        " UTC): access record 2 is not the record it signed, and the access log was rebuilt "
        "from there."
    )


def test_an_access_log_cut_short_after_a_checkpoint_is_named(db_path):
    add_views(db_path, 4)
    soteria("checkpoint")
    rebuild_access_log(db_path, ["supervision", "supervision"])

    code, output = soteria("verify")

    assert code == 1, output
    assert "Access records 3 to 4 are missing: the access log ends at record 2, but " in output
    assert "covers access records to 4; the access log was truncated or rewound." in output


def test_an_access_log_wiped_after_a_checkpoint_is_named(db_path):
    add_views(db_path, 2)
    soteria("checkpoint")
    rebuild_access_log(db_path, [])

    code, output = soteria("verify")

    assert code == 1, output
    assert "The access log was wiped: it holds no records, but checkpoint 1 (signed " in output


def test_verify_says_the_access_log_matches_the_checkpoints(db_path):
    add_views(db_path, 3)
    soteria("checkpoint")
    add_views(db_path, 1)

    code, output = soteria("verify")

    assert code == 0, output
    lines = output.splitlines()
    at = lines.index("Access log verified: 4 records, chain intact.")
    assert lines[at + 1].startswith(
        "Checkpoints: the access log matches each; the latest, checkpoint 1 of "
    )
    assert lines[at + 1].endswith(" UTC, covers access records 1 to 3.")
    assert lines[at + 2] == (
        "Access record 4 came after the latest checkpoint: only the chain vouches for it "
        "until the next one."
    )


def test_nothing_is_signed_when_the_access_log_does_not_verify(db_path):
    add_views(db_path, 2)
    tamper(
        db_path,
        "DROP TRIGGER access_log_no_update",
        "UPDATE access_log SET purpose = 'curiosity' WHERE seq = 1",
    )

    code, output = soteria("checkpoint")

    assert code == 1
    assert output == (
        "Error: The access log does not verify, so no checkpoint was written: Access record 1 "
        "was altered: its content no longer matches its hash.\n"
    )
    assert not (db_path.parent / "checkpoints").exists()


def test_nothing_is_signed_over_an_access_log_rebuilt_since_the_last_checkpoint(db_path):
    add_views(db_path, 3)
    soteria("checkpoint")
    rebuild_access_log(db_path, ["supervision", "disclosure", "supervision", "supervision"])

    code, output = soteria("checkpoint")

    assert code == 1
    assert output.startswith(
        "Error: The access log does not verify, so no checkpoint was written: The access log "
        "does not match checkpoint 1 (signed "
    ), output
    assert not (db_path.parent / "checkpoints" / "checkpoint-000002.json").exists()
