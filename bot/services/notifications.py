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
from bot.store.notices import Queued
from bot.store.unit_of_work import UnitOfWork

#: Notices that go out at once, not gathered into the next batch.
URGENT = frozenset({"signed-off", "returned", "challenged", "handover"})


class Batch:
    """Notices told one after another in one transaction and kept together at the end: each
    team's supervisors looked up once, every notice written in one statement. The escalation
    scan tells tens of thousands at once."""

    def __init__(self, uow: UnitOfWork, now: datetime) -> None:
        self._uow = uow
        self._now = now
        self._supervisors: dict[str, list[int]] = {}
        self._told: list[Queued] = []

    def tell(
        self,
        user_ids: Iterable[int],
        kind: str,
        params: Mapping[str, str],
        dedupe_key: str | None = None,
    ) -> None:
        """A notice for each person (its key made theirs by their id)."""
        for user_id in user_ids:
            key = f"{dedupe_key}:{user_id}" if dedupe_key else None
            self._told.append(Queued(user_id, kind, params, kind in URGENT, key))

    def tell_supervisors(
        self, case: Case, kind: str, params: Mapping[str, str], dedupe_key: str | None = None
    ) -> None:
        """A notice for a case's supervisors, naming the case so they can open it."""
        team = case.team
        if team not in self._supervisors:
            self._supervisors[team] = supervisor_ids(self._uow, team)
        facts = {"case_id": str(case.id), "case_ref": case.ref, **params}
        self.tell(self._supervisors[team], kind, facts, dedupe_key)

    def keep(self) -> int:
        """Keep every notice told so far, in order; how many were new."""
        told, self._told = self._told, []
        return self._uow.notices.queue(told, self._now)


def tell(
    uow: UnitOfWork,
    user_ids: Iterable[int],
    kind: str,
    params: Mapping[str, str],
    now: datetime,
    dedupe_key: str | None = None,
) -> int:
    """Keep a notice for each person, in the caller's transaction; how many were new."""
    batch = Batch(uow, now)
    batch.tell(user_ids, kind, params, dedupe_key)
    return batch.keep()


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
    batch = Batch(uow, now)
    batch.tell_supervisors(case, kind, params, dedupe_key)
    return batch.keep()


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
