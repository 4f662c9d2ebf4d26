"""The access log for the data protection officer: who consulted or disclosed what, when and
why, as a table, CSV or JSON.

The log names people by their actor and cases by their id; here they get their names and
references back, as the database holds them now. A case whose content was disposed of shows
as such: its reference went with it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.consultation import AccessRecord
from bot.core.people import user_id_of
from bot.services.context import Context
from bot.wording.labels import counted

COLUMNS = ("#", "WHEN", "WHO", "ACTION", "WHAT", "PURPOSE", "HOW")
CSV_COLUMNS = (
    "seq", "at", "actor", "who", "action", "subject", "what", "cases", "purpose", "how", "hash",
)  # fmt: skip
#: What a spreadsheet would run as a formula when a cell starts with it (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NOTHING = "No access has been recorded for that."


@dataclass(frozen=True, slots=True)
class AccessLine:
    """One record of the access log, with names and references as they stand now."""

    record: AccessRecord
    who: str
    what: str
    cases: tuple[str, ...]
    how: str


def lines_of(ctx: Context, records: Sequence[AccessRecord]) -> list[AccessLine]:
    """Each record with the names of who did it and the references of the cases it names."""
    names = ctx.uow.users.names()
    refs = ctx.uow.cases.refs_of(
        sorted({case_id for record in records for case_id in record.access.cases})
    )
    found = []
    for record in records:
        access = record.access
        cases = tuple(_case(case_id, refs) for case_id in access.cases)
        found.append(
            AccessLine(
                record,
                _who(access.actor, names),
                _what(access.subject, cases),
                cases,
                _how(record),
            )
        )
    return found


def render_table(lines: Sequence[AccessLine], zone: ZoneInfo) -> str:
    """The log as a table for a terminal, oldest first, times where the force is."""
    if not lines:
        return NOTHING + "\n"
    rows = [
        (
            str(line.record.seq),
            f"{line.record.access.at.astimezone(zone):%Y-%m-%d %H:%M}",
            line.who,
            line.record.access.action,
            line.what,
            line.record.access.purpose or "-",
            line.how,
        )
        for line in lines
    ]
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in [COLUMNS, *rows]
    )


def render_csv(lines: Sequence[AccessLine], _zone: ZoneInfo) -> str:
    """One row per record, safe to open in a spreadsheet: no cell runs as a formula."""
    if not lines:
        return NOTHING + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        access = line.record.access
        writer.writerow(
            _safe(cell)
            for cell in (
                str(line.record.seq),
                access.at.isoformat(),
                access.actor,
                line.who,
                access.action,
                access.subject,
                line.what,
                " ".join(line.cases),
                access.purpose or "",
                line.how,
                line.record.hash,
            )
        )
    return out.getvalue()


def render_json(lines: Sequence[AccessLine], _zone: ZoneInfo) -> str:
    """The records as a JSON list, with each record's hash for checking against the chain."""
    if not lines:
        return NOTHING + "\n"
    data = [
        {
            "seq": line.record.seq,
            "at": line.record.access.at.isoformat(),
            "actor": line.record.access.actor,
            "who": line.who,
            "action": line.record.access.action,
            "subject": line.record.access.subject,
            "what": line.what,
            "cases": list(line.cases),
            "purpose": line.record.access.purpose,
            "detail": dict(line.record.access.detail),
            "hash": line.record.hash,
        }
        for line in lines
    ]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[Sequence[AccessLine], ZoneInfo], str]] = {
    "table": render_table,
    "csv": render_csv,
    "json": render_json,
}


def _who(actor: str, names: dict[int, str]) -> str:
    user_id = user_id_of(actor)
    if user_id is not None:
        return names.get(user_id, f"user {user_id}")
    channel, _, rest = actor.partition(":")
    if channel == "cli":
        return f"{rest} (command line)"
    if channel == "admin":
        return "an administrator (command line)"
    return f"{channel} account {rest} (not enrolled)"


def _case(case_id: int, refs: dict[int, str | None]) -> str:
    ref = refs.get(case_id)
    return ref if ref is not None else f"#{case_id} (disposed of)"


def _what(subject: str, cases: tuple[str, ...]) -> str:
    kind, _, rest = subject.partition(":")
    if kind == "case":
        return f"case {cases[0]}" if cases else f"case #{rest}"
    if kind == "team":
        return f"team {rest} ({counted(len(cases), 'case')})"
    if kind == "force":
        return f"every team ({counted(len(cases), 'case')})" if cases else "every team"
    if kind == "user":
        return f"enrolled as user {rest}"
    return subject


def _how(record: AccessRecord) -> str:
    detail = record.access.detail
    bits = [detail[key] for key in ("via", "format", "why") if detail.get(key)]
    if detail.get("to"):
        bits.append(f"to {detail['to']}")
    if detail.get("os_user") and not record.access.actor.endswith(f":{detail['os_user']}"):
        bits.append(f"login {detail['os_user']}")
    return ", ".join(bits) or "-"


def _safe(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading formula character gets a quote before it."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
