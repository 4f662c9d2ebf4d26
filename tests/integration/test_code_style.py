"""The code base passes the project's linter, so style slips fail the suite, not a review."""

from __future__ import annotations

import subprocess
import sys

from ..conftest import REPO


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", "bot", "tests", "bench"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
