"""`soteria-bot import FILE`: case events from a JSON Lines file, as an administrator runs it.

Every line goes through the chat's own use cases, as the person it names and at the time it
gives; one refused line means nothing at all is applied, and every refusal is listed as
FILE:LINE: message; a line applied once is never applied again.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services import investigating, supervising
from bot.store import log
from bot.store.db import connect

from .import_world import REF, World, answer_everything_open, item_of, person, run_of

#: The suite's "now": the Monday after the case below was reported.
NOW = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)


@pytest.fixture(name="world")
def _world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    world = World(tmp_path, monkeypatch, NOW)
    assert world.enrol("DC Officer", "investigator") == 1
    assert world.enrol("DS Supervisor", "supervisor") == 2
    assert world.enrol("DC Other", "investigator") == 3
    return world


def opened(officer: int = 1) -> dict[str, object]:
    return {"event": "open", "case": REF, "officer": officer, "at": "2026-10-01T09:30:00+01:00"}


def answer(item: str, value: object, by: int = 1, **more: object) -> dict[str, object]:
    line = {"event": "answer", "case": REF, "playbook": "bad-character", "item": item}
    return {**line, "value": value, "by": by, **more}


CASE = [
    "# North RASSO, onboarded from the records system",
    opened(),
    "",
    {"event": "milestone", "case": REF, "milestone": "suspect-identified", "date": "2026-10-02",
     "by": 1},
    answer("pnc-record", "no", reason="Awaiting identity confirmation",
           at="2026-10-02T15:00:00+01:00"),
    answer("pnd-local", "yes", at="2026-10-03T10:00:00+01:00"),
    answer("other-forces", "later", at="2026-10-03T10:05:00+01:00"),
]  # fmt: skip


def test_on_a_force_keyed_by_handle_an_imported_case_gets_a_handle_linked_to_its_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    world = World(tmp_path, monkeypatch, NOW, case_key="handle")
    world.enrol("DC Officer", "investigator")

    code, output = world.import_lines(CASE)

    assert code == 0, output
    found = re.search(r"Case 43/12345/26 opened as (C-[A-Z0-9]{6})\.", output)
    assert found is not None, output
    handle = found.group(1)
    assert output.endswith("5 lines applied, 0 already applied.\n")
    # The chat knows the case by its handle; the server finds it by either key.
    assert world.report(REF)["case"] == handle
    assert world.report(handle)["case"] == handle
    code, again = world.import_lines([answer("pnd-local", "no", reason="Not yet checked")])
    assert code == 0, again
    assert "opened as" not in again


def test_an_imported_case_reads_as_if_typed_then_by_its_officer(world: World):
    code, output = world.import_lines(CASE)

    assert code == 0, output
    assert output == "5 lines applied, 0 already applied.\n"
    report = world.report()
    # The report is dated the day the case was opened; the suspect two days later.
    assert [(e["name"], e["date"], e["recorded_by"]) for e in report["events"]] == [
        ("report", "2026-10-01", "user:1"),
        ("suspect-identified", "2026-10-02", "user:1"),
    ]
    run = run_of(report, "bad-character")
    pnc = item_of(run, "pnc-record")
    assert (pnc["status"], pnc["value"], pnc["reason"]) == (
        "not-done",
        "no",
        "Awaiting identity confirmation",
    )
    # 15:00 in London in October is 14:00 UTC: the time the line gave, not the time of import.
    assert (pnc["who"], pnc["when"]) == ("user:1", "2026-10-02T14:00:00+00:00")
    # Due within 2 calendar days of the suspect being identified (2 Oct): 4 Oct.
    assert pnc["due"] == "2026-10-04"
    assert item_of(run, "pnd-local")["when"] == "2026-10-03T09:00:00+00:00"
    assert item_of(run, "other-forces")["status"] == "later"


def test_imported_records_say_who_imported_them_and_from_which_file(world: World):
    world.import_lines(CASE, name="north-onboarding.jsonl")

    report = world.report()
    pnc = item_of(run_of(report, "bad-character"), "pnc-record")
    assert pnc["history"][0]["imported_by"] == "DS Admin"
    assert {event["imported_by"] for event in report["events"]} == {"DS Admin"}
    code, schedule = world.cli(
        "report", "--case", REF, "--format", "disclosure", "--purpose", "disclosure"
    )
    assert code == 0
    answered = next(line for line in schedule.splitlines() if "Answered 'Suspect's PNC" in line)
    assert "(imported from north-onboarding.jsonl by DS Admin)" in answered


def test_the_log_still_verifies_and_keeps_one_record_of_the_import(world: World):
    world.import_lines(CASE, name="north-onboarding.jsonl")

    code, output = world.cli("verify")
    assert code == 0, output
    assert output.startswith("Log verified: ")
    db = connect(world.db_path)
    try:
        [record] = [r.entry for r in log.entries(db) if r.entry.kind == "imported"]
    finally:
        db.close()
    assert record.detail["file"] == "north-onboarding.jsonl"
    assert record.detail["by"] == "DS Admin"
    assert record.detail["applied"] == "5"


def test_importing_the_same_file_again_applies_nothing(world: World):
    path = world.write(CASE)
    world.cli("import", str(path), "--as", "DS Admin")
    before = world.dump()

    code, output = world.cli("import", str(path), "--as", "DS Admin")

    assert code == 0, output
    assert output == "0 lines applied, 5 already applied.\n"
    assert world.dump() == before


def test_a_file_grown_since_its_last_import_applies_only_its_new_lines(world: World):
    world.import_lines(CASE)

    code, output = world.import_lines(
        [*CASE, answer("other-forces", "yes", at="2026-10-04T11:00:00+01:00")]
    )

    assert code == 0, output
    assert output == "1 line applied, 5 already applied.\n"
    forces = item_of(run_of(world.report(), "bad-character"), "other-forces")
    assert (forces["status"], forces["value"]) == ("done", "yes")


BAD = [
    opened(),
    '{"event": "open", "case": }',
    {"event": "close", "case": REF, "by": 2},
    {"event": "milestone", "case": REF, "date": "2026-10-02", "by": 1},
    {"event": "milestone", "case": REF, "milestone": "arrest", "date": "2026-10-02", "by": 99},
    {"event": "milestone", "case": "43/99999/26", "milestone": "arrest", "date": "2026-10-02",
     "by": 1},
    {"event": "milestone", "case": REF, "milestone": "suspect-identified", "date": "2026-10-02",
     "by": 1},
    {"event": "start", "case": REF, "playbook": "bad-charakter", "by": 1},
    answer("pnc-recrod", "yes"),
    answer("pnc-record", "maybe"),
    {"event": "milestone", "case": REF, "milestone": "charge", "date": "2026-09-30", "by": 1},
    answer("pnc-record", "no"),
    answer("pnc-record", "yes", by=3),
    answer("pnd-local", "yes", at="2026-10-06T09:00:00+01:00"),
    answer("pnd-local", "yes", at="2026-10-03T09:00:00+01:00"),
    answer("pnc-record", "no", reason="Spoke to Jane Smith on 07700 900123"),
    answer("pnd-local", "not yet"),
    {"event": "answer", "case": REF, "playbook": "vps-and-trial", "item": "vps-offered",
     "value": "yes", "by": 1},
    {"event": "milestone", "case": REF, "milestone": "arest", "date": "2026-10-02", "by": 1},
    {"event": "start", "case": REF, "playbook": "bad-character", "by": 1, "when": "today"},
    answer("pnd-local", "yes", reason="Checked twice"),
    {"event": "milestone", "case": REF, "milestone": "arrest", "date": "2026-10-09", "by": 1,
     "at": "2026-10-04T09:00:00+01:00"},
]  # fmt: skip


def test_every_refused_line_is_listed_with_its_number_and_nothing_is_applied(world: World):
    path = world.write(BAD, name="bad.jsonl")
    before = world.dump()

    code, output = world.cli("import", str(path), "--as", "DS Admin")

    assert code == 1
    assert world.dump() == before
    refused = [line.removeprefix(f"{path}:") for line in output.splitlines()[:-1]]
    assert refused[:12] == [
        "2: This line is not valid JSON (expecting value at column 27).",
        '3: "close" is not an event import knows; use open, milestone, start or answer.',
        '4: A milestone line needs "milestone".',
        "5: There is no enrolled user 99; `soteria-bot users list` shows their ids.",
        "6: Case 43/99999/26 is not open: open it with an open line before this one.",
        "8: There is no checklist called 'bad-charakter'.",
        "9: Checklist bad-character has no item 'pnc-recrod'.",
        "10: \"maybe\" is not an answer to 'pnc-record'; it takes 'yes', 'no'.",
        "11: Charge can't be before the report (Thu 1 Oct 2026). "
        "Check the date, or the line that recorded that one.",
        '12: The answer "no" to \'pnc-record\' needs a reason: add "reason".',
        "13: User 3 (investigator) cannot act on case 43/12345/26: it is another officer's case.",
        '14: "at" (2026-10-06T09:00:00+01:00) is in the future.',
    ]
    assert refused[12].startswith("16: The reason for 'pnc-record' looks like ")
    assert "personal details are never kept here; rephrase it." in refused[12]
    assert refused[13:] == [
        "17: 'pnd-local' cannot be answered \"not yet\".",
        "18: 'Victim personal statement and the road to trial' (vps-and-trial) is not started "
        "on case 43/12345/26: add a start line before this one.",
        "19: 'arest' is not a milestone this force records (see milestones.yaml in the "
        "playbooks folder).",
        '20: A start line has no field "when"; it takes "case", "playbook", "by" and "at".',
        '21: The answer "yes" to \'pnd-local\' needs no reason: leave "reason" out.',
        "22: 'Arrest or interview under caution' is dated 2026-10-09, after the line's own day "
        "(2026-10-04): it takes the date it happened.",
    ]
    assert output.splitlines()[-1] == "Nothing was imported: 19 lines refused."


def test_lines_of_a_case_whose_open_line_is_refused_are_not_checked(world: World):
    # Only investigators open cases; user 2 is a supervisor.
    code, output = world.import_lines([opened(officer=2), *CASE[3:]], name="wrong.jsonl")

    assert code == 1
    assert output.splitlines() == [
        f"{world.folder / 'wrong.jsonl'}:1: Only investigators open cases.",
        "Nothing was imported: 1 line refused.",
        "4 lines of cases whose open line was refused were not checked.",
    ]


def test_a_case_opened_twice_is_refused(world: World):
    world.import_lines(CASE)

    code, output = world.import_lines([{**opened(), "at": "2026-10-02T09:00:00+01:00"}])

    assert code == 1
    assert "Case 43/12345/26 is already open (since 01 Oct 2026); open it once." in output


def test_a_reference_in_another_spelling_reaches_the_same_case(world: World):
    world.import_lines(CASE)

    world.imported([{**answer("other-forces", "yes"), "case": "43-12345-26"}])

    forces = item_of(run_of(world.report(), "bad-character"), "other-forces")
    assert forces["status"] == "done"


def test_a_line_without_a_time_is_recorded_at_the_time_of_the_import(world: World):
    world.import_lines(CASE)

    world.imported([answer("other-forces", "yes")])

    forces = item_of(run_of(world.report(), "bad-character"), "other-forces")
    assert forces["when"] == NOW.isoformat()


def test_an_answer_to_a_signed_off_checklist_reopens_it(world: World):
    world.import_lines(CASE)
    ctx = world.context()
    answer_everything_open(world, "bad-character", 1, datetime(2026, 10, 4, 8, tzinfo=UTC))
    run = run_of(world.report(), "bad-character")
    investigating.submit(ctx, person(ctx, 1), run["run"])
    supervising.sign_off(ctx, person(ctx, 2), run["run"])

    world.imported([answer("pnc-record", "yes", at="2026-10-05T09:00:00+01:00")])

    shown = run_of(world.report(), "bad-character")
    assert shown["reopened_after_sign_off"] is True
    assert item_of(shown, "pnc-record")["status"] == "done"
    assert [item_of(shown, "pnc-record")["history"][i]["value"] for i in (0, 1)] == ["no", "yes"]


def test_the_administrator_importing_must_say_who_they_are(world: World):
    code, output = world.cli("import", str(world.write(CASE)))

    assert code == 2
    assert "Missing option '--as'" in output
    assert (
        "No case"
        in world.cli("report", "--case", REF, "--format", "json", "--purpose", "audit")[1]
    )


def milestone(name: str, when: str, **more: object) -> dict[str, object]:
    return {"event": "milestone", "case": REF, "milestone": name, "date": when, "by": 1, **more}


def test_a_milestone_line_naming_its_occurrence_moves_that_occurrence(world: World):
    world.imported(
        [
            opened(),
            milestone("suspect-identified", "2026-10-02"),
            milestone("arrest", "2026-10-02"),
            milestone("bail", "2026-10-03"),
            milestone("bail-extended", "2026-10-04"),
            milestone("bail-extended", "2026-10-05"),
            milestone("bail-extended", "2026-10-03", occurrence=1),
        ]
    )

    extended = [e for e in world.report()["events"] if e["name"] == "bail-extended"]
    assert [(e["occurrence"], e["date"]) for e in extended] == [
        (1, "2026-10-03"),
        (2, "2026-10-05"),
    ]


def test_a_date_still_to_come_is_answered_not_yet_and_stays_on_the_agenda(world: World):
    world.imported(
        [
            opened(),
            milestone("interview", "2026-10-01"),  # starts the VPS and trial checklist
            milestone("suspect-identified", "2026-10-02"),
            milestone("arrest", "2026-10-02"),
            milestone("charge", "2026-10-03"),  # the trial date is asked from the charge
            {"event": "answer", "case": REF, "playbook": "vps-and-trial", "item": "trial-date",
             "value": "not yet", "by": 1, "at": "2026-10-03T12:00:00+01:00"},
        ]
    )  # fmt: skip

    trial = item_of(run_of(world.report(), "vps-and-trial"), "trial-date")
    assert (trial["status"], trial["value"]) == ("not-yet", None)
