"""The team report as one self-contained HTML page: headline figures, charts, then the cases.

The page needs nothing but itself: styles are inline, charts are inline SVG, and there is no
script, font or image to fetch, so it opens offline and prints on A4. It is written by the
Jinja2 templates in `templates/`, which escape every value they print, since answers, reasons,
challenges and names are typed by people; the charts are the one piece of markup let through.

On a screen narrower than a laptop's, each chart is shown as drawn for a phone and each case
as a card; paper gets the charts drawn for a page and the case table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from bot.core.characters import visible
from bot.wording.labels import STATUS_WORDS

RISK_WORDS = {
    "escalated": "Escalated",
    "overdue": "Overdue",
    "challenged": "Challenged",
    "due-soon": "Due soon",
    "on-track": "On track",
    "closed": "Closed",
}
#: What each chart shows, in a sentence under its heading; and what stands in when it is empty.
CAPTIONS = {
    "completion": "For every checklist in use, the share of the items now being asked that "
    "are settled (done, or not done or N/A with a reason), section by section, over all the "
    "team's runs.",
    "overdue": "Open items past their due date, by how many days late they are.",
    "reasons": "The reasons officers gave most often for answering not done or N/A.",
    "workload": "Each investigator's open items in checklists still being worked, with the "
    "overdue part hatched, and how many of their checklists wait for a supervisor's review.",
    "measures": "The share of cases meeting each measure, out of the cases it applies to so far.",
    "focus": "Enquiries done, by whether they focus on the suspect, the victim or the context.",
}
EMPTY = {
    "completion": "No checklist has been started yet.",
    "overdue": "No item is overdue.",
    "reasons": "No item has been answered not done or N/A.",
    "workload": "No investigator has a case yet.",
    "measures": "No measures are defined.",
    "focus": "No enquiry with a focus has been done yet.",
}
#: Charts as wide as the page; the others sit two abreast on a wide screen.
WIDE = frozenset({"completion", "measures", "reasons", "focus"})
#: The case table's columns: a class for each one's width, and its heading.
COLUMNS = (
    ("case", "Case"),
    ("officer", "Officer"),
    ("risk", "Risk"),
    ("when", "Last activity"),
    ("runs", "Checklists: settled/live · state"),
    ("late", "Overdue"),
    ("reasons", "Not done / N/A, with reasons"),
    ("supervision", "Open challenges, countersigning"),
)
#: How a checklist's settled items split, in the order its bar shows them: each part's CSS
#: class and item status, its words in the key over the table, and its words under a bar.
PARTS = (
    ("done", "done", "done"),
    ("not-done", "not done, with a reason", "not done"),
    ("na", "N/A, with a reason", "N/A"),
    ("to-countersign", "to countersign", "to countersign"),
)


@cache
def _templates() -> Environment:
    """The report's templates, loaded once; everything they print is escaped unless marked."""
    templates = Environment(
        loader=PackageLoader("bot.reports", "templates"),
        autoescape=True,
        # Every value printed shows control characters for what they are: a reason cannot be
        # reversed on the page by a right-to-left override typed into it.
        finalize=_shown,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.filters["when"] = _when
    templates.filters["counted"] = _counted
    return templates


def _shown(value: Any) -> Any:
    """A value as the page prints it: unsafe characters made visible, markup kept markup."""
    if isinstance(value, Markup):
        return Markup(visible(str(value)))
    return visible(value) if isinstance(value, str) else value


def _shown_everywhere(data: Any) -> Any:
    """The report's data with every text's unsafe characters made visible: charts included."""
    if isinstance(data, str):
        return visible(data)
    if isinstance(data, dict):
        return {key: _shown_everywhere(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return type(data)(_shown_everywhere(value) for value in data)
    return data


def render_html(report: dict[str, Any]) -> str:
    """The team report (as `team_dict` gives it) as one self-contained HTML5 document."""
    report = _shown_everywhere(report)
    teams = ", ".join(report["teams"])
    return (
        _templates()
        .get_template("team.html.j2")
        .render(
            teams=teams or "all teams",
            any_team=teams or "any team",
            today=date.fromisoformat(report["today"]),
            generated=datetime.fromisoformat(report["generated"]),
            tiles=_tiles(report),
            charts=_charts(report),
            columns=COLUMNS,
            parts=PARTS,
            cases=[_case(case) for case in report["cases"]],
        )
    )


def _when(value: str | date | None, pattern: str = "%d %b %Y") -> str:
    """A day or time, given as ISO text or as itself, the way a person reads it."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime(pattern)


def _counted(count: int, noun: str) -> str:
    """'1 day', '3 days'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _tiles(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline figures a supervisor reads first; `alert` marks one that needs action."""
    cases = report["cases"]
    runs = [run for case in cases for run in case["runs"]]
    figures = (
        ("Cases", len(cases), False),
        ("Overdue items", sum(len(run["overdue"]) for run in runs), True),
        ("Cases escalated", sum(case["risk"] == "escalated" for case in cases), True),
        (
            "Open challenges",
            sum(thread["open"] for run in runs for thread in run["challenges"]),
            True,
        ),
        ("Awaiting sign-off", sum(run["state"] == "submitted" for run in runs), True),
        ("Handovers pending", sum(case["handover"] is not None for case in cases), True),
        # The Soteria measure of intrusion: requests into victims' own records or devices.
        ("Requests into victims' records or devices", report["intrusion"]["requests"], False),
    )
    return [
        {"label": label, "count": count, "alert": warn and count > 0}
        for label, count, warn in figures
    ]


def _charts(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each chart in reading order, drawn for a page and for a phone, or None when empty."""
    # Imported here so that the bot, which never draws charts, does not load matplotlib.
    from bot.reports import charts

    drawings: dict[str, tuple[Callable[..., str], Any]] = {
        "completion": (charts.completion, report["completion"]),
        "overdue": (charts.overdue_by_age, report["overdue_by_age"]),
        "workload": (charts.workload, report["workload"]),
        "measures": (charts.measures, report["measures"]),
        "reasons": (charts.reasons, report["reasons"]),
        "focus": (charts.focus, report["focus"]),
    }
    return [
        {
            "key": key,
            "title": charts.TITLES[key],
            "caption": CAPTIONS[key],
            "empty": EMPTY[key],
            "wide": key in WIDE,
            "page": _trusted(draw(data)),
            "phone": _trusted(draw(data, phone=True)),
        }
        for key, (draw, data) in drawings.items()
    ]


def _trusted(svg: str) -> Markup | None:
    """A chart's <svg> element, to go into the page as markup rather than as text."""
    # The one place the page trusts markup. matplotlib wrote this SVG and wrote every typed
    # label in it as escaped XML text, and charts.py added only its own attributes; escaping
    # it again would print the chart's source instead of the chart.
    return Markup(svg) if svg else None


def _case(case: dict[str, Any]) -> dict[str, Any]:
    """One case as its row (or card) shows it: who, how urgent, progress, what needs action."""
    runs = case["runs"]
    risk = case["risk"]
    supervision = [
        {"challenge": thread["thread"][-1], "ask": thread["ask"]}
        for run in runs
        for thread in run["challenges"]
        if thread["open"]
    ] + [{"challenge": None, "ask": item["ask"]} for run in runs for item in run["to_countersign"]]
    return {
        "ref": case["case"],
        "officer": case["officer"],
        # The risk names a CSS class, so only the known ones are let through as one.
        "risk": risk if risk in RISK_WORDS else "unknown",
        "risk_word": RISK_WORDS.get(risk, risk),
        "last_activity": case["last_activity"],
        "handover_to": case["handover"]["to"] if case["handover"] is not None else None,
        "intrusion_requests": case["intrusion_requests"],
        "runs": [_progress(run) for run in runs],
        "overdue": sorted(
            (item for run in runs for item in run["overdue"]),
            key=lambda item: -item["days_overdue"],
        ),
        "explained": [
            {**item, "word": STATUS_WORDS.get(item["status"], item["status"])}
            for run in runs
            for item in run["not_done_or_na"]
        ],
        "supervision": supervision,
    }


def _progress(run: dict[str, Any]) -> dict[str, Any]:
    """A checklist's line: settled of live, how the settled split, and the run's state."""
    counts = {kind: 0 for kind, *_words in PARTS}
    for item in run["not_done_or_na"] + run["to_countersign"]:
        counts[item["status"]] += 1
    # What is settled and not explained or waiting for a countersignature was done.
    counts["done"] = run["settled"] - sum(counts.values())
    live = run["live"]
    return {
        "title": run["title"],
        "state": run["state"].replace("_", " "),
        "settled": run["settled"],
        "live": live,
        "parts": [
            {"kind": kind, "share": 100 * counts[kind] / live}
            for kind, *_words in PARTS
            if counts[kind]
        ],
        # Said in words as well, since only done items look done: the rest need a second look.
        "explained": [
            {"kind": kind, "count": counts[kind], "words": words}
            for kind, _key, words in PARTS[1:]
            if counts[kind]
        ],
    }
