"""The team report's charts, drawn with matplotlib as inline SVG for the HTML page.

Each function takes one part of `team_dict` and returns an `<svg>` element ready to paste into
HTML, or "" when there is nothing to draw. Each draws a chart for a screen or paper, with the
labels left of the bars, or with `phone=True` one as wide as a phone, each label over its bar,
whose text stays 12 px tall there. Colours come from the Okabe-Ito palette, which colour-blind
readers can tell apart; every bar also carries its value as text, and bars that must be told
apart carry a hatch pattern, so a greyscale printout loses nothing.
"""

from __future__ import annotations

import html
import io
import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.textpath import TextToPath

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
# Outlines keep pale bars visible on paper. Typed loosely, as matplotlib's keywords are.
EDGE: dict[str, Any] = {"edgecolor": INK, "linewidth": 0.6}
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
#: A phone chart's width in inches: 346 px at its own size, so its 9 pt text is 12 px tall on
#: the 358 px that a 390 px phone leaves between the page's margins.
PHONE = 3.6
LINE = 9 * 1.4 / 72  # inches per line of text in a phone chart: 9 pt, spaced for reading
BAR = 1.0  # a phone chart's bar, in lines
#: How a section's settled items split: done, then not done and N/A, each with its reason.
SETTLED_STYLE = (
    ("done", BLUE, "", "done"),
    ("not_done", VERMILLION, "xx", "not done, with a reason"),
    ("na", SKY, "//", "N/A, with a reason"),
)

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


def _embeddable(svg: str, key: str, label: str, phone: bool = False) -> str:
    """An SVG file as an element for an HTML page: no prolog, its own ids, and a label."""
    body = svg[svg.index("<svg") :].strip()
    layout = "phone" if phone else "page"
    prefix = f"{key}-phone" if phone else key

    # Every chart numbers its ids afresh (figure_1, clip paths), and one page holds them all,
    # so each chart's ids get its key as prefix; only tags are touched, never the text.
    def own_ids(tag: re.Match[str]) -> str:
        return re.sub(
            r'(\bid="|url\(#|href="#)([^")]+)', lambda m: f"{m[1]}{prefix}-{m[2]}", tag[0]
        )

    body = re.sub(r"<[^>]+>", own_ids, body)
    opening = (
        f'<svg role="img" aria-label="{html.escape(label)}" data-chart="{key}" '
        f'data-layout="{layout}" '
    )
    return body.replace("<svg ", opening, 1)


def _save(figure: Figure, key: str, summary: str, phone: bool = False) -> str:
    """A drawn figure as an inline <svg> element labelled with its title and summary."""
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata=NO_METADATA)
    return _embeddable(out.getvalue(), key, f"{TITLES[key]}. {summary}", phone)


def _render(
    key: str, summary: str, size: tuple[float, float], draw: Callable[[Axes], None]
) -> str:
    """Draw one chart in the report's style and return it as an inline <svg> element."""
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=size, layout="constrained")
        draw(figure.add_subplot())
        return _save(figure, key, summary)


# --- phone charts: each label on its own line over its bar ---------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a phone chart: a label, its value at the right, and the bar beneath."""

    label: str
    value: str = ""
    #: The bar's parts laid end to end from zero: (length, colour, hatch).
    parts: tuple[tuple[float, str, str], ...] = ()
    track: bool = False  # a grey bar the chart's full length behind the parts, for shares
    heading: bool = False  # a checklist's title over its sections: bold, with no bar
    note: str = ""  # said in italics where the bar would be ("no cases yet")


@cache
def _font(bold: bool) -> FontProperties:
    """The report's font at its size, as matplotlib measures it."""
    with mpl.rc_context(STYLE):
        return FontProperties(weight="bold" if bold else "normal")


def _width(text: str, bold: bool = False) -> float:
    """How wide a line of text is drawn, in points."""
    # DejaVu Sans is measured, the widest of the fonts the SVG names, so any of them fits.
    width, _height, _descent = TextToPath().get_text_width_height_descent(
        text, _font(bold), ismath=False
    )
    return float(width)


def _wrap(text: str, room: float, most: int = 2, bold: bool = False) -> list[str]:
    """A label in lines no wider than `room` points, at most `most`, shortened at a word."""
    lines: list[str] = []
    for word in text.split():
        if lines and _width(f"{lines[-1]} {word}", bold) <= room:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    if len(lines) <= most and all(_width(line, bold) <= room for line in lines):
        return lines or ["…"]
    lines = lines[:most]
    words = lines[-1].split(" ")
    while len(words) > 1 and _width(" ".join(words) + "…", bold) > room:
        words.pop()
    last = " ".join(words)
    # One word wider than the chart (a pasted link, say) is the only thing cut inside a word.
    while len(last) > 1 and _width(last + "…", bold) > room:
        last = last[:-1]
    lines[-1] = last + "…"
    return lines


def _legend_lines(entries: Sequence[tuple[str, str, str]]) -> int:
    """How many lines a phone chart's key takes: two entries to a line."""
    return math.ceil(len(entries) / 2)


def _phone(
    key: str,
    summary: str,
    rows: Sequence[Row],
    length: float,
    entries: Sequence[tuple[str, str, str]] = (),
) -> str:
    """A chart a phone's width, each row a label over a bar, drawn in lines of text from the top."""
    room = PHONE * 72
    top = 1.5 * _legend_lines(entries)
    drawn: list[tuple[Row, list[str], list[str], float]] = []
    for number, row in enumerate(rows):
        values = row.value.split("\n") if row.value else []
        if row.heading:
            top += 0.5 if number else 0
            lines = _wrap(row.label, room, bold=True)
        else:
            widest = max((_width(value) for value in values), default=0.0)
            lines = _wrap(row.label, room - widest - (12 if widest else 0))
        drawn.append((row, lines, values, top))
        height = max(len(lines), len(values))
        top += height + (0.35 if row.heading else 0.2 + BAR + 0.7)
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=(PHONE, top * LINE + 0.04))
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        # A sliver either side, so bar outlines at zero and at full length are not cut off;
        # a chart of only zeros (nobody has open items) still needs a scale.
        length = max(length, 1)
        ax.set_xlim(-length * 0.004, length * 1.004)
        ax.set_ylim(top, -0.04 / LINE)
        for row, lines, values, at in drawn:
            _draw_row(ax, row, lines, values, at, length)
        if entries:
            _phone_key(ax, entries)
        return _save(figure, key, summary, phone=True)


def _draw_row(
    ax: Axes, row: Row, lines: list[str], values: list[str], top: float, length: float
) -> None:
    """One phone chart row: label lines at the left, value lines at the right, bar beneath."""
    # Baselines sit three quarters down each line, leaving room under them for descenders.
    weight = "bold" if row.heading else "normal"
    for number, line in enumerate(lines):
        ax.text(0, top + number + 0.75, line, va="baseline", fontweight=weight)
    for number, value in enumerate(values):
        ax.text(length, top + number + 0.75, value, ha="right", va="baseline")
    if row.heading:
        return
    middle = top + max(len(lines), len(values)) + 0.2 + BAR / 2
    if row.note:
        ax.text(0, middle, row.note, va="center", color=MUTED, fontstyle="italic")
        return
    if row.track:
        ax.barh(middle, length, height=BAR, color=TRACK)
    start = 0.0
    for size, colour, hatch in row.parts:
        if size > 0:  # an empty part would still draw its outline, a stray line at zero
            ax.barh(middle, size, left=start, height=BAR, color=colour, hatch=hatch, **EDGE)
        start += size


def _phone_key(ax: Axes, entries: Sequence[tuple[str, str, str]]) -> None:
    """A phone chart's key, two entries to a line, across the top."""
    handles = [Patch(facecolor=c, hatch=h, label=text, **EDGE) for c, h, text in entries]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0, 1),
        ncols=min(len(entries), 2),
        frameon=False,
        borderaxespad=0,
        borderpad=0,
        handlelength=1.6,
        columnspacing=1.2,
    )


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


def _split(rows: list[dict[str, Any]]) -> bool:
    """Whether the rows count done, not done and N/A apart, not only what is settled."""
    return all(name in row for row in rows for name, *_style in SETTLED_STYLE)


def _settled_parts(row: dict[str, Any], split: bool) -> tuple[tuple[float, str, str], ...]:
    """A section's bar as shares of its live items: done, then each kind settled with a reason."""
    if not split:
        return ((_percent(row["settled"], row["live"]), BLUE, ""),)
    return tuple(
        (_percent(row[name], row["live"]), colour, hatch)
        for name, colour, hatch, _label in SETTLED_STYLE
    )


def completion(rows: list[dict[str, Any]], phone: bool = False) -> str:
    """Horizontal bars of settled items out of live ones, per section, under each playbook.

    Where the rows count done, not done and N/A apart, each bar is split that way, so an item
    settled with a reason never reads as done.
    """
    if not rows:
        return ""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["playbook"], []).append(row)
    settled = sum(row["settled"] for row in rows)
    live = sum(row["live"] for row in rows)
    split = _split(rows)
    summary = (
        f"{len(rows)} sections across {len(groups)} checklists; "
        f"{settled} of {live} live items settled ({_percent(settled, live):.0f}%)"
    )
    if split:
        done, not_done, na = (sum(row[name] for row in rows) for name, *_ in SETTLED_STYLE)
        summary += f": {done} done, {not_done} not done and {na} N/A with a reason"
    summary += "."
    entries = (
        [(colour, hatch, label) for _n, colour, hatch, label in SETTLED_STYLE] if split else []
    )
    if phone:
        lines = []
        for sections in groups.values():
            lines.append(Row(sections[0]["title"], heading=True))
            lines += [
                Row(
                    row["section_title"],
                    f"{_percent(row['settled'], row['live']):.0f}% "
                    f"({row['settled']}/{row['live']})",
                    _settled_parts(row, split),
                    track=True,
                )
                for row in sections
            ]
        return _phone("completion", summary, lines, 100, entries)
    lines_drawn = len(rows) + len(groups)

    def draw(ax: Axes) -> None:
        ticks, labels, y = [], [], 0
        for sections in groups.values():
            # The checklist's title heads its sections, in the plot, on a row of its own.
            ax.text(0, y, _short(sections[0]["title"], 90), fontweight="bold", va="center")
            y += 1
            for row in sections:
                ax.barh(y, 100, height=0.7, color=TRACK)
                start = 0.0
                for share, colour, hatch in _settled_parts(row, split):
                    if share > 0:  # an empty part would still draw its outline at zero
                        style = {"hatch": hatch, **EDGE} if split else {}
                        ax.barh(y, share, left=start, height=0.7, color=colour, **style)
                    start += share
                share = _percent(row["settled"], row["live"])
                _label(ax, 100, y, f"{share:.0f}% ({row['settled']}/{row['live']})")
                ticks.append(y)
                labels.append(_short(row["section_title"], 44))
                y += 1
        ax.set_yticks(ticks, labels=labels)
        _percent_axis(ax, lines_drawn)
        if entries:
            _key(ax, *entries)

    height = 0.6 + ROW * lines_drawn + (0.3 if entries else 0)
    return _render("completion", summary, (WIDE, height), draw)


def overdue_by_age(rows: list[dict[str, Any]], phone: bool = False) -> str:
    """Vertical bars of overdue items in each age band, oldest darkest (rows on a phone)."""
    if not any(row["count"] for row in rows):
        return ""
    summary = "; ".join(f"{row['age']}: {row['count']}" for row in rows) + "."
    colours = [AGE_COLOURS[min(i, len(AGE_COLOURS) - 1)] for i in range(len(rows))]
    counts = [row["count"] for row in rows]
    if phone:
        bands = [
            Row(row["age"], _items(row["count"]), ((row["count"], colour, ""),))
            for row, colour in zip(rows, colours, strict=True)
        ]
        return _phone("overdue", summary, bands, max(counts))

    def draw(ax: Axes) -> None:
        ages = [row["age"] for row in rows]
        bars = ax.bar(ages, counts, color=colours, width=0.6, **EDGE)
        ax.bar_label(bars, padding=2)
        ax.set_ylim(0, max(counts) * 1.18)
        ax.set_ylabel("overdue items")
        ax.set_xlabel("days past due")
        ax.yaxis.get_major_locator().set_params(integer=True)

    return _render("overdue", summary, (NARROW, 2.9), draw)


def _items(count: int) -> str:
    """'1 item' or 'n items'."""
    return f"{count} item" if count == 1 else f"{count} items"


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


def reasons(rows: list[dict[str, Any]], phone: bool = False) -> str:
    """Horizontal bars of the reasons given most often, not done solid and N/A hatched."""
    if not rows:
        return ""
    summary = "; ".join(
        f"{STATUS_WORDS[row['status']]}: {_short(row['reason'])} ({row['count']})"
        for row in rows[:5]
    )
    styles = [(VERMILLION, "") if row["status"] == "not-done" else (SKY, "//") for row in rows]
    # The same reason may be given for not done and for N/A; the label tells them apart.
    labels = [(" (n/a)" if row["status"] == "na" else "") for row in rows]
    entries = ((VERMILLION, "", "not done"), (SKY, "//", "n/a"))
    most = max(row["count"] for row in rows)
    if phone:
        bars = [
            Row(row["reason"] + label, _times(row["count"]), ((row["count"], *style),))
            for row, style, label in zip(rows, styles, labels, strict=True)
        ]
        return _phone("reasons", summary, bars, most, entries)

    def draw(ax: Axes) -> None:
        for y, (row, (colour, hatch)) in enumerate(zip(rows, styles, strict=True)):
            ax.barh(y, row["count"], height=0.7, color=colour, hatch=hatch, **EDGE)
            _label(ax, row["count"], y, str(row["count"]))
        ticks = [_short(row["reason"]) + label for row, label in zip(rows, labels, strict=True)]
        ax.set_yticks(range(len(rows)), labels=ticks)
        _count_axis(ax, len(rows), most, "times given", 1.12)
        _key(ax, *entries)

    return _render("reasons", summary, (WIDE, 0.9 + ROW * len(rows)), draw)


def _times(count: int) -> str:
    """'given once' or 'given n times'."""
    return "given once" if count == 1 else f"given {count} times"


def workload(rows: list[dict[str, Any]], phone: bool = False) -> str:
    """Stacked bars of each investigator's open items, the overdue part hatched."""
    if not rows:
        return ""
    summary = "; ".join(
        f"{row['officer']}: {row['open_items']} open items, {row['overdue']} overdue, "
        f"{row['awaiting_review']} checklists awaiting review"
        for row in rows
    )
    entries = ((SKY, "", "open, not yet overdue"), (VERMILLION, "//", "overdue"))
    most = max(row["open_items"] for row in rows)

    def parts(row: dict[str, Any]) -> tuple[tuple[float, str, str], ...]:
        # Open items include the overdue ones; the bar splits them, it does not add them.
        current = max(row["open_items"] - row["overdue"], 0)
        return ((current, SKY, ""), (row["overdue"], VERMILLION, "//"))

    def words(row: dict[str, Any]) -> str:
        said = f"{row['open_items']} open, {row['overdue']} overdue"
        if row["awaiting_review"]:
            said += f"\n{row['awaiting_review']} awaiting sign-off"
        return said

    if phone:
        bars = [
            Row(f"{row['officer']} · {_cases(row['cases'])}", words(row), parts(row))
            for row in rows
        ]
        return _phone("workload", summary, bars, most, entries)

    def draw(ax: Axes) -> None:
        for y, row in enumerate(rows):
            start = 0.0
            for size, colour, hatch in parts(row):
                ax.barh(y, size, left=start, height=0.66, color=colour, hatch=hatch, **EDGE)
                start += size
            _label(ax, start, y, words(row))
        labels = [f"{_short(row['officer'], 30)}\n{_cases(row['cases'])}" for row in rows]
        ax.set_yticks(range(len(rows)), labels=labels, linespacing=1.25)
        _count_axis(ax, len(rows), most, "open items in checklists being worked", 1.6)
        _key(ax, *entries)

    return _render("workload", summary, (NARROW, 0.9 + ROW * 1.7 * len(rows)), draw)


def _cases(count: int) -> str:
    """'1 case' or 'n cases'."""
    return f"{count} case" if count == 1 else f"{count} cases"


def measures(rows: list[dict[str, Any]], phone: bool = False) -> str:
    """Horizontal bars of the share of cases meeting each measure, with 'met of N'."""
    if not rows:
        return ""
    summary = "; ".join(
        f"{row['title']}: {row['met']} of {row['of']}" if row["of"] else f"{row['title']}: none"
        for row in rows
    )
    if phone:
        bars = [
            Row(
                row["title"],
                f"{_percent(row['met'], row['of']):.0f}% ({row['met']} of {row['of']})",
                ((_percent(row["met"], row["of"]), GREEN, ""),),
                track=True,
            )
            if row["of"]
            else Row(row["title"], note="no cases yet")
            for row in rows
        ]
        return _phone("measures", summary, bars, 100)

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


def focus(counts: dict[str, int], phone: bool = False) -> str:
    """Horizontal bars of enquiries done by focus: suspect, victim, context."""
    total = sum(counts.values())
    if not total:
        return ""
    names = [name for name in FOCUS_STYLE if name in counts]
    names += [name for name in counts if name not in FOCUS_STYLE]
    summary = "; ".join(f"{name}: {counts[name]}" for name in names) + "."
    styles = [FOCUS_STYLE.get(name, (PURPLE, "xx")) for name in names]
    values = [f"{counts[name]} ({_percent(counts[name], total):.0f}%)" for name in names]
    if phone:
        bars = [
            Row(f"{name}-focused", value, ((counts[name], *style),))
            for name, style, value in zip(names, styles, values, strict=True)
        ]
        return _phone("focus", summary, bars, max(counts.values()))

    def draw(ax: Axes) -> None:
        for y, (name, (colour, hatch), value) in enumerate(
            zip(names, styles, values, strict=True)
        ):
            ax.barh(y, counts[name], height=0.66, color=colour, hatch=hatch, **EDGE)
            _label(ax, counts[name], y, value)
        ax.set_yticks(range(len(names)), labels=[f"{name}-focused" for name in names])
        _count_axis(ax, len(names), max(counts.values()), "items done", 1.2)

    return _render("focus", summary, (WIDE, 0.75 + ROW * 1.2 * len(names)), draw)
