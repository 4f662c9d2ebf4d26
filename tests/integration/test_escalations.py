"""The escalation scan reads only what can escalate, not a team's every row as `/team` does:
it must tell supervisors of exactly what `/team` shows escalating, in `/team`'s order."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.jobs import queue_escalations
from bot.reports.escalations import escalating
from bot.reports.oversight import gather
from bot.services import cases, events, investigating, supervising
from bot.services.context import Context

from .oversight_world import REVIEW, World, make_world

TRIAL_CARE = """\
playbook: trial-care
title: Trial care
version: 1
summary: One item asked for each trial listing.
sections:
  - id: only
    title: Only
    items:
      - id: told
        ask: Victim told of this trial date?
        type: yes-no
        each: trial-listed
        due: {within: 1wd, of: trial-listed}
        escalate: {after: 1d}
      - id: special-measures
        ask: Special measures applied for?
        type: yes-no
        not-yet: true
        due: {within: 2d, of: trial-listed}
        escalate: {after: 1d}
"""


@pytest.fixture(name="world")
def _world(tmp_path: Path) -> World:
    """Cases in both teams with items and reviews escalating, some not, and a closed case."""
    world = make_world(tmp_path, extra={"trial-care.yaml": TRIAL_CARE, "review.yaml": REVIEW})
    ctx, people = world.service, world.people
    casey, robin, sam = people["Casey"], people["Robin"], people["Sam"]
    world.open("Casey", "43/10001/26")  # the plan escalates a day after the 4th
    world.clock.days(1)
    settled = world.open("Robin", "43/10002/26")
    investigating.answer(ctx, robin, settled, "plan", "yes")
    # An item per listing; the second listed is the earlier trial, so its item is the longer
    # overdue and is told of first.
    events.record_milestone(ctx, casey, "43/10001/26", "trial-listed", date(2026, 11, 16))
    events.record_milestone(ctx, casey, "43/10001/26", "trial-listed", date(2026, 11, 9))
    care = investigating.start_run(ctx, casey, "43/10001/26", "trial-care").run
    assert care is not None
    investigating.not_yet(ctx, casey, care.run_id, "special-measures")  # still waits: escalates
    world.open("Sol", "43/10003/26")  # South
    world.open("Casey", "43/10004/26")
    supervising.close_case(ctx, sam, "43/10004/26", "other")
    cases.open_case(ctx, robin, "43/10005/26")  # reviews only
    world.clock.days(40)
    return world


def told_by_team(ctx: Context, team: str | None) -> tuple[list[Any], list[Any]]:
    """What `/team`'s facts show escalating, in its order: items, then reviews."""
    oversight = gather(ctx, teams=[team] if team else None, open_runs_only=True)
    items = [
        (case.ref, run.run_id, facts.item.id, facts.number, facts.due, facts.days_over)
        for case, run in oversight.runs()
        for facts in run.overdue
        if facts.standing == "escalate"
    ]
    reviews = [
        (case.ref, schedule.playbook.id, missed.due, (oversight.today - missed.due).days)
        for case in oversight.cases
        for schedule in case.reviews
        for missed in schedule.missed
        if missed.standing == "escalate"
    ]
    return items, reviews


def told_by_scan(ctx: Context, team: str | None) -> tuple[list[Any], list[Any]]:
    """What the escalation scan finds, in the order it tells of it."""
    found = escalating(ctx, team)
    items = [(e.case.ref, e.run_id, e.item.id, e.number, e.due, e.days_over) for e in found.items]
    reviews = [(e.case.ref, e.playbook.id, e.due, e.days_over) for e in found.reviews]
    return items, reviews


@pytest.mark.parametrize("team", ["North", "South", None])
def test_the_scan_finds_what_the_team_view_shows_escalating_in_its_order(world: World, team):
    expected = told_by_team(world.service, team)

    assert told_by_scan(world.service, team) == expected


def test_the_scan_finds_items_per_occurrence_and_reviews_but_nothing_settled_or_closed(
    world: World,
):
    items, reviews = told_by_scan(world.service, None)

    assert {(ref, item) for ref, _run, item, _n, _due, _days in items} == {
        ("43/10001/26", "plan"),
        ("43/10001/26", "told@1"),
        ("43/10001/26", "told@2"),
        ("43/10001/26", "special-measures"),
        ("43/10003/26", "plan"),
    }
    assert {ref for ref, *_rest in reviews} == {
        "43/10001/26",
        "43/10002/26",
        "43/10003/26",
        "43/10005/26",
    }
    # The supervisor and the officer for each item, the supervisor once for each case's
    # reviews missed (the latest, with how many): once.
    assert queue_escalations(world.service) == 2 * len(items) + 4
    assert queue_escalations(world.service) == 0
