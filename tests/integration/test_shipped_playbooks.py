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


OTHER = "Other (recorded in the force system)"


def test_victim_focused_reasons_offer_the_force_system_preset_for_each_answer():
    """Nobody need type a victim's circumstances: every answer that needs a reason on an item
    about the victim offers 'Other (recorded in the force system)'."""
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    missing = [
        f"{entry.playbook.id}/{item.id} ({answer})"
        for entry in library.playbooks
        for item in entry.playbook.items
        if item.focus == "victim"
        for answer in sorted(item.reason)
        if OTHER not in item.presets(answer)
    ]
    assert missing == []


def test_presets_belong_to_their_answer_and_never_say_which_it_is():
    """An item needing reasons for two answers gives each its own presets, unlabelled."""
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    for entry in library.playbooks:
        for item in entry.playbook.items:
            if len(item.reason) > 1:
                assert item.reasons == (), f"{entry.playbook.id}/{item.id}"
            for answer in item.reason:
                presets = item.presets(answer)
                assert presets, f"{entry.playbook.id}/{item.id} ({answer})"
                labelled = [p for p in presets if p.startswith(("No:", "N/A:", "Yes:"))]
                assert labelled == [], f"{entry.playbook.id}/{item.id}"


def test_a_shared_fact_validates_alone_and_a_missing_one_is_still_reported(tmp_path: Path):
    """A file whose item is the same fact as a sibling's validates on its own (the folder check
    compares the two); a same-as naming a playbook that exists nowhere is an error."""
    alone = load_library([PLAYBOOKS_DIR / "victim-records-requests.yaml"], PLAYBOOKS_DIR)
    assert [str(problem) for problem in alone.problems] == []
    (tmp_path / "milestones.yaml").write_text(
        (PLAYBOOKS_DIR / "milestones.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "lonely.yaml").write_text(
        "playbook: lonely\ntitle: Lonely\nversion: 1\nsections:\n  - id: s\n    title: S\n"
        "    items:\n      - id: gate\n        ask: Gate?\n        type: yes-no\n"
        "        same-as: nowhere/gate\n",
        encoding="utf-8",
    )
    library = load_library([tmp_path / "lonely.yaml"], tmp_path)
    assert ["'same-as' names the playbook 'nowhere'" in str(p) for p in library.problems] == [True]


def test_an_item_asked_per_occurrence_reads_as_english_in_preview():
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    playbook = library.playbook("protective-orders")
    text = render_preview(playbook, library.milestones, library.settings)
    assert "Asked again for every bail extension." in text
    assert "every the " not in text
