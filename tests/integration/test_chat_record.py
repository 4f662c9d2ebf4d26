"""The chat as a record, through the conversation: which replies are passing notes, which take
the place of the message answered, what a question's record says, typed words for buttons."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.core.people import User
from bot.services import people
from bot.services.context import Context
from bot.store import log
from bot.store.db import connect
from bot.store.playbook_files import load_library

from ..apps import enrol, make_app
from ..conftest import FIXTURES, PLAYBOOKS_DIR

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday
REF = "43/12345/26"


@pytest.fixture(name="service")
def _service(tmp_path: Path) -> Context:
    folder = tmp_path / "playbooks"
    shutil.copytree(FIXTURES / "chat-record", folder)
    shutil.copy(PLAYBOOKS_DIR / "milestones.yaml", folder / "milestones.yaml")
    library = load_library([folder], folder)
    assert not library.problems, library.problems
    return make_app(connect(tmp_path / "soteria.db"), library, clock=lambda: NOW)


@pytest.fixture(name="casey")
def _casey(service: Context) -> User:
    return enrol(service.uow.db, "Casey", "investigator", "north", NOW)


def labels(reply: Reply) -> list[str]:
    return [option.label for row in reply.options for option in row]


def press(dialogue: Dialogue, user: User, replies: list[Reply], label: str) -> list[Reply]:
    """Press the newest option whose label starts with these words."""
    for reply in reversed(replies):
        for row in reply.options:
            for option in row:
                if option.label.startswith(label):
                    return dialogue.press(user, option.action)
    raise AssertionError(f"no option {label!r} in {[labels(r) for r in replies]}")


def started(dialogue: Dialogue, user: User) -> list[Reply]:
    dialogue.handle(user, "/new")
    menu = dialogue.handle(user, REF)
    return press(dialogue, user, menu, "Record drill")


def answers(service: Context) -> list[tuple[str | None, str | None, str]]:
    return [
        (e.entry.item, e.entry.value, e.entry.kind)
        for e in log.entries(service.uow.db)
        if e.entry.kind in ("answered", "reason-given", "deferred")
    ]


def test_the_checklist_chosen_is_recorded_in_the_menu_it_was_chosen_from(service, casey):
    dialogue = Dialogue(service)
    replies = started(dialogue, casey)
    assert replies[0].shown == "in-place"
    assert replies[0].options == ()
    assert REF in replies[0].text
    assert "Record drill with a long title" in replies[0].text
    assert replies[-1].asks is not None  # and the first question follows as a message of its own
    assert replies[-1].shown == "new"


def test_a_tap_on_an_earlier_message_is_a_passing_note_and_nothing_is_sent_again(service, casey):
    dialogue = Dialogue(service)
    first = started(dialogue, casey)
    press(dialogue, casey, first, "Yes")
    stale = press(dialogue, casey, first, "No")
    assert [(r.text, r.shown) for r in stale] == [
        (
            "That button is from an earlier message; nothing was changed. It was answered: Yes.",
            "note",
        )
    ]


def test_done_with_nothing_ticked_and_guidance_are_passing_notes(service, casey):
    dialogue = Dialogue(service)
    replies = press(dialogue, casey, started(dialogue, casey), "Yes")
    assert "Which related offending" in replies[-1].text
    done = press(dialogue, casey, replies, "Done")
    assert [(r.text, r.shown) for r in done] == [
        ("Choose at least one of the options, then Done.", "note")
    ]
    guidance = press(dialogue, casey, replies, "Guidance")
    assert [(r.text, r.shown) for r in guidance] == [("Tick every kind found.", "note")]


def test_ticks_take_the_place_of_the_question_and_stay_shown_after_stray_typing(service, casey):
    dialogue = Dialogue(service)
    replies = press(dialogue, casey, started(dialogue, casey), "Yes")
    ticked = press(dialogue, casey, replies, "violence")
    assert ticked[-1].shown == "in-place"
    assert "✓ violence" in labels(ticked[-1])
    stray = dialogue.handle(casey, "the suspect was cautioned once")
    assert all(reply.asks is None for reply in stray)  # the question is not sent again
    again = press(dialogue, casey, ticked, "stalking")
    assert {"✓ violence", "✓ stalking or harassment"} <= set(labels(again[-1]))
    press(dialogue, casey, again, "Done")
    assert ("related", '["violence", "stalking or harassment"]', "answered") in answers(service)


def test_typed_words_do_what_the_buttons_say(service, casey):
    dialogue = Dialogue(service)
    started(dialogue, casey)
    replies = dialogue.handle(casey, "n/a")
    assert "Why?" in replies[-1].text
    assert labels(replies[-1])[0] == "Suspect not identified"  # N/A's presets, not No's
    replies = dialogue.handle(casey, "Later")
    assert "Which related offending" in replies[-1].text
    dialogue.handle(casey, "fraud or deception")
    replies = dialogue.handle(casey, "done")
    assert "PND checked?" in replies[-1].text
    replies = dialogue.handle(casey, "Yes.")
    assert "Date the disclosure" in replies[-1].text
    assert answers(service) == [
        ("pnc", "na", "answered"),
        ("pnc", None, "deferred"),
        ("related", '["fraud or deception"]', "answered"),
        ("pnd", "yes", "answered"),
    ]


def test_text_that_is_not_a_button_word_gets_one_line_and_no_second_copy(service, casey):
    dialogue = Dialogue(service)
    started(dialogue, casey)
    replies = dialogue.handle(casey, "I checked it yesterday")
    assert len(replies) == 1
    assert "yes, no, n/a or later" in replies[0].text


def test_a_refused_reason_leaves_the_question_asked_with_its_presets(service, casey):
    dialogue = Dialogue(service)
    first = started(dialogue, casey)
    asked = press(dialogue, casey, first, "No")[-1]
    assert labels(asked)[:2] == ["Awaiting other force", "Systems unavailable"]
    refused = dialogue.handle(casey, "PND down, victim Sarah Jones told")
    assert len(refused) == 1
    assert "name" in refused[0].text
    assert (
        dialogue.record_line(casey, *asked.asks) is None
    )  # still asked, not "a reason is needed"
    dialogue.handle(casey, "PND system down until Friday")
    record = dialogue.record_line(casey, *asked.asks)
    assert record == "✗ No — PND system down until Friday · Casey, Fri 20 Nov 10:00"


def test_back_takes_the_place_of_the_question_and_shows_the_answer_given(service, casey):
    dialogue = Dialogue(service)
    first = started(dialogue, casey)
    replies = press(dialogue, casey, first, "No")
    replies = press(dialogue, casey, replies, "Awaiting other force")
    back = press(dialogue, casey, replies, "Back")
    assert back[-1].shown == "in-place"
    assert "Suspect's PNC record" in back[-1].text
    assert "Current answer: No — Awaiting other force." in back[-1].text


def test_the_summary_pages_in_place_and_change_takes_its_place(service, casey):
    dialogue = Dialogue(service)
    replies = press(dialogue, casey, started(dialogue, casey), "Yes")
    summary = dialogue.handle(casey, "/summary")[-1]
    assert "in progress" in summary.text
    assert "asking" not in summary.text
    changed = press(dialogue, casey, [summary], "Change: Suspect's PNC record")
    assert changed[-1].shown == "in-place"
    assert "Current answer: Yes." in changed[-1].text
    assert replies


def test_summary_buttons_are_cut_at_a_word_with_an_ellipsis(service, casey):
    dialogue = Dialogue(service)
    started(dialogue, casey)
    summary = dialogue.handle(casey, "/summary")[-1]
    first = labels(summary)[0]
    assert first.endswith("…")
    shown = first.removesuffix("…").split(": ", 1)[1]
    ask = "Suspect's PNC record obtained, with convictions, cautions and reprimands?"
    assert ask.startswith(shown)
    assert not ask[len(shown)].isalnum()  # never cut inside a word


def test_an_optional_text_item_offers_nothing_to_add(service, casey):
    dialogue = Dialogue(service)
    replies = started(dialogue, casey)
    replies = press(dialogue, casey, replies, "Yes")
    replies = press(dialogue, casey, replies, "none")
    replies = press(dialogue, casey, replies, "Done")
    replies = press(dialogue, casey, replies, "Yes")
    replies = press(dialogue, casey, replies, "Today")
    assert "Anything for the supervisor" in replies[-1].text
    assert "Nothing to add" in labels(replies[-1])
    replies = press(dialogue, casey, replies, "Nothing to add")
    assert "Submit it for review?" in replies[-1].text
    submitted = press(dialogue, casey, replies, "Submit")
    assert submitted[0].shown == "in-place"
    assert "Submitted for review" in submitted[0].text
    assert "Suspect's PNC record" in submitted[0].text  # the summary as it was submitted
    assert submitted[0].options == ()


def test_items_left_for_later_are_offered_before_submission_not_called_answered(service, casey):
    dialogue = Dialogue(service)
    replies = started(dialogue, casey)
    replies = press(dialogue, casey, replies, "Later")
    replies = press(dialogue, casey, replies, "none")
    replies = press(dialogue, casey, replies, "Done")
    replies = press(dialogue, casey, replies, "Yes")
    replies = press(dialogue, casey, replies, "Today")
    replies = press(dialogue, casey, replies, "Nothing to add")
    end = replies[-1]
    assert "Everything is answered" not in end.text
    assert "1 item is left for later: answer it, then submit." in end.text
    assert "Submit" not in labels(end)  # it would only be refused
    assert labels(end)[0].startswith("Answer: Suspect's PNC record")
    replies = press(dialogue, casey, [end], "Answer: Suspect's PNC record")
    replies = press(dialogue, casey, replies, "Yes")
    assert "Everything is answered. Submit it for review?" in replies[-1].text
    assert labels(replies[-1])[0] == "Submit"


def test_a_milestone_s_date_takes_the_place_of_its_prompt(service, casey):
    dialogue = Dialogue(service)
    started(dialogue, casey)
    menu = dialogue.handle(casey, "/milestone")
    prompt = press(dialogue, casey, menu, "Charge")
    assert prompt[-1].shown == "in-place"
    recorded = press(dialogue, casey, prompt, "Today")
    assert recorded[0].shown == "in-place"
    assert recorded[0].text.startswith("Recorded: Charge, Fri 20 Nov 2026.")
    assert recorded[-1].asks is not None  # the question on screen, again at the bottom


def test_the_terminal_understands_the_same_words(service):
    user = people.local_user(service, "Local", "investigator")
    dialogue = Dialogue(service)
    started(dialogue, user)
    replies = dialogue.handle(user, "yes")
    assert "Which related offending" in replies[-1].text
