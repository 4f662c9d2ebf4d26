"""The dialogue over a real database: access, stale and forged buttons, bad input, milestones."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.core.errors import NotFound
from bot.services import access, cases, investigating, notifications, people
from bot.services.context import Context
from bot.store import log
from bot.store.db import connect
from bot.store.playbook_files import load_library

from ..apps import enrol, make_app, open_app
from ..conftest import PLAYBOOKS_DIR

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
LIBRARY = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)


@pytest.fixture(name="service")
def _service(tmp_path: Path) -> Context:
    return make_app(connect(tmp_path / "soteria.db"), LIBRARY, clock=lambda: NOW)


def options(replies: list[Reply]) -> dict[str, str]:
    return {
        option.label: option.action for reply in replies for row in reply.options for option in row
    }


def open_bad_character(dialogue: Dialogue, user, ref: str = "43/12345/26") -> list[Reply]:
    dialogue.handle(user, "/new")
    menu = dialogue.handle(user, ref)
    action = next(
        action for label, action in options(menu).items() if label.startswith("Bad character")
    )
    return dialogue.press(user, action)


def log_size(service: Context) -> int:
    return len(log.entries(service.uow.db))


def test_an_investigator_never_reaches_another_investigators_case(service: Context):
    owner = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    other = enrol(service.uow.db, "Other", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    first = open_bad_character(dialogue, owner)
    run_id = first[-1].asks[0]
    before = log_size(service)
    assert cases.my_cases(service, other) == []
    with pytest.raises(NotFound):
        access.run(service, other, run_id)
    for action in options(first).values():
        replies = dialogue.press(other, action)
        assert "not one of yours" in replies[0].text or "no longer valid" in replies[0].text
    assert log_size(service) == before


MISSING = (
    "No case {ref} of yours was found. Check the reference; if the case should be yours, ask "
    "your supervisor to hand it over."
)


@pytest.mark.parametrize("team", ["north", "south"], ids=["same-team", "other-team"])
@pytest.mark.parametrize("typed", ["43/12345/26", "43-12345-26"], ids=["slashes", "hyphens"])
def test_new_for_a_case_another_officer_holds_says_only_what_a_missing_case_says(
    service: Context, team: str, typed: str
):
    """An investigator learns nothing from /new about a crime another officer holds: the words
    are those of a case that does not exist, and no second case is opened for the crime."""
    owner = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    other = enrol(service.uow.db, "Other", "investigator", team, NOW)
    dialogue = Dialogue(service)
    open_bad_character(dialogue, owner)

    dialogue.handle(other, "/new")
    held = dialogue.handle(other, typed)
    missing = dialogue.handle(other, "/milestone 43/99999/26")
    at_once = dialogue.handle(other, f"/new {typed}")

    assert held[0].text == MISSING.format(ref="43/12345/26")
    assert missing[0].text == MISSING.format(ref="43/99999/26")
    assert at_once[0].text == held[0].text
    assert "another officer" not in held[0].text
    assert held[0].options == ()
    assert service.uow.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    assert cases.my_cases(service, other) == []


def test_the_supervisors_of_the_case_are_told_who_asked_for_it_once_a_day(service: Context):
    owner = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    other = enrol(service.uow.db, "DC Other", "investigator", "south", NOW)
    north_sup = enrol(service.uow.db, "Sup North", "supervisor", "north", NOW)
    south_sup = enrol(service.uow.db, "Sup South", "supervisor", "south", NOW)
    dialogue = Dialogue(service)
    open_bad_character(dialogue, owner)

    for _ in range(3):
        dialogue.handle(other, "/new 43/12345/26")

    told = notifications.waiting_for(service, north_sup.id)
    assert [notice.kind for notice in told] == ["case-asked-for"]
    said = dialogue.notice(told[0])
    assert said.text == (
        "DC Other (south) tried to open 43/12345/26 with /new; Owner holds it. If it should "
        "be theirs, hand it over with /handover 43/12345/26."
    )
    assert [option.label for row in said.options for option in row] == ["Open 43/12345/26"]
    assert notifications.waiting_for(service, south_sup.id) == []
    assert notifications.waiting_for(service, other.id) == []


def test_a_supervisor_sees_their_team_and_not_another(service: Context):
    owner = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    own_sup = enrol(service.uow.db, "Sup North", "supervisor", "north", NOW)
    far_sup = enrol(service.uow.db, "Sup South", "supervisor", "south", NOW)
    open_bad_character(Dialogue(service), owner)
    assert [case.ref for case in cases.my_cases(service, own_sup)] == ["43/12345/26"]
    assert cases.my_cases(service, far_sup) == []


def test_a_button_from_an_earlier_message_changes_nothing_and_says_so_in_passing(
    service: Context,
):
    user = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    first = open_bad_character(dialogue, user)
    yes, no = options(first)["Yes"], options(first)["No"]
    dialogue.press(user, yes)
    before = log_size(service)
    stale = dialogue.press(user, no)
    # A passing note: the question waiting is still on screen, so it is not sent again.
    assert [(reply.text, reply.shown) for reply in stale] == [
        (
            "That button is from an earlier message; nothing was changed. It was answered: Yes.",
            "note",
        )
    ]
    assert log_size(service) == before


@pytest.mark.parametrize(
    "action",
    [
        "",
        "a",
        "a:x:0:0",
        "a:999:0:0",
        "a:1:999:0",
        "a:1:0:99",
        "zz:1:1",
        "pb:99",
        "ms:99",
        "r:1:0:42",
        "md:1:1",
        "a:1:0:0:0:0",
        "a:-1:0:0",
    ],
)
def test_forged_or_malformed_buttons_get_a_sentence_and_change_nothing(
    service: Context, action: str
):
    user = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    open_bad_character(dialogue, user)
    before = log_size(service)
    replies = dialogue.press(user, action)
    assert replies
    assert "Traceback" not in replies[0].text
    assert log_size(service) == before


def test_free_text_where_a_button_is_expected_asks_for_the_buttons(service: Context):
    user = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    open_bad_character(dialogue, user)
    replies = dialogue.handle(user, "yes I did it")
    # One line: the question is still on screen above it, not sent a second time.
    assert [reply.text for reply in replies] == [
        "Please tap a button above, or type its word: yes, no, n/a or later."
    ]


def test_a_very_long_reason_is_refused_and_nothing_is_stored(service: Context):
    user = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    first = open_bad_character(dialogue, user)
    dialogue.press(user, options(first)["No"])
    before = log_size(service)
    replies = dialogue.handle(user, "x" * 10_000)
    assert "keep it under 500" in replies[0].text
    assert log_size(service) == before


def test_a_crime_reference_in_the_wrong_format_is_refused(service: Context):
    user = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    dialogue.handle(user, "/new")
    replies = dialogue.handle(user, "Jane Smith")
    assert "does not look like a crime reference" in replies[0].text
    assert cases.my_cases(service, user) == []


def test_recording_a_milestone_brings_items_into_play_with_due_dates(service: Context):
    user = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    open_bad_character(dialogue, user)
    run = cases.active_run(service, user)
    charge_items = [
        item for item in run.playbook.items if item.when is not None and "charge" in str(item.when)
    ]
    assert charge_items, "bad-character has items that wait for the charge"
    assert all(not run.is_live(item) for item in charge_items)
    menu = dialogue.handle(user, "/milestone")
    dialogue.press(user, options(menu)["Charge"])
    # The case was opened today, so the report is taken as today until corrected.
    assert dialogue.handle(user, "yesterday")[0].text == (
        "Charge can't be before the report (Fri 20 Nov 2026). "
        "Check the date, or correct that one first with /milestone."
    )
    dialogue.press(user, options(dialogue.handle(user, "/milestone"))["Crime reported"])
    assert (
        dialogue.handle(user, "12/11/2026")[0].text
        == "Moved: Crime reported, now Thu 12 Nov 2026 (was Fri 20 Nov 2026)."
    )
    dialogue.press(user, options(dialogue.handle(user, "/milestone"))["Charge"])
    replies = dialogue.handle(user, "yesterday")
    assert replies[0].text.startswith("Recorded: Charge, Thu 19 Nov 2026.")
    run = cases.active_run(service, user)
    assert any(run.is_live(item) for item in charge_items)
    impossible = dialogue.handle(user, "/milestone")
    dialogue.press(user, options(impossible)["Charge"])
    assert "There is no 31 February" in dialogue.handle(user, "31/02")[0].text
    assert "future" in dialogue.handle(user, "1/1/2030")[0].text


def test_an_unknown_command_gets_a_plain_sentence(service: Context):
    user = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    assert (
        Dialogue(service).handle(user, "/launch")[0].text
        == "I don't know that command. Send /help for the list."
    )


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    inputs=st.lists(
        st.one_of(
            st.text(max_size=60), st.from_regex(r"[a-z]{1,3}(:[0-9x-]{0,4}){0,4}", fullmatch=True)
        ),
        max_size=8,
    )
)
def test_nothing_typed_or_pressed_ever_raises_and_the_log_always_verifies(
    service: Context, inputs
):
    user = people.local_user(service, "Fuzz", "investigator", "north")
    dialogue = Dialogue(service)
    open_bad_character(dialogue, user, "43/99999/26")
    for text in inputs:
        replies = dialogue.press(user, text) if ":" in text else dialogue.handle(user, text)
        assert all(isinstance(reply.text, str) and reply.text for reply in replies)
    assert log.verify(service.uow.db).ok


def test_a_force_can_set_its_own_crime_reference_format(tmp_path: Path):
    from bot.config import Settings
    from bot.core.errors import SoteriaError

    settings = Settings.from_env(
        {
            "SOTERIA_DB": str(tmp_path / "force.db"),
            "SOTERIA_PLAYBOOKS": str(PLAYBOOKS_DIR),
            "SOTERIA_CRIME_REFERENCE": r"CRI\d{8}",
            "SOTERIA_CRIME_REFERENCE_EXAMPLE": "CRI00123456",
            "SOTERIA_CASE_KEY": "crime-reference",
        }
    )
    service = open_app(settings)
    user = people.local_user(service, "Owner", "investigator", "north")
    dialogue = Dialogue(service)
    dialogue.handle(user, "/new")
    refused = dialogue.handle(user, "43/12345/26")
    assert "CRI00123456" in refused[0].text
    dialogue.handle(user, "/new")
    accepted = dialogue.handle(user, "cri00123456")
    assert accepted[0].text.startswith("Case CRI00123456 opened.")
    broken = {"SOTERIA_CRIME_REFERENCE": "CRI\\d{8}", "SOTERIA_CRIME_REFERENCE_EXAMPLE": "nope"}
    with pytest.raises(SoteriaError, match="SOTERIA_CRIME_REFERENCE_EXAMPLE"):
        Settings.from_env(broken)


def test_the_summary_offers_to_answer_open_items_and_change_answered_ones(service: Context):
    user = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    first = open_bad_character(dialogue, user)
    dialogue.press(user, options(first)["Yes"])
    dialogue.press(user, options(dialogue.handle(user, "/resume"))["Later"])
    labels = list(options(dialogue.handle(user, "/summary")))
    assert labels[0].startswith("Answer: PND and local intelligence")


def test_the_morning_digest_lists_what_is_overdue_and_nothing_for_an_idle_officer(tmp_path: Path):
    """A report opened on Monday: by Wednesday the 1-day safeguarding item is overdue."""
    clock = [datetime(2026, 11, 16, 10, 0, tzinfo=UTC)]  # Monday
    service = make_app(connect(tmp_path / "soteria.db"), LIBRARY, clock=lambda: clock[0])
    owner = enrol(service.uow.db, "Owner", "investigator", "north", clock[0])
    idle = enrol(service.uow.db, "Idle", "investigator", "north", clock[0])
    cases.open_case(service, owner, "43/12345/26")
    investigating.start_run(service, owner, "43/12345/26", "initial-report")
    dialogue = Dialogue(service)
    clock[0] = datetime(2026, 11, 18, 7, 30, tzinfo=UTC)  # Wednesday morning
    digest = dialogue.digest(owner)
    assert digest is not None
    assert digest.text.startswith("Good morning.")
    assert "\n43/12345/26 · Initial report and victim engagement\n1. " in digest.text
    assert "overdue by 1 day (was due Tue 17 Nov)" in digest.text
    assert dialogue.digest(idle) is None


def test_a_due_date_in_a_question_keeps_its_day_and_month_capitalised(tmp_path: Path):
    """'Due in 2 days (Sun 22 Nov)', not '(sun 22 nov)'."""
    service = make_app(connect(tmp_path / "soteria.db"), LIBRARY, clock=lambda: NOW)  # Fri 20 Nov
    user = enrol(service.uow.db, "Owner", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    cases.open_case(service, user, "43/12345/26")
    replies = dialogue.press(
        user,
        f"go:{investigating.start_run(service, user, '43/12345/26', 'investigation-plan').run.run_id}",
    )
    assert "\nDue in 2 days (Sun 22 Nov)" in replies[-1].text


NEXT_HEARING = """\
playbook: hearing
title: Hearing
version: 1
summary: One date still to come.
sections:
  - id: only
    title: Only
    items:
      - id: next-hearing
        ask: When is the next hearing?
        type: date
        dates: future
"""


def test_a_date_still_to_come_offers_today_and_tomorrow_and_refuses_a_day_gone(tmp_path: Path):
    folder = tmp_path / "playbooks"
    folder.mkdir()
    shutil.copy(PLAYBOOKS_DIR / "milestones.yaml", folder / "milestones.yaml")
    (folder / "hearing.yaml").write_text(NEXT_HEARING, encoding="utf-8")
    service = make_app(
        connect(tmp_path / "soteria.db"), load_library([folder], folder), clock=lambda: NOW
    )
    user = enrol(service.uow.db, "Officer", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    dialogue.handle(user, "/new")
    menu = options(dialogue.handle(user, "43/12345/26"))
    asked = dialogue.press(
        user, next(a for label, a in menu.items() if label.startswith("Hearing"))
    )
    buttons = options(asked)
    run_id = asked[-1].asks[0]

    assert "Yesterday" not in buttons  # it could only be refused
    assert {"Today", "Tomorrow"} <= set(buttons)
    # A press of a day gone (an old message's button, or a forged one) is refused too.
    before = log_size(service)
    refused = dialogue.press(user, buttons["Today"].replace("today", "yesterday"))
    assert "That date has passed" in refused[0].text
    assert log_size(service) == before
    dialogue.press(user, buttons["Tomorrow"])
    assert access.run(service, user, run_id).answers()["next-hearing"] == "2026-11-21"
