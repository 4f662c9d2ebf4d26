"""The team report's charts, drawn with matplotlib as inline SVG for the HTML page.

Each function takes one part of `team_dict` and returns an `<svg>` element ready to paste into
HTML, or "" when there is nothing to draw. Colours come from the Okabe-Ito palette, which
colour-blind readers can tell apart; every bar also carries its value as text, and bars that
must be told apart carry a hatch pattern, so a greyscale printout loses nothing.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
from collections.abc import Callable
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.wording.labels import STATUS_WORDS

#: Each chart's key (its `data-chart` attribute) and title (its heading and aria-label).
TITLES = {
    "completion": "Completion by playbook and section",
    "overdue": "Overdue items by age",
    "reasons": "Most common reasons for not done and N/A",
    "workload": "Workload per investigator",
    "measures": "Measures",
    "focus": "Focus of enquiries done",
}

BLUE, SKY, GREEN, ORANGE = "#0072B2", "#56B4E9", "#009E73", "#E69F00"
VERMILLION, PURPLE, YELLOW = "#D55E00", "#CC79A7", "#F0E442"
INK, MUTED, TRACK = "#1b1b1b", "#595959", "#e6e6e6"
EDGE = {"edgecolor": INK, "linewidth": 0.6}  # outlines keep pale bars visible on paper
#: Overdue age bands, lightest to darkest, so the order survives greyscale.
AGE_COLOURS = (YELLOW, ORANGE, VERMILLION, "#7a3000")
FOCUS_STYLE = {
    "suspect": (BLUE, ""),
    "victim": (ORANGE, "//"),
    "context": (SKY, ".."),
}
WIDE, NARROW = 9.0, 5.8  # inches: the case list's width, and half a laptop screen
ROW = 0.28  # inches per bar in the horizontal charts
LABEL_CHARS = 56

STYLE = {
    "svg.fonttype": "none",  # text stays text: selectable, searchable, and sharp in print
    "svg.hashsalt": "soteria",  # stable ids, so the same data gives the same file
    "text.parse_math": False,  # officers type `$`; it must never start a formula
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 9,
    "text.color": INK,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "hatch.color": "#ffffff",
    "hatch.linewidth": 1.2,
}
# No creator, date or licence block: they add URLs and change on every run.
NO_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}


def _short(text: str, width: int = LABEL_CHARS) -> str:
    """Shorten a typed label to one line, cutting at a word with an ellipsis."""
    return textwrap.shorten(" ".join(text.split()), width, placeholder="…") or "…"


def _percent(settled: int, total: int) -> float:
    """A share as a percentage, 0 when there is nothing to share."""
    return 100 * settled / total if total else 0.0


def _embeddable(svg: str, key: str, label: str) -> str:
    """An SVG file as an element for an HTML page: no prolog, its own ids, and a label."""
    body = svg[svg.index("<svg") :].strip()

    # Every chart numbers its ids afresh (figure_1, clip paths), and one page holds them all,
    # so each chart's ids get its key as prefix; only tags are touched, never the text.
    def own_ids(tag: re.Match[str]) -> str:
        return re.sub(r'(\bid="|url\(#|href="#)([^")]+)', lambda m: f"{m[1]}{key}-{m[2]}", tag[0])

    body = re.sub(r"<[^>]+>", own_ids, body)
    opening = f'<svg role="img" aria-label="{html.escape(label)}" data-chart="{key}" '
    return body.replace("<svg ", opening, 1)


def _render(
    key: str, summary: str, size: tuple[float, float], draw: Callable[[Axes], None]
) -> str:
    """Draw one chart in the report's style and return it as an inline <svg> element."""
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=size, layout="constrained")
        draw(figure.add_subplot())
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata=NO_METADATA)
    return _embeddable(out.getvalue(), key, f"{TITLES[key]}. {summary}")


def _label(ax: Axes, x: float, y: float, text: str) -> None:
    """A value written just past the end of a bar (SVG drops leading spaces, so no padding)."""
    ax.annotate(text, (x, y), xytext=(4, 0), textcoords="offset points", va="center")


def _percent_axis(ax: Axes, rows: int) -> None:
    """A 0 to 100% axis along the bottom, with room on the right for the value labels."""
    ax.set_xlim(0, 128)
    ax.set_xticks([0, 25, 50, 75, 100], labels=["0%", "25%", "50%", "75%", "100%"])
    ax.spines["bottom"].set_bounds(0, 100)
    ax.set_ylim(rows - 0.4, -0.6)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)


def completion(rows: list[dict[str, Any]]) -> str:
    """Horizontal bars of settled items out of live ones, per section, under each playbook."""
    if not rows:
        return ""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["playbook"], []).append(row)
    settled = sum(row["settled"] for row in rows)
    live = sum(row["live"] for row in rows)
    summary = (
        f"{len(rows)} sections across {len(groups)} checklists; "
        f"{settled} of {live} live items settled ({_percent(settled, live):.0f}%)."
    )
    lines = len(rows) + len(groups)

    def draw(ax: Axes) -> None:
        ticks, labels, y = [], [], 0
        for sections in groups.values():
            # The checklist's title heads its sections, in the plot, on a row of its own.
            ax.text(0, y, _short(sections[0]["title"], 90), fontweight="bold", va="center")
            y += 1
            for row in sections:
                share = _percent(row["settled"], row["live"])
                ax.barh(y, 100, height=0.7, color=TRACK)
                ax.barh(y, share, height=0.7, color=BLUE)
                _label(ax, 100, y, f"{share:.0f}% ({row['settled']}/{row['live']})")
                ticks.append(y)
                labels.append(_short(row["section_title"], 44))
                y += 1
        ax.set_yticks(ticks, labels=labels)
        _percent_axis(ax, lines)

    return _render("completion", summary, (WIDE, 0.6 + ROW * lines), draw)


def overdue_by_age(rows: list[dict[str, Any]]) -> str:
    """Vertical bars of overdue items in each age band, oldest darkest."""
    if not any(row["count"] for row in rows):
        return ""
    summary = "; ".join(f"{row['age']}: {row['count']}" for row in rows) + "."

    def draw(ax: Axes) -> None:
        ages = [row["age"] for row in rows]
        counts = [row["count"] for row in rows]
        colours = [AGE_COLOURS[min(i, len(AGE_COLOURS) - 1)] for i in range(len(rows))]
        bars = ax.bar(ages, counts, color=colours, width=0.6, **EDGE)
        ax.bar_label(bars, padding=2)
        ax.set_ylim(0, max(counts) * 1.18)
        ax.set_ylabel("overdue items")
        ax.set_xlabel("days past due")
        ax.yaxis.get_major_locator().set_params(integer=True)

    return _render("overdue", summary, (NARROW, 2.9), draw)


def _count_axis(ax: Axes, bars: int, most: int, label: str, room: float) -> None:
    """Bars counted along the bottom in whole numbers, first bar at the top, no left spine."""
    ax.set_ylim(bars - 0.4, -0.6)
    ax.set_xlim(0, max(most, 1) * room)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(label)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)


def _key(ax: Axes, *entries: tuple[str, str, str]) -> None:
    """A legend above the plot, one entry per (colour, hatch, label)."""
    handles = [Patch(facecolor=c, hatch=h, label=text, **EDGE) for c, h, text in entries]
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1),
        ncols=len(entries),
        frameon=False,
        borderaxespad=0.2,
    )


def reasons(rows: list[dict[str, Any]]) -> str:
    """Horizontal bars of the reasons given most often, not done solid and N/A hatched."""
    if not rows:
        return ""
    summary = "; ".join(
        f"{STATUS_WORDS[row['status']]}: {_short(row['reason'])} ({row['count']})"
        for row in rows[:5]
    )

    def draw(ax: Axes) -> None:
        for y, row in enumerate(rows):
            colour, hatch = (VERMILLION, "") if row["status"] == "not-done" else (SKY, "//")
            ax.barh(y, row["count"], height=0.7, color=colour, hatch=hatch, **EDGE)
            _label(ax, row["count"], y, str(row["count"]))
        # The same reason may be given for not done and for N/A; the label tells them apart.
        labels = [
            _short(row["reason"]) + (" (n/a)" if row["status"] == "na" else "") for row in rows
        ]
        ax.set_yticks(range(len(rows)), labels=labels)
        _count_axis(ax, len(rows), max(row["count"] for row in rows), "times given", 1.12)
        _key(ax, (VERMILLION, "", "not done"), (SKY, "//", "n/a"))

    return _render("reasons", summary, (WIDE, 0.9 + ROW * len(rows)), draw)


def workload(rows: list[dict[str, Any]]) -> str:
    """Stacked bars of each investigator's open items, the overdue part hatched."""
    if not rows:
        return ""
    summary = "; ".join(
        f"{row['officer']}: {row['open_items']} open items, {row['overdue']} overdue, "
        f"{row['awaiting_review']} checklists awaiting review"
        for row in rows
    )

    def draw(ax: Axes) -> None:
        for y, row in enumerate(rows):
            # Open items include the overdue ones; the bar splits them, it does not add them.
            current = max(row["open_items"] - row["overdue"], 0)
            ax.barh(y, current, height=0.66, color=SKY, **EDGE)
            late = {"left": current, "color": VERMILLION, "hatch": "//"}
            ax.barh(y, row["overdue"], height=0.66, **late, **EDGE)
            words = f"{row['open_items']} open, {row['overdue']} overdue"
            if row["awaiting_review"]:
                words += f"\n{row['awaiting_review']} awaiting sign-off"
            _label(ax, current + row["overdue"], y, words)
        labels = [f"{_short(row['officer'], 30)}\n{_cases(row['cases'])}" for row in rows]
        ax.set_yticks(range(len(rows)), labels=labels, linespacing=1.25)
        most = max(row["open_items"] for row in rows)
        _count_axis(ax, len(rows), most, "open items in checklists being worked", 1.6)
        _key(ax, (SKY, "", "open, not yet overdue"), (VERMILLION, "//", "overdue"))

    return _render("workload", summary, (NARROW, 0.9 + ROW * 1.7 * len(rows)), draw)


def _cases(count: int) -> str:
    """'1 case' or 'n cases'."""
    return f"{count} case" if count == 1 else f"{count} cases"


def measures(rows: list[dict[str, Any]]) -> str:
    """Horizontal bars of the share of cases meeting each measure, with 'met of N'."""
    if not rows:
        return ""
    summary = "; ".join(
        f"{row['title']}: {row['met']} of {row['of']}" if row["of"] else f"{row['title']}: none"
        for row in rows
    )

    def draw(ax: Axes) -> None:
        for y, row in enumerate(rows):
            if not row["of"]:
                ax.text(1, y, "no cases yet", va="center", color=MUTED, fontstyle="italic")
                continue
            share = _percent(row["met"], row["of"])
            ax.barh(y, 100, height=0.7, color=TRACK)
            ax.barh(y, share, height=0.7, color=GREEN)
            _label(ax, 100, y, f"{share:.0f}% ({row['met']} of {row['of']})")
        ax.set_yticks(range(len(rows)), labels=[_short(row["title"], 60) for row in rows])
        _percent_axis(ax, len(rows))

    return _render("measures", summary, (WIDE, 0.6 + ROW * len(rows)), draw)


def focus(counts: dict[str, int]) -> str:
    """Horizontal bars of enquiries done by focus: suspect, victim, context."""
    total = sum(counts.values())
    if not total:
        return ""
    names = [name for name in FOCUS_STYLE if name in counts]
    names += [name for name in counts if name not in FOCUS_STYLE]
    summary = "; ".join(f"{name}: {counts[name]}" for name in names) + "."

    def draw(ax: Axes) -> None:
        for y, name in enumerate(names):
            colour, hatch = FOCUS_STYLE.get(name, (PURPLE, "xx"))
            ax.barh(y, counts[name], height=0.66, color=colour, hatch=hatch, **EDGE)
            share = _percent(counts[name], total)
            _label(ax, counts[name], y, f"{counts[name]} ({share:.0f}%)")
        ax.set_yticks(range(len(names)), labels=[f"{name}-focused" for name in names])
        _count_axis(ax, len(names), max(counts.values()), "items done", 1.2)

    return _render("focus", summary, (WIDE, 0.75 + ROW * 1.2 * len(names)), draw)
