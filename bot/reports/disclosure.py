"""A case's completion log as a disclosure officer schedules it: every record, in order, in words.

Nothing is left out or merged: answers, reasons, laters, corrections, challenges and replies,
countersignatures, sign-offs, returns, milestones and handovers each appear as the record they
are, with its number, time, who and the start of its hash, so each line can be traced to the log.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from bot.core.errors import NotFound
from bot.core.playbook import Playbook
from bot.core.records import Logged
from bot.services.service import Service
from bot.store import log
from bot.store.case_links import case_key_for, crime_ref_of
from bot.wording.preview import answer_label

#: Lifecycle events in words; the note a supervisor gave follows where there is one.
EVENTS = {
    "start": "Checklist opened for answers",
    "ask_reason": "Reason asked for",
    "take_reason": "Reason step closed",
    "hold": "Paused",
    "resume": "Resumed",
    "finish": "Every item answered",
    "reopen": "Reopened",
    "submit": "Submitted for supervisor review",
    "sign_off": "Signed off by supervisor",
    "send_back": "Returned by supervisor",
    "rework": "Taken up again after return",
    "move": "Moved to a newer version of the checklist",
}


def render_disclosure(service: Service, ref: str) -> str:
    """Every record of one case, oldest first, as a plain-text schedule of relevant material."""
    key = case_key_for(service.db, ref)
    cases = list(service.db.query("select * from cases where ref = ?", [key]))
    if not cases:
        raise NotFound(f"No case {ref} was found.")
    case = cases[0]
    records = log.entries(service.db, case_ref=key)
    playbooks = _playbooks_by_run(service, case["id"])
    verdict = log.verify(service.db)
    zone = service.zone
    linked = crime_ref_of(service.db, key)
    lines = [
        "COMPLETION LOG - SCHEDULE OF RELEVANT MATERIAL",
        f"Case: {key}" + (f" (crime reference {linked})" if linked else ""),
        f"Team: {case['team']}",
        f"Generated: {service.clock().astimezone(zone):%d %b %Y %H:%M} ({zone})",
        f"Records: {len(records)}. Log check: {verdict.message}",
        "Times are local. 'Hash' is the start of each record's SHA-256 in the log's chain.",
        "",
        f"{'No.':>7}  {'When':<17}  {'Who':<24}  {'Checklist':<28}  What  [hash]",
    ]
    for logged in records:
        lines.append(_line(service, logged, playbooks, zone))
    return "\n".join(lines) + "\n"


def _playbooks_by_run(service: Service, case_id: int) -> dict[int, Playbook]:
    return {
        row["id"]: service.playbook_of_version(row["playbook_version_id"])
        for row in service.db.query(
            "select id, playbook_version_id from runs where case_id = ?", [case_id]
        )
    }


def _line(service: Service, logged: Logged, playbooks: dict[int, Playbook], zone: tzinfo) -> str:
    entry = logged.entry
    playbook = playbooks.get(entry.run_id) if entry.run_id is not None else None
    who = f"{service.name_of(entry.actor)} ({entry.actor})"
    where = playbook.title if playbook else ""
    when = entry.at.astimezone(zone)
    return (
        # Nothing is cut short: a schedule must name who and which checklist in full.
        f"{logged.seq:>7}  {when:%d %b %Y %H:%M}  {who:<24}  {where:<28}  "
        f"{_what(service, entry, playbook)}  [{logged.hash[:12]}]"
    )


def _ask(playbook: Playbook | None, item_id: str | None) -> str:
    if playbook is None or item_id is None:
        return item_id or ""
    try:
        return playbook.item(item_id).ask
    except KeyError:
        return item_id


def _what(service: Service, entry: Any, playbook: Playbook | None) -> str:
    """One record in words."""
    detail = entry.detail
    ask = _ask(playbook, entry.item)
    kind = entry.kind
    if kind == "case-opened":
        return "Case opened"
    if kind == "run-started":
        started = f"Checklist started: {detail.get('playbook')} version {detail.get('version')}"
        if "moved_from" in detail:
            started += f", moved from run {detail['moved_from']}"
        return started
    if kind == "answered":
        value = answer_label(entry.value or "")
        said = (
            f"Corrected '{ask}': {answer_label(detail['corrects'])} -> {value}"
            if "corrects" in detail
            else f"Answered '{ask}': {value}"
        )
        if detail.get("countersign") == "needed":
            said += " (officer in training: needs a countersignature)"
        if "carried_from" in detail:
            said += f" (carried from run {detail['carried_from']})"
        return said
    if kind == "reason-given":
        return f"Reason for '{ask}': {entry.value}"
    if kind == "deferred":
        return f"Left for later: '{ask}'"
    if kind == "milestone-recorded":
        name = detail.get("milestone", "")
        known = service.library.milestones.get(name)
        title = known.title if known else name
        moved = f" (moved from {detail['moved_from']})" if "moved_from" in detail else ""
        return f"Milestone recorded: {title}, {detail.get('date')}{moved}"
    if kind == "transition":
        said = EVENTS.get(detail.get("event", ""), detail.get("event", ""))
        return f"{said}: {detail['note']}" if detail.get("note") else said
    if kind == "challenged":
        return f"Challenged '{ask}': {entry.value}"
    if kind == "challenge-answered":
        return f"Reply to the challenge on '{ask}': {entry.value}"
    if kind == "countersigned":
        return f"Countersigned '{ask}'"
    if kind in ("handover-offered", "handover-accepted"):
        people = (
            f"{service.name_of('user:' + detail.get('from', ''))} to "
            f"{service.name_of('user:' + detail.get('to', ''))}"
        )
        verb = "offered" if kind == "handover-offered" else "accepted"
        return f"Handover {verb}: from {people}"
    if kind == "version-moved":
        said = (
            f"Work moved from version {detail.get('from_version')} to version "
            f"{detail.get('to_version')} (run {detail.get('to_run')})"
        )
        for key, words in (
            ("carried", "carried"),
            ("dropped", "asked again"),
            ("removed", "removed"),
            ("acknowledged", "acknowledged as new"),
        ):
            if detail.get(key):
                said += f"; {words}: {detail[key].replace(',', ', ')}"
        return said
    return kind
