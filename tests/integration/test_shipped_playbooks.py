"""Every shipped playbook validates, alone and as a library, and reads cleanly in preview."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store.playbook_files import CATALOGUE_FILES, load_library
from bot.wording.preview import render_preview

from ..conftest import PLAYBOOKS_DIR

SHIPPED = sorted(p for p in PLAYBOOKS_DIR.glob("*.yaml") if p.name not in CATALOGUE_FILES)


def test_the_library_is_not_empty():
    assert len(SHIPPED) >= 8


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_playbook_validates_and_previews(path: Path):
    library = load_library([path], PLAYBOOKS_DIR)
    assert [str(problem) for problem in library.problems] == []
    text = render_preview(library.playbooks[0].playbook, library.milestones, library.settings)
    assert "1.1" in text


def test_the_shipped_library_validates_as_a_whole():
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    assert [str(problem) for problem in library.problems] == []
    assert len(library.playbooks) == len(SHIPPED)


def test_every_playbook_the_library_opens_is_shipped():
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    ids = {entry.playbook.id for entry in library.playbooks}
    opened = {
        target
        for entry in library.playbooks
        for item in entry.playbook.items
        for _, target in item.opens
    }
    assert opened <= ids


def test_text_items_warn_against_personal_details():
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    for entry in library.playbooks:
        for item in entry.playbook.items:
            if item.type == "text":
                assert "no names" in item.ask.lower(), f"{entry.source}: {item.id}"
