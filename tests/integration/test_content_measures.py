"""Measures of the team report read from the shipped playbooks: the Soteria measure of intrusion
(requests into the victim's own records or devices per case, from the items tagged `intrusion`
and answered Yes) in every format the team report has (table, CSV, JSON, HTML), and the MG16
sent where bad character was found."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time

import pytest
import sqlite_utils

from bot.core.errors import InputRefused
from bot.reports.html import render_html
from bot.reports.insights import gather_insights
from bot.reports.measures import measure
from bot.reports.oversight import gather
from bot.reports.team import render_csv, render_team_table, team_dict
from bot.services import access, cases, events, investigating
from bot.services.context import Context
from bot.store.playbook_files import load_library

from ..apps import enrol, make_app
from ..conftest import PLAYBOOKS_DIR

LIBRARY = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
TWO_REQUESTS = "43/10001/26"
NONE = "43/10002/26"


def run_of(service: Context, user, ref: str, playbook_id: str) -> int:
    [run] = [r for r in cases.runs_of_case(service, user, ref) if r.playbook.id == playbook_id]
    return run.run_id


def test_requests_into_the_victims_records_are_counted_per_case_in_every_format(
    db: sqlite_utils.Database,
):
    now = datetime.combine(date(2026, 11, 12), time(10), tzinfo=UTC)
    service = make_app(db, LIBRARY, clock=lambda: now)
    officer = enrol(db, "Casey", "investigator", "north", now)
    for ref in (TWO_REQUESTS, NONE):
        cases.open_case(service, officer, ref)
        investigating.start_run(service, officer, ref, "investigation-plan")

    # Case one: the phone is asked for in the plan, which opens the requests checklist; the
    # records request is then answered in that checklist. Each is one fact in two playbooks.
    plan = run_of(service, officer, TWO_REQUESTS, "investigation-plan")
    investigating.answer(service, officer, plan, "device-extraction", "yes")
    requests = run_of(service, officer, TWO_REQUESTS, "victim-records-requests")
    shown = access.run(service, officer, requests)
    assert shown.status("device-extraction").value == "yes"  # answered once, shown in both
    investigating.answer(service, officer, requests, "vir-considered", "yes")
    assert access.run(service, officer, plan).status("vir-considered").value == "yes"
    # A statutory test answered Yes is not a request of its own.
    investigating.answer(service, officer, requests, "vir-holder", "yes")

    # Case two: neither is sought.
    other = run_of(service, officer, NONE, "investigation-plan")
    investigating.answer(service, officer, other, "vir-considered", "no")
    investigating.answer(service, officer, other, "device-extraction", "no")

    oversight = gather(service, teams=["north"])
    data = team_dict(oversight)
    by_case = {case["case"]: case["intrusion_requests"] for case in data["cases"]}
    assert by_case == {TWO_REQUESTS: 2, NONE: 0}
    assert data["intrusion"] == {"requests": 2, "cases": 2, "per_case": 1.0}

    table = render_team_table(oversight)
    assert "  Requests into the victim's records or devices: 2\n" in table
    assert "1.0  Requests into the victim's records or devices, per case (2 in 2 cases)" in table

    rows = list(csv.DictReader(io.StringIO(render_csv(oversight))))
    counted = [
        (row["case"], row["playbook"], row["item"]) for row in rows if row["intrusion_request"]
    ]
    # Each request once, on the row of the playbook that met it first.
    assert sorted(counted) == [
        (TWO_REQUESTS, "investigation-plan", "device-extraction"),
        (TWO_REQUESTS, "investigation-plan", "vir-considered"),
    ]

    page = render_html(data)
    assert "<dt>Requests into victims&#39; records or devices</dt><dd>2</dd>" in page
    assert "2 requests into the victim's records or devices</span>" in page


def test_the_mg16_measure_counts_the_cases_where_bad_character_was_found(
    db: sqlite_utils.Database,
):
    now = datetime.combine(date(2026, 11, 12), time(10), tzinfo=UTC)
    service = make_app(db, LIBRARY, clock=lambda: now)
    officer = enrol(db, "Casey", "investigator", "north", now)
    found, nothing = "43/20001/26", "43/20002/26"
    for ref in (found, nothing):
        cases.open_case(service, officer, ref)
        events.record_milestone(service, officer, ref, "suspect-identified", date(2026, 11, 12))

    with_offending = run_of(service, officer, found, "bad-character")
    investigating.answer(service, officer, with_offending, "related-found", ["violence"])
    with pytest.raises(InputRefused):  # N/A is refused once offending was found
        investigating.answer(service, officer, with_offending, "mg16-sent", "na")
    investigating.answer(service, officer, with_offending, "mg16-sent", "yes")

    nil = run_of(service, officer, nothing, "bad-character")
    investigating.answer(service, officer, nil, "related-found", ["none"])
    investigating.answer(service, officer, nil, "mg16-sent", "na")
    investigating.give_reason(
        service, officer, nil, "No bad character found; CPS told with the file"
    )

    results = {r.id: (r.met, r.of) for r in measure(gather(service, teams=["north"]))}
    # The nil return is no MG16 to send: it counts neither way.
    assert results["mg16-submitted"] == (1, 1)


def test_the_trainers_report_knows_a_preset_given_for_one_answer(db: sqlite_utils.Database):
    """`report --trainer` tells presets from typed reasons when each answer has its own."""
    now = datetime.combine(date(2026, 11, 12), time(10), tzinfo=UTC)
    service = make_app(db, LIBRARY, clock=lambda: now)
    officer = enrol(db, "Casey", "investigator", "north", now)
    for ref, reason in (("43/30001/26", "Awaiting DVDS team"), ("43/30002/26", "Typed myself")):
        cases.open_case(service, officer, ref)
        events.record_milestone(service, officer, ref, "suspect-identified", date(2026, 11, 12))
        run_id = run_of(service, officer, ref, "bad-character")
        investigating.answer(service, officer, run_id, "dvds-history", "no")
        investigating.give_reason(service, officer, run_id, reason)
    [version] = [v for v in gather_insights(service).versions if v.playbook == "bad-character"]
    [dvds] = [insight for insight in version.items if insight.item.id == "dvds-history"]
    assert sorted((r.text, r.preset) for r in dvds.top_reasons()) == [
        ("Awaiting DVDS team", True),
        ("Typed myself", False),
    ]
