"""A case's completion log as a disclosure officer schedules it: every record, in order, in words.

Nothing is left out or merged: answers, reasons, laters, corrections, challenges and replies,
countersignatures, sign-offs, returns, milestones and handovers each appear as the record they
are, with its number, time, who and the start of its hash, so each line can be traced to the log.
"""

from __future__ import annotations

from bot.core.errors import NotFound
from bot.core.people import user_id_of
from bot.core.playbook import Playbook
from bot.core.records import Entry, Logged
from bot.services.context import Context
from bot.wording.labels import answer_label

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


def render_disclosure(ctx: Context, ref: str) -> str:
    """Every record of one case, oldest first, as a plain-text schedule of relevant material."""
    ctx.fresh()
    uow = ctx.uow
    key = uow.cases.key_for(ref)
    case = uow.cases.by_ref(key)
    if case is None:
        raise NotFound(f"No case {ref} was found.")
    records = uow.log.entries(case_ref=key)
    playbooks = {
        run_id: ctx.catalog.playbook_of_version(version_id)
        for run_id, version_id in uow.runs.versions_of_case(case.id).items()
    }
    verdict = uow.log.verify()
    zone = ctx.zone
    linked = uow.cases.crime_ref_of(key)
    names = uow.users.names()
    lines = [
        "COMPLETION LOG - SCHEDULE OF RELEVANT MATERIAL",
        f"Case: {key}" + (f" (crime reference {linked})" if linked else ""),
        f"Team: {case.team}",
        f"Generated: {ctx.now().astimezone(zone):%d %b %Y %H:%M} ({zone})",
        f"Records: {len(records)}. Log check: {verdict.message}",
        "Times are local. 'Hash' is the start of each record's SHA-256 in the log's chain.",
        "",
        f"{'No.':>7}  {'When':<17}  {'Who':<24}  {'Checklist':<28}  What  [hash]",
    ]
    schedule = _Schedule(ctx, playbooks, names)
    for logged in records:
        lines.append(schedule.line(logged))
    return "\n".join(lines) + "\n"


def _ask(playbook: Playbook | None, item_id: str | None) -> str:
    if playbook is None or item_id is None:
        return item_id or ""
    try:
        return playbook.item(item_id).ask
    except KeyError:
        return item_id


class _Schedule:
    """Words for each record of one case."""

    def __init__(
        self, ctx: Context, playbooks: dict[int, Playbook], names: dict[int, str]
    ) -> None:
        self.ctx = ctx
        self.playbooks = playbooks
        self.names = names

    def name(self, who: str | None) -> str:
        """The name behind a log actor, as the chat would say it."""
        user_id = user_id_of(who)
        if user_id is not None and user_id in self.names:
            return self.names[user_id]
        return "an administrator" if who and who.startswith("admin:") else "someone"

    def line(self, logged: Logged) -> str:
        """One record as a line of the schedule."""
        entry = logged.entry
        playbook = self.playbooks.get(entry.run_id) if entry.run_id is not None else None
        who = f"{self.name(entry.actor)} ({entry.actor})"
        where = playbook.title if playbook else ""
        when = entry.at.astimezone(self.ctx.zone)
        what = self.what(entry, playbook)
        if "imported_by" in entry.detail:
            what += (
                f" (imported from {entry.detail.get('imported_from', 'a file')} by "
                f"{entry.detail['imported_by']})"
            )
        return (
            # Nothing is cut short: a schedule must name who and which checklist in full.
            f"{logged.seq:>7}  {when:%d %b %Y %H:%M}  {who:<24}  {where:<28}  "
            f"{what}  [{logged.hash[:12]}]"
        )

    def what(self, entry: Entry, playbook: Playbook | None) -> str:
        """One record in words."""
        detail = entry.detail
        ask = _ask(playbook, entry.item)
        kind = entry.kind
        if kind == "case-opened":
            return "Case opened"
        if kind == "run-started":
            started = (
                f"Checklist started: {detail.get('playbook')} version {detail.get('version')}"
            )
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
        if kind == "not-yet":
            return f"Not yet happened: '{ask}'"
        if kind == "case-closed":
            return f"Case closed: {detail.get('reason', '')}"
        if kind == "milestone-recorded":
            name = detail.get("milestone", "")
            known = self.ctx.catalog.milestones.get(name)
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
                f"{self.name('user:' + detail.get('from', ''))} to "
                f"{self.name('user:' + detail.get('to', ''))}"
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
        if kind == "case-closed":
            return f"Case closed: {detail.get('reason', '')}"
        if kind == "retention-reviewed":
            return f"Reviewed under the retention schedule and kept: {detail.get('reason', '')}"
        return kind
