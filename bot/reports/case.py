"""One case's record: its events, every run and item with answers, reasons, who and when and
due dates, its sign-offs, and its recurring reviews."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from bot.core.case import Case
from bot.core.errors import NotFound
from bot.core.events import RecordedEvent
from bot.core.records import Entry
from bot.core.run import Run
from bot.services.context import Context
from bot.services.deadlines import due
from bot.services.reviews import Schedule, schedules
from bot.wording.labels import STATUS_WORDS, answer_label

#: The status column of the case table: report words, "not done" made to stand out.
COLUMN = {**STATUS_WORDS, "not-done": "NOT DONE", "not-live": "-"}


def case_report(ctx: Context, ref: str) -> dict[str, Any]:
    """The case's events, runs, every item's standing and its recurring reviews, in the shape
    of DESIGN.md's JSON report.

    It is run from the server shell, so it reads every run of the case, moved ones too.
    """
    ctx.fresh()
    uow = ctx.uow
    case = uow.cases.by_ref(uow.cases.key_for(ref))
    if case is None:
        raise NotFound(f"No case {ref} was found.")
    records = [logged.entry for logged in uow.log.entries(case_ref=case.ref)]
    by_run: dict[int, list[Entry]] = defaultdict(list)
    for entry in records:
        if entry.run_id is not None:
            by_run[entry.run_id].append(entry)
    runs, live = [], []
    for run_id in uow.runs.of_case(case.id):
        stored = uow.runs.get(run_id)
        assert stored is not None
        runs.append(_run(ctx, stored.run, by_run[run_id]))
        if stored.run.state != "moved":
            live.append(stored.run)
    case_events = uow.events.of_case(case.id)
    report: dict[str, Any] = {
        "case": case.ref,
        "team": case.team,
        "opened": case.opened_at.isoformat(),
        "closed": _closed(case, records),
        "milestones": {
            name: when.isoformat() for name, when in case_events.latest_dates().items()
        },
        "events": _events(uow.events.recorded(case.id), records),
        "runs": runs,
        "reviews": [
            _review(schedule) for schedule in schedules(ctx, case, case_events, live, ctx.today())
        ],
    }
    linked = uow.cases.crime_ref_of(case.ref)
    if linked is not None:  # A handle's crime reference, for the server's eyes only.
        report["crime_reference"] = linked
    return report


def _run(ctx: Context, run: Run, history: list[Entry]) -> dict[str, Any]:
    """One run: its playbook, version and state, its sign-offs, and every item's standing."""
    items = []
    for status in run.statuses():
        item = status.item
        when = due(ctx, run, item.id)
        answers = [e for e in history if e.kind == "answered" and e.item == item.id]
        items.append(
            {
                "id": item.id,
                "ask": item.ask,
                "status": status.status,
                "value": status.value,
                "reason": status.reason,
                "who": status.actor,
                "when": status.at.isoformat() if status.at else None,
                "due": when.isoformat() if when else None,
                "occurrence": item.occurrence or None,
                "history": [
                    {
                        "value": e.value,
                        "who": e.actor,
                        "when": e.at.isoformat(),
                        "correction": "corrects" in e.detail,
                        "imported_by": e.detail.get("imported_by"),
                    }
                    for e in answers
                ],
            }
        )
    return {
        "run": run.run_id,
        "playbook": run.playbook.id,
        "title": run.playbook.title,
        "version": run.playbook.version,
        "state": run.state,
        "review_due": run.due_on.isoformat() if run.due_on else None,
        "sign_offs": [
            {
                "who": e.actor,
                "when": e.at.isoformat(),
                "note": e.detail.get("note"),
                "covers": (
                    {"seq": int(e.detail["covers"]), "hash": e.detail.get("covers_hash")}
                    if "covers" in e.detail
                    else None
                ),
            }
            for e in history
            if e.kind == "transition" and e.detail.get("event") == "sign_off"
        ],
        "reopened_after_sign_off": run.reopened_after_sign_off,
        "items": items,
    }


def _events(recorded: list[RecordedEvent], records: list[Entry]) -> list[dict[str, Any]]:
    """Every occurrence of each milestone, by date, with who recorded it (and who imported it)."""
    imported: dict[tuple[str, int], str | None] = {}
    for entry in records:
        if entry.kind == "milestone-recorded":
            key = (entry.detail.get("milestone", ""), int(entry.detail.get("occurrence", "1")))
            imported[key] = entry.detail.get("imported_by")
    return [
        {
            "name": event.name,
            "occurrence": event.occurrence,
            "date": event.date.isoformat(),
            "recorded_by": f"user:{event.recorded_by}" if event.recorded_by else None,
            "recorded_at": event.recorded_at.isoformat(),
            "imported_by": imported.get((event.name, event.occurrence)),
        }
        for event in recorded
    ]


def _closed(case: Case, records: list[Entry]) -> dict[str, Any] | None:
    """When and why the case was closed, and by whom; None while it is open."""
    if case.closed_at is None:
        return None
    closing = next((e for e in reversed(records) if e.kind == "case-closed"), None)
    return {
        "at": case.closed_at.isoformat(),
        "reason": case.closed_reason,
        "by": closing.actor if closing else None,
    }


def _review(schedule: Schedule) -> dict[str, Any]:
    """A recurring playbook on the case: each occurrence due so far, and the next one."""
    upcoming = schedule.next
    return {
        "playbook": schedule.playbook.id,
        "title": schedule.playbook.title,
        "occurrences": [
            {
                "due": due.due.isoformat(),
                "held": due.held,
                # Held whatever its date; and on a closed case nothing falls due any more.
                "standing": "held" if due.held else "closed" if schedule.closed else due.standing,
                "because": due.because,
                "run": due.run_id,
            }
            for due in schedule.occurrences
        ],
        "missed": len(schedule.missed),
        "next": upcoming.due.isoformat() if upcoming else None,
    }


def render_case_table(report: dict[str, Any]) -> str:
    """Render the case report: a block per run, a line per item, corrections shown."""
    lines = [f"Case {report['case']} (team {report['team']})"]
    if report["milestones"]:
        lines.append(
            "Milestones: "
            + ", ".join(
                f"{name} {when}"
                for name, when in sorted(report["milestones"].items(), key=lambda pair: pair[1])
            )
        )
    for run in report["runs"]:
        lines += [
            "",
            f"{run['title']} ({run['playbook']} v{run['version']}) · {run['state'].replace('_', ' ')}",
        ]
        for item in run["items"]:
            if item["status"] == "not-live" and not item["value"]:
                continue
            value = answer_label(item["value"]) if item["value"] else ""
            reason = f" — {item['reason']}" if item["reason"] else ""
            who = f"  [{item['who']} {item['when'][:16].replace('T', ' ')}]" if item["who"] else ""
            lines.append(f"  {COLUMN[item['status']]:<10} {item['id']}: {value}{reason}{who}")
            for earlier in item["history"][:-1]:
                lines.append(
                    f"  {'':<10}   earlier answer {answer_label(earlier['value'])} by {earlier['who']} at {earlier['when'][:16].replace('T', ' ')}"
                )
    return "\n".join(lines) + "\n"
