"""Time `soteria-bot validate` work on 100 generated playbooks of 50 items each, on one core.

Run: .venv/bin/python bench/validate_playbooks.py [--playbooks 100] [--items 50] [--repeats 9]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from bot.store.playbook_files import load_library

REPO = Path(__file__).resolve().parents[1]
TYPES = ["yes-no", "yes-no-na", "choice", "multi", "date", "number", "text"]


def generated_item(index: int) -> dict:
    """One item of a realistic shape: reasons, guidance, due rules and conditions on earlier items."""
    kind = TYPES[index % len(TYPES)]
    item: dict = {
        "id": f"item-{index}",
        "ask": f"Has line of enquiry number {index} been completed and recorded on the file?",
        "type": kind,
        "guidance": "The legal basis in a sentence or two, as a trainer would write it. " * 2,
        "focus": "suspect",
    }
    if kind in ("choice", "multi"):
        item["options"] = ["first option", "second option", "third option", "none"]
        item["reason"] = ["none"]
        item["reasons"] = ["Awaiting other force", "Not applicable"]
    elif kind in ("yes-no", "yes-no-na"):
        item["reason"] = ["no"]
        item["reasons"] = ["Awaiting other force", "Suspect not identified"]
        item["due"] = {"within": f"{1 + index % 10}wd", "of": "report"}
        item["escalate"] = {"after": "2d"}
    elif kind == "date":
        item["sets"] = "arrest" if index % 2 else "charge"
    if index >= 7 and index % 3 == 0:
        earlier = (index - 7) // 7 * 7  # an earlier yes-no item (every seventh item is one)
        item["when"] = {"all": [{f"item-{earlier}": "yes"}, {"milestone": "charge"}]}
    return item


def write_library(folder: Path, playbooks: int, items: int) -> None:
    shutil.copy(REPO / "playbooks" / "milestones.yaml", folder / "milestones.yaml")
    for number in range(playbooks):
        per_section = 10
        sections = [
            {
                "id": f"section-{s}",
                "title": f"Section {s}",
                "items": [
                    generated_item(i)
                    for i in range(s * per_section, min(items, (s + 1) * per_section))
                ],
            }
            for s in range((items + per_section - 1) // per_section)
        ]
        data = {
            "playbook": f"generated-{number}",
            "title": f"Generated {number}",
            "version": 1,
            "sections": sections,
        }
        (folder / f"generated-{number}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--playbooks", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_library(folder, args.playbooks, args.items)
        size = sum(p.stat().st_size for p in folder.glob("*.yaml"))
        lines = sum(p.read_text().count("\n") for p in folder.glob("*.yaml"))
        texts = [
            path.read_text(encoding="utf-8") for path in sorted(folder.glob("generated-*.yaml"))
        ]
        ours, floor = [], []
        for _ in range(args.repeats):
            # Interleaved, so both see the same noise from the shared machine.
            started = time.perf_counter()
            library = load_library([folder], folder)
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            for text in texts:
                yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            floor.append(time.perf_counter() - started)
            assert not library.problems, library.problems[:3]
            assert len(library.playbooks) == args.playbooks
    ratios = sorted(o / f for o, f in zip(ours, floor, strict=True))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"libyaml {'yes' if getattr(yaml, '__with_libyaml__', False) else 'no'}"
    )
    print(
        f"input: {args.playbooks} playbooks x {args.items} items, {lines} lines, {size / 1e6:.2f} MB"
    )
    print(
        f"validate, {args.repeats} runs on one core: median {statistics.median(ours):.3f} s, "
        f"range {min(ours):.3f}-{max(ours):.3f} s (target under 1 s)"
    )
    print(
        f"floor (libyaml load of the same files, no checks): median {statistics.median(floor):.3f} s; "
        f"ours / floor: median {statistics.median(ratios):.2f}, range {ratios[0]:.2f}-{ratios[-1]:.2f}"
    )


if __name__ == "__main__":
    main()
