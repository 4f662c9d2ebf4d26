"""Supervision at the service level: scope, challenges, countersignatures, returns, handovers,
escalations, and the figures the team report is made of, on a real SQLite file."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.conversation.said import notice_reply, outcome_lines
from bot.core.errors import NotAllowed, NotFound
from bot.jobs import queue_escalations, weekly_summary
from bot.reports import figures
from bot.reports.disclosure import render_disclosure
from bot.reports.measures import MEASURES, measure
from bot.reports.oversight import gather
from bot.reports.team import render_csv, render_team_table, team_dict
from bot.services import access, cases, events, investigating, supervising
from bot.services.handover import accept, offer, pending_for
from bot.store import log
from bot.store.playbook_files import load_library
from bot.wording.labels import full_date

from ..apps import enrol, oversee
from .oversight_world import PLAYBOOKS_DIR, World, make_world


@pytest.fixture(name="world")
def _world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def notices_for(world: World, name: str) -> list[dict]:
    """The notices kept for someone, oldest first, as they would be delivered."""
    waiting = world.service.uow.notices.ready(world.clock() + timedelta(days=365), timedelta(0))
    found = []
    for notice in waiting:
        if notice.user_id == world.people[name].id:
            reply = notice_reply(world.service, notice)
            buttons = [[option.label, option.action] for row in reply.options for option in row]
            found.append(
                {
                    "kind": notice.kind,
                    "urgent": int(notice.urgent),
                    "text": reply.text,
                    "buttons": json.dumps(buttons),
                }
            )
    return found


def finish(world: World, who: str, run_id: int) -> None:
    """Answer every drill item yes (and the note), then submit."""
    service, user = world.service, world.people[who]
    for item_id, value in (("plan", "yes"), ("records", "yes"), ("victim-update", "yes")):
        investigating.answer(service, user, run_id, item_id, value)
    investigating.answer(service, user, run_id, "note", "Plan filed on the system")
    investigating.submit(service, user, run_id)


def test_a_supervisor_reaches_only_their_own_teams_cases(world: World) -> None:
    north = world.open("Casey", "43/11111/26")
    world.open("Sol", "43/22222/26")
    finish(world, "Casey", north)
    service = world.service
    with pytest.raises(NotFound):
        supervising.sign_off(service, world.people["Sasha"], north)
    with pytest.raises(NotFound):
        supervising.challenge(service, world.people["Sasha"], north, "plan", "Why?")
    assert [case.ref for case in gather(service, teams=world.people["Sam"].teams).cases] == [
        "43/11111/26"
    ]
    # Given the North team too, Sasha reaches its cases.
    oversee(service.uow.db, world.people["Sasha"].id, "North")
    sasha = world.refresh("Sasha")
    assert sasha.teams == ("South", "North")
    assert supervising.sign_off(service, sasha, north).run.state == "signed_off"


def test_an_investigator_never_reaches_a_colleagues_case(world: World) -> None:
    run_id = world.open("Casey", "43/11111/26")
    with pytest.raises(NotFound):
        investigating.answer(world.service, world.people["Robin"], run_id, "plan", "yes")
    with pytest.raises(NotFound):
        supervising.reply_to_challenge(
            world.service, world.people["Robin"], run_id, "plan", "Mine now"
        )


def test_an_open_challenge_blocks_sign_off_until_the_investigator_replies(world: World) -> None:
    run_id = world.open("Casey", "43/11111/26")
    finish(world, "Casey", run_id)
    service, sam, casey = world.service, world.people["Sam"], world.people["Casey"]
    supervising.challenge(service, sam, run_id, "plan", "Where is the plan filed?")
    told = notices_for(world, "Casey")[-1]
    assert told["kind"] == "challenged"
    assert told["urgent"] == 1
    assert "Where is the plan filed?" in told["text"]
    assert json.loads(told["buttons"]) == [
        ["Reply", f"cr:{run_id}:0"],
        ["Change the answer", f"rv:{run_id}:0"],
    ]
    with pytest.raises(NotAllowed, match="challenge is open"):
        supervising.sign_off(service, sam, run_id)
    with pytest.raises(NotAllowed, match="already has an open challenge"):
        supervising.challenge(service, sam, run_id, "plan", "And again?")
    supervising.reply_to_challenge(service, casey, run_id, "plan", "On the crime system, action 4")
    assert "On the crime system" in notices_for(world, "Sam")[-1]["text"]
    assert supervising.sign_off(service, sam, run_id, "Good work").run.state == "signed_off"
    kinds = [
        logged.entry.kind
        for logged in log.entries(service.uow.db, run_id=run_id)
        if logged.entry.kind.startswith("challenge")
    ]
    assert kinds == ["challenged", "challenge-answered"]
    assert "Good work" in notices_for(world, "Casey")[-1]["text"]


def test_a_return_reaches_the_investigator_at_once_with_its_note(world: World) -> None:
    run_id = world.open("Casey", "43/11111/26")
    finish(world, "Casey", run_id)
    outcome = supervising.send_back(
        world.service, world.people["Sam"], run_id, "Add the CCTV  action"
    )
    assert outcome.run.state == "returned"
    told = notices_for(world, "Casey")[-1]
    assert told["urgent"] == 1
    assert "Add the CCTV action" in told["text"]
    assert json.loads(told["buttons"]) == [["Carry on", f"go:{run_id}"]]
    with pytest.raises(NotAllowed):
        supervising.send_back(world.service, world.people["Sam"], run_id, "Twice")


def test_a_submission_tells_the_teams_supervisors_and_no_one_else(world: World) -> None:
    run_id = world.open("Casey", "43/11111/26")
    finish(world, "Casey", run_id)
    assert [n["kind"] for n in notices_for(world, "Sam")] == ["submitted"]
    assert notices_for(world, "Sasha") == []


def test_a_trainees_countersign_answer_is_not_done_until_a_supervisor_confirms(
    world: World,
) -> None:
    run_id = world.open("Trainee Tam", "43/11111/26")
    finish(world, "Trainee Tam", run_id)
    service, sam = world.service, world.people["Sam"]
    facts = gather(service, case_ref="43/11111/26").cases[0].runs[0]
    assert [f.item.id for f in facts.with_status("to-countersign")] == ["records"]
    assert "Countersignature needed" in notices_for(world, "Sam")[0]["text"]
    with pytest.raises(NotAllowed, match=r"^1 answer by an officer in training needs your"):
        supervising.sign_off(service, sam, run_id)
    with pytest.raises(NotAllowed):
        # Answered by the trainee, but not an item that needs countersigning.
        supervising.countersign(service, sam, run_id, "plan")
    supervising.countersign(service, sam, run_id, "records")
    assert access.run(service, sam, run_id).status("records").status == "done"
    assert supervising.sign_off(service, sam, run_id).run.state == "signed_off"


def test_an_answer_from_a_trained_officer_needs_no_countersignature(world: World) -> None:
    run_id = world.open("Casey", "43/11111/26")
    finish(world, "Casey", run_id)
    assert (
        access.run(world.service, world.people["Casey"], run_id).status("records").status == "done"
    )


def test_a_handover_moves_the_case_only_once_the_new_officer_accepts(world: World) -> None:
    run_id = world.open("Casey", "43/11111/26")
    investigating.defer(world.service, world.people["Casey"], run_id, "plan")
    service, robin = world.service, world.people["Robin"]
    with pytest.raises(NotAllowed):
        offer(service, world.people["Sam"], "43/11111/26", world.people["Sol"].id)  # other team
    made = offer(service, world.people["Sam"], "43/11111/26", robin.id)
    assert pending_for(service, robin) == [made]
    told = notices_for(world, "Robin")[-1]
    assert "Investigation plan opened? (left for later)" in told["text"]
    assert json.loads(told["buttons"]) == [["Accept 43/11111/26", f"ho:{made.id}"]]
    case = gather(service, teams=["North"]).cases[0]
    assert case.handover is not None
    assert case.handover["to"] == "Robin"
    with pytest.raises(NotFound):  # Not Robin's until accepted.
        investigating.answer(service, robin, run_id, "plan", "yes")
    with pytest.raises(NotFound):
        accept(service, world.people["Casey"], made.id)
    assert accept(service, robin, made.id).case_ref == "43/11111/26"
    investigating.answer(service, robin, run_id, "plan", "yes")
    with pytest.raises(NotFound):
        investigating.answer(service, world.people["Casey"], run_id, "records", "yes")
    assert gather(service, teams=["North"]).cases[0].handover is None
    kinds = [e.entry.kind for e in log.entries(service.uow.db, case_ref="43/11111/26")]
    assert "handover-offered" in kinds
    assert "handover-accepted" in kinds


def test_an_item_past_its_escalation_point_is_escalated_once(world: World) -> None:
    world.open("Casey", "43/11111/26")
    world.clock.days(2)  # due on the 4th: not yet overdue
    assert queue_escalations(world.service) == 0
    world.clock.days(2)  # the 6th: two days over, past the one-day escalation
    assert queue_escalations(world.service) == 2  # the supervisor, and the officer too
    assert queue_escalations(world.service) == 0
    escalation = notices_for(world, "Sam")[-1]
    assert escalation["kind"] == "escalation"
    assert "43/11111/26" in escalation["text"]
    assert "Casey" in escalation["text"]
    assert notices_for(world, "Sasha") == []


def test_the_weekly_summary_is_queued_once_a_week(world: World) -> None:
    world.open("Casey", "43/11111/26")
    assert weekly_summary(world.service) == 2  # Sam and Sasha
    assert weekly_summary(world.service) == 0
    summaries = [n for n in notices_for(world, "Sam") if n["kind"] == "weekly"]
    assert len(summaries) == 1
    assert "1 open case ·" in summaries[0]["text"]
    # Dates read one way in the chat: the day's name, then the date.
    first = summaries[0]["text"].splitlines()[0]
    assert first.startswith("Weekly summary · North · ")
    assert first.split(" · ")[-1][:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def test_the_figures_count_what_the_team_did(world: World) -> None:
    service = world.service
    first = world.open("Casey", "43/11111/26")
    investigating.answer(service, world.people["Casey"], first, "plan", "no")
    investigating.give_reason(service, world.people["Casey"], first, "Awaiting allocation")
    second = world.open("Robin", "43/22222/26")
    investigating.answer(service, world.people["Robin"], second, "plan", "no")
    investigating.give_reason(service, world.people["Robin"], second, "Awaiting allocation")
    investigating.answer(service, world.people["Robin"], second, "records", "na")
    investigating.give_reason(service, world.people["Robin"], second, "No request made")
    world.open("Sol", "43/33333/26")  # South: never in North's figures
    world.clock.days(9)  # records due the 7th: Casey's is 2 days over
    oversight = gather(service, teams=["North"])
    assert [case.ref for case in oversight.cases] == ["43/11111/26", "43/22222/26"]
    assert figures.reasons(oversight) == [
        ("not-done", "Awaiting allocation", 2),
        ("na", "No request made", 1),
    ]
    assert figures.overdue_by_age(oversight)[0] == ("1–7 days", 1)
    by_section = {(row.section, row.settled, row.live) for row in figures.completion(oversight)}
    assert by_section == {("first", 3, 4), ("later", 0, 4)}
    loads = {row.officer: (row.open_items, row.overdue) for row in figures.workload(oversight)}
    assert loads == {"Casey": (3, 1), "Robin": (2, 0)}
    results = {result.id: (result.met, result.of) for result in measure(oversight)}
    # Victim items due by now: Casey's records (late, open); Robin's N/A counts neither way.
    assert results["victims-code-on-time"] == (0, 1)
    assert results["suspect-focused"] == (0, 0)  # nothing done yet carries a focus


def test_every_measure_names_items_that_exist_in_the_shipped_playbooks() -> None:
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    for spec in MEASURES:
        playbook = library.playbook(spec.playbook)
        for item_id in spec.items:
            assert playbook.item(item_id).id == item_id, (spec.id, item_id)


def test_the_disclosure_schedule_lists_every_record_of_the_case_in_order(world: World) -> None:
    run_id = world.open("Casey", "43/11111/26")
    service, casey = world.service, world.people["Casey"]
    investigating.answer(service, casey, run_id, "plan", "yes")
    investigating.answer(service, casey, run_id, "plan", "no")
    investigating.give_reason(service, casey, run_id, "Awaiting allocation")
    investigating.defer(service, casey, run_id, "records")
    supervising.challenge(service, world.people["Sam"], run_id, "plan", "Why not yet?")
    schedule = render_disclosure(service, "43/11111/26")
    records = log.entries(service.uow.db, case_ref="43/11111/26")
    body = schedule.splitlines()[8:]
    assert [int(line.split()[0]) for line in body] == [logged.seq for logged in records]
    assert "Corrected 'Investigation plan opened?': Yes -> No" in schedule
    assert "Reason for 'Investigation plan opened?': Awaiting allocation" in schedule
    assert "Left for later: 'Records request tested and justified?'" in schedule
    assert "Sam (user:4)" in schedule
    assert "Challenged" in schedule
    assert "chain intact" in schedule


def test_the_team_report_formats_agree(world: World) -> None:
    run_id = world.open("Casey", "43/11111/26")
    investigating.answer(world.service, world.people["Casey"], run_id, "plan", "no")
    investigating.give_reason(world.service, world.people["Casey"], run_id, "Awaiting, allocation")
    oversight = gather(world.service, teams=["North"])
    table = render_team_table(oversight)
    assert "43/11111/26 · Casey" in table
    assert "not done: plan — Awaiting, allocation" in table
    # States in words, as the chat says them, never the machine's ("asking", "on-track").
    assert "asking" not in table
    assert "on-track" not in table
    assert "due-soon" not in table
    assert "Review drill v1 · in progress · 1/" in table
    rows = render_csv(oversight).splitlines()
    assert rows[0].startswith("case,team,officer,playbook")
    assert '"Awaiting, allocation"' in rows[1]  # quoted, so the comma stays in its column
    data = team_dict(oversight)
    assert data["cases"][0]["runs"][0]["not_done_or_na"][0]["reason"] == "Awaiting, allocation"


def test_the_report_command_writes_each_format(world: World, tmp_path: Path, monkeypatch) -> None:
    world.open("Casey", "43/11111/26")
    db_file = world.service.uow.db.execute("pragma database_list").fetchone()[2]
    monkeypatch.setenv("SOTERIA_DB", db_file)
    monkeypatch.setenv("SOTERIA_PLAYBOOKS", str(tmp_path / "playbooks"))
    runner = CliRunner()
    table = runner.invoke(cli, ["report", "--team", "North", "--purpose", "supervision"])
    assert table.exit_code == 0
    assert "43/11111/26 · Casey" in table.output
    csv_out = runner.invoke(
        cli, ["report", "--team", "North", "--format", "csv", "--purpose", "audit"]
    )
    assert csv_out.output.count("43/11111/26") == 4
    as_json = json.loads(
        runner.invoke(cli, ["report", "--format", "json", "--purpose", "audit"]).output
    )
    assert as_json["teams"] == ["North"]
    html_file = tmp_path / "north.html"
    made = runner.invoke(
        cli,
        [
            "report",
            "--team",
            "North",
            "--format",
            "html",
            "-o",
            str(html_file),
            "--purpose",
            "audit",
        ],
    )
    assert made.exit_code == 0
    assert html_file.read_text().startswith("<!DOCTYPE html>")
    refused = runner.invoke(cli, ["report", "--format", "disclosure"])
    assert refused.exit_code == 2
    assert "--case" in refused.output
    schedule = runner.invoke(
        cli,
        ["report", "--case", "43/11111/26", "--format", "disclosure", "--purpose", "disclosure"],
    )
    assert schedule.exit_code == 0
    assert "Case opened" in schedule.output


def test_a_victim_update_answered_no_in_time_is_not_an_update_on_time(world: World) -> None:
    run_id = world.open("Casey", "43/11111/26")
    service, casey = world.service, world.people["Casey"]
    investigating.answer(service, casey, run_id, "plan", "yes")
    investigating.answer(service, casey, run_id, "records", "yes")
    investigating.answer(
        service, casey, run_id, "victim-update", "no"
    )  # not done, though answered in time
    investigating.give_reason(service, casey, run_id, "Victim not reachable")
    results = {r.id: (r.met, r.of) for r in measure(gather(service, teams=["North"]))}
    assert results["victims-code-on-time"] == (1, 2)


def test_workload_counts_every_officer_with_a_case_even_before_a_checklist(world: World) -> None:
    cases.open_case(
        world.service, world.people["Robin"], "43/22222/26"
    )  # no checklist started yet
    world.open("Casey", "43/11111/26")
    officers = {row.officer: row.cases for row in figures.workload(gather(world.service))}
    assert officers == {"Casey": 1, "Robin": 1}


ON_ARREST = """\
playbook: on-arrest
title: On arrest
version: 1
starts: {milestone: arrest}
sections:
  - id: only
    title: Only
    items:
      - id: orders
        ask: Orders considered?
        type: yes-no
"""


def test_moving_a_milestone_never_starts_a_signed_off_checklist_again(tmp_path: Path) -> None:
    world = make_world(tmp_path, {"on-arrest.yaml": ON_ARREST})
    service, casey, sam = world.service, world.people["Casey"], world.people["Sam"]
    world.open("Casey", "43/11111/26")
    assert "Started the checklist 'On arrest' on this case." in outcome_lines(
        events.record_milestone(service, casey, "43/11111/26", "arrest", world.clock().date())
    )
    run = next(
        r
        for r in cases.runs_of_case(service, casey, "43/11111/26")
        if r.playbook.id == "on-arrest"
    )
    investigating.answer(service, casey, run.run_id, "orders", "yes")
    investigating.submit(service, casey, run.run_id)
    supervising.sign_off(service, sam, run.run_id)
    arrested = world.clock().date()
    world.clock.days(1)
    moved = events.record_milestone(service, casey, "43/11111/26", "arrest", world.clock().date())
    assert outcome_lines(moved) == [
        f"Moved: Arrest or interview under caution, now {full_date(world.clock().date())}"
        f" (was {full_date(arrested)})."
    ]
    playbooks = [r.playbook.id for r in cases.runs_of_case(service, casey, "43/11111/26")]
    assert playbooks.count("on-arrest") == 1


def test_the_disclosure_schedule_never_cuts_a_name_or_checklist_short(world: World) -> None:
    long_name = "Detective Constable Alexandra Whitfield-Montgomery"
    world.people["Long"] = enrol(
        world.service.uow.db, long_name, "investigator", "North", world.clock()
    )
    world.open("Long", "43/11111/26")
    schedule = render_disclosure(world.service, "43/11111/26")
    assert f"{long_name} (user:{world.people['Long'].id})" in schedule
    assert "Review drill" in schedule
