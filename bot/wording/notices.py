"""Notices in words: what one person's act tells another, from the facts kept with it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date

from bot.wording import texts

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
}


def notice_text(kind: str, facts: Mapping[str, str], open_items: Sequence[str] = ()) -> str:
    """One notice in words; a handover lists the open items the new officer takes on."""
    fields = {**facts, "ref": facts.get("case_ref", ""), "name": facts.get("by", "")}
    if kind == "signed-off":
        note = facts.get("note", "")
        return texts.SIGNED_OFF.format(**fields) + (f" “{note}”" if note else "")
    if kind == "escalation":
        due = date.fromisoformat(facts["due"])
        return texts.ESCALATED.format(
            ref=facts["case_ref"],
            ask=facts["ask"],
            due=f"{due:%d %b}",
            late=f"{facts['days']} days overdue",
            name=facts["officer"],
        )
    if kind == "handover":
        items = "\n".join(open_items) or "• none: everything is up to date."
        return texts.HANDOVER_OFFERED.format(ref=facts["case_ref"], by=facts["by"], items=items)
    if kind == "weekly":
        return weekly_text(facts)
    if kind == "review-missed":
        due = date.fromisoformat(facts["due"])
        return texts.REVIEW_MISSED.format(**{**fields, "due": f"{due:%d %b}"})
    if kind in ("reopened", "reopened-officer"):
        signed = facts.get("was") == "signed_off"
        return (texts.REOPENED if kind == "reopened" else texts.REOPENED_OFFICER).format(
            **fields,
            after="sign-off" if signed else "submission",
            done="signed-off" if signed else "submitted",
        )
    return TEMPLATES[kind].format(**fields)


def weekly_text(facts: Mapping[str, str]) -> str:
    """A week's picture of some teams in a few lines."""
    day = date.fromisoformat(facts["date"])
    lines = [
        f"Weekly summary · {facts['teams']} · {day:%d %b %Y}",
        f"{facts['open']} open cases · {facts['overdue']} items overdue "
        f"({facts['escalated']} escalated)",
        f"{facts['to_sign']} runs waiting for sign-off · {facts['challenges']} challenges open · "
        f"{facts['handovers']} handovers pending",
    ]
    urgent = json.loads(facts.get("urgent", "[]"))
    if urgent:
        lines.append("Most urgent: " + ", ".join(f"{ref} ({officer})" for ref, officer in urgent))
    lows = json.loads(facts.get("low", "[]"))
    if lows:
        lines.append("Below 80%: " + "; ".join(f"{title} {share:.0%}" for title, share in lows))
    return "\n".join(lines)
