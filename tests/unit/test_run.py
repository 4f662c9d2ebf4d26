"""The run lifecycle: every allowed and refused move, and how answers, reasons and laters behave."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.errors import InputRefused, NotAllowed
from bot.core.lifecycle import EVENTS, RUN_MACHINE, STATES
from bot.core.parsing import parse
from bot.core.run import Run

from .factories import MILESTONES, item, playbook_data

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
WHO = "u:1"

PLAYBOOK = parse(
    playbook_data(
        item("pnc", "yes-no-na", reason=["no", "na"], reasons=["Awaiting other force"]),
        item("related", "multi", options=["violence", "stalking", "none"], when={"pnc": "yes"}),
        item("note", "text", required=False),
        item("arrested", "date", sets="arrest"),
        item("vps-update", when={"milestone": "trial"}),
    ),
    MILESTONES,
)


def fresh_run(**milestones: date) -> tuple[Run, list]:
    run = Run(PLAYBOOK, 1, "43/1/26", milestones)
    return run, run.start(WHO, AT)


def replayed(run: Run, log: list) -> Run:
    return Run.replay(PLAYBOOK, 1, "43/1/26", log, run.milestones)


# --- the machine, move by move -------------------------------------------------------------

ALLOWED = {
    (source, name): dest
    for name, sources, dest in EVENTS
    for source in ((sources,) if isinstance(sources, str) else sources)
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("event", [name for name, _, _ in EVENTS])
def test_each_event_moves_only_from_its_allowed_states(state, event):
    run = Run(PLAYBOOK, 1, "43/1/26")
    run.state = state
    if (state, event) in ALLOWED and event != "submit":
        entries = run._fire(event, WHO, AT)
        assert run.state == ALLOWED[(state, event)]
        assert entries[0].kind == "transition"
        assert entries[0].detail == {
            "event": event,
            "source": state,
            "dest": ALLOWED[(state, event)],
        }
    else:
        with pytest.raises(NotAllowed):
            run._fire(event, WHO, AT)
        assert run.state == state


def test_no_model_is_left_on_the_shared_machine():
    run, _ = fresh_run()
    run.answer("pnc", "yes", WHO, AT)
    with pytest.raises(NotAllowed):
        run.sign_off(WHO, AT)
    assert RUN_MACHINE.models == []


def test_submit_is_refused_while_a_live_required_item_is_unexplained():
    run, _ = fresh_run()
    run.answer("pnc", "no", WHO, AT)
    run.defer("pnc", WHO, AT)  # the reason is put off for later
    run.defer("note", WHO, AT)
    run.answer("arrested", date(2026, 11, 3), WHO, AT)
    assert run.state == "review"
    with pytest.raises(NotAllowed, match="1 item still needs an answer or a reason"):
        run.submit(WHO, AT)
    assert run.state == "review"


# --- answers, reasons, laters --------------------------------------------------------------


def test_a_run_asks_live_items_in_order_and_skips_what_an_answer_made_irrelevant():
    run, log = fresh_run()
    assert run.current().id == "pnc"
    log += run.answer("pnc", "na", WHO, AT)
    assert run.state == "awaiting_reason"
    log += run.give_reason("Awaiting other force", WHO, AT)
    assert run.current().id == "note"  # 'related' is asked only after a yes
    assert run.status("related").status == "not-live"


def test_an_answer_that_needs_a_reason_waits_for_it_and_counts_only_once_given():
    run, _ = fresh_run()
    run.answer("pnc", "no", WHO, AT)
    assert run.status("pnc").status == "needs-reason"
    with pytest.raises(NotAllowed, match="Give the reason"):
        run.answer("note", "x", WHO, AT)
    run.give_reason("  Awaiting   other force ", WHO, AT)
    status = run.status("pnc")
    assert (status.status, status.value, status.reason) == (
        "not-done",
        "no",
        "Awaiting other force",
    )


def test_a_correction_is_a_new_record_and_the_old_answer_stays_in_the_log():
    run, log = fresh_run()
    log += run.answer("pnc", "yes", WHO, AT)
    log += run.answer("related", ["violence"], WHO, AT)
    log += run.revisit("pnc", WHO, AT)
    log += run.answer("pnc", "no", WHO, AT)
    answers = [entry for entry in log if entry.kind == "answered" and entry.item == "pnc"]
    assert [entry.value for entry in answers] == ["yes", "no"]
    assert answers[1].detail == {"corrects": "yes"}
    assert run.status("pnc").corrections == 1
    assert run.status("related").status == "not-live"  # no longer asked, but its answer is kept
    assert run.status("related").value == '["violence"]'


def test_the_same_answer_twice_records_nothing_more():
    run, _ = fresh_run()
    run.answer("pnc", "yes", WHO, AT)
    run.back()
    assert run.answer("pnc", "yes", WHO, AT) == []
    assert run.current().id == "related"


def test_later_puts_an_item_off_and_the_summary_shows_it():
    run, _ = fresh_run()
    run.defer("pnc", WHO, AT)
    assert run.status("pnc").status == "later"
    assert run.current().id == "note"


def test_back_shows_the_previous_live_item_and_records_nothing():
    run, _ = fresh_run()
    run.answer("pnc", "yes", WHO, AT)
    assert run.current().id == "related"
    assert run.back().id == "pnc"
    with pytest.raises(NotAllowed, match="first item"):
        run.back()


def test_a_milestone_makes_an_item_live_and_reopens_a_finished_run():
    run, log = fresh_run()
    log += run.answer("pnc", "na", WHO, AT)
    log += run.give_reason("Awaiting other force", WHO, AT)
    log += run.answer("note", "File direction", WHO, AT)
    log += run.answer("arrested", date(2026, 11, 3), WHO, AT)
    assert run.state == "review"
    run.milestones["trial"] = date(2027, 3, 1)
    log += run.refresh(WHO, AT)
    assert run.state == "asking"
    assert run.current().id == "vps-update"


def test_bad_values_are_refused_without_recording_anything():
    run, _ = fresh_run()
    for value in ("maybe", "", None, 3):
        with pytest.raises(InputRefused):
            run.answer("pnc", value, WHO, AT)
    assert run.status("pnc").status == "open"


def test_a_whole_walk_to_sign_off_and_a_return_with_a_note():
    run, log = fresh_run()
    log += run.answer("pnc", "yes", WHO, AT)
    log += run.answer("related", {"violence", "stalking"}, WHO, AT)
    log += run.defer("note", WHO, AT)
    log += run.answer("arrested", date(2026, 11, 3), WHO, AT)
    log += run.submit(WHO, AT)  # an optional item left for later does not block
    assert run.state == "submitted"
    with pytest.raises(InputRefused):
        run.send_back("u:9", AT, "  ")
    log += run.send_back("u:9", AT, "Add the PND result")
    assert run.state == "returned"
    log += run.resume(WHO, AT)
    log += run.submit(WHO, AT)
    log += run.sign_off("u:9", AT)
    assert run.state == "signed_off"
    with pytest.raises(NotAllowed, match="signed off"):
        run.answer("pnc", "no", WHO, AT)
    rebuilt = replayed(run, log)
    assert rebuilt.state == "signed_off"
    assert [s.status for s in rebuilt.statuses()] == [s.status for s in run.statuses()]


def test_a_refused_submit_changes_nothing_even_from_asking():
    run, _ = fresh_run()
    run.defer("pnc", WHO, AT)
    run.answer("note", "x", WHO, AT)
    assert run.state == "asking"  # 'arrested' still open
    with pytest.raises(NotAllowed, match="still need an answer or a reason"):
        run.submit(WHO, AT)
    assert run.state == "asking"


# --- runs that last: reopening, closing, four eyes, 'not yet' --------------------------------


def signed_off() -> tuple[Run, list]:
    """A run answered in full, submitted and signed off by a supervisor (u:9)."""
    run, log = fresh_run()
    log += run.answer("pnc", "na", WHO, AT)
    log += run.give_reason("Awaiting other force", WHO, AT)
    log += run.answer("note", "File direction", WHO, AT)
    log += run.answer("arrested", date(2026, 11, 3), WHO, AT)
    log += run.submit(WHO, AT)
    log += run.sign_off("u:9", AT, covers=(41, "ab" * 32))
    return run, log


def test_a_sign_off_records_the_log_head_it_covered():
    run, log = signed_off()
    [sign_off] = [e for e in log if e.detail.get("event") == "sign_off"]
    assert (sign_off.detail["covers"], sign_off.detail["covers_hash"]) == ("41", "ab" * 32)
    assert run.signed_off_by == sign_off


def test_new_work_after_sign_off_reopens_the_run_and_the_sign_off_stays_in_the_log():
    run, log = signed_off()
    run.record_event("trial", date(2027, 3, 1))
    log += run.refresh(WHO, AT)
    assert run.state == "asking"
    assert run.current().id == "vps-update"
    assert run.reopened_after_sign_off
    rebuilt = replayed(run, log)
    assert rebuilt.reopened_after_sign_off
    assert rebuilt.signed_off_by is not None  # what it covered is still on the record
    log += run.answer("vps-update", "yes", WHO, AT)
    log += run.submit(WHO, AT)
    log += run.sign_off("u:9", AT)
    assert not run.reopened_after_sign_off  # signed off again, for everything


def test_an_optional_item_left_unanswered_does_not_reopen_the_run_once_submitted():
    run, log = fresh_run()
    log += run.answer("pnc", "na", WHO, AT)
    log += run.give_reason("Awaiting other force", WHO, AT)
    log += run.answer("arrested", date(2026, 11, 3), WHO, AT)
    log += run.submit(WHO, AT)  # 'note' is optional: never answered, never put off
    assert run.state == "submitted"
    # The service re-checks every run it writes: nothing new is live, so nothing reopens.
    assert run.refresh(WHO, AT) == []
    assert run.state == "submitted"
    log += run.sign_off("u:9", AT)
    assert run.refresh(WHO, AT) == []
    assert run.state == "signed_off"


def test_a_correction_after_sign_off_reopens_the_run_for_that_item():
    run, log = signed_off()
    log += run.revisit("pnc", WHO, AT)
    assert run.state == "asking"
    assert run.current().id == "pnc"
    log += run.answer("pnc", "yes", WHO, AT)
    assert run.status("pnc").corrections == 1


def test_a_closed_run_takes_no_more_answers():
    run, log = signed_off()
    log += run.close("u:9", AT, "convicted and sentenced")
    assert run.state == "closed"
    with pytest.raises(NotAllowed):
        run.revisit("pnc", WHO, AT)
    with pytest.raises(NotAllowed):
        run.answer("pnc", "yes", WHO, AT)
    run.record_event("trial", date(2027, 3, 1))
    assert run.refresh(WHO, AT) == []
    assert replayed(run, log).state == "closed"


def test_whoever_answered_an_item_does_not_sign_the_run_off():
    run, log = fresh_run()
    log += run.answer("pnc", "yes", "u:9", AT)  # the supervisor answered one
    log += run.answer("related", {"violence"}, WHO, AT)
    log += run.answer("note", "Noted", WHO, AT)
    log += run.answer("arrested", date(2026, 11, 3), WHO, AT)
    log += run.submit(WHO, AT)
    with pytest.raises(NotAllowed, match="another supervisor signs it off"):
        run.sign_off("u:9", AT)
    assert run.state == "submitted"
    log += run.sign_off("u:8", AT)
    assert run.state == "signed_off"


def test_not_yet_settles_an_item_for_submission_and_the_answer_comes_later():
    run, log = fresh_run()
    log += run.answer("pnc", "na", WHO, AT)
    log += run.give_reason("Awaiting other force", WHO, AT)
    log += run.answer("note", "File direction", WHO, AT)
    log += run.not_yet("arrested", WHO, AT)  # a date item that records a milestone
    assert run.status("arrested").status == "not-yet"
    assert run.state == "review"
    log += run.submit(WHO, AT)
    assert replayed(run, log).status("arrested").status == "not-yet"
    log += run.revisit("arrested", WHO, AT)
    log += run.answer("arrested", date(2026, 11, 3), WHO, AT)
    assert run.status("arrested").status == "done"
    with pytest.raises(NotAllowed):
        run.not_yet("pnc", WHO, AT)  # only items about an event offer 'not yet'
