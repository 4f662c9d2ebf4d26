"""The SQLite database: connection settings, explicit transactions and the schema's migrations.

Every write the bot acknowledges is committed, and on disk, before the reply goes out, so a crash
or a power cut loses nothing a user saw confirmed. A connection syncs the write-ahead log inside
each COMMIT (`synchronous=FULL`), or, opened with `sync_apart`, leaves that sync to its caller
(see `durability`), which makes it before anything it committed is shown to anyone.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

MEMORY = ":memory:"
APPEND_ONLY = "the completion log is append-only"
#: The hash a chain starts from: the `prev_hash` of record 1, and the head of an empty log.
GENESIS_HASH = "0" * 64

migrations = Migrations("soteria")


def utc_text(at: datetime) -> str:
    """An aware time as the store keeps it: ISO-8601 in UTC, always with microseconds.

    One fixed width, so times compare correctly as text in SQL.
    """
    if at.tzinfo is None:
        raise ValueError("stored times must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def connect(path: Path | str, *, sync_apart: bool = False) -> sqlite_utils.Database:
    """Open (or create) the database at `path`, set it up for durable writes and migrate it.

    With `sync_apart`, a COMMIT does not wait for the disk and the connection never checkpoints:
    `durability.Durability` syncs and checkpoints for it, from other threads. `":memory:"`
    gives a private in-memory database, for tests.
    """
    in_memory = str(path) == MEMORY
    if not in_memory:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: the driver never opens transactions behind our back; `transaction`
    # and sqlite-utils' `atomic` open them explicitly.
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        # busy_timeout first, so switching to WAL waits for another process's lock.
        conn.execute("PRAGMA busy_timeout = 5000")
        wal = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
        if sync_apart and wal:
            # In WAL mode, FULL is NORMAL plus one sync of the log file at each COMMIT, made
            # while the write lock is held; the caller makes that sync itself, after the lock.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        else:
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn)
        migrate(db)
    except BaseException:
        conn.close()
        raise
    return db


def migrate(db: sqlite_utils.Database) -> None:
    """Apply the migrations not yet applied; harmless when there are none.

    One IMMEDIATE transaction holds the write lock while pending migrations are worked out and
    applied, so two processes starting together cannot both apply the same one.
    """
    with transaction(db):
        migrations.apply(db)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run the block in one transaction: `BEGIN IMMEDIATE` … `COMMIT`, or `ROLLBACK` on error.

    IMMEDIATE takes the write lock at the start, so a read-then-write (such as appending to the
    hash chain) cannot be overtaken by another writer. Nested use is allowed and becomes a
    SAVEPOINT: an error inside it undoes only the inner block's writes and is re-raised; nothing
    is durable until the outermost block commits. A block nested in a transaction someone else
    opened (sqlite-utils' `atomic`, say) is a savepoint of that transaction too.
    """
    conn = db.conn
    if conn.in_transaction:
        savepoint = f'"soteria_{secrets.token_hex(8)}"'
        conn.execute(f"SAVEPOINT {savepoint}")
        try:
            yield db
        except BaseException:
            # An error such as RAISE(ROLLBACK) may already have ended the whole transaction.
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO {savepoint}")
                conn.execute(f"RELEASE {savepoint}")
            raise
        conn.execute(f"RELEASE {savepoint}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


ROLES_SQL = "'investigator', 'supervisor', 'trainer', 'admin'"

INITIAL_SCHEMA = (
    f"""
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ({ROLES_SQL})),
        team TEXT NOT NULL,
        in_training INTEGER NOT NULL DEFAULT 0 CHECK (in_training IN (0, 1)),
        telegram_id INTEGER UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    )""",
    f"""
    CREATE TABLE invites (
        id INTEGER PRIMARY KEY,
        code_hash TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ({ROLES_SQL})),
        team TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        used_by INTEGER REFERENCES users (id)
    )""",
    """
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        ref TEXT NOT NULL UNIQUE,
        team TEXT NOT NULL,
        officer_id INTEGER NOT NULL REFERENCES users (id),
        opened_at TEXT NOT NULL,
        opened_by INTEGER NOT NULL REFERENCES users (id)
    )""",
    """
    CREATE TABLE milestones (
        case_id INTEGER NOT NULL REFERENCES cases (id),
        name TEXT NOT NULL,
        date TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        recorded_by INTEGER NOT NULL REFERENCES users (id),
        PRIMARY KEY (case_id, name)
    )""",
    """
    CREATE TABLE playbook_versions (
        id INTEGER PRIMARY KEY,
        playbook_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        text TEXT NOT NULL,
        published_at TEXT NOT NULL,
        published_by INTEGER REFERENCES users (id),
        UNIQUE (playbook_id, content_hash)
    )""",
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases (id),
        playbook_version_id INTEGER NOT NULL REFERENCES playbook_versions (id),
        state TEXT NOT NULL,
        started_at TEXT NOT NULL,
        started_by INTEGER NOT NULL REFERENCES users (id),
        current_item TEXT
    )""",
    "CREATE INDEX runs_case_id ON runs (case_id)",
    """
    CREATE TABLE log (
        seq INTEGER PRIMARY KEY,
        case_ref TEXT NOT NULL,
        run_id INTEGER,
        kind TEXT NOT NULL,
        item TEXT,
        value TEXT,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    "CREATE INDEX log_run_id ON log (run_id)",
    "CREATE INDEX log_case_ref ON log (case_ref)",
    # The head anchors the chain's end: the last record's number and hash, moved by the same
    # statement that inserts it. Removing records from the end contradicts it.
    """
    CREATE TABLE log_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
    )""",
    f"INSERT INTO log_head (id, seq, hash) VALUES (1, 0, '{GENESIS_HASH}')",
    f"""
    CREATE TRIGGER log_no_update BEFORE UPDATE ON log
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""
    CREATE TRIGGER log_no_delete BEFORE DELETE ON log
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    """
    CREATE TRIGGER log_follows_head BEFORE INSERT ON log
    WHEN NEW.seq IS NOT (SELECT seq + 1 FROM log_head WHERE id = 1)
      OR NEW.prev_hash IS NOT (SELECT hash FROM log_head WHERE id = 1)
    BEGIN SELECT RAISE(ABORT, 'a completion log record must follow the last one'); END""",
    """
    CREATE TRIGGER log_moves_head AFTER INSERT ON log
    BEGIN UPDATE log_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1; END""",
    """
    CREATE TRIGGER log_head_forward_only BEFORE UPDATE ON log_head
    WHEN NEW.seq <= OLD.seq OR NEW.id IS NOT OLD.id
    BEGIN SELECT RAISE(ABORT, 'the completion log head only moves forward'); END""",
    f"""
    CREATE TRIGGER log_head_kept BEFORE DELETE ON log_head
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    """
    CREATE TABLE updates (
        update_id INTEGER PRIMARY KEY,
        handled_at TEXT NOT NULL
    )""",
)


@migrations(name="0001-initial-schema")
def create_initial_schema(db: sqlite_utils.Database) -> None:
    """Users and invites, cases and milestones, playbook versions and runs, the log, updates."""
    for statement in INITIAL_SCHEMA:
        db.execute(statement)


@migrations(name="0002-case-links")
def add_case_links(db: sqlite_utils.Database) -> None:
    """Crime references for cases opened under a handle, kept on the server only."""
    db.execute(
        """
        CREATE TABLE case_links (
            case_id INTEGER PRIMARY KEY REFERENCES cases(id),
            crime_ref TEXT NOT NULL UNIQUE,
            linked_at TEXT NOT NULL,
            linked_by TEXT NOT NULL
        )"""
    )


@migrations(name="0003-oversight")
def add_oversight(db: sqlite_utils.Database) -> None:
    """The notice outbox, case handovers, and extra teams a supervisor oversees."""
    db.execute(
        """
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id),
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            buttons TEXT NOT NULL DEFAULT '[]',
            urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
            dedupe_key TEXT UNIQUE,
            created_at TEXT NOT NULL,
            sent_at TEXT
        )"""
    )
    db.execute("CREATE INDEX notices_unsent ON notices (sent_at, user_id)")
    db.execute(
        """
        CREATE TABLE handovers (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases (id),
            from_officer INTEGER NOT NULL REFERENCES users (id),
            to_officer INTEGER NOT NULL REFERENCES users (id),
            offered_by INTEGER REFERENCES users (id),
            offered_at TEXT NOT NULL,
            accepted_at TEXT,
            superseded_at TEXT
        )"""
    )
    db.execute("CREATE INDEX handovers_case ON handovers (case_id)")
    db.execute(
        """
        CREATE TABLE supervised_teams (
            user_id INTEGER NOT NULL REFERENCES users (id),
            team TEXT NOT NULL,
            PRIMARY KEY (user_id, team)
        )"""
    )
    db.execute("CREATE INDEX cases_team ON cases (team)")


@migrations(name="0004-publishing")
def add_publishing(db: sqlite_utils.Database) -> None:
    """Who published each playbook version and from where; published versions never change."""
    db.execute("ALTER TABLE playbook_versions ADD COLUMN published_as TEXT")
    db.execute("ALTER TABLE playbook_versions ADD COLUMN source TEXT")
    # A run replays its log against its version's text: changing or removing that text would
    # change what every run on it says was asked.
    db.execute(
        """
        CREATE TRIGGER playbook_versions_kept BEFORE UPDATE OF
            playbook_id, version, content_hash, text, published_at ON playbook_versions
        BEGIN SELECT RAISE(ABORT, 'a published playbook version never changes'); END"""
    )
    db.execute(
        """
        CREATE TRIGGER playbook_versions_not_removed BEFORE DELETE ON playbook_versions
        BEGIN SELECT RAISE(ABORT, 'a published playbook version never changes'); END"""
    )


@migrations(name="0005-channels")
def add_channels(db: sqlite_utils.Database) -> None:
    """Identities per channel, handled messages per channel, one text per version number.

    A person's account on a channel (Telegram today) was a column of `users`, and a handled
    update was a Telegram `update_id`: both are keyed by (channel, key) now, so a second face
    needs no new columns and its ids cannot collide with Telegram's. Terminal users, who had
    no Telegram id, get a `console` identity from their role and name.
    """
    db.execute(
        """
        CREATE TABLE identities (
            channel TEXT NOT NULL,
            external_id TEXT NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users (id),
            linked_at TEXT NOT NULL,
            PRIMARY KEY (channel, external_id)
        )"""
    )
    db.execute("CREATE INDEX identities_user ON identities (user_id)")
    db.execute(
        "INSERT INTO identities (channel, external_id, user_id, linked_at)"
        " SELECT 'telegram', CAST(telegram_id AS TEXT), id, created_at FROM users"
        " WHERE telegram_id IS NOT NULL"
    )
    # The terminal chat found its user by name and role, the oldest first: so does this.
    db.execute(
        "INSERT OR IGNORE INTO identities (channel, external_id, user_id, linked_at)"
        " SELECT 'console', role || ':' || name, id, created_at FROM users"
        " WHERE telegram_id IS NULL AND revoked_at IS NULL ORDER BY id"
    )
    db.table("users").transform(drop={"telegram_id"})
    db.execute(
        """
        CREATE TABLE processed (
            channel TEXT NOT NULL,
            key TEXT NOT NULL,
            handled_at TEXT NOT NULL,
            PRIMARY KEY (channel, key)
        )"""
    )
    db.execute(
        "INSERT INTO processed (channel, key, handled_at)"
        " SELECT 'telegram', CAST(update_id AS TEXT), handled_at FROM updates"
    )
    db.execute("DROP TABLE updates")
    # Two texts under one number could be kept by a publish racing another: no longer.
    db.execute(
        "CREATE UNIQUE INDEX playbook_versions_number ON playbook_versions (playbook_id, version)"
    )
    # Notices are kept as what happened (a kind and its facts); the words come when sent.
    db.execute("ALTER TABLE notices ADD COLUMN params TEXT")


@migrations(name="0006-case-events")
def add_case_events(db: sqlite_utils.Database) -> None:
    """Every occurrence of each milestone, and cases closed with a reason.

    A milestone was one row per case and name, so a bail extended twice or a trial moved
    kept only its last date. Each occurrence is a row now, numbered from 1.
    """
    db.execute(
        """
        CREATE TABLE case_events (
            case_id INTEGER NOT NULL REFERENCES cases (id),
            name TEXT NOT NULL,
            occurrence INTEGER NOT NULL CHECK (occurrence >= 1),
            date TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            recorded_by INTEGER REFERENCES users (id),
            PRIMARY KEY (case_id, name, occurrence)
        )"""
    )
    db.execute(
        "INSERT INTO case_events (case_id, name, occurrence, date, recorded_at, recorded_by)"
        " SELECT case_id, name, 1, date, recorded_at, recorded_by FROM milestones"
    )
    db.execute("DROP TABLE milestones")
    # A reference typed with hyphens or slashes finds the same case (see CaseRepository.by_ref).
    db.execute("CREATE INDEX cases_ref_slashed ON cases (replace(ref, '-', '/'))")
    db.execute("ALTER TABLE cases ADD COLUMN closed_at TEXT")
    db.execute("ALTER TABLE cases ADD COLUMN closed_reason TEXT")
    db.execute("ALTER TABLE cases ADD COLUMN closed_by INTEGER REFERENCES users (id)")


@migrations(name="0007-invite-names")
def add_invite_names(db: sqlite_utils.Database) -> None:
    """The name an administrator gives with an invite, to enrol its holder under."""
    db.execute("ALTER TABLE invites ADD COLUMN name TEXT")


@migrations(name="0008-inbox")
def add_inbox(db: sqlite_utils.Database) -> None:
    """Inbound messages kept before they are confirmed to their channel, then handled from here.

    Replaces `processed`: a message is known by its row, not by the channel's id alone, since
    Telegram restarts its update ids after a quiet week. Rows handled are pruned after a while.
    """
    db.execute(
        """
        CREATE TABLE inbox (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            external_id TEXT NOT NULL,
            digest TEXT,
            raw TEXT,
            state TEXT NOT NULL
                CHECK (state IN ('waiting', 'handled', 'unparseable', 'failed')),
            received_at TEXT NOT NULL,
            handled_at TEXT
        )"""
    )
    # The same message delivered again has the same content; a new one under a reused id does
    # not. Rows carried over from `processed` have no digest, and stand for any content.
    db.execute("CREATE UNIQUE INDEX inbox_once ON inbox (channel, external_id, digest)")
    db.execute("CREATE INDEX inbox_waiting ON inbox (channel, id) WHERE state = 'waiting'")
    db.execute("CREATE INDEX inbox_received ON inbox (received_at)")
    db.execute(
        "INSERT INTO inbox (channel, external_id, state, received_at, handled_at)"
        " SELECT channel, key, 'handled', handled_at, handled_at FROM processed"
    )
    db.execute("DROP TABLE processed")


@migrations(name="0009-reachability")
def add_reachability(db: sqlite_utils.Database) -> None:
    """Accounts a channel said cannot be reached (blocked the bot, deleted): their notices wait."""
    db.execute("ALTER TABLE identities ADD COLUMN unreachable_since TEXT")
    db.execute("ALTER TABLE identities ADD COLUMN unreachable_why TEXT")


@migrations(name="0010-published-kept")
def keep_published(db: sqlite_utils.Database) -> None:
    """The milestones and settings each version was checked against, and each version parsed.

    With both in the database a restart needs neither the playbooks folder (which may have
    gone) nor a second check of what was checked when it was published.
    """
    db.execute(
        """
        CREATE TABLE catalogues (
            id INTEGER PRIMARY KEY,
            content_hash TEXT NOT NULL UNIQUE,
            milestones TEXT NOT NULL,
            settings TEXT,
            kept_at TEXT NOT NULL
        )"""
    )
    db.execute(
        "ALTER TABLE playbook_versions ADD COLUMN catalogue_id INTEGER REFERENCES catalogues (id)"
    )
    # Derived from a version's text, so it may be dropped and written again at any time.
    db.execute(
        """
        CREATE TABLE playbook_parsed (
            version_id INTEGER PRIMARY KEY REFERENCES playbook_versions (id),
            content_hash TEXT NOT NULL,
            shape TEXT NOT NULL,
            data TEXT NOT NULL
        )"""
    )


@migrations(name="0011-imported-lines")
def add_imported_lines(db: sqlite_utils.Database) -> None:
    """Lines of import files applied, kept for good so a file imported again applies nothing twice.

    They were kept with the handled messages, which the inbox now forgets after two days.
    """
    db.execute(
        """
        CREATE TABLE imported_lines (
            digest TEXT PRIMARY KEY,
            imported_at TEXT NOT NULL
        )"""
    )
    db.execute(
        "INSERT OR IGNORE INTO imported_lines (digest, imported_at)"
        " SELECT external_id, COALESCE(handled_at, received_at) FROM inbox WHERE channel = 'import'"
    )
    db.execute("DELETE FROM inbox WHERE channel = 'import'")


@migrations(name="0012-installation")
def add_installation(db: sqlite_utils.Database) -> None:
    """Facts about the installation itself, by name: how cases are keyed, what is sealed."""
    db.execute(
        """
        CREATE TABLE installation (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )"""
    )


@migrations(name="0013-seals")
def seal_people_and_versions(db: sqlite_utils.Database) -> None:
    """Seal every person and published version already there in the log, and say they are.

    From now on each change to a person, and each publish, is sealed as it happens; what was
    there before this migration is sealed as it stands, by the server.
    """
    # Imported here: the seals append to the log, whose module needs this one.
    from bot.core.seals import MIGRATION_ACTOR
    from bot.store.seals import INSTALLATION, SEALED, seal_people, seal_version

    now = datetime.now(UTC)
    users = [row[0] for row in db.execute("SELECT id FROM users ORDER BY id")]
    seal_people(db, users, "existing", MIGRATION_ACTOR, now)
    for (version_id,) in db.execute("SELECT id FROM playbook_versions ORDER BY id").fetchall():
        seal_version(db, version_id, MIGRATION_ACTOR, now)
    db.execute(f"INSERT INTO {INSTALLATION} (name, value) VALUES (?, ?)", [SEALED, utc_text(now)])


@migrations(name="0014-case-key")
def record_case_key(db: sqlite_utils.Database) -> None:
    """Record the key an installation already in use keys its cases by, so it keeps it.

    A new database records nothing here: its first start records the setting, or handles.
    """
    from bot.store.installation import CASE_KEY, key_of_existing_cases, record

    key = key_of_existing_cases(db)
    if key is not None:
        record(db, CASE_KEY, key)


#: The case key a disposed case keeps, and the log records of its content: 'disposed-' and the
#: case's id. Lower case, so it can be neither a crime reference nor a handle.
DISPOSED_PREFIX = "disposed-"


@migrations(name="0015-access-log")
def add_access_log(db: sqlite_utils.Database) -> None:
    """The access log (DPA 2018 s.62), chained like the completion log (`s62_schema.py`)."""
    from bot.store.s62_schema import create_access_log

    create_access_log(db)


@migrations(name="0016-disposal")
def add_disposal(db: sqlite_utils.Database) -> None:
    """Disposal under the retention schedule, keeping the chain checkable (`s62_schema.py`)."""
    from bot.store.s62_schema import create_disposal

    create_disposal(db)


@migrations(name="0017-read-model")
def add_read_model(db: sqlite_utils.Database) -> None:
    """What reports read, kept in step with the log (`read_model_schema.py`)."""
    from bot.store.read_model_schema import create_read_model

    create_read_model(db)


@migrations(name="0018-read-model-tallies")
def add_read_model_tallies(db: sqlite_utils.Database) -> None:
    """Times to a first answer, and indexes for field feedback and escalations (same module)."""
    from bot.store.read_model_schema import add_tallies

    add_tallies(db)


@migrations(name="0019-waiting-index")
def rewrite_waiting_index(db: sqlite_utils.Database) -> None:
    """The escalation scan's index, cheaper to keep up at every answer (same module)."""
    from bot.store.read_model_schema import index_waiting_rows

    index_waiting_rows(db)
