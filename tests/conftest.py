"""Shared paths and small factories for the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PLAYBOOKS_DIR = REPO / "playbooks"
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(name="in_repo")
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the repository root, as a trainer runs the CLI."""
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("SOTERIA_PLAYBOOKS", raising=False)
    return REPO
