"""The schema of the access log and of disposal (migrations 0015 and 0016, applied from `db`).

Kept apart from `db.py` so that module stays readable; `db` imports this one inside its
migrations, as it does the seals.
"""

from __future__ import annotations

import sqlite_utils

from bot.store.db import APPEND_ONLY, DISPOSED_PREFIX, GENESIS_HASH

ACCESS_APPEND_ONLY = "the access log is append-only"


def create_access_log(db: sqlite_utils.Database) -> None:
    """The access log (DPA 2018 s.62): each consultation, disclosure and enrolment attempt.

    Chained like the completion log, with a head of its own and the same triggers, so a record
    can be neither changed nor removed through SQLite, and `verify` finds it if it is anyway.
    """
    db.execute(
        """
        CREATE TABLE access_log (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            cases TEXT NOT NULL,
            purpose TEXT,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )"""
    )
    # The purpose asked once a day is looked up by person and subject; limits count by action.
    db.execute("CREATE INDEX access_log_actor ON access_log (actor, subject, at)")
    db.execute("CREATE INDEX access_log_action ON access_log (action, at)")
    db.execute(
        """
        CREATE TABLE access_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL
        )"""
    )
    db.execute(f"INSERT INTO access_head (id, seq, hash) VALUES (1, 0, '{GENESIS_HASH}')")
    for statement in (
        f"""CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
        BEGIN SELECT RAISE(ABORT, '{ACCESS_APPEND_ONLY}'); END""",
        f"""CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
        BEGIN SELECT RAISE(ABORT, '{ACCESS_APPEND_ONLY}'); END""",
        """CREATE TRIGGER access_log_follows_head BEFORE INSERT ON access_log
        WHEN NEW.seq IS NOT (SELECT seq + 1 FROM access_head WHERE id = 1)
          OR NEW.prev_hash IS NOT (SELECT hash FROM access_head WHERE id = 1)
        BEGIN SELECT RAISE(ABORT, 'an access log record must follow the last one'); END""",
        """CREATE TRIGGER access_log_moves_head AFTER INSERT ON access_log
        BEGIN UPDATE access_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1; END""",
        """CREATE TRIGGER access_head_forward_only BEFORE UPDATE ON access_head
        WHEN NEW.seq <= OLD.seq OR NEW.id IS NOT OLD.id
        BEGIN SELECT RAISE(ABORT, 'the access log head only moves forward'); END""",
        f"""CREATE TRIGGER access_head_kept BEFORE DELETE ON access_head
        BEGIN SELECT RAISE(ABORT, '{ACCESS_APPEND_ONLY}'); END""",
    ):
        db.execute(statement)


def create_disposal(db: sqlite_utils.Database) -> None:
    """Disposal of a case's content under the retention schedule, keeping the chain checkable.

    A disposed record keeps its number, kind, item, actor, time and both hashes, and loses its
    case reference, value and detail. It may be blanked only once its number is listed in
    `log_disposed` (with the hash of what it keeps), and only to that shape: any other change
    is still refused, and `verify` still names it.
    """
    db.execute("ALTER TABLE cases ADD COLUMN disposed_at TEXT")
    db.execute(
        """
        CREATE TABLE log_disposed (
            seq INTEGER PRIMARY KEY,
            disposal_seq INTEGER NOT NULL,
            residue TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX log_disposed_by ON log_disposed (disposal_seq)")
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"""CREATE TRIGGER log_disposed_no_{event.lower()} BEFORE {event} ON log_disposed
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
        )
    db.execute("DROP TRIGGER log_no_update")
    db.execute(
        f"""
        CREATE TRIGGER log_no_update BEFORE UPDATE ON log
        WHEN NOT (
            OLD.seq IN (SELECT seq FROM log_disposed)
            AND NEW.seq IS OLD.seq AND NEW.run_id IS OLD.run_id AND NEW.kind IS OLD.kind
            AND NEW.item IS OLD.item AND NEW.actor IS OLD.actor AND NEW.at IS OLD.at
            AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
            AND NEW.value IS NULL AND NEW.detail = '{{}}'
            AND NEW.case_ref GLOB '{DISPOSED_PREFIX}[0-9]*'
        )
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
    )
