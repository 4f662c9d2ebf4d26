"""Cases as their officers and supervisors meet them: open one, list them, find the run at hand."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.case import Case, can_see
from bot.core.errors import NotAllowed
from bot.core.people import User, actor_of
from bot.core.records import Entry
from bot.core.run import Run
from bot.services import notifications
from bot.services.access import case_key_of, find_case, load, missing_case
from bot.services.context import Context
from bot.services.deadlines import overdue
from bot.services.events import apply_milestone
from bot.services.moving import newer_version
from bot.store.unit_of_work import UnitOfWork


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
class CaseView:
    """A case as its officer or supervisor sees it in a list."""

    id: int
    ref: str
    team: str
    officer_id: int
    runs: list[RunView] = field(default_factory=list)


def open_case(ctx: Context, user: User, typed_ref: str) -> tuple[Case, bool]:
    """Open a case by its key, or find it if it is already open; (case, is_new).

    The key is the crime reference, or where the force uses handles, a handle the bot
    issued (an empty key then opens a new case under a new handle). One crime is one case: a
    key another officer holds opens nothing, and gets the words of a case that does not exist;
    the supervisors of that case are told who asked, so they can hand it over.
    """
    if user.role not in ("investigator", "admin"):
        raise NotAllowed("Only investigators open cases.")
    # Only a force on handles opens a case with no key: the bot issues one.
    issue_handle = ctx.case_key == "handle" and not typed_ref.strip()
    ref = "" if issue_handle else case_key_of(ctx, typed_ref)
    with ctx.transaction() as uow:
        ref = ref or uow.cases.new_handle()
        existing = uow.cases.by_ref(ref)
        if existing is not None and can_see(user, existing):
            return existing, False
        if existing is None:
            now = ctx.now()
            case = uow.cases.add(ref, user.team, user.id, now)
            uow.log.append([Entry("case-opened", ref, actor_of(user), now)])
            apply_milestone(ctx, uow, user, case, "report", ctx.today(), now)
            return case, True
        _tell_who_asked(ctx, uow, user, existing)
    raise missing_case(user, ref)


def _tell_who_asked(ctx: Context, uow: UnitOfWork, user: User, case: Case) -> None:
    """Tell a case's supervisors that another officer tried to open it: once a day each."""
    facts = {
        "by": user.name,
        "team": user.team,
        "officer": uow.users.name(case.officer_id) or "its officer",
    }
    key = f"asked-for:{case.id}:{user.id}:{ctx.today().isoformat()}"
    notifications.tell_supervisors(uow, case, "case-asked-for", facts, ctx.now(), key)


def open_cases(ctx: Context, user: User) -> list[Case]:
    """The cases a user may see that are not closed, newest first: a picker's list."""
    ctx.fresh()
    if user.role == "admin":
        cases = ctx.uow.cases.visible(None, None)
    elif user.role == "supervisor":
        cases = ctx.uow.cases.visible(None, user.teams)
    else:
        cases = ctx.uow.cases.visible(user.id, None)
    return [case for case in cases if not case.closed]


def my_cases(ctx: Context, user: User) -> list[CaseView]:
    """The cases a user may see, newest first, with each run's progress and overdue count."""
    views = []
    cases = open_cases(ctx, user)
    for case in cases:
        runs = [
            _run_view(ctx, user, run_id) for run_id in ctx.uow.runs.of_case(case.id, moved=False)
        ]
        views.append(CaseView(case.id, case.ref, case.team, case.officer_id, runs))
    return views


def _run_view(ctx: Context, user: User, run_id: int) -> RunView:
    stored = load(ctx, user, run_id)
    run = stored.run
    settled, live = run.progress()
    newer = newer_version(ctx, stored)
    return RunView(
        run_id,
        run.playbook.id,
        run.playbook.title,
        run.playbook.version,
        run.state,
        settled,
        live,
        len(overdue(ctx, run)),
        ctx.catalog.playbook(run.playbook.id).version if newer is not None else None,
    )


def runs_of_case(ctx: Context, user: User, ref: str) -> list[Run]:
    """Every run of a case the user may see."""
    ctx.fresh()
    case = find_case(ctx, user, ref)
    return [load(ctx, user, run_id).run for run_id in ctx.uow.runs.of_case(case.id)]


def active_run(ctx: Context, user: User) -> Run | None:
    """The user's most recently touched run that is still taking answers, if any."""
    ctx.fresh()
    for run_id in ctx.uow.runs.under_way_of_officer(user.id, latest_first=True):
        return load(ctx, user, run_id).run
    return None
