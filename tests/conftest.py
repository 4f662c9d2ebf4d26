"""Shared paths and small factories for the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PLAYBOOKS_DIR = REPO / "playbooks"
FIXTURES = REPO / "tests" / "fixtures"


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which reads the group from the marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep the end-to-end tier together on one worker, its long soaks last.

    Its tests start bots and wait for their replies: two at once on two cores would slow each
    other. The soaks (fifty kills, fifty officers) go last, when the other tiers are done and
    the worker has a core to itself, as they had before the suite ran on two.
    """
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.xdist_group("e2e"))
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)


@pytest.fixture(name="in_repo")
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the repository root, as a trainer runs the CLI."""
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("SOTERIA_PLAYBOOKS", raising=False)
    return REPO
