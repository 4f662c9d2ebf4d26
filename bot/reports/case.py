"""One case's report as a readable table for the terminal."""

from __future__ import annotations

from typing import Any

from bot.wording.preview import answer_label

MARKS = {
    "done": "done",
    "not-done": "NOT DONE",
    "na": "n/a",
    "later": "later",
    "open": "open",
    "needs-reason": "reason due",
    "not-live": "-",
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
            lines.append(f"  {MARKS[item['status']]:<10} {item['id']}: {value}{reason}{who}")
            for earlier in item["history"][:-1]:
                lines.append(
                    f"  {'':<10}   earlier answer {answer_label(earlier['value'])} by {earlier['who']} at {earlier['when'][:16].replace('T', ' ')}"
                )
    return "\n".join(lines) + "\n"
