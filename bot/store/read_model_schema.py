"""The schema of the read model (migrations 0017 to 0019, applied from `db`).

Kept apart from `db.py` so that module stays readable; `db` imports this one inside its
migration, as it does the access log's and the seals'. What the tables hold: `bot.store.facts`.
"""

from __future__ import annotations

import sqlite_utils

from bot.core.history import WAITING
from bot.core.run_items import OCCURRENCE_STEP


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


#: An item's position in its playbook, as the indexes below and the queries that use them
#: write it: SQLite uses an index on an expression only for the same expression.
POSITION = f"place / {OCCURRENCE_STEP}"


def waiting(column: str) -> str:
    """SQL true where `column` holds a waiting status, as the escalation scan's index and its
    query both write it: SQLite uses a partial index only for a query with the same terms.

    OR, not IN: SQLite builds a temporary table for an IN list each time it checks an index's
    condition, which is at every row written (four times the cost of writing the row).
    """
    return "(" + " OR ".join(f"{column} = '{status}'" for status in WAITING) + ")"


def add_tallies(db: sqlite_utils.Database) -> None:
    """Each item row's time to its first answer, and the indexes field feedback and the
    escalation scan read (migration 0018).

    Field feedback totals every live item row of the force by playbook version and position:
    `item_facts_tally` holds what it counts, in that order, so SQLite reads it once without
    sorting the rows, and finds each item's median time to answer by walking to the middle.
    `item_facts_reasons` holds the few rows with a reason. `item_facts_waiting` holds the rows
    still waiting with a due date, which are all the escalation scan has to look at.
    """
    db.execute("ALTER TABLE item_facts ADD COLUMN time_to_answer INTEGER")
    # Filled here, for rows written before it existed, as reports worked it out until now;
    # the read model's writer works it out in Python from then on (`bot.core.facts.item_row`),
    # and `verify` compares the two.
    db.execute(
        f"UPDATE item_facts SET time_to_answer = (SELECT {_micros_between('r.started')}"
        " FROM run_facts r WHERE r.run_id = item_facts.run_id AND r.started IS NOT NULL)"
        " WHERE first_answered IS NOT NULL"
    )
    db.execute(
        f"CREATE INDEX item_facts_tally ON item_facts (version_id, {POSITION}, time_to_answer,"
        " status, value, deferred, thread, due, first_answered) WHERE status != 'not-live'"
    )
    db.execute(
        f"CREATE INDEX item_facts_reasons ON item_facts (version_id, {POSITION}, reason,"
        " status) WHERE status != 'not-live' AND reason != ''"
    )
    # As 0018 made it; 0019 writes its condition without IN (`index_waiting_rows`).
    db.execute(
        "CREATE INDEX item_facts_waiting ON item_facts (run_id, due)"
        " WHERE status IN ('open', 'later', 'needs-reason', 'not-yet') AND due IS NOT NULL"
    )


def index_waiting_rows(db: sqlite_utils.Database) -> None:
    """The index of rows still waiting with a due date, its condition written with OR (0019)."""
    db.execute("DROP INDEX IF EXISTS item_facts_waiting")
    db.execute(
        "CREATE INDEX item_facts_waiting ON item_facts (run_id, due)"
        f" WHERE {waiting('status')} AND due IS NOT NULL"
    )


def _micros_between(started: str) -> str:
    """SQL for the microseconds from a run's start to an item row's first answer."""
    end = "item_facts.first_answered"
    return (
        f"({_seconds(end)} - {_seconds(started)}) * 1000000 + {_micros(end)} - {_micros(started)}"
    )


def _seconds(column: str) -> str:
    """SQL for whole seconds since 1970 of an ISO time, fraction dropped (unixepoch rounds)."""
    return (
        f"unixepoch(CASE WHEN substr({column}, 20, 1) = '.'"
        f" THEN substr({column}, 1, 19) || substr({column}, 27) ELSE {column} END)"
    )


def _micros(column: str) -> str:
    """SQL for the microseconds of an ISO time past its whole second."""
    return (
        f"(CASE WHEN substr({column}, 20, 1) = '.'"
        f" THEN CAST(substr({column}, 21, 6) AS INTEGER) ELSE 0 END)"
    )
