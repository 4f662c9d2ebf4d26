"""Run the personal-data screen over the labelled corpus: recall, false-positive rate, misses.

Run: .venv/bin/python bench/screen_corpus.py [--corpus bench/screen-corpus] [--no-timing]

The corpus is plain text, one sentence a line. `personal*.txt` lines hold personal data and
must be refused; `ordinary*.txt` lines are ordinary investigator notes and must pass. A line
"# kind: ..." opens a section; "(victim)" in its name means the lines were typed on a
victim-focused item, where health and religion count too. Other lines starting with "#" are
comments. Ordinary lines are screened as on a victim-focused item, the strictest setting.
The `-holdout` files were written after the screen's first version and never used to tune it.

Targets: recall at least 0.95 on personal data, false-positive rate at most 0.03 on ordinary
notes. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.screening import VICTIM_FOCUS, screen

CORPUS = Path(__file__).resolve().parent / "screen-corpus"
RECALL_TARGET = 0.95
FALSE_POSITIVE_TARGET = 0.03


@dataclass(frozen=True)
class Section:
    """Lines of one kind, and whether they were typed on a victim-focused item."""

    kind: str
    victim_focused: bool
    lines: tuple[str, ...]


@dataclass
class Tally:
    """How many lines the screen refused, and the lines it judged wrongly."""

    lines: int = 0
    refused: int = 0
    wrong: list[tuple[str, str, list[str]]] = field(default_factory=list)
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)


def read_corpus(path: Path) -> list[Section]:
    """Read a corpus file into its sections."""
    sections: list[Section] = []
    kind, lines = "unlabelled", []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("# kind:"):
            if lines:
                sections.append(Section(kind, "(victim)" in kind, tuple(lines)))
            kind, lines = raw.removeprefix("# kind:").strip(), []
        elif raw.strip() and not raw.startswith("#"):
            lines.append(raw)
    if lines:
        sections.append(Section(kind, "(victim)" in kind, tuple(lines)))
    return sections


def focus_for(section: Section, *, personal: bool) -> str | None:
    """The focus to screen a section with: its own for personal data, the strictest otherwise."""
    if not personal or section.victim_focused:
        return VICTIM_FOCUS
    return None


def tally(sections: list[Section], *, personal: bool) -> Tally:
    """Screen every line and count; a personal line should be refused, an ordinary one not."""
    result = Tally()
    for section in sections:
        refused = 0
        for line in section.lines:
            kinds = list(screen(line, focus=focus_for(section, personal=personal)))
            refused += bool(kinds)
            if bool(kinds) != personal:
                result.wrong.append((section.kind, line, kinds))
        result.lines += len(section.lines)
        result.refused += refused
        result.by_kind[section.kind] = (refused, len(section.lines))
    return result


def share_refused(result: Tally) -> float:
    """The share of lines refused: recall on personal data, false-positive rate on notes."""
    return result.refused / result.lines


def report_personal(name: str, result: Tally) -> bool:
    """Print recall, the count by kind and the misses; tell whether the target is met."""
    value = share_refused(result)
    met = value >= RECALL_TARGET
    print(f"{name}: refused {result.refused} of {result.lines}, recall {value:.3f}", end="")
    print(f" (target >= {RECALL_TARGET}: {'met' if met else 'NOT MET'})")
    for kind, (refused, lines) in result.by_kind.items():
        print(f"  {kind:<35} {refused:>3}/{lines}")
    print(f"  misses: {len(result.wrong) or 'none'}")
    for kind, line, _ in result.wrong:
        print(f"    [{kind}] {line}")
    return met


def report_ordinary(name: str, result: Tally) -> bool:
    """Print the false-positive rate and the false alarms; tell whether the target is met."""
    value = share_refused(result)
    met = value <= FALSE_POSITIVE_TARGET
    print(
        f"{name}: refused {result.refused} of {result.lines}, false-positive rate {value:.3f}",
        end="",
    )
    print(f" (target <= {FALSE_POSITIVE_TARGET}: {'met' if met else 'NOT MET'})")
    print(f"  false alarms: {len(result.wrong) or 'none'}")
    for kind, line, kinds in result.wrong:
        print(f"    [{kind}] {line}  -> {', '.join(kinds)}")
    return met


def report_timing(sections: list[Section]) -> None:
    """Print how long one screen takes on a 500-character message made of corpus lines."""
    lines = [line for section in sections for line in section.lines]
    messages, current = [], ""
    for line in lines:
        current = f"{current} {line}".strip()
        if len(current) >= 500:
            messages.append(current[:500])
            current = ""
    samples = []
    for message in messages:
        started = time.perf_counter()
        for _ in range(20):
            screen(message, focus=VICTIM_FOCUS)
        samples.append((time.perf_counter() - started) / 20 * 1000)
    print(
        f"time per 500-character message ({len(messages)} messages, victim focus): "
        f"median {statistics.median(samples):.3f} ms, max {max(samples):.3f} ms"
    )


def main() -> int:
    """Screen every corpus file and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-timing", action="store_true")
    options = parser.parse_args()
    met = True
    every: list[Section] = []
    for path in sorted(options.corpus.glob("*.txt")):
        sections = read_corpus(path)
        every += sections
        personal = path.name.startswith("personal")
        result = tally(sections, personal=personal)
        report = report_personal if personal else report_ordinary
        met = report(path.name, result) and met
        print()
    if not options.no_timing:
        report_timing(every)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
