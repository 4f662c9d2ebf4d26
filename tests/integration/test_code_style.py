"""The code base passes the project's linter, type checker and layer contracts, so style slips,
type errors and a module in the wrong layer fail the suite, not a review."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from ..conftest import REPO

BOT = REPO / "bot"
#: What `ls bot/` shows: the composition root, the settings, the timed jobs, and eight layers.
TOP_LEVEL = {
    "__init__.py", "__main__.py", "config.py", "bootstrap.py", "jobs.py",
    "core", "store", "services", "reports", "wording", "conversation", "adapters", "cli",
}  # fmt: skip
#: Statements that run SQL; only the store may hold them.
SQL = re.compile(r"\.execute\(|\.executemany\(|\.query\(|\bdb\[|\.table\(")


def tool(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_ruff_finds_nothing():
    result = tool("ruff", "check", "--quiet", "bot", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_layer_contracts_hold_with_nothing_ignored():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ignore_imports" not in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_the_core_the_store_and_the_use_cases_type_check_strictly():
    result = tool("mypy", "--strict", "bot/core", "bot/store", "bot/services")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ls_bot_shows_the_layers_and_nothing_else():
    found = {path.name for path in BOT.iterdir() if path.name != "__pycache__"}
    assert found == TOP_LEVEL


def test_only_the_store_runs_sql():
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for path in BOT.rglob("*.py")
        if "store" not in path.relative_to(BOT).parts[:1]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SQL.search(line)
    ]
    assert offenders == []


def test_no_class_has_more_than_25_methods_and_no_module_more_than_600_lines():
    large = []
    for path in BOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 600 and path != BOT / "core" / "parsing.py":
            large.append(f"{path.relative_to(REPO)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                methods = [
                    n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                ]
                if len(methods) > 25:
                    large.append(
                        f"{path.relative_to(REPO)}: {node.name} has {len(methods)} methods"
                    )
    assert large == []
