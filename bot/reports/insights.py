"""Field feedback for trainers: which items investigators answer no, N/A or later, miss, or see
challenged, and why, over every run of every playbook version.

Trainers see aggregates only: no case reference, officer or team reaches any output here, so
the report can go to someone with no need to know about individual cases.
"""

from __future__ import annotations

import csv
import io
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.characters import spreadsheet_row
from bot.core.playbook import Item, Playbook
from bot.services.context import Context
from bot.store.cases import Scope

#: How many reasons an item lists, most often given first.
TOP_REASONS = 3
#: An item is flagged when its trouble score reaches this and enough runs asked it...
FLAG_SCORE = 0.3
#: ...since one awkward run in two says little about the item itself.
FLAG_MIN_ASKED = 3
#: Width of the ask in the terminal table, so a row stays near 100 columns.
ASK_CHARS = 40
#: Telegram allows 4,096 characters a message; the summary keeps well inside that.
TEXT_LIMIT = 3500
#: Statuses of a live item that has been answered (with its reason where one is needed).
SETTLED = ("done", "not-done", "na", "to-countersign")
#: Statuses of a live item still waiting for the investigator.
UNSETTLED = ("open", "later", "needs-reason")
CSV_COLUMNS = (
    "playbook", "title", "version", "runs", "number", "item", "type", "ask", "asked", "no",
    "na", "later", "overdue", "with_due", "challenged", "still_open", "median_days_open",
    "no_rate", "na_rate", "later_rate", "overdue_rate", "challenged_rate", "trouble", "flagged",
    "top_reason", "top_reason_count", "top_reason_preset",
)  # fmt: skip


def _share(count: int, of: int) -> float:
    """count / of, or 0 when nothing was counted."""
    return count / of if of else 0.0


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason given for an item, how often, and whether it was one of the item's presets."""

    text: str
    count: int
    preset: bool


@dataclass(slots=True)
class ItemInsight:
    """One item of one playbook version, totalled over every run of that version."""

    item: Item
    number: int
    asked: int = 0
    no: int = 0
    na: int = 0
    later: int = 0
    overdue: int = 0
    with_due: int = 0
    challenged: int = 0
    still_open: int = 0
    #: Median days from a run's start to the item's first answer (None before any).
    median_days: float | None = None
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def no_rate(self) -> float:
        """Share of the runs asking the item that answered no."""
        return _share(self.no, self.asked)

    @property
    def na_rate(self) -> float:
        """Share of the runs asking the item that answered N/A."""
        return _share(self.na, self.asked)

    @property
    def later_rate(self) -> float:
        """Share of the runs asking the item that put it off at least once."""
        return _share(self.later, self.asked)

    @property
    def overdue_rate(self) -> float:
        """Share of the runs with a due date for the item that missed it."""
        return _share(self.overdue, self.with_due)

    @property
    def challenged_rate(self) -> float:
        """Share of the runs asking the item where a supervisor challenged it."""
        return _share(self.challenged, self.asked)

    @property
    def trouble(self) -> float:
        """The sum of the five rates: a score to rank items by, which can pass 1."""
        return (
            self.no_rate
            + self.na_rate
            + self.later_rate
            + self.overdue_rate
            + self.challenged_rate
        )

    @property
    def flagged(self) -> bool:
        """Troubling enough, over enough runs, for a trainer to look at first."""
        return self.asked >= FLAG_MIN_ASKED and self.trouble >= FLAG_SCORE

    @property
    def median_days_open(self) -> float | None:
        """Median days from a run's start to the item's first answer (None before any)."""
        return self.median_days

    def top_reasons(self, limit: int = TOP_REASONS) -> list[Reason]:
        """The reasons given most often, with whether each is one of the item's presets (for
        any answer: an item may give each answer its own)."""
        presets = set(self.item.reasons)
        for _answer, listed in self.item.reasons_by_answer:
            presets.update(listed)
        return [
            Reason(text, count, text in presets) for text, count in self.reasons.most_common(limit)
        ]


@dataclass(slots=True)
class VersionInsight:
    """One version of a playbook: how many runs it had and each item's totals."""

    playbook: str
    title: str
    version: int
    runs: int
    items: list[ItemInsight]


@dataclass(slots=True)
class Insights:
    """Every playbook version's item totals, by playbook id and then version."""

    generated: datetime
    versions: list[VersionInsight]

    def items(self) -> Iterable[tuple[VersionInsight, ItemInsight]]:
        """Each item with its version."""
        for version in self.versions:
            for insight in version.items:
                yield version, insight

    def most_troubling(self, limit: int) -> list[tuple[VersionInsight, ItemInsight]]:
        """Items that caused any trouble, highest score first (then most asked)."""
        troubled = [(v, i) for v, i in self.items() if i.asked and i.trouble > 0]
        # Rounded, so float noise in equal scores never decides the order; then most asked first.
        troubled.sort(
            key=lambda pair: (
                -round(pair[1].trouble, 6),
                -pair[1].asked,
                pair[0].playbook,
                pair[0].version,
                pair[1].number,
            )
        )
        return troubled[:limit]


def gather_insights(ctx: Context, teams: Sequence[str] | None = None) -> Insights:
    """Total each item of each playbook version over every run of these teams (all when None).

    Counted in SQL over the read model's rows (`bot.store.facts`): a whole force is a million
    item rows, too many to bring into Python one by one. A run moved to a newer version has no
    rows there: its answers were carried into the new run, and counting both would count every
    carried answer twice.
    """
    ctx.fresh()
    scope = Scope(tuple(dict.fromkeys(teams)) if teams else None)
    versions: dict[int, VersionInsight] = {}
    with ctx.uow.reading() as uow:
        counts = uow.facts.tallies(
            *uow.runs.ids_in(scope), ctx.today(), every_run=scope.teams is None
        )
        for version_id, runs in counts.runs.items():
            versions[version_id] = _version(ctx.catalog.playbook_of_version(version_id), runs)
        for version_id, position, *totals in counts.items:
            insight = versions[version_id].items[position]
            (insight.asked, insight.no, insight.na, insight.later, insight.challenged,
             insight.with_due, insight.overdue, insight.still_open) = totals  # fmt: skip
        for version_id, position, reason, count in counts.reasons:
            versions[version_id].items[position].reasons[reason] = count
        for (version_id, position), median in counts.medians.items():
            versions[version_id].items[position].median_days = median
    found = {(v.playbook, v.version): v for v in versions.values()}
    # The library's current versions appear even before any run: "nobody has used v4 yet".
    for entry in ctx.catalog.library.playbooks:
        key = (entry.playbook.id, entry.playbook.version)
        if key not in found:
            found[key] = _version(entry.playbook, 0)
    return Insights(ctx.now(), [found[key] for key in sorted(found)])


def _version(playbook: Playbook, runs: int) -> VersionInsight:
    items = [ItemInsight(item, number) for number, item in enumerate(playbook.items, 1)]
    return VersionInsight(playbook.id, playbook.title, playbook.version, runs, items)


def _short(text: str, width: int) -> str:
    """Text on one line, cut at a word to fit the width (mid-word if one word is too long)."""
    flat = " ".join(text.split())
    cut = textwrap.shorten(flat, width, placeholder="…")
    return cut if cut != "…" else flat[: width - 1] + "…"


def _rates(insight: ItemInsight) -> dict[str, float]:
    return {
        "no": round(insight.no_rate, 3),
        "na": round(insight.na_rate, 3),
        "later": round(insight.later_rate, 3),
        "overdue": round(insight.overdue_rate, 3),
        "challenged": round(insight.challenged_rate, 3),
        "trouble": round(insight.trouble, 3),
    }


def _days(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _item(insight: ItemInsight) -> dict[str, Any]:
    return {
        "number": insight.number,
        "item": insight.item.id,
        "ask": insight.item.ask,
        "type": insight.item.type,
        "asked": insight.asked,
        "no": insight.no,
        "na": insight.na,
        "later": insight.later,
        "overdue": insight.overdue,
        "with_due": insight.with_due,
        "challenged": insight.challenged,
        "still_open": insight.still_open,
        "median_days_open": _days(insight.median_days_open),
        "rates": _rates(insight),
        "flagged": insight.flagged,
        "top_reasons": [
            {"reason": reason.text, "count": reason.count, "preset": reason.preset}
            for reason in insight.top_reasons()
        ],
    }


def insights_dict(insights: Insights) -> dict[str, Any]:
    """The insights as JSON-ready data: playbook id -> version -> items in playbook order."""
    playbooks: dict[str, Any] = {}
    for version in insights.versions:
        entry = playbooks.setdefault(version.playbook, {"title": version.title, "versions": {}})
        # The latest version's title names the playbook; versions are sorted oldest first.
        entry["title"] = version.title
        # JSON keys are strings; a version number as a key reads "3", as the YAML has it.
        entry["versions"][str(version.version)] = {
            "title": version.title,
            "runs": version.runs,
            "items": [_item(insight) for insight in version.items],
        }
    return {
        "report": "insights",
        "generated": insights.generated.isoformat(timespec="seconds"),
        "playbooks": playbooks,
    }


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


def _percent(rate: float, of: int) -> str:
    return f"{rate:.0%}" if of else "—"


def render_insights_table(insights: Insights) -> str:
    """The insights for a terminal: per playbook version, one line per item and its top reason."""
    lines = [
        f"Field feedback · {insights.generated:%d %b %Y} · "
        f"{_runs(sum(version.runs for version in insights.versions))}",
        "Rates are shares of the runs that asked the item (overdue: of those with a due date);",
        f"⚑ marks items scoring {FLAG_SCORE:.0%} or more over the five rates "
        f"in at least {FLAG_MIN_ASKED} runs.",
    ]
    heading = (
        f"{'':4}{'#':>3}  {'item':<{ASK_CHARS}} {'asked':>5} {'no':>5} {'N/A':>5} {'later':>6}"
        f" {'overdue':>7} {'chall.':>6} {'days':>5}"
    )
    for version in insights.versions:
        lines += ["", f"{version.playbook} v{version.version} · {_runs(version.runs)}", heading]
        for insight in version.items:
            flag = "⚑" if insight.flagged else ""
            ask = _short(insight.item.ask, ASK_CHARS)
            start = f"  {flag:<2}{insight.number:>3}  {ask:<{ASK_CHARS}}"
            if not insight.asked:
                lines.append(
                    f"{start} {'—':>5} {'—':>5} {'—':>5} {'—':>6} {'—':>7} {'—':>6} {'—':>5}"
                )
                continue
            days = insight.median_days_open
            lines.append(
                f"{start} {insight.asked:>5}"
                f" {_percent(insight.no_rate, insight.asked):>5}"
                f" {_percent(insight.na_rate, insight.asked):>5}"
                f" {_percent(insight.later_rate, insight.asked):>6}"
                f" {_percent(insight.overdue_rate, insight.with_due):>7}"
                f" {_percent(insight.challenged_rate, insight.asked):>6}"
                f" {f'{days:.1f}' if days is not None else '—':>5}"
            )
            top = insight.top_reasons(1)
            if top:
                kind = "preset" if top[0].preset else "typed"
                lines.append(f"{'':9}reason ×{top[0].count} ({kind}): {_short(top[0].text, 70)}")
    return "\n".join(lines) + "\n"


def render_insights_csv(insights: Insights) -> str:
    """One row per item of every playbook version, as spreadsheets read it: no cell runs as a
    formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for version, insight in insights.items():
        rates = _rates(insight)
        top = insight.top_reasons(1)
        writer.writerow(
            spreadsheet_row(
                version.playbook,
                version.title,
                version.version,
                version.runs,
                insight.number,
                insight.item.id,
                insight.item.type,
                insight.item.ask,
                insight.asked,
                insight.no,
                insight.na,
                insight.later,
                insight.overdue,
                insight.with_due,
                insight.challenged,
                insight.still_open,
                _days(insight.median_days_open) if insight.median_days is not None else "",
                rates["no"],
                rates["na"],
                rates["later"],
                rates["overdue"],
                rates["challenged"],
                rates["trouble"],
                "yes" if insight.flagged else "",
                top[0].text if top else "",
                top[0].count if top else "",
                ("yes" if top[0].preset else "no") if top else "",
            )
        )
    return out.getvalue()


def insights_text(insights: Insights, limit: int = 10) -> str:
    """A short chat message: the most troubling items across all playbooks, with their rates."""
    ranked = insights.most_troubling(limit)
    if not ranked:
        return "No item has been answered no, N/A or later, missed its due date or been challenged yet."
    lines = [f"Items that trouble investigators most ({len(ranked)}):"]
    for place, (version, insight) in enumerate(ranked, 1):
        block = [
            "",
            f"{place}. {version.playbook} v{version.version} #{insight.number}: "
            f"{_short(insight.item.ask, 80)}",
            f"no {_percent(insight.no_rate, insight.asked)}"
            f" · N/A {_percent(insight.na_rate, insight.asked)}"
            f" · later {_percent(insight.later_rate, insight.asked)}"
            f" · overdue {_percent(insight.overdue_rate, insight.with_due)}"
            f" · challenged {_percent(insight.challenged_rate, insight.asked)}"
            f" · {_runs(insight.asked)}",
        ]
        top = insight.top_reasons(1)
        if top:
            block.append(f"Top reason ({top[0].count}): {_short(top[0].text, 100)}")
        # Stop before the message grows past what one Telegram message should carry.
        if len("\n".join(lines + block)) > TEXT_LIMIT - 40:
            lines += ["", f"…and {len(ranked) - place + 1} more in the full report."]
            break
        lines += block
    return "\n".join(lines)
