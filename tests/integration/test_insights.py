"""Field feedback for trainers, built from runs made through the real service on a real SQLite
file: which items are answered no, N/A or later, go overdue or are challenged, and why."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.core.playbook import Item
from bot.reports.insights import (
    CSV_COLUMNS,
    TEXT_LIMIT,
    Insights,
    ItemInsight,
    VersionInsight,
    gather_insights,
    insights_dict,
    insights_text,
    render_insights_csv,
    render_insights_table,
)
from bot.services import cases, events, investigating, supervising

from .oversight_world import START, World, make_world

FOLLOW_UP = """\
playbook: follow-up
title: Follow-up drill
version: 2
summary: A second checklist, with an item asked only after a yes.
sections:
  - id: only
    title: Contact
    items:
      - id: contact
        ask: Suspect contacted?
        type: yes-no
        due: {within: 2d, of: arrest}
      - id: contact-logged
        ask: Contact logged on the crime system?
        type: yes-no
        when: {contact: yes}
"""
REFS = ("43/11111/26", "43/22222/26", "43/33333/26")
#: Who and where, none of which a trainer may see.
PEOPLE_AND_PLACES = ("Casey", "Robin", "Sol", "Sam", "Sasha", "North", "South", "user:")


def at_day(world: World, days: float) -> None:
    """Set the clock to some days after the world's start."""
    world.clock.now = START + timedelta(days=days)


@pytest.fixture(name="world")
def _world(tmp_path: Path) -> World:
    return worked_world(tmp_path)


def worked_world(tmp_path: Path) -> World:
    """Three drill runs, two in North and one in South, worked over four days.

    Due dates (report on 2 Nov): plan on the 4th, records on the 7th, victim update on the 12th.
    """
    world = make_world(tmp_path, extra={"follow-up.yaml": FOLLOW_UP})
    service, people = world.service, world.people
    casey, robin, sol = people["Casey"], people["Robin"], people["Sol"]
    a = world.open("Casey", REFS[0])
    b = world.open("Robin", REFS[1])
    c = world.open("Sol", REFS[2])
    at_day(world, 0.5)
    investigating.answer(service, robin, b, "plan", "no")
    investigating.give_reason(service, robin, b, "Awaiting allocation")
    investigating.answer(service, robin, b, "records", "na")
    investigating.give_reason(service, robin, b, "No request made")
    at_day(world, 1)
    investigating.answer(service, casey, a, "plan", "no")
    investigating.give_reason(service, casey, a, "Awaiting allocation")
    investigating.defer(service, casey, a, "records")
    at_day(world, 2)
    investigating.answer(
        service, casey, a, "records", "yes"
    )  # deferred, then answered: still a "later"
    investigating.answer(service, casey, a, "victim-update", "no")
    investigating.give_reason(service, casey, a, "Victim asked for contact by letter only")
    investigating.answer(service, casey, a, "note", "Plan filed on the system")
    investigating.defer(
        service, robin, b, "victim-update"
    )  # never answered: overdue from the 13th
    at_day(world, 3)
    investigating.answer(service, sol, c, "plan", "yes")  # a day late
    investigating.answer(service, sol, c, "records", "na")
    investigating.give_reason(service, sol, c, "No request made")
    investigating.answer(service, sol, c, "victim-update", "yes")
    at_day(world, 4)
    supervising.challenge(service, people["Sam"], a, "plan", "Why is there no plan yet?")
    return world


def insights_on(world: World, day: float, teams: list[str] | None = None) -> Insights:
    """The insights as a trainer reads them some days after the start (the 16th by default
    in the tests: Robin's victim update is then four days overdue)."""
    at_day(world, day)
    return gather_insights(world.service, teams)


def drill_items(insights: Insights) -> dict[str, ItemInsight]:
    """The drill's items by id."""
    (version,) = [v for v in insights.versions if v.playbook == "drill"]
    return {insight.item.id: insight for insight in version.items}


def test_each_item_counts_its_no_na_later_overdue_and_challenged_runs(world: World) -> None:
    insights = insights_on(world, 14)
    (drill,) = [v for v in insights.versions if v.playbook == "drill"]
    assert (drill.version, drill.runs) == (1, 3)
    counts = {
        item_id: (i.asked, i.no, i.na, i.later, i.overdue, i.with_due, i.challenged, i.still_open)
        for item_id, i in drill_items(insights).items()
    }
    assert counts == {
        "plan": (3, 2, 0, 0, 1, 3, 1, 0),
        "records": (3, 0, 2, 1, 0, 3, 0, 0),
        "victim-update": (3, 1, 0, 1, 1, 3, 0, 1),
        "note": (3, 0, 0, 0, 0, 0, 0, 2),
    }
    plan = drill_items(insights)["plan"]
    assert plan.no_rate == pytest.approx(2 / 3)
    assert plan.overdue_rate == pytest.approx(1 / 3)
    assert plan.challenged_rate == pytest.approx(1 / 3)
    assert plan.trouble == pytest.approx(4 / 3)
    assert plan.flagged
    assert not drill_items(insights)["note"].flagged


def test_an_item_deferred_and_then_answered_still_counts_as_later(world: World) -> None:
    records = drill_items(insights_on(world, 14))["records"]
    # Casey's records item is done now, but it was put off first.
    assert records.later == 1
    assert records.later_rate == pytest.approx(1 / 3)
    assert records.still_open == 0


def test_the_top_reasons_count_presets_and_typed_text_apart(world: World) -> None:
    items = drill_items(insights_on(world, 14))
    assert [(r.text, r.count, r.preset) for r in items["plan"].top_reasons()] == [
        ("Awaiting allocation", 2, True)
    ]
    assert [(r.text, r.count, r.preset) for r in items["records"].top_reasons()] == [
        ("No request made", 2, True)
    ]
    assert [(r.text, r.count, r.preset) for r in items["victim-update"].top_reasons()] == [
        ("Victim asked for contact by letter only", 1, False)
    ]


def test_median_days_open_runs_from_the_runs_start_to_the_first_answer(world: World) -> None:
    items = drill_items(insights_on(world, 14))
    assert items["plan"].median_days_open == pytest.approx(1.0)  # 0.5, 1 and 3 days
    assert items["records"].median_days_open == pytest.approx(2.0)  # 0.5, 2 and 3 days
    assert items["victim-update"].median_days_open == pytest.approx(2.5)  # 2 and 3 days
    assert items["note"].median_days_open == pytest.approx(2.0)


def test_a_teams_median_days_open_count_its_own_runs_only(world: World) -> None:
    north = drill_items(insights_on(world, 14, ["North"]))
    assert north["plan"].median_days_open == pytest.approx(0.75)  # 0.5 and 1 day
    assert north["records"].median_days_open == pytest.approx(1.25)  # 0.5 and 2 days
    south = drill_items(insights_on(world, 14, ["South"]))
    assert south["plan"].median_days_open == pytest.approx(3.0)


def test_an_item_goes_overdue_only_once_the_clock_passes_its_due_date(world: World) -> None:
    # The victim update falls due on the 12th: on the 11th it is not overdue yet.
    assert drill_items(insights_on(world, 9))["victim-update"].overdue == 0
    assert drill_items(insights_on(world, 11))["victim-update"].overdue == 1


def test_the_overdue_rate_counts_only_runs_where_the_item_had_a_due_date(world: World) -> None:
    service, casey, robin = world.service, world.people["Casey"], world.people["Robin"]
    events.record_milestone(
        service, casey, REFS[0], "arrest", date(2026, 11, 3)
    )  # contact due the 5th
    investigating.start_run(service, casey, REFS[0], "follow-up")
    investigating.start_run(
        service, robin, REFS[1], "follow-up"
    )  # no arrest on this case: no due date
    (follow_up,) = [v for v in insights_on(world, 14).versions if v.playbook == "follow-up"]
    contact = follow_up.items[0]
    assert (contact.asked, contact.with_due, contact.overdue, contact.still_open) == (2, 1, 1, 2)
    assert contact.overdue_rate == 1.0
    assert contact.median_days_open is None


def test_the_teams_given_limit_which_runs_are_counted(world: World) -> None:
    items = drill_items(insights_on(world, 14, ["South"]))
    assert (items["plan"].asked, items["plan"].no, items["plan"].overdue) == (1, 0, 1)
    assert items["records"].na == 1
    north = insights_on(world, 14, ["North", "North"])
    assert [v.runs for v in north.versions if v.playbook == "drill"] == [2]


def test_an_item_never_live_and_a_playbook_never_run_show_a_dash(world: World) -> None:
    insights = insights_on(world, 14)
    (follow_up,) = [v for v in insights.versions if v.playbook == "follow-up"]
    assert (follow_up.version, follow_up.runs) == (2, 0)
    casey = world.people["Casey"]
    run_id = investigating.start_run(world.service, casey, REFS[0], "follow-up").run.run_id
    investigating.answer(world.service, casey, run_id, "contact", "no")
    insights = insights_on(world, 14)
    (follow_up,) = [v for v in insights.versions if v.playbook == "follow-up"]
    assert follow_up.runs == 1
    assert [(i.item.id, i.asked, i.no) for i in follow_up.items] == [
        ("contact", 1, 1),
        ("contact-logged", 0, 0),
    ]
    table = render_insights_table(insights)
    lines = table.splitlines()
    start = lines.index("follow-up v2 · 1 run")
    never = next(line for line in lines[start:] if "Contact logged" in line)
    assert never.split()[-7:] == ["—"] * 7


def test_a_run_moved_to_a_newer_version_is_not_counted_twice(world: World) -> None:
    service, robin = world.service, world.people["Robin"]
    cases.open_case(service, robin, "43/44444/26")
    run_id = investigating.start_run(service, robin, "43/44444/26", "drill").run.run_id
    investigating.answer(service, robin, run_id, "plan", "no")
    investigating.give_reason(service, robin, run_id, "Awaiting allocation")
    assert drill_items(insights_on(world, 14))["plan"].no == 3
    # Moving a run ends it with a transition to "moved"; its answers live on in the new run.
    with service.transaction() as uow:
        stored = uow.runs.get(run_id)
        assert stored is not None
        uow.runs.save(stored, stored.run.move(f"user:{robin.id}", world.clock(), {}))
    insights = insights_on(world, 14)
    assert [v.runs for v in insights.versions if v.playbook == "drill"] == [3]
    assert drill_items(insights)["plan"].no == 2


def test_the_table_shows_rates_the_top_reason_and_flags_troubling_items(world: World) -> None:
    table = render_insights_table(insights_on(world, 14))
    lines = table.splitlines()
    assert "drill v1 · 3 runs" in lines
    assert "follow-up v2 · 0 runs" in lines
    plan = next(line for line in lines if "Investigation plan opened?" in line)
    assert plan.split() == ["⚑", "1", "Investigation", "plan", "opened?", "3", "67%", "0%", "0%", "33%", "33%", "1.0"]  # fmt: skip
    below = lines[lines.index(plan) + 1]
    assert below.startswith(" " * 9)
    assert below.strip() == "reason ×2 (preset): Awaiting allocation"
    note = next(line for line in lines if "Anything for the supervisor" in line)
    assert "⚑" not in note
    assert note.split()[-2:] == ["0%", "2.0"]
    assert "—" in note.split()  # no due date: no overdue rate
    assert max(len(line) for line in lines) <= 100


def test_no_case_reference_person_or_team_appears_in_any_output(world: World) -> None:
    insights = insights_on(world, 14)
    outputs = {
        "table": render_insights_table(insights),
        "csv": render_insights_csv(insights),
        "json": json.dumps(insights_dict(insights), ensure_ascii=False),
        "text": insights_text(insights),
    }
    for name, text in outputs.items():
        assert "Awaiting allocation" in text, name  # the output does carry the reasons
        for secret in (*REFS, *PEOPLE_AND_PLACES, "Why is there no plan yet?"):
            assert secret not in text, (name, secret)


def test_the_json_round_trips_with_rates_to_three_places(world: World) -> None:
    data = insights_dict(insights_on(world, 14))
    assert json.loads(json.dumps(data)) == data
    assert data["report"] == "insights"
    assert data["generated"] == "2026-11-16T09:00:00+00:00"
    version = data["playbooks"]["drill"]["versions"]["1"]
    assert version["runs"] == 3
    plan = version["items"][0]
    assert (plan["number"], plan["item"], plan["type"]) == (1, "plan", "yes-no")
    assert plan["rates"] == {
        "no": 0.667,
        "na": 0.0,
        "later": 0.0,
        "overdue": 0.333,
        "challenged": 0.333,
        "trouble": 1.333,
    }
    assert plan["median_days_open"] == 1.0
    assert plan["flagged"] is True
    assert plan["top_reasons"] == [{"reason": "Awaiting allocation", "count": 2, "preset": True}]
    assert data["playbooks"]["follow-up"]["versions"]["2"]["runs"] == 0


def test_the_csv_has_a_header_and_one_row_per_item_of_each_version(world: World) -> None:
    rows = list(csv.reader(io.StringIO(render_insights_csv(insights_on(world, 14)))))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [(row["playbook"], row["item"]) for row in body] == [
        ("drill", "plan"),
        ("drill", "records"),
        ("drill", "victim-update"),
        ("drill", "note"),
        ("follow-up", "contact"),
        ("follow-up", "contact-logged"),
    ]
    victim = body[2]
    assert (victim["asked"], victim["no"], victim["later"], victim["overdue"]) == (
        "3",
        "1",
        "1",
        "1",
    )
    assert victim["top_reason"] == "Victim asked for contact by letter only"
    assert victim["top_reason_preset"] == "no"
    assert body[4]["median_days_open"] == ""  # never answered


def test_the_chat_summary_ranks_the_most_troubling_items_first(world: World) -> None:
    insights = insights_on(world, 14)
    text = insights_text(insights)
    assert len(text) < TEXT_LIMIT
    first, second = text.split("\n\n")[1:3]
    assert first.startswith("1. drill v1 #1: Investigation plan opened?")
    assert "no 67% · N/A 0% · later 0% · overdue 33% · challenged 33% · 3 runs" in first
    assert "Top reason (2): Awaiting allocation" in first
    # Records (N/A 67% + later 33%) ties the victim update (33% no, later, overdue): the
    # earlier item comes first.
    assert second.startswith("2. drill v1 #2: Records request")
    assert "3. drill v1 #3: Victim updated on progress?" in text
    assert "Anything for the supervisor" not in text  # nothing troubling about the note
    assert text.count("\n\n") == 3
    one = insights_text(insights, limit=1)
    assert "Records request" not in one
    assert "1. drill v1 #1" in one


def test_the_chat_summary_stays_inside_one_telegram_message() -> None:
    long_ask = "Has the " + "very " * 60 + "long question been answered?"
    items = [
        ItemInsight(Item(f"item-{n}", long_ask, "yes-no"), n, asked=5, no=3) for n in range(1, 61)
    ]
    for insight in items:
        insight.reasons[" ".join(["A long reason"] * 30)] = 3
    insights = Insights(START, [VersionInsight("long", "Long", 1, 5, items)])
    text = insights_text(insights, limit=60)
    assert len(text) <= TEXT_LIMIT
    assert "1. long v1 #1: Has the very" in text
    assert text.endswith("more in the full report.")


def test_with_no_runs_at_all_the_summary_says_so(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    insights = insights_on(world, 14)
    assert [(v.playbook, v.runs) for v in insights.versions] == [("drill", 0)]
    assert insights_text(insights).startswith("No item has been answered no")
