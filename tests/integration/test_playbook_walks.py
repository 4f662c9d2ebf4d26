"""Each shipped playbook walked to submission over a real database: branches, reasons, due dates.

Every walk uses the real Context, the real SQLite file and the real library in playbooks/, with
the clock pinned to one day. `Walk.step` first checks that the item about to be answered is the
question the investigator is shown next, so each walk also reads as the order of the questions.
Expected due dates are worked out by hand in the comments, against the England and Wales bank
holidays of 2026 and 2027 (Good Friday 3 Apr 2026, Easter Monday 6 Apr 2026, early May 4 May
2026, summer 31 Aug 2026, Christmas Fri 25 Dec 2026, Boxing Day substitute Mon 28 Dec 2026,
New Year Fri 1 Jan 2027, Good Friday 26 Mar 2027, Easter Monday 29 Mar 2027, early May Mon 3 May
2027, spring Mon 31 May 2027, summer Mon 30 Aug 2027, Christmas substitutes Mon 27 and Tue 28 Dec
2027). Months count as the law counts "a period of N months beginning with" a day: it ends the
day before the same date N months on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import sqlite_utils

from bot.conversation.said import outcome_lines
from bot.core.errors import InputRefused, NotAllowed
from bot.core.people import User
from bot.core.run import Run
from bot.reports.case import case_report
from bot.services import access, cases, deadlines, events, investigating
from bot.services.context import Context
from bot.store import log
from bot.store.playbook_files import load_library

from ..apps import enrol, make_app
from ..conftest import PLAYBOOKS_DIR

LIBRARY = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
REF = "43/12345/26"
STARTED = "Started the checklist '{}' on this case."
BAD_CHARACTER = "Bad character - the suspect's previous conduct"
VPS_AND_TRIAL = "Victim personal statement and the road to trial"
NFA_AND_REVIEW = "NFA, withdrawal and the right to review"
EARLY_ADVICE = "Early advice, charging and NFA"
OTHER = "Other (recorded in the force system)"


def milestone(service: Context, user: User, ref: str, name: str, when: date) -> list[str]:
    """Record a milestone; what it set going, as the investigator is told it."""
    return outcome_lines(events.record_milestone(service, user, ref, name, when))


def service_on(db: sqlite_utils.Database, today: date) -> Context:
    """A service whose clock stands still at 10:00 UTC on `today`."""
    now = datetime.combine(today, time(10), tzinfo=UTC)
    return make_app(db, LIBRARY, clock=lambda: now)


def investigator(service: Context) -> User:
    return enrol(service.uow.db, "Owner", "investigator", "north", service.clock())


def open_case(service: Context, user: User, reported: date) -> None:
    """Open the case in the bot today, and give the date the crime was reported."""
    cases.open_case(service, user, REF)
    if reported != service.today():
        milestone(service, user, REF, "report", reported)


@dataclass
class Walk:
    """One run being walked: answers go through the service and are remembered for the report."""

    service: Context
    user: User
    run_id: int
    given: dict[str, tuple[Any, str | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, service: Context, user: User, playbook_id: str) -> Walk:
        """The walk of the case's run of this playbook, which must already be under way."""
        runs = [
            run for run in cases.runs_of_case(service, user, REF) if run.playbook.id == playbook_id
        ]
        assert len(runs) == 1, f"one run of {playbook_id} expected"
        return cls(service, user, runs[0].run_id)

    def run(self) -> Run:
        return access.run(self.service, self.user, self.run_id)

    def asked(self) -> str | None:
        """The id of the question the investigator is shown now."""
        current = self.run().current()
        return current.id if current else None

    def step(self, item_id: str, value: Any, reason: str | None = None) -> list[str]:
        """Answer the question shown now (it must be `item_id`), with a reason if one is asked."""
        assert self.asked() == item_id
        outcome = investigating.answer(self.service, self.user, self.run_id, item_id, value)
        assert (outcome.run.state == "awaiting_reason") == (reason is not None), item_id
        if reason is not None:
            investigating.give_reason(self.service, self.user, self.run_id, reason)
        self.given[item_id] = (value, reason)
        return outcome_lines(outcome.facts)

    def change(self, item_id: str, value: Any, reason: str | None = None) -> list[str]:
        """Go back to an earlier item and correct its answer."""
        investigating.revisit(self.service, self.user, self.run_id, item_id)
        return self.step(item_id, value, reason)

    def later(self, item_id: str) -> None:
        assert self.asked() == item_id
        investigating.defer(self.service, self.user, self.run_id, item_id)

    def not_yet(self, item_id: str) -> None:
        """Answer the question shown now 'not yet': settled, and still on the agenda."""
        assert self.asked() == item_id
        investigating.not_yet(self.service, self.user, self.run_id, item_id)
        assert self.run().status(item_id).status == "not-yet"

    def computed(self, item_id: str) -> date | None:
        """The date a date item offers to take with one tap."""
        run = self.run()
        return deadlines.computed_date(self.service, run, run.item(item_id))

    def due(self, item_id: str) -> date | None:
        return deadlines.due(self.service, self.run(), item_id)

    def refuse_submit(self, *unexplained: str) -> None:
        """Submit is refused, counting the unexplained items and naming the first three."""
        playbook, state = self.run().playbook, self.run().state
        recorded = len(log.entries(self.service.uow.db))
        with pytest.raises(NotAllowed) as refused:
            investigating.submit(self.service, self.user, self.run_id)
        message = str(refused.value)
        counted = (
            "1 item still needs"
            if len(unexplained) == 1
            else f"{len(unexplained)} items still need"
        )
        assert message.startswith(f"{counted} an answer or a reason")
        for item_id in unexplained[:3]:
            assert playbook.item(item_id).ask in message
        assert self.run().state == state  # nothing moved, and nothing was recorded
        assert len(log.entries(self.service.uow.db)) == recorded

    def submit_and_report(self) -> dict[str, dict[str, Any]]:
        """Submit; check the state, the log and that the case report lists every answer given."""
        assert investigating.submit(self.service, self.user, self.run_id).run.state == "submitted"
        assert self.run().state == "submitted"
        assert log.verify(self.service.uow.db).ok
        report = case_report(self.service, REF)
        [shown] = [run for run in report["runs"] if run["run"] == self.run_id]
        assert shown["state"] == "submitted"
        items = {item["id"]: item for item in shown["items"]}
        for item_id, (value, reason) in self.given.items():
            reported = items[item_id]
            if isinstance(value, list):
                # Kept in the order of the trainer's options, whatever order they were ticked in.
                options = self.run().playbook.item(item_id).options
                assert json.loads(reported["value"]) == sorted(value, key=options.index), item_id
            elif isinstance(value, date):
                assert reported["value"] == value.isoformat(), item_id
            else:
                assert reported["value"] == value, item_id
            assert reported["reason"] == reason, item_id
        return items


@pytest.fixture(name="db_today")
def _db_today(db: sqlite_utils.Database):
    """Build a service over the test's database with the clock pinned to a given day."""
    return lambda today: service_on(db, today)


def test_initial_report_walks_to_submission_with_christmas_working_days(db_today):
    """initial-report: risk branch, a no that skips its follow-up, interview date starts VPS."""
    service = db_today(date(2026, 12, 23))  # a Wednesday, two days before Christmas
    user = investigator(service)
    open_case(service, user, reported=date(2026, 12, 23))
    assert "initial-report" in [playbook.id for playbook in service.catalog.suggested()]
    investigating.start_run(service, user, REF, "initial-report")
    walk = Walk.of(service, user, "initial-report")

    # Reported Wed 23 Dec 2026. Right 4's 2 working days: Thu 24 (1); Fri 25 Christmas, the
    # weekend and Mon 28 (Boxing Day's substitute) are skipped; Tue 29 (2).
    assert walk.due("support-referral") == date(2026, 12, 29)
    # 5 working days: Thu 24, Tue 29, Wed 30, Thu 31 (4); Fri 1 Jan is New Year's Day; Mon 4 (5).
    assert walk.due("written-confirmation") == date(2027, 1, 4)
    # 1 calendar day, holiday or not.
    assert walk.due("safeguarding-risk") == date(2026, 12, 24)

    walk.step("safeguarding-risk", "yes")
    assert walk.asked() == "risk-level"  # the branch a yes opens
    walk.step("risk-level", "standard")
    walk.step("specialist-officer", "no", reason="None available on shift")
    walk.step("written-confirmation", "yes")
    walk.step("confirmation-contents", "yes")
    walk.step("confirmation-safe-route", "yes")
    walk.step("needs-assessment", "yes")
    walk.step("communication-assessed", "no", reason="Victim not yet contactable")
    assert walk.asked() == "support-referral"  # nothing about the help in place after a no
    walk.step("support-referral", "yes")
    walk.step("isva-offered", "yes")
    walk.step("isva-consent", "na")  # only a no needs a reason here
    walk.step("therapy-information", "yes")
    walk.step("vps-explained", "no", reason="To be given at next contact")
    walk.step("anonymity-explained", "yes")
    walk.step("social-media-advice", "yes")
    walk.step("restorative-justice-note", "ok")
    walk.step("contact-plan-agreed", "yes")
    walk.step("contact-means", ["text message", "through the ISVA"])
    walk.step("contact-frequency", "fortnightly")
    walk.step("timed-contact", "na")
    walk.step("interviewer-choice", "yes")
    walk.step("interviewer-request-met", "na")  # the victim made no request
    walk.step("supporter-offered", "yes")
    walk.step("intermediary-considered", "yes")
    walk.step("intermediary-needed", "no")
    notices = walk.step("interview-date", date(2027, 1, 6))  # booked: a date item with dates: any
    assert notices == [
        "Recorded: Victim's interview (ABE / VRI), Wed 6 Jan 2027.",
        STARTED.format(VPS_AND_TRIAL),
    ]
    walk.later("protected-characteristics")
    assert walk.run().state == "review"  # nothing left to ask now...
    walk.refuse_submit("protected-characteristics")  # ...but a Later still blocks submission
    walk.change("protected-characteristics", "yes")

    items = walk.submit_and_report()
    assert items["specialist-officer"]["status"] == "not-done"
    assert items["timed-contact"]["status"] == "na"
    assert items["communication-in-place"]["status"] == "not-live"
    assert items["written-confirmation"]["due"] == "2027-01-04"
    assert items["support-referral"]["due"] == "2026-12-29"
    assert case_report(service, REF)["milestones"]["interview"] == "2027-01-06"


def test_investigation_plan_walks_to_the_arrest_over_easter(db_today):
    """investigation-plan: 'not yet' settles the events still to come, the identification brings
    the suspect items, previous allegations are one fact with bad character, arrest date last."""
    service = db_today(date(2026, 4, 2))  # Thursday before Good Friday
    user = investigator(service)
    open_case(service, user, reported=date(2026, 3, 30))
    investigating.start_run(service, user, REF, "investigation-plan")
    walk = Walk.of(service, user, "investigation-plan")
    # 2 calendar days after the report on Mon 30 Mar.
    assert walk.due("plan-opened") == date(2026, 4, 1)
    assert walk.due("identification-lines") == date(2026, 4, 1)

    walk.step("plan-opened", "yes")
    walk.step("plan-dates", "no", reason="Plan still being drafted")
    walk.step("relationship", "known to the victim")
    # No suspect yet: 'not yet' settles the date and the lines to identify one are asked.
    walk.not_yet("suspect-identified-date")
    assert walk.asked() == "identification-lines"
    walk.step("identification-lines", "yes")
    walk.step("repeat-indicators", "no")
    assert walk.asked() == "scas"  # asked while no suspect is identified
    walk.step("scas", "no", reason="Awaiting SCAS reply")
    walk.not_yet("intimidation")
    walk.step("vir-considered", "no")
    walk.step("device-extraction", "no")  # neither gate opens the requests checklist
    walk.not_yet("withdrawal-date")
    # Everything asked now is settled: the three 'not yet' answers do not block submission.
    assert walk.run().state == "review"
    assert walk.run().unexplained() == []

    # The suspect is identified on Tue 31 Mar: the date replaces 'not yet'.
    notices = walk.change("suspect-identified-date", date(2026, 3, 31))
    assert notices[0] == "Recorded: Suspect identified, Tue 31 Mar 2026."
    assert STARTED.format(BAD_CHARACTER) in notices
    assert STARTED.format(EARLY_ADVICE) in notices
    assert walk.asked() == "rso-orders-checked"  # identification-lines is no longer asked
    # 2 calendar days after the suspect was identified on Tue 31 Mar.
    assert walk.due("rso-orders-checked") == date(2026, 4, 2)
    walk.step("rso-orders-checked", "yes")
    # Previous allegations: 28 days after Tue 31 Mar is Tue 28 Apr. The checks are pending,
    # so 'not yet' keeps it on the agenda with that date.
    assert walk.due("previous-allegations") == date(2026, 4, 28)
    walk.not_yet("previous-allegations")
    # The same fact answered in the bad character checklist shows here too.
    history = Walk.of(service, user, "bad-character")
    investigating.answer(service, user, history.run_id, "previous-allegations", "found")
    shared = walk.run().status("previous-allegations")
    assert (shared.status, shared.value) == ("done", "found")
    assert history.run().status("previous-allegations").value == "found"
    walk.step("order-breach", "no")
    assert walk.asked() == "digital-strategy"  # no breach to act on
    walk.step("digital-strategy", "yes")
    walk.step("pre-post-offence", "yes")
    walk.step("grooming-coercion", "yes")
    walk.step("other-offences", "na")
    walk.step("associates", "na", reason="No such people known")
    # Known to the victim, identified, no repeat signs: SCAS is no longer asked.
    walk.not_yet("other-victims")
    assert walk.asked() == "suspect-interview-plan"  # the settled items are not asked again
    walk.step("suspect-interview-plan", "yes")
    walk.step("interview-consent-steps", "yes")
    walk.step("interview-adviser", "na")
    walk.step("pre-interview-disclosure", "yes")
    walk.step("special-warnings", "na")
    assert not walk.run().is_live(walk.run().playbook.item("victim-told-arrest"))
    walk.refuse_submit("arrest-date")
    notices = walk.step("arrest-date", date(2026, 4, 2))
    assert STARTED.format("Protective and preventative orders") in notices
    assert walk.asked() == "victim-told-arrest"  # live once the arrest is recorded
    # 1 working day after Thu 2 Apr: Good Friday, the weekend and Easter Monday are skipped.
    assert walk.due("victim-told-arrest") == date(2026, 4, 7)
    walk.step("victim-told-arrest", "yes")

    del walk.given["scas"]  # answered while it was asked; no longer asked, so not shown live
    items = walk.submit_and_report()
    assert items["scas"]["status"] == "not-live"
    assert items["identification-lines"]["status"] == "not-live"
    assert items["intimidation"]["status"] == "not-yet"
    assert items["withdrawal-date"]["status"] == "not-yet"
    assert items["other-victims"]["status"] == "not-yet"
    assert items["previous-allegations"]["value"] == "found"
    assert items["victim-told-arrest"]["due"] == "2026-04-07"
    assert items["associates"]["status"] == "na"
    runs = [run.playbook.id for run in cases.runs_of_case(service, user, REF)]
    assert "victim-records-requests" not in runs
    assert "nfa-and-review" not in runs  # no withdrawal recorded


def test_first_enquiries_walks_the_first_72_hours_and_the_suspects_safeguarding(db_today):
    """first-enquiries: scene and victim first, suspect items once identified, dated by arrest."""
    service = db_today(date(2026, 11, 12))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 11, 2))  # a Monday
    investigating.start_run(service, user, REF, "first-enquiries")
    walk = Walk.of(service, user, "first-enquiries")
    assert walk.due("cctv-secured") == date(2026, 11, 5)  # 3 days after Mon 2 Nov
    assert walk.due("victim-fme-offered") == date(2026, 11, 3)  # 1 day
    fme = walk.run().playbook.item("victim-fme-offered")
    assert fme.presets("na") == ("Outside the forensic window", OTHER)  # presets per answer
    assert fme.presets("no")[-1] == OTHER

    walk.step("cctv-secured", "yes")
    walk.step("first-complaint", "na", reason="The victim told nobody")
    walk.step("scene-examined", "yes")
    walk.step("house-to-house", "yes")
    walk.step("victim-fme-offered", "yes")
    walk.step("early-evidence-kit", "na")
    walk.step("toxicology-considered", "na")
    assert walk.run().state == "review"  # no suspect yet: nothing about one is asked

    milestone(service, user, REF, "suspect-identified", date(2026, 11, 4))
    assert walk.asked() == "suspect-samples"
    assert walk.due("suspect-samples") is None  # counted from an arrest not yet recorded
    assert walk.due("suspect-anpr") == date(2026, 11, 7)  # 3 days after Wed 4 Nov
    milestone(service, user, REF, "arrest", date(2026, 11, 6))
    assert walk.due("suspect-samples") == date(2026, 11, 7)  # 1 day after the arrest
    walk.step("suspect-samples", "yes")
    walk.step("suspect-clothing", "yes")
    walk.step("suspect-premises", "na", reason="No premises or vehicle linked")
    walk.step("suspect-fme", "yes")
    walk.step("suspect-devices-seized", "yes")
    walk.step("suspect-anpr", "yes")
    walk.step("suspect-cell-site", "yes")
    walk.step("suspect-travel-records", "na", reason="No journey in question")
    walk.step("suspect-platform-records", "yes")
    walk.step("suspect-first-account", "yes")
    walk.step("children-contact", "yes")
    assert walk.asked() == "mash-referral"
    walk.step("mash-referral", "yes")
    walk.step("position-of-trust", "no")
    assert walk.asked() == "partner-dvds"  # no LADO question after a no
    walk.step("partner-dvds", "na")
    walk.step("intel-submitted", "yes")
    walk.step("disruption-plan", "yes")
    walk.step("disruption-tactics", ["sexual risk order", "bail conditions"])
    walk.step("disruption-owner", "yes")

    items = walk.submit_and_report()
    assert items["lado-disclosure"]["status"] == "not-live"
    assert items["suspect-samples"]["due"] == "2026-11-07"
    assert items["intel-submitted"]["due"] == "2026-11-07"  # 3 days after the identification


def test_victim_records_requests_opens_from_the_plan_and_gates_each_kind_of_request(db_today):
    """victim-records-requests: opened by a yes in the plan, the same fact shown answered in
    both checklists, each statutory test asked for the kind of request being considered."""
    service = db_today(date(2026, 11, 12))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 11, 2))
    investigating.start_run(service, user, REF, "investigation-plan")
    plan = Walk.of(service, user, "investigation-plan")
    notices = outcome_lines(
        investigating.answer(service, user, plan.run_id, "device-extraction", "yes").facts
    )
    assert notices == [
        "Opened the checklist 'Requests into the victim's records and devices' on this case."
    ]
    walk = Walk.of(service, user, "victim-records-requests")
    playbook = walk.run().playbook
    gates = {item.id for item in playbook.items if item.focus == "intrusion"}
    assert gates == {"vir-considered", "device-extraction"}  # a Yes to either is a request
    assert all(item.focus in ("intrusion", "context", "victim") for item in playbook.items)
    # The phone was asked about in the plan: answered once, shown here.
    shown = walk.run().status("device-extraction")
    assert (shown.status, shown.value) == ("done", "yes")
    assert walk.asked() == "vir-considered"
    walk.step("vir-considered", "no")
    # Answered here, shown in the plan.
    assert plan.run().status("vir-considered").value == "no"
    assert walk.asked() == "device-line-of-enquiry"  # nothing about third-party records
    walk.step("device-line-of-enquiry", "yes")
    walk.step("device-necessary", "yes")
    walk.step("device-less-intrusive", "yes")
    walk.step("device-notice", "yes")
    walk.step("device-agreement", "no", reason="Victim refused")
    walk.step("device-return", "na")

    items = walk.submit_and_report()
    assert items["vir-holder"]["status"] == "not-live"
    assert items["device-extraction"]["value"] == "yes"
    assert items["device-agreement"]["status"] == "not-done"


def test_bad_character_walks_from_identification_to_the_crown_court_notice(db_today):
    """bad-character: starts on identification, a corrected branch, 'none' stands alone, no
    N/A for the MG16 once offending was found, the file dates the MG16."""
    service = db_today(date(2026, 12, 22))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 9, 28))
    notices = milestone(service, user, REF, "suspect-identified", date(2026, 10, 1))
    assert STARTED.format(BAD_CHARACTER) in notices
    walk = Walk.of(service, user, "bad-character")
    # 2 calendar days after Thu 1 Oct; the MG16 waits for the file.
    assert walk.due("pnc-record") == date(2026, 10, 3)
    assert walk.due("mg16-sent") is None
    # 28 days after Thu 1 Oct: Thu 29 Oct.
    assert walk.due("previous-allegations") == date(2026, 10, 29)

    walk.step("pnc-record", "yes")
    walk.step("pnd-local", "yes")
    walk.step("other-forces", "no", reason="Awaiting other force")
    walk.step("civil-orders", "yes")
    walk.step("dvds-history", "na", reason="No partner or family context")
    walk.step("previous-allegations", "none found")
    assert walk.asked() == "family-court"  # nothing to trace
    walk.change("previous-allegations", "found")
    assert walk.asked() == "previous-complainants"  # the correction opens the branch
    walk.step("previous-complainants", "traced and willing to help")
    walk.step("family-court", "na", reason="No family proceedings known")
    for kind in ("violence", "fraud", "stalking", "coercive-control", "sexual"):
        walk.step(f"review-{kind}", "yes")
    with pytest.raises(InputRefused):  # 'none' cannot be ticked with anything else
        investigating.answer(service, user, walk.run_id, "related-found", ["violence", "none"])
    assert walk.step("related-found", ["violence", "other sexual misconduct"]) == []
    walk.step("gateways", ["(d) important matter in issue (propensity)"])
    # Offending was found, so N/A is not offered for the MG16.
    assert walk.asked() == "mg16-sent"
    run = walk.run()
    assert run.offered(run.playbook.item("mg16-sent")) == ("yes", "no")
    nothing = {**run.answers(), "related-found": frozenset({"none"})}
    assert run.playbook.item("mg16-sent").offered[0][1].holds(nothing, run.milestones)
    walk.step("mg16-sent", "yes")
    walk.step("pnc-attached", "yes")
    assert walk.run().state == "review"  # the court items wait for a charge

    milestone(service, user, REF, "file-submitted", date(2026, 11, 10))
    assert walk.due("mg16-sent") == date(2026, 11, 10)  # due with the file
    milestone(service, user, REF, "charge", date(2026, 11, 16))
    assert walk.run().state == "asking"
    assert walk.asked() == "material-with-cps"
    walk.refuse_submit("material-with-cps", "not-guilty-plea-date")
    walk.step("material-with-cps", "yes")
    assert walk.step("not-guilty-plea-date", date(2026, 12, 18)) == [
        "Recorded: Not-guilty plea, Fri 18 Dec 2026."
    ]
    assert walk.asked() == "plea-court"
    walk.step("plea-court", "Crown Court")
    assert walk.asked() == "notice-crown"
    assert not walk.run().is_live(walk.run().playbook.item("notice-magistrates"))
    # 10 working days after the plea on Fri 18 Dec: Mon 21 to Thu 24 (4); Christmas, the weekend
    # and Mon 28 skipped; Tue 29 to Thu 31 (7); New Year and the weekend skipped; Mon 4, Tue 5,
    # Wed 6 Jan 2027 (10). Weekends alone would give Fri 1 Jan.
    assert walk.due("notice-crown") == date(2027, 1, 6)
    walk.step("notice-crown", "no", reason="Awaiting CPS reply")

    items = walk.submit_and_report()
    assert [entry["value"] for entry in items["previous-allegations"]["history"]] == [
        "none found",
        "found",
    ]
    assert items["previous-allegations"]["history"][1]["correction"] is True
    assert items["notice-magistrates"]["status"] == "not-live"
    assert items["notice-crown"]["due"] == "2027-01-06"
    assert items["material-with-cps"]["due"] == "2026-11-23"  # 7 days after Mon 16 Nov


def test_protective_orders_walks_arrest_bail_and_nfa_over_the_may_bank_holiday(db_today):
    """protective-orders: starts on arrest, orders branches, bail dates worked out, NFA brings
    its items."""
    service = db_today(date(2026, 5, 21))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 4, 27))
    notices = milestone(service, user, REF, "arrest", date(2026, 4, 30))
    assert STARTED.format("Protective and preventative orders") in notices
    walk = Walk.of(service, user, "protective-orders")
    assert walk.due("sro-considered") == date(2026, 5, 14)  # 14 days after Thu 30 Apr

    walk.step("sro-considered", "no", reason="Bail conditions protect enough")
    assert walk.asked() == "shpo-application"  # no SRO outcome after a no
    walk.step("shpo-application", "na")
    walk.step("stalking-present", "yes")
    walk.step("spo-considered", "no", reason="Bail conditions protect enough")
    walk.step("domestic-context", "yes")
    presets = walk.run().playbook.item("dvpn-considered").reasons
    assert not any("live apart" in preset for preset in presets)  # never a reason (F13)
    walk.step("dvpn-considered", "yes")
    walk.step("dvpn-outcome", "not needed after review")
    assert walk.asked() == "release-status"  # no 48-hour hearing when no notice was given
    walk.step("release-status", "on bail with conditions")
    assert walk.asked() == "release-date"
    run = walk.run()
    # Released under investigation would ask for the RUI reason rather than bail conditions.
    rui = {**run.answers(), "release-status": "released under investigation"}
    assert run.is_live(run.playbook.item("rui-reason"), rui)
    assert not run.is_live(run.playbook.item("victim-views-conditions"), rui)
    assert not run.is_live(run.playbook.item("bail-start-date"), rui)
    assert walk.step("release-date", date(2026, 5, 1)) == [
        "Recorded: Released on bail or under investigation, Fri 1 May 2026."
    ]
    # 1 working day after Fri 1 May: the weekend and the early May bank holiday (Mon 4) skipped.
    assert walk.due("victim-told-release") == date(2026, 5, 5)
    assert walk.due("victim-views-conditions") == date(2026, 5, 1)  # 0 days: on the day
    walk.step("victim-views-conditions", "yes")
    walk.step("victim-told-release", "yes")
    # The bail start date is the day after the arrest on Thu 30 Apr (PACE s.47ZB(4)(a)).
    assert walk.computed("bail-start-date") == date(2026, 5, 1)
    walk.step("bail-start-date", date(2026, 5, 1))
    # 3 months beginning with Fri 1 May end on Fri 31 Jul.
    assert walk.computed("bail-expiry-date") == date(2026, 7, 31)
    assert walk.step("bail-expiry-date", date(2026, 7, 31)) == [
        "Recorded: Bail expiry, Fri 31 Jul 2026."
    ]
    assert walk.due("bail-next-step") == date(2026, 7, 24)  # 7 days before Fri 31 Jul
    walk.step("bail-next-step", "NFA before expiry")
    assert walk.asked() == "breach-reporting-told"  # no extension to authorise
    walk.step("breach-reporting-told", "yes")
    walk.not_yet("breach-reported")  # no breach so far: settled, still on the agenda
    assert walk.run().state == "review"  # the charge and outcome items are not live

    notices = milestone(service, user, REF, "nfa", date(2026, 5, 20))
    assert STARTED.format(NFA_AND_REVIEW) in notices
    assert walk.asked() == "nfa-sro-spo"
    assert walk.due("nfa-sro-spo") == date(2026, 6, 3)  # 14 days after Wed 20 May
    assert walk.due("dvpn-after-nfa") == date(2026, 5, 21)  # the day after: bail has ended
    walk.refuse_submit("nfa-sro-spo", "dvpn-after-nfa")
    walk.step("nfa-sro-spo", "yes")
    walk.step("dvpn-after-nfa", "yes")

    items = walk.submit_and_report()
    assert items["ro-conditions"]["status"] == "not-live"
    assert items["rui-reason"]["status"] == "not-live"
    assert items["bail-extension-authorised"]["status"] == "not-live"
    assert items["breach-reported"]["status"] == "not-yet"
    assert items["breaches-acted-on"]["status"] == "not-live"
    assert items["victim-told-release"]["due"] == "2026-05-05"
    assert items["bail-next-step"]["due"] == "2026-07-24"


def test_bail_extended_twice_asks_the_chain_and_tells_the_victim_each_time(db_today):
    """protective-orders: bail from Christmas Eve 2026, extended by an inspector and then a
    superintendent; each period's end is worked out from the bail start date, each step falls
    due before its period ends, and each extension asks again for the victim to be told."""
    service = db_today(date(2027, 6, 2))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 12, 14))
    milestone(service, user, REF, "arrest", date(2026, 12, 23))  # a Wednesday
    walk = Walk.of(service, user, "protective-orders")
    walk.step("sro-considered", "yes")
    walk.step("sro-outcome", "being prepared")
    walk.step("shpo-application", "na")
    walk.step("stalking-present", "no")
    walk.step("domestic-context", "no")
    walk.step("release-status", "on bail with conditions")
    walk.step("release-date", date(2026, 12, 23))
    walk.step("victim-views-conditions", "yes")
    # 1 working day after Wed 23 Dec 2026: Thu 24 Dec.
    assert walk.due("victim-told-release") == date(2026, 12, 24)
    walk.step("victim-told-release", "yes")
    # The bail start date is the day after the arrest: Thu 24 Dec 2026.
    assert walk.computed("bail-start-date") == date(2026, 12, 24)
    walk.step("bail-start-date", date(2026, 12, 24))
    # 3 months beginning with Thu 24 Dec 2026 end on Tue 23 Mar 2027, not 24 Mar.
    assert walk.computed("bail-expiry-date") == date(2027, 3, 23)
    walk.step("bail-expiry-date", date(2027, 3, 23))
    assert walk.due("bail-next-step") == date(2027, 3, 16)  # 7 days before Tue 23 Mar
    walk.step("bail-next-step", "extension to 6 months by an inspector")
    assert walk.due("bail-extension-authorised") == date(2027, 3, 23)  # by the last day
    walk.step("bail-extension-authorised", "yes")

    # The inspector's extension, on Fri 19 Mar 2027, is recorded as it happens.
    assert milestone(service, user, REF, "bail-extended", date(2027, 3, 19)) == [
        "Recorded: Bail extended, Fri 19 Mar 2027."
    ]
    # Right 6, 1 working day after Fri 19 Mar: Mon 22 Mar.
    assert walk.due("extension-victim-told@1") == date(2027, 3, 22)
    # 6 months beginning with Thu 24 Dec 2026 end on Wed 23 Jun 2027.
    assert walk.computed("six-month-end") == date(2027, 6, 23)
    walk.step("six-month-end", date(2027, 6, 23))
    assert walk.due("six-month-next-step") == date(2027, 6, 16)  # 7 days before Wed 23 Jun
    walk.step("six-month-next-step", "extension to 9 months by a superintendent")
    assert walk.due("superintendent-extension") == date(2027, 6, 23)
    walk.step("superintendent-extension", "yes")

    # The superintendent's extension, on Fri 28 May 2027.
    assert milestone(service, user, REF, "bail-extended", date(2027, 5, 28)) == [
        "Recorded: Bail extended (2nd), Fri 28 May 2027."
    ]
    # 1 working day after Fri 28 May: Mon 31 May is the spring bank holiday, so Tue 1 Jun.
    assert walk.due("extension-victim-told@2") == date(2027, 6, 1)
    assert walk.due("extension-victim-told@1") == date(2027, 3, 22)  # the first stays put
    # 9 months beginning with Thu 24 Dec 2026 end on Thu 23 Sep 2027.
    assert walk.computed("nine-month-end") == date(2027, 9, 23)
    walk.step("nine-month-end", date(2027, 9, 23))
    assert walk.due("nine-month-next-step") == date(2027, 9, 16)  # 7 days before Thu 23 Sep
    walk.later("nine-month-next-step")  # not decided yet; it waits on the agenda
    assert walk.asked() == "extension-victim-told@1"
    # Each question is asked for every extension, the first extension's before the second's.
    walk.step("extension-victim-told@1", "yes")
    walk.step("extension-victim-told@2", "no", reason="Victim not contactable")
    walk.step("extension-views-sought@1", "na", reason="Conditions unchanged")
    walk.step("extension-views-sought@2", "yes")
    walk.step("breach-reporting-told", "yes")
    walk.step("breach-reported", "yes")
    walk.step("breaches-acted-on", "yes")
    walk.refuse_submit("nine-month-next-step")
    walk.change("nine-month-next-step", "charge before expiry")
    assert walk.asked() is None  # no court application when a charge is planned

    items = walk.submit_and_report()
    assert items["extension-victim-told@1"]["due"] == "2027-03-22"
    assert items["extension-victim-told@2"]["due"] == "2027-06-01"
    assert items["extension-victim-told@2"]["status"] == "not-done"
    assert items["court-application"]["status"] == "not-live"
    assert items["superintendent-extension"]["due"] == "2027-06-23"
    assert case_report(service, REF)["milestones"]["bail-expiry"] == "2027-03-23"


def test_the_case_outcome_routes_acquittal_no_evidence_and_discontinuance_apart(db_today):
    """protective-orders: s.5A after an acquittal or no evidence offered, VRR for CPS decisions."""
    service = db_today(date(2027, 6, 1))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 4, 27))
    milestone(service, user, REF, "arrest", date(2026, 4, 30))
    milestone(service, user, REF, "charge", date(2026, 9, 1))
    run = Walk.of(service, user, "protective-orders").run()
    item = run.playbook.item
    outcomes = {
        "acquitted by the jury or court": {"ro-acquittal"},
        "no evidence offered (not guilty)": {"ro-acquittal", "cps-vrr-told"},
        "discontinued by the CPS": {"cps-vrr-told"},
        "pleaded guilty": set(),
    }
    for outcome, expected in outcomes.items():
        answers = {**run.answers(), "case-outcome": outcome}
        live = {i for i in ("ro-acquittal", "cps-vrr-told") if run.is_live(item(i), answers)}
        assert live == expected, outcome
    # A discontinuance is not an acquittal: it records no verdict.
    answers = {**run.answers(), "case-outcome": "discontinued by the CPS"}
    assert not run.is_live(item("verdict-date"), answers)


def test_vps_and_trial_walks_from_interview_to_a_moved_trial_date(db_today):
    """vps-and-trial: starts on interview, VPS-in-interview branch, 'not yet' for what waits
    on the plea, each hearing and each listing asked again with its own due dates."""
    service = db_today(date(2026, 12, 24))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 11, 2))
    notices = milestone(service, user, REF, "interview", date(2026, 11, 5))
    assert STARTED.format(VPS_AND_TRIAL) in notices
    walk = Walk.of(service, user, "vps-and-trial")
    # 2 working days after the interview on Thu 5 Nov: Fri 6 (1), Mon 9 (2).
    assert walk.due("vps-offered") == date(2026, 11, 9)

    walk.step("vps-offered", "yes")
    walk.step("vps-format", "asked within the video-recorded interview")
    assert walk.asked() == "vps-in-interview-recorded"  # not "can still make a VPS later"
    assert walk.due("vps-in-interview-recorded") == date(2026, 11, 7)  # 2 days after Thu 5 Nov
    walk.step("vps-in-interview-recorded", "yes")
    walk.step("vps-reading", "read by the prosecutor")
    walk.step("vps-copy", "yes")
    walk.step("vps-disclosure-told", "yes")
    assert walk.due("special-measures-discussed") == date(2026, 11, 12)  # 7 days after 5 Nov
    walk.step("special-measures-discussed", "yes")
    walk.step("measures-recorded", "yes")
    walk.step("s28-wanted", "yes")
    assert walk.asked() == "s28-applied"  # asked because s.28 was wanted
    assert walk.due("s28-applied") is None  # by the not-guilty plea, not yet recorded
    walk.not_yet("s28-applied")  # no plea hearing yet: settled, still on the agenda
    assert walk.run().state == "review"

    milestone(service, user, REF, "charge", date(2026, 11, 30))
    assert walk.asked() == "trial-date"
    walk.refuse_submit("trial-date", "therapy-notes-request")
    assert walk.step("trial-date", date(2027, 3, 1)) == ["Recorded: Trial date, Mon 1 Mar 2027."]
    walk.not_yet("therapy-notes-request")  # nobody has asked: settled, still on the agenda
    assert walk.run().state == "review"  # each listing and each hearing asks its own items

    # The first hearing is held on Fri 18 Dec. Right 8, 6 working days: Mon 21 to Thu 24 (4);
    # Christmas, the weekend and Mon 28 Dec skipped; Tue 29 (5), Wed 30 Dec (6).
    milestone(service, user, REF, "hearing-held", date(2026, 12, 18))
    assert walk.asked() == "bail-outcome-told@1"
    assert walk.due("bail-outcome-told@1") == date(2026, 12, 30)
    walk.step("bail-outcome-told@1", "yes")

    # The Witness Care Unit hears of the listing on Thu 24 Dec: each listing asks again.
    assert milestone(service, user, REF, "trial-listed", date(2026, 12, 24)) == [
        "Recorded: Trial date fixed or moved, Thu 24 Dec 2026."
    ]
    assert walk.asked() == "memory-refresh@1"  # witness care comes first
    assert walk.due("memory-refresh@1") == date(2027, 2, 22)  # 7 days before Mon 1 Mar 2027
    walk.step("memory-refresh@1", "yes")
    # Right 8: 1 working day after Thu 24 Dec: Christmas, the weekend and Mon 28 Dec skipped.
    assert walk.due("victim-told-trial-date@1") == date(2026, 12, 29)
    assert walk.due("vps-update-trial@1") == date(2027, 2, 1)  # 28 days before Mon 1 Mar 2027
    walk.step("victim-told-trial-date@1", "yes")
    walk.step("isva-informed@1", "yes")
    walk.step("change-reason@1", "first listing")
    walk.later("vps-update-trial@1")  # two months off: offered nearer the day
    walk.step("victim-still-supports@1", "yes")
    assert walk.due("trial-readiness@1") == date(2027, 2, 15)  # 14 days before Mon 1 Mar
    walk.step("trial-readiness@1", "yes")

    # The court moves the trial: heard by the unit on Mon 4 Jan 2027, now Mon 15 Mar.
    assert milestone(service, user, REF, "trial-listed", date(2027, 1, 4)) == [
        "Recorded: Trial date fixed or moved (2nd), Mon 4 Jan 2027."
    ]
    assert walk.change("trial-date", date(2027, 3, 15)) == [
        "Moved: Trial date, now Mon 15 Mar 2027 (was Mon 1 Mar 2027)."
    ]
    assert walk.asked() == "memory-refresh@2"
    assert walk.due("memory-refresh@2") == date(2027, 3, 8)  # 7 days before Mon 15 Mar
    walk.step("memory-refresh@2", "yes")
    assert walk.due("victim-told-trial-date@2") == date(2027, 1, 5)  # 1 working day after Mon
    assert walk.due("victim-told-trial-date@1") == date(2026, 12, 29)  # the first stays put
    assert walk.due("vps-update-trial@2") == date(2027, 2, 15)  # 28 days before Mon 15 Mar
    walk.step("victim-told-trial-date@2", "yes")
    walk.step("isva-informed@2", "na", reason="Victim has no ISVA")
    walk.step("change-reason@2", "court listing or no judge")
    walk.step("vps-update-trial@2", "no", reason="Victim declined an update")
    walk.step("victim-still-supports@2", "yes")
    assert walk.due("trial-readiness@2") == date(2027, 3, 1)  # 14 days before Mon 15 Mar
    walk.step("trial-readiness@2", "yes")
    # The first listing's offer never fell due: that trial date is gone. N/A, and why.
    walk.change("vps-update-trial@1", "na", reason="Trial moved before the offer was due")

    items = walk.submit_and_report()
    assert items["vps-later-explained"]["status"] == "not-live"
    assert items["therapy-notes-line"]["status"] == "not-live"
    assert items["therapy-notes-request"]["status"] == "not-yet"
    assert items["s28-applied"]["status"] == "not-yet"
    assert items["victim-told-outcome"]["status"] == "not-live"  # waits for a verdict
    assert items["bail-outcome-told@1"]["due"] == "2026-12-30"
    assert items["change-reason@1"]["value"] == "first listing"
    assert items["change-reason@2"]["value"] == "court listing or no judge"
    assert items["vps-update-trial@2"]["due"] == "2027-02-15"
    assert items["vps-update-trial@1"]["status"] == "na"
    assert items["trial-readiness@2"]["due"] == "2027-03-01"
    assert case_report(service, REF)["milestones"]["trial"] == "2027-03-15"


def test_vps_and_trial_times_the_outcome_sentence_and_victim_contact_scheme(db_today):
    """Rights 9 and 11: outcome and sentence by 6 working days, the VCS referral by 10."""
    service = db_today(date(2027, 6, 1))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 11, 2))
    milestone(service, user, REF, "interview", date(2026, 11, 5))
    walk = Walk.of(service, user, "vps-and-trial")
    milestone(service, user, REF, "charge", date(2026, 11, 30))
    milestone(service, user, REF, "verdict", date(2027, 4, 23))  # a Friday
    milestone(service, user, REF, "sentence", date(2027, 5, 21))  # a Friday
    # 6 working days after Fri 23 Apr: Mon 26 to Fri 30 (5), Mon 3 May is a bank holiday, Tue 4.
    assert walk.due("victim-told-outcome") == date(2027, 5, 4)
    # 6 working days after Fri 21 May: Mon 24 to Fri 28 (5); Mon 31 May is a bank holiday; Tue 1 Jun.
    assert walk.due("victim-told-sentence") == date(2027, 6, 1)
    # 10 working days after Fri 21 May: Mon 24 to Fri 28 (5); Mon 31 May skipped; Tue 1 to
    # Fri 4 Jun (9); Mon 7 Jun (10).
    assert walk.due("vcs-referral") == date(2027, 6, 7)


def test_early_advice_and_charge_walks_to_a_charge_before_easter(db_today):
    """early-advice-and-charge: starts once the suspect is identified, advice branch, the file,
    a charge and what follows it."""
    service = db_today(date(2027, 3, 25))  # Thursday before Good Friday
    user = investigator(service)
    open_case(service, user, reported=date(2027, 1, 11))
    notices = milestone(service, user, REF, "suspect-identified", date(2027, 1, 25))
    assert STARTED.format(EARLY_ADVICE) in notices  # before any arrest
    walk = Walk.of(service, user, "early-advice-and-charge")
    assert walk.due("eia-sought") == date(2027, 2, 8)  # 14 days after Mon 25 Jan
    milestone(service, user, REF, "arrest", date(2027, 2, 1))

    walk.step("eia-sought", "yes")
    assert walk.asked() == "eia-request-date"
    walk.step("eia-request-date", date(2027, 2, 3))
    assert walk.due("eia-received") == date(2027, 2, 24)  # 21 days after Wed 3 Feb
    walk.step("third-party-approach", "na", reason="No third-party material sought")
    walk.step("eia-received", "yes")
    walk.step("action-plan-dates", "yes")
    walk.step("cps-intrusive-challenged", "na")
    walk.step("direct-contacts", "yes")
    walk.step("decision-route", "full file to the CPS for a decision")
    walk.step("file-submitted-date", date(2027, 3, 10))
    assert walk.due("mg2-with-file") == date(2027, 3, 10)
    walk.step("mg2-with-file", "yes")
    walk.step("dmd-with-file", "yes")
    walk.step("schedules-with-file", "yes")
    walk.step("third-party-log", "na")
    walk.step("cps-decision", "charge")
    assert walk.asked() == "disagree"  # no meeting-before-NFA question after a charge
    run = walk.run()
    for nfa_stage in ("minded to take no further action", "no further action"):
        nfa = {**run.answers(), "cps-decision": nfa_stage}
        assert run.is_live(run.playbook.item("meeting-before-nfa"), nfa)
        assert not run.is_live(run.playbook.item("charge-date"), nfa)
    walk.step("disagree", "yes")
    walk.step("escalated", "no", reason="Resolved by discussion")
    assert walk.asked() == "charge-date"  # no escalation level after a no
    # A charge starts the trial checklist when no interview was recorded.
    assert walk.step("charge-date", date(2027, 3, 25)) == [
        "Recorded: Charge, Thu 25 Mar 2027.",
        STARTED.format(VPS_AND_TRIAL),
    ]
    assert walk.asked() == "victim-told-charge"
    walk.refuse_submit(
        "victim-told-charge",
        "first-hearing-date",
        "first-hearing-told",
        "charge-status",
        "wcu-handover",
        "isva-told-charge",
        "intel-at-charge",
    )
    # 1 working day after Thu 25 Mar 2027: Good Friday, the weekend and Easter Monday skipped.
    assert walk.due("victim-told-charge") == date(2027, 3, 30)
    assert walk.due("first-hearing-told") == date(2027, 3, 30)
    walk.step("victim-told-charge", "yes")
    walk.step("first-hearing-date", date(2027, 3, 26))
    walk.step("first-hearing-told", "yes")
    walk.step("charge-status", "remanded in custody")
    assert walk.asked() == "custody-time-limit"  # not the bail conditions
    walk.step("custody-time-limit", "yes")
    assert walk.due("wcu-handover") == date(2027, 3, 30)
    walk.step("wcu-handover", "yes")
    walk.step("wcu-contact-told", "yes")
    walk.step("isva-told-charge", "na")
    walk.step("intel-at-charge", "yes")

    items = walk.submit_and_report()
    assert items["meeting-before-nfa"]["status"] == "not-live"
    assert items["escalation-level"]["status"] == "not-live"
    assert items["nfa-date"]["status"] == "not-live"
    assert items["charge-bail-told"]["status"] == "not-live"
    assert items["victim-told-charge"]["due"] == "2027-03-30"
    assert "review-after-charge" not in items  # the scheduled supervisory review does this


def test_a_cps_minded_to_take_no_further_action_brings_the_meeting_before_the_decision(db_today):
    """R7: the meeting falls due while the CPS is minded to NFA, and a no is escalated."""
    service = db_today(date(2027, 3, 25))
    user = investigator(service)
    open_case(service, user, reported=date(2027, 1, 11))
    milestone(service, user, REF, "arrest", date(2027, 2, 1))
    walk = Walk.of(service, user, "early-advice-and-charge")
    walk.step("eia-sought", "no", reason="Full charging file already ready")
    walk.step("direct-contacts", "yes")
    walk.step("decision-route", "full file to the CPS for a decision")
    walk.step("file-submitted-date", date(2027, 2, 15))
    for item_id in ("mg2-with-file", "dmd-with-file", "schedules-with-file", "third-party-log"):
        walk.step(item_id, "yes")
    walk.step("cps-decision", "minded to take no further action")
    walk.step("minded-nfa-date", date(2027, 3, 1))
    assert walk.asked() == "meeting-before-nfa"
    # 10 working days after Mon 1 Mar 2027: Mon 15 Mar, before any NFA is recorded.
    assert walk.due("meeting-before-nfa") == date(2027, 3, 15)
    walk.step("meeting-before-nfa", "no", reason="Prosecutor declined a meeting")
    walk.step("disagree", "no")
    assert walk.asked() == "escalated"  # a missed meeting is escalated, disagreement or not
    walk.step("escalated", "yes")
    walk.step("escalation-level", "inspector and CPS unit head")
    assert walk.run().state == "review"  # the NFA date waits for the final decision


def test_nfa_and_review_walks_a_police_nfa_and_a_review_over_the_summer_bank_holiday(db_today):
    """nfa-and-review: starts on NFA, police branch, the last day to ask worked out, the VRR
    request dates its deadlines, 'not yet' while no request has come."""
    service = db_today(date(2026, 10, 12))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 6, 1))
    notices = milestone(service, user, REF, "nfa", date(2026, 8, 20))
    assert STARTED.format(NFA_AND_REVIEW) in notices
    walk = Walk.of(service, user, "nfa-and-review")
    assert walk.due("decision-told-date") == date(2026, 8, 21)  # 1 working day after Thu 20 Aug
    assert walk.due("disruption-plan-reviewed") == date(2026, 9, 3)  # 14 days after Thu 20 Aug

    walk.step("decided-by", "police")
    walk.step("victim-withdrew", "no")
    assert walk.asked() == "outcome-group"  # no withdrawal questions after a no
    walk.step("outcome-group", "evidential difficulties, victim supports action (15)")
    walk.step("tell-method", "in person with the ISVA")
    walk.step("decision-told-date", date(2026, 8, 21))
    assert walk.due("vrr-explained") == date(2026, 8, 21)  # 0 days: the day the victim was told
    walk.step("reasons-given", "yes")
    walk.step("nfa-letter-template", "yes")
    walk.step("isva-told-nfa", "yes")
    assert walk.asked() == "safety-plan-reviewed"  # never on bail: no bail-conditions message
    walk.step("safety-plan-reviewed", "yes")
    walk.step("vrr-police-info", "ok")  # the police scheme's note; the CPS one is not shown
    # 3 months beginning with Fri 21 Aug end on Fri 20 Nov.
    assert walk.computed("vrr-last-day") == date(2026, 11, 20)
    walk.step("vrr-last-day", date(2026, 11, 20))
    assert walk.asked() == "vrr-explained"  # the CPS's 10-day date is not asked
    run = walk.run()
    assert run.offered(run.playbook.item("vrr-explained")) == ("yes", "no", "na")
    cps = {**run.answers(), "decided-by": "CPS"}
    assert not run.playbook.item("vrr-explained").offered[0][1].holds(cps, run.milestones)
    walk.step("vrr-explained", "yes")
    walk.not_yet("vrr-requested")  # no request yet: settled, still on the agenda
    assert walk.asked() == "disruption-plan-reviewed"
    walk.change("vrr-requested", "yes")
    assert walk.due("vrr-acknowledged") is None  # no request date yet
    walk.step("vrr-request-date", date(2026, 8, 24))
    # 10 working days after Mon 24 Aug: Tue 25 to Fri 28 (4); Mon 31 Aug bank holiday skipped;
    # Tue 1 to Fri 4 Sep (8); Mon 7, Tue 8 Sep (10). Weekends alone would give Mon 7 Sep.
    assert walk.due("vrr-acknowledged") == date(2026, 9, 8)
    # 30 working days: the same count runs on to Tue 6 Oct.
    assert walk.due("vrr-decided") == date(2026, 10, 6)
    walk.step("vrr-acknowledged", "yes")
    walk.step("vrr-decided", "yes")
    walk.step("vrr-outcome", "decision upheld")
    walk.step("disruption-plan-reviewed", "no", reason="No ongoing risk identified")
    walk.refuse_submit("intelligence-submitted")
    walk.step("intelligence-submitted", "yes")

    items = walk.submit_and_report()
    assert items["withdrawal-date"]["status"] == "not-live"
    assert items["vrr-cps-info"]["status"] == "not-live"
    assert items["vrr-prompt-day"]["status"] == "not-live"
    assert items["vrr-police-info"]["status"] == "done"
    assert items["bail-end-told"]["status"] == "not-live"
    assert items["disruption-plan-reviewed"]["status"] == "not-done"
    assert items["vrr-acknowledged"]["due"] == "2026-09-08"
    assert case_report(service, REF)["milestones"]["vrr-request"] == "2026-08-24"


def test_a_cps_decision_shows_the_last_days_for_a_review(db_today):
    """nfa-and-review after a CPS NFA: the prompt date (10 working days) and the 3 months."""
    service = db_today(date(2027, 1, 8))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 6, 1))
    milestone(service, user, REF, "nfa", date(2026, 12, 22))
    walk = Walk.of(service, user, "nfa-and-review")
    walk.step("decided-by", "CPS")
    walk.step("victim-withdrew", "no")
    walk.step("outcome-group", "evidential difficulties, victim supports action (15)")
    walk.step("tell-method", "in person")
    walk.step("decision-told-date", date(2026, 12, 23))  # a Wednesday
    run = walk.run()
    assert run.offered(run.playbook.item("vrr-explained")) == ("yes", "no")  # no N/A for CPS
    # 10 working days after Wed 23 Dec 2026: Thu 24 (1); Fri 25, the weekend and Mon 28 skipped;
    # Tue 29 to Thu 31 (4); Fri 1 Jan and the weekend skipped; Mon 4 to Fri 8 Jan (9); Mon 11
    # Jan (10).
    assert walk.computed("vrr-prompt-day") == date(2027, 1, 11)
    # 3 months beginning with Wed 23 Dec 2026 end on Mon 22 Mar 2027.
    assert walk.computed("vrr-last-day") == date(2027, 3, 22)


def test_a_withdrawal_after_charge_is_treated_as_a_suspect_event_and_told_to_the_cps(db_today):
    """A withdrawal recorded in the plan starts nfa-and-review, its date one fact in both: the
    pressure looked for, the CPS and the Witness Care Unit told in time."""
    service = db_today(date(2026, 12, 24))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 6, 1))
    milestone(service, user, REF, "charge", date(2026, 10, 1))
    investigating.start_run(service, user, REF, "investigation-plan")
    plan = Walk.of(service, user, "investigation-plan")
    notices = outcome_lines(
        investigating.answer(
            service, user, plan.run_id, "withdrawal-date", date(2026, 12, 23)
        ).facts
    )
    assert notices == [
        "Recorded: Victim withdrew support, Wed 23 Dec 2026.",
        STARTED.format(NFA_AND_REVIEW),
    ]
    walk = Walk.of(service, user, "nfa-and-review")
    walk.step("decided-by", "no decision yet")
    run = walk.run()
    assert run.offered(run.playbook.item("victim-withdrew")) == ("yes",)  # recorded already
    walk.step("victim-withdrew", "yes")
    # The date given in the plan is the same fact here: not asked again.
    shown = walk.run().status("withdrawal-date")
    assert (shown.status, shown.value) == ("done", "2026-12-23")
    assert walk.asked() == "withdrawal-stage"
    walk.step("withdrawal-stage", "after charge, before trial")
    with pytest.raises(InputRefused):  # 'no reason given' stands alone
        investigating.answer(
            service, user, walk.run_id, "withdrawal-reasons", ["delay", "no reason given"]
        )
    walk.step("withdrawal-reasons", ["delay", "pressure from others"])
    walk.step("withdrawal-statement", "yes")
    # 1 working day after Wed 23 Dec: Thu 24 Dec.
    assert walk.due("withdrawal-risk-reviewed") == date(2026, 12, 24)
    assert walk.due("cps-told-withdrawal") == date(2026, 12, 24)
    walk.step("withdrawal-risk-reviewed", "yes")
    walk.step("withdrawal-pressure", "yes")
    walk.step("pressure-investigated", "yes")
    walk.step("cps-consulted-withdrawal", "yes")
    walk.step("cps-told-withdrawal", "yes")
    walk.step("wcu-told-withdrawal", "yes")
    walk.step("withdrawal-support", "yes")
    walk.step("can-return-told", "yes")
    walk.step("intelligence-submitted", "yes")
    items = walk.submit_and_report()
    assert items["withdrawal-date"]["value"] == "2026-12-23"
    assert items["outcome-group"]["status"] == "not-live"  # no decision yet
    assert items["vrr-explained"]["status"] == "not-live"


def test_supervisory_review_walks_a_supervisors_review_after_charge(db_today):
    """supervisory-review: escalation branch, charge brings its item, optional direction at the end."""
    service = db_today(date(2026, 11, 30))
    user = investigator(service)
    supervisor = enrol(service.uow.db, "Sergeant", "supervisor", "north", service.clock())
    open_case(service, user, reported=date(2026, 11, 2))
    investigating.start_run(service, supervisor, REF, "supervisory-review")
    walk = Walk.of(service, supervisor, "supervisory-review")
    # The review is due as a whole, on its schedule (repeat:); none of its items carries a due
    # date of its own.
    assert all(walk.due(item.id) is None for item in walk.run().playbook.items)
    assert not walk.run().is_live(walk.run().playbook.item("post-charge-progress"))

    walk.step("plan-on-target", "no", reason="Awaiting digital examination")
    assert walk.asked() == "overdue-escalated"
    walk.step("overdue-escalated", "yes")
    walk.step("escalation-level", "detective inspector")
    walk.step("suspect-work", "yes")
    walk.step("intrusion-justified", "na")
    walk.step("eia-reviewed", "na", reason="Case already charged")
    walk.step("bail-valid", "na", reason="Not on pre-charge bail")
    assert walk.asked() == "rui-risk-checked"  # no bail to plan for
    walk.step("rui-risk-checked", "na")
    walk.step("code-updates", "yes")
    walk.step("victim-withdrawn", "no")
    # The investigator records the charge while the review is under way.
    assert milestone(service, user, REF, "charge", date(2026, 11, 27)) == [
        "Recorded: Charge, Fri 27 Nov 2026.",
        STARTED.format(VPS_AND_TRIAL),
    ]
    walk.step("orders-current-stage", "yes")
    assert walk.asked() == "post-charge-progress"
    walk.step("post-charge-progress", "yes")
    walk.step("characteristics-accurate", "yes")
    walk.step("outcome-code-accurate", "na")
    assert investigating.answer(
        service, supervisor, walk.run_id, "officer-wellbeing", "no"
    ).run.state == ("awaiting_reason")
    # A no still waiting for its reason blocks; the optional direction, unanswered, does not.
    walk.refuse_submit("officer-wellbeing")
    investigating.give_reason(service, supervisor, walk.run_id, "Booked for later")
    walk.given["officer-wellbeing"] = ("no", "Booked for later")
    walk.step("supervisor-direction", "Chase the digital examination by Friday.")

    items = walk.submit_and_report()
    assert items["escalation-level"]["who"] == f"user:{supervisor.id}"
    assert items["post-charge-progress"]["status"] == "done"


# --- product bugs found while writing the walks --------------------------------------------


def test_a_charge_date_answered_in_one_checklist_reopens_a_finished_one(db_today):
    """A milestone set by an answer brings items into play in every playbook of the case."""
    service = db_today(date(2026, 11, 30))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 11, 2))
    sergeant = enrol(service.uow.db, "DS Rob Hale", "supervisor", "north", service.clock())
    investigating.start_run(service, sergeant, REF, "supervisory-review")
    review = Walk.of(service, sergeant, "supervisory-review")
    for item_id, value in [
        ("plan-on-target", "yes"),
        ("suspect-work", "yes"),
        ("intrusion-justified", "na"),
        ("eia-reviewed", "yes"),
        ("bail-valid", "yes"),
        ("bail-next-step-planned", "yes"),
        ("rui-risk-checked", "na"),
        ("code-updates", "yes"),
        ("victim-withdrawn", "no"),
        ("orders-current-stage", "yes"),
        ("characteristics-accurate", "yes"),
        ("outcome-code-accurate", "na"),
        ("officer-wellbeing", "yes"),
        ("supervisor-direction", "None."),
    ]:
        review.step(item_id, value)
    assert review.run().state == "review"
    milestone(service, user, REF, "arrest", date(2026, 11, 10))
    advice = Walk.of(service, user, "early-advice-and-charge")
    investigating.answer(
        service, user, advice.run_id, "decision-route", "full file to the CPS for a decision"
    )
    investigating.answer(service, user, advice.run_id, "cps-decision", "charge")
    investigating.answer(service, user, advice.run_id, "charge-date", date(2026, 11, 27))
    assert case_report(service, REF)["milestones"]["charge"] == "2026-11-27"
    # As after /milestone: the review is taking answers again, at the item the charge brought.
    assert review.run().state == "asking"
    assert review.asked() == "post-charge-progress"


def test_two_answers_that_open_the_same_checklist_tell_the_investigator_once(db_today):
    """Stalking and coercive control both open protective orders: one checklist, one notice."""
    service = db_today(date(2026, 12, 22))
    user = investigator(service)
    open_case(service, user, reported=date(2026, 9, 28))
    milestone(service, user, REF, "suspect-identified", date(2026, 10, 1))
    walk = Walk.of(service, user, "bad-character")
    notices = outcome_lines(
        investigating.answer(
            service,
            user,
            walk.run_id,
            "related-found",
            ["stalking or harassment", "coercive control or domestic abuse"],
        ).facts
    )
    assert [run.playbook.id for run in cases.runs_of_case(service, user, REF)] == [
        "bad-character",
        "early-advice-and-charge",  # started with bad character by the identification
        "protective-orders",
    ]
    assert notices == ["Opened the checklist 'Protective and preventative orders' on this case."]


def test_a_case_opened_just_after_midnight_in_summer_is_reported_that_day(db):
    """At 00:30 BST on 1 July (23:30 UTC on 30 June) the report is dated 1 July."""
    now = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    service = make_app(db, LIBRARY, clock=lambda: now)
    user = investigator(service)
    cases.open_case(service, user, REF)
    assert case_report(service, REF)["milestones"]["report"] == "2026-07-01"
