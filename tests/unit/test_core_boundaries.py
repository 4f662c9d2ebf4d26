"""The domain core stays free of Telegram, SQL, files and clocks: it imports only what it may."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "bot"
# phonenumbers (Google's libphonenumber, ported) is pure code and metadata with no I/O: the
# personal-data screen asks it whether digits make a valid phone number, at home or abroad.
ALLOWED_OUTSIDE_STDLIB = {"transitions", "bot", "phonenumbers"}
FORBIDDEN_IN_CORE_STDLIB = {"sqlite3", "os", "pathlib", "io", "socket", "time", "subprocess"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "core").rglob("*.py")), ids=lambda p: p.name)
def test_core_imports_only_the_standard_library_transitions_and_itself(path: Path):
    for module in imported_modules(path):
        top = module.split(".")[0]
        if top == "bot":
            assert module.startswith("bot.core"), f"{path.name} imports {module}"
        else:
            assert top in sys.stdlib_module_names or top in ALLOWED_OUTSIDE_STDLIB, (
                f"{path.name} imports {module}"
            )
            assert top not in FORBIDDEN_IN_CORE_STDLIB, (
                f"{path.name} imports {module}: no I/O in the core"
            )


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "core").rglob("*.py"), *(ROOT / "store").rglob("*.py")]),
    ids=lambda p: p.name,
)
def test_nothing_under_core_or_store_imports_telegram(path: Path):
    assert not any(module.split(".")[0] == "telegram" for module in imported_modules(path))


def test_store_does_not_import_the_use_cases_conversation_or_faces():
    for path in (ROOT / "store").rglob("*.py"):
        for module in imported_modules(path):
            assert not module.startswith(
                ("bot.services", "bot.conversation", "bot.adapters", "bot.cli", "bot.wording")
            ), path.name
