"""Six whole cases, each built as an administrator builds one (`soteria-bot import` on a real
SQLite file, in-process, at a fixed clock) and read back from `report --case REF --format json`:
every run's items, live or not, each answer's status and each due date, against dates worked
out by hand in the comments.

How the dates are counted (playbooks/README.md, DOMAIN.md):
- `Nd`: N calendar days after the event, weekends and holidays included; `0d` is the day itself.
- `Nwd`: N working days, counted from the day after the event; a working day is Monday to Friday
  and not an England and Wales bank holiday (the Victims' Code counts this way).
- `Nmo`: "a period of N months beginning with" the day, so it ends the day before the same date
  N months on: bail that starts on Thu 24 Dec 2026 ends its first 3 months on Tue 23 Mar 2027.
- `before Nd of X`: N calendar days before X.

The England and Wales bank holidays that fall on a weekday, 2026 to 2029 (checked against the
product's calendar by the first test, so a comment cannot count with a holiday it lacks):
- 2026: Thu 1 Jan, Fri 3 Apr (Good Friday), Mon 6 Apr (Easter Monday), Mon 4 May, Mon 25 May,
  Mon 31 Aug, Fri 25 Dec, Mon 28 Dec (Boxing Day falls on a Saturday).
- 2027: Fri 1 Jan, Fri 26 Mar (Good Friday), Mon 29 Mar (Easter Monday), Mon 3 May, Mon 31 May,
  Mon 30 Aug, Mon 27 Dec and Tue 28 Dec (Christmas and Boxing Day fall on the weekend).
- 2028: Mon 3 Jan (New Year's Day falls on a Saturday), Fri 14 Apr (Good Friday), Mon 17 Apr
  (Easter Monday), Mon 1 May, Mon 29 May, Mon 28 Aug, Mon 25 Dec, Tue 26 Dec.
- 2029: Mon 1 Jan, Fri 30 Mar (Good Friday), Mon 2 Apr (Easter Monday), Mon 7 May, Mon 28 May,
  Mon 27 Aug, Tue 25 Dec, Wed 26 Dec.

Supervisory reviews fall every 28 days from the report and on the day of each arrest, request for
early advice, charge, not-guilty plea and trial listing; a supervisor holds one with a `start`
line, answers it, and submits it through the services (submitting is done in the bot, not
imported). Where the content or the engine gives a date or a behaviour that is wrong in law or
practice, the test says what is right, with its source.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.services import supervising
from bot.services.calendar import bank_holidays

from .import_world import (
    REF,
    World,
    answer_line,
    dues,
    hold_review_with,
    item_of,
    milestone_line,
    person,
    run_of,
    start_line,
    statuses,
    submit_and_sign_off,
)

OFFICER, SUPERVISOR = 1, 2

#: What a supervisor answers at a review before charge while the suspect is on bail; a case
#: overrides what differs at its stage.
REVIEW_ON_BAIL: dict[str, Any] = {
    "plan-on-target": "yes",
    "suspect-work": "yes",
    "intrusion-justified": "na",
    "eia-reviewed": "yes",
    "bail-valid": "yes",
    "bail-next-step-planned": "yes",
    "rui-risk-checked": "na",
    "code-updates": "yes",
    "victim-withdrawn": "no",
    "orders-current-stage": "yes",
    "post-charge-progress": "yes",
    "characteristics-accurate": "yes",
    "outcome-code-accurate": "na",
    "officer-wellbeing": "yes",
    "supervisor-direction": "Keep the plan and the bail dates under review",
}
#: The same, once the suspect is no longer on pre-charge bail.
REVIEW_OFF_BAIL = {**REVIEW_ON_BAIL, "bail-valid": ("na", "Not on pre-charge bail")}


@pytest.fixture(name="world")
def _world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    world = World(tmp_path, monkeypatch, datetime(2026, 1, 5, 12, tzinfo=UTC))
    assert world.enrol("DC Officer", "investigator") == OFFICER
    assert world.enrol("DS Supervisor", "supervisor") == SUPERVISOR
    yield world
    # Whatever the case went through, the read model reports read agrees with a replay of the
    # log (each supervisory review blank, as the runs themselves are).
    code, output = world.cli("verify")
    assert code == 0, output
    assert "Read model agrees with the log" in output, output


def at(text: str) -> datetime:
    """A moment written as ISO 8601 with its offset."""
    return datetime.fromisoformat(text).astimezone(UTC)


def apply(world: World, when: str, lines: list[dict[str, Any]]) -> None:
    """Import lines as the administrator does on the day: the clock stands at `when`, after
    every line's own time."""
    world.now = at(when)
    world.imported(list(lines))


def answers(playbook: str, when: str, *given: tuple[Any, ...]) -> list[dict[str, Any]]:
    """The officer's answer lines for one playbook at one moment: (item, value) or
    (item, value, reason)."""
    return [
        answer_line(playbook, entry[0], entry[1], OFFICER, when, *entry[2:3]) for entry in given
    ]


def review_standing(world: World) -> list[tuple[str, bool, str]]:
    [reviews] = world.report()["reviews"]
    return [(o["due"], o["held"], o["standing"]) for o in reviews["occurrences"]]


#: The charging checklist of a case the CPS charged after early advice, item by item.
CHARGED_ON_ADVICE = {
    "done": {
        "eia-sought", "eia-request-date", "eia-received", "action-plan-dates",
        "direct-contacts", "decision-route", "file-submitted-date", "mg2-with-file",
        "dmd-with-file", "schedules-with-file", "cps-decision", "disagree", "charge-date",
        "victim-told-charge", "first-hearing-date", "first-hearing-told", "charge-status",
        "custody-time-limit", "wcu-handover", "wcu-contact-told", "isva-told-charge",
        "intel-at-charge",
    },
    "na": {"third-party-approach", "cps-intrusive-challenged", "third-party-log"},
    "not-live": {
        "minded-nfa-date", "meeting-before-nfa", "escalated", "escalation-level",
        "police-nfa-reasons", "police-nfa-agreed", "nfa-scrutiny", "nfa-date",
        "charge-bail-told",
    },
}  # fmt: skip


def test_the_bank_holidays_the_comments_count_with_are_the_calendars():
    found = bank_holidays([2026, 2027, 2028, 2029])
    assert sorted(day for day in found if day.weekday() < 5) == [
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
        date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
        date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3),
        date(2027, 5, 31), date(2027, 8, 30), date(2027, 12, 27), date(2027, 12, 28),
        date(2028, 1, 3), date(2028, 4, 14), date(2028, 4, 17), date(2028, 5, 1),
        date(2028, 5, 29), date(2028, 8, 28), date(2028, 12, 25), date(2028, 12, 26),
        date(2029, 1, 1), date(2029, 3, 30), date(2029, 4, 2), date(2029, 5, 7),
        date(2029, 5, 28), date(2029, 8, 27), date(2029, 12, 25), date(2029, 12, 26),
    ]  # fmt: skip


# --- 1. Stranger rape: arrested two days before Christmas, bailed, the bail chain, charged -----


def test_stranger_rape_with_bail_over_christmas(world: World):
    """Reported in the early hours of Fri 18 Dec 2026 after an attack by a man the victim did
    not know; identified from CCTV on Tue 22 Dec, arrested Wed 23 Dec and bailed with conditions
    on Christmas Eve. The first bail expiry is typed a day late and corrected after the sign-off;
    bail is extended by an inspector and a superintendent, and he is charged and remanded on
    Fri 27 Aug 2027, before the 9 months end. Read on Fri 10 Sep 2027."""
    day = "2026-12-18T05:00:00+00:00"
    apply(world, "2026-12-18T06:00:00+00:00", [
        {"event": "open", "case": REF, "officer": OFFICER, "at": "2026-12-18T03:10:00+00:00"},
        start_line("initial-report", OFFICER, "2026-12-18T03:30:00+00:00"),
        start_line("investigation-plan", OFFICER, "2026-12-18T03:31:00+00:00"),
        start_line("first-enquiries", OFFICER, "2026-12-18T03:32:00+00:00"),
        *answers("initial-report", day,
                 ("safeguarding-risk", "yes"), ("risk-level", "medium"),
                 ("specialist-officer", "yes"), ("needs-assessment", "yes"),
                 ("communication-assessed", "yes"), ("communication-in-place", "yes"),
                 ("support-referral", "yes"), ("isva-offered", "yes"), ("isva-consent", "yes"),
                 ("therapy-information", "yes"),
                 ("vps-explained", "yes"),  # opens the VPS and trial checklist now
                 ("anonymity-explained", "yes"), ("social-media-advice", "yes"),
                 ("restorative-justice-note", "ok"), ("contact-plan-agreed", "yes"),
                 ("contact-means", ["phone call", "through the ISVA"]),
                 ("contact-frequency", "weekly"), ("timed-contact", "yes"),
                 ("interviewer-choice", "yes"), ("interviewer-request-met", "yes"),
                 ("supporter-offered", "yes"), ("intermediary-considered", "yes"),
                 ("intermediary-needed", "no"), ("protected-characteristics", "yes")),
        *answers("first-enquiries", "2026-12-18T05:30:00+00:00",
                 ("victim-fme-offered", "yes"), ("early-evidence-kit", "na"),
                 ("toxicology-considered", "yes")),
        *answers("investigation-plan", "2026-12-18T05:40:00+00:00",
                 ("plan-opened", "yes"), ("plan-dates", "yes"), ("relationship", "stranger"),
                 ("identification-lines", "yes"), ("repeat-indicators", "no"), ("scas", "yes"),
                 ("intimidation", "not yet"), ("vir-considered", "no"),
                 ("device-extraction", "no"), ("withdrawal-date", "not yet")),
    ])  # fmt: skip
    apply(world, "2026-12-19T12:00:00+00:00", [
        # The interview is booked for Mon 21 Dec; recording it starts nothing new, as the VPS
        # checklist is already open.
        *answers("initial-report", "2026-12-19T11:00:00+00:00", ("interview-date", "2026-12-21")),
        *answers("first-enquiries", "2026-12-19T11:30:00+00:00",
                 ("cctv-secured", "yes"), ("first-complaint", "yes"), ("scene-examined", "yes"),
                 ("house-to-house", "yes")),
    ])  # fmt: skip
    apply(world, "2026-12-22T18:30:00+00:00", [
        *answers("initial-report", "2026-12-21T10:00:00+00:00",
                 ("written-confirmation", "yes"), ("confirmation-contents", "yes"),
                 ("confirmation-safe-route", "yes")),
        *answers("vps-and-trial", "2026-12-21T15:00:00+00:00",
                 ("vps-offered", "yes"),
                 ("vps-format", "asked within the video-recorded interview"),
                 ("vps-reading", "undecided"), ("vps-copy", "yes"),
                 ("vps-disclosure-told", "yes"), ("special-measures-discussed", "yes"),
                 ("measures-recorded", "yes"), ("s28-wanted", "no")),
        *answers("vps-and-trial", "2026-12-22T10:00:00+00:00",
                 ("vps-in-interview-recorded", "yes")),
        # Identified from CCTV: starts the bad character and early advice checklists.
        *answers("investigation-plan", "2026-12-22T16:00:00+00:00",
                 ("suspect-identified-date", "2026-12-22")),
        *answers("investigation-plan", "2026-12-22T17:00:00+00:00",
                 ("rso-orders-checked", "yes"), ("previous-allegations", "not yet"),
                 ("order-breach", "no"), ("digital-strategy", "yes"),
                 ("pre-post-offence", "yes"), ("grooming-coercion", "yes"),
                 ("other-offences", "na"), ("associates", "na", "No such people known"),
                 ("other-victims", "not yet"), ("suspect-interview-plan", "yes"),
                 ("interview-consent-steps", "yes"), ("interview-adviser", "yes"),
                 ("pre-interview-disclosure", "yes"), ("special-warnings", "yes")),
        *answers("bad-character", "2026-12-22T18:00:00+00:00",
                 ("pnc-record", "yes"), ("pnd-local", "yes"), ("other-forces", "yes"),
                 ("civil-orders", "yes"), ("dvds-history", "na", "No partner or family context"),
                 ("family-court", "na", "No family proceedings known"),
                 ("review-violence", "yes"), ("review-fraud", "yes"),
                 ("review-stalking", "yes"),
                 ("review-coercive-control", "na", "No history held")),
        *answers("first-enquiries", "2026-12-22T18:10:00+00:00",
                 ("suspect-anpr", "na", "No vehicle linked"), ("suspect-cell-site", "yes"),
                 ("suspect-travel-records", "yes"),
                 ("suspect-platform-records", "na", "No platform used"),
                 ("children-contact", "no"), ("position-of-trust", "no"),
                 ("partner-dvds", "na"), ("intel-submitted", "yes")),
    ])  # fmt: skip
    # Arrested Wed 23 Dec: starts the protective orders checklist; the review due that day.
    apply(world, "2026-12-24T10:20:00+00:00", [
        *answers("investigation-plan", "2026-12-23T09:00:00+00:00", ("arrest-date", "2026-12-23")),
        *answers("investigation-plan", "2026-12-23T15:00:00+00:00", ("victim-told-arrest", "yes")),
        *answers("first-enquiries", "2026-12-23T20:00:00+00:00",
                 ("suspect-samples", "yes"), ("suspect-clothing", "yes"),
                 ("suspect-premises", "yes"), ("suspect-fme", "yes"),
                 ("suspect-devices-seized", "yes"), ("suspect-first-account", "yes")),
        # Released on Christmas Eve, on bail with conditions. PACE s.47ZB(4)(a): the bail start
        # date is the day after the arrest, Thu 24 Dec. The officer types the end of the first
        # 3 months as Wed 24 Mar 2027 - a day late (corrected below).
        *answers("protective-orders", "2026-12-24T10:00:00+00:00",
                 ("release-status", "on bail with conditions"), ("release-date", "2026-12-24"),
                 ("victim-views-conditions", "yes"), ("bail-start-date", "2026-12-24"),
                 ("bail-expiry-date", "2027-03-24"), ("bail-next-step", "charge before expiry"),
                 ("breach-reporting-told", "yes"), ("breach-reported", "not yet"),
                 ("sro-considered", "no", "Bail conditions protect enough"),
                 ("shpo-application", "na"), ("stalking-present", "not yet"),
                 ("domestic-context", "no")),
    ])  # fmt: skip
    hold_review_with(world, SUPERVISOR, at("2026-12-24T11:00:00+00:00"), REVIEW_ON_BAIL)
    apply(world, "2026-12-29T10:30:00+00:00", [
        # Right 6: release on bail told within 1 working day of Thu 24 Dec: Fri 25 (Christmas),
        # Sat, Sun, Mon 28 (Boxing Day, substitute) -> Tue 29 Dec. Told that morning.
        *answers("protective-orders", "2026-12-29T10:00:00+00:00", ("victim-told-release", "yes")),
    ])  # fmt: skip
    signed = submit_and_sign_off(
        world, "protective-orders", OFFICER, SUPERVISOR, at("2027-01-04T12:00:00+00:00"),
        "Bail and orders in hand",
    )  # fmt: skip
    apply(world, "2027-01-06T13:00:00+00:00", [
        *answers("first-enquiries", "2027-01-04T10:00:00+00:00",
                 ("disruption-plan", "yes"),
                 ("disruption-tactics", ["bail conditions", "sexual risk order"]),
                 ("disruption-owner", "yes")),
        *answers("early-advice-and-charge", "2027-01-04T10:30:00+00:00",
                 ("eia-sought", "yes"), ("direct-contacts", "yes"),
                 ("decision-route", "still investigating")),
        # Early advice asked for on Wed 6 Jan: a review falls due that day.
        *answers("early-advice-and-charge", "2027-01-06T12:00:00+00:00",
                 ("eia-request-date", "2027-01-06")),
    ])  # fmt: skip
    hold_review_with(world, SUPERVISOR, at("2027-01-06T14:00:00+00:00"), REVIEW_ON_BAIL)
    # The supervisor sees the first bail period typed as ending on 24 Mar: 3 months beginning
    # with Thu 24 Dec 2026 end on Tue 23 Mar 2027. The officer corrects it after the sign-off.
    apply(
        world,
        "2027-01-08T10:30:00+00:00",
        answers(
            "protective-orders", "2027-01-08T10:00:00+00:00", ("bail-expiry-date", "2027-03-23")
        ),
    )
    report = world.report()
    orders = run_of(report, "protective-orders")
    assert (orders["run"], orders["state"], orders["reopened_after_sign_off"]) == (
        signed, "review", True,
    )  # fmt: skip
    assert report["milestones"]["bail-expiry"] == "2027-03-23"
    # The plan falls due 7 days before the end of the 3 months: Tue 16 Mar, not Wed 17 Mar.
    assert item_of(orders, "bail-next-step")["due"] == "2027-03-16"
    assert [h["value"] for h in item_of(orders, "bail-expiry-date")["history"]] == [
        "2027-03-24", "2027-03-23",
    ]  # fmt: skip
    submit_and_sign_off(
        world, "protective-orders", OFFICER, SUPERVISOR, at("2027-01-08T12:00:00+00:00"),
        "Bail expiry corrected",
    )  # fmt: skip

    apply(world, "2027-02-10T12:00:00+00:00", [
        # The other force's archive shows an earlier allegation against him, never charged:
        # one fact, answered here and shown in the investigation plan too.
        *answers("bad-character", "2027-01-15T09:00:00+00:00",
                 ("previous-allegations", "found"), ("review-sexual", "yes"),
                 ("related-found", ["other sexual misconduct"]),
                 ("gateways", ["(d) important matter in issue (propensity)"])),
        # A correction: the history is a sign of repeat offending after all.
        *answers("investigation-plan", "2027-01-15T09:30:00+00:00", ("repeat-indicators", "yes")),
        *answers("early-advice-and-charge", "2027-01-25T10:00:00+00:00",
                 ("eia-received", "yes"),
                 ("third-party-approach", "na", "No third-party material sought"),
                 ("action-plan-dates", "yes"), ("cps-intrusive-challenged", "na")),
        *answers("bad-character", "2027-02-10T11:00:00+00:00",
                 ("previous-complainants", "traced and willing to help")),
    ])  # fmt: skip
    for held in ("2027-01-15T15:00:00+00:00", "2027-02-12T15:00:00+00:00",
                 "2027-03-12T15:00:00+00:00"):  # fmt: skip
        hold_review_with(world, SUPERVISOR, at(held), REVIEW_ON_BAIL)
    # The charging file is not ready: the plan changes to an extension (a second correction
    # after a sign-off), granted by an inspector on Fri 19 Mar.
    apply(world, "2027-03-22T10:30:00+00:00", [
        *answers("protective-orders", "2027-03-10T10:00:00+00:00",
                 ("bail-next-step", "extension to 6 months by an inspector")),
        milestone_line("bail-extended", "2027-03-19", OFFICER, "2027-03-19T16:00:00+00:00"),
        *answers("protective-orders", "2027-03-19T16:05:00+00:00",
                 ("bail-extension-authorised", "yes"), ("six-month-end", "2027-06-23"),
                 ("extension-views-sought@1", "na", "Conditions unchanged")),
        *answers("protective-orders", "2027-03-22T10:00:00+00:00",
                 ("extension-victim-told@1", "yes")),
    ])  # fmt: skip
    for held in ("2027-04-09T15:00:00+01:00", "2027-05-07T15:00:00+01:00",
                 "2027-06-04T15:00:00+01:00"):  # fmt: skip
        hold_review_with(world, SUPERVISOR, at(held), REVIEW_ON_BAIL)
    apply(world, "2027-06-21T10:00:00+01:00", [
        *answers("protective-orders", "2027-06-07T10:00:00+01:00",
                 ("six-month-next-step", "extension to 9 months by a superintendent")),
        milestone_line("bail-extended", "2027-06-18", OFFICER, "2027-06-18T15:00:00+01:00"),
        *answers("protective-orders", "2027-06-18T15:05:00+01:00",
                 ("superintendent-extension", "yes"), ("nine-month-end", "2027-09-23"),
                 ("extension-views-sought@2", "yes")),
        *answers("protective-orders", "2027-06-21T09:30:00+01:00",
                 ("extension-victim-told@2", "yes")),
    ])  # fmt: skip
    # The review of Fri 2 Jul is not held that day; on Fri 30 Jul the supervisor holds it
    # late (the earliest missed comes first), then the one due that day.
    hold_review_with(world, SUPERVISOR, at("2027-07-30T14:00:00+01:00"), REVIEW_ON_BAIL)
    apply(world, "2027-07-30T16:00:00+01:00", [
        *answers("protective-orders", "2027-07-30T10:00:00+01:00",
                 ("nine-month-next-step", "charge before expiry")),
        *answers("early-advice-and-charge", "2027-07-30T11:00:00+01:00",
                 ("decision-route", "full file to the CPS for a decision"),
                 ("file-submitted-date", "2027-07-30"), ("mg2-with-file", "yes"),
                 ("dmd-with-file", "yes"), ("schedules-with-file", "yes"),
                 ("third-party-log", "na"), ("cps-decision", "awaiting decision"),
                 ("disagree", "no")),
        *answers("bad-character", "2027-07-30T11:05:00+01:00",
                 ("mg16-sent", "yes"), ("pnc-attached", "yes")),
    ])  # fmt: skip
    hold_review_with(world, SUPERVISOR, at("2027-07-30T16:30:00+01:00"), REVIEW_ON_BAIL)
    # Charged on Fri 27 Aug 2027, the Friday before the summer bank holiday, and remanded; the
    # remand court sits on Sat 28 Aug.
    apply(world, "2027-08-27T19:00:00+01:00", [
        *answers("early-advice-and-charge", "2027-08-27T14:00:00+01:00",
                 ("cps-decision", "charge"), ("charge-date", "2027-08-27")),
        *answers("early-advice-and-charge", "2027-08-27T17:00:00+01:00",
                 ("victim-told-charge", "yes"), ("first-hearing-date", "2027-08-28"),
                 ("first-hearing-told", "yes"), ("charge-status", "remanded in custody")),
        *answers("protective-orders", "2027-08-27T18:00:00+01:00",
                 ("ro-conditions", "yes"), ("ro-acquittal-proposed", "yes"),
                 ("ro-victim-views", "yes"), ("ro-risk-assessment", "yes"),
                 ("shpo-material", "yes")),
    ])  # fmt: skip
    hold_review_with(world, SUPERVISOR, at("2027-08-27T19:30:00+01:00"), REVIEW_OFF_BAIL)
    apply(world, "2027-09-02T12:00:00+01:00", [
        milestone_line("hearing-held", "2027-08-28", OFFICER, "2027-08-28T13:00:00+01:00"),
        *answers("early-advice-and-charge", "2027-08-31T10:00:00+01:00",
                 ("custody-time-limit", "yes"), ("wcu-handover", "yes"),
                 ("wcu-contact-told", "yes"), ("isva-told-charge", "yes"),
                 ("intel-at-charge", "yes")),
        *answers("vps-and-trial", "2027-08-31T10:05:00+01:00",
                 ("bail-outcome-told@1", "yes"), ("therapy-notes-request", "not yet")),
        *answers("bad-character", "2027-09-02T11:00:00+01:00",
                 ("material-with-cps", "yes"), ("not-guilty-plea-date", "not yet")),
    ])  # fmt: skip

    world.now = at("2027-09-10T12:00:00+01:00")
    report = world.report()

    assert report["milestones"] == {
        "report": "2026-12-18", "interview": "2026-12-21", "suspect-identified": "2026-12-22",
        "arrest": "2026-12-23", "bail": "2026-12-24", "bail-expiry": "2027-03-23",
        "eia-requested": "2027-01-06", "bail-extended": "2027-06-18",
        "file-submitted": "2027-07-30", "charge": "2027-08-27", "first-hearing": "2027-08-28",
        "hearing-held": "2027-08-28",
    }  # fmt: skip
    # Every 28 days from Fri 18 Dec 2026: 15 Jan, 12 Feb, 12 Mar, 9 Apr, 7 May, 4 Jun, 2 Jul,
    # 30 Jul, 27 Aug (also the charge: one review), next Fri 24 Sep 2027; and one on the
    # arrest (Wed 23 Dec 2026) and the request for early advice (Wed 6 Jan 2027). All held,
    # 2 Jul late.
    assert review_standing(world) == [
        ("2026-12-23", True, "held"), ("2027-01-06", True, "held"),
        ("2027-01-15", True, "held"), ("2027-02-12", True, "held"),
        ("2027-03-12", True, "held"), ("2027-04-09", True, "held"),
        ("2027-05-07", True, "held"), ("2027-06-04", True, "held"),
        ("2027-07-02", True, "held"), ("2027-07-30", True, "held"),
        ("2027-08-27", True, "held"), ("2027-09-24", False, "not-due"),
    ]  # fmt: skip
    [reviews] = report["reviews"]
    assert (reviews["missed"], reviews["next"]) == (0, "2027-09-24")
    late = [r for r in report["runs"] if r["playbook"] == "supervisory-review"]
    assert [r["review_due"] for r in late][-3:] == ["2027-07-02", "2027-07-30", "2027-08-27"]
    charged = run_of(report, "supervisory-review")
    assert item_of(charged, "post-charge-progress")["status"] == "done"

    orders = run_of(report, "protective-orders")
    assert (orders["state"], len(orders["sign_offs"])) == ("asking", 2)
    assert statuses(orders) == {
        "done": {
            "domestic-context", "release-status", "release-date", "victim-views-conditions",
            "victim-told-release", "bail-start-date", "bail-expiry-date", "bail-next-step",
            "bail-extension-authorised", "six-month-end", "six-month-next-step",
            "superintendent-extension", "nine-month-end", "nine-month-next-step",
            "extension-victim-told@1", "extension-victim-told@2", "extension-views-sought@2",
            "breach-reporting-told", "ro-conditions", "ro-acquittal-proposed",
            "ro-victim-views", "ro-risk-assessment", "shpo-material",
        },
        "not-done": {"sro-considered"},
        "na": {"shpo-application", "extension-views-sought@1"},
        "not-yet": {"stalking-present", "breach-reported"},
        "open": {"case-outcome"},
        "not-live": {
            "sro-outcome", "spo-considered", "dvpn-considered", "dvpn-outcome", "dvpo-hearing",
            "rui-reason", "rui-risk-reviewed", "court-application", "dvpn-bail-ended",
            "breaches-acted-on", "ro-refreshed-before-trial", "verdict-date", "cps-vrr-told",
            "ro-acquittal", "sro-after-outcome", "dapo-at-outcome", "sentence-date",
            "shpo-invited", "ro-conviction", "notification-visor", "mappa-considered",
            "victim-told-orders", "nfa-sro-spo", "dvpn-after-nfa",
        },
    }  # fmt: skip
    assert dues(orders) == {
        "sro-considered": "2027-01-06",  # 14 days after the arrest, Wed 23 Dec 2026
        "victim-views-conditions": "2026-12-24",  # on the day of release
        "victim-told-release": "2026-12-29",  # Thu 24 Dec -> Tue 29 Dec, as above
        # 3 months beginning with Thu 24 Dec 2026 end Tue 23 Mar 2027: the plan 7 days before,
        # the inspector's extension by the last day.
        "bail-next-step": "2027-03-16",
        "bail-extension-authorised": "2027-03-23",
        # 6 months end Wed 23 Jun 2027; 9 months end Thu 23 Sep 2027.
        "six-month-next-step": "2027-06-16",
        "superintendent-extension": "2027-06-23",
        "nine-month-next-step": "2027-09-16",
        "court-application": "2027-09-23",
        # Right 6, each extension told within 1 working day: Fri 19 Mar -> Mon 22 Mar 2027;
        # Fri 18 Jun -> Mon 21 Jun 2027.
        "extension-victim-told@1": "2027-03-22",
        "extension-victim-told@2": "2027-06-21",
        # 2 calendar days after the charge, Fri 27 Aug 2027: Sun 29 Aug.
        "ro-conditions": "2027-08-29",
        "ro-acquittal-proposed": "2027-08-29",
        "shpo-material": "2027-08-29",
    }  # fmt: skip

    initial = run_of(report, "initial-report")
    assert statuses(initial) == {
        "done": {
            "safeguarding-risk", "risk-level", "specialist-officer", "written-confirmation",
            "confirmation-contents", "confirmation-safe-route", "needs-assessment",
            "communication-assessed", "communication-in-place", "support-referral",
            "isva-offered", "isva-consent", "therapy-information", "vps-explained",
            "anonymity-explained", "social-media-advice", "restorative-justice-note",
            "contact-plan-agreed", "contact-means", "contact-frequency", "timed-contact",
            "interviewer-choice", "interviewer-request-met", "supporter-offered",
            "intermediary-considered", "intermediary-needed", "interview-date",
            "protected-characteristics",
        },
    }  # fmt: skip
    # Reported on Fri 18 Dec 2026.
    assert dues(initial) == {
        "safeguarding-risk": "2026-12-19",  # 1 calendar day
        "needs-assessment": "2026-12-21",  # 1 working day: Mon 21 Dec
        "support-referral": "2026-12-22",  # Right 4, 2 working days: Mon 21, Tue 22
        # 5 working days: Mon 21, Tue 22, Wed 23, Thu 24 (4); Fri 25 (Christmas), Sat, Sun,
        # Mon 28 (Boxing Day, substitute); Tue 29 Dec (5).
        "written-confirmation": "2026-12-29",
        "therapy-information": "2026-12-29",
        "vps-explained": "2026-12-29",
        "contact-plan-agreed": "2026-12-29",
        "protected-characteristics": "2026-12-29",
    }  # fmt: skip

    plan = run_of(report, "investigation-plan")
    assert statuses(plan) == {
        "done": {
            "plan-opened", "plan-dates", "relationship", "suspect-identified-date",
            "rso-orders-checked", "previous-allegations", "order-breach", "digital-strategy",
            "pre-post-offence", "grooming-coercion", "repeat-indicators", "scas",
            "vir-considered", "device-extraction", "suspect-interview-plan",
            "interview-consent-steps", "interview-adviser", "pre-interview-disclosure",
            "special-warnings", "arrest-date", "victim-told-arrest",
        },
        "na": {"other-offences", "associates"},
        "not-yet": {"other-victims", "intimidation", "withdrawal-date"},
        # Identification lines were asked before he was identified, not since.
        "not-live": {
            "identification-lines", "order-breach-actioned", "other-victims-recorded",
            "other-victims-safeguarded", "intimidation-actioned",
        },
    }  # fmt: skip
    # The previous allegations were answered in the bad character checklist: one fact.
    assert item_of(plan, "previous-allegations")["value"] == "found"
    assert [h["value"] for h in item_of(plan, "repeat-indicators")["history"]] == ["no", "yes"]
    assert dues(plan) == {
        "plan-opened": "2026-12-20",  # 2 calendar days after Fri 18 Dec: Sun 20 Dec
        "identification-lines": "2026-12-20",
        # From the identification, Tue 22 Dec: 2 days, 28 days, 7 days.
        "rso-orders-checked": "2026-12-24",
        "previous-allegations": "2027-01-19",
        "digital-strategy": "2026-12-29",
        # Right 6: the arrest (Wed 23 Dec) told within 1 working day: Thu 24 Dec.
        "victim-told-arrest": "2026-12-24",
    }  # fmt: skip

    first = run_of(report, "first-enquiries")
    assert statuses(first) == {
        "done": {
            "cctv-secured", "first-complaint", "scene-examined", "house-to-house",
            "victim-fme-offered", "toxicology-considered", "suspect-samples",
            "suspect-clothing", "suspect-premises", "suspect-fme", "suspect-devices-seized",
            "suspect-cell-site", "suspect-travel-records", "suspect-first-account",
            "children-contact", "position-of-trust", "intel-submitted", "disruption-plan",
            "disruption-tactics", "disruption-owner",
        },
        "na": {"early-evidence-kit", "suspect-anpr", "suspect-platform-records", "partner-dvds"},
        "not-live": {"mash-referral", "lado-disclosure"},
    }  # fmt: skip
    assert dues(first) == {
        # 3 calendar days after Fri 18 Dec: Mon 21 Dec; 1 day: Sat 19 Dec.
        "cctv-secured": "2026-12-21", "first-complaint": "2026-12-21",
        "scene-examined": "2026-12-21", "house-to-house": "2026-12-21",
        "victim-fme-offered": "2026-12-19", "early-evidence-kit": "2026-12-19",
        "toxicology-considered": "2026-12-19",
        # 1 day after the arrest, Wed 23 Dec: Thu 24 Dec.
        "suspect-samples": "2026-12-24", "suspect-clothing": "2026-12-24",
        "suspect-premises": "2026-12-24", "suspect-fme": "2026-12-24",
        "suspect-devices-seized": "2026-12-24",
        # 3 calendar days after the identification, Tue 22 Dec: Christmas Day itself (these are
        # force settings in calendar days, which holidays do not move).
        "suspect-anpr": "2026-12-25", "suspect-cell-site": "2026-12-25",
        "suspect-travel-records": "2026-12-25", "suspect-platform-records": "2026-12-25",
        "intel-submitted": "2026-12-25",
        "disruption-plan": "2027-01-05",  # 14 days: Tue 5 Jan 2027
    }  # fmt: skip

    history = run_of(report, "bad-character")
    assert statuses(history) == {
        "done": {
            "pnc-record", "pnd-local", "other-forces", "civil-orders", "previous-allegations",
            "previous-complainants", "review-violence", "review-fraud", "review-stalking",
            "review-sexual", "related-found", "gateways", "mg16-sent", "pnc-attached",
            "material-with-cps",
        },
        "na": {"dvds-history", "family-court", "review-coercive-control"},
        "not-yet": {"not-guilty-plea-date"},
        "not-live": {"family-court-request", "plea-court", "notice-crown", "notice-magistrates"},
    }  # fmt: skip
    assert dues(history) == {
        "pnc-record": "2026-12-24", "pnd-local": "2026-12-24",  # 2 days after Tue 22 Dec
        "previous-allegations": "2027-01-19",  # 28 days
        "mg16-sent": "2027-07-30",  # with the file, Fri 30 Jul 2027
        "material-with-cps": "2027-09-03",  # 7 days after the charge, Fri 27 Aug
    }  # fmt: skip

    advice = run_of(report, "early-advice-and-charge")
    assert statuses(advice) == CHARGED_ON_ADVICE
    assert dues(advice) == {
        "eia-sought": "2027-01-05",  # 14 days after Tue 22 Dec 2026
        "eia-received": "2027-01-27",  # 21 days after the request, Wed 6 Jan 2027
        "mg2-with-file": "2027-07-30", "dmd-with-file": "2027-07-30",
        "schedules-with-file": "2027-07-30",
        # Right 6, 1 working day after the charge on Fri 27 Aug 2027: Sat, Sun, Mon 30 Aug
        # (summer bank holiday) -> Tue 31 Aug.
        "victim-told-charge": "2027-08-31", "first-hearing-told": "2027-08-31",
        "charge-bail-told": "2027-08-31", "wcu-handover": "2027-08-31",
    }  # fmt: skip

    trial = run_of(report, "vps-and-trial")
    assert statuses(trial) == {
        "done": {
            "vps-offered", "vps-format", "vps-in-interview-recorded", "vps-reading",
            "vps-copy", "vps-disclosure-told", "special-measures-discussed",
            "measures-recorded", "s28-wanted", "bail-outcome-told@1",
        },
        "open": {"trial-date"},
        "not-yet": {"therapy-notes-request"},
        "not-live": {
            "vps-later-explained", "s28-applied", "s28-hearing-date", "ground-rules-hearing",
            "sm-outcome-told", "evidence-required-told", "wcu-needs-assessment",
            "court-visit-offered", "separate-entrance", "memory-refresh-s28",
            "cps-meeting-offered", "defence-statement-reviewed", "schedules-updated",
            "therapy-notes-line", "therapy-notes-probative", "therapy-notes-notice",
            "victim-told-outcome", "isva-told-outcome", "vps-update-sentence",
            "latest-vps-with-cps", "victim-told-sentence", "vcs-referral", "cica-info",
        },
    }  # fmt: skip
    assert dues(trial) == {
        # The interview, Mon 21 Dec 2026: 2 working days (Tue 22, Wed 23); 2 and 7 days.
        "vps-offered": "2026-12-23",
        "vps-in-interview-recorded": "2026-12-23",
        "special-measures-discussed": "2026-12-28",
        # Right 8, the remand hearing on Sat 28 Aug 2027: the court has 5 working days and the
        # Witness Care Unit 1: Mon 30 Aug (bank holiday) skipped; Tue 31, Wed 1 Sep, Thu 2,
        # Fri 3, Mon 6, Tue 7 Sep.
        "bail-outcome-told@1": "2027-09-07",
    }  # fmt: skip


def test_stranger_rape_each_supervisory_review_is_answered_afresh(world: World):
    """The stranger rape case to its second review: the arrest's review is held on Thu 24 Dec
    2026; early advice is asked for on Wed 6 Jan 2027, which brings a review of its own. The
    supervisor holding it must be asked every question again."""
    apply(world, "2026-12-24T10:30:00+00:00", [
        {"event": "open", "case": REF, "officer": OFFICER, "at": "2026-12-18T03:10:00+00:00"},
        milestone_line("suspect-identified", "2026-12-22", OFFICER),
        milestone_line("arrest", "2026-12-23", OFFICER),
        *answers("protective-orders", "2026-12-24T10:00:00+00:00",
                 ("release-status", "on bail with conditions"), ("release-date", "2026-12-24")),
    ])  # fmt: skip
    first = hold_review_with(world, SUPERVISOR, at("2026-12-24T11:00:00+00:00"), REVIEW_ON_BAIL)
    assert first["review_due"] == "2026-12-23"
    apply(world, "2027-01-06T13:00:00+00:00", [
        *answers("early-advice-and-charge", "2027-01-06T12:00:00+00:00",
                 ("eia-sought", "yes"), ("eia-request-date", "2027-01-06")),
        start_line("supervisory-review", SUPERVISOR, "2027-01-06T13:00:00+00:00"),
    ])  # fmt: skip

    second = run_of(world.report(), "supervisory-review")

    assert second["review_due"] == "2027-01-06"
    assert second["run"] != first["run"]
    # Nothing answered yet: every question it asks is open, for the supervisor to answer now.
    # A review that showed the first one's answers would record an assessment never made that
    # day (HMICFRS/HMCPSI Phase 1, recommendation R4: rigorous review dates with performance
    # management).
    assert set(statuses(second)) == {"open", "not-live"}
    assert item_of(second, "plan-on-target")["when"] is None


# --- 2. Domestic rape: related offending, a DVPN and DVPO over a bank holiday, charge ----------


def test_domestic_rape_with_dvpn_dvpo_and_related_offending(world: World):
    """Reported late on Sat 1 May 2027, the start of the early May bank holiday weekend, against
    her partner, identified at once. His PNC and local records show violence and coercive
    control, which opens the protective orders checklist before his arrest in the early hours of
    Sun 2 May. Released under investigation that evening with a DVPN authorised by a
    superintendent; the DVPO is heard on Tue 4 May and made for 28 days. Charged with rape and
    controlling or coercive behaviour on Fri 28 May, the Friday before the spring bank holiday,
    and remanded; he pleads not guilty on Fri 25 Jun and the trial is fixed for Mon 15 Nov. The
    other force's records, arriving after the bad character sign-off, add stalking: a correction
    that reopens it. Read on Mon 12 Jul 2027."""
    review = {**REVIEW_ON_BAIL, "bail-valid": ("na", "Not on pre-charge bail"),
              "rui-risk-checked": "yes"}  # fmt: skip
    apply(world, "2027-05-02T00:20:00+01:00", [
        {"event": "open", "case": REF, "officer": OFFICER, "at": "2027-05-01T23:40:00+01:00"},
        start_line("initial-report", OFFICER, "2027-05-01T23:45:00+01:00"),
        start_line("investigation-plan", OFFICER, "2027-05-01T23:46:00+01:00"),
        start_line("first-enquiries", OFFICER, "2027-05-01T23:47:00+01:00"),
        *answers("investigation-plan", "2027-05-01T23:50:00+01:00",
                 ("relationship", "known to the victim"),
                 ("suspect-identified-date", "2027-05-01")),
        # His history: violence and coercive control with a former partner, an old
        # non-molestation order and a Clare's Law disclosure. Domestic abuse in the history
        # opens the protective orders checklist, before any arrest.
        *answers("bad-character", "2027-05-01T23:55:00+01:00",
                 ("pnc-record", "yes"), ("pnd-local", "yes"), ("civil-orders", "yes"),
                 ("dvds-history", "yes"), ("other-forces", "no", "Awaiting other force"),
                 ("review-violence", "yes"), ("review-coercive-control", "yes"),
                 ("review-stalking", "no", "Awaiting other force"),
                 ("related-found", ["violence", "coercive control or domestic abuse"])),
    ])  # fmt: skip
    opened = run_of(world.report(), "protective-orders")
    assert opened["state"] == "asking"
    assert item_of(opened, "release-status")["status"] == "not-live"  # no arrest yet

    apply(world, "2027-05-02T21:00:00+01:00", [
        # Arrested in the early hours of Sun 2 May: the checklist is already open, and stays
        # the one run.
        *answers("investigation-plan", "2027-05-02T00:30:00+01:00", ("arrest-date", "2027-05-02")),
        *answers("first-enquiries", "2027-05-02T02:00:00+01:00",
                 ("victim-fme-offered", "yes"), ("early-evidence-kit", "na"),
                 ("toxicology-considered", "na"),
                 ("cctv-secured", "na", "No cameras in the area"), ("first-complaint", "yes"),
                 ("scene-examined", "yes"), ("house-to-house", "na", "No useful area to cover"),
                 ("suspect-samples", "yes"), ("suspect-clothing", "yes"),
                 ("suspect-premises", "yes"), ("suspect-fme", "yes"),
                 ("suspect-devices-seized", "yes"), ("suspect-first-account", "yes"),
                 ("suspect-anpr", "na", "No vehicle linked"),
                 ("suspect-cell-site", "na", "Location not in issue"),
                 ("suspect-travel-records", "na", "No journey in question"),
                 ("suspect-platform-records", "na", "No platform used"),
                 ("children-contact", "yes"), ("mash-referral", "yes"),
                 ("position-of-trust", "no"), ("partner-dvds", "na"),
                 ("intel-submitted", "yes")),
        *answers("investigation-plan", "2027-05-02T09:00:00+01:00", ("victim-told-arrest", "yes")),
        *answers("initial-report", "2027-05-02T10:00:00+01:00",
                 ("safeguarding-risk", "yes"), ("risk-level", "high"),
                 ("specialist-officer", "yes"), ("needs-assessment", "yes"),
                 ("communication-assessed", "yes"), ("communication-in-place", "yes"),
                 ("support-referral", "yes"),
                 ("isva-offered", "no", "Victim already has an ISVA"), ("isva-consent", "yes"),
                 ("therapy-information", "yes"),
                 ("vps-explained", "no", "Victim not ready to discuss"),
                 ("anonymity-explained", "yes"), ("social-media-advice", "yes"),
                 ("restorative-justice-note", "ok"), ("contact-plan-agreed", "yes"),
                 ("contact-means", ["in person", "through the ISVA"]),
                 ("contact-frequency", "fortnightly"), ("timed-contact", "yes"),
                 ("interviewer-choice", "yes"), ("interviewer-request-met", "yes"),
                 ("supporter-offered", "yes"), ("intermediary-considered", "yes"),
                 ("intermediary-needed", "no"), ("protected-characteristics", "yes"),
                 ("written-confirmation", "yes"), ("confirmation-contents", "yes"),
                 ("confirmation-safe-route", "yes")),
        # Released under investigation at 20:00 with a DVPN, authorised by a superintendent
        # (Crime and Security Act 2010 s.24(1)) and served at once.
        *answers("protective-orders", "2027-05-02T20:00:00+01:00",
                 ("domestic-context", "yes"), ("dvpn-considered", "yes"),
                 ("dvpn-outcome", "DVPN given and DVPO sought"),
                 ("release-status", "released under investigation"),
                 ("release-date", "2027-05-02"), ("rui-reason", "yes"),
                 ("rui-risk-reviewed", "yes"),
                 ("sro-considered", "no", "Not necessary on the evidence"),
                 ("shpo-application", "na"), ("stalking-present", "not yet")),
    ])  # fmt: skip
    apply(world, "2027-05-04T11:30:00+01:00", [
        # The video interview on Tue 4 May starts the VPS and trial checklist (the VPS was not
        # explained at report, so nothing opened it before).
        *answers("initial-report", "2027-05-04T09:00:00+01:00", ("interview-date", "2027-05-04")),
        # Right 6: the release on Sun 2 May told within 1 working day: Mon 3 May is the early
        # May bank holiday -> Tue 4 May.
        *answers("protective-orders", "2027-05-04T09:30:00+01:00", ("victim-told-release", "yes")),
        *answers("early-advice-and-charge", "2027-05-04T10:00:00+01:00",
                 ("eia-sought", "yes"), ("eia-request-date", "2027-05-04"),
                 ("direct-contacts", "yes"), ("decision-route", "still investigating")),
        # The DVPO application was heard at 10:00 on Tue 4 May, 38 hours after the DVPN was
        # served: within the 48 hours of s.27 however the Sunday and the bank holiday count.
        # The order is made for 28 days, the most s.28 allows.
        *answers("protective-orders", "2027-05-04T11:00:00+01:00", ("dvpo-hearing", "yes")),
    ])  # fmt: skip
    # The arrest's review (Sun 2 May) held on Tue 4 May, then the one early advice brings.
    hold_review_with(world, SUPERVISOR, at("2027-05-04T12:00:00+01:00"), review)
    hold_review_with(world, SUPERVISOR, at("2027-05-04T12:30:00+01:00"), review)
    apply(world, "2027-05-14T12:00:00+01:00", [
        *answers("vps-and-trial", "2027-05-05T15:00:00+01:00",
                 ("vps-offered", "yes"), ("vps-format", "victim declined for now"),
                 ("vps-later-explained", "yes"), ("special-measures-discussed", "yes"),
                 ("measures-recorded", "yes"), ("s28-wanted", "no")),
        *answers("investigation-plan", "2027-05-05T16:00:00+01:00",
                 ("plan-opened", "yes"), ("plan-dates", "yes"), ("rso-orders-checked", "yes"),
                 ("previous-allegations", "not yet"), ("order-breach", "no"),
                 ("digital-strategy", "yes"), ("pre-post-offence", "yes"),
                 ("grooming-coercion", "yes"), ("other-offences", "yes"), ("associates", "yes"),
                 ("repeat-indicators", "no"), ("other-victims", "no"),
                 ("intimidation", "not yet"), ("vir-considered", "no"),
                 ("device-extraction", "no"), ("withdrawal-date", "not yet"),
                 ("suspect-interview-plan", "yes"), ("interview-consent-steps", "yes"),
                 ("interview-adviser", "na"), ("pre-interview-disclosure", "yes"),
                 ("special-warnings", "na")),
        *answers("bad-character", "2027-05-05T16:30:00+01:00",
                 ("family-court", "na", "No family proceedings known"),
                 ("review-fraud", "na", "No history held"), ("review-sexual", "yes"),
                 ("gateways", ["(d) important matter in issue (propensity)"])),
        *answers("first-enquiries", "2027-05-06T10:00:00+01:00",
                 ("disruption-plan", "yes"),
                 ("disruption-tactics", ["DVPN or DAPN", "partner agency referral"]),
                 ("disruption-owner", "yes")),
        # His brother messages her: intimidation, recorded and investigated.
        *answers("investigation-plan", "2027-05-12T10:00:00+01:00",
                 ("intimidation", "yes"), ("intimidation-actioned", "yes")),
        *answers("early-advice-and-charge", "2027-05-14T10:00:00+01:00",
                 ("eia-received", "yes"),
                 ("third-party-approach", "na", "No third-party material sought"),
                 ("action-plan-dates", "yes"), ("cps-intrusive-challenged", "na")),
    ])  # fmt: skip
    apply(world, "2027-05-28T18:00:00+01:00", [
        *answers("early-advice-and-charge", "2027-05-26T11:00:00+01:00",
                 ("decision-route", "full file to the CPS for a decision"),
                 ("file-submitted-date", "2027-05-26"), ("mg2-with-file", "yes"),
                 ("dmd-with-file", "yes"), ("schedules-with-file", "yes"),
                 ("third-party-log", "na"), ("cps-decision", "awaiting decision"),
                 ("disagree", "no")),
        *answers("bad-character", "2027-05-26T11:05:00+01:00",
                 ("mg16-sent", "yes"), ("pnc-attached", "yes")),
        # Charged on Fri 28 May with rape and controlling or coercive behaviour; remanded.
        *answers("early-advice-and-charge", "2027-05-28T14:00:00+01:00",
                 ("cps-decision", "charge"), ("charge-date", "2027-05-28")),
        *answers("early-advice-and-charge", "2027-05-28T16:00:00+01:00",
                 ("victim-told-charge", "yes"), ("first-hearing-date", "2027-05-29"),
                 ("first-hearing-told", "yes"), ("charge-status", "remanded in custody"),
                 ("custody-time-limit", "yes"), ("wcu-handover", "yes"),
                 ("wcu-contact-told", "yes"), ("isva-told-charge", "yes"),
                 ("intel-at-charge", "yes")),
        *answers("protective-orders", "2027-05-28T17:00:00+01:00",
                 ("ro-conditions", "yes"), ("ro-acquittal-proposed", "yes"),
                 ("ro-victim-views", "yes"), ("ro-risk-assessment", "yes"),
                 ("shpo-material", "yes")),
        *answers("vps-and-trial", "2027-05-28T17:30:00+01:00",
                 ("therapy-notes-request", "not yet")),
    ])  # fmt: skip
    hold_review_with(world, SUPERVISOR, at("2027-05-28T18:30:00+01:00"), review)
    apply(world, "2027-06-01T12:00:00+01:00", [
        milestone_line("hearing-held", "2027-05-29", OFFICER, "2027-05-29T12:00:00+01:00"),
        *answers("vps-and-trial", "2027-06-01T10:00:00+01:00", ("bail-outcome-told@1", "yes")),
    ])  # fmt: skip
    # The 28-day review of Sat 29 May, held on Tue 1 Jun after the bank holiday.
    hold_review_with(world, SUPERVISOR, at("2027-06-01T12:30:00+01:00"), review)
    apply(
        world,
        "2027-06-04T11:00:00+01:00",
        answers(
            "bad-character",
            "2027-06-04T10:00:00+01:00",
            # "Not yet" given in the investigation plan is not shown here: asked again.
            ("previous-allegations", "not yet"),
            ("material-with-cps", "yes"),
            ("not-guilty-plea-date", "not yet"),
        ),
    )
    signed = submit_and_sign_off(
        world, "bad-character", OFFICER, SUPERVISOR, at("2027-06-04T12:00:00+01:00"),
        "History reviewed; other force awaited",
    )  # fmt: skip
    # The other force's records arrive: he stalked his former partner, who complained and did
    # not want to go on. Corrections after the sign-off, and the stalking weighed in the orders.
    apply(world, "2027-06-07T12:00:00+01:00", [
        *answers("bad-character", "2027-06-07T10:00:00+01:00",
                 ("other-forces", "yes"), ("review-stalking", "yes"),
                 ("related-found", ["violence", "stalking or harassment",
                                    "coercive control or domestic abuse"]),
                 ("previous-allegations", "found"),
                 ("previous-complainants", "traced and not willing")),
        *answers("protective-orders", "2027-06-07T11:00:00+01:00",
                 ("stalking-present", "yes"),
                 ("spo-considered", "no", "Suspect remanded in custody")),
    ])  # fmt: skip
    history = run_of(world.report(), "bad-character")
    assert (history["run"], history["reopened_after_sign_off"]) == (signed, True)
    assert [h["value"] for h in item_of(history, "review-stalking")["history"]] == ["no", "yes"]
    # The plea and trial preparation hearing on Fri 25 Jun: not guilty; trial fixed for Mon 15
    # Nov 2027. Both bring a review, held as one that evening.
    apply(world, "2027-06-25T18:00:00+01:00", [
        *answers("bad-character", "2027-06-25T13:00:00+01:00",
                 ("not-guilty-plea-date", "2027-06-25"), ("plea-court", "Crown Court")),
        milestone_line("trial-listed", "2027-06-25", OFFICER, "2027-06-25T13:05:00+01:00"),
        *answers("vps-and-trial", "2027-06-25T13:10:00+01:00", ("trial-date", "2027-11-15")),
        *answers("vps-and-trial", "2027-06-25T16:00:00+01:00",
                 ("ground-rules-hearing", "na"), ("sm-outcome-told", "yes"),
                 ("evidence-required-told", "yes"), ("wcu-needs-assessment", "yes"),
                 ("court-visit-offered", "yes"), ("separate-entrance", "yes"),
                 ("cps-meeting-offered", "yes"), ("change-reason@1", "first listing"),
                 ("victim-still-supports@1", "yes"), ("isva-informed@1", "yes"),
                 ("defence-statement-reviewed", "no", "Awaiting defence statement"),
                 ("schedules-updated", "yes")),
    ])  # fmt: skip
    hold_review_with(world, SUPERVISOR, at("2027-06-25T18:30:00+01:00"), review)
    apply(world, "2027-07-08T12:00:00+01:00", [
        *answers("vps-and-trial", "2027-06-28T10:00:00+01:00",
                 ("victim-told-trial-date@1", "yes")),
        *answers("bad-character", "2027-07-08T10:00:00+01:00", ("notice-crown", "yes")),
    ])  # fmt: skip

    world.now = at("2027-07-12T12:00:00+01:00")
    report = world.report()

    assert [run["playbook"] for run in report["runs"]].count("protective-orders") == 1
    # Every 28 days from Sat 1 May 2027: Sat 29 May, Sat 26 Jun, next Sat 24 Jul; and one on
    # the arrest (Sun 2 May), the request for early advice (Tue 4 May), the charge (Fri 28 May)
    # and the plea and trial listing (Fri 25 Jun, one review). Sat 26 Jun was not held: 2 days
    # on (Mon 28 Jun) it was escalated.
    assert review_standing(world) == [
        ("2027-05-02", True, "held"), ("2027-05-04", True, "held"),
        ("2027-05-28", True, "held"), ("2027-05-29", True, "held"),
        ("2027-06-25", True, "held"), ("2027-06-26", False, "escalate"),
        ("2027-07-24", False, "not-due"),
    ]  # fmt: skip

    orders = run_of(report, "protective-orders")
    assert statuses(orders) == {
        "done": {
            "domestic-context", "dvpn-considered", "dvpn-outcome", "dvpo-hearing",
            "release-status", "release-date", "victim-told-release", "rui-reason",
            "rui-risk-reviewed", "stalking-present", "ro-conditions", "ro-acquittal-proposed",
            "ro-victim-views", "ro-risk-assessment", "shpo-material",
        },
        "not-done": {"sro-considered", "spo-considered"},
        "na": {"shpo-application"},
        "open": {"ro-refreshed-before-trial", "case-outcome"},
        "not-live": {
            "sro-outcome", "victim-views-conditions", "bail-start-date", "bail-expiry-date",
            "bail-next-step", "bail-extension-authorised", "six-month-end",
            "six-month-next-step", "superintendent-extension", "nine-month-end",
            "nine-month-next-step", "court-application", "dvpn-bail-ended",
            "breach-reporting-told", "breach-reported", "breaches-acted-on", "verdict-date",
            "cps-vrr-told", "ro-acquittal", "sro-after-outcome", "dapo-at-outcome",
            "sentence-date", "shpo-invited", "ro-conviction", "notification-visor",
            "mappa-considered", "victim-told-orders", "nfa-sro-spo", "dvpn-after-nfa",
        },
    }  # fmt: skip
    assert dues(orders) == {
        "sro-considered": "2027-05-16",  # 14 days after the arrest, Sun 2 May
        "victim-views-conditions": "2027-05-02",  # on the day of release (not asked: no bail)
        "victim-told-release": "2027-05-04",  # Sun 2 May -> Mon 3 (bank holiday) -> Tue 4 May
        "ro-conditions": "2027-05-30",  # 2 days after the charge, Fri 28 May: Sun 30 May
        "ro-acquittal-proposed": "2027-05-30",
        "shpo-material": "2027-05-30",
        "ro-refreshed-before-trial": "2027-11-01",  # 14 days before Mon 15 Nov 2027
    }  # fmt: skip

    history = run_of(report, "bad-character")
    assert statuses(history) == {
        "done": {
            "pnc-record", "pnd-local", "other-forces", "civil-orders", "dvds-history",
            "previous-allegations", "previous-complainants", "review-violence",
            "review-stalking", "review-coercive-control", "review-sexual", "related-found",
            "gateways", "mg16-sent", "pnc-attached", "material-with-cps",
            "not-guilty-plea-date", "plea-court", "notice-crown",
        },
        "na": {"family-court", "review-fraud"},
        "not-live": {"family-court-request", "notice-magistrates"},
    }  # fmt: skip
    assert dues(history) == {
        "pnc-record": "2027-05-03", "pnd-local": "2027-05-03",  # 2 days after Sat 1 May
        "previous-allegations": "2027-05-29",  # 28 days
        "mg16-sent": "2027-05-26",  # with the file, Wed 26 May
        "material-with-cps": "2027-06-04",  # 7 days after the charge
        # CrimPR r.21.4, Crown Court: 10 business days after the plea on Fri 25 Jun: Mon 28,
        # Tue 29, Wed 30 Jun, Thu 1, Fri 2 (5), Mon 5 ... Fri 9 Jul (10).
        "notice-crown": "2027-07-09",
        # The magistrates' court's 20 (not asked: the plea was in the Crown Court): on from
        # Fri 9 Jul, Mon 12 ... Fri 16 (15), Mon 19 ... Fri 23 Jul (20).
        "notice-magistrates": "2027-07-23",
    }  # fmt: skip

    plan = run_of(report, "investigation-plan")
    assert statuses(plan) == {
        "done": {
            "plan-opened", "plan-dates", "relationship", "suspect-identified-date",
            "rso-orders-checked", "previous-allegations", "order-breach", "digital-strategy",
            "pre-post-offence", "grooming-coercion", "other-offences", "associates",
            "repeat-indicators", "other-victims", "intimidation", "intimidation-actioned",
            "vir-considered", "device-extraction", "suspect-interview-plan",
            "interview-consent-steps", "pre-interview-disclosure", "arrest-date",
            "victim-told-arrest",
        },
        "na": {"interview-adviser", "special-warnings"},
        "not-yet": {"withdrawal-date"},
        # SCAS is asked only of a stranger, online or serial case.
        "not-live": {
            "identification-lines", "order-breach-actioned", "scas", "other-victims-recorded",
            "other-victims-safeguarded",
        },
    }  # fmt: skip
    assert dues(plan) == {
        "plan-opened": "2027-05-03", "identification-lines": "2027-05-03",  # 2 days
        "rso-orders-checked": "2027-05-03",
        "previous-allegations": "2027-05-29",
        "digital-strategy": "2027-05-08",  # 7 days after Sat 1 May
        "victim-told-arrest": "2027-05-04",  # Sun 2 May -> Mon 3 (bank holiday) -> Tue 4
    }  # fmt: skip

    initial = run_of(report, "initial-report")
    assert statuses(initial) == {
        "done": {
            "safeguarding-risk", "risk-level", "specialist-officer", "written-confirmation",
            "confirmation-contents", "confirmation-safe-route", "needs-assessment",
            "communication-assessed", "communication-in-place", "support-referral",
            "isva-consent", "therapy-information", "anonymity-explained",
            "social-media-advice", "restorative-justice-note", "contact-plan-agreed",
            "contact-means", "contact-frequency", "timed-contact", "interviewer-choice",
            "interviewer-request-met", "supporter-offered", "intermediary-considered",
            "intermediary-needed", "interview-date", "protected-characteristics",
        },
        "not-done": {"isva-offered", "vps-explained"},
    }  # fmt: skip
    # Reported Sat 1 May 2027; Mon 3 May is a bank holiday.
    assert dues(initial) == {
        "safeguarding-risk": "2027-05-02",  # 1 calendar day
        "needs-assessment": "2027-05-04",  # 1 working day: Tue 4 May
        "support-referral": "2027-05-05",  # 2 working days: Tue 4, Wed 5
        # 5 working days: Tue 4, Wed 5, Thu 6, Fri 7, Mon 10 May.
        "written-confirmation": "2027-05-10", "therapy-information": "2027-05-10",
        "vps-explained": "2027-05-10", "contact-plan-agreed": "2027-05-10",
        "protected-characteristics": "2027-05-10",
    }  # fmt: skip

    first = run_of(report, "first-enquiries")
    assert statuses(first) == {
        "done": {
            "first-complaint", "scene-examined", "victim-fme-offered", "suspect-samples",
            "suspect-clothing", "suspect-premises", "suspect-fme", "suspect-devices-seized",
            "suspect-first-account", "children-contact", "mash-referral", "position-of-trust",
            "intel-submitted", "disruption-plan", "disruption-tactics", "disruption-owner",
        },
        "na": {
            "cctv-secured", "house-to-house", "early-evidence-kit", "toxicology-considered",
            "suspect-anpr", "suspect-cell-site", "suspect-travel-records",
            "suspect-platform-records", "partner-dvds",
        },
        "not-live": {"lado-disclosure"},
    }  # fmt: skip
    assert dues(first) == {
        # 3 days after the report (Tue 4 May), 1 day (Sun 2 May).
        "cctv-secured": "2027-05-04", "first-complaint": "2027-05-04",
        "scene-examined": "2027-05-04", "house-to-house": "2027-05-04",
        "victim-fme-offered": "2027-05-02", "early-evidence-kit": "2027-05-02",
        "toxicology-considered": "2027-05-02",
        # 1 day after the arrest, Sun 2 May: the bank holiday, Mon 3 May.
        "suspect-samples": "2027-05-03", "suspect-clothing": "2027-05-03",
        "suspect-premises": "2027-05-03", "suspect-fme": "2027-05-03",
        "suspect-devices-seized": "2027-05-03",
        # 3 days after the identification, Sat 1 May: Tue 4 May; 14 days: Sat 15 May.
        "suspect-anpr": "2027-05-04", "suspect-cell-site": "2027-05-04",
        "suspect-travel-records": "2027-05-04", "suspect-platform-records": "2027-05-04",
        "intel-submitted": "2027-05-04",
        "disruption-plan": "2027-05-15",
    }  # fmt: skip

    advice = run_of(report, "early-advice-and-charge")
    assert statuses(advice) == CHARGED_ON_ADVICE
    assert dues(advice) == {
        "eia-sought": "2027-05-15",  # 14 days after Sat 1 May
        "eia-received": "2027-05-25",  # 21 days after Tue 4 May
        "mg2-with-file": "2027-05-26", "dmd-with-file": "2027-05-26",
        "schedules-with-file": "2027-05-26",
        # Right 6, 1 working day after Fri 28 May: Sat, Sun, Mon 31 May (spring bank
        # holiday) -> Tue 1 Jun.
        "victim-told-charge": "2027-06-01", "first-hearing-told": "2027-06-01",
        "charge-bail-told": "2027-06-01", "wcu-handover": "2027-06-01",
    }  # fmt: skip

    trial = run_of(report, "vps-and-trial")
    assert statuses(trial) == {
        "done": {
            "vps-offered", "vps-format", "vps-later-explained", "special-measures-discussed",
            "measures-recorded", "s28-wanted", "sm-outcome-told", "evidence-required-told",
            "wcu-needs-assessment", "court-visit-offered", "separate-entrance",
            "cps-meeting-offered", "bail-outcome-told@1", "trial-date",
            "victim-told-trial-date@1", "isva-informed@1", "change-reason@1",
            "victim-still-supports@1", "schedules-updated",
        },
        "not-done": {"defence-statement-reviewed"},
        "na": {"ground-rules-hearing"},
        "open": {"memory-refresh@1", "vps-update-trial@1", "trial-readiness@1"},
        "not-yet": {"therapy-notes-request"},
        "not-live": {
            "vps-in-interview-recorded", "vps-reading", "vps-copy", "vps-disclosure-told",
            "s28-applied", "s28-hearing-date", "memory-refresh-s28", "therapy-notes-line",
            "therapy-notes-probative", "therapy-notes-notice", "victim-told-outcome",
            "isva-told-outcome", "vps-update-sentence", "latest-vps-with-cps",
            "victim-told-sentence", "vcs-referral", "cica-info",
        },
    }  # fmt: skip
    assert dues(trial) == {
        "vps-offered": "2027-05-06",  # 2 working days after Tue 4 May: Wed 5, Thu 6
        "vps-in-interview-recorded": "2027-05-06",  # 2 days
        "special-measures-discussed": "2027-05-11",  # 7 days
        "s28-applied": "2027-06-25",  # by the plea hearing (not asked: no s.28 wanted)
        # Right 8, the remand hearing on Sat 29 May: Mon 31 May (bank holiday) skipped; Tue 1,
        # Wed 2, Thu 3, Fri 4, Mon 7 (5 for the court), Tue 8 Jun (1 for witness care).
        "bail-outcome-told@1": "2027-06-08",
        "victim-told-trial-date@1": "2027-06-28",  # Right 8: Fri 25 Jun -> Mon 28 Jun
        # Before the trial on Mon 15 Nov 2027: 28, 14 and 7 days.
        "vps-update-trial@1": "2027-10-18",
        "trial-readiness@1": "2027-11-01",
        "memory-refresh@1": "2027-11-08",
    }  # fmt: skip


# --- 3. Police NFA over Easter, the victim's right to review, the decision overturned ----------


def overdue_on(report: dict[str, Any], playbook: str, day: str) -> set[str]:
    """What a run shows as overdue on a day: items still waiting whose due date is before it."""
    run = run_of(report, playbook)
    waiting = ("open", "later", "not-yet", "needs-reason")
    return {
        item["id"]
        for item in run["items"]
        if item["status"] in waiting and item["due"] is not None and item["due"] < day
    }


def test_police_nfa_told_after_easter_and_overturned_on_review(world: World):
    """Reported on Mon 2 Mar 2026 against a man she met that night, identified at once,
    arrested and interviewed on Tue 3 Mar and bailed on Wed 4 Mar. The police take no further
    action on Thu 2 Apr, the day before Good Friday; the victim is told a day late, on Wed 8 Apr,
    and asks for a review on Mon 20 Apr. The review comes late and overturns the decision on
    Fri 12 Jun, which opens a new investigation plan."""
    apply(world, "2026-03-04T18:00:00+00:00", [
        {"event": "open", "case": REF, "officer": OFFICER, "at": "2026-03-02T09:00:00+00:00"},
        milestone_line("suspect-identified", "2026-03-02", OFFICER),
        milestone_line("arrest", "2026-03-03", OFFICER),
        *answers("protective-orders", "2026-03-04T17:00:00+00:00",
                 ("release-status", "on bail with conditions"), ("release-date", "2026-03-04"),
                 ("victim-views-conditions", "yes"), ("bail-start-date", "2026-03-04"),
                 # 3 months beginning with Wed 4 Mar end on Wed 3 Jun 2026.
                 ("bail-expiry-date", "2026-06-03"), ("bail-next-step", "charge before expiry"),
                 ("breach-reporting-told", "yes"), ("domestic-context", "no")),
        *answers("early-advice-and-charge", "2026-03-04T17:30:00+00:00",
                 ("eia-sought", "no", "Police NFA - evidence test not met")),
    ])  # fmt: skip
    apply(world, "2026-04-02T17:00:00+01:00", [
        *answers("protective-orders", "2026-03-05T10:00:00+00:00",
                 ("victim-told-release", "yes"),
                 ("sro-considered", "no", "Bail conditions protect enough")),
        *answers("early-advice-and-charge", "2026-04-02T15:00:00+01:00",
                 ("decision-route", "police decision of no further action"),
                 ("police-nfa-reasons", "yes"), ("police-nfa-agreed", "yes"),
                 ("nfa-scrutiny", "yes"), ("nfa-date", "2026-04-02")),
        # The NFA checklist's telling and review items are live only once it knows who decided.
        *answers("nfa-and-review", "2026-04-02T16:00:00+01:00",
                 ("decided-by", "police"), ("victim-withdrew", "no")),
    ])  # fmt: skip
    # Read on the morning of Wed 8 Apr, before the victim is told. Right 6: a decision not to
    # charge is told within 1 working day of Thu 2 Apr: Fri 3 Apr (Good Friday), Sat, Sun, Mon
    # 6 Apr (Easter Monday) -> Tue 7 Apr. Both that message and the end of the bail conditions
    # are a day late.
    world.now = at("2026-04-08T08:00:00+01:00")
    report = world.report()
    assert report["milestones"]["nfa"] == "2026-04-02"
    review = run_of(report, "nfa-and-review")
    assert overdue_on(report, "nfa-and-review", "2026-04-08") == {
        "decision-told-date", "bail-end-told",
    }  # fmt: skip
    assert overdue_on(report, "early-advice-and-charge", "2026-04-08") == set()
    assert dues(review) == {
        "cps-consulted-withdrawal": "2026-04-02",  # before the NFA (not asked: no withdrawal)
        "decision-told-date": "2026-04-07",
        "bail-end-told": "2026-04-07",
        # 14 calendar days after Thu 2 Apr: Thu 16 Apr.
        "disruption-plan-reviewed": "2026-04-16",
        "intelligence-submitted": "2026-04-16",
    }  # fmt: skip
    advice = run_of(report, "early-advice-and-charge")
    assert statuses(advice) == {
        "done": {
            "decision-route", "police-nfa-reasons", "police-nfa-agreed", "nfa-scrutiny",
            "nfa-date",
        },
        "not-done": {"eia-sought"},
        "open": {"direct-contacts"},
        "not-live": {
            "eia-request-date", "third-party-approach", "eia-received", "action-plan-dates",
            "cps-intrusive-challenged", "file-submitted-date", "mg2-with-file",
            "dmd-with-file", "schedules-with-file", "third-party-log", "cps-decision",
            "minded-nfa-date", "meeting-before-nfa", "disagree", "escalated",
            "escalation-level", "charge-date", "victim-told-charge", "first-hearing-date",
            "first-hearing-told", "charge-status", "charge-bail-told", "custody-time-limit",
            "wcu-handover", "wcu-contact-told", "isva-told-charge", "intel-at-charge",
        },
    }  # fmt: skip
    assert dues(advice) == {
        "eia-sought": "2026-03-16",  # 14 days after the identification, Mon 2 Mar
        "police-nfa-reasons": "2026-04-02",  # on the day of the NFA
        "police-nfa-agreed": "2026-04-02",
    }  # fmt: skip
    orders = run_of(report, "protective-orders")
    assert dues(orders) == {
        "sro-considered": "2026-03-17",  # 14 days after the arrest, Tue 3 Mar
        "victim-views-conditions": "2026-03-04",  # the day of release
        "victim-told-release": "2026-03-05",  # 1 working day after Wed 4 Mar
        # 3 months beginning with Wed 4 Mar end Wed 3 Jun: the plan 7 days before.
        "bail-next-step": "2026-05-27",
        "bail-extension-authorised": "2026-06-03",
        "nfa-sro-spo": "2026-04-16",  # 14 days after the NFA
        "dvpn-after-nfa": "2026-04-03",  # 1 calendar day (not asked: no domestic context)
    }  # fmt: skip
    assert item_of(orders, "nfa-sro-spo")["status"] == "open"

    apply(world, "2026-04-08T12:00:00+01:00", [
        *answers("nfa-and-review", "2026-04-08T11:00:00+01:00",
                 ("outcome-group", "evidential difficulties, victim supports action (15)"),
                 ("tell-method", "in person with the ISVA"),
                 ("decision-told-date", "2026-04-08"), ("reasons-given", "yes"),
                 ("nfa-letter-template", "yes"), ("isva-told-nfa", "yes"),
                 ("bail-end-told", "yes"), ("safety-plan-reviewed", "yes"),
                 # 3 months beginning with Wed 8 Apr end on Tue 7 Jul 2026.
                 ("vrr-last-day", "2026-07-07"), ("vrr-explained", "yes"),
                 ("vrr-requested", "not yet")),
    ])  # fmt: skip
    report = world.report()
    review = run_of(report, "nfa-and-review")
    assert report["milestones"]["decision-communicated"] == "2026-04-08"
    assert item_of(review, "vrr-explained")["due"] == "2026-04-08"  # the day she is told
    assert item_of(review, "vrr-last-day")["value"] == "2026-07-07"
    assert item_of(review, "vrr-requested")["status"] == "not-yet"
    assert overdue_on(report, "nfa-and-review", "2026-04-08") == set()

    apply(world, "2026-04-10T12:00:00+01:00", [
        *answers("nfa-and-review", "2026-04-09T10:00:00+01:00",
                 ("vrr-police-info", "ok"), ("disruption-plan-reviewed", "yes"),
                 ("intelligence-submitted", "yes")),
    ])  # fmt: skip
    signed = submit_and_sign_off(
        world, "nfa-and-review", OFFICER, SUPERVISOR, at("2026-04-10T12:30:00+01:00"),
        "Victim told, review explained",
    )  # fmt: skip
    # The request for a review comes on Mon 20 Apr: after the sign-off, it reopens the run.
    apply(world, "2026-04-23T12:00:00+01:00", [
        *answers("nfa-and-review", "2026-04-20T10:00:00+01:00",
                 ("vrr-requested", "yes"), ("vrr-request-date", "2026-04-20")),
        *answers("nfa-and-review", "2026-04-23T11:00:00+01:00", ("vrr-acknowledged", "yes")),
    ])  # fmt: skip
    # Read on Thu 4 Jun, the review still not decided.
    world.now = at("2026-06-04T09:00:00+01:00")
    report = world.report()
    review = run_of(report, "nfa-and-review")
    assert (review["run"], review["state"], review["reopened_after_sign_off"]) == (
        signed, "asking", True,
    )  # fmt: skip
    assert item_of(review, "vrr-requested")["value"] == "yes"
    assert item_of(review, "vrr-acknowledged")["due"] == (
        # 10 working days after Mon 20 Apr: Tue 21 ... Fri 24 (4), Mon 27 ... Fri 1 May (9),
        # Mon 4 May (bank holiday), Tue 5 May (10).
        "2026-05-05"
    )
    assert item_of(review, "vrr-decided")["due"] == (
        # 30 working days: on from Tue 5 May (10), Wed 6 ... Fri 8 (13), 11-15 May (18),
        # 18-22 May (23), Mon 25 May (bank holiday), Tue 26 ... Fri 29 (27), Mon 1, Tue 2,
        # Wed 3 Jun (30).
        "2026-06-03"
    )
    assert overdue_on(report, "nfa-and-review", "2026-06-04") == {"vrr-decided"}

    # The reviewing inspector overturns the decision on Fri 12 Jun: a new investigation plan.
    apply(world, "2026-06-12T16:00:00+01:00", [
        *answers("nfa-and-review", "2026-06-12T15:00:00+01:00",
                 ("vrr-decided", "no", "Further enquiries needed"),
                 ("vrr-outcome", "decision overturned")),
    ])  # fmt: skip
    report = world.report()
    review = run_of(report, "nfa-and-review")
    assert statuses(review) == {
        "done": {
            "decided-by", "victim-withdrew", "outcome-group", "tell-method",
            "decision-told-date", "reasons-given", "nfa-letter-template", "isva-told-nfa",
            "bail-end-told", "safety-plan-reviewed", "vrr-police-info", "vrr-last-day",
            "vrr-explained", "vrr-requested", "vrr-request-date", "vrr-acknowledged",
            "vrr-outcome", "disruption-plan-reviewed", "intelligence-submitted",
        },
        "not-done": {"vrr-decided"},
        "not-live": {
            "withdrawal-date", "withdrawal-stage", "withdrawal-reasons", "withdrawal-statement",
            "withdrawal-risk-reviewed", "withdrawal-pressure", "pressure-investigated",
            "cps-consulted-withdrawal", "cps-told-withdrawal", "wcu-told-withdrawal",
            "withdrawal-support", "can-return-told", "vrr-cps-info", "vrr-prompt-day",
        },
    }  # fmt: skip
    assert report["milestones"]["vrr-request"] == "2026-04-20"
    assert [r["playbook"] for r in report["runs"]].count("protective-orders") == 1
    plan = run_of(report, "investigation-plan")
    assert plan["state"] == "asking"
    assert overdue_on(report, "nfa-and-review", "2026-06-12") == set()


# --- 4. CPS NFA: minded to NFA before the summer bank holiday, the meeting late, NFA at Christmas


def test_cps_nfa_after_a_late_meeting_told_after_christmas(world: World):
    """Reported on Mon 11 May 2026 against an acquaintance, identified that day, arrested on
    Tue 12 May and released under investigation. Early advice is sought on Fri 22 May, before
    the spring bank holiday; the full file goes to the CPS on Fri 14 Aug and the checklist is
    signed off. The CPS says it is minded to take no further action on Thu 27 Aug; the meeting
    with the prosecutor is due by Fri 11 Sep and held late, on Tue 15 Sep. The CPS takes no
    further action on Thu 24 Dec, and the victim is told on Tue 29 Dec."""
    apply(world, "2026-05-12T20:00:00+01:00", [
        {"event": "open", "case": REF, "officer": OFFICER, "at": "2026-05-11T10:00:00+01:00"},
        milestone_line("suspect-identified", "2026-05-11", OFFICER),
        milestone_line("arrest", "2026-05-12", OFFICER),
        *answers("protective-orders", "2026-05-12T19:00:00+01:00",
                 ("release-status", "released under investigation"),
                 ("release-date", "2026-05-12"), ("rui-reason", "yes"),
                 ("rui-risk-reviewed", "yes"), ("domestic-context", "no")),
    ])  # fmt: skip
    apply(world, "2026-05-22T16:00:00+01:00", [
        *answers("early-advice-and-charge", "2026-05-22T15:00:00+01:00",
                 ("eia-sought", "yes"), ("eia-request-date", "2026-05-22"),
                 ("third-party-approach", "na", "No third-party material sought"),
                 ("direct-contacts", "yes")),
    ])  # fmt: skip
    advice = run_of(world.report(), "early-advice-and-charge")
    # 21 calendar days after the request on Fri 22 May: Fri 12 Jun (holidays do not move it).
    assert item_of(advice, "eia-received")["due"] == "2026-06-12"
    assert item_of(advice, "eia-sought")["due"] == "2026-05-25"  # 14 days after Mon 11 May
    apply(world, "2026-08-14T17:00:00+01:00", [
        *answers("early-advice-and-charge", "2026-06-10T10:00:00+01:00",
                 ("eia-received", "yes"), ("action-plan-dates", "yes"),
                 ("cps-intrusive-challenged", "na")),
        *answers("early-advice-and-charge", "2026-08-14T16:00:00+01:00",
                 ("decision-route", "full file to the CPS for a decision"),
                 ("file-submitted-date", "2026-08-14"), ("mg2-with-file", "yes"),
                 ("dmd-with-file", "yes"), ("schedules-with-file", "yes"),
                 ("third-party-log", "na"), ("cps-decision", "awaiting decision"),
                 ("disagree", "no")),
    ])  # fmt: skip
    signed = submit_and_sign_off(
        world, "early-advice-and-charge", OFFICER, SUPERVISOR, at("2026-08-14T17:30:00+01:00"),
        "File with the CPS",
    )  # fmt: skip
    # Minded to NFA on Thu 27 Aug: a change after the sign-off reopens the checklist.
    apply(world, "2026-08-27T16:00:00+01:00", [
        *answers("early-advice-and-charge", "2026-08-27T15:00:00+01:00",
                 ("cps-decision", "minded to take no further action"),
                 ("minded-nfa-date", "2026-08-27")),
    ])  # fmt: skip
    world.now = at("2026-09-14T09:00:00+01:00")
    report = world.report()
    advice = run_of(report, "early-advice-and-charge")
    assert (advice["run"], advice["reopened_after_sign_off"]) == (signed, True)
    assert report["milestones"]["cps-minded-nfa"] == "2026-08-27"
    # The meeting, 10 working days after Thu 27 Aug: Fri 28 (1), Mon 31 Aug (bank holiday),
    # Tue 1 Sep ... Fri 4 (5), Mon 7 ... Fri 11 Sep (10). Not held by Mon 14 Sep: overdue.
    assert item_of(advice, "meeting-before-nfa")["due"] == "2026-09-11"
    assert overdue_on(report, "early-advice-and-charge", "2026-09-14") == {"meeting-before-nfa"}

    apply(world, "2026-12-24T17:00:00+00:00", [
        *answers("early-advice-and-charge", "2026-09-15T11:00:00+01:00",
                 ("meeting-before-nfa", "yes")),
        *answers("early-advice-and-charge", "2026-12-24T15:00:00+00:00",
                 ("cps-decision", "no further action"), ("nfa-scrutiny", "yes"),
                 ("nfa-date", "2026-12-24")),
        *answers("nfa-and-review", "2026-12-24T16:00:00+00:00",
                 ("decided-by", "CPS"), ("victim-withdrew", "no")),
    ])  # fmt: skip
    # On Mon 28 Dec, the substitute Boxing Day, nothing is overdue yet: Right 6's 1 working day
    # after Thu 24 Dec skips Fri 25 (Christmas), the weekend and Mon 28 -> Tue 29 Dec.
    world.now = at("2026-12-28T12:00:00+00:00")
    report = world.report()
    review = run_of(report, "nfa-and-review")
    assert overdue_on(report, "nfa-and-review", "2026-12-28") == set()
    assert dues(review) == {
        "cps-consulted-withdrawal": "2026-12-24",  # before the NFA (not asked: no withdrawal)
        "decision-told-date": "2026-12-29",
        "bail-end-told": "2026-12-29",  # the end of release under investigation, told too
        # 14 calendar days after Thu 24 Dec: Thu 7 Jan 2027.
        "disruption-plan-reviewed": "2027-01-07",
        "intelligence-submitted": "2027-01-07",
    }  # fmt: skip

    apply(world, "2026-12-29T16:00:00+00:00", [
        *answers("nfa-and-review", "2026-12-29T15:00:00+00:00",
                 ("outcome-group", "evidential difficulties, victim supports action (15)"),
                 ("tell-method", "video call"), ("decision-told-date", "2026-12-29"),
                 ("reasons-given", "no", "CPS to explain its decision"),
                 ("isva-told-nfa", "yes"), ("bail-end-told", "yes"),
                 ("safety-plan-reviewed", "yes"), ("vrr-cps-info", "ok"),
                 # 10 working days after Tue 29 Dec 2026: Wed 30 (1), Thu 31 (2), Fri 1 Jan
                 # (New Year's Day), Mon 4 ... Fri 8 (7), Mon 11, Tue 12, Wed 13 Jan 2027 (10).
                 ("vrr-prompt-day", "2027-01-13"),
                 # 3 months beginning with Tue 29 Dec 2026 end on Sun 28 Mar 2027.
                 ("vrr-last-day", "2027-03-28"), ("vrr-explained", "yes"),
                 ("vrr-requested", "not yet")),
    ])  # fmt: skip
    # Read on Fri 8 Jan 2027: the disruption plan and the intelligence, due Thu 7 Jan, are late.
    world.now = at("2027-01-08T09:00:00+00:00")
    report = world.report()
    assert overdue_on(report, "nfa-and-review", "2027-01-08") == {
        "disruption-plan-reviewed", "intelligence-submitted",
    }  # fmt: skip
    apply(world, "2027-01-08T12:00:00+00:00", [
        *answers("nfa-and-review", "2027-01-08T11:00:00+00:00",
                 ("disruption-plan-reviewed", "no", "No ongoing risk identified"),
                 ("intelligence-submitted", "yes")),
    ])  # fmt: skip
    # No request by the last day: the officer answers No, and the supervisor closes the case.
    apply(world, "2027-03-29T10:00:00+01:00", [
        *answers("nfa-and-review", "2027-03-29T09:00:00+01:00", ("vrr-requested", "no")),
    ])  # fmt: skip
    ctx = world.context()
    supervising.close_case(ctx, person(ctx, SUPERVISOR), REF, "no further action (final)")

    report = world.report()
    assert report["closed"] == {
        "at": "2027-03-29T09:00:00+00:00", "reason": "no further action (final)",
        "by": f"user:{SUPERVISOR}",
    }  # fmt: skip
    assert {k: report["milestones"][k] for k in ("cps-minded-nfa", "nfa")} == {
        "cps-minded-nfa": "2026-08-27", "nfa": "2026-12-24",
    }  # fmt: skip
    assert report["milestones"]["decision-communicated"] == "2026-12-29"
    review = run_of(report, "nfa-and-review")
    assert statuses(review) == {
        "done": {
            "decided-by", "victim-withdrew", "outcome-group", "tell-method",
            "decision-told-date", "isva-told-nfa", "bail-end-told", "safety-plan-reviewed",
            "vrr-cps-info", "vrr-prompt-day", "vrr-last-day", "vrr-explained", "vrr-requested",
            "intelligence-submitted",
        },
        "not-done": {"reasons-given", "disruption-plan-reviewed"},
        "not-live": {
            "withdrawal-date", "withdrawal-stage", "withdrawal-reasons", "withdrawal-statement",
            "withdrawal-risk-reviewed", "withdrawal-pressure", "pressure-investigated",
            "cps-consulted-withdrawal", "cps-told-withdrawal", "wcu-told-withdrawal",
            "withdrawal-support", "can-return-told", "nfa-letter-template", "vrr-police-info",
            "vrr-request-date", "vrr-acknowledged", "vrr-decided", "vrr-outcome",
        },
    }  # fmt: skip
    assert item_of(review, "vrr-explained")["due"] == "2026-12-29"  # the day she was told
    advice = run_of(report, "early-advice-and-charge")
    assert statuses(advice) == {
        "done": {
            "eia-sought", "eia-request-date", "eia-received", "action-plan-dates",
            "direct-contacts", "decision-route", "file-submitted-date", "mg2-with-file",
            "dmd-with-file", "schedules-with-file", "cps-decision", "meeting-before-nfa",
            "disagree", "nfa-scrutiny", "nfa-date",
        },
        "na": {"third-party-approach", "cps-intrusive-challenged", "third-party-log"},
        # The minded-to date is asked only while the CPS is minded to NFA; its milestone stays.
        "not-live": {
            "minded-nfa-date", "escalated", "escalation-level", "police-nfa-reasons",
            "police-nfa-agreed", "charge-date", "victim-told-charge", "first-hearing-date",
            "first-hearing-told", "charge-status", "charge-bail-told", "custody-time-limit",
            "wcu-handover", "wcu-contact-told", "isva-told-charge", "intel-at-charge",
        },
    }  # fmt: skip
    assert dues(advice) == {
        "eia-sought": "2026-05-25",
        "eia-received": "2026-06-12",
        "mg2-with-file": "2026-08-14", "dmd-with-file": "2026-08-14",  # with the file
        "schedules-with-file": "2026-08-14",
        "meeting-before-nfa": "2026-09-11",
        "police-nfa-reasons": "2026-12-24", "police-nfa-agreed": "2026-12-24",  # not asked
    }  # fmt: skip


# --- 5. Charge before Easter, s.28 cross-examination, conviction and sentence before Christmas --


def test_charge_to_conviction_with_pre_recorded_cross_examination(world: World):
    """Reported on Mon 1 Feb 2027 against her manager, interviewed on video on Wed 3 Feb and
    wanting her cross-examination pre-recorded. He is charged on Thu 25 Mar, the day before
    Good Friday, and bailed to court; first hearing Thu 22 Apr; not guilty at the plea and trial
    preparation hearing on Fri 21 May, where the s.28 hearing is fixed for Mon 12 Jul and the
    trial for Mon 8 Nov. Convicted on Fri 12 Nov and sentenced on Fri 17 Dec 2027; the Victim
    Contact Scheme referral falls across Christmas and New Year."""
    apply(world, "2027-02-03T18:00:00+00:00", [
        {"event": "open", "case": REF, "officer": OFFICER, "at": "2027-02-01T09:00:00+00:00"},
        milestone_line("suspect-identified", "2027-02-01", OFFICER),
        milestone_line("interview", "2027-02-03", OFFICER, "2027-02-03T10:00:00+00:00"),
        *answers("vps-and-trial", "2027-02-03T16:00:00+00:00",
                 ("vps-offered", "yes"),
                 ("vps-format", "asked within the video-recorded interview"),
                 ("vps-in-interview-recorded", "yes"), ("vps-reading", "undecided"),
                 ("vps-copy", "yes"), ("vps-disclosure-told", "yes"),
                 ("special-measures-discussed", "yes"), ("measures-recorded", "yes"),
                 ("s28-wanted", "yes"), ("s28-applied", "not yet")),
    ])  # fmt: skip
    trial = run_of(world.report(), "vps-and-trial")
    assert dues(trial) == {
        "vps-offered": "2027-02-05",  # 2 working days after Wed 3 Feb: Thu 4, Fri 5
        "vps-in-interview-recorded": "2027-02-05",  # 2 calendar days
        "special-measures-discussed": "2027-02-10",  # 7 calendar days
    }  # fmt: skip
    assert item_of(trial, "s28-applied")["status"] == "not-yet"
    apply(world, "2027-03-25T19:00:00+00:00", [
        milestone_line("arrest", "2027-02-08", OFFICER),
        *answers("early-advice-and-charge", "2027-03-25T17:00:00+00:00",
                 ("eia-sought", "no", "Full charging file already ready"),
                 ("direct-contacts", "yes"),
                 ("decision-route", "full file to the CPS for a decision"),
                 ("file-submitted-date", "2027-03-10"), ("mg2-with-file", "yes"),
                 ("dmd-with-file", "yes"), ("schedules-with-file", "yes"),
                 ("third-party-log", "na"), ("cps-decision", "charge"), ("disagree", "no"),
                 ("charge-date", "2027-03-25"), ("first-hearing-date", "2027-04-22"),
                 ("charge-status", "bailed to court with conditions")),
    ])  # fmt: skip
    # Read on the morning of Tue 30 Mar: Right 6's 1 working day after Thu 25 Mar skips Good
    # Friday (26 Mar), the weekend and Easter Monday (29 Mar): due today, not yet overdue.
    world.now = at("2027-03-30T08:00:00+01:00")
    report = world.report()
    advice = run_of(report, "early-advice-and-charge")
    assert {i: item_of(advice, i)["due"] for i in (
        "victim-told-charge", "first-hearing-told", "charge-bail-told", "wcu-handover",
    )} == dict.fromkeys(
        ("victim-told-charge", "first-hearing-told", "charge-bail-told", "wcu-handover"),
        "2027-03-30",
    )  # fmt: skip
    assert overdue_on(report, "early-advice-and-charge", "2027-03-30") == set()
    # On Wed 31 Mar, with nothing told, all four are late.
    assert overdue_on(report, "early-advice-and-charge", "2027-03-31") == {
        "victim-told-charge", "first-hearing-told", "charge-bail-told", "wcu-handover",
    }  # fmt: skip

    apply(world, "2027-03-30T12:00:00+01:00", [
        *answers("early-advice-and-charge", "2027-03-30T10:00:00+01:00",
                 ("victim-told-charge", "yes"), ("first-hearing-told", "yes"),
                 ("charge-bail-told", "yes"), ("wcu-handover", "yes"),
                 ("wcu-contact-told", "yes"), ("isva-told-charge", "yes"),
                 ("intel-at-charge", "yes")),
        *answers("protective-orders", "2027-03-30T11:00:00+01:00",
                 ("release-status", "released under investigation"),
                 ("release-date", "2027-02-08"), ("rui-reason", "yes"),
                 ("rui-risk-reviewed", "yes"), ("victim-told-release", "yes"),
                 ("domestic-context", "no"), ("sro-considered", "no", "Not needed"),
                 ("stalking-present", "no"), ("ro-conditions", "yes"),
                 ("ro-acquittal-proposed", "yes"), ("ro-victim-views", "yes"),
                 ("ro-risk-assessment", "yes"), ("shpo-material", "yes")),
    ])  # fmt: skip
    signed = submit_and_sign_off(
        world, "early-advice-and-charge", OFFICER, SUPERVISOR, at("2027-03-30T13:00:00+01:00"),
        "Charged, victim and witness care told",
    )  # fmt: skip
    apply(world, "2027-05-21T18:00:00+01:00", [
        milestone_line("hearing-held", "2027-04-22", OFFICER, "2027-04-22T13:00:00+01:00"),
        *answers("vps-and-trial", "2027-04-27T10:00:00+01:00", ("bail-outcome-told@1", "yes")),
        # The plea and trial preparation hearing, Fri 21 May: not guilty; the s.28 hearing fixed
        # for Mon 12 Jul and the trial for Mon 8 Nov.
        *answers("bad-character", "2027-05-21T12:00:00+01:00",
                 ("not-guilty-plea-date", "2027-05-21"), ("plea-court", "Crown Court")),
        milestone_line("hearing-held", "2027-05-21", OFFICER, "2027-05-21T12:05:00+01:00"),
        milestone_line("trial-listed", "2027-05-21", OFFICER, "2027-05-21T12:10:00+01:00"),
        *answers("vps-and-trial", "2027-05-21T16:00:00+01:00",
                 ("s28-applied", "yes"), ("s28-hearing-date", "2027-07-12"),
                 ("trial-date", "2027-11-08"), ("ground-rules-hearing", "yes"),
                 ("sm-outcome-told", "yes"), ("evidence-required-told", "yes"),
                 ("wcu-needs-assessment", "yes"), ("court-visit-offered", "yes"),
                 ("separate-entrance", "yes"), ("cps-meeting-offered", "yes"),
                 ("change-reason@1", "first listing"), ("victim-still-supports@1", "yes"),
                 ("isva-informed@1", "yes"), ("defence-statement-reviewed", "yes"),
                 ("schedules-updated", "yes"), ("therapy-notes-request", "no")),
    ])  # fmt: skip
    report = world.report()
    assert report["milestones"]["s28-hearing"] == "2027-07-12"
    assert report["milestones"]["not-guilty-plea"] == "2027-05-21"
    # CrimPR r.21.4, Crown Court: 10 business days after Fri 21 May: Mon 24 ... Fri 28 (5),
    # Mon 31 May (spring bank holiday), Tue 1 ... Fri 4 Jun (9), Mon 7 Jun (10).
    assert item_of(run_of(report, "bad-character"), "notice-crown")["due"] == "2027-06-07"
    apply(world, "2027-12-09T17:00:00+00:00", [
        *answers("vps-and-trial", "2027-05-24T10:00:00+01:00",
                 ("victim-told-trial-date@1", "yes"), ("bail-outcome-told@2", "yes")),
        *answers("vps-and-trial", "2027-07-05T10:00:00+01:00", ("memory-refresh-s28", "yes")),
        milestone_line("hearing-held", "2027-07-12", OFFICER, "2027-07-12T16:00:00+01:00"),
        *answers("vps-and-trial", "2027-07-13T10:00:00+01:00", ("bail-outcome-told@3", "yes")),
        *answers("vps-and-trial", "2027-10-11T10:00:00+01:00",
                 ("vps-update-trial@1", "yes"), ("trial-readiness@1", "yes")),
        *answers("protective-orders", "2027-10-25T10:00:00+01:00",
                 ("ro-refreshed-before-trial", "yes"), ("shpo-application", "na")),
        *answers("vps-and-trial", "2027-11-01T10:00:00+00:00", ("memory-refresh@1", "yes")),
        # Convicted on Fri 12 Nov; sentence fixed for Fri 17 Dec.
        *answers("protective-orders", "2027-11-12T16:00:00+00:00",
                 ("case-outcome", "convicted after trial"), ("verdict-date", "2027-11-12"),
                 ("sentence-date", "2027-12-17")),
        *answers("vps-and-trial", "2027-11-15T10:00:00+00:00",
                 ("victim-told-outcome", "yes"), ("isva-told-outcome", "yes"),
                 ("cica-info", "yes")),
        *answers("vps-and-trial", "2027-12-09T10:00:00+00:00",
                 ("vps-update-sentence", "yes"), ("latest-vps-with-cps", "yes")),
        *answers("protective-orders", "2027-12-09T11:00:00+00:00",
                 ("shpo-invited", "yes"), ("ro-conviction", "yes")),
    ])  # fmt: skip
    # Sentenced Fri 17 Dec. Read on Thu 30 Dec: Right 8's 5 working days for the court and 1
    # for witness care run Mon 20 (1) ... Fri 24 (5), Mon 27 and Tue 28 Dec (Christmas and Boxing
    # Day, both moved off the weekend), Wed 29 Dec (6): the sentence, untold, is a day late. The
    # Victim Contact Scheme referral, 10 working days: Thu 30 (7), Fri 31 (8), Mon 3 Jan 2028
    # (New Year's Day moved off the Saturday), Tue 4 (9), Wed 5 Jan 2028 (10): not yet.
    world.now = at("2027-12-30T09:00:00+00:00")
    report = world.report()
    assert overdue_on(report, "vps-and-trial", "2027-12-30") == {"victim-told-sentence"}
    apply(world, "2028-01-04T12:00:00+00:00", [
        *answers("vps-and-trial", "2027-12-30T10:00:00+00:00", ("victim-told-sentence", "yes")),
        *answers("vps-and-trial", "2028-01-04T10:00:00+00:00", ("vcs-referral", "yes")),
        *answers("protective-orders", "2027-12-20T10:00:00+00:00",
                 ("notification-visor", "yes"), ("mappa-considered", "yes"),
                 ("victim-told-orders", "yes")),
    ])  # fmt: skip

    report = world.report()
    assert {k: report["milestones"][k] for k in ("charge", "trial", "verdict", "sentence")} == {
        "charge": "2027-03-25", "trial": "2027-11-08", "verdict": "2027-11-12",
        "sentence": "2027-12-17",
    }  # fmt: skip
    advice = run_of(report, "early-advice-and-charge")
    assert (advice["run"], advice["state"], advice["reopened_after_sign_off"]) == (
        signed, "signed_off", False,
    )  # fmt: skip
    trial = run_of(report, "vps-and-trial")
    assert statuses(trial) == {
        "done": {
            "vps-offered", "vps-format", "vps-in-interview-recorded", "vps-reading", "vps-copy",
            "vps-disclosure-told", "special-measures-discussed", "measures-recorded",
            "s28-wanted", "s28-applied", "s28-hearing-date", "ground-rules-hearing",
            "sm-outcome-told", "bail-outcome-told@1", "bail-outcome-told@2",
            "bail-outcome-told@3", "evidence-required-told", "wcu-needs-assessment",
            "court-visit-offered", "separate-entrance", "memory-refresh@1",
            "memory-refresh-s28", "cps-meeting-offered", "trial-date",
            "victim-told-trial-date@1", "isva-informed@1", "change-reason@1",
            "vps-update-trial@1", "victim-still-supports@1", "defence-statement-reviewed",
            "schedules-updated", "trial-readiness@1", "therapy-notes-request",
            "victim-told-outcome", "isva-told-outcome", "vps-update-sentence",
            "latest-vps-with-cps", "victim-told-sentence", "vcs-referral", "cica-info",
        },
        "not-live": {
            "vps-later-explained", "therapy-notes-line", "therapy-notes-probative",
            "therapy-notes-notice",
        },
    }  # fmt: skip
    assert dues(trial) == {
        "vps-offered": "2027-02-05", "vps-in-interview-recorded": "2027-02-05",
        "special-measures-discussed": "2027-02-10",
        "s28-applied": "2027-05-21",  # by the not-guilty plea at the PTPH
        # Right 8, each hearing's outcome in 6 working days: Thu 22 Apr -> Fri 30 Apr; Fri 21
        # May -> Tue 1 Jun (Mon 31 May a bank holiday); the s.28 hearing, Mon 12 Jul -> Tue 20 Jul.
        "bail-outcome-told@1": "2027-04-30",
        "bail-outcome-told@2": "2027-06-01",
        "bail-outcome-told@3": "2027-07-20",
        "memory-refresh-s28": "2027-07-05",  # 7 days before Mon 12 Jul
        "victim-told-trial-date@1": "2027-05-24",  # 1 working day after Fri 21 May
        # Before the trial on Mon 8 Nov: 28, 14 and 7 days.
        "vps-update-trial@1": "2027-10-11",
        "trial-readiness@1": "2027-10-25",
        "memory-refresh@1": "2027-11-01",
        # The verdict, Fri 12 Nov: 6 working days, Mon 15 ... Mon 22 Nov.
        "victim-told-outcome": "2027-11-22",
        "vps-update-sentence": "2027-12-10",  # 7 days before Fri 17 Dec
        "victim-told-sentence": "2027-12-29",
        "vcs-referral": "2028-01-05",
    }  # fmt: skip
    orders = run_of(report, "protective-orders")
    assert dues(orders) == {
        "sro-considered": "2027-02-22",  # 14 days after the arrest, Mon 8 Feb
        "victim-views-conditions": "2027-02-08",  # not asked: released under investigation
        "victim-told-release": "2027-02-09",  # 1 working day after Mon 8 Feb
        "ro-conditions": "2027-03-27", "ro-acquittal-proposed": "2027-03-27",  # 2 days
        "shpo-material": "2027-03-27",
        "ro-refreshed-before-trial": "2027-10-25",  # 14 days before Mon 8 Nov
        "shpo-invited": "2027-12-10", "ro-conviction": "2027-12-10",  # 7 days before sentence
    }  # fmt: skip
    assert {i["id"] for i in orders["items"] if i["status"] == "not-live"} >= {
        "ro-acquittal", "sro-after-outcome", "cps-vrr-told",
    }  # fmt: skip
    assert overdue_on(report, "vps-and-trial", "2028-01-06") == set()
    assert overdue_on(report, "protective-orders", "2028-01-06") == set()


# --- 6. Acquittal: charged before the summer bank holiday, the trial moved, a restraining order


def test_acquittal_after_an_adjourned_trial_with_a_restraining_order(world: World):
    """Reported on Mon 6 Jul 2026 against a colleague, arrested on Tue 7 Jul and released under
    investigation; charged on Fri 28 Aug, the Friday before the summer bank holiday, and bailed
    to court. Not guilty at the plea hearing on Fri 25 Sep, trial fixed for Mon 1 Mar 2027; on
    Thu 11 Feb 2027 the court moves it to Mon 24 May for want of a judge. Acquitted on Fri 28 May
    2027, the Friday before the spring bank holiday; the CPS asks for a restraining order, which
    is made, and the case is closed."""
    apply(world, "2026-08-28T19:00:00+01:00", [
        {"event": "open", "case": REF, "officer": OFFICER, "at": "2026-07-06T11:00:00+01:00"},
        milestone_line("suspect-identified", "2026-07-06", OFFICER),
        milestone_line("arrest", "2026-07-07", OFFICER),
        *answers("protective-orders", "2026-07-07T20:00:00+01:00",
                 ("release-status", "released under investigation"),
                 ("release-date", "2026-07-07"), ("rui-reason", "yes"),
                 ("rui-risk-reviewed", "yes"), ("victim-told-release", "yes"),
                 ("domestic-context", "no"), ("stalking-present", "no"),
                 ("sro-considered", "no", "Not needed"), ("shpo-application", "na")),
        *answers("early-advice-and-charge", "2026-08-28T17:00:00+01:00",
                 ("eia-sought", "yes"), ("eia-request-date", "2026-07-08"),
                 ("third-party-approach", "na", "No third-party material sought"),
                 ("eia-received", "yes"), ("action-plan-dates", "yes"),
                 ("cps-intrusive-challenged", "na"), ("direct-contacts", "yes"),
                 ("decision-route", "full file to the CPS for a decision"),
                 ("file-submitted-date", "2026-08-14"), ("mg2-with-file", "yes"),
                 ("dmd-with-file", "yes"), ("schedules-with-file", "yes"),
                 ("third-party-log", "na"), ("cps-decision", "charge"), ("disagree", "no"),
                 ("charge-date", "2026-08-28"), ("first-hearing-date", "2026-09-25"),
                 ("charge-status", "bailed to court with conditions")),
        # The restraining order for an acquittal is prepared at charge, with the victim's views.
        *answers("protective-orders", "2026-08-28T18:00:00+01:00",
                 ("ro-conditions", "yes"), ("ro-acquittal-proposed", "yes"),
                 ("ro-victim-views", "yes"), ("ro-risk-assessment", "yes"),
                 ("shpo-material", "yes")),
    ])  # fmt: skip
    report = world.report()
    advice = run_of(report, "early-advice-and-charge")
    # Right 6: 1 working day after Fri 28 Aug 2026: Sat, Sun, Mon 31 Aug (summer bank
    # holiday) -> Tue 1 Sep.
    assert {i: item_of(advice, i)["due"] for i in (
        "victim-told-charge", "first-hearing-told", "charge-bail-told", "wcu-handover",
    )} == dict.fromkeys(
        ("victim-told-charge", "first-hearing-told", "charge-bail-told", "wcu-handover"),
        "2026-09-01",
    )  # fmt: skip
    orders = run_of(report, "protective-orders")
    # 2 calendar days after the charge: Sun 30 Aug.
    assert {i: item_of(orders, i)["due"] for i in (
        "ro-conditions", "ro-acquittal-proposed", "shpo-material",
    )} == dict.fromkeys(
        ("ro-conditions", "ro-acquittal-proposed", "shpo-material"), "2026-08-30",
    )  # fmt: skip

    apply(world, "2026-09-28T12:00:00+01:00", [
        *answers("early-advice-and-charge", "2026-09-01T10:00:00+01:00",
                 ("victim-told-charge", "yes"), ("first-hearing-told", "yes"),
                 ("charge-bail-told", "yes"), ("wcu-handover", "yes"),
                 ("wcu-contact-told", "yes"), ("isva-told-charge", "yes"),
                 ("intel-at-charge", "yes")),
        *answers("bad-character", "2026-09-25T12:00:00+01:00",
                 ("not-guilty-plea-date", "2026-09-25"), ("plea-court", "Crown Court")),
        milestone_line("hearing-held", "2026-09-25", OFFICER, "2026-09-25T12:05:00+01:00"),
        milestone_line("trial-listed", "2026-09-25", OFFICER, "2026-09-25T12:10:00+01:00"),
        *answers("vps-and-trial", "2026-09-25T16:00:00+01:00",
                 ("trial-date", "2027-03-01"), ("ground-rules-hearing", "na"),
                 ("sm-outcome-told", "yes"), ("evidence-required-told", "yes"),
                 ("wcu-needs-assessment", "yes"), ("court-visit-offered", "yes"),
                 ("separate-entrance", "yes"), ("cps-meeting-offered", "yes"),
                 ("change-reason@1", "first listing"), ("victim-still-supports@1", "yes"),
                 ("isva-informed@1", "yes"), ("defence-statement-reviewed", "yes"),
                 ("schedules-updated", "yes"), ("therapy-notes-request", "no"),
                 ("vps-offered", "yes"), ("vps-format", "written statement (separate MG11)"),
                 ("vps-reading", "read by the prosecutor"), ("vps-copy", "yes"),
                 ("vps-disclosure-told", "yes"), ("special-measures-discussed", "yes"),
                 ("measures-recorded", "yes"), ("s28-wanted", "no")),
        *answers("vps-and-trial", "2026-09-28T10:00:00+01:00",
                 ("victim-told-trial-date@1", "yes"), ("bail-outcome-told@1", "yes")),
    ])  # fmt: skip
    trial = run_of(world.report(), "vps-and-trial")
    assert {i: item_of(trial, i)["due"] for i in (
        "victim-told-trial-date@1", "bail-outcome-told@1", "vps-update-trial@1",
        "trial-readiness@1", "memory-refresh@1",
    )} == {
        "victim-told-trial-date@1": "2026-09-28",  # 1 working day after Fri 25 Sep
        "bail-outcome-told@1": "2026-10-05",  # 6 working days: Mon 28 Sep ... Mon 5 Oct
        # Before Mon 1 Mar 2027: 28 days (Mon 1 Feb), 14 (Mon 15 Feb), 7 (Mon 22 Feb).
        "vps-update-trial@1": "2027-02-01",
        "trial-readiness@1": "2027-02-15",
        "memory-refresh@1": "2027-02-22",
    }  # fmt: skip

    # The VPS update is offered on Mon 1 Feb; on Thu 11 Feb the trial is moved to Mon 24 May.
    apply(world, "2027-02-12T12:00:00+00:00", [
        *answers("vps-and-trial", "2027-02-01T10:00:00+00:00", ("vps-update-trial@1", "yes")),
        milestone_line("trial-listed", "2027-02-11", OFFICER, "2027-02-11T15:00:00+00:00"),
        *answers("vps-and-trial", "2027-02-11T15:05:00+00:00",
                 ("trial-date", "2027-05-24"), ("change-reason@2", "court listing or no judge")),
    ])  # fmt: skip
    report = world.report()
    trial = run_of(report, "vps-and-trial")
    # The new listing asks its questions again. Due rules count from the latest trial date
    # (DESIGN.md), so what the first listing left unanswered now falls due with the second,
    # until answered N/A as "trial moved": before Mon 24 May, 28 days (Mon 26 Apr), 14 (Mon 10
    # May), 7 (Mon 17 May); the new listing told within 1 working day of Thu 11 Feb: Fri 12 Feb.
    assert {i["id"]: i["due"] for i in trial["items"] if i["status"] == "open"} == {
        "victim-told-trial-date@2": "2027-02-12", "isva-informed@2": None,
        "victim-still-supports@2": None, "vps-update-trial@2": "2027-04-26",
        "trial-readiness@1": "2027-05-10", "trial-readiness@2": "2027-05-10",
        "memory-refresh@1": "2027-05-17", "memory-refresh@2": "2027-05-17",
    }  # fmt: skip
    assert item_of(run_of(report, "protective-orders"), "ro-refreshed-before-trial")["due"] == (
        "2027-05-10"  # 14 days before Mon 24 May, moved with the trial
    )
    assert overdue_on(report, "vps-and-trial", "2027-02-12") == set()
    assert overdue_on(report, "vps-and-trial", "2027-02-13") == {"victim-told-trial-date@2"}

    apply(world, "2027-05-28T17:00:00+01:00", [
        *answers("vps-and-trial", "2027-02-12T10:00:00+00:00",
                 ("victim-told-trial-date@2", "yes"), ("isva-informed@2", "yes"),
                 ("victim-still-supports@2", "yes"),
                 ("trial-readiness@1", "na", "Trial moved before the check"),
                 ("memory-refresh@1", "na", "Trial moved before the viewing")),
        *answers("vps-and-trial", "2027-04-26T10:00:00+01:00", ("vps-update-trial@2", "yes")),
        *answers("vps-and-trial", "2027-05-10T10:00:00+01:00",
                 ("trial-readiness@2", "yes")),
        *answers("protective-orders", "2027-05-10T11:00:00+01:00",
                 ("ro-refreshed-before-trial", "yes")),
        *answers("vps-and-trial", "2027-05-17T10:00:00+01:00",
                 ("memory-refresh@2", "yes")),
        # Acquitted on Fri 28 May; the CPS asks for a restraining order, and it is made.
        *answers("protective-orders", "2027-05-28T16:00:00+01:00",
                 ("case-outcome", "acquitted by the jury or court"),
                 ("verdict-date", "2027-05-28"), ("ro-acquittal", "yes"),
                 ("sro-after-outcome", "no", "Restraining order made"),
                 ("victim-told-orders", "yes")),
        *answers("vps-and-trial", "2027-05-28T16:30:00+01:00",
                 ("isva-told-outcome", "yes"), ("cica-info", "yes")),
    ])  # fmt: skip
    # Right 8's 6 working days from Fri 28 May: Mon 31 May (spring bank holiday), Tue 1 (1),
    # Wed 2, Thu 3, Fri 4 (4), Mon 7 (5), Tue 8 Jun (6). The formal outcome, not yet told on
    # Wed 9 Jun, is late.
    world.now = at("2027-06-09T09:00:00+01:00")
    report = world.report()
    assert item_of(run_of(report, "vps-and-trial"), "victim-told-outcome")["due"] == "2027-06-08"
    assert overdue_on(report, "vps-and-trial", "2027-06-08") == set()
    assert overdue_on(report, "vps-and-trial", "2027-06-09") == {"victim-told-outcome"}
    apply(world, "2027-06-09T12:00:00+01:00", answers(
        "vps-and-trial", "2027-06-09T11:00:00+01:00", ("victim-told-outcome", "yes")))  # fmt: skip
    ctx = world.context()
    supervising.close_case(ctx, person(ctx, SUPERVISOR), REF, "acquitted")

    report = world.report()
    assert report["closed"] == {
        "at": "2027-06-09T11:00:00+00:00", "reason": "acquitted", "by": f"user:{SUPERVISOR}",
    }  # fmt: skip
    assert {k: report["milestones"][k] for k in ("charge", "trial", "trial-listed", "verdict")} == {
        "charge": "2026-08-28", "trial": "2027-05-24", "trial-listed": "2027-02-11",
        "verdict": "2027-05-28",
    }  # fmt: skip
    assert "sentence" not in report["milestones"]
    orders = run_of(report, "protective-orders")
    assert {run["state"] for run in report["runs"]} == {"closed"}
    assert statuses(orders) == {
        "done": {
            "domestic-context", "release-status", "release-date", "victim-told-release",
            "rui-reason", "rui-risk-reviewed", "stalking-present", "ro-conditions",
            "ro-acquittal-proposed", "ro-victim-views", "ro-risk-assessment", "shpo-material",
            "ro-refreshed-before-trial", "case-outcome", "verdict-date", "ro-acquittal",
            "victim-told-orders",
        },
        "not-done": {"sro-considered", "sro-after-outcome"},
        "na": {"shpo-application"},
        # The conviction's orders, the bail chain and the domestic orders are never asked.
        "not-live": {
            "sro-outcome", "spo-considered", "dvpn-considered", "dvpn-outcome", "dvpo-hearing",
            "victim-views-conditions", "bail-start-date", "bail-expiry-date", "bail-next-step",
            "bail-extension-authorised", "six-month-end", "six-month-next-step",
            "superintendent-extension", "nine-month-end", "nine-month-next-step",
            "court-application", "dvpn-bail-ended", "breach-reporting-told",
            "breach-reported", "breaches-acted-on", "cps-vrr-told", "dapo-at-outcome",
            "sentence-date", "shpo-invited", "ro-conviction", "notification-visor",
            "mappa-considered", "nfa-sro-spo", "dvpn-after-nfa",
        },
    }  # fmt: skip
    assert dues(orders) == {
        "sro-considered": "2026-07-21",  # 14 days after the arrest, Tue 7 Jul 2026
        "victim-views-conditions": "2026-07-07",  # not asked: released under investigation
        "victim-told-release": "2026-07-08",  # 1 working day
        "ro-conditions": "2026-08-30", "ro-acquittal-proposed": "2026-08-30",
        "shpo-material": "2026-08-30",
        "ro-refreshed-before-trial": "2027-05-10",
    }  # fmt: skip
    trial = run_of(report, "vps-and-trial")
    assert statuses(trial) == {
        "done": {
            "vps-offered", "vps-format", "vps-reading", "vps-copy", "vps-disclosure-told",
            "special-measures-discussed", "measures-recorded", "s28-wanted",
            "sm-outcome-told", "bail-outcome-told@1", "evidence-required-told",
            "wcu-needs-assessment", "court-visit-offered", "separate-entrance",
            "cps-meeting-offered", "trial-date", "victim-told-trial-date@1",
            "victim-told-trial-date@2", "isva-informed@1", "isva-informed@2",
            "change-reason@1", "change-reason@2", "vps-update-trial@1", "vps-update-trial@2",
            "victim-still-supports@1", "victim-still-supports@2", "memory-refresh@2",
            "trial-readiness@2", "defence-statement-reviewed", "schedules-updated",
            "therapy-notes-request", "victim-told-outcome", "isva-told-outcome", "cica-info",
        },
        "na": {"ground-rules-hearing", "memory-refresh@1", "trial-readiness@1"},
        # Sentence items never come: there was no conviction.
        "not-live": {
            "vps-in-interview-recorded", "vps-later-explained", "s28-applied",
            "s28-hearing-date", "memory-refresh-s28", "therapy-notes-line",
            "therapy-notes-probative", "therapy-notes-notice", "vps-update-sentence",
            "latest-vps-with-cps", "victim-told-sentence", "vcs-referral",
        },
    }  # fmt: skip
    assert dues(trial) == {
        "s28-applied": "2026-09-25",  # by the plea hearing (not asked: no s.28 wanted)
        "bail-outcome-told@1": "2026-10-05",  # 6 working days after Fri 25 Sep
        "victim-told-trial-date@1": "2026-09-28",
        "victim-told-trial-date@2": "2027-02-12",
        "vps-update-trial@1": "2027-04-26", "vps-update-trial@2": "2027-04-26",
        "trial-readiness@1": "2027-05-10", "trial-readiness@2": "2027-05-10",
        "memory-refresh@1": "2027-05-17", "memory-refresh@2": "2027-05-17",
        "victim-told-outcome": "2027-06-08",
    }  # fmt: skip
    advice = run_of(report, "early-advice-and-charge")
    assert dues(advice) == {
        "eia-sought": "2026-07-20",  # 14 days after Mon 6 Jul
        "eia-received": "2026-07-29",  # 21 days after the request, Wed 8 Jul
        "mg2-with-file": "2026-08-14", "dmd-with-file": "2026-08-14",
        "schedules-with-file": "2026-08-14",
        "victim-told-charge": "2026-09-01", "first-hearing-told": "2026-09-01",
        "charge-bail-told": "2026-09-01", "wcu-handover": "2026-09-01",
    }  # fmt: skip
    history = run_of(report, "bad-character")
    # CrimPR r.21.4: 10 business days after Fri 25 Sep 2026 (Mon 28 Sep ... Fri 9 Oct); the
    # magistrates' 20 (Fri 23 Oct) not asked. 7 days after the charge: Fri 4 Sep.
    assert {i: item_of(history, i)["due"] for i in (
        "notice-crown", "notice-magistrates", "material-with-cps",
    )} == {
        "notice-crown": "2026-10-09", "notice-magistrates": "2026-10-23",
        "material-with-cps": "2026-09-04",
    }  # fmt: skip
