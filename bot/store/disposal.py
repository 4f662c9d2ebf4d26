"""Disposal of a closed case's content under the retention schedule, and the file made clean.

What goes: the case's crime reference (or handle) and its link, every answer, reason, note,
challenge and reply, its event dates, its runs, handovers and notices. What stays: the case's
row under its number (`disposed-N`, so its number is never given to another case and the
access log can still say which case it named), and each of its completion log records as its
number, kind, item, actor, time and hashes, with one disposal record that vouches for them
(`bot.store.disposed`). Deleted and rewritten content is zeroed (`secure_delete`), then the
file is rebuilt without free pages (VACUUM) and the write-ahead log emptied, so no copy of the
words is left in the database file; backups taken before still hold them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from bot.core.case import Case
from bot.core.records import Entry
from bot.store import log
from bot.store.db import DISPOSED_PREFIX, utc_text
from bot.store.disposed import digest_of, ranges, residue_of
from bot.store.runs import RunCache

#: Tables a disposal clears of a case's content, and how.
CLEARED = {
    "log": "the case's records keep their hashes, not their words",
    "cases": "the reference is replaced by the case's number",
    "case_links": "the crime reference linked to a handle is removed",
    "case_events": "event dates are removed",
    "runs": "removed",
    "handovers": "removed",
    "notices": "removed (they quote notes, challenges and replies)",
}
#: Tables that hold nothing of a case's content, so a disposal leaves them as they are.
KEPT_AS_IS = {
    "_sqlite_migrations": "the schema's history",
    "users": "people, not cases",
    "invites": "enrolment codes' hashes",
    "identities": "people's accounts",
    "supervised_teams": "who oversees which team",
    "playbook_versions": "published playbooks",
    "inbox": "a message's content is emptied once handled; one kept aside goes after 30 days",
    "imported_lines": "digests of import lines only",
    "catalogues": "the milestones and settings playbooks were checked against",
    "playbook_parsed": "published playbooks, parsed",
    "installation": "how the installation keys cases, and when it was sealed",
    "log_head": "the last record's number and hash",
    "log_disposed": "the hashes a disposal keeps",
    "access_log": "names a case only by its number",
    "access_head": "the last access record's number and hash",
}


@dataclass(frozen=True, slots=True)
class Disposed:
    """What disposing of one case removed, and the record that says so."""

    case_id: int
    #: The key the case had, for the person who disposed of it; it is nowhere in the file now.
    key: str
    records: int
    disposal_seq: int
    events: int
    runs: int
    notices: int


class Disposal:
    """The retention schedule's writes: reviews that keep a case, disposals, a clean file."""

    def __init__(self, db: sqlite_utils.Database, cache: RunCache) -> None:
        self._db = db
        self._cache = cache

    def reviews(self) -> dict[str, datetime]:
        """When each closed case was last reviewed and kept, by case key."""
        rows = self._db.execute(
            "SELECT case_ref, max(at) FROM log WHERE kind = 'retention-reviewed' GROUP BY case_ref"
        )
        return {ref: datetime.fromisoformat(at).astimezone(UTC) for ref, at in rows}

    def erase_freed_space(self) -> None:
        """From now on, on this connection, overwrite deleted and rewritten content with zeros."""
        self._db.execute("PRAGMA secure_delete = ON")

    def dispose(self, case: Case, actor: str, now: datetime, why: str) -> Disposed:
        """Remove a case's content, in the caller's transaction; see the module's docstring."""
        key = f"{DISPOSED_PREFIX}{case.id}"
        rows = self._db.execute(
            "SELECT seq, run_id, kind, item, actor, at, prev_hash, hash FROM log"
            " WHERE case_ref = ? ORDER BY seq",
            [case.ref],
        ).fetchall()
        pairs = [
            (seq, residue_of(seq, key, run_id, kind, item, who, at, prev_hash, digest))
            for seq, run_id, kind, item, who, at, prev_hash, digest in rows
        ]
        detail = {
            "case": str(case.id),
            "records": ranges([seq for seq, _ in pairs]),
            "count": str(len(pairs)),
            "digest": digest_of(pairs),
            "why": why,
        }
        (disposal,) = log.append(
            self._db, [Entry("case-disposed", key, actor, now, detail=detail)]
        )
        self._db.conn.executemany(
            "INSERT INTO log_disposed (seq, disposal_seq, residue) VALUES (?, ?, ?)",
            [(seq, disposal.seq, residue) for seq, residue in pairs],
        )
        self._db.execute(
            "UPDATE log SET case_ref = ?, value = NULL, detail = '{}'"
            " WHERE seq IN (SELECT seq FROM log_disposed WHERE disposal_seq = ?)",
            [key, disposal.seq],
        )
        run_ids = [str(run_id) for (run_id,) in self._db.execute(
            "SELECT id FROM runs WHERE case_id = ?", [case.id]
        )]  # fmt: skip
        notices = self._db.execute(
            "DELETE FROM notices WHERE json_extract(params, '$.case_ref') = ?"
            " OR json_extract(params, '$.case_id') = ?"
            f" OR json_extract(params, '$.run_id') IN ({', '.join('?' * len(run_ids))})"
            " OR instr(text, ?) > 0",
            [case.ref, str(case.id), *run_ids, case.ref],
        ).rowcount
        events = self._db.execute("DELETE FROM case_events WHERE case_id = ?", [case.id]).rowcount
        for table in ("case_links", "handovers", "runs"):
            self._db.execute(f"DELETE FROM {table} WHERE case_id = ?", [case.id])
        self._db.execute(
            "UPDATE cases SET ref = ?, disposed_at = ? WHERE id = ?",
            [key, utc_text(now), case.id],
        )
        self._cache.forget_case(case.id)
        return Disposed(case.id, case.ref, len(pairs), disposal.seq, events, len(run_ids), notices)

    def has_free_pages(self) -> bool:
        """Tell whether the file has free pages, which may still hold deleted content."""
        return bool(self._db.execute("PRAGMA freelist_count").fetchone()[0])

    def compact(self) -> Compacted:
        """Rebuild the file from what it holds now, then empty the write-ahead log.

        Either can be held up by another process (the bot writing for longer than the busy
        timeout, a reader holding the log): that is said, not raised, as the disposal is done.
        """
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.execute("VACUUM")
        except sqlite3.OperationalError:
            return Compacted(rebuilt=False, wal_emptied=False)
        return Compacted(rebuilt=True, wal_emptied=self.empty_wal())

    def empty_wal(self) -> bool:
        """Copy the write-ahead log into the file and truncate it; False while a reader in
        another process still needs it."""
        busy, _pages, _done = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return bool(busy == 0)


@dataclass(frozen=True, slots=True)
class Compacted:
    """Whether the file was rebuilt without free pages, and its write-ahead log emptied."""

    rebuilt: bool
    wal_emptied: bool
