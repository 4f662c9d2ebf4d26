"""In the chat, every view of a case or a team and every export is kept in the access log with
its purpose; a case's purpose is asked, with one tap, at its first view of the day."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation import actions as act
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.core.consultation import PURPOSES
from bot.services import consultation

from .oversight_world import World, make_world

REF = "43/12345/26"


@pytest.fixture(name="world")
def _world(tmp_path: Path) -> World:
    world = make_world(tmp_path)
    world.open("Casey", REF)
    world.open("Sol", "43/22222/26")
    return world


@pytest.fixture(name="dialogue")
def _dialogue(world: World, tmp_path: Path) -> Dialogue:
    return Dialogue(world.service, tmp_path / "reports")


def buttons(replies: list[Reply]) -> dict[str, str]:
    return {option.label: option.action for r in replies for row in r.options for option in row}


def records(world: World):
    return consultation.history(world.service)


def case_id(world: World, ref: str = REF) -> int:
    case = world.service.uow.cases.by_ref(ref)
    assert case is not None
    return case.id


def test_a_first_view_of_a_case_today_asks_why_before_showing_anything(world, dialogue):
    sam = world.people["Sam"]

    replies = dialogue.handle(sam, f"/case {REF}")

    assert len(replies) == 1
    assert "Why are you looking at 43/12345/26" in replies[0].text
    assert list(buttons(replies)) == [purpose.capitalize() for purpose in PURPOSES]
    assert "Investigation plan opened?" not in replies[0].text
    assert records(world) == []


def test_the_purpose_tapped_is_kept_with_the_view_and_the_case_is_shown(world, dialogue):
    sam = world.people["Sam"]
    prompt = dialogue.handle(sam, f"/case {REF}")

    shown = dialogue.press(sam, buttons(prompt)["Supervision"])

    assert "Investigation plan opened?" in shown[0].text
    (kept,) = records(world)
    assert kept.access.actor == f"user:{sam.id}"
    assert (kept.access.action, kept.access.purpose) == ("view", "supervision")
    assert kept.access.subject == f"case:{case_id(world)}"
    assert kept.access.cases == (case_id(world),)
    assert kept.access.detail == {"via": "/case"}


def test_the_purpose_is_remembered_for_that_person_and_case_until_the_day_ends(world, dialogue):
    sam, sasha = world.people["Sam"], world.people["Sasha"]
    dialogue.press(sam, buttons(dialogue.handle(sam, f"/case {REF}"))["Case progression"])

    again = dialogue.handle(sam, f"/case {REF}")
    assert "Investigation plan opened?" in again[0].text
    assert [r.access.purpose for r in records(world)] == ["case progression"] * 2

    # Another supervisor (here of another team, refused as for a missing case) is not let in.
    assert "No case" in dialogue.handle(sasha, f"/case {REF}")[0].text

    world.clock.days(1)
    tomorrow = dialogue.handle(sam, f"/case {REF}")
    assert "Why are you looking at" in tomorrow[0].text
    assert len(records(world)) == 2


def test_a_case_opened_from_a_button_asks_the_purpose_too(world, dialogue):
    sam = world.people["Sam"]

    replies = dialogue.press(sam, act.OpenCase(case_id(world)).encode())

    assert "Why are you looking at 43/12345/26" in replies[0].text


def test_a_forged_purpose_button_changes_nothing_and_names_no_case(world, dialogue):
    sam = world.people["Sam"]
    south = case_id(world, "43/22222/26")

    bad_purpose = dialogue.press(sam, act.ViewCase(case_id(world), len(PURPOSES)).encode())
    other_team = dialogue.press(sam, act.ViewCase(south, 0).encode())
    missing = dialogue.press(sam, act.ViewCase(999, 0).encode())

    assert bad_purpose[0].text == "That button is no longer valid."
    assert other_team[0].text == missing[0].text == "That case was not found."
    assert records(world) == []


def test_an_investigator_viewing_their_own_case_is_asked_too(world, dialogue):
    casey = world.people["Casey"]

    prompt = dialogue.handle(casey, f"/case {REF}")
    dialogue.press(casey, buttons(prompt)["Case progression"])

    assert [(r.access.actor, r.access.purpose) for r in records(world)] == [
        (f"user:{casey.id}", "case progression")
    ]


@pytest.mark.parametrize("command", ["/team", "/signoff", "/return"])
def test_team_lists_are_kept_as_supervision_naming_the_cases_they_show(world, dialogue, command):
    sam = world.people["Sam"]
    run = world.open("Robin", "43/33333/26")
    for item_id in ("plan", "records", "victim-update"):
        from bot.services import investigating

        investigating.answer(world.service, world.people["Robin"], run, item_id, "yes")
    investigating.answer(world.service, world.people["Robin"], run, "note", "Plan filed")
    investigating.submit(world.service, world.people["Robin"], run)

    dialogue.handle(sam, command)

    (kept,) = records(world)
    assert (kept.access.action, kept.access.purpose) == ("view", "supervision")
    assert kept.access.subject == "team:North"
    assert kept.access.detail == {"via": command}
    shown = {case_id(world, "43/33333/26")}
    if command == "/team":
        shown.add(case_id(world))
    assert set(kept.access.cases) == shown


def test_an_export_asks_its_purpose_then_keeps_the_export_with_every_case_in_it(
    world, dialogue, tmp_path
):
    sam = world.people["Sam"]

    prompt = dialogue.handle(sam, "/export")
    assert "Why are you exporting" in prompt[0].text
    assert records(world) == []

    sent = dialogue.press(sam, buttons(prompt)["Audit"])

    assert sent[0].document is not None
    assert sent[0].document.exists()
    (kept,) = records(world)
    assert (kept.access.action, kept.access.purpose) == ("export", "audit")
    assert kept.access.cases == (case_id(world),)
    assert kept.access.detail == {"via": "/export", "format": "html", "to": "their chat"}


def test_an_export_press_is_answered_off_the_main_loop_like_the_command():
    assert act.ExportFor.SLOW_READ
    assert act.is_slow_press(act.ExportFor(0).encode())
    assert not act.is_slow_press(act.ViewCase(1, 0).encode())
    assert not act.is_slow_press("nonsense")


def test_insights_are_kept_as_a_force_wide_view_for_training(world, dialogue):
    from ..apps import enrol

    trainer = enrol(world.service.uow.db, "Tess", "trainer", "Training", world.clock())

    dialogue.handle(trainer, "/insights")

    (kept,) = records(world)
    assert (kept.access.subject, kept.access.purpose, kept.access.cases) == (
        "force",
        "training",
        (),
    )
