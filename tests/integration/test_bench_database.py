"""The reports' benchmarks stand on a database `bench/make_cases.py` builds through the service
from the shipped playbooks: when the playbooks change, the builder must still build, and what it
builds must verify."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.bench_scripts import load_script


def test_the_benchmark_database_builds_from_the_shipped_playbooks_and_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bench.db"
    counts = load_script("make_cases").build(path, cases=40, teams=2)
    assert counts["cases"] == 40
    with sqlite3.connect(path) as db:
        kinds = dict(db.execute("select kind, count(*) from log group by kind").fetchall())
        # The stories use what the playbooks offer now: checks still pending are 'not yet'.
        not_yet = db.execute(
            "select count(*) from log where kind = 'not-yet' and item = 'previous-allegations'"
        ).fetchone()[0]
    assert kinds["answered"] > 1_000
    assert not_yet > 0
    monkeypatch.setenv("SOTERIA_DB", str(path))
    # The builder leaves the read model out, for speed; bench/README.md builds it after.
    rebuilt = CliRunner().invoke(cli, ["rebuild-read-model"])
    assert rebuilt.exit_code == 0, rebuilt.output
    result = CliRunner().invoke(cli, ["verify"])
    assert result.exit_code == 0, result.output
    assert "chain intact" in result.output
    assert "Read model agrees with the log" in result.output
