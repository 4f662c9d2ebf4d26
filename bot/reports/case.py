"""One case's record: every run and item, with answers, reasons, who and when, due dates."""

from __future__ import annotations

from typing import Any

from bot.core.errors import NotFound
from bot.services.context import Context
from bot.services.deadlines import due
from bot.wording.labels import STATUS_WORDS, answer_label

#: The status column of the case table: report words, "not done" made to stand out.
COLUMN = {**STATUS_WORDS, "not-done": "NOT DONE", "not-live": "-"}


def case_report(ctx: Context, ref: str) -> dict[str, Any]:
    """The case's runs and every item's standing, in the shape of DESIGN.md's JSON report.

    It is run from the server shell, so it reads every run of the case, moved ones too.
    """
    ctx.fresh()
    uow = ctx.uow
    case = uow.cases.by_ref(uow.cases.key_for(ref))
    if case is None:
        raise NotFound(f"No case {ref} was found.")
    runs = []
    for run_id in uow.runs.of_case(case.id):
        history = [logged.entry for logged in uow.log.entries(run_id=run_id)]
        stored = uow.runs.get(run_id)
        assert stored is not None
        run = stored.run
        items = []
        for status in run.statuses():
            when = due(ctx, run, status.item.id)
            answers = [e for e in history if e.kind == "answered" and e.item == status.item.id]
            items.append(
                {
                    "id": status.item.id,
                    "ask": status.item.ask,
                    "status": status.status,
                    "value": status.value,
                    "reason": status.reason,
                    "who": status.actor,
                    "when": status.at.isoformat() if status.at else None,
                    "due": when.isoformat() if when else None,
                    "history": [
                        {
                            "value": e.value,
                            "who": e.actor,
                            "when": e.at.isoformat(),
                            "correction": "corrects" in e.detail,
                        }
                        for e in answers
                    ],
                }
            )
        runs.append(
            {
                "run": run.run_id,
                "playbook": run.playbook.id,
                "title": run.playbook.title,
                "version": run.playbook.version,
                "state": run.state,
                "items": items,
            }
        )
    milestones = uow.events.milestones(case.id)
    report: dict[str, Any] = {
        "case": case.ref,
        "team": case.team,
        "milestones": {name: when.isoformat() for name, when in milestones.items()},
        "runs": runs,
    }
    linked = uow.cases.crime_ref_of(case.ref)
    if linked is not None:  # A handle's crime reference, for the server's eyes only.
        report["crime_reference"] = linked
    return report


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
