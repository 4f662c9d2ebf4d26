"""Fixtures shared by the integration tests: a real SQLite file under the test's folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from bot.store.db import connect


@pytest.fixture(name="db_path")
def _db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "soteria.db"


@pytest.fixture(name="db")
def _db(db_path: Path) -> Iterator[sqlite_utils.Database]:
    db = connect(db_path)
    yield db
    db.close()
