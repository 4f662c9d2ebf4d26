"""Time playbook validation on one core: 100 generated playbooks of 50 items each (target under
0.5 s), then the largest playbooks a 256 KB upload allows, in the shapes made to be slow
(target under 2 s each).

Run: .venv/bin/python bench/validate_playbooks.py [--playbooks 100] [--items 50] [--repeats 9]
     .venv/bin/python bench/validate_playbooks.py --uploads-only
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

from bot.core.parsing import MAX_ITEMS, MAX_OPTIONS
from bot.services.checking import Check, check
from bot.services.publishing import UPLOAD_LIMIT
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


def heading(number: int) -> list[str]:
    return [f"playbook: upload-{number}", "title: Upload", "version: 1", "sections:"]


def fill(make_item, extra: list[str] | None = None) -> str:
    """A one-section playbook of as many items from `make_item(k)` as fit in an upload."""
    lines = heading(0) + ["  - id: only", "    title: Only", "    items:"] + (extra or [])
    size, number = len("\n".join(lines)) + 1, 0
    while True:
        item = make_item(number)
        if size + len("\n".join(item)) + 1 > UPLOAD_LIMIT - 16:
            return "\n".join(lines) + "\n"
        lines += item
        size += len("\n".join(item)) + 1
        number += 1


def item(number: int, *rest: str) -> list[str]:
    return [
        f"      - id: i{number}",
        f"        ask: Step {number}?",
        "        type: yes-no",
        *rest,
    ]


def chained(number: int, *rest: str) -> list[str]:
    """An item asked only when the one before it was answered yes."""
    return item(number, *rest, *([f"        when: {{i{number - 1}: yes}}"] if number else []))


def valid_chain() -> str:
    """The largest valid chain: as many items as a playbook may hold, with long guidance."""
    lines = heading(0) + ["  - id: only", "    title: Only", "    items:"]
    room = (UPLOAD_LIMIT - 2_000) // MAX_ITEMS - len("\n".join(chained(999))) - 20
    guidance = ("Why this step matters, in a sentence or two as a trainer writes. " * 40)[:room]
    for number in range(MAX_ITEMS):
        lines += chained(number, f"        guidance: {guidance.strip()}")
    return "\n".join(lines) + "\n"


def wide_condition() -> str:
    """One item whose condition has as many parts as the file has room for."""
    part = "            - {milestone: charge}"
    lines = heading(0) + ["  - id: only", "    title: Only", "    items:"]
    lines += item(0, "        when:", "          any:")
    room = UPLOAD_LIMIT - len("\n".join(lines)) - 16
    return "\n".join(lines + [part] * (room // (len(part) + 1))) + "\n"


def uploads() -> dict[str, str]:
    """The review's H2 shapes and their kin, each as large as an upload may be."""
    options = "        options: [" + ", ".join(f"o{n}" for n in range(MAX_OPTIONS)) + "]"
    impossible = "        when: {all: [" + ", ".join(f"{{q{n}: yes}}" for n in range(6))
    return {
        # H2: each item asked only when the one before was answered yes.
        "chain": fill(chained),
        # The largest such chain that is valid, padded with guidance to the upload limit.
        "chain, valid": valid_chain(),
        # H2: a misspelt name in every condition, each one a search for a suggestion.
        "misspelt names": fill(lambda k: item(k, f"        when: {{itme-{k}: yes}}")),
        # Every item reads the same six yes-no-na items: 4,096 combinations each.
        "combinations": fill(
            lambda k: (
                [f"      - id: q{k}", "        ask: Q?", "        type: yes-no-na"]
                if k < 6
                else item(k, impossible + ", {q0: no}]}")
            )
        ),
        # Multi items of the most options allowed, and items asked on them.
        "many options": fill(
            lambda k: (
                [f"      - id: i{k}", "        ask: Which?", "        type: multi", options]
                if k % 2 == 0
                else item(k, f"        when: {{i{k - 1}: [o1, o2]}}")
            )
        ),
        # One condition of thousands of parts.
        "wide condition": wide_condition(),
    }


def time_uploads(repeats: int) -> None:
    """Each upload shape checked as the bot checks an upload (in this process, on one core)."""
    catalogue = (("milestones.yaml", (REPO / "playbooks" / "milestones.yaml").read_text()),)
    print(f"largest uploads ({UPLOAD_LIMIT // 1024} KB at most), {repeats} runs each:")
    for name, text in uploads().items():
        data = text.encode()
        assert len(data) <= UPLOAD_LIMIT, (name, len(data))
        request = Check((("upload.yaml", data),), catalogue, ())
        times, library = [], None
        for _ in range(repeats):
            started = time.process_time()
            library = check(request)
            times.append(time.process_time() - started)
        assert library is not None
        verdict = f"{len(library.problems)} problem(s)" if library.problems else "valid"
        first = f": {library.problems[0].message[:60]}" if library.problems else ""
        print(
            f"  {name:18} {len(data) / 1024:5.0f} KB  median {statistics.median(times):.3f} s,"
            f" range {min(times):.3f}-{max(times):.3f} s CPU  ({verdict}{first})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--playbooks", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--uploads-only", action="store_true", help="only the largest uploads")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    if args.uploads_only:
        time_uploads(args.repeats)
        return
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
        f"range {min(ours):.3f}-{max(ours):.3f} s (target under 0.5 s)"
    )
    print(
        f"floor (libyaml load of the same files, no checks): median {statistics.median(floor):.3f} s; "
        f"ours / floor: median {statistics.median(ratios):.2f}, range {ratios[0]:.2f}-{ratios[-1]:.2f}"
    )

    time_uploads(max(3, args.repeats // 3))


if __name__ == "__main__":
    main()
