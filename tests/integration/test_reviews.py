"""The supervisory review on its schedule: due every 28 days from the report and at each stage,
held only by supervisors, a missed one escalated once, whether or not the bot ran that day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.conversation.dialogue import Dialogue
from bot.conversation.said import notice_reply
from bot.core.errors import NotAllowed
from bot.jobs import queue_escalations
from bot.services import access, events, investigating, reviews
from bot.services.context import Context
from bot.store.db import connect
from bot.store.playbook_files import load_library

from ..apps import enrol, make_app
from ..conftest import PLAYBOOKS_DIR

LIBRARY = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
REF = "43/70001/26"
REPORTED = date(2026, 10, 1)  # a Thursday
TODAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(name="world")
def _world(tmp_path: Path):
    now = [datetime(2026, 10, 1, 9, 0, tzinfo=UTC)]
    service = make_app(connect(tmp_path / "soteria.db"), LIBRARY, clock=lambda: now[0])
    officer = enrol(service.uow.db, "DC Casey", "investigator", "north", now[0])
    sergeant = enrol(service.uow.db, "DS Rob Hale", "supervisor", "north", now[0])
    Dialogue(service).handle(officer, f"/new {REF}")  # reported today, 1 Oct 2026
    now[0] = TODAY  # nobody used the bot for two months
    return service, officer, sergeant, now


def dues(service: Context, user) -> list[tuple[date, bool, str]]:
    [schedule] = reviews.due_on_case(service, user, REF)
    return [(due.due, due.held, due.standing) for due in schedule.occurrences]


def test_reviews_fall_due_every_28_days_from_the_report_though_nobody_used_the_bot(world):
    service, _officer, sergeant, _now = world
    # 28 calendar days after Thu 1 Oct: Thu 29 Oct, Thu 26 Nov, then Thu 24 Dec (still to come).
    assert dues(service, sergeant) == [
        (date(2026, 10, 29), False, "escalate"),  # over 2 days late
        (date(2026, 11, 26), False, "escalate"),  # Mon 30 Nov is 4 days after it
        (date(2026, 12, 24), False, "not-due"),
    ]


def test_an_arrest_brings_a_review_of_its_own(world):
    service, officer, sergeant, _now = world
    events.record_milestone(service, officer, REF, "arrest", date(2026, 11, 10))
    assert [when for when, _held, _where in dues(service, sergeant)] == [
        date(2026, 10, 29),
        date(2026, 11, 10),
        date(2026, 11, 26),
        date(2026, 12, 24),
    ]


def reviews_missed_told(service: Context, sergeant, when: datetime) -> list[str]:
    return [
        notice_reply(service, notice).text
        for notice in service.uow.notices.ready(when, timedelta(0))
        if notice.kind == "review-missed" and notice.user_id == sergeant.id
    ]


def test_the_reviews_a_case_missed_are_told_once_in_one_notice(world):
    service, _officer, sergeant, now = world
    assert queue_escalations(service) == 1
    assert queue_escalations(service) == 0  # however often the job runs
    assert reviews_missed_told(service, sergeant, now[0] + timedelta(days=1)) == [
        f"Reviews not held: 2 of Supervisory review on {REF}, the latest due Thu 26 Nov"
        " (4 days ago)."
    ]


def test_another_review_missed_is_told_again_with_the_count(world):
    service, _officer, sergeant, now = world
    queue_escalations(service)
    told = service.uow.notices.ready(now[0], timedelta(0))
    service.uow.notices.mark_sent([notice.id for notice in told], now[0])
    # Due Thu 24 Dec; it escalates 2 calendar days after, on Sat 26 Dec (Christmas Day and
    # Boxing Day do not move a span counted in days).
    now[0] = datetime(2026, 12, 25, 9, 0, tzinfo=UTC)
    assert queue_escalations(service) == 0
    now[0] = datetime(2026, 12, 29, 9, 0, tzinfo=UTC)
    assert queue_escalations(service) == 1
    assert queue_escalations(service) == 0
    assert reviews_missed_told(service, sergeant, now[0]) == [
        f"Reviews not held: 3 of Supervisory review on {REF}, the latest due Thu 24 Dec"
        " (5 days ago)."
    ]


def test_a_single_review_missed_reads_as_before(world):
    service, _officer, sergeant, now = world
    now[0] = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 29 Oct missed, escalating since 31 Oct
    assert queue_escalations(service) == 1
    assert reviews_missed_told(service, sergeant, now[0]) == [
        f"Review not held: Supervisory review on {REF} was due Thu 29 Oct (4 days ago)."
    ]


def test_the_supervisor_holds_the_earliest_review_missed_and_then_the_next(world):
    service, officer, sergeant, _now = world
    dialogue = Dialogue(service)
    shown = dialogue.handle(sergeant, f"/review {REF}")
    assert "Supervisory review" in shown[-1].text
    run = access.run(service, sergeant, dialogue.chat(sergeant).run_id or 0)
    assert run.due_on == date(2026, 10, 29)
    while (item := access.run(service, sergeant, run.run_id).current()) is not None:
        value = "Reviewed." if item.type == "text" else "yes"
        if item.type == "yes-no-na":
            value = "yes"
        investigating.answer(service, sergeant, run.run_id, item.id, value)
    investigating.submit(service, sergeant, run.run_id)
    assert dues(service, sergeant)[0] == (date(2026, 10, 29), True, "not-due")
    again = reviews.start_review(service, sergeant, REF, "supervisory-review").run
    assert again is not None
    assert again.due_on == date(2026, 11, 26)
    # The officer in the case neither holds nor answers it.
    assert dialogue.handle(officer, f"/review {REF}")[0].text == "That command is for supervisors."
    with pytest.raises(NotAllowed):
        investigating.start_run(service, officer, REF, "supervisory-review")
    with pytest.raises(NotAllowed):
        investigating.answer(service, officer, again.run_id, "plan-on-target", "yes")
