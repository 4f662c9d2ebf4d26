"""The team report: the gathered facts as one plain structure, a terminal table, and CSV rows."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from bot.core.characters import spreadsheet_row
from bot.core.history import challenge_open
from bot.reports import figures
from bot.reports.measures import measure
from bot.reports.oversight import CaseFacts, ItemFacts, Oversight, RunFacts
from bot.wording.labels import RISK_WORDS, STATUS_WORDS, answer_label, run_state

#: How each status reads in the table and CSV.
CSV_COLUMNS = (
    "case", "team", "officer", "playbook", "version", "run_state", "section", "item", "ask",
    "status", "value", "reason", "who", "when", "due", "days_overdue", "focus", "corrections",
    "intrusion_request",
)  # fmt: skip
#: What the team report calls a request into the victim's own records or devices.
INTRUSION_WORDS = "Requests into the victim's records or devices"


def _when(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") if at else None


def _item(oversight: Oversight, facts: ItemFacts) -> dict[str, Any]:
    return {
        "item": facts.item.id,
        "ask": facts.item.ask,
        "status": facts.status,
        "value": facts.value,
        "reason": facts.reason,
        "who": oversight.name(facts.who) if facts.who else None,
        "when": _when(facts.when),
        "due": facts.due.isoformat() if facts.due else None,
        "days_overdue": facts.days_over,
    }


def _thread(oversight: Oversight, facts: ItemFacts) -> dict[str, Any]:
    return {
        "item": facts.item.id,
        "ask": facts.item.ask,
        "open": challenge_open(facts.thread),
        "thread": [
            {
                "kind": entry.kind,
                "text": entry.value,
                "who": oversight.name(entry.actor),
                "when": _when(entry.at),
            }
            for entry in facts.thread
        ],
    }


def _run(oversight: Oversight, run: RunFacts) -> dict[str, Any]:
    return {
        "run": run.run.run_id,
        "playbook": run.run.playbook.id,
        "title": run.run.playbook.title,
        "version": run.run.playbook.version,
        "state": run.state,
        "settled": run.settled,
        "live": run.live,
        "last_activity": _when(run.last_activity),
        "overdue": [_item(oversight, facts) for facts in run.overdue],
        "not_done_or_na": [_item(oversight, f) for f in run.with_status("not-done", "na")],
        "later": [_item(oversight, facts) for facts in run.with_status("later")],
        "to_countersign": [_item(oversight, f) for f in run.with_status("to-countersign")],
        "challenges": [_thread(oversight, facts) for facts in run.items if facts.thread],
    }


def _case(oversight: Oversight, case: CaseFacts) -> dict[str, Any]:
    return {
        "case": case.ref,
        "team": case.team,
        "officer": case.officer,
        "opened": _when(case.opened),
        "last_activity": _when(case.last_activity),
        "risk": case.risk,
        "handover": case.handover,
        "milestones": {name: when.isoformat() for name, when in sorted(case.milestones.items())},
        "intrusion_requests": len(figures.intrusion_requests(case)),
        "runs": [_run(oversight, run) for run in case.runs],
    }


def team_dict(oversight: Oversight) -> dict[str, Any]:
    """Everything in the team report, as JSON-ready data (the `json` format, and HTML's input)."""
    return {
        "report": "team",
        "teams": list(oversight.teams),
        "generated": _when(oversight.generated),
        "today": oversight.today.isoformat(),
        "cases": [_case(oversight, case) for case in oversight.cases],
        "completion": [
            {
                "playbook": row.playbook,
                "title": row.title,
                "section": row.section,
                "section_title": row.section_title,
                "settled": row.settled,
                "live": row.live,
                "done": row.done,
                "not_done": row.not_done,
                "na": row.na,
            }
            for row in figures.completion(oversight)
        ],
        "overdue_by_age": [
            {"age": age, "count": count} for age, count in figures.overdue_by_age(oversight)
        ],
        "reasons": [
            {"status": status, "reason": reason, "count": count}
            for status, reason, count in figures.reasons(oversight)
        ],
        "workload": [
            {
                "officer": row.officer,
                "cases": row.cases,
                "open_runs": row.open_runs,
                "open_items": row.open_items,
                "overdue": row.overdue,
                "awaiting_review": row.awaiting_review,
            }
            for row in figures.workload(oversight)
        ],
        "measures": [
            {"id": result.id, "title": result.title, "met": result.met, "of": result.of}
            for result in measure(oversight)
        ],
        "focus": figures.focus(oversight),
        "intrusion": _intrusion(oversight),
    }


def _intrusion(oversight: Oversight) -> dict[str, Any]:
    figure = figures.intrusion(oversight)
    per_case = figure.per_case
    return {
        "requests": figure.requests,
        "cases": figure.cases,
        "per_case": round(per_case, 2) if per_case is not None else None,
    }


def render_team_table(oversight: Oversight) -> str:
    """The team report for a terminal: one block per case, riskiest first, then the totals."""
    teams = ", ".join(oversight.teams) or "no team"
    lines = [f"Team report: {teams} · {oversight.today:%d %b %Y} · {len(oversight.cases)} cases"]
    for case in oversight.cases:
        handover = f" · IN HANDOVER to {case.handover['to']}" if case.handover is not None else ""
        lines += [
            "",
            f"{case.ref} · {case.officer} · {RISK_WORDS.get(case.risk, case.risk)} · "
            f"opened {case.opened:%d %b %Y}"
            f" · last activity {case.last_activity:%d %b %Y}{handover}",
        ]
        requests = len(figures.intrusion_requests(case))
        if requests:
            lines.append(f"  {INTRUSION_WORDS}: {requests}")
        for run in case.runs:
            lines.append(
                f"  {run.run.playbook.title} v{run.run.playbook.version} · "
                f"{run_state(run.state)} · {run.settled}/{run.live}"
            )
            for facts in run.overdue:
                flag = "ESCALATED" if facts.standing == "escalate" else "overdue"
                lines.append(f"    {flag} {facts.days_over}d: {facts.item.id}")
            for facts in run.with_status("not-done", "na"):
                lines.append(
                    f"    {STATUS_WORDS[facts.status]}: {facts.item.id} — {facts.reason or ''}"
                )
            for facts in run.open_challenges:
                lines.append(f"    challenged: {facts.item.id} — {facts.thread[-1].value}")
            for facts in run.with_status("to-countersign"):
                lines.append(f"    to countersign: {facts.item.id}")
    lines += ["", "Completion by playbook and section"]
    for row in figures.completion(oversight):
        lines.append(f"  {row.title} / {row.section_title}: {row.settled}/{row.live}")
    lines += ["", "Overdue items by age"]
    lines += [f"  {age}: {count}" for age, count in figures.overdue_by_age(oversight)]
    lines += ["", "Most common reasons (not done / n/a)"]
    for status, reason, count in figures.reasons(oversight):
        lines.append(f"  {count:>5}  {STATUS_WORDS[status]}: {reason}")
    lines += ["", "Workload"]
    for row in figures.workload(oversight):
        lines.append(
            f"  {row.officer}: {row.cases} cases, {row.open_runs} open runs, "
            f"{row.open_items} open items, {row.overdue} overdue, {row.awaiting_review} to review"
        )
    lines += ["", "Measures"]
    for result in measure(oversight):
        share = f"{result.share:.0%}" if result.share is not None else "n/a"
        lines.append(f"  {share:>4}  {result.title} ({result.met} of {result.of})")
    figure = figures.intrusion(oversight)
    per_case = f"{figure.per_case:.1f}" if figure.per_case is not None else "n/a"
    lines.append(
        f"  {per_case:>4}  {INTRUSION_WORDS}, per case ({figure.requests} in {figure.cases} cases)"
    )
    return "\n".join(lines) + "\n"


def render_csv(oversight: Oversight) -> str:
    """One row per item of every run, as spreadsheets read it: no cell runs as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    counted = {
        (run_id, item_id)
        for case in oversight.cases
        for run_id, item_id in figures.intrusion_requests(case)
    }
    for case, run in oversight.runs():
        playbook = run.run.playbook
        for facts in run.items:
            writer.writerow(
                spreadsheet_row(
                    case.ref,
                    case.team,
                    case.officer,
                    playbook.id,
                    playbook.version,
                    run.state,
                    facts.section,
                    facts.item.id,
                    facts.item.ask,
                    STATUS_WORDS[facts.status],
                    answer_label(facts.value) if facts.value else "",
                    facts.reason or "",
                    oversight.name(facts.who) if facts.who else "",
                    _when(facts.when) or "",
                    facts.due.isoformat() if facts.due else "",
                    facts.days_over or "",
                    facts.item.focus or "",
                    facts.corrections,
                    1 if (run.run.run_id, facts.item.id) in counted else "",
                )
            )
    return out.getvalue()
