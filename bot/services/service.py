"""The use cases every face shares: open a case, run playbooks, answer, record milestones, report.

Each command loads what it needs, lets the core decide, and writes the core's log entries and
the run's new state in one transaction, before it returns. Only then may a face tell the user
it worked. Who may touch what is checked here, on every call, whatever the face.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlite_utils

from bot.config import Settings
from bot.core.changes import Changes, compare
from bot.core.errors import InputRefused, NotAllowed, NotFound, SoteriaError
from bot.core.playbook import Item, Playbook
from bot.core.records import Entry
from bot.core.run import MOVABLE, Run
from bot.core.schedule import due_date, standing
from bot.core.typed_input import (
    DEFAULT_CRIME_REFERENCE,
    CrimeReferenceFormat,
    normalise_crime_reference,
)
from bot.services.calendar import working_calendar
from bot.store import log, notices, versions
from bot.store.case_links import case_key_for, crime_ref_of, new_handle, normalise_handle
from bot.store.db import connect, transaction
from bot.store.playbook_files import Library, LibraryInvalid, load_library, load_playbook_text
from bot.store.users import User, add_local_user, find_user, supervisors_of
from bot.wording import texts
from bot.wording.texts import counted

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]
#: What a case is known by in chats: its crime reference, or a handle the bot issues.
CASE_KEYS = ("crime-reference", "handle")


class StorageFailed(SoteriaError):
    """The database refused a write (disk full, locked too long): nothing was recorded."""


def crime_reference_format(settings: Settings) -> CrimeReferenceFormat:
    """The force's crime reference format from its settings, or the default one."""
    if not settings.crime_reference_pattern:
        return DEFAULT_CRIME_REFERENCE
    try:
        return CrimeReferenceFormat.of(
            settings.crime_reference_pattern, settings.crime_reference_example or ""
        )
    except (ValueError, re.error) as error:
        raise SoteriaError(
            "SOTERIA_CRIME_REFERENCE must be a regular expression, and "
            f"SOTERIA_CRIME_REFERENCE_EXAMPLE a reference that fits it: {error}"
        ) from None


def utc_now() -> datetime:
    """The current time in UTC: the clock the service uses unless a test gives another."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case as its officer or supervisor sees it in a list."""

    id: int
    ref: str
    team: str
    officer_id: int
    runs: list[RunView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RunView:
    """One run of a case, with its progress and what is overdue."""

    id: int
    playbook_id: str
    title: str
    version: int
    state: str
    settled: int
    live: int
    overdue: int
    #: The newest published version, where the run is on an older one it can move from.
    newer: int | None = None


@dataclass(frozen=True, slots=True)
class AgendaLine:
    """One item that needs doing: for the morning digest."""

    case_ref: str
    playbook_title: str
    ask: str
    due: date
    standing: str


@dataclass(frozen=True, slots=True)
class MoveOffer:
    """Moving a run to its playbook's newest version: what changed, what carries, what not."""

    run: Run
    target: int
    changes: Changes
    carried: tuple[str, ...]
    dropped: tuple[Item, ...]


@dataclass
class Outcome:
    """What a command did: the run as it now stands, and anything the user must be told."""

    run: Run | None = None
    notices: list[str] = field(default_factory=list)


class Service:
    """The application: one database, one playbook library, one clock."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        library: Library,
        clock: Clock = utc_now,
        crime_reference: CrimeReferenceFormat = DEFAULT_CRIME_REFERENCE,
        timezone: str = "Europe/London",
        case_key: str = "crime-reference",
        playbooks_dir: Path | None = None,
    ) -> None:
        if case_key not in CASE_KEYS:
            raise SoteriaError(f"The case key must be one of {', '.join(CASE_KEYS)}.")
        self.case_key = case_key
        try:
            self.zone = ZoneInfo(timezone)
        except (ValueError, ZoneInfoNotFoundError):
            raise SoteriaError(
                f"SOTERIA_TZ must name a time zone, like Europe/London; {timezone!r} is not one."
            ) from None
        self.db = db
        self.clock = clock
        self.crime_reference = crime_reference
        #: The files read at start: their milestones and settings, and playbooks to publish.
        self.files = library
        self.playbooks_dir = playbooks_dir
        self._versions: dict[int, Playbook] = {}
        self._newest = -1
        self.library = library
        self._publish_unpublished(library)
        # Runs as last loaded or saved here, so a tap need not replay the run's log. Trusted only
        # while no other connection has committed (PRAGMA data_version), and dropped whenever a
        # transaction fails, since the core may have moved a run that was then not saved.
        self._runs: OrderedDict[int, tuple[Run, dict[str, Any]]] = OrderedDict()
        self._data_version: int | None = None
        # The Telegram update being handled: recorded in the same transaction as its first
        # write, so a redelivered update can never record an answer twice.
        self._update_id: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = utc_now) -> Service:
        """Open the configured database and playbooks.

        It refuses to start on a broken milestone catalogue, or on broken playbook files when
        nothing was ever published. Once playbooks are published, a file edited badly on the
        server does not stop the bot: it runs on what is published and says what is wrong.
        """
        library = load_library([settings.playbooks_dir], settings.playbooks_dir)
        db = connect(settings.db_path)
        if library.problems:
            lines = "\n".join(str(problem) for problem in library.problems[:10])
            if not library.milestones or not versions.latest(db):
                db.conn.close()
                raise SoteriaError(f"The playbooks have problems; fix them first:\n{lines}")
            logger.warning(
                "Playbook files have problems; running on the published versions:\n%s", lines
            )
        return cls(
            db,
            library,
            clock,
            crime_reference_format(settings),
            settings.timezone,
            settings.case_key,
            settings.playbooks_dir,
        )

    # --- helpers ------------------------------------------------------------------------------

    def write(self, work: Callable[[], Any]) -> Any:
        """Run `work` in one transaction; a storage failure becomes a plain sentence."""
        self.refresh_playbooks()
        try:
            with transaction(self.db):
                if self._update_id is not None:
                    self._mark_handled(self._update_id)
                    self._update_id = None
                return work()
        except BaseException as error:
            self._runs.clear()
            if not isinstance(error, sqlite3.OperationalError):
                raise
            raise StorageFailed(
                "That could not be saved, so nothing was recorded. Please try again in a moment."
            ) from error

    # --- updates delivered more than once ----------------------------------------------------------

    def already_handled(self, update_id: int) -> bool:
        """Tell whether a Telegram update was handled before (Telegram may deliver it again)."""
        found = self.db.execute("select 1 from updates where update_id = ?", [update_id])
        return found.fetchone() is not None

    @contextmanager
    def handling(self, update_id: int) -> Iterator[None]:
        """Handle one update: its id is kept with the first thing it records, or after it."""
        self._update_id = update_id
        try:
            yield
        finally:
            pending, self._update_id = self._update_id, None
        if pending is not None:  # It recorded nothing (a /help, a refusal): note it on its own.
            try:
                with transaction(self.db):
                    self._mark_handled(pending)
            except sqlite3.OperationalError as error:
                # It recorded nothing, so handling it again after a restart is harmless; the
                # reply it already worked out still goes to the person.
                logger.warning("could not note update %s as handled: %s", pending, error)

    def _mark_handled(self, update_id: int) -> None:
        self.db.execute(
            "insert or ignore into updates (update_id, handled_at) values (?, ?)",
            [update_id, self.clock().isoformat()],
        )

    def today(self) -> date:
        """Today's date where the force is (Europe/London unless configured)."""
        return self.clock().astimezone(self.zone).date()

    def case_key_of(self, typed: str) -> str:
        """A case's key as typed, in the form it is stored: a handle or a crime reference."""
        if self.case_key == "handle":
            return normalise_handle(typed)
        return normalise_crime_reference(typed, self.crime_reference)

    def case_row(self, user: User, ref: str) -> dict[str, Any]:
        """The case with this key, if the user may see it; the same sentence otherwise."""
        rows = list(self.db.query("select * from cases where ref = ?", [ref]))
        if not rows or not self.can_see(user, rows[0]):
            # The same sentence whether the case is missing or someone else's: need to know.
            raise NotFound(f"No case {ref} of yours was found. Check the reference.")
        return rows[0]

    def can_see(self, user: User, case: dict[str, Any]) -> bool:
        """Investigators reach their own cases; supervisors their team's; admins every case."""
        if user.role == "admin":
            return True
        if user.role == "supervisor":
            return case["team"] in user.teams
        return case["officer_id"] == user.id

    def _milestones(self, case_id: int) -> dict[str, date]:
        rows = self.db.query("select name, date from milestones where case_id = ?", [case_id])
        return {row["name"]: date.fromisoformat(row["date"]) for row in rows}

    # --- published playbooks ---------------------------------------------------------------

    def _publish_unpublished(self, files: Library) -> None:
        """Publish playbooks never published before (a new install, a new file), then load.

        A changed file of a playbook already published is not published here: a trainer
        publishes it on purpose (`soteria-bot publish`, /reload), so a restart changes nothing.
        """
        # Asked first without the write lock, so a start with nothing new takes no lock; asked
        # again under it, since another process may have published in between.
        if versions.unpublished(self.db, files):
            with transaction(self.db):
                for entry in versions.unpublished(self.db, files):
                    text = files.texts[entry.playbook.id]
                    versions.insert(
                        self.db, entry.playbook, text, self.clock(), None, None, entry.source
                    )
        self.refresh_playbooks()

    def refresh_playbooks(self) -> bool:
        """Start new runs on the latest published versions, once someone publishes; True if so.

        One cheap query when nothing changed, so every command can ask.
        """
        newest = versions.newest_id(self.db)
        if newest == self._newest:
            return False
        latest = versions.latest(self.db)
        try:
            library = versions.published_library(
                latest, self.files.milestones, self.files.settings, self._versions
            )
        except LibraryInvalid as invalid:
            if self._newest < 0:
                raise SoteriaError(f"A published playbook cannot be read: {invalid}") from None
            # Published elsewhere against milestones this process has not loaded: keep going
            # on the versions it can read, and say what a restart would fix.
            logger.error("A newly published playbook cannot be read; restart the bot: %s", invalid)
            self._newest = newest
            return False
        self.library = library
        self._current = {playbook_id: version.id for playbook_id, version in latest.items()}
        self._newest = newest
        return True

    def current_version_id(self, playbook_id: str) -> int:
        """The version new runs of a playbook start on (KeyError when it was never published)."""
        return self._current[playbook_id]

    def playbook_of_version(self, version_id: int) -> Playbook:
        """The playbook exactly as it was when a run started on it."""
        if version_id not in self._versions:
            version = versions.by_id(self.db, version_id)
            self._versions[version_id] = load_playbook_text(
                version.text, f"{version.playbook_id} v{version.version}", self.files.milestones
            )
        return self._versions[version_id]

    RUN_ROWS = (
        "select runs.*, cases.ref, cases.team, cases.officer_id from runs"
        " join cases on cases.id = runs.case_id"
    )

    def _load_run(self, user: User, run_id: int) -> tuple[Run, dict[str, Any]]:
        self._drop_runs_if_changed_elsewhere()
        cached = self._runs.get(run_id)
        if cached is None:
            rows = list(self.db.query(f"{self.RUN_ROWS} where runs.id = ?", [run_id]))
            if not rows:
                raise NotFound("That checklist is not one of yours.")
            entries = [logged.entry for logged in log.entries(self.db, run_id=run_id)]
            cached = (self._replay(rows[0], entries), rows[0])
            self._runs[run_id] = cached
            if len(self._runs) > self.CACHED_RUNS:
                self._runs.popitem(last=False)
        else:
            self._runs.move_to_end(run_id)
        run, row = cached
        if not self.can_see(user, row):
            raise NotFound("That checklist is not one of yours.")
        return run, row

    CACHED_RUNS = 512

    def _drop_runs_if_changed_elsewhere(self) -> None:
        """Forget cached runs once another connection (a CLI, a second process) has written."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._runs.clear()
            self._data_version = version

    def forget_case(self, case_ref: str) -> None:
        """Drop a case's cached runs: its milestones or ownership changed under them."""
        for run_id in [rid for rid, (run, _row) in self._runs.items() if run.case_ref == case_ref]:
            del self._runs[run_id]

    def _replay(self, row: dict[str, Any], entries: Sequence[Entry]) -> Run:
        """Rebuild a run from its row and its log entries; access is the caller's to check."""
        return Run.replay(
            self.playbook_of_version(row["playbook_version_id"]),
            row["id"],
            row["ref"],
            entries,
            self._milestones(row["case_id"]),
            row["current_item"],
        )

    def run(self, user: User, run_id: int) -> Run:
        """A run the user may see, as its log says it stands."""
        return self._load_run(user, run_id)[0]

    def is_officer_of(self, user: User, run_id: int) -> bool:
        """Tell whether the user is the officer in the case a run belongs to."""
        found = self.db.execute(
            "select cases.officer_id from runs join cases on cases.id = runs.case_id"
            " where runs.id = ?",
            [run_id],
        ).fetchone()
        return found is not None and found[0] == user.id

    def _save(self, run: Run, entries: Sequence[Entry]) -> None:
        if entries:
            log.append(self.db, entries)
        cached = self._runs.get(run.run_id)
        row = cached[1] if cached is not None and cached[0] is run else None
        if row is not None and (row["state"], row["current_item"]) == (run.state, run.cursor):
            return  # Most taps leave both as they were: one write fewer before the fsync.
        self.db.execute(
            "update runs set state = ?, current_item = ? where id = ?",
            [run.state, run.cursor, run.run_id],
        )
        if row is not None:
            row["state"], row["current_item"] = run.state, run.cursor

    def local_user(self, name: str, role: str, team: str = "local") -> User:
        """The terminal chat's user: found by name and role, enrolled on first use."""
        row = self.db.execute(
            "select id from users where name = ? and role = ? and telegram_id is null"
            " and revoked_at is null order by id limit 1",
            [name, role],
        ).fetchone()
        if row is not None:
            found = find_user(self.db, user_id=row[0])
            if found is not None:
                return found
        return add_local_user(self.db, name, role, team, self.clock())

    # --- cases --------------------------------------------------------------------------------

    def open_case(self, user: User, typed_ref: str) -> tuple[dict[str, Any], bool]:
        """Open a case by its key, or find it if it is already open; (case, is_new).

        The key is the crime reference, or where the force uses handles, a handle the bot
        issued (an empty key then opens a new case under a new handle).
        """
        if user.role not in ("investigator", "admin"):
            raise NotAllowed("Only investigators open cases.")
        # Only a force on handles opens a case with no key: the bot issues one.
        issue_handle = self.case_key == "handle" and not typed_ref.strip()
        ref = "" if issue_handle else self.case_key_of(typed_ref)

        def work() -> tuple[dict[str, Any], bool]:
            nonlocal ref
            if not ref:
                ref = new_handle(self.db)
            existing = list(self.db.query("select * from cases where ref = ?", [ref]))
            if existing:
                if not self.can_see(user, existing[0]):
                    raise NotAllowed(
                        f"Case {ref} belongs to another officer; ask your supervisor."
                    )
                return existing[0], False
            now = self.clock()
            table = self.db.table("cases")
            table.insert(
                {
                    "ref": ref,
                    "team": user.team,
                    "officer_id": user.id,
                    "opened_at": now.isoformat(),
                    "opened_by": user.id,
                }
            )
            case = table.get(table.last_pk)
            log.append(self.db, [Entry("case-opened", ref, actor(user), now)])
            self._record_milestone(user, case, "report", self.today(), now)
            return case, True

        return self.write(work)

    def suggested_playbooks(self) -> list[Playbook]:
        """Playbooks that start on the report: the ones to offer when a case is opened."""
        return [
            entry.playbook for entry in self.library.playbooks if entry.playbook.starts == "report"
        ]

    def my_cases(self, user: User) -> list[CaseView]:
        """The cases a user may see, newest first, with each run's progress and overdue count."""
        views = []
        for case in self.db.query("select * from cases order by id desc"):
            if not self.can_see(user, case):
                continue
            runs = [
                self._run_view(user, row["id"])
                for row in self.db.query(
                    "select id from runs where case_id = ? and state != 'moved' order by id",
                    [case["id"]],
                )
            ]
            views.append(CaseView(case["id"], case["ref"], case["team"], case["officer_id"], runs))
        return views

    def _run_view(self, user: User, run_id: int) -> RunView:
        run, row = self._load_run(user, run_id)
        settled, live = run.progress()
        newer = self._newer_version(run, row)
        return RunView(
            run_id,
            run.playbook.id,
            run.playbook.title,
            run.playbook.version,
            run.state,
            settled,
            live,
            len(self.overdue(run)),
            self.library.playbook(run.playbook.id).version if newer is not None else None,
        )

    def runs_of_case(self, user: User, ref: str) -> list[Run]:
        """Every run of a case the user may see."""
        case = self.case_row(user, ref)
        ids = [
            row["id"]
            for row in self.db.query(
                "select id from runs where case_id = ? order by id", [case["id"]]
            )
        ]
        return [self._load_run(user, run_id)[0] for run_id in ids]

    def active_run(self, user: User) -> Run | None:
        """The user's most recently touched run that is still taking answers, if any."""
        for row in self.db.query(
            "select runs.id from runs join cases on cases.id = runs.case_id"
            " where cases.officer_id = ? and runs.state in ('asking', 'awaiting_reason', 'paused', 'returned', 'review')"
            " order by (select max(seq) from log where log.run_id = runs.id) desc",
            [user.id],
        ):
            return self._load_run(user, row["id"])[0]
        return None

    # --- runs ---------------------------------------------------------------------------------

    def start_run(self, user: User, ref: str, playbook_id: str) -> Outcome:
        """Start a playbook on a case (or return the run already under way)."""
        try:
            self.library.playbook(playbook_id)
        except KeyError:
            raise NotFound(f"There is no checklist called {playbook_id}.") from None

        def work() -> Outcome:
            case = self.case_row(user, ref)
            return Outcome(self._start(user, case, playbook_id, self.clock())[0])

        return self.write(work)

    def _start(
        self, user: User, case: dict[str, Any], playbook_id: str, now: datetime
    ) -> tuple[Run, bool]:
        """The case's run of a playbook: the one under way, or a new one (then True).

        A signed-off run is the case's run for good, unless the playbook recurs: a moved
        milestone or a second answer that opens it must not start it all over again.
        """
        recurs = self.library.playbook(playbook_id).repeat is not None
        for row in self.db.query(
            "select runs.id, runs.state from runs"
            " join playbook_versions v on v.id = runs.playbook_version_id"
            " where runs.case_id = ? and v.playbook_id = ? and runs.state != 'moved'"
            " order by runs.state = 'signed_off', runs.id desc",
            [case["id"], playbook_id],
        ):
            if row["state"] != "signed_off" or not recurs:
                return self._load_run(user, row["id"])[0], False
        version_id = self.current_version_id(playbook_id)
        run_id, playbook, started = self._insert_run(
            case["id"], case["ref"], version_id, user, now
        )
        run = Run(playbook, run_id, case["ref"], self._milestones(case["id"]))
        self._save(run, [started, *run.start(actor(user), now)])
        return run, True

    def _insert_run(
        self,
        case_id: int,
        ref: str,
        version_id: int,
        user: User,
        now: datetime,
        **detail: str,
    ) -> tuple[int, Playbook, Entry]:
        """A new run's row on a version, and the `run-started` record to log with its start."""
        table = self.db.table("runs")
        table.insert(
            {
                "case_id": case_id,
                "playbook_version_id": version_id,
                "state": "not_started",
                "started_at": now.isoformat(),
                "started_by": user.id,
                "current_item": None,
            }
        )
        run_id = int(table.last_pk)
        playbook = self.playbook_of_version(version_id)
        started = Entry(
            "run-started",
            ref,
            actor(user),
            now,
            run_id,
            detail={"playbook": playbook.id, "version": str(playbook.version), **detail},
        )
        return run_id, playbook, started

    def _command(
        self,
        user: User,
        run_id: int,
        act: Callable[[Run, str, datetime], list[Entry]],
        then: Callable[[Run, dict[str, Any], list[Entry], datetime], None] | None = None,
    ) -> Outcome:
        """Load a run, let the core act, save the result and follow on (milestones, opens).

        `then` runs in the same transaction, for the notices the act calls for: they are kept
        exactly when the act is.
        """

        def work() -> Outcome:
            run, row = self._load_run(user, run_id)
            if user.role == "investigator" and row["officer_id"] != user.id:
                raise NotFound("That checklist is not one of yours.")
            now = self.clock()
            entries = act(run, actor(user), now)
            self._save(run, entries)
            outcome = Outcome(run)
            self._follow_on(user, run, row, entries, now, outcome)
            if then is not None:
                then(run, row, entries, now)
            return outcome

        return self.write(work)

    def tell(
        self,
        user_ids: Iterable[int],
        kind: str,
        text: str,
        now: datetime,
        buttons: Sequence[tuple[str, str]] = (),
        urgent: bool = False,
        dedupe_key: str | None = None,
    ) -> int:
        """Keep a notice for each person, in the caller's transaction; how many were new."""
        kept = 0
        for user_id in user_ids:
            key = f"{dedupe_key}:{user_id}" if dedupe_key else None
            kept += notices.queue(
                self.db, user_id, kind, text, now, buttons=buttons, urgent=urgent, dedupe_key=key
            )
        return kept

    def supervisor_ids(self, team: str) -> list[int]:
        """Who is told of a team's submissions, replies and escalations."""
        return [person.id for person in supervisors_of(self.db, team)]

    def tell_supervisors(
        self,
        case: dict[str, Any],
        kind: str,
        text: str,
        now: datetime,
        dedupe_key: str | None = None,
    ) -> int:
        """Keep a notice for a case's supervisors, with a button that opens the case."""
        opening = [(f"Open {case['ref']}", f"cs:{case['id']}")]
        return self.tell(
            self.supervisor_ids(case["team"]), kind, text, now, opening, dedupe_key=dedupe_key
        )

    def _follow_on(
        self,
        user: User,
        run: Run,
        row: dict[str, Any],
        entries: Iterable[Entry],
        now: datetime,
        outcome: Outcome,
    ) -> None:
        """Answers can record milestones and open other playbooks; say so, never surprise."""
        case = _case_of(row)
        for entry in entries:
            if entry.kind != "answered" or entry.item is None:
                continue
            item = run.playbook.item(entry.item)
            if item.sets and entry.value:
                outcome.notices += self._record_milestone(
                    user, case, item.sets, date.fromisoformat(entry.value), now
                )
                run.milestones[item.sets] = date.fromisoformat(entry.value)
                self._refresh_case(user, case, now, but=run)
            for answer, target in item.opens:
                value = run.answers().get(item.id)
                chosen = value == answer or (isinstance(value, frozenset) and answer in value)
                if chosen and target in self.library.texts:
                    opened, created = self._start(user, case, target, now)
                    if created:  # Two answers may open one checklist: say so once, when it opens.
                        outcome.notices.append(
                            f"Opened the checklist '{opened.playbook.title}' on this case."
                        )
        extra = run.refresh(actor(user), now)
        if extra:
            self._save(run, extra)

    def answer(self, user: User, run_id: int, item_id: str, value: Any) -> Outcome:
        """Record an answer (or a correction); a trainee's may need a countersignature."""

        def then(run: Run, row: dict[str, Any], entries: list[Entry], now: datetime) -> None:
            for entry in entries:
                if entry.kind == "answered" and entry.detail.get("countersign") == "needed":
                    item = run.playbook.item(entry.item or "")
                    text = texts.COUNTERSIGN_NEEDED.format(
                        ref=run.case_ref, ask=item.ask, name=user.name
                    )
                    self.tell_supervisors(_case_of(row), "countersign", text, now)

        return self._command(
            user,
            run_id,
            lambda run, who, now: run.answer(item_id, value, who, now, user.in_training),
            then,
        )

    def give_reason(self, user: User, run_id: int, reason: str) -> Outcome:
        """Record the reason the current answer needs."""
        return self._command(user, run_id, lambda run, who, now: run.give_reason(reason, who, now))

    def defer(self, user: User, run_id: int, item_id: str) -> Outcome:
        """Put an item off until later."""
        return self._command(user, run_id, lambda run, who, now: run.defer(item_id, who, now))

    def back(self, user: User, run_id: int) -> Outcome:
        """Show the previous item (nothing is recorded, but the place is kept)."""

        def step(run: Run, who: str, now: datetime) -> list[Entry]:
            run.back()
            return []

        return self._command(user, run_id, step)

    def revisit(self, user: User, run_id: int, item_id: str) -> Outcome:
        """Open an item to change its answer."""
        return self._command(user, run_id, lambda run, who, now: run.revisit(item_id, who, now))

    def pause(self, user: User, run_id: int) -> Outcome:
        """Pause a run."""
        return self._command(user, run_id, lambda run, who, now: run.pause(who, now))

    def resume(self, user: User, run_id: int) -> Outcome:
        """Resume a paused or returned run."""
        return self._command(user, run_id, lambda run, who, now: run.resume(who, now))

    def submit(self, user: User, run_id: int) -> Outcome:
        """Submit a finished run for a supervisor's review; the team's supervisors are told."""

        def then(run: Run, row: dict[str, Any], entries: list[Entry], now: datetime) -> None:
            text = texts.SUBMITTED.format(
                ref=run.case_ref, title=run.playbook.title, name=user.name
            )
            self.tell_supervisors(_case_of(row), "submitted", text, now)

        return self._command(user, run_id, lambda run, who, now: run.submit(who, now), then)

    def sign_off(self, user: User, run_id: int, note: str = "") -> Outcome:
        """A supervisor signs a submitted run off; its investigator is told at once."""
        self._require_supervisor(user)

        def then(run: Run, row: dict[str, Any], entries: list[Entry], now: datetime) -> None:
            words = entries[-1].detail.get("note", "")  # as the log keeps it
            text = texts.SIGNED_OFF.format(
                ref=run.case_ref, title=run.playbook.title, name=user.name
            ) + (f" “{words}”" if words else "")
            self.tell([row["officer_id"]], "signed-off", text, now, urgent=True)

        return self._command(
            user, run_id, lambda run, who, now: run.sign_off(who, now, note), then
        )

    def send_back(self, user: User, run_id: int, note: str) -> Outcome:
        """A supervisor returns a submitted run with a note; its investigator is told at once."""
        self._require_supervisor(user)

        def then(run: Run, row: dict[str, Any], entries: list[Entry], now: datetime) -> None:
            text = texts.RETURNED.format(
                ref=run.case_ref, title=run.playbook.title, name=user.name,
                note=entries[-1].detail["note"],
            )  # fmt: skip
            carry_on = [("Carry on", f"go:{run.run_id}")]
            self.tell([row["officer_id"]], "returned", text, now, carry_on, urgent=True)

        return self._command(
            user, run_id, lambda run, who, now: run.send_back(who, now, note), then
        )

    def challenge(self, user: User, run_id: int, item_id: str, question: str) -> Outcome:
        """A supervisor challenges one item; the investigator is told at once and must reply."""
        self._require_supervisor(user)

        def then(run: Run, row: dict[str, Any], entries: list[Entry], now: datetime) -> None:
            item = run.playbook.item(item_id)
            text = texts.CHALLENGED.format(
                ref=run.case_ref, title=run.playbook.title, name=user.name, ask=item.ask,
                question=entries[0].value,
            )  # fmt: skip
            reply = [("Reply", f"cr:{run.run_id}:{run.playbook.number(item_id)}")]
            self.tell([row["officer_id"]], "challenged", text, now, reply, urgent=True)

        return self._command(
            user, run_id, lambda run, who, now: run.challenge(item_id, question, who, now), then
        )

    def reply_to_challenge(self, user: User, run_id: int, item_id: str, reply: str) -> Outcome:
        """The case's officer replies to a challenge; the supervisors are told."""

        def act(run: Run, who: str, now: datetime) -> list[Entry]:
            return run.reply_to_challenge(item_id, reply, who, now)

        def then(run: Run, row: dict[str, Any], entries: list[Entry], now: datetime) -> None:
            if row["officer_id"] != user.id:
                raise NotAllowed("Only the officer in the case replies to a challenge.")
            text = texts.CHALLENGE_ANSWERED.format(
                ref=run.case_ref, ask=run.playbook.item(item_id).ask, name=user.name,
                reply=entries[0].value,
            )  # fmt: skip
            self.tell_supervisors(_case_of(row), "challenge-answered", text, now)

        return self._command(user, run_id, act, then)

    def countersign(self, user: User, run_id: int, item_id: str) -> Outcome:
        """A supervisor confirms a trainee's answer, which then counts as done."""
        self._require_supervisor(user)
        return self._command(
            user, run_id, lambda run, who, now: run.countersign(item_id, who, now)
        )

    # --- moving a run to a newer version ------------------------------------------------------

    def move_offer(self, user: User, run_id: int) -> MoveOffer | None:
        """What moving a run to its playbook's newest version would change; None if it cannot."""
        self.refresh_playbooks()
        run, row = self._load_run(user, run_id)
        newest = self._newer_version(run, row)
        return None if newest is None else self._plan_move(run, newest)

    def _newer_version(self, run: Run, row: dict[str, Any]) -> int | None:
        """The newest version's id, where the run is on an older one and can still move."""
        newest = self._current.get(run.playbook.id)
        if newest in (None, row["playbook_version_id"]) or run.state not in MOVABLE:
            return None
        return newest

    def _plan_move(self, run: Run, target: int) -> MoveOffer:
        changes = compare(run.playbook, self.playbook_of_version(target))
        answered = run.answered_items()
        return MoveOffer(
            run,
            target,
            changes,
            carried=tuple(item for item in answered if changes.carries(item)),
            dropped=tuple(
                run.playbook.item(item)
                for item in answered
                if not changes.carries(item) and item not in {i.id for i in changes.removed}
            ),
        )

    def move_run(self, user: User, run_id: int, target: int, acknowledged: bool) -> Outcome:
        """Move a run's work to a new run on the newest version, carrying what still fits.

        The old run keeps its version and its log; it ends as moved, naming the new run. New
        required items must be acknowledged first, and a stale offer is refused.
        """

        def work() -> Outcome:
            run, row = self._load_run(user, run_id)
            if row["officer_id"] != user.id:
                raise NotAllowed("Only the officer in the case moves its checklist.")
            if self._newer_version(run, row) != target:
                raise NotAllowed(texts.STALE_OFFER)
            offer = self._plan_move(run, target)
            required = [item.id for item in offer.changes.newly_required]
            if required and not acknowledged:
                raise NotAllowed("Acknowledge the new required items first.")
            now = self.clock()
            new_id, playbook, started = self._insert_run(
                row["case_id"], run.case_ref, target, user, now, moved_from=str(run.run_id)
            )
            detail = {
                "to_run": str(new_id),
                "from_version": str(run.playbook.version),
                "to_version": str(playbook.version),
                "carried": ",".join(offer.carried),
                "dropped": ",".join(item.id for item in offer.dropped),
                "removed": ",".join(item.id for item in offer.changes.removed),
                "acknowledged": ",".join(required),
            }
            self._save(run, run.move(actor(user), now, detail))
            carried = run.carried(offer.carried, new_id, actor(user), now)
            moved = Run.replay(playbook, new_id, run.case_ref, carried, run.milestones)
            self._save(moved, [started, *carried, *moved.start(actor(user), now)])
            return Outcome(
                moved,
                [
                    f"Moved to version {playbook.version} of '{playbook.title}'. "
                    f"{counted(len(offer.carried), 'answer')} carried over."
                ],
            )

        return self.write(work)

    def _require_supervisor(self, user: User) -> None:
        if user.role not in ("supervisor", "admin"):
            raise NotAllowed("Only a supervisor can do that.")

    # --- milestones and time ------------------------------------------------------------------

    def record_milestone(self, user: User, ref: str, name: str, when: date) -> list[str]:
        """Record (or move) a case milestone; returns what the investigator should be told."""
        if name not in self.library.milestones:
            raise InputRefused("That is not a milestone this force records.")

        def work() -> list[str]:
            case = self.case_row(user, ref)
            now = self.clock()
            notices = self._record_milestone(user, case, name, when, now)
            self._refresh_case(user, case, now)
            return notices

        return self.write(work)

    def _refresh_case(
        self, user: User, case: dict[str, Any], now: datetime, but: Run | None = None
    ) -> None:
        """After a milestone moves, let every run of the case (bar one) ask what is now live."""
        for row in self.db.query("select id from runs where case_id = ?", [case["id"]]):
            if but is not None and row["id"] == but.run_id:
                continue
            run, _ = self._load_run(user, row["id"])
            extra = run.refresh(actor(user), now)
            if extra:
                self._save(run, extra)

    def _record_milestone(
        self, user: User, case: dict[str, Any], name: str, when: date, now: datetime
    ) -> list[str]:
        current = self._milestones(case["id"])
        if current.get(name) == when:
            return []
        self.forget_case(case["ref"])
        self.db.table("milestones").upsert(
            {
                "case_id": case["id"],
                "name": name,
                "date": when.isoformat(),
                "recorded_at": now.isoformat(),
                "recorded_by": user.id,
            },
            pk=("case_id", "name"),
        )
        detail = {"milestone": name, "date": when.isoformat()}
        if name in current:
            detail["moved_from"] = current[name].isoformat()
        log.append(
            self.db, [Entry("milestone-recorded", case["ref"], actor(user), now, detail=detail)]
        )
        title = self.library.milestones[name].title
        notices = [
            f"Recorded: {title}, {when:%d %b %Y}."
            if name not in current
            else f"Moved: {title}, now {when:%d %b %Y}."
        ]
        for entry in self.library.playbooks:
            if entry.playbook.starts == name and name != "report":
                run, created = self._start(user, case, entry.playbook.id, now)
                if created:
                    notices.append(f"Started the checklist '{run.playbook.title}' on this case.")
        return notices

    def holidays(self) -> frozenset[date]:
        """England and Wales bank holidays from last year to five years on: trials run late."""
        return working_calendar(self.today(), span_years=5)

    def due(self, run: Run, item_id: str) -> date | None:
        """When an item falls due, from the case's milestones, in working days where it says so."""
        rule = run.playbook.item(item_id).due
        if rule is None:
            return None
        return due_date(rule, run.milestones, self.holidays(), self.library.settings)

    def _open_items(self, run: Run) -> Iterator[tuple[Item, date | None, str]]:
        """Each live, unsettled item of a run, with its due date and where it stands today."""
        today = self.today()
        for item in run.playbook.items:
            if not run.is_live(item) or run.is_settled(item.id):
                continue
            due = self.due(run, item.id)
            where = standing(due, today, item.escalate, self.holidays(), self.library.settings)
            yield item, due, where

    def overdue(self, run: Run) -> list[str]:
        """Ids of live, unsettled items whose due date has passed."""
        return [
            item.id
            for item, _due, where in self._open_items(run)
            if where in ("overdue", "escalate")
        ]

    def agenda(self, user: User) -> list[AgendaLine]:
        """What is due today, overdue or to escalate in a user's own open runs, latest first."""
        lines = []
        for row in self.db.query(
            "select runs.id from runs join cases on cases.id = runs.case_id"
            " where cases.officer_id = ? and runs.state in"
            " ('asking', 'awaiting_reason', 'paused', 'returned', 'review') order by runs.id",
            [user.id],
        ):
            run, _ = self._load_run(user, row["id"])
            for item, due, where in self._open_items(run):
                if due is not None and where in ("due-today", "overdue", "escalate"):
                    lines.append(
                        AgendaLine(run.case_ref, run.playbook.title, item.ask, due, where)
                    )
        return sorted(lines, key=lambda line: (line.due, line.case_ref))

    def name_of(self, who: str | None) -> str:
        """The name behind a log actor ('user:12'), for showing who answered."""
        if who and who.startswith("user:") and who[5:].isdigit():
            found = self.db.execute("select name from users where id = ?", [int(who[5:])])
            row = found.fetchone()
            if row is not None:
                return str(row[0])
        if who and who.startswith("admin:"):
            return "an administrator"
        return "someone"

    # --- reports ------------------------------------------------------------------------------

    def case_report(self, ref: str) -> dict[str, Any]:
        """The case's runs and every item's standing, in the shape of DESIGN.md's JSON report."""
        rows = list(
            self.db.query("select * from cases where ref = ?", [case_key_for(self.db, ref)])
        )
        if not rows:
            raise NotFound(f"No case {ref} was found.")
        case = rows[0]
        runs = []
        # The report is run from the server shell, so it reads every run of the case directly.
        for row in self.db.query(
            f"{self.RUN_ROWS} where runs.case_id = ? order by runs.id", [case["id"]]
        ):
            history = [logged.entry for logged in log.entries(self.db, run_id=row["id"])]
            run = self._replay(row, history)
            items = []
            for status in run.statuses():
                due = self.due(run, status.item.id)
                answers = [e for e in history if e.kind == "answered" and e.item == status.item.id]
                items.append(
                    {
                        "id": status.item.id,
                        "ask": status.item.ask,
                        "status": status.status,
                        "value": status.value,
                        "reason": status.reason,
                        "who": status.actor,
                        "when": status.at.isoformat() if status.at else None,
                        "due": due.isoformat() if due else None,
                        "history": [
                            {
                                "value": e.value,
                                "who": e.actor,
                                "when": e.at.isoformat(),
                                "correction": "corrects" in e.detail,
                            }
                            for e in answers
                        ],
                    }
                )
            runs.append(
                {
                    "run": run.run_id,
                    "playbook": run.playbook.id,
                    "title": run.playbook.title,
                    "version": run.playbook.version,
                    "state": run.state,
                    "items": items,
                }
            )
        milestones = {
            name: when.isoformat() for name, when in self._milestones(case["id"]).items()
        }
        report = {
            "case": case["ref"],
            "team": case["team"],
            "milestones": milestones,
            "runs": runs,
        }
        linked = crime_ref_of(self.db, case["ref"])
        if linked is not None:  # A handle's crime reference, for the server's eyes only.
            report["crime_reference"] = linked
        return report


def _case_of(row: dict[str, Any]) -> dict[str, Any]:
    """The case a run row (`RUN_ROWS`) belongs to, in the shape of a cases row."""
    return {
        "id": row["case_id"],
        "ref": row["ref"],
        "team": row["team"],
        "officer_id": row["officer_id"],
    }


def actor(user: User) -> str:
    """How the log names a user: stable, and no personal details."""
    return f"user:{user.id}"
