"""The schema of the read model (migration 0017, applied from `db`).

Kept apart from `db.py` so that module stays readable; `db` imports this one inside its
migration, as it does the access log's and the seals'. What the tables hold: `bot.store.facts`.
"""

from __future__ import annotations

import sqlite_utils


def create_read_model(db: sqlite_utils.Database) -> None:
    """What reports read, kept in step with the log: each item's facts and each run's own.

    Derived from the log and the case's events alone, so they may be dropped and built again
    at any time (`soteria-bot rebuild-read-model`). A database with runs already gets them
    built the first time it is opened with the playbooks (`bot.services.facts.bring_up_to_date`):
    due dates need the bank holidays and the force's settings, which a migration does not have.
    """
    db.execute(
        """
        CREATE TABLE item_facts (
            run_id INTEGER NOT NULL,
            place INTEGER NOT NULL,
            version_id INTEGER NOT NULL,
            item TEXT NOT NULL,
            status TEXT NOT NULL,
            value TEXT,
            reason TEXT,
            who TEXT,
            at TEXT,
            first_answered TEXT,
            corrections INTEGER NOT NULL,
            due TEXT,
            deferred INTEGER NOT NULL,
            thread TEXT,
            touched_n INTEGER,
            touched TEXT,
            PRIMARY KEY (run_id, place)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """
        CREATE TABLE run_facts (
            run_id INTEGER PRIMARY KEY,
            started TEXT,
            review_due TEXT,
            signed_off_by TEXT,
            signed_off_at TEXT,
            reopened INTEGER NOT NULL,
            changed_n INTEGER,
            changed TEXT
        )"""
    )
    db.execute(
        """
        CREATE TABLE read_model (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            basis TEXT,
            built INTEGER NOT NULL
        )"""
    )
    # With no run yet there is nothing to build: every row is written as records come.
    empty = db.execute("SELECT NOT EXISTS (SELECT 1 FROM runs)").fetchone()[0]
    db.execute("INSERT INTO read_model (id, basis, built) VALUES (1, NULL, ?)", [empty])
