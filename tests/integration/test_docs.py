"""The docs are tests too: commands, settings and the test command must match the code."""

from __future__ import annotations

import re

import pytest

from bot.cli import COMMANDS

from ..conftest import PLAYBOOKS_DIR, REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
GUIDE = (PLAYBOOKS_DIR / "README.md").read_text(encoding="utf-8")


def fenced_commands(text: str) -> list[str]:
    return re.findall(r"```(?:sh|bash|console)\n(.*?)```", text, re.DOTALL)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented_in_the_readme(command):
    assert f"soteria-bot {command}" in README


@pytest.mark.parametrize(
    "variable",
    [
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE_URL",
        "SOTERIA_DB",
        "SOTERIA_PLAYBOOKS",
        "SOTERIA_TZ",
        "SOTERIA_CRIME_REFERENCE",
        "SOTERIA_CRIME_REFERENCE_EXAMPLE",
        "SOTERIA_LOG_LEVEL",
        "SOTERIA_BOT_USERNAME",
    ],
)
def test_every_environment_variable_is_in_the_configuration_table(variable):
    assert re.search(rf"^\| `{variable}` \|", README, re.MULTILINE)


def test_the_readme_names_the_bot_api_the_pinned_library_speaks():
    """The library reads every update: it is pinned, and the README says which Bot API it speaks."""
    import telegram

    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert f'python-telegram-bot[job-queue,rate-limiter]=={telegram.__version__}"' in pyproject
    assert f"python-telegram-bot **{telegram.__version__}**" in README
    assert f"**Bot API {telegram.__bot_api_version__}**" in README


def test_ci_runs_exactly_the_readmes_test_command():
    blocks = fenced_commands(README)
    assert len(blocks) >= 2, "the README opens with two set-up commands"
    test_command = blocks[1].strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci


@pytest.mark.parametrize(
    "key",
    [
        "playbook",
        "title",
        "version",
        "summary",
        "starts",
        "repeat",
        "sections",
        "id",
        "ask",
        "type",
        "options",
        "reason",
        "reasons",
        "guidance",
        "when",
        "due",
        "escalate",
        "sets",
        "dates",
        "open",
        "required",
        "min",
        "max",
        "focus",
        "countersign",
        "setting",
        "milestone",
        "all",
        "any",
        "not",
    ],
)
def test_every_playbook_key_is_explained_in_the_trainers_guide(key):
    assert f"`{key}`" in GUIDE


@pytest.mark.parametrize(
    "kind", ["yes-no", "yes-no-na", "choice", "multi", "date", "number", "text", "info"]
)
def test_every_item_type_is_explained_in_the_trainers_guide(kind):
    assert f"`{kind}`" in GUIDE


def test_the_guides_common_mistakes_quote_messages_the_validator_really_gives():
    fixture_messages = {
        line.split(": ", 1)[1]
        for path in (REPO / "tests" / "fixtures" / "bad-playbooks").rglob("*.yaml")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("# expect: ")
    }
    quoted = re.findall(r"^\s*> `(\d+:\d+: .+)`$", GUIDE, re.MULTILINE)
    assert len(quoted) >= 10
    assert set(quoted) <= fixture_messages
