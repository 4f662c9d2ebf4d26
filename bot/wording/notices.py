"""Notices in words: what one person's act tells another, from the facts kept with it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date

from bot.wording import texts
from bot.wording.labels import counted, full_date, plain_value, short_date

#: The words each notice kind takes, filled from its facts.
TEMPLATES = {
    "submitted": texts.SUBMITTED,
    "signed-off": texts.SIGNED_OFF,
    "returned": texts.RETURNED,
    "challenged": texts.CHALLENGED,
    "challenge-answered": texts.CHALLENGE_ANSWERED,
    "countersign": texts.COUNTERSIGN_NEEDED,
    "handover-accepted": texts.HANDOVER_ACCEPTED,
    "unreachable": texts.UNREACHABLE,
    "case-asked-for": texts.CASE_ASKED_FOR,
    "handover-offered": texts.HANDOVER_OFFERED_OFFICER,
}


def notice_text(kind: str, facts: Mapping[str, str], open_items: Sequence[str] = ()) -> str:
    """One notice in words; a handover lists the open items the new officer takes on."""
    fields = {**facts, "ref": facts.get("case_ref", ""), "name": facts.get("by", "")}
    if kind == "signed-off":
        note = facts.get("note", "")
        return texts.SIGNED_OFF.format(**fields) + (f" “{note}”" if note else "")
    if kind in ("escalation", "escalation-officer"):
        due = date.fromisoformat(facts["due"])
        template = texts.ESCALATED if kind == "escalation" else texts.ESCALATED_OFFICER
        return template.format(
            ref=facts["case_ref"],
            ask=facts["ask"],
            due=short_date(due, due),
            late=f"{counted(int(facts['days']), 'day')} overdue",
            name=facts["officer"],
        )
    if kind == "answered-for-officer":
        return texts.ANSWERED_FOR_OFFICER.format(
            **{**fields, "value": plain_value(facts["value"])}
        )
    if kind == "handover":
        items = "\n".join(open_items) or "• none: everything is up to date."
        return texts.HANDOVER_OFFERED.format(ref=facts["case_ref"], by=facts["by"], items=items)
    if kind == "weekly":
        return weekly_text(facts)
    if kind == "review-missed":
        due = date.fromisoformat(facts["due"])
        # Kept before a notice counted its case's missed reviews: one.
        missed = int(facts.get("missed", "1"))
        wording = texts.REVIEW_MISSED if missed == 1 else texts.REVIEWS_MISSED
        return wording.format(**{**fields, "due": short_date(due, due), "missed": missed})
    if kind == "retention-due":
        return texts.RETENTION_DUE.format(due=retention_due(facts))
    if kind in ("reopened", "reopened-officer"):
        signed = facts.get("was") == "signed_off"
        new = "new item" if kind == "reopened" else "item"
        return (texts.REOPENED if kind == "reopened" else texts.REOPENED_OFFICER).format(
            **{**fields, "open": counted(int(facts["open"]), new)},
            after="sign-off" if signed else "submission",
            done="signed-off" if signed else "submitted",
        )
    return TEMPLATES[kind].format(**fields)


def retention_due(facts: Mapping[str, str]) -> str:
    """'1 closed case is due for review and 2 for disposal', leaving out a count of none."""
    review, dispose = int(facts["review"]), int(facts["dispose"])
    first = review or dispose
    said = f"{counted(first, 'closed case')} {'is' if first == 1 else 'are'} due for "
    if review and dispose:
        return said + f"review and {dispose} for disposal"
    return said + ("review" if review else "disposal")


def weekly_text(facts: Mapping[str, str]) -> str:
    """A week's picture of some teams in a few lines."""
    day = date.fromisoformat(facts["date"])
    lines = [
        f"Weekly summary · {facts['teams']} · {full_date(day)}",
        f"{counted(int(facts['open']), 'open case')} · "
        f"{counted(int(facts['overdue']), 'item')} overdue ({facts['escalated']} escalated)",
        f"{counted(int(facts['to_sign']), 'run')} waiting for sign-off · "
        f"{counted(int(facts['challenges']), 'challenge')} open · "
        f"{counted(int(facts['handovers']), 'handover')} pending",
    ]
    urgent = json.loads(facts.get("urgent", "[]"))
    if urgent:
        lines.append("Most urgent: " + ", ".join(f"{ref} ({officer})" for ref, officer in urgent))
    lows = json.loads(facts.get("low", "[]"))
    if lows:
        lines.append("Below 80%: " + "; ".join(f"{title} {share:.0%}" for title, share in lows))
    return "\n".join(lines)
