"""Supervision with care, through the conversation: a sign-off confirmed with what it signs,
a challenged answer corrected, the officer told of escalations, handovers and a supervisor's
answers, a paged case view, and a morning digest with a button for each item."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.core.people import User
from bot.jobs import queue_escalations
from bot.services import handover, investigating, notifications, supervising
from bot.store import log

from .oversight_world import World, make_world


@pytest.fixture(name="world")
def _world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def labels(replies: list[Reply]) -> list[str]:
    return [option.label for reply in replies for row in reply.options for option in row]


def press(dialogue: Dialogue, user: User, replies: list[Reply], label: str) -> list[Reply]:
    """Press the newest option whose label holds these words."""
    for reply in reversed(replies):
        for row in reply.options:
            for option in row:
                if label in option.label:
                    return dialogue.press(user, option.action)
    raise AssertionError(f"no option {label!r} among {labels(replies)}")


def submitted_drill(world: World, ref: str = "43/20001/26") -> int:
    """Casey answers the drill (one No with a reason) and submits it."""
    service, casey = world.service, world.people["Casey"]
    run_id = world.open("Casey", ref)
    investigating.answer(service, casey, run_id, "plan", "no")
    investigating.give_reason(service, casey, run_id, "Awaiting allocation")
    investigating.answer(service, casey, run_id, "records", "yes")
    investigating.answer(service, casey, run_id, "victim-update", "yes")
    investigating.answer(service, casey, run_id, "note", "Plan filed")
    investigating.submit(service, casey, run_id)
    return run_id


def notices_for(world: World, dialogue: Dialogue, who: str) -> list[Reply]:
    """Someone's waiting notices in words, with their buttons."""
    waiting = notifications.waiting_for(world.service, world.people[who].id)
    return [dialogue.notice(notice) for notice in waiting]


def kinds_for(world: World, who: str) -> list[str]:
    return [n.kind for n in notifications.waiting_for(world.service, world.people[who].id)]


def test_sign_off_from_the_list_asks_first_showing_what_is_signed(world: World):
    run_id = submitted_drill(world)
    dialogue, sam = Dialogue(world.service), world.people["Sam"]
    listed = dialogue.handle(sam, "/signoff")
    assert listed[0].text.startswith("1 run waiting for review")
    confirm = press(dialogue, sam, listed, "Sign off")
    assert confirm[-1].shown == "in-place"
    text = confirm[-1].text
    assert "Sign off 43/20001/26 · Review drill" in text
    assert "Investigation plan opened?: No — Awaiting allocation" in text
    assert "Open challenges: none" in text
    assert "type a note" in text
    assert world.service.uow.runs.get(run_id).run.state == "submitted"  # nothing signed yet
    signed = dialogue.handle(sam, "Good plan, keep the victim updated weekly")
    assert signed[0].shown == "in-place"
    assert signed[0].text.startswith("Signed off: 43/20001/26 · Review drill")
    assert "Good plan, keep the victim updated weekly" in signed[0].text
    [entry] = [
        e.entry
        for e in log.entries(world.service.uow.db)
        if e.entry.detail.get("event") == "sign_off"
    ]
    assert entry.detail["note"] == "Good plan, keep the victim updated weekly"


def test_sign_off_confirmed_with_a_tap_and_refused_while_a_challenge_is_open(world: World):
    run_id = submitted_drill(world)
    dialogue, sam = Dialogue(world.service), world.people["Sam"]
    supervising.challenge(world.service, sam, run_id, "plan", "Which system holds the plan?")
    confirm = press(dialogue, sam, dialogue.handle(sam, "/signoff"), "Sign off")
    assert "Open challenges:\n• Investigation plan opened?: “Which system holds the plan?”" in (
        confirm[-1].text
    )
    assert "Sign off" not in labels(confirm)  # nothing to confirm while it is open
    supervising.reply_to_challenge(
        world.service, world.people["Casey"], run_id, "plan", "Athena, action 4"
    )
    confirm = press(dialogue, sam, dialogue.handle(sam, "/signoff"), "Sign off")
    signed = press(dialogue, sam, confirm, "Sign off")
    assert signed[0].text.startswith("Signed off: 43/20001/26 · Review drill")


def test_a_challenged_answer_can_be_corrected_and_the_correction_answers_the_challenge(
    world: World,
):
    run_id = submitted_drill(world)
    dialogue = Dialogue(world.service)
    sam, casey = world.people["Sam"], world.people["Casey"]
    supervising.challenge(world.service, sam, run_id, "records", "Was it justified in writing?")
    world.clock.days(0.1)
    [notice] = notices_for(world, dialogue, "Casey")
    assert labels([notice]) == ["Reply", "Change the answer"]
    changed = press(dialogue, casey, [notice], "Change the answer")
    assert "Records request tested and justified?" in changed[-1].text
    assert "Current answer: Yes." in changed[-1].text
    done = press(dialogue, casey, changed, "N/A")
    done = press(dialogue, casey, done, "No request made")
    run = world.service.uow.runs.get(run_id).run
    assert run.open_challenges() == []  # the correction answered it
    thread = run.thread("records")
    assert thread[-1].value == "Changed the answer: N/A — No request made."
    assert "Submit it for review?" in done[-1].text


def test_an_escalation_is_told_to_the_officer_as_well(world: World):
    world.open("Casey", "43/20002/26")
    world.clock.days(5)  # the plan, due in 2 days and escalated a day after, is late
    assert queue_escalations(world.service) > 0
    assert "escalation" in kinds_for(world, "Sam")
    assert "escalation-officer" in kinds_for(world, "Casey")
    dialogue = Dialogue(world.service)
    [notice] = notices_for(world, dialogue, "Casey")
    assert notice.text.startswith("Escalated to your supervisor: 43/20002/26 · Investigation plan")
    opened = press(dialogue, world.people["Casey"], [notice], "Open")
    assert "Investigation plan opened?" in opened[-1].text


def test_the_current_officer_is_told_when_a_handover_is_offered(world: World):
    world.open("Casey", "43/20003/26")
    sam, robin = world.people["Sam"], world.people["Robin"]
    handover.offer(world.service, sam, "43/20003/26", robin.id)
    assert "handover-offered" in kinds_for(world, "Casey")
    [notice] = notices_for(world, Dialogue(world.service), "Casey")
    assert notice.text == (
        "Sam offered 43/20003/26 to Robin. It stays with you until Robin accepts it."
    )


def test_a_supervisor_answering_an_officer_s_item_tells_the_officer(world: World):
    run_id = world.open("Casey", "43/20004/26")
    investigating.answer(world.service, world.people["Sam"], run_id, "plan", "yes")
    [notice] = notices_for(world, Dialogue(world.service), "Casey")
    assert notice.text == (
        "Sam answered on 43/20004/26 · Review drill: Investigation plan opened? Yes"
    )


def test_the_case_view_is_paged_within_telegram_s_limit_and_shows_due_dates(world: World):
    run_id = world.open("Casey", "43/20005/26")
    casey = world.people["Casey"]
    # A long typed note, corrected many times, makes a long history to page through.
    investigating.answer(world.service, casey, run_id, "plan", "yes")
    for number in range(40):
        investigating.revisit(world.service, casey, run_id, "note")
        investigating.answer(world.service, casey, run_id, "note", f"Note {number} " + "x" * 90)
    dialogue, sam = Dialogue(world.service), world.people["Sam"]
    asked = dialogue.handle(sam, "/case 43/20005/26")
    # The first view of the day asks why, for the access log: any purpose will do here.
    first = dialogue.press(sam, asked[-1].options[0][0].action)
    assert len(first) == 1
    pages = [first[-1]]
    assert "page 1 of" in pages[0].text
    while "More ›" in labels(pages[-1:]):
        pages += press(dialogue, sam, pages[-1:], "More ›")
        assert pages[-1].shown == "in-place"
    assert len(pages) > 1
    assert all(len(page.text.encode("utf-16-le")) // 2 <= 4096 for page in pages)
    whole = "\n".join(page.text for page in pages)
    assert "Events: Crime reported" in whole
    assert "Records request tested and justified? · due Sat 7 Nov" in whole
    assert "on track" in pages[0].text.splitlines()[0] or "due soon" in pages[0].text
    assert "due-soon" not in whole
    assert "on-track" not in whole


def test_the_digest_groups_lines_by_case_with_a_button_to_open_each_item(world: World):
    world.open("Casey", "43/20006/26")
    world.open("Casey", "43/20007/26")
    world.clock.days(12)
    dialogue = Dialogue(world.service)
    digest = dialogue.digest(world.people["Casey"])
    assert digest is not None
    text = digest.text
    assert text.startswith("Good morning. 6 items need you today.")
    assert "((" not in text
    assert "))" not in text
    assert text.count("43/20006/26") == 1  # the case said once, its lines under it
    assert "1. Investigation plan opened? — overdue by 10 days (was due Wed 4 Nov)" in text
    assert len(labels([digest])) == 6
    assert labels([digest])[0] == "1. Investigation plan opened?"
    opened = press(dialogue, world.people["Casey"], [digest], "Victim updated")
    assert "Victim updated on progress?" in opened[-1].text


def test_supervisors_and_trainers_are_never_offered_new(world: World):
    """Whatever a supervisor or a trainer sends, nothing tells them to open a case."""
    from bot.services import people

    dialogue = Dialogue(world.service)
    tina = people.local_user(world.service, "Tina", "trainer")
    for who in (world.people["Sam"], tina):
        for text in ("/start", "/help", "/cases", "/resume", "/new", "hello", "43/20009/26"):
            said = "\n".join(reply.text for reply in dialogue.handle(who, text))
            assert "/new" not in said, (who.name, text, said)
