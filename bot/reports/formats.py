"""Every report format, chosen from one table: the command line and /export both read it.

A team format renders the gathered facts of some teams; a case format renders one case from
its key. Adding a format is a function and a row here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.characters import json_escaped, visible
from bot.reports.case import case_report, render_case_table
from bot.reports.disclosure import render_disclosure
from bot.reports.oversight import Oversight
from bot.reports.team import render_csv, render_team_table, team_dict
from bot.services.context import Context


def json_text(data: Any) -> str:
    """Data as indented JSON, non-ASCII kept readable, control characters escaped."""
    return json_escaped(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def _html(oversight: Oversight) -> str:
    # matplotlib is loaded only when a page with charts is asked for: it is slow to import.
    from bot.reports.html import render_html

    return render_html(team_dict(oversight))


#: Formats of a report on teams (or on one case, seen as a team of one).
TEAM_FORMATS: dict[str, Callable[[Oversight], str]] = {
    # Plain text shows stored control characters for what they are; CSV does it per cell.
    "table": lambda oversight: visible(render_team_table(oversight)),
    "csv": render_csv,
    "json": lambda oversight: json_text(team_dict(oversight)),
    "html": _html,
}
#: Formats only a single case has: its full record, and the disclosure schedule.
CASE_FORMATS: dict[str, Callable[[Context, str], str]] = {
    "table": lambda ctx, ref: visible(render_case_table(case_report(ctx, ref))),
    "json": lambda ctx, ref: json_text(case_report(ctx, ref)),
    "disclosure": lambda ctx, ref: visible(render_disclosure(ctx, ref)),
}
FORMATS = tuple(dict.fromkeys([*TEAM_FORMATS, *CASE_FORMATS]))


#: The names of the files /export writes, and only those: nothing else there is removed.
EXPORT_NAMES = "team-report-*.html"


def write_team_html(oversight: Oversight, path: Path) -> None:
    """Write the team report's page to a file."""
    path.write_text(_html(oversight), encoding="utf-8")


def remove_exports_before(folder: Path, before: datetime) -> int:
    """Remove exported reports last written before a time; how many were removed."""
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob(EXPORT_NAMES):
        if path.is_file() and path.stat().st_mtime < before.timestamp():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
