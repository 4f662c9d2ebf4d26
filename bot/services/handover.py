"""Handing a case to a new officer: offered, then accepted, with its open items in view.

Until the new officer accepts, the case stays with the old one and supervisors see it as in
handover; nothing the old officer recorded moves or changes. Both steps are in the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.errors import NotAllowed, NotFound
from bot.core.records import Entry
from bot.reports.oversight import gather
from bot.services.service import Service, actor
from bot.store import log
from bot.store.db import utc_text
from bot.store.users import User, find_user
from bot.wording import texts

#: How many open items a handover message lists before saying how many more there are.
LISTED = 12


@dataclass(frozen=True, slots=True)
class Offer:
    """A handover waiting for its new officer."""

    id: int
    case_ref: str
    from_officer: int
    to_officer: int


def candidates(service: Service, user: User, ref: str) -> list[User]:
    """The investigators a case can be handed to: its team's, bar the officer who has it."""
    case = _case_to_hand_over(service, user, ref)
    rows = service.db.execute(
        "select id from users where role = 'investigator' and team = ? and revoked_at is null"
        " and id != ? order by name, id",
        [case["team"], case["officer_id"]],
    ).fetchall()
    return [person for (user_id,) in rows if (person := find_user(service.db, user_id=user_id))]


def open_items(service: Service, ref: str) -> list[str]:
    """What the new officer takes on: overdue, later, challenged and victim updates due."""
    lines = []
    for case in gather(service, case_ref=ref).cases:
        for run in case.runs:
            title = run.run.playbook.title
            for facts in run.overdue:
                lines.append(f"• {title}: {facts.item.ask} (overdue {facts.days_over}d)")
            for facts in run.open_challenges:
                lines.append(f"• {title}: {facts.item.ask} (challenged)")
            for facts in run.with_status("later"):
                if facts.standing not in ("overdue", "escalate"):
                    lines.append(f"• {title}: {facts.item.ask} (left for later)")
            for facts in run.with_status("open", "needs-reason"):
                if facts.item.focus == "victim" and facts.due and facts.days_over == 0:
                    lines.append(
                        f"• {title}: {facts.item.ask} (victim update due {facts.due:%d %b})"
                    )
    if len(lines) > LISTED:
        lines = [*lines[:LISTED], f"…and {len(lines) - LISTED} more."]
    return lines or ["• none: everything is up to date."]


def offer(service: Service, user: User, ref: str, to_user_id: int) -> Offer:
    """Offer a case to a new officer of its team; they are told at once and must accept."""

    def work() -> Offer:
        case = _case_to_hand_over(service, user, ref)
        target = find_user(service.db, user_id=to_user_id)
        if target is None or target.role != "investigator" or target.team != case["team"]:
            raise NotAllowed("A case can only go to an investigator in its own team.")
        if target.id == case["officer_id"]:
            raise NotAllowed(f"{target.name} already has {case['ref']}.")
        now = service.clock()
        service.db.execute(
            "update handovers set superseded_at = ? where case_id = ? and accepted_at is null"
            " and superseded_at is null",
            [utc_text(now), case["id"]],
        )
        cursor = service.db.execute(
            "insert into handovers (case_id, from_officer, to_officer, offered_by, offered_at)"
            " values (?, ?, ?, ?, ?)",
            [case["id"], case["officer_id"], target.id, user.id or None, utc_text(now)],
        )
        handover_id = int(cursor.lastrowid or 0)
        detail = {"from": str(case["officer_id"]), "to": str(target.id)}
        # The command line acts as no enrolled user: the log says an administrator did it.
        who = actor(user) if user.id else "admin:cli"
        log.append(service.db, [Entry("handover-offered", case["ref"], who, now, detail=detail)])
        text = texts.HANDOVER_OFFERED.format(
            ref=case["ref"], by=user.name, items="\n".join(open_items(service, case["ref"]))
        )
        buttons = [(f"Accept {case['ref']}", f"ho:{handover_id}")]
        service.tell([target.id], "handover", text, now, buttons, urgent=True)
        return Offer(handover_id, case["ref"], case["officer_id"], target.id)

    return service.write(work)


def accept(service: Service, user: User, handover_id: int) -> str:
    """The new officer takes the case on; the old officer and the supervisors are told."""

    def work() -> str:
        row = service.db.execute(
            "select h.case_id, h.from_officer, h.to_officer, h.accepted_at, h.superseded_at,"
            " c.ref, c.team from handovers h join cases c on c.id = h.case_id where h.id = ?",
            [handover_id],
        ).fetchone()
        if row is None or row[2] != user.id:
            raise NotFound("That handover is not one for you.")
        case_id, from_id, _to, accepted, superseded, ref, team = row
        if accepted is not None:
            return f"You already hold {ref}."
        if superseded is not None:
            raise NotAllowed(f"That handover of {ref} was replaced by a newer one.")
        now = service.clock()
        service.db.execute("update cases set officer_id = ? where id = ?", [user.id, case_id])
        service.db.execute(
            "update handovers set accepted_at = ? where id = ?", [utc_text(now), handover_id]
        )
        detail = {"from": str(from_id), "to": str(user.id)}
        log.append(service.db, [Entry("handover-accepted", ref, actor(user), now, detail=detail)])
        service.forget_case(ref)
        told = {from_id, *service.supervisor_ids(team)}
        text = texts.HANDOVER_ACCEPTED.format(name=user.name, ref=ref)
        service.tell(sorted(told), "handover-accepted", text, now)
        return f"You now hold {ref}. Send /cases to work on it."

    return service.write(work)


def pending_for(service: Service, user: User) -> list[Offer]:
    """Handovers waiting for this officer to accept them."""
    rows = service.db.execute(
        "select h.id, c.ref, h.from_officer, h.to_officer from handovers h"
        " join cases c on c.id = h.case_id where h.to_officer = ? and h.accepted_at is null"
        " and h.superseded_at is null order by h.id",
        [user.id],
    ).fetchall()
    return [Offer(*row) for row in rows]


def _case_to_hand_over(service: Service, user: User, ref: str) -> dict[str, Any]:
    """The case, if this person may hand it over: its officer, its supervisors, an admin."""
    case = service.case_row(user, ref)
    if user.role == "trainer":
        raise NotAllowed("Only the case's officer or a supervisor can hand it over.")
    return case
