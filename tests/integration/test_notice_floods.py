"""A force's first escalation scan over cases brought in with their history finds every review
missed since each report, and every item overdue: hundreds of notices for one supervisor (one
per case for its missed reviews, one per item). They reach that person as one short message
that lists a few and counts the rest, never as a hundred messages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters import outbox
from bot.conversation.dialogue import Dialogue
from bot.core.channels import Identity
from bot.jobs import queue_escalations
from bot.services import cases, investigating
from bot.services.people import CONSOLE

from .oversight_world import REVIEW, World, make_world

CASES = 30
#: The reports are on Monday 2 November 2026, and the clock moves 200 days on, to Friday
#: 21 May 2027. A review falls due every 14 days from the report: 16 November 2026, then every
#: other Monday to 17 May 2027, which makes 14, each escalating 2 days after its day (the last
#: on 19 May). The next, 31 May, is still to come.
MISSED_EACH = 14


@pytest.fixture(name="world")
def _world(tmp_path: Path) -> World:
    world = make_world(tmp_path, extra={"review.yaml": REVIEW})
    for number in range(CASES):
        cases.open_case(world.service, world.people["Casey"], f"43/{20001 + number}/26")
    world.clock.days(200)
    return world


def batch_for(world: World, name: str) -> outbox.Batch:
    """The one message waiting for someone on the terminal."""
    person = world.people[name]
    with world.service.transaction() as uow:
        uow.users.link(person.id, Identity(CONSOLE, f"{person.role}:{name}"), world.clock())
    [batch] = outbox.due_batches(
        Dialogue(world.service), CONSOLE, timedelta(0), only=world.people[name].id
    )
    return batch


def test_a_case_that_missed_many_reviews_is_one_notice_and_many_cases_one_message(world: World):
    told = queue_escalations(world.service)
    assert told == CASES  # one supervisor in North, one notice per case

    batch = batch_for(world, "Sam")

    text = batch.reply.text
    assert len(batch.notice_ids) == CASES  # every one is marked delivered with it
    assert text.startswith(f"{CASES} notices:")
    assert text.count(f"• Reviews not held: {MISSED_EACH} of") == outbox.MOST_LISTED
    assert f"…and {CASES - outbox.MOST_LISTED} more" in text
    assert "/team" in text
    assert len(text) < 4096  # one Telegram message
    listed = [line for line in text.splitlines() if line.startswith("• ")]
    assert [line.split(" on ")[1].split(",")[0] for line in listed] == [
        f"43/{20001 + number}/26" for number in range(outbox.MOST_LISTED)
    ]
    assert listed[0].endswith("the latest due Mon 17 May (4 days ago).")


def test_a_notice_of_another_kind_is_listed_before_a_flood_of_missed_reviews(world: World):
    queue_escalations(world.service)
    casey = world.people["Casey"]
    run_id = world.open("Casey", "43/29999/26")
    for item_id in ("plan", "records", "victim-update"):
        investigating.answer(world.service, casey, run_id, item_id, "yes")
    investigating.answer(world.service, casey, run_id, "note", "Nothing")
    investigating.submit(world.service, casey, run_id)

    text = batch_for(world, "Sam").reply.text

    listed = [line for line in text.splitlines() if line.startswith("• ")]
    assert listed[0] == "• For your review: 43/29999/26 · Review drill, submitted by Casey."
    assert len(listed) == outbox.MOST_LISTED


def test_an_officer_is_pointed_to_their_own_cases_not_the_team(world: World):
    for number in range(outbox.MOST_LISTED + 2):
        world.open("Casey", f"43/{29900 + number}/26")  # each plan escalates: Casey is told
    world.clock.days(4)
    queue_escalations(world.service)

    text = batch_for(world, "Casey").reply.text

    listed = [line for line in text.splitlines() if line.startswith("• ")]
    assert len({line.split(": ")[1].split(" ")[0] for line in listed}) == outbox.MOST_LISTED
    assert text.count("• Escalated to your supervisor") == outbox.MOST_LISTED
    assert "…and 2 more" in text
    assert "/cases" in text
    assert "/team" not in text
