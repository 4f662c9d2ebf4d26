"""Each file in tests/fixtures/bad-playbooks/ holds one mistake and the exact line it must give."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.store.playbook_files import load_library

from ..conftest import FIXTURES, PLAYBOOKS_DIR, REPO

BAD = FIXTURES / "bad-playbooks"
EXPECT = re.compile(r"^# expect: (\d+):(\d+): (.+)$", re.MULTILINE)
CASES = sorted(p for p in BAD.rglob("*.yaml") if EXPECT.search(p.read_text(encoding="utf-8")))


def test_there_is_a_fixture_for_every_mistake_the_issue_names():
    names = {path.stem for path in CASES}
    wanted = {
        "yaml-syntax", "unknown-key", "missing-ask", "wrong-version", "duplicate-item-id",
        "duplicate-section-id", "second", "condition-later-item", "condition-unknown-item",
        "condition-bad-value", "unknown-milestone", "unknown-playbook", "reason-answer",
        "bad-duration", "sets-not-date", "never-live",
    }  # fmt: skip
    assert wanted <= names


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_each_mistake_gives_its_message_at_its_line_and_column(path: Path, in_repo):
    label = path.relative_to(REPO)
    line, column, message = EXPECT.search(path.read_text(encoding="utf-8")).groups()
    # A mistake that spans files is checked with its folder; the others one file at a time.
    target = label.parent if label.parent.name == "across-files" else label
    library = load_library([target], PLAYBOOKS_DIR)
    assert [str(problem) for problem in library.problems] == [
        f"{label}:{line}:{column}: {message}"
    ]
