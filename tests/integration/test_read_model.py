"""The read model reports read: kept in step with the log in the same transaction as each
record, rebuilt from the log by a command, checked against a replay of the log by `verify`, and
giving every report exactly what a replay of the log gives."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.conversation.case_view import team_line
from bot.core.errors import SoteriaError
from bot.core.people import User
from bot.reports.formats import TEAM_FORMATS
from bot.reports.insights import gather_insights, insights_dict
from bot.reports.oversight import gather
from bot.services import (
    access,
    cases,
    events,
    facts,
    handover,
    investigating,
    reviews,
    supervising,
)
from bot.services.context import Context
from bot.services.publishing import publish_files
from bot.store.cases import Scope

from .import_world import REF, World
from .oversight_world import REVIEW as FORTNIGHTLY
from .oversight_world import World as Force
from .oversight_world import make_world
from .replayed import replayed_insights, replayed_runs, reported_runs
from .test_long_case import BAIL_EXTENDED, CHARGED_AND_LISTED, OPENED, hold_review, sign_off_vps

FACTS_A = """\
playbook: facts-a
title: Facts A
version: 1
summary: Items whose standing hangs on other items and on the case's events.
sections:
  - id: one
    title: First
    items:
      - id: arrested-on
        ask: When was the suspect arrested?
        type: date
        sets: arrest
      - id: interview-plan
        ask: Interview plan agreed?
        type: yes-no
        reason: [no]
        due: {within: 2d, of: arrested-on}
        escalate: {after: 1d}
      - id: pnc
        ask: PNC checked?
        type: yes-no-na
        reason: [no, na]
        reasons: [Awaiting other force]
        due: {within: 1wd, of: report}
        countersign: true
      - id: history
        ask: Which history?
        type: multi
        options: [violence, stalking, none]
        exclusive: [none]
        when: {pnc: yes}
  - id: two
    title: Second
    items:
      - id: charged-bail
        ask: Bail conditions set at charge?
        type: yes-no
        when: {milestone: charge}
        due: {within: 2d, of: charge}
      - id: told
        ask: Victim told of this trial date?
        type: yes-no
        each: trial-listed
        due: {within: 1wd, of: trial-listed}
      - id: note
        ask: Anything else (no names)?
        type: text
        required: false
"""
FACTS_B = """\
playbook: facts-b
title: Facts B
version: 1
summary: A second checklist that asks one fact of the first.
sections:
  - id: only
    title: Only
    items:
      - id: pnc-again
        ask: PNC checked (as in Facts A)?
        type: yes-no-na
        reason: [no, na]
        same-as: facts-a/pnc
      - id: follow
        ask: Follow-up made?
        type: yes-no
        when: {pnc-again: yes}
        due: {within: 3d, of: report}
"""
#: The small force's fortnightly review, held at each charge too.
REVIEW = FORTNIGHTLY.replace("  from: report\n", "  from: report\n  on: [charge]\n")
R1, R2 = "43/10001/26", "43/10002/26"


def agrees(ctx: Context) -> None:
    """The read model says what a replay of the log says, row for row."""
    found = facts.check(ctx)
    assert found.ok, found.message


def same_reports(ctx: Context) -> None:
    """Every report's facts are what a replay of the log gives."""
    assert reported_runs(gather(ctx)) == {
        run_id: {key: run[key] for key in ("state", "last_activity", "items")}
        for run_id, run in replayed_runs(ctx).items()
    }


@pytest.fixture(name="force")
def _force(tmp_path: Path) -> Force:
    return make_world(
        tmp_path,
        extra={"facts-a.yaml": FACTS_A, "facts-b.yaml": FACTS_B, "review.yaml": REVIEW},
    )


def start(force: Force, who: str, ref: str, playbook: str) -> int:
    outcome = investigating.start_run(force.service, force.people[who], ref, playbook)
    assert outcome.run is not None
    return outcome.run.run_id


def give(ctx: Context, user: User, run_id: int, item_id: str, value: object) -> None:
    """Answer an item, opening it first where the run is no longer asking."""
    if access.run(ctx, user, run_id).state not in ("asking", "awaiting_reason"):
        investigating.revisit(ctx, user, run_id, item_id)
    investigating.answer(ctx, user, run_id, item_id, value)


def test_every_step_of_a_case_keeps_the_read_model_in_step_with_the_log(
    force: Force, tmp_path: Path
):
    ctx, people = force.service, force.people
    casey, sam, tam = people["Casey"], people["Sam"], people["Trainee Tam"]
    steps = []

    def step(name: str) -> None:
        agrees(ctx)
        steps.append(name)

    cases.open_case(ctx, casey, R1)
    a = start(force, "Casey", R1, "facts-a")
    b = start(force, "Casey", R1, "facts-b")
    step("opened and started")
    give(ctx, casey, a, "arrested-on", date(2026, 11, 3))  # records the arrest
    step("a date that records a milestone")
    give(ctx, casey, a, "interview-plan", "no")
    investigating.give_reason(ctx, casey, a, "Waiting for the interpreter")
    step("an answer that needs a reason, and its reason")
    give(ctx, casey, a, "pnc", "yes")  # shared with facts-b; history goes live
    step("a fact two checklists share")
    give(ctx, casey, a, "history", {"violence"})
    investigating.defer(ctx, casey, a, "note")
    step("a multi answer and one put off")
    give(ctx, casey, a, "pnc", "na")  # a correction: history is no longer live
    investigating.give_reason(ctx, casey, a, "Awaiting other force")
    step("a correction that changes what else is live")
    give(ctx, casey, b, "pnc-again", "yes")  # the shared fact, from the other side
    step("the shared fact answered in the second checklist")
    force.clock.days(1)
    give(ctx, casey, a, "arrested-on", date(2026, 11, 2))  # moves the due date
    step("a date item moved: the due date hanging on it moves")
    events.record_milestone(ctx, casey, R1, "trial-listed", date(2026, 11, 20))
    events.record_milestone(ctx, casey, R1, "trial-listed", date(2026, 12, 4))
    step("a repeating event twice: an item per occurrence")
    give(ctx, casey, a, "told@1", "yes")
    events.record_milestone(ctx, casey, R1, "trial-listed", date(2026, 11, 27), occurrence=1)
    step("an occurrence moved")
    give(ctx, casey, a, "told@2", "yes")
    give(ctx, casey, a, "note", "Nothing more")
    investigating.submit(ctx, casey, a)
    step("submitted")
    supervising.challenge(ctx, sam, a, "interview-plan", "Why no plan yet?")
    step("challenged")
    supervising.reply_to_challenge(ctx, casey, a, "interview-plan", "Interpreter booked")
    step("challenge answered")
    supervising.sign_off(ctx, sam, a, "Fine")
    step("signed off")
    events.record_milestone(ctx, casey, R1, "charge", date(2026, 11, 10))
    step("a later event reopens a signed-off run")
    give(ctx, casey, a, "charged-bail", "yes")
    investigating.submit(ctx, casey, a)
    supervising.send_back(ctx, sam, a, "Say what the conditions are")
    step("returned")
    reviews.start_review(ctx, sam, R1, "review")
    step("a recurring review started")

    cases.open_case(ctx, tam, R2)
    c = start(force, "Trainee Tam", R2, "facts-a")
    investigating.not_yet(ctx, tam, c, "arrested-on")
    give(ctx, tam, c, "interview-plan", "yes")
    give(ctx, tam, c, "pnc", "yes")
    step("a trainee's answer waiting for a countersignature")
    supervising.countersign(ctx, sam, c, "pnc")
    step("countersigned")
    offered = handover.offer(ctx, sam, R2, casey.id)
    handover.accept(ctx, casey, offered.id)
    step("handed over")
    supervising.close_case(ctx, sam, R2, "other")
    step("closed")

    newer = FACTS_A.replace("version: 1", "version: 2").replace(
        "      - id: note\n",
        "      - id: extra\n        ask: One more?\n        type: yes-no\n"
        "        required: false\n      - id: note\n",
    )
    (tmp_path / "playbooks" / "facts-a.yaml").write_text(newer, encoding="utf-8")
    assert publish_files(ctx, [tmp_path / "playbooks"], None, "DS Trainer").ok
    cases.open_case(ctx, casey, "43/10003/26")
    d = start(force, "Casey", "43/10003/26", "facts-a")
    give(ctx, casey, d, "pnc", "yes")  # an answer made on version 1
    force.clock.days(1)
    cases.open_case(ctx, casey, "43/10004/26")
    e = start(force, "Casey", "43/10004/26", "facts-a")  # on version 2
    step("a run on the newer version beside one on the older")
    del e
    force.clock.days(30)
    step("a month on: only standings change, worked out when read")
    same_reports(ctx)
    assert len(steps) >= 20


def test_each_supervisory_review_starts_blank_in_the_read_model(force: Force):
    """A recurring playbook's runs take nothing from each other but their `same-as` facts
    (`shares_with`): the read model's rows for a later review say what that review says, open,
    and answering it leaves the earlier review's rows as they were."""
    ctx, casey, sam = force.service, force.people["Casey"], force.people["Sam"]
    cases.open_case(ctx, casey, R1)
    force.clock.days(15)
    first = reviews.start_review(ctx, sam, R1, "review").run
    assert first is not None
    give(ctx, sam, first.run_id, "on-target", "yes")
    investigating.submit(ctx, sam, first.run_id)  # held
    agrees(ctx)
    force.clock.days(14)
    second = reviews.start_review(ctx, sam, R1, "review").run
    assert second is not None
    assert second.run_id != first.run_id
    agrees(ctx)

    def on_target() -> dict[int, str]:
        return {
            run.run_id: next(f.status for f in run.items if f.item.id == "on-target")
            for _case, run in gather(ctx).runs()
            if run.playbook.id == "review"
        }

    assert on_target() == {first.run_id: "done", second.run_id: "open"}
    give(ctx, sam, second.run_id, "on-target", "no")
    agrees(ctx)
    assert on_target() == {first.run_id: "done", second.run_id: "done"}
    same_reports(ctx)


def answer_then_refuse(ctx: Context, run_id: int) -> None:
    """Answer PNC in a nested transaction that is then refused half-way."""
    with ctx.transaction() as inner:
        kept = inner.runs.get(run_id)
        assert kept is not None
        inner.runs.save(kept, kept.run.answer("pnc", "yes", "user:1", ctx.now()))
        raise SoteriaError("refused half-way")


def test_a_savepoint_rolled_back_inside_a_kept_transaction_leaves_no_trace(force: Force):
    ctx, casey = force.service, force.people["Casey"]
    cases.open_case(ctx, casey, R1)
    a = start(force, "Casey", R1, "facts-a")
    with ctx.transaction() as uow:
        stored = uow.runs.get(a)
        assert stored is not None
        uow.runs.save(stored, stored.run.answer("interview-plan", "yes", "user:1", ctx.now()))
        with pytest.raises(SoteriaError):
            answer_then_refuse(ctx, a)
    agrees(ctx)
    [run] = [r for _c, r in gather(ctx).runs() if r.run_id == a]
    assert {f.item.id: f.status for f in run.items}["pnc"] == "open"


def test_a_refused_write_leaves_the_read_model_as_it_was(force: Force):
    ctx, casey = force.service, force.people["Casey"]
    cases.open_case(ctx, casey, R1)
    a = start(force, "Casey", R1, "facts-a")
    before = reported_runs(gather(ctx))
    with pytest.raises(SoteriaError):
        investigating.answer(ctx, casey, a, "history", {"violence", "none"})  # not live yet
    agrees(ctx)
    assert reported_runs(gather(ctx)) == before


def test_an_answer_writes_its_rows_without_building_a_temporary_table(force: Force):
    # A partial index whose condition was `status IN (...)` made SQLite build a temporary table
    # for the list at every row written (about 40 microseconds on each answer's read-model row,
    # where the row itself takes 10).
    ctx, casey = force.service, force.people["Casey"]
    cases.open_case(ctx, casey, R1)
    a = start(force, "Casey", R1, "facts-a")
    conn = ctx.uow.db.conn
    written: list[str] = []
    conn.set_trace_callback(written.append)
    try:
        give(ctx, casey, a, "arrested-on", date(2026, 11, 3))
        give(ctx, casey, a, "interview-plan", "no")
        investigating.give_reason(ctx, casey, a, "Waiting for the interpreter")
    finally:
        conn.set_trace_callback(None)
    writes = [sql for sql in written if sql.lstrip().split()[0].upper() in ("INSERT", "UPDATE")]
    assert any("item_facts" in sql for sql in writes)
    temporary = [
        sql
        for sql in writes
        if any(step[1] == "OpenEphemeral" for step in conn.execute(f"EXPLAIN {sql}"))
    ]
    assert temporary == []


def test_the_escalation_scan_reads_only_the_index_of_rows_still_waiting(force: Force):
    ctx, casey = force.service, force.people["Casey"]
    cases.open_case(ctx, casey, R1)
    start(force, "Casey", R1, "facts-a")
    conn = ctx.uow.db.conn
    asked: list[str] = []
    conn.set_trace_callback(asked.append)
    try:
        ctx.uow.facts.waiting_past(Scope(None), date(2027, 1, 1))
    finally:
        conn.set_trace_callback(None)
    [scan] = [sql for sql in asked if "item_facts" in sql]
    plan = " ".join(step[3] for step in conn.execute(f"EXPLAIN QUERY PLAN {scan}"))
    assert "USING INDEX item_facts_waiting" in plan


# --- a real two-year case, imported as an administrator imports one -----------------------------


@pytest.fixture(name="world")
def _world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    world = World(tmp_path, monkeypatch, datetime(2027, 1, 20, 12, tzinfo=UTC))
    assert world.enrol("DC Officer", "investigator") == 1
    assert world.enrol("DS Supervisor", "supervisor") == 2
    world.now = datetime(2027, 1, 20, 12, tzinfo=UTC)
    world.imported(OPENED)
    hold_review(world, datetime(2027, 2, 1, 10, tzinfo=UTC))
    world.now = datetime(2027, 10, 20, 12, tzinfo=UTC)
    world.imported(BAIL_EXTENDED)
    world.now = datetime(2027, 12, 31, 12, tzinfo=UTC)
    world.imported(CHARGED_AND_LISTED)
    sign_off_vps(world, datetime(2028, 1, 10, 12, tzinfo=UTC))
    world.now = datetime(2028, 4, 20, 12, tzinfo=UTC)
    world.imported(
        [
            {"event": "milestone", "case": REF, "milestone": "trial-listed", "date": "2028-04-13",
             "by": 1, "at": "2028-04-13T11:00:00+01:00"},
        ]
    )  # fmt: skip
    return world


def every_report(ctx: Context) -> dict[str, str]:
    """Every team format, field feedback and the chat's /team and /case, as text."""
    oversight = gather(ctx)
    found = {fmt: render(oversight) for fmt, render in TEAM_FORMATS.items()}
    found["insights"] = repr(insights_dict(gather_insights(ctx)))
    return found


@pytest.mark.parametrize("today", [date(2028, 4, 20), date(2028, 9, 1), date(2029, 1, 1)])
def test_a_two_year_case_reports_exactly_what_a_replay_of_its_log_gives(world: World, today):
    world.now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=12)
    ctx = world.context()
    agrees(ctx)
    same_reports(ctx)
    insights = gather_insights(ctx)
    counted = {
        (version.playbook, version.version, insight.item.id): (
            insight.asked, insight.no, insight.na, insight.later, insight.challenged,
            insight.with_due, insight.overdue, insight.still_open, insight.median_days,
            sorted(insight.reasons.items(), key=lambda pair: (-pair[1], pair[0])),
        )
        for version, insight in insights.items()
        if insight.asked
    }  # fmt: skip
    assert counted == replayed_insights(ctx)
    kept = every_report(ctx)
    facts.rebuild(ctx)
    assert every_report(ctx) == kept


def team_views(ctx: Context, live_only: bool) -> tuple[str, list[str]]:
    """The team table, and /team's line for each case, from the facts gathered."""
    oversight = gather(ctx, live_only=live_only)
    return TEAM_FORMATS["table"](oversight), [team_line(case) for case in oversight.cases]


@pytest.mark.parametrize("today", [date(2028, 4, 20), date(2028, 9, 1), date(2029, 1, 1)])
def test_the_team_table_and_team_say_the_same_from_the_rows_of_live_items_alone(
    world: World, today
):
    world.now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=12)
    ctx = world.context()
    every_row = team_views(ctx, live_only=False)
    asked: list[str] = []
    ctx.uow.db.conn.set_trace_callback(asked.append)
    try:
        live_rows = team_views(ctx, live_only=True)
    finally:
        ctx.uow.db.conn.set_trace_callback(None)
    assert live_rows == every_row
    assert REF in every_row[0]  # the case is there to compare: its runs, counts and risk
    assert len(every_row[1]) == 1
    # Half of a force's item rows are of items not asked: they are not even read.
    [items] = [sql for sql in asked if "FROM item_facts" in sql]
    assert "status != 'not-live'" in items


def test_verify_names_a_read_model_row_that_disagrees_with_the_log(world: World):
    code, output = world.cli("verify")
    assert code == 0, output
    assert "Read model agrees with the log" in output
    conn = sqlite3.connect(world.db_path)
    with conn:
        run_id, place, item = conn.execute(
            "SELECT run_id, place, item FROM item_facts WHERE status = 'done' ORDER BY run_id, place"
            " LIMIT 1"
        ).fetchone()
        conn.execute(
            "UPDATE item_facts SET status = 'open' WHERE run_id = ? AND place = ?", [run_id, place]
        )
    conn.close()

    code, output = world.cli("verify")

    assert code == 1
    assert f"run {run_id} ({REF}" in output
    assert f"item {item}: status is 'open' in the read model but 'done' in a replay" in output
    code, output = world.cli("rebuild-read-model")
    assert code == 0, output
    code, output = world.cli("verify")
    assert code == 0, output


def test_verify_finds_a_run_the_read_model_lost(world: World):
    conn = sqlite3.connect(world.db_path)
    with conn:
        (run_id,) = conn.execute("SELECT max(run_id) FROM run_facts").fetchone()
        conn.execute("DELETE FROM run_facts WHERE run_id = ?", [run_id])
    conn.close()

    code, output = world.cli("verify")

    assert code == 1
    assert f"run {run_id} (" in output
    assert "has no row" in output


def rewind(world: World, undone: list[str], since: str) -> None:
    """Take the database back to before a migration: undo what it and later ones made, and
    forget that they ran."""
    conn = sqlite3.connect(world.db_path)
    with conn:
        for statement in undone:
            conn.execute(statement)
        conn.execute("DELETE FROM _sqlite_migrations WHERE name >= ?", [since])
    conn.close()


def test_a_database_from_before_the_read_model_gets_it_built_when_first_opened(world: World):
    kept = every_report(world.context())
    tables = ("item_facts", "run_facts", "read_model")
    rewind(world, [f"DROP TABLE {table}" for table in tables], since="0017-read-model")

    ctx = world.context()  # migrates, then builds the read model from the log

    assert ctx.uow.facts.state()[1] is True
    agrees(ctx)
    assert every_report(ctx) == kept


def test_a_read_model_from_before_the_times_to_answer_gets_them_when_first_opened(world: World):
    kept = every_report(world.context())
    indexes = ("item_facts_tally", "item_facts_reasons", "item_facts_waiting")
    undone = [f"DROP INDEX {index}" for index in indexes]
    undone.append("ALTER TABLE item_facts DROP COLUMN time_to_answer")
    rewind(world, undone, since="0018-read-model-tallies")

    ctx = world.context()  # migrates: the times are worked out from the rows already kept

    agrees(ctx)
    assert every_report(ctx) == kept


def test_verify_names_an_item_whose_time_to_answer_disagrees_with_the_log(world: World):
    conn = sqlite3.connect(world.db_path)
    with conn:
        run_id, place, item, micros = conn.execute(
            "SELECT run_id, place, item, time_to_answer FROM item_facts"
            " WHERE time_to_answer IS NOT NULL ORDER BY run_id, place LIMIT 1"
        ).fetchone()
        conn.execute(
            "UPDATE item_facts SET time_to_answer = time_to_answer + 1"
            " WHERE run_id = ? AND place = ?",
            [run_id, place],
        )
    conn.close()

    code, output = world.cli("verify")

    assert code == 1
    assert (
        f"item {item}: time_to_answer is {micros + 1} in the read model but {micros} in a replay"
        in output
    )
