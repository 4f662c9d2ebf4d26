"""Runs that last: 'not yet', dates worked out, an item per occurrence, answers offered under a
condition, exclusive options, presets per answer, four eyes, reopening after sign-off, every
item reachable from the summary, and /milestone and /new honouring the reference typed."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.console import Console
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.conversation.said import notice_reply
from bot.core.errors import NotAllowed
from bot.services import access, cases, deadlines, events, investigating, supervising
from bot.services.context import Context
from bot.store.db import connect
from bot.store.playbook_files import load_library

from ..apps import enrol, make_app
from ..conftest import PLAYBOOKS_DIR

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday
FIXTURE = Path(__file__).parent.parent / "fixtures" / "long-case"
SMALL = load_library([FIXTURE], PLAYBOOKS_DIR)
SHIPPED = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
REF = "43/10001/26"


def service_of(tmp_path: Path, library) -> Context:
    return make_app(connect(tmp_path / "soteria.db"), library, clock=lambda: NOW)


def labels(replies: list[Reply]) -> list[str]:
    return [option.label for reply in replies for row in reply.options for option in row]


def press(dialogue: Dialogue, user, replies: list[Reply], label: str) -> list[Reply]:
    """Press the option whose label starts with `label` in the latest replies that have one."""
    for reply in reversed(replies):
        for row in reply.options:
            for option in row:
                if option.label.startswith(label):
                    return dialogue.press(user, option.action)
    raise AssertionError(f"no option {label!r} among {labels(replies)}")


def action_of(replies: list[Reply], label: str) -> str:
    return next(
        option.action
        for reply in replies
        for row in reply.options
        for option in row
        if option.label.startswith(label)
    )


@pytest.fixture(name="small")
def _small(tmp_path: Path) -> Context:
    return service_of(tmp_path, SMALL)


def on_arrest(service: Context) -> tuple[Dialogue, object, list[Reply]]:
    """An officer opens the case, records the arrest (which starts bail-and-plea) and resumes."""
    officer = enrol(service.uow.db, "DC Casey", "investigator", "north", NOW)
    dialogue = Dialogue(service)
    dialogue.handle(officer, f"/new {REF}")
    events.record_milestone(service, officer, REF, "arrest", NOW.date())
    return dialogue, officer, dialogue.handle(officer, "/resume")


def test_a_bail_expiry_is_worked_out_and_a_plea_can_be_not_yet(small: Context):
    dialogue, officer, replies = on_arrest(small)
    assert "Date bail was granted" in replies[-1].text
    replies = press(dialogue, officer, replies, "Today")
    assert "Date the bail period ends" in replies[-1].text
    # Three months "beginning with" Fri 20 Nov 2026 end on Fri 19 Feb 2027.
    assert "Fri 19 Feb 2027 (worked out)" in labels(replies)
    replies = press(dialogue, officer, replies, "Fri 19 Feb 2027 (worked out)")
    assert "Date of the not-guilty plea" in replies[-1].text
    replies = press(dialogue, officer, replies, "Not yet")
    assert "Which related offending appears?" in replies[-1].text
    run = cases.active_run(small, officer)
    assert run is not None
    assert run.status("bail-expiry").value == "2027-02-19"
    assert run.events.latest("bail-expiry") == date(2027, 2, 19)  # the item and the event agree
    assert run.status("plea-date").status == "not-yet"


def test_an_exclusive_option_stands_alone_and_na_is_withheld_once_violence_is_found(
    small: Context,
):
    dialogue, officer, replies = on_arrest(small)
    replies = press(dialogue, officer, replies, "Today")
    replies = press(dialogue, officer, replies, "Fri 19 Feb 2027")
    replies = press(dialogue, officer, replies, "Not yet")
    replies = press(dialogue, officer, replies, "violence")
    replies = press(dialogue, officer, replies, "none")
    assert "✓ none" in labels(replies)
    assert "✓ violence" not in labels(replies)  # ticking 'none' untied violence
    replies = press(dialogue, officer, replies, "violence")
    assert "✓ violence" in labels(replies)
    assert "✓ none" not in labels(replies)
    replies = press(dialogue, officer, replies, "Done")
    assert "Protective orders considered?" in replies[-1].text
    assert "N/A" not in labels(replies)  # violence was found: N/A is not offered
    # A forged N/A (answer 2 of yes, no, na) is refused and changes nothing.
    yes = action_of(replies, "Yes")
    forged = yes.rsplit(":", 1)[0] + ":2"
    refused = dialogue.press(officer, forged)
    assert refused[0].text == (
        "N/A can't be the answer here as the case stands: choose another, or correct the "
        "earlier answer first."
    )
    replies = press(dialogue, officer, replies, "No")
    assert "Why?" in replies[-1].text
    assert "Awaiting CPS" in labels(replies)
    assert "No risk identified" not in labels(replies)  # that preset is for N/A only
    replies = press(dialogue, officer, replies, "Awaiting CPS")
    assert "Submit it for review?" in replies[-1].text
    # The plea is 'not yet': it does not stop submission.
    replies = press(dialogue, officer, replies, "Submit")
    assert replies[0].text.startswith("Submitted for review")


def test_a_plea_recorded_later_answers_the_not_yet_item(small: Context):
    dialogue, officer, replies = on_arrest(small)
    replies = press(dialogue, officer, replies, "Today")
    replies = press(dialogue, officer, replies, "Fri 19 Feb 2027")
    replies = press(dialogue, officer, replies, "Not yet")
    events.record_milestone(small, officer, REF, "charge", date(2026, 11, 20))
    events.record_milestone(small, officer, REF, "not-guilty-plea", date(2026, 11, 20))
    run = cases.active_run(small, officer)
    assert run is not None
    status = run.status("plea-date")
    assert (status.status, status.value) == ("done", "2026-11-20")


def test_each_bail_extension_is_asked_again_due_two_days_after_it(tmp_path: Path):
    now = [NOW]
    service = make_app(connect(tmp_path / "soteria.db"), SMALL, clock=lambda: now[0])
    dialogue, officer, replies = on_arrest(service)
    press(dialogue, officer, replies, "Today")  # bail granted Fri 20 Nov 2026
    now[0] = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    replies = dialogue.handle(officer, f"/milestone {REF}")
    assert replies[0].text == f"Which milestone for {REF}?"
    replies = press(dialogue, officer, replies, "Bail extended")
    replies = dialogue.handle(officer, "18/2")  # no year: the nearest past date
    assert replies[0].text == "Recorded: Bail extended, Thu 18 Feb 2027."
    now[0] = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)
    replies = dialogue.handle(officer, "/milestone")  # one open case: no picker
    replies = press(dialogue, officer, replies, "Bail extended")
    assert labels(replies) == ["Add the 2nd", "Correct the 1st (Thu 18 Feb)"]
    replies = press(dialogue, officer, replies, "Add the 2nd")
    replies = dialogue.handle(officer, "17/5")
    assert replies[0].text == "Recorded: Bail extended (2nd), Mon 17 May 2027."
    run = cases.active_run(service, officer)
    assert run is not None
    assert {"extension-authorised@1", "extension-authorised@2"} <= {i.id for i in run.items}
    # Two calendar days after Thu 18 Feb and Mon 17 May 2027.
    assert deadlines.due(service, run, "extension-authorised@1") == date(2027, 2, 20)
    assert deadlines.due(service, run, "extension-authorised@2") == date(2027, 5, 19)
    # Correcting the first moves only the first one's due date.
    replies = press(dialogue, officer, dialogue.handle(officer, "/milestone"), "Bail extended")
    replies = press(dialogue, officer, replies, "Correct the 1st")
    replies = dialogue.handle(officer, "16/2")
    assert replies[0].text == "Moved: Bail extended, now Tue 16 Feb 2027 (was Thu 18 Feb 2027)."
    run = access.run(service, officer, run.run_id)
    assert deadlines.due(service, run, "extension-authorised@1") == date(2027, 2, 18)
    assert deadlines.due(service, run, "extension-authorised@2") == date(2027, 5, 19)


def test_milestone_and_new_honour_the_reference_typed_in_either_spelling(small: Context):
    officer = enrol(small.uow.db, "DC Casey", "investigator", "north", NOW)
    dialogue = Dialogue(small)
    assert dialogue.handle(officer, "/new 43-90001-26")[0].text.startswith(
        "Case 43/90001/26 opened."
    )
    assert dialogue.handle(officer, "/new 43/90001/26")[0].text.startswith(
        "Case 43/90001/26 is already open."
    )
    dialogue.handle(officer, "/new 43/90002/26")
    # Two open cases and none typed: a picker, not the case last touched.
    picker = dialogue.handle(officer, "/milestone")
    assert picker[0].text == "Which case is the milestone for?"
    assert sorted(labels(picker)) == ["43/90001/26", "43/90002/26"]
    typed = dialogue.handle(officer, "/milestone 43-90001-26")
    assert typed[0].text == "Which milestone for 43/90001/26?"
    other = dialogue.handle(officer, "/milestone 43/99999/26")
    assert other[0].text == (
        "No case 43/99999/26 of yours was found. Check the reference; if the case should be "
        "yours, ask your supervisor to hand it over."
    )


# --- shipped playbooks ----------------------------------------------------------------------


@pytest.fixture(name="shipped")
def _shipped(tmp_path: Path) -> Context:
    return service_of(tmp_path, SHIPPED)


def console_of(dialogue: Dialogue, user) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(dialogue, user, out), out


def numbered(out: io.StringIO) -> dict[str, int]:
    """The options of the last screen the console printed, by label."""
    last = out.getvalue().rsplit("\n\n", 1)[-1]
    found = {}
    for line in last.splitlines():
        number, _, label = line.strip().partition(") ")
        if number.isdigit():
            found[label] = int(number)
    return found


def test_every_live_item_of_a_long_run_is_reached_from_the_summary_in_the_terminal(
    small: Context,
):
    shipped = small
    officer = enrol(shipped.uow.db, "DC Casey", "investigator", "north", NOW)
    dialogue = Dialogue(shipped)
    dialogue.handle(officer, f"/new {REF}")
    run = investigating.start_run(shipped, officer, REF, "long-list").run
    assert run is not None
    # Answer the first five, then put the rest off: only the summary reaches them now.
    for _ in range(5):
        item = access.run(shipped, officer, run.run_id).current()
        assert item is not None
        investigating.answer(shipped, officer, run.run_id, item.id, "yes")
    while (item := access.run(shipped, officer, run.run_id).current()) is not None:
        investigating.defer(shipped, officer, run.run_id, item.id)
    run = access.run(shipped, officer, run.run_id)
    _settled, live = run.progress()
    assert live == 32
    console, out = console_of(dialogue, officer)
    console.feed("/summary")
    reached: list[str] = []
    pages = 0
    while True:
        pages += 1
        options = numbered(out)
        reached += [label for label in options if label.startswith(("Answer:", "Change:"))]
        more = options.get("More ›")
        if more is None:
            break
        console.feed(str(more))
    assert pages == 4  # eight a page
    assert len(reached) == len(set(reached)) == live
    # Those put off come first; the five answered come last, to change.
    assert reached[0].startswith("Answer: Scene check 6 done?")
    assert [label for label in reached if label.startswith("Change:")] == [
        f"Change: Scene check {n} done?" for n in range(1, 6)
    ]
    # The last page's last button opens its item.
    last = numbered(out)
    label = next(label for label in reversed(list(last)) if label.startswith("Answer:"))
    console.feed(str(last[label]))
    asked = access.run(shipped, officer, run.run_id).current()
    assert asked is not None
    assert label.removeprefix("Answer: ").rstrip("…") in asked.ask


def finish(service: Context, user, run_id: int) -> None:
    """Answer every question as it comes: yes, the first option, today, a number, a note."""
    while (item := access.run(service, user, run_id).current()) is not None:
        if item.type in ("yes-no", "yes-no-na"):
            value: object = "yes"
        elif item.type == "choice":
            value = item.options[0]
        elif item.type == "multi":
            value = {item.options[0]}
        elif item.type == "date":
            value = NOW.date()
        elif item.type == "number":
            value = int(item.min or 1)
        elif item.type == "text":
            value = "Reviewed."
        else:
            value = "ok"
        outcome = investigating.answer(service, user, run_id, item.id, value)
        if outcome.run is not None and outcome.run.state == "awaiting_reason":
            investigating.give_reason(service, user, run_id, "Recorded in the file")


def test_a_run_signed_off_then_given_a_charge_date_asks_again_and_shows_reopened(
    shipped: Context,
):
    officer = enrol(shipped.uow.db, "DC Casey", "investigator", "north", NOW)
    sergeant = enrol(shipped.uow.db, "DS Rob Hale", "supervisor", "north", NOW)
    dialogue = Dialogue(shipped)
    dialogue.handle(officer, f"/new {REF}")
    run = investigating.start_run(shipped, officer, REF, "bad-character").run
    assert run is not None
    finish(shipped, officer, run.run_id)
    investigating.submit(shipped, officer, run.run_id)
    supervising.sign_off(shipped, sergeant, run.run_id)
    before = access.run(shipped, officer, run.run_id)
    assert before.state == "signed_off"
    _settled, live = before.progress()

    officer_console, officer_out = console_of(dialogue, officer)
    officer_console.feed(f"/milestone {REF}")
    officer_console.feed(str(numbered(officer_out)["Charge"]))
    officer_console.feed("20/11/2026")
    after = access.run(shipped, officer, run.run_id)
    assert after.state == "asking"
    assert after.progress()[1] > live  # the charge made new items live
    asked = after.current()
    assert asked is not None
    assert asked.ask in officer_out.getvalue()  # the officer is asked the new item at once
    assert after.reopened_after_sign_off

    sergeant_console, sergeant_out = console_of(dialogue, sergeant)
    sergeant_console.feed(f"/case {REF}")
    sergeant_console.feed(str(numbered(sergeant_out)["Supervision"]))  # why, asked once a day
    shown = sergeant_out.getvalue()
    assert "Reopened after sign-off (DS Rob Hale" in shown
    assert f"{asked.ask}" in shown
    told = {
        notice.user_id: notice_reply(shipped, notice)
        for notice in shipped.uow.notices.ready(NOW + timedelta(days=1), timedelta(0))
        if notice.kind.startswith("reopened")
    }
    assert told[sergeant.id].text == (
        f"Reopened after sign-off: Bad character - the suspect's previous conduct on {REF} "
        f"has {after.progress()[1] - after.progress()[0]} new items (the charge)."
    )
    assert officer.id not in told  # the officer recorded the charge, and was asked at once


def test_a_supervisor_who_answered_an_item_does_not_sign_the_run_off(shipped: Context):
    officer = enrol(shipped.uow.db, "DC Casey", "investigator", "north", NOW)
    sergeant = enrol(shipped.uow.db, "DS Rob Hale", "supervisor", "north", NOW)
    other = enrol(shipped.uow.db, "DS Ann Lee", "supervisor", "north", NOW)
    cases.open_case(shipped, officer, REF)
    run = investigating.start_run(shipped, officer, REF, "bad-character").run
    assert run is not None
    first = run.current()
    assert first is not None
    investigating.answer(shipped, sergeant, run.run_id, first.id, "yes")
    finish(shipped, officer, run.run_id)
    investigating.submit(shipped, officer, run.run_id)
    with pytest.raises(NotAllowed) as refused:
        supervising.sign_off(shipped, sergeant, run.run_id)
    assert str(refused.value) == (
        "You answered items in this checklist, so another supervisor signs it off."
    )
    assert supervising.sign_off(shipped, other, run.run_id).run.state == "signed_off"


def test_a_worked_out_date_the_item_would_refuse_is_not_offered(tmp_path: Path):
    # The same bail expiry, on a playbook that forgot 'dates: any': the item takes past dates
    # only, and the date worked out (Fri 19 Feb 2027) is still to come. A button that is
    # refused when tapped is a dead end: it is not shown; the item's own days are.
    folder = tmp_path / "playbooks"
    folder.mkdir()
    for source in FIXTURE.glob("*.yaml"):
        text = source.read_text(encoding="utf-8")
        if source.name == "bail-and-plea.yaml":
            text = text.replace(
                "        dates: any\n        computed: {within: 3mo, of: bail-date}\n",
                "        computed: {within: 3mo, of: bail-date}\n",
            )
        (folder / source.name).write_text(text, encoding="utf-8")
    service = service_of(tmp_path, load_library([folder], PLAYBOOKS_DIR))
    dialogue, officer, replies = on_arrest(service)
    replies = press(dialogue, officer, replies, "Today")
    assert "Date the bail period ends" in replies[-1].text
    assert "(worked out)" not in " ".join(labels(replies[-1:]))
    assert [label for label in labels(replies[-1:]) if label in ("Today", "Yesterday")] == [
        "Today",
        "Yesterday",
    ]
