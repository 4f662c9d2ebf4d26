"""Retention: which closed cases are due for review or disposal under the force's schedule, a
review that keeps a case, and the disposal of a case's content.

Only the command line disposes, under the name of the person who runs it, and only once the
completion log verifies: what a disposal keeps of each record is worked out from the record as
it stands, so it must be sound first. Each disposal is one transaction with its record in the
completion log and in the access log; the file is made clean once all are done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.case import Case
from bot.core.consultation import RETENTION, Access, case_subject, cli_actor
from bot.core.errors import InputRefused, NotAllowed, NotFound, SoteriaError
from bot.core.people import CLI_ADMIN
from bot.core.records import Entry
from bot.core.retention import Closed, Due, Schedule, standing
from bot.core.screening import screen, warning
from bot.core.typed_input import check_text
from bot.services import access
from bot.services.context import Context
from bot.store.disposal import Compacted, Disposed


@dataclass(frozen=True, slots=True)
class Disposals:
    """What `dispose_due` or `dispose_case` did: each case disposed of, and whether the file
    could be rebuilt and its write-ahead log emptied at once (None: there was nothing to do)."""

    done: list[Disposed]
    compacted: Compacted | None


def schedule(ctx: Context) -> Schedule:
    """The force's retention schedule, from its settings (`settings.yaml`)."""
    return Schedule.of(ctx.catalog.settings)


def closed(ctx: Context) -> list[Due]:
    """Every closed case not yet disposed of, with where it stands, the longest closed first."""
    ctx.fresh()
    reviews = ctx.uow.disposal.reviews()
    rules, today = schedule(ctx), ctx.today()
    found = []
    for case in ctx.uow.cases.closed():
        assert case.closed_at is not None
        reviewed = reviews.get(case.ref)
        facts = Closed(
            case.id,
            case.ref,
            case.team,
            case.closed_at.astimezone(ctx.zone).date(),
            case.closed_reason or "",
            reviewed.astimezone(ctx.zone).date() if reviewed else None,
        )
        found.append(standing(facts, rules, today))
    return found


def due(ctx: Context) -> list[Due]:
    """The closed cases due for review or for disposal."""
    return [found for found in closed(ctx) if found.standing != "kept"]


def retain(ctx: Context, typed: str, name: str, reason: str) -> Due:
    """Record a review that keeps a closed case, with why; it is due again a review on."""
    reason = check_text(reason)
    kinds = screen(reason)
    if kinds:
        raise InputRefused(warning(kinds))
    case = _closed_case(ctx, typed)
    with ctx.transaction() as uow:
        detail = {"decision": "retain", "reason": reason}
        uow.log.append(
            [Entry("retention-reviewed", case.ref, admin_actor(name), ctx.now(), detail=detail)]
        )
    return next(found for found in closed(ctx) if found.case.case_id == case.id)


def dispose_due(ctx: Context, name: str, detail: Mapping[str, str] | None = None) -> Disposals:
    """Dispose of every closed case due for disposal (none, when none is)."""
    ready = [found for found in closed(ctx) if found.standing == "dispose"]
    if ready:
        return _dispose(ctx, ready, name, detail or {})
    # Nothing to dispose of, but what an earlier run could not finish (a rebuild, or emptying
    # the write-ahead log while the bot read it) is done now.
    disposal = ctx.uow.disposal
    if disposal.has_free_pages():
        return Disposals([], disposal.compact())
    if disposal.empty_wal():
        return Disposals([], None)
    return Disposals([], Compacted(rebuilt=True, wal_emptied=False))


def dispose_case(
    ctx: Context, typed: str, name: str, detail: Mapping[str, str] | None = None
) -> Disposals:
    """Dispose of one closed case that is due for review (the review decided so) or disposal."""
    case = _closed_case(ctx, typed)
    found = next(found for found in closed(ctx) if found.case.case_id == case.id)
    if found.standing == "kept":
        raise NotAllowed(
            f"{case.ref} is not due for review or disposal until {found.review_on.isoformat()}."
        )
    return _dispose(ctx, [found], name, detail or {})


def admin_actor(name: str) -> str:
    """How the completion log names the person at the command line who reviewed or disposed."""
    return "admin:" + " ".join(name.split())


def _closed_case(ctx: Context, typed: str) -> Case:
    ref = typed.strip().upper()
    try:
        case = access.find_case(ctx, CLI_ADMIN, access.stored_key(ctx, ref))
    except NotFound:
        raise NotFound(f"No case {ref} was found.") from None
    if not case.closed:
        raise NotAllowed(
            f"{case.ref} is not closed: only a closed case is reviewed or disposed of."
        )
    return case


def _dispose(
    ctx: Context, ready: Sequence[Due], name: str, detail: Mapping[str, str]
) -> Disposals:
    verdict = ctx.uow.log.verify()
    if not verdict.ok:
        raise SoteriaError(
            f"{verdict.message} Nothing was disposed of: restore a backup that verifies first."
        )
    uow = ctx.uow
    uow.disposal.erase_freed_space()
    done = []
    for found in ready:
        case = uow.cases.by_id(found.case.case_id)
        assert case is not None
        why = "due for disposal" if found.standing == "dispose" else "disposed of on review"
        with ctx.transaction() as uow:
            now = ctx.now()
            done.append(uow.disposal.dispose(case, admin_actor(name), now, why))
            record = {"via": "retention --apply", "why": why, **detail}
            uow.access.append(
                Access(
                    now, cli_actor(name), "dispose", case_subject(case.id), (case.id,),
                    RETENTION, record,
                )
            )  # fmt: skip
    return Disposals(done, uow.disposal.compact())
