"""The team report as one self-contained HTML page: headline figures, charts, then the cases.

The page needs nothing but itself: styles are inline, charts are inline SVG, and there is no
script, font or image to fetch, so it opens offline and prints on A4. Every string from the
data is escaped, since answers, reasons and challenges are typed by people.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from datetime import date, datetime
from html import escape
from typing import Any

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
ASK_CHARS = 70
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

CSS = """
:root { --ink: #1b1b1b; --muted: #595959; --rule: #8c8c8c; --soft: #f2f2f2; --warn: #b34700; }
* { box-sizing: border-box; }
html { font-family: system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
  color: var(--ink); background: #fff; line-height: 1.4; }
body { margin: 0; }
.marking { margin: 0; padding: .2rem; text-align: center; font-size: .8rem; font-weight: 700;
  letter-spacing: .08em; border-bottom: 2px solid var(--ink); }
header.report, main, footer { max-width: 84rem; margin: 0 auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin: 1.25rem 0 .2rem; }
h2 { font-size: 1.15rem; margin: 0 0 .2rem; }
.lede { margin: 0 0 1rem; color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr));
  gap: .6rem; margin: .5rem 0 0; }
.tile { border: 1px solid var(--rule); border-radius: 4px; padding: .45rem .7rem; }
.tile dt { font-size: .82rem; color: var(--muted); }
.tile dd { margin: 0; font-size: 1.7rem; font-weight: 700; }
.tile.alert { border: 2px solid var(--warn); border-left-width: 7px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(26rem, 100%), 1fr));
  gap: 1.75rem 2rem; margin: 2rem 0; }
.chart.wide { grid-column: 1 / -1; }
.chart figure { margin: .5rem 0 0; }
.chart svg { display: block; max-width: 100%; height: auto; }
.caption { margin: 0; max-width: 62rem; color: var(--muted); font-size: .9rem; }
.empty { margin: .5rem 0 0; padding: .7rem; border: 1px dashed var(--rule); font-style: italic; }
.table-wrap { overflow-x: auto; }
table { width: 100%; min-width: 60rem; border-collapse: collapse; table-layout: fixed;
  font-size: .82rem; line-height: 1.3; }
.col-case { width: 9.5%; } .col-officer { width: 8%; } .col-risk { width: 7.5%; }
.col-when { width: 7.5%; } .col-runs { width: 19%; } .col-late { width: 17%; }
.col-reasons { width: 20%; } .col-supervision { width: 11.5%; }
th, td { padding: .35rem .45rem; border: 1px solid var(--rule); text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
thead th { background: var(--soft); border-bottom: 2px solid var(--ink); }
td ul { margin: 0; padding-left: 1rem; }
td li + li { margin-top: .15rem; }
.risk { display: inline-block; padding: 0 .35rem; border-radius: 3px; font-weight: 600;
  white-space: nowrap; }
.risk-escalated { border: 4px double var(--warn); }
.risk-overdue { border: 2px solid var(--warn); }
.risk-challenged { border: 2px dashed var(--ink); }
.risk-due-soon { border: 2px dotted var(--ink); }
.risk-on-track { border: 1px solid var(--rule); font-weight: 400; }
.risk-closed { border: 1px solid transparent; color: var(--muted); font-weight: 400; }
.days { font-weight: 700; white-space: nowrap; }
.state { color: var(--muted); white-space: nowrap; }
.by { color: var(--muted); }
.day { white-space: nowrap; }
.handover { display: block; margin-top: .3rem; padding-left: .3rem; font-weight: 600;
  white-space: normal; border-left: 3px solid var(--ink); }
.none { color: var(--muted); }
footer { margin-top: 2rem; margin-bottom: 2rem; padding-top: .5rem; font-size: .85rem;
  border-top: 2px solid var(--ink); }
@page { size: A4; margin: 14mm 11mm 16mm;
  @top-center { content: "OFFICIAL-SENSITIVE"; font: 700 8pt sans-serif; }
  @bottom-center { content: "OFFICIAL-SENSITIVE · page " counter(page) " of " counter(pages);
    font: 8pt sans-serif; } }
@page cases { size: A4 landscape; }
@media print {
  html { font-size: 9pt; }
  header.report, main, footer { max-width: none; padding: 0; }
  .charts { display: block; }
  .chart, .chart figure { break-inside: avoid; page-break-inside: avoid; }
  .chart { margin-bottom: 1.2rem; }
  h2 { break-after: avoid; }
  .tiles { grid-template-columns: repeat(6, 1fr); }
  /* The last column's right border sits on the page edge; a pixel keeps it on the page. */
  .table-wrap { overflow: visible; padding-right: 1px; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .cases { page: cases; }
  table { min-width: 0; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


def render_html(report: dict[str, Any]) -> str:
    """The team report (as `team_dict` gives it) as one self-contained HTML5 document."""
    # Imported here so that the bot, which never draws charts, does not load matplotlib.
    from bot.reports import charts

    teams = ", ".join(report["teams"]) or "all teams"
    today = date.fromisoformat(report["today"])
    title = f"Team report: {teams} · {today:%d %b %Y}"
    # In reading order; the two narrow charts sit side by side on a wide screen.
    drawn = {
        "completion": charts.completion(report["completion"]),
        "overdue": charts.overdue_by_age(report["overdue_by_age"]),
        "workload": charts.workload(report["workload"]),
        "measures": charts.measures(report["measures"]),
        "reasons": charts.reasons(report["reasons"]),
        "focus": charts.focus(report["focus"]),
    }
    wide = {"completion", "measures", "reasons", "focus"}
    sections = "\n".join(
        _chart(key, charts.TITLES[key], svg, key in wide) for key, svg in drawn.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<p class="marking">OFFICIAL-SENSITIVE</p>
<header class="report">
<h1>{escape(title)}</h1>
<p class="lede">{_lede(report, today)}</p>
{_summary(report)}
</header>
<main>
<div class="charts">
{sections}
</div>
{_cases(report)}
</main>
{_footer(report)}
<p class="marking">OFFICIAL-SENSITIVE</p>
</body>
</html>
"""


def _lede(report: dict[str, Any], today: date) -> str:
    """The line under the title: the day the report stands at, and what it covers."""
    count = len(report["cases"])
    cases = "1 case" if count == 1 else f"{count} cases"
    return escape(f"As at {today:%A %d %B %Y} · {cases} · riskiest cases first")


def _summary(report: dict[str, Any]) -> str:
    """The headline figures a supervisor reads first, as tiles."""
    runs = [run for case in report["cases"] for run in case["runs"]]
    figures = (
        ("Cases", len(report["cases"]), False),
        ("Overdue items", sum(len(run["overdue"]) for run in runs), True),
        ("Cases escalated", sum(case["risk"] == "escalated" for case in report["cases"]), True),
        (
            "Open challenges",
            sum(thread["open"] for run in runs for thread in run["challenges"]),
            True,
        ),
        ("Awaiting sign-off", sum(run["state"] == "submitted" for run in runs), True),
        ("Handovers pending", sum(case["handover"] is not None for case in report["cases"]), True),
    )
    tiles = "\n".join(
        f'<div class="tile{" alert" if warn and count else ""}">'
        f"<dt>{escape(label)}</dt><dd>{count}</dd></div>"
        for label, count, warn in figures
    )
    return (
        f'<section class="summary" aria-label="Summary">\n<dl class="tiles">\n{tiles}\n</dl>\n'
        "</section>"
    )


def _chart(key: str, title: str, svg: str, wide: bool) -> str:
    """One chart's section: heading, caption, and the chart or a note that it is empty."""
    body = f"<figure>{svg}</figure>" if svg else f'<p class="empty">{escape(EMPTY[key])}</p>'
    return (
        f'<section class="chart{" wide" if wide else ""}" id="chart-{key}">\n'
        f"<h2>{escape(title)}</h2>\n"
        f'<p class="caption">{escape(CAPTIONS[key])}</p>\n'
        f"{body}\n</section>"
    )


def _cases(report: dict[str, Any]) -> str:
    """The case list as a table, in the order given (riskiest first)."""
    if not report["cases"]:
        teams = ", ".join(report["teams"]) or "any team"
        return (
            '<section class="cases" id="cases">\n<h2>Cases</h2>\n'
            f'<p class="empty">There are no cases for {escape(teams)}.</p>\n</section>'
        )
    header = "".join(f'<th scope="col">{escape(head)}</th>' for _col, head in COLUMNS)
    columns = "".join(f'<col class="col-{col}">' for col, _head in COLUMNS)
    rows = "\n".join(_case_row(case) for case in report["cases"])
    return (
        '<section class="cases" id="cases">\n<h2>Cases, riskiest first</h2>\n'
        '<div class="table-wrap">\n<table>\n'
        f"<colgroup>{columns}</colgroup>\n"
        f"<thead><tr>{header}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n</div>\n"
        "</section>"
    )


def _case_row(case: dict[str, Any]) -> str:
    """One case's row: who, how urgent, how far each checklist is, and what needs attention."""
    handover = ""
    if case["handover"] is not None:
        handover = f'<span class="handover">in handover to {escape(case["handover"]["to"])}</span>'
    risk = re.sub(r"[^a-z-]", "", case["risk"])
    runs = case["runs"]
    overdue = sorted(
        (item for run in runs for item in run["overdue"]), key=lambda item: -item["days_overdue"]
    )
    supervision = [
        _challenge(thread) for run in runs for thread in run["challenges"] if thread["open"]
    ] + [
        f"<strong>To countersign:</strong> {_ask(item['ask'])}"
        for run in runs
        for item in run["to_countersign"]
    ]
    ref = escape(case["case"])
    cells = (
        f'<th scope="row" data-case="{ref}">{ref}{handover}</th>',
        f"<td>{escape(case['officer'])}</td>",
        f'<td><span class="risk risk-{risk}">'
        f"{escape(RISK_WORDS.get(case['risk'], case['risk']))}</span></td>",
        f"<td>{_day(case['last_activity'])}</td>",
        _list(_progress(run) for run in runs),
        _list(_late(item) for item in overdue),
        _list(_explained(item) for run in runs for item in run["not_done_or_na"]),
        _list(supervision),
    )
    return "<tr>" + "".join(cells) + "</tr>"


def _list(entries: Iterable[str]) -> str:
    """A table cell holding a list, or a dash when there is nothing in it."""
    items = [f"<li>{entry}</li>" for entry in entries]
    if not items:
        return '<td><span class="none">—</span></td>'
    return "<td><ul>" + "".join(items) + "</ul></td>"


def _ask(ask: str) -> str:
    """An item's question, shortened for the table; the full text shows on hover."""
    short = textwrap.shorten(" ".join(ask.split()), ASK_CHARS, placeholder="…")
    if short == ask:
        return escape(ask)
    return f'<span title="{escape(ask)}">{escape(short)}</span>'


def _progress(run: dict[str, Any]) -> str:
    """A run's line: its checklist, settled out of live items, and its state."""
    state = run["state"].replace("_", " ")
    return (
        f"{escape(run['title'])} <strong>{run['settled']}/{run['live']}</strong>"
        f' <span class="state">· {escape(state)}</span>'
    )


def _late(item: dict[str, Any]) -> str:
    """An overdue item with how many days late it is."""
    days = item["days_overdue"]
    return f'{_ask(item["ask"])} <span class="days">{days} day{"" if days == 1 else "s"}</span>'


def _explained(item: dict[str, Any]) -> str:
    """An item answered not done or N/A, with the reason given."""
    word = STATUS_WORDS.get(item["status"], item["status"])
    reason = escape(item["reason"]) if item["reason"] else '<span class="none">no reason</span>'
    return f"{_ask(item['ask'])} <strong>{escape(word)}</strong>: {reason}"


def _challenge(thread: dict[str, Any]) -> str:
    """An open challenge: the latest question, who asked it, and on which item."""
    latest = thread["thread"][-1]
    return (
        f"<strong>Challenged:</strong> “{escape(latest['text'] or '')}” "
        f'<span class="by">({escape(latest["who"])}, {_day(latest["when"])})</span> '
        f"on {_ask(thread['ask'])}"
    )


def _day(when: str | None) -> str:
    """An ISO date or time as a day a person reads, like 16 Mar 2026."""
    if not when:
        return '<span class="none">—</span>'
    return f'<span class="day">{escape(f"{datetime.fromisoformat(when):%d %b %Y}")}</span>'


def _footer(report: dict[str, Any]) -> str:
    """Who made the page and when, and how to handle it."""
    generated = datetime.fromisoformat(report["generated"])
    return (
        "<footer>\n"
        f"<p>Generated by soteria-bot on {escape(f'{generated:%d %b %Y at %H:%M %Z}')}. "
        "This report contains case references and details of investigations: "
        "handle it as <strong>OFFICIAL-SENSITIVE</strong>, keep it on force systems, "
        "and do not forward it outside the force.</p>\n"
        "</footer>"
    )
