"""Notices: what one person's act tells another, kept in the act's own transaction.

A notice is kept as its kind and facts (the case, who acted, the item); the conversation words
it when it is delivered. Kinds: submitted, signed-off, returned, challenged,
challenge-answered, countersign, escalation, weekly, handover, handover-accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from bot.core.case import Case
from bot.services.context import Context
from bot.store.notices import Notice as Notice
from bot.store.unit_of_work import UnitOfWork

#: Notices that go out at once, not gathered into the next batch.
URGENT = frozenset({"signed-off", "returned", "challenged", "handover"})


def tell(
    uow: UnitOfWork,
    user_ids: Iterable[int],
    kind: str,
    params: Mapping[str, str],
    now: datetime,
    dedupe_key: str | None = None,
) -> int:
    """Keep a notice for each person, in the caller's transaction; how many were new."""
    kept = 0
    for user_id in user_ids:
        key = f"{dedupe_key}:{user_id}" if dedupe_key else None
        kept += uow.notices.queue(
            user_id, kind, params, now, urgent=kind in URGENT, dedupe_key=key
        )
    return kept


def supervisor_ids(uow: UnitOfWork, team: str) -> list[int]:
    """Who is told of a team's submissions, replies and escalations."""
    return [person.id for person in uow.users.supervisors_of(team)]


def tell_supervisors(
    uow: UnitOfWork,
    case: Case,
    kind: str,
    params: Mapping[str, str],
    now: datetime,
    dedupe_key: str | None = None,
) -> int:
    """Keep a notice for a case's supervisors, naming the case so they can open it."""
    facts = {"case_id": str(case.id), "case_ref": case.ref, **params}
    return tell(uow, supervisor_ids(uow, case.team), kind, facts, now, dedupe_key)


def ready(ctx: Context, interval: timedelta) -> list[Notice]:
    """Notices due to go out now, everyone's (see `NoticeRepository.ready`)."""
    return ctx.uow.notices.ready(ctx.now(), interval)


def waiting_for(ctx: Context, user_id: int) -> list[Notice]:
    """Every notice waiting for one person, for a face that shows them at once."""
    return [n for n in ctx.uow.notices.ready(ctx.now(), timedelta(0)) if n.user_id == user_id]


def mark_delivered(ctx: Context, ids: Iterable[int]) -> None:
    """Note that these notices reached their person."""
    with ctx.transaction() as uow:
        uow.notices.mark_sent(list(ids), ctx.now())
