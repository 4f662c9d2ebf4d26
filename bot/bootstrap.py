"""Build the application from its settings: the connection, the catalog, the clock, the context.

The one place where the parts are put together: the bot, its reader thread, the terminal chat
and the command line each call `build` and get a `Context` to hand to the use cases in
`bot.services`.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import sqlite_utils

from bot.config import DEFAULT_CASE_KEY, ConfigError, Settings
from bot.core.errors import SoteriaError
from bot.core.parsing import Sourced
from bot.services import facts
from bot.services.catalog import Catalog
from bot.services.context import Clock, Context, utc_now
from bot.services.publishing import publish_on_fresh_install
from bot.store import installation, instance
from bot.store.catalogues import CatalogueRepository
from bot.store.db import connect, transaction
from bot.store.playbook_files import Library, load_catalogue, load_library
from bot.store.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


def build(
    settings: Settings,
    clock: Clock = utc_now,
    *,
    playbooks: bool = True,
    create: bool = True,
    check_files: bool = True,
    catch_up: bool = True,
    sync_apart: bool = False,
) -> Context:
    """Open the configured database and playbooks, ready for the use cases.

    It refuses to start on a broken milestone catalogue, or on broken playbook files when
    nothing was ever published (unless `check_files` is off: publishing lists the problems
    itself). Once playbooks are published, a file edited badly on the server does not stop
    the bot: it runs on what is published and says what is wrong. Without `playbooks`, the
    context serves what needs no playbook (users, the log); without `create`, a missing
    database is an error rather than a new one. Without `catch_up`, the read model is left as
    it is found (for checking it, or building it again on purpose). With `sync_apart`, commits
    do not wait for the disk: the caller makes them durable (`ctx.uow.durability`) before it
    shows them to anyone.
    """
    if not create and not settings.db_path.is_file():
        raise SoteriaError(
            f"No database at {settings.db_path}; set SOTERIA_DB to the bot's database file."
        )
    files = (
        load_library([settings.playbooks_dir], settings.playbooks_dir) if playbooks else Library()
    )
    db = _connect(settings.db_path, sync_apart=sync_apart)
    try:
        kept = _kept_catalogue(db, files, settings) if playbooks and not files.milestones else None
        files = kept or files
        ctx = context_on(db, files, settings, clock, settings.playbooks_dir)
        ctx.uses_catalog = playbooks
        if playbooks and check_files and files.problems and kept is None:
            lines = "\n".join(str(problem) for problem in files.problems[:10])
            if not files.milestones or not ctx.uow.versions.newest_id():
                raise SoteriaError(f"The playbooks have problems; fix them first:\n{lines}")
            logger.warning(
                "Playbook files have problems; running on the published versions:\n%s", lines
            )
        if playbooks and catch_up:
            # Once, after the upgrade that added it, or after the settings changed.
            facts.bring_up_to_date(ctx)
    except BaseException:
        db.close()
        raise
    return ctx


def _kept_catalogue(
    db: sqlite_utils.Database, files: Library, settings: Settings
) -> Library | None:
    """The milestones and settings kept with what is published, when the folder's cannot be
    read: the bot then runs on what is published, and says once what to do."""
    texts = CatalogueRepository(db).latest()
    if texts is None:
        return None
    kept = load_catalogue(texts)
    if not kept.milestones:
        return None
    why = files.problems[0].message if files.problems else "no milestones"
    logger.error(
        "The playbooks folder %s cannot be read (%s): running on the published playbooks and "
        "the milestones kept with them. Restore the folder, or set SOTERIA_PLAYBOOKS to where "
        "it is now, before trainers publish again.",
        settings.playbooks_dir,
        why,
    )
    kept.problems = list(files.problems)
    return kept


def only_instance(settings: Settings) -> IO[str]:
    """Hold the database's run lock for this process, or say in one sentence who has it.

    Keep what it returns for as long as the bot runs.
    """
    held = instance.hold(settings.db_path)
    if held is None:
        raise SoteriaError(
            f"Another `soteria-bot run` is using {settings.db_path}; stop it first, as only one "
            "may run on a database."
        )
    return held


def build_beside(settings: Settings, ctx: Context) -> Context:
    """A second context on its own connection, sharing what `ctx` read at start: the playbook
    files, milestones and settings are not read again (the folder may be gone meanwhile)."""
    db = _connect(settings.db_path)
    beside = context_on(db, ctx.catalog.files, settings, ctx.clock, ctx.playbooks_dir)
    beside.uses_catalog = ctx.uses_catalog
    return beside


def _connect(path: Path, *, sync_apart: bool = False) -> sqlite_utils.Database:
    """The database at `path`, or one sentence saying why it cannot be opened."""
    try:
        return connect(path, sync_apart=sync_apart)
    except sqlite3.Error as error:
        raise SoteriaError(f"Cannot open the database at {path}: {error}.") from None


def context_on(
    db: sqlite_utils.Database,
    files: Library,
    settings: Settings | None = None,
    clock: Clock = utc_now,
    playbooks_dir: Path | None = None,
) -> Context:
    """A context over an open database and the files read at start (tests give their own)."""
    settings = settings or Settings()
    uow = UnitOfWork(db, files.milestones, clock)
    ctx = Context(
        uow,
        Catalog(uow.versions, files),
        clock,
        settings.zone,
        case_key(db, settings.case_key),
        settings.crime_reference,
        playbooks_dir,
    )
    # The read model counts due dates as reports would, with the context's calendar.
    uow.facts.calendar = lambda: facts.calendar(ctx)
    return ctx


def case_key(db: sqlite_utils.Database, wanted: str | None) -> str:
    """The key this database's cases are stored under, recorded the first time it is asked.

    A new database takes the setting, or handles; after that it keeps its key. A setting that
    contradicts it is refused once any case is open (cases stored under one key cannot be
    found under the other); before that, the setting changes it.
    """
    recorded = installation.fact(db, installation.CASE_KEY)
    if recorded is not None and wanted in (None, recorded):
        return recorded
    with transaction(db):
        recorded = installation.fact(db, installation.CASE_KEY)
        if recorded is None or (wanted not in (None, recorded) and not installation.has_cases(db)):
            chosen = wanted or DEFAULT_CASE_KEY
            installation.record(db, installation.CASE_KEY, chosen)
            return chosen
    if wanted is not None and wanted != recorded:
        raise ConfigError(
            f"SOTERIA_CASE_KEY is {wanted}, but this database keys its cases by {recorded}, as "
            f"they were opened; unset SOTERIA_CASE_KEY or set it to {recorded}."
        )
    return recorded


def read_files(
    paths: Sequence[Path], settings: Settings, known_ids: Sequence[str] = ()
) -> Library:
    """Playbook files and folders read with their milestones and settings, every problem kept."""
    return load_library(list(paths), settings.playbooks_dir, known_ids=known_ids)


@contextmanager
def draft_context(path: Path, settings: Settings) -> Iterator[tuple[Context, str]]:
    """A context on a throwaway database, with a draft beside the shipped playbooks.

    The draft replaces the playbook of the same id, so a walk meets it exactly as an
    investigator would once it is published; nothing touches the real database.
    """
    draft = read_files([path], settings)
    if draft.problems:
        raise DraftInvalid(draft)
    chosen = draft.playbooks[0].playbook
    shipped = read_files([settings.playbooks_dir], settings)
    library = Library(milestones=draft.milestones, settings=draft.settings)
    for entry in shipped.playbooks:
        if entry.playbook.id != chosen.id:
            library.playbooks.append(entry)
            library.texts[entry.playbook.id] = shipped.texts[entry.playbook.id]
    library.playbooks.append(Sourced(str(path), chosen))
    library.texts[chosen.id] = draft.texts[chosen.id]
    with tempfile.TemporaryDirectory(prefix="soteria-draft-") as folder:
        db = connect(Path(folder) / "draft.db")
        try:
            ctx = context_on(db, library, settings)
            publish_on_fresh_install(ctx)
            yield ctx, chosen.id
        finally:
            db.close()


class DraftInvalid(SoteriaError):
    """A draft playbook has problems, so it cannot be walked; `library.problems` lists them."""

    def __init__(self, library: Library) -> None:
        self.library = library
        super().__init__("Fix the draft's problems first; nothing was walked.")
