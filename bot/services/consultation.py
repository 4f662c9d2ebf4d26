"""The access log's use cases: record who consulted or disclosed what and why, remember the
purpose a person gave today, hold back enrolment guessing, and read the log for the DPO.

A view is recorded before it is shown, in a transaction of its own: if the record cannot be
kept, nothing is shown. Purposes are remembered from the log itself, per person, subject and
day in the force's time zone, so a restart or a second process asks nobody twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time

from bot.core.case import Case
from bot.core.consultation import (
    ENROL_TRIES_PER_ACCOUNT,
    ENROL_TRIES_PER_FORCE,
    ENROL_WINDOW,
    PURPOSES,
    Access,
    AccessRecord,
    Action,
    case_subject,
    team_subject,
)
from bot.core.errors import InputRefused
from bot.core.people import User, actor_of
from bot.services.context import Context
from bot.store.log import Verdict
from bot.store.unit_of_work import UnitOfWork


def day_start(ctx: Context, day: date | None = None) -> datetime:
    """Midnight at the start of a day (today by default) where the force is."""
    return datetime.combine(day or ctx.today(), time(0), tzinfo=ctx.zone)


def purpose_today(ctx: Context, user: User, case_id: int) -> str | None:
    """The purpose a person gave for a case earlier today, if they gave one."""
    return ctx.uow.access.purpose_since(actor_of(user), case_subject(case_id), day_start(ctx))


def record(
    ctx: Context,
    actor: str,
    action: Action,
    subject: str,
    cases: Sequence[int] = (),
    purpose: str | None = None,
    detail: Mapping[str, str] | None = None,
) -> AccessRecord:
    """Keep one access in the log, in a transaction of its own; refused without a purpose
    from the list where one is needed."""
    if purpose is not None and purpose not in PURPOSES and action != "dispose":
        raise InputRefused(f"Choose a purpose: {', '.join(PURPOSES)}.")
    access = Access(ctx.now(), actor, action, subject, tuple(cases), purpose, detail or {})
    with ctx.transaction() as uow:
        return uow.access.append(access)


def viewed_case(ctx: Context, user: User, case: Case, purpose: str, via: str) -> AccessRecord:
    """Keep a person's view of one case, with the purpose they gave."""
    return record(
        ctx, actor_of(user), "view", case_subject(case.id), (case.id,), purpose, {"via": via}
    )


def viewed_teams(
    ctx: Context,
    user: User,
    teams: Sequence[str] | None,
    case_ids: Sequence[int],
    purpose: str,
    detail: Mapping[str, str],
    action: Action = "view",
) -> AccessRecord:
    """Keep a view (or an export) of some teams' cases, naming each case it showed."""
    return record(ctx, actor_of(user), action, team_subject(teams), case_ids, purpose, detail)


def enrolment_refusal(uow: UnitOfWork, actor: str, now: datetime) -> str | None:
    """Why an enrolment code must not even be checked now, or None when it may be."""
    since = now - ENROL_WINDOW
    if uow.access.refused_enrolments(since, actor) >= ENROL_TRIES_PER_ACCOUNT:
        return "too many tries from this account"
    if uow.access.refused_enrolments(since) >= ENROL_TRIES_PER_FORCE:
        return "too many tries across the force"
    return None


def refused_enrolment(uow: UnitOfWork, actor: str, now: datetime, why: str, checked: bool) -> None:
    """Keep a refused enrolment, in the caller's transaction; an account refused unheard is
    recorded once a window, so a flood of guesses cannot flood the log."""
    if not checked and uow.access.unheard_since(actor, now - ENROL_WINDOW):
        return
    detail = {"why": why, "checked": "yes" if checked else "no"}
    uow.access.append(Access(now, actor, "enrol-refused", "enrolment", detail=detail))


def history(
    ctx: Context,
    case_id: int | None = None,
    actor: str | None = None,
    since: datetime | None = None,
) -> list[AccessRecord]:
    """The access log, oldest first: all of it, or what names one case, one person, or since."""
    return ctx.uow.access.records(case_id=case_id, actor=actor, since=since)


def verify(ctx: Context) -> Verdict:
    """Walk the access log's chain and say whether it holds, naming the first bad record."""
    return ctx.uow.access.verify()
