"""Cases that last two years, built with `soteria-bot import` and read back from
`report --case REF --format json`: repeating events, items asked per occurrence, recurring
supervisory reviews, a sign-off reopened by a later event, and a case closed.

Every due date below is worked out by hand in a comment. Working days skip weekends and the
England and Wales bank holidays, counted from the day after the event (DOMAIN.md, the Victims'
Code). The bank holidays that matter here, as the `holidays` package gives them (a test below
checks): 25 and 28 Dec 2026 (Boxing Day falls on a Saturday, so the Monday is the holiday);
1 Jan, 26 Mar (Good Friday), 29 Mar (Easter Monday), 3 May, 31 May, 30 Aug, 27 and 28 Dec 2027
(Christmas and Boxing Day fall on a weekend); 14 Apr (Good Friday), 17 Apr (Easter Monday) and
28 Aug 2028. Supervisory reviews fall every 28 calendar days from the report.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.conversation.said import notice_reply
from bot.jobs import queue_escalations, retention_notice
from bot.services import investigating, supervising
from bot.services.calendar import bank_holidays
from bot.services.context import Context

from .import_world import REF, World, answer_everything_open, item_of, person, run_of

OFFICER, SUPERVISOR = 1, 2


@pytest.fixture(name="world")
def _world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    world = World(tmp_path, monkeypatch, datetime(2027, 1, 4, 12, tzinfo=UTC))
    assert world.enrol("DC Officer", "investigator") == OFFICER
    assert world.enrol("DS Supervisor", "supervisor") == SUPERVISOR
    return world


def milestone(name: str, when: str, at: str | None = None, **more: Any) -> dict[str, Any]:
    line = {"event": "milestone", "case": REF, "milestone": name, "date": when, "by": OFFICER}
    return {**line, **({"at": at} if at else {}), **more}


def answer(playbook: str, item: str, value: Any, at: str, **more: Any) -> dict[str, Any]:
    line = {"event": "answer", "case": REF, "playbook": playbook, "item": item, "value": value}
    return {**line, "by": OFFICER, "at": at, **more}


def reviews_missed_told(ctx: Context) -> list[str]:
    """What a scan of the escalations now tells the supervisor of reviews missed."""
    before = {notice.id for notice in ctx.uow.notices.ready(ctx.now(), timedelta(0))}
    queue_escalations(ctx)
    return [
        notice_reply(ctx, notice).text
        for notice in ctx.uow.notices.ready(ctx.now(), timedelta(0))
        if notice.id not in before
        and notice.kind == "review-missed"
        and notice.user_id == SUPERVISOR
    ]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_the_bank_holidays_the_comments_count_with_are_the_calendars():
    found = bank_holidays([2026, 2027, 2028])
    weekdays = sorted(day for day in found if day.weekday() < 5)
    assert [d for d in weekdays if d >= date(2026, 12, 1)] == [
        date(2026, 12, 25), date(2026, 12, 28),
        date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3),
        date(2027, 5, 31), date(2027, 8, 30), date(2027, 12, 27), date(2027, 12, 28),
        date(2028, 1, 3), date(2028, 4, 14), date(2028, 4, 17), date(2028, 5, 1),
        date(2028, 5, 29), date(2028, 8, 28), date(2028, 12, 25), date(2028, 12, 26),
    ]  # fmt: skip


# --- the acceptance case: reported on 1 Oct 2026, a trial moved twice --------------------------

REPORTED_1_OCT = [
    {"event": "open", "case": REF, "officer": OFFICER, "at": "2026-10-01T09:30:00+01:00"},
    milestone("interview", "2026-10-03"),  # starts the VPS and trial checklist
    milestone("suspect-identified", "2026-10-05"),
    milestone("arrest", "2026-10-06"),
    milestone("charge", "2026-10-20"),
    milestone("trial-listed", "2026-10-23"),  # a Friday
    answer("vps-and-trial", "victim-told-trial-date@1", "yes", "2026-10-26T10:00:00+00:00"),
    milestone("trial-listed", "2026-11-27"),  # moved: a Friday
    milestone("trial-listed", "2026-12-24"),  # moved again: Christmas Eve, a Thursday
]


def test_reviews_fall_every_28_days_from_the_report_and_missed_ones_are_overdue(world: World):
    world.imported(REPORTED_1_OCT)

    [reviews] = world.report()["reviews"]  # today is Monday 4 Jan 2027

    assert reviews["playbook"] == "supervisory-review"
    # Every 28 days from Thu 1 Oct: 29 Oct, 26 Nov, 24 Dec, then 21 Jan 2027 (still to come);
    # and one at each stage: the arrest (6 Oct), the charge (20 Oct) and each trial listing
    # (23 Oct, 27 Nov, 24 Dec: the last falls on the 28-day review, and is one review).
    # Each missed one is past its 2-day escalation point by Mon 4 Jan 2027.
    assert [(o["due"], o["held"], o["standing"]) for o in reviews["occurrences"]] == [
        ("2026-10-06", False, "escalate"),
        ("2026-10-20", False, "escalate"),
        ("2026-10-23", False, "escalate"),
        ("2026-10-29", False, "escalate"),
        ("2026-11-26", False, "escalate"),
        ("2026-11-27", False, "escalate"),
        ("2026-12-24", False, "escalate"),
        ("2027-01-21", False, "not-due"),
    ]
    assert reviews["missed"] == 7
    assert reviews["next"] == "2027-01-21"


def test_each_listing_of_a_moved_trial_asks_its_own_question_due_a_working_day_later(
    world: World,
):
    world.imported(REPORTED_1_OCT)

    report = world.report()

    assert [(e["occurrence"], e["date"]) for e in report["events"] if e["name"] == "trial-listed"] == [
        (1, "2026-10-23"), (2, "2026-11-27"), (3, "2026-12-24"),
    ]  # fmt: skip
    assert report["milestones"]["trial-listed"] == "2026-12-24"
    run = run_of(report, "vps-and-trial")
    told = [item for item in run["items"] if item["id"].startswith("victim-told-trial-date@")]
    assert [(i["id"], i["occurrence"], i["due"], i["status"]) for i in told] == [
        # Fri 23 Oct -> Mon 26 Oct; answered that day.
        ("victim-told-trial-date@1", 1, "2026-10-26", "done"),
        # Fri 27 Nov -> Mon 30 Nov.
        ("victim-told-trial-date@2", 2, "2026-11-30", "open"),
        # Thu 24 Dec -> Fri 25 Dec (Christmas), Sat, Sun, Mon 28 Dec (Boxing Day, substitute)
        # -> Tue 29 Dec 2026.
        ("victim-told-trial-date@3", 3, "2026-12-29", "open"),
    ]
    assert item_of(run, "victim-told-trial-date@1")["when"] == "2026-10-26T10:00:00+00:00"


def test_an_answer_for_a_listing_not_yet_recorded_is_refused(world: World):
    world.imported(REPORTED_1_OCT)

    code, output = world.import_lines(
        [answer("vps-and-trial", "victim-told-trial-date@4", "yes", "2027-01-04T09:00:00+00:00")]
    )

    assert code == 1
    assert (
        "'victim-told-trial-date@4' is not asked on case 43/12345/26: it has 3 'trial-listed' "
        "recorded so far." in output
    )


def test_a_held_review_stays_held_when_a_later_event_brings_up_new_questions(world: World):
    world.now = datetime(2026, 10, 30, 12, tzinfo=UTC)
    world.imported(REPORTED_1_OCT[:4])  # opened, interview, suspect identified, arrested
    # Due by Fri 30 Oct: the arrest's review (Tue 6 Oct) and the 28-day one (Thu 29 Oct).
    hold_review(world, datetime(2026, 10, 30, 10, tzinfo=UTC))  # the earliest: 6 Oct
    hold_review(world, datetime(2026, 10, 30, 11, tzinfo=UTC))  # then 29 Oct, a day late
    world.now = datetime(2027, 1, 4, 12, tzinfo=UTC)

    world.imported(
        REPORTED_1_OCT[4:5]
    )  # charged on 20 Oct: the review asks about post-charge work

    report = world.report()
    [reviews] = report["reviews"]
    # The charge brings a review of its own on Tue 20 Oct, missed; the two held stay held.
    assert [(o["due"], o["standing"]) for o in reviews["occurrences"][:5]] == [
        ("2026-10-06", "held"),
        ("2026-10-20", "escalate"),
        ("2026-10-29", "held"),
        ("2026-11-26", "escalate"),
        ("2026-12-24", "escalate"),
    ]
    held = run_of(report, "supervisory-review")
    assert (held["review_due"], held["state"]) == ("2026-10-29", "submitted")
    # The next review held takes the question up: the earliest missed one, the charge's.
    world.imported(
        [{"event": "start", "case": REF, "playbook": "supervisory-review", "by": SUPERVISOR,
          "at": "2027-01-04T10:00:00+00:00"}]
    )  # fmt: skip
    following = run_of(world.report(), "supervisory-review")
    assert following["review_due"] == "2026-10-20"
    assert item_of(following, "post-charge-progress")["status"] == "open"


# --- a full case: report to verdict over two years, then closed ---------------------------------

OPENED = [
    {"event": "open", "case": REF, "officer": OFFICER, "at": "2027-01-05T09:00:00+00:00"},
    milestone("interview", "2027-01-08"),  # a Friday; starts the VPS and trial checklist
    milestone("suspect-identified", "2027-01-11"),
    milestone("arrest", "2027-01-14"),  # starts the protective orders checklist
    answer("protective-orders", "release-status", "on bail with conditions",
           "2027-01-15T18:00:00+00:00"),
    # Records the bail milestone: one fact.
    answer("protective-orders", "release-date", "2027-01-15", "2027-01-15T18:05:00+00:00"),
    answer("protective-orders", "victim-views-conditions", "yes", "2027-01-15T18:10:00+00:00"),
    # PACE s.47ZB(4)(a): the bail start date is the day after the arrest, Fri 15 Jan; the
    # first 3 months beginning with it end on Wed 14 Apr 2027.
    answer("protective-orders", "bail-start-date", "2027-01-15", "2027-01-15T18:15:00+00:00"),
    answer("protective-orders", "bail-expiry-date", "2027-04-14", "2027-01-15T18:20:00+00:00"),
    answer("protective-orders", "bail-next-step", "extension to 6 months by an inspector",
           "2027-01-15T18:25:00+00:00"),
]  # fmt: skip

BAIL_EXTENDED = [
    # Extended by an inspector to 6 months (to Wed 14 Jul), by a superintendent to 9 (to Thu
    # 14 Oct), and by a magistrates' court to 12 (to Fri 14 Jan 2028): each a Friday.
    milestone("bail-extended", "2027-04-09", "2027-04-09T10:00:00+01:00"),
    answer("protective-orders", "bail-extension-authorised", "yes", "2027-04-09T10:05:00+01:00"),
    answer("protective-orders", "six-month-end", "2027-07-14", "2027-04-09T10:10:00+01:00"),
    answer("protective-orders", "six-month-next-step", "extension to 9 months by a superintendent",
           "2027-04-09T10:15:00+01:00"),
    milestone("bail-extended", "2027-07-09", "2027-07-09T10:00:00+01:00"),
    answer("protective-orders", "superintendent-extension", "yes", "2027-07-09T10:05:00+01:00"),
    answer("protective-orders", "nine-month-end", "2027-10-14", "2027-07-09T10:10:00+01:00"),
    answer("protective-orders", "nine-month-next-step", "application to a magistrates' court",
           "2027-07-09T10:15:00+01:00"),
    milestone("bail-extended", "2027-10-08", "2027-10-08T10:00:00+01:00"),
    answer("protective-orders", "court-application", "yes", "2027-10-08T10:05:00+01:00"),
]  # fmt: skip

CHARGED_AND_LISTED = [
    milestone("charge", "2027-12-17"),  # a Friday
    milestone("trial-listed", "2027-12-24", "2027-12-24T11:00:00+00:00"),  # a Friday
    milestone("trial", "2028-06-05", "2027-12-24T11:05:00+00:00"),  # a Monday
]


def hold_review(world: World, at: datetime) -> None:
    """The supervisor holds the review due: starts it, answers it and submits it."""
    world.now = at
    world.imported(
        [{"event": "start", "case": REF, "playbook": "supervisory-review", "by": SUPERVISOR,
          "at": at.isoformat()}]
    )  # fmt: skip
    answer_everything_open(world, "supervisory-review", SUPERVISOR, at)
    ctx = world.context()
    run = run_of(world.report(), "supervisory-review")
    investigating.submit(ctx, person(ctx, SUPERVISOR), run["run"])


def sign_off_vps(world: World, at: datetime) -> dict[str, Any]:
    """Everything open on the VPS and trial checklist answered, submitted and signed off."""
    world.now = at
    answer_everything_open(world, "vps-and-trial", OFFICER, at)
    ctx = world.context()
    run = run_of(world.report(), "vps-and-trial")
    investigating.submit(ctx, person(ctx, OFFICER), run["run"])
    supervising.sign_off(ctx, person(ctx, SUPERVISOR), run["run"], "Trial preparation in hand")
    return run


def test_a_two_year_case_from_report_to_verdict(world: World):
    world.now = datetime(2027, 1, 20, 12, tzinfo=UTC)
    world.imported(OPENED)
    # Each hold takes the earliest review due and not held: on 1 Feb 2027 the arrest's (Thu
    # 14 Jan), on 1 Mar the first 28-day one (Tue 2 Feb).
    hold_review(world, datetime(2027, 2, 1, 10, tzinfo=UTC))
    hold_review(world, datetime(2027, 3, 1, 10, tzinfo=UTC))
    world.now = datetime(2027, 10, 20, 12, tzinfo=UTC)
    world.imported(BAIL_EXTENDED)

    report = world.report()
    assert [e["date"] for e in report["events"] if e["name"] == "bail-extended"] == [
        "2027-04-09", "2027-07-09", "2027-10-08",
    ]  # fmt: skip
    orders = run_of(report, "protective-orders")
    # The bail periods, each worked out from the bail start date (Fri 15 Jan 2027), and the
    # first recorded as the case's bail expiry: one fact.
    assert report["milestones"]["bail-expiry"] == "2027-04-14"
    assert [item_of(orders, i)["value"] for i in ("bail-start-date", "bail-expiry-date",
                                                 "six-month-end", "nine-month-end")] == [
        "2027-01-15", "2027-04-14", "2027-07-14", "2027-10-14",
    ]  # fmt: skip
    # Each plan is due 7 days before its period ends, each extension on its last day.
    assert [
        item_of(orders, i)["due"]
        for i in ("bail-next-step", "bail-extension-authorised", "six-month-next-step",
                  "superintendent-extension", "nine-month-next-step", "court-application")
    ] == [
        "2027-04-07", "2027-04-14", "2027-07-07", "2027-07-14", "2027-10-07", "2027-10-14",
    ]  # fmt: skip
    # Right 6, for each extension, 1 working day after it: Fri 9 Apr -> Mon 12 Apr; Fri 9 Jul
    # -> Mon 12 Jul; Fri 8 Oct -> Mon 11 Oct 2027.
    told = [i for i in orders["items"] if i["id"].startswith("extension-victim-told@")]
    assert [(i["occurrence"], i["due"]) for i in told] == [
        (1, "2027-04-12"), (2, "2027-07-12"), (3, "2027-10-11"),
    ]  # fmt: skip
    # Within 0 days of the release on bail (Fri 15 Jan 2027); told within 1 working day: Mon 18.
    assert item_of(orders, "victim-views-conditions")["due"] == "2027-01-15"
    assert item_of(orders, "victim-told-release")["due"] == "2027-01-18"
    vps = run_of(report, "vps-and-trial")
    # Within 2 working days of the interview (Fri 8 Jan 2027): Mon 11, Tue 12 Jan.
    assert item_of(vps, "vps-offered")["due"] == "2027-01-12"

    world.now = datetime(2027, 12, 31, 12, tzinfo=UTC)
    world.imported(CHARGED_AND_LISTED)
    signed = sign_off_vps(world, datetime(2028, 1, 10, 12, tzinfo=UTC))

    world.now = datetime(2028, 4, 20, 12, tzinfo=UTC)
    world.imported(
        [
            milestone("trial-listed", "2028-04-13", "2028-04-13T11:00:00+01:00"),  # a Thursday
            milestone("trial", "2028-09-11", "2028-04-13T11:05:00+01:00"),  # moved; a Monday
        ]
    )
    report = world.report()
    vps = run_of(report, "vps-and-trial")
    assert vps["run"] == signed["run"]
    # The new listing made new items live: the signed-off run reopened for them, and its
    # sign-off stays on record for what it covered.
    assert vps["state"] == "asking"
    assert vps["reopened_after_sign_off"] is True
    [sign_off] = vps["sign_offs"]
    assert (sign_off["who"], sign_off["when"], sign_off["note"]) == (
        f"user:{SUPERVISOR}",
        "2028-01-10T12:00:00+00:00",
        "Trial preparation in hand",
    )
    code, schedule = world.cli(
        "report", "--case", REF, "--format", "disclosure", "--purpose", "disclosure"
    )
    assert code == 0
    rows = {line.split()[0]: line for line in schedule.splitlines() if line[:7].strip().isdigit()}
    covered = rows[str(sign_off["covers"]["seq"])]
    assert covered.endswith(f"[{sign_off['covers']['hash'][:12]}]")
    assert "Signed off by supervisor" in rows[str(sign_off["covers"]["seq"] + 1)]
    second = {i["id"]: i for i in vps["items"] if i["occurrence"] == 2}
    assert {i["status"] for i in second.values()} == {"open"}
    # Thu 13 Apr 2028 -> Fri 14 Apr (Good Friday), Sat, Sun, Mon 17 Apr (Easter Monday)
    # -> Tue 18 Apr 2028.
    assert second["victim-told-trial-date@2"]["due"] == "2028-04-18"
    # Before 28 days of the trial, now on Mon 11 Sep 2028: Mon 14 Aug 2028, for every listing.
    assert second["vps-update-trial@2"]["due"] == "2028-08-14"
    assert item_of(vps, "vps-update-trial@1")["due"] == "2028-08-14"

    world.now = datetime(2028, 9, 1, 12, tzinfo=UTC)
    answer_everything_open(world, "vps-and-trial", OFFICER, datetime(2028, 4, 18, 9, tzinfo=UTC))
    world.imported(
        [
            milestone("trial-listed", "2028-08-25", "2028-08-25T11:00:00+01:00"),  # a Friday
            milestone("trial", "2028-11-06", "2028-08-25T11:05:00+01:00"),  # moved again
        ]
    )
    world.now = datetime(2028, 11, 20, 12, tzinfo=UTC)
    world.imported(
        [
            milestone("verdict", "2028-11-10", "2028-11-10T16:00:00+00:00"),
            milestone("sentence", "2028-11-17", "2028-11-17T15:00:00+00:00"),
        ]
    )

    report = world.report()  # today: Mon 20 Nov 2028
    [reviews] = report["reviews"]
    dues = [o["due"] for o in reviews["occurrences"]]
    # Every 28 days from Tue 5 Jan 2027: 2 Feb, 2 Mar, 30 Mar, 27 Apr, 25 May, 22 Jun, 20 Jul,
    # 17 Aug, 14 Sep, 12 Oct, 9 Nov, 7 Dec 2027; 4 Jan, 1 Feb, 29 Feb (a leap year), 28 Mar,
    # 25 Apr, 23 May, 20 Jun, 18 Jul, 15 Aug, 12 Sep, 10 Oct, 7 Nov 2028; next 5 Dec 2028.
    # And one at each stage: the arrest (14 Jan 2027), the charge (17 Dec 2027) and each trial
    # listing (24 Dec 2027, 13 Apr and 25 Aug 2028); none falls on a 28-day review.
    assert dues == [
        "2027-01-14",
        "2027-02-02", "2027-03-02", "2027-03-30", "2027-04-27", "2027-05-25", "2027-06-22",
        "2027-07-20", "2027-08-17", "2027-09-14", "2027-10-12", "2027-11-09", "2027-12-07",
        "2027-12-17", "2027-12-24",
        "2028-01-04", "2028-02-01", "2028-02-29", "2028-03-28", "2028-04-13", "2028-04-25",
        "2028-05-23", "2028-06-20", "2028-07-18", "2028-08-15", "2028-08-25", "2028-09-12",
        "2028-10-10", "2028-11-07",
        "2028-12-05",
    ]  # fmt: skip
    held = [o["due"] for o in reviews["occurrences"] if o["held"]]
    assert held == ["2027-01-14", "2027-02-02"]
    assert reviews["missed"] == 27
    assert reviews["next"] == "2028-12-05"
    # Every one missed is past its 2-day escalation point by Mon 20 Nov 2028 (7 Nov + 2 = 9 Nov).
    assert {o["standing"] for o in reviews["occurrences"][2:-1]} == {"escalate"}
    # The supervisor hears of the 27 in one notice, naming the latest: Tue 7 Nov 2028.
    assert reviews_missed_told(world.context()) == [
        f"Reviews not held: 27 of Supervisory review on {REF}, the latest due Tue 7 Nov"
        " (13 days ago)."
    ]

    vps = run_of(report, "vps-and-trial")
    third = {i["id"]: i for i in vps["items"] if i["occurrence"] == 3}
    # Fri 25 Aug 2028 -> Mon 28 Aug (late summer bank holiday) -> Tue 29 Aug 2028.
    assert third["victim-told-trial-date@3"]["due"] == "2028-08-29"
    # Before 28 days of Mon 6 Nov 2028: Mon 9 Oct 2028.
    assert third["vps-update-trial@3"]["due"] == "2028-10-09"

    world.now = datetime(2028, 11, 24, 12, tzinfo=UTC)
    ctx = world.context()
    supervising.close_case(ctx, person(ctx, SUPERVISOR), REF, "convicted and sentenced")

    world.now = datetime(2029, 3, 1, 12, tzinfo=UTC)  # read again months later
    report = world.report()
    assert report["closed"] == {
        "at": "2028-11-24T12:00:00+00:00",
        "reason": "convicted and sentenced",
        "by": f"user:{SUPERVISOR}",
    }
    assert {run["state"] for run in report["runs"]} == {"closed"}
    [reviews] = report["reviews"]
    # Reviews end with the case: none after 24 Nov 2028 is due, and none is next.
    assert reviews["occurrences"][-1]["due"] == "2028-11-07"
    assert reviews["next"] is None
    assert reviews["missed"] == 0
    assert {o["standing"] for o in reviews["occurrences"][2:]} == {"closed"}
    assert reviews_missed_told(world.context()) == []  # nothing more once the case is closed
    vps = run_of(report, "vps-and-trial")
    # The first listing, Fri 24 Dec 2027 -> Sat, Sun, Mon 27 Dec and Tue 28 Dec (Christmas and
    # Boxing Day, substitutes) -> Wed 29 Dec 2027: still so when read in 2029.
    assert item_of(vps, "victim-told-trial-date@1")["due"] == "2027-12-29"
    assert [e["name"] for e in report["events"]][-2:] == ["verdict", "sentence"]
    code, output = world.cli("verify")
    assert code == 0, output

    # Two years of reports were consulted, each in the access log: a checkpoint signs both logs.
    code, output = world.cli("checkpoint")
    assert code == 0, output
    code, output = world.cli("verify")
    assert code == 0, output
    assert "Checkpoints: the access log matches each; the latest, checkpoint 1 of " in output

    # Closed Fri 24 Nov 2028, due for retention review 72 months on, Fri 24 Nov 2034: the
    # administrator is told on the Monday after, Mon 27 Nov, once, and the case is not named.
    admin = world.enrol("Ade Admin", "admin")
    world.now = datetime(2034, 11, 20, 8, tzinfo=UTC)
    assert retention_notice(world.context()) == 0
    world.now = datetime(2034, 11, 27, 8, tzinfo=UTC)
    ctx = world.context()
    assert retention_notice(ctx) == 1
    assert [
        notice_reply(ctx, notice).text.split(". On the server")[0]
        for notice in ctx.uow.notices.ready(ctx.now(), timedelta(0))
        if notice.kind == "retention-due" and notice.user_id == admin
    ] == ["Retention: 1 closed case is due for review"]
