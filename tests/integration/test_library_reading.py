"""Reading a library of playbook files holds Python's cycle collector off while it runs, and
leaves it as it was found: reading makes no reference cycles for it to find."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from types import FrameType

import pytest

from bot.core import parsing
from bot.store import yaml_source
from bot.store.playbook_files import load_library

from ..conftest import FIXTURES, PLAYBOOKS_DIR


@pytest.fixture(name="collector")
def _collector() -> Iterator[None]:
    """Put the collector back as the test found it, whatever the test did to it."""
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    if enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_a_library_leaves_the_collector_as_it_found_it(collector, enabled):
    if enabled:
        gc.enable()
    else:
        gc.disable()

    load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)

    assert gc.isenabled() is enabled


#: The modules that read YAML and check playbooks: where the time goes.
READERS = {yaml_source.__file__, parsing.__file__}


def reading(frame: FrameType | None) -> bool:
    """Whether YAML is being read or a playbook checked, in this frame or one that called it."""
    while frame is not None:
        if frame.f_code.co_filename in READERS:
            return True
        frame = frame.f_back
    return False


def test_the_collector_makes_no_pass_while_a_library_is_read(collector):
    passes: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if reading(sys._getframe(1)):
            passes.append(info["generation"])

    gc.enable()
    gc.set_threshold(1)  # a pass at every new object, were the collector running
    gc.callbacks.append(note)
    try:
        library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    finally:
        gc.callbacks.remove(note)

    assert library.playbooks
    assert passes == []


def test_reading_good_and_bad_playbooks_leaves_no_reference_cycles(collector, tmp_path):
    shipped = (PLAYBOOKS_DIR / "bad-character.yaml").read_text(encoding="utf-8")
    # A '!' and a tag take their own way through the reader.
    (tmp_path / "exclaimed.yaml").write_text(shipped.replace("?", "!"), encoding="utf-8")
    (tmp_path / "tagged.yaml").write_text(
        shipped.replace("version: ", "version: !!int "), encoding="utf-8"
    )
    gc.collect()
    gc.disable()

    for folder in (PLAYBOOKS_DIR, FIXTURES / "bad-playbooks", tmp_path):
        library = load_library([folder], PLAYBOOKS_DIR)
        assert library.problems or folder == PLAYBOOKS_DIR
        del library

    assert gc.collect() == 0
