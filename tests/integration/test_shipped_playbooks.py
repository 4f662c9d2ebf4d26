"""Every shipped playbook validates, alone and as a library, and reads cleanly in preview."""

from __future__ import annotations

import re
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


def test_sources_list_every_item_of_every_playbook_at_its_version():
    """SOURCES.md maps each item to its legal or guidance basis; a new item must be added there."""
    sources = (PLAYBOOKS_DIR / "SOURCES.md").read_text(encoding="utf-8")
    chunks = {chunk.split("\n", 1)[0]: chunk for chunk in sources.split("\n### ")[1:]}
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    for entry in library.playbooks:
        playbook = entry.playbook
        heading = f"{playbook.id} (version {playbook.version})"
        assert heading in chunks, heading
        missing = [i.id for i in playbook.items if f"\n| {i.id} |" not in chunks[heading]]
        assert missing == [], (playbook.id, missing)


def test_victims_code_deadlines_are_rules_not_force_settings():
    """An item whose guidance gives a Victims' Code Right's limit falls due by a fixed rule."""
    code_limit = re.compile(r"Right \d+[^.]*?\b\d+ working days?")
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    checked = 0
    for entry in library.playbooks:
        for item in entry.playbook.items:
            if item.due and code_limit.search(item.guidance or ""):
                checked += 1
                assert item.due.span.setting is None, f"{entry.playbook.id}/{item.id}"
    assert checked >= 10


def test_questions_are_short_enough_for_a_phone():
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    long = [
        f"{entry.playbook.id}/{item.id}"
        for entry in library.playbooks
        for item in entry.playbook.items
        if len(item.ask) >= 100
    ]
    assert long == []


def test_guidance_shows_investigators_nothing_unconfirmed():
    """Open questions live in SOURCES.md for the force, not in guidance read at the roadside."""
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    for entry in library.playbooks:
        texts = [entry.playbook.summary or ""] + [i.guidance or "" for i in entry.playbook.items]
        for text in texts:
            assert "not confirmed" not in text.lower(), entry.playbook.id
            assert "local choice" not in text.lower(), entry.playbook.id
