"""Build a large, realistic database for report benchmarks, written by the bot's own service.

Cases are spread over teams and the 18 months before --until, each worked by one investigator of
its team, with runs of every shipped playbook. Each case follows a story decided when it opens
(interview, suspect, arrest, early advice, NFA or charge, plea, trial, verdict, sentence, a
withdrawal, a review request), and its items are answered as the story reaches them: mostly yes,
some no or n/a with the playbooks' preset reasons, some put off until later, corrections when
the story moves on, milestones that start later playbooks, runs left part-way, submitted, signed
off or returned with a note, and a supervisor's review every four weeks or so.

Every write goes through the use cases in `bot.services`, so the tables and the hash-chained completion log
hold exactly what the bot would write. One simulated clock moves through all the cases at once,
so the log's times rise with its record numbers, as in a real log. The same seed and --until
give the same database. At 10,000 cases it writes about 1.4 million log records (the playbooks
give about 145 a case), in about 21 minutes on 2 shared cores. The read model is left out for
speed: build it after with `soteria-bot rebuild-read-model`.

Run: .venv/bin/python bench/make_cases.py OUT.db [--cases 10000] [--teams 20]
         [--investigators-per-team 8] [--seed 1] [--until 2026-11-22]
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.bootstrap import context_on
from bot.config import Settings
from bot.core.answers import kind_of
from bot.core.condition import milestones_in
from bot.core.people import User
from bot.core.playbook import Item
from bot.core.run import Run
from bot.services import access, cases, events, investigating, supervising
from bot.services.context import Context
from bot.services.publishing import publish_on_fresh_install
from bot.store.db import connect, transaction
from bot.store.playbook_files import Library, load_library
from bot.store.users import UserRepository

REPO = Path(__file__).resolve().parents[1]
#: The last day of the simulation: fixed, so that a seed alone decides the database.
UNTIL = date(2026, 11, 22)
SPAN = timedelta(days=548)  # about 18 months of cases before --until
FORCE = "43"
REVIEW = "supervisory-review"
REVIEW_EVERY = timedelta(days=28)
STARTED_BY_HAND = ("initial-report", "investigation-plan")  # they start on the report
#: Steps of the simulation (one service call each) committed together; see `Simulation.run`.
STEPS_PER_TRANSACTION = 2_000
#: A day after any story's end: what an answer will be once everything has happened.
FAR = date(9999, 1, 1)

TEAM_NAMES = (
    "North", "South", "East", "West", "Central", "City", "Coast", "Valley", "Moor", "Vale",
    "Riverside", "Harbour", "Forest", "Downs", "Fens", "Marsh", "Heath", "Weald", "Peak", "Dales",
)  # fmt: skip
TYPED_REASONS = (
    "Waiting on partner agency",
    "Booked for next week",
    "Chased twice, no reply yet",
    "On leave, will pick up on return",
    "Awaiting CPS advice",
    "Victim asked for more time",
    "Not yet possible, see the file",
)
RETURN_NOTES = (
    "Reasons need more detail; say what was tried",
    "Record the referral before resubmitting",
    "Dates do not match the file; please check",
    "Speak to me about the bail position first",
    "Bad character checks look incomplete",
)
SIGN_OFF_NOTES = ("", "", "Good work", "Checked against the file")
DIRECTIONS = (
    "Continue as planned",
    "Prioritise the digital strategy",
    "Chase the CPS for early advice",
    "Review bail before it expires",
    "Update the victim this week",
)

POLICE_NFA = "police decision of no further action"
CPS_FILE = "full file to the CPS for a decision"
BAILED = ("on bail with conditions", "on bail without conditions")
RELATIONSHIPS = {
    "known to the victim": 73,
    "met recently or online": 15,
    "stranger": 9,
    "not yet known": 3,
}
#: Of the suspects known to the victim, the share who are a partner, former partner or relative.
DOMESTIC_SHARE = 0.52
#: Yes-or-no items whose "no" needs no reason: branches, answered yes this often.
YES_SHARES = {
    "intermediary-needed": 0.25,
    "vir-considered": 0.12,
    "vir-counselling": 0.4,
    "disagree": 0.12,
    "therapy-notes-request": 0.2,
}
#: Items whose right answer changes as the story moves on: the investigator corrects them.
EVOLVING = (
    "suspect-known",
    "decision-route",
    "cps-decision",
    "decided-by",
    "vrr-outcome",
    "trial-date",
    "trial-date-changed",
    "victim-withdrew",
)
#: Milestones an investigator records with /milestone when no item has recorded them in time.
BY_HAND = (
    "interview", "suspect-identified", "arrest", "charge", "nfa",
    "not-guilty-plea", "trial", "verdict", "sentence",
)  # fmt: skip
HAND_LAG = timedelta(days=14)


def days(rng: random.Random, low: int, high: int) -> timedelta:
    """A random span of whole days, from `low` to `high`."""
    return timedelta(days=rng.randint(low, high))


def at_work(rng: random.Random, day: date) -> datetime:
    """A moment in office hours on `day` (most weekend work moves to the Monday), in UTC."""
    if day.weekday() >= 5 and rng.random() < 0.8:
        day += timedelta(days=7 - day.weekday())
    seconds = rng.randint(8 * 3600, 17 * 3600)
    # Microseconds too, as a real clock gives: some columns keep times as isoformat() makes them.
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        seconds=seconds, microseconds=rng.randint(0, 999_999)
    )


# --- the story of a case ---------------------------------------------------------------------


@dataclass
class Story:
    """What happens in one case, decided when it is opened; answers follow it as days pass."""

    report: date
    relationship: str
    prior: str  # what checks for previous allegations find (NOT_YET: still pending)
    risk: str
    stalking: bool
    domestic: bool
    repeat: bool
    related: frozenset[str]
    early_advice_first: bool = False  # early advice sought before any arrest
    release: str | None = None
    route: str | None = None
    cps_decision: str | None = None
    nfa_group: str = "another outcome"
    withdrawal_stage: str | None = None
    vrr_outcome: str | None = None
    outcome: str | None = None
    plea_court: str = "Crown Court"
    moved_trial: date | None = None
    ends: date | None = None  # the day the case is over, if it ends at all
    #: The day each fact happens: milestones by name, and a few steps that are not milestones
    #: ('eia-received', 'file', 'decided', 'vrr-decided', 'outcome').
    events: dict[str, date] = field(default_factory=dict)
    #: When a fact is known before it happens: an interview or a trial is booked ahead.
    known: dict[str, date] = field(default_factory=dict)

    def on(self, name: str, today: date) -> bool:
        """Tell whether the investigator knows of the fact by `today`."""
        return name in self.events and self.known.get(name, self.events[name]) <= today

    def milestone(self, name: str, today: date) -> date | None:
        """The milestone's date as the investigator knows it on `today`, or None if not yet."""
        if name == "trial" and self.moved_trial and self.on("trial-date-changed", today):
            return self.moved_trial
        return self.events[name] if self.on(name, today) else None

    def next_fact(self, today: date) -> date | None:
        """The first day after `today` on which the investigator learns something new."""
        later = [self.known.get(name, day) for name, day in self.events.items()]
        return min((day for day in later if day > today), default=None)


def make_story(rng: random.Random, report: date) -> Story:
    """Decide what will happen in a case reported on `report`."""
    relationship = rng.choices(list(RELATIONSHIPS), list(RELATIONSHIPS.values()))[0]
    domestic = relationship == "known to the victim" and rng.random() < DOMESTIC_SHARE
    stalking = rng.random() < 0.2
    related = {
        name
        for name, share in (
            ("violence", 0.2),
            ("fraud or deception", 0.05),
            ("stalking or harassment", 0.8 if stalking else 0.0),
            ("coercive control or domestic abuse", 0.5 if domestic else 0.02),
            ("other sexual misconduct", 0.15),
        )
        if rng.random() < share
    }
    story = Story(
        report=report,
        relationship=relationship,
        prior=rng.choices(["none found", "found", NOT_YET], [55, 25, 20])[0],
        risk=rng.choices(["standard", "medium", "high"], [55, 30, 15])[0],
        stalking=stalking,
        domestic=domestic,
        repeat=rng.random() < 0.2,
        related=frozenset(related or {"none"}),
        plea_court="Crown Court" if rng.random() < 0.85 else "magistrates' court",
    )
    events = story.events
    if rng.random() < 0.85:
        story.known["interview"] = report + days(rng, 0, 6)
        events["interview"] = story.known["interview"] + days(rng, 1, 20)
    if rng.random() < 0.85:
        events["suspect-identified"] = report + (
            timedelta(0) if rng.random() < 0.55 else days(rng, 2, 90)
        )
    withdrawal = report + days(rng, 10, 240) if rng.random() < 0.3 else None
    suspect = events.get("suspect-identified")
    if suspect and rng.random() < 0.6:
        arrest = suspect + days(rng, 2, 45)
        if withdrawal is None or withdrawal > arrest:
            _arrest(story, rng, arrest)
    if suspect and rng.random() < 0.12:
        story.early_advice_first = True
        events["eia-requested"] = suspect + days(rng, 1, 10)
    if "eia-requested" in events:
        events["eia-received"] = events["eia-requested"] + days(rng, 7, 35)
    _decide(story, rng, withdrawal)
    return story


def _arrest(story: Story, rng: random.Random, arrest: date) -> None:
    """An arrest, the release that follows it, and perhaps a request for early advice."""
    events = story.events
    events["arrest"] = arrest
    story.release = rng.choices([*BAILED, "released under investigation"], [45, 10, 45])[0]
    events["bail"] = arrest + days(rng, 0, 1)
    if story.release in BAILED:
        events["bail-expiry"] = events["bail"] + timedelta(days=90)
        story.known["bail-expiry"] = events["bail"]
    if rng.random() < 0.5:
        events["eia-requested"] = arrest + days(rng, 3, 20)


def _decide(story: Story, rng: random.Random, withdrawal: date | None) -> None:
    """The charging decision: the CPS or the police, charge or NFA; a withdrawal ends in NFA."""
    events = story.events
    arrest = events.get("arrest")
    if arrest:
        to_cps = rng.random() < 0.6
        filed = arrest + days(rng, 20, 120)
        decided = filed + (days(rng, 14, 150) if to_cps else days(rng, 0, 20))
        charged = to_cps and rng.random() < 0.45
    elif rng.random() < 0.6:
        to_cps, charged = False, False
        filed = decided = story.report + days(rng, 60, 300)
    elif withdrawal is None:
        return  # still under investigation when the window closes, or for ever
    else:
        to_cps, charged = False, False
        filed = decided = withdrawal + days(rng, 7, 40)
    if withdrawal is not None and withdrawal < decided:
        events["withdrawal"] = withdrawal
        story.withdrawal_stage = _stage(story, withdrawal, filed, to_cps)
        charged, decided = False, withdrawal + days(rng, 7, 40)
        if withdrawal < filed:
            to_cps, filed = False, decided
    story.route = CPS_FILE if to_cps else POLICE_NFA
    events["file"] = filed
    if to_cps:
        events["decided"] = decided
        story.cps_decision = "charge" if charged else "no further action"
    if charged:
        events["charge"] = decided
        _court(story, rng, decided)
    else:
        _nfa(story, rng, decided)


def _stage(story: Story, withdrawal: date, filed: date, to_cps: bool) -> str:
    """Where the case stood when the victim withdrew support."""
    interview, arrest = story.events.get("interview"), story.events.get("arrest")
    if interview is None or withdrawal < interview:
        return "before the victim's interview"
    if arrest is None or withdrawal < arrest:
        return "after interview, before any arrest"
    if to_cps and withdrawal >= filed:
        return "awaiting CPS decision"
    return "after arrest, awaiting police decision"


def _nfa(story: Story, rng: random.Random, when: date) -> None:
    """No further action: the victim is told, and may ask for a review (VRR)."""
    events = story.events
    events["nfa"] = when
    told = events["decision-communicated"] = when + days(rng, 0, 10)
    story.nfa_group = (
        "evidential difficulties, victim does not support (16)"
        if "withdrawal" in events
        else rng.choices(
            ["evidential difficulties, victim supports action (15)", "another outcome"], [6, 4]
        )[0]
    )
    story.ends = told + timedelta(days=30)
    if rng.random() < 0.2:
        asked = events["vrr-request"] = told + days(rng, 5, 60)
        story.ends = asked + timedelta(days=150)
        if rng.random() < 0.93:
            decided = events["vrr-decided"] = asked + days(rng, 20, 120)
            story.vrr_outcome = "decision upheld" if rng.random() < 0.9 else "decision overturned"
            story.ends = decided + timedelta(days=30)


def _court(story: Story, rng: random.Random, charge: date) -> None:
    """After charge: a guilty plea, or a not-guilty plea and a trial, perhaps moved."""
    events = story.events
    if rng.random() < 0.3:
        verdict = events["verdict"] = events["outcome"] = charge + days(rng, 28, 120)
        story.outcome = "pleaded guilty"
    else:
        plea = events["not-guilty-plea"] = charge + days(rng, 14, 60)
        listed = story.known["trial"] = plea + days(rng, 0, 14)
        trial = events["trial"] = max(charge + days(rng, 150, 360), listed + timedelta(days=60))
        if rng.random() < 0.25:
            events["trial-date-changed"] = listed + days(rng, 14, (trial - listed).days - 7)
            story.moved_trial = trial = trial + days(rng, 30, 180)
        if rng.random() < 0.08:
            story.outcome = "discontinued by the CPS"
            events["outcome"] = max(trial - days(rng, 10, 60), plea + timedelta(days=1))
            story.ends = events["outcome"] + timedelta(days=30)
            return
        verdict = events["verdict"] = events["outcome"] = trial + days(rng, 2, 10)
        story.outcome = (
            "convicted after trial" if rng.random() < 0.55 else "acquitted by the jury or court"
        )
    story.ends = verdict + timedelta(days=30)
    if story.outcome != "acquitted by the jury or court":
        events["sentence"] = verdict + days(rng, 28, 56)
        story.known["sentence"] = verdict
        story.ends = events["sentence"] + timedelta(days=30)


def yes(flag: bool) -> str:
    """A yes-or-no answer from a fact."""
    return "yes" if flag else "no"


def _when_known(flag: str, story: Story, today: date) -> str | None:
    """'yes' once the fact is known; None (not yet) while it is still to come; else 'no'."""
    if flag not in story.events:
        return "no"
    return "yes" if story.on(flag, today) else None


#: The answer "not yet" to an item that allows it: checks still pending, say.
NOT_YET = "not yet"

#: Answers the story decides, by item id; None means "not yet: the story has not got there".
STORY_ANSWERS: dict[str, Callable[[Story, date], Any]] = {
    "suspect-known": lambda s, d: yes(s.on("suspect-identified", d)),
    "relationship": lambda s, d: s.relationship,
    "previous-allegations": lambda s, d: s.prior,
    "early-advice-before-arrest": lambda s, d: yes(s.early_advice_first),
    "repeat-indicators": lambda s, d: yes(s.repeat),
    "risk-level": lambda s, d: s.risk,
    "stalking-present": lambda s, d: yes(s.stalking),
    "domestic-context": lambda s, d: yes(s.domestic),
    "related-found": lambda s, d: s.related,
    "plea-court": lambda s, d: s.plea_court,
    "eia-sought": lambda s, d: _when_known("eia-requested", s, d),
    "eia-received": lambda s, d: "yes" if s.on("eia-received", d) else None,
    "decision-route": lambda s, d: s.route if s.on("file", d) else "still investigating",
    "cps-decision": lambda s, d: s.cps_decision if s.on("decided", d) else "awaiting decision",
    "decided-by": lambda s, d: (
        ("police" if s.route == POLICE_NFA else "CPS") if s.on("nfa", d) else "no decision yet"
    ),
    "victim-withdrew": lambda s, d: yes(s.on("withdrawal", d)),
    "victim-withdrawn": lambda s, d: yes(s.on("withdrawal", d)),
    "withdrawal-stage": lambda s, d: s.withdrawal_stage,
    "outcome-group": lambda s, d: s.nfa_group,
    "vrr-requested": lambda s, d: _when_known("vrr-request", s, d),
    "vrr-outcome": lambda s, d: s.vrr_outcome if s.on("vrr-decided", d) else "still under review",
    "release-status": lambda s, d: s.release,
    "case-outcome": lambda s, d: s.outcome if s.on("outcome", d) else None,
    "trial-date-changed": lambda s, d: yes(s.on("trial-date-changed", d)),
    "victim-still-supports": lambda s, d: "yes",
}


# --- the people --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A user and their habits: how often they answer yes, put things off, submit, review."""

    user: User
    yes_share: float
    na_share: float
    later_share: float
    typed_share: float  # reasons typed rather than picked from the presets
    gap_days: float  # between sittings on a case with work to do
    submit_share: float
    drop_share: float  # the share of cases worked outside the bot after a while
    review_share: float = 0.0  # supervisors: the share of four-weekly reviews they do


def enrol(
    service: Context, per_team: int, rng: random.Random, joined: list[date]
) -> list[tuple[Person, list[Person]]]:
    """Enrol each team's supervisor and investigators on the day the team joins."""

    def person(name: str, role: str, team: str, day: date) -> Person:
        return Person(
            UserRepository(service.uow.db).add(name, role, team, at_work(rng, day)),
            yes_share=rng.uniform(0.84, 0.97),
            na_share=rng.uniform(0.04, 0.12),
            # A supervisor finishes each review in one sitting, so that the next one can start.
            later_share=0.0 if role == "supervisor" else rng.uniform(0.01, 0.06),
            typed_share=rng.uniform(0.05, 0.3),
            gap_days=rng.uniform(3, 14),
            submit_share=rng.uniform(0.3, 0.9),
            drop_share=rng.uniform(0.15, 0.45),
            # Inspections find reviews missed more often than done.
            review_share=rng.uniform(0.04, 0.15),
        )

    staff = []
    for number, day in enumerate(joined):
        name = TEAM_NAMES[number % len(TEAM_NAMES)]
        team = f"{name} RASSO" if number < len(TEAM_NAMES) else f"{name} RASSO {number + 1}"
        supervisor = person(f"DS {name} {number + 1}", "supervisor", team, day)
        officers = [
            person(f"DC {name} {number + 1}-{index + 1}", "investigator", team, day)
            for index in range(per_team)
        ]
        staff.append((supervisor, officers))
    return staff


# --- one case's life ---------------------------------------------------------------------------


class CaseLife:
    """One case from its report to its end (or to --until): its investigator's and supervisor's work.

    `life()` is a generator: before each service call it yields the moment the call happens, and
    the simulation resumes it once the shared clock gets there.
    """

    def __init__(
        self,
        sim: Simulation,
        rng: random.Random,
        ref: str,
        opened: datetime,
        officer: Person,
        supervisor: Person,
    ) -> None:
        self.sim = sim
        self.service = sim.service
        self.rng = rng
        self.ref = ref
        self.story = make_story(rng, opened.date())
        self.officer = officer
        self.supervisor = supervisor
        self.at = opened
        self.case_id = 0
        self.budget = 0  # answers left in this sitting
        self.pending = False  # work was left that could be done now
        self.dropped = (
            opened.date() + days(rng, 0, 240) if rng.random() < officer.drop_share else None
        )
        self._agenda: list[tuple[datetime, int, str, int]] = []
        self._planned = 0
        self._plan(opened, "open")
        self._plan(at_work(rng, opened.date() + REVIEW_EVERY), "review")

    def _plan(self, at: datetime, kind: str, run_id: int = 0) -> None:
        """Put work on the case's agenda: a sitting, a review or a decision on a run."""
        self._planned += 1
        heapq.heappush(self._agenda, (at, self._planned, kind, run_id))

    def life(self) -> Iterator[datetime]:
        """The case's work in time order: opening, sittings, reviews and supervisors' decisions."""
        while self._agenda:
            at, _, kind, run_id = heapq.heappop(self._agenda)
            if at > self.sim.end:
                return
            self.at = max(at, self.at)
            if kind == "open":
                yield from self.open()
            elif kind == "work":
                yield from self.work(self.rng.randint(6, 30))
            elif kind == "review":
                yield from self.review()
            else:
                yield from self.decide(run_id)

    def act(self, call: Callable[..., Any], *args: Any) -> Iterator[datetime]:
        """Wait a few seconds of thought, then make one service call; returns what it returns."""
        self.at += timedelta(
            seconds=self.rng.randint(8, 75), microseconds=self.rng.randint(0, 999_999)
        )
        yield self.at
        self.sim.calls += 1
        return call(*args)

    def today(self) -> date:
        """The day it is for this case's people."""
        return self.at.date()

    # --- the investigator ---------------------------------------------------------------------

    def open(self) -> Iterator[datetime]:
        """Open the case, start the playbooks that start on the report, and work the first items."""
        user = self.officer.user
        case, _ = yield from self.act(cases.open_case, self.service, user, self.ref)
        self.case_id = case.id
        for playbook_id in STARTED_BY_HAND:
            yield from self.act(investigating.start_run, self.service, user, self.ref, playbook_id)
        yield from self.work(self.rng.randint(12, 40))

    def work(self, budget: int) -> Iterator[datetime]:
        """One sitting: work through the case's runs until the time (budget) runs out."""
        self.budget, self.pending = budget, False
        for run_id, playbook_id in self.runs():
            if playbook_id != REVIEW:
                yield from self.work_run(run_id)
        yield from self.record_late_milestones()
        self.plan_next_sitting()

    def runs(self) -> list[tuple[int, str]]:
        """The case's runs that still take work, oldest first (read straight from the tables)."""
        rows = self.service.uow.db.execute(
            "select runs.id, v.playbook_id from runs"
            " join playbook_versions v on v.id = runs.playbook_version_id"
            " where runs.case_id = ? and runs.state not in ('submitted', 'signed_off')"
            " order by runs.id",
            [self.case_id],
        )
        return [(row[0], row[1]) for row in rows]

    def run(self, run_id: int, person: Person | None = None) -> Run:
        """A run as the service gives it to the investigator (or to `person`)."""
        return access.run(self.service, (person or self.officer).user, run_id)

    def work_run(self, run_id: int) -> Iterator[datetime]:
        """Pick a run up, correct what the story has changed, and carry on answering."""
        user = self.officer.user
        state = self.run(run_id).state
        if state in ("returned", "paused"):
            yield from self.act(investigating.resume, self.service, user, run_id)
        yield from self.settle_reason(run_id, self.officer)
        yield from self.correct(run_id)
        yield from self.revisit_laters(run_id)
        yield from self.answer_run(run_id, self.officer)
        yield from self.maybe_submit(run_id)

    def settle_reason(self, run_id: int, person: Person) -> Iterator[datetime]:
        """Give the reason the run is waiting for, or put it off until later."""
        run = self.run(run_id, person)
        if run.state != "awaiting_reason":
            return
        item = run.current()
        assert item is not None
        if self.rng.random() < person.later_share and item.required:
            yield from self.act(investigating.defer, self.service, person.user, run_id, item.id)
            self.pending = True
            return
        presets = item.reasons
        if presets and self.rng.random() >= person.typed_share:
            # Earlier presets are the commoner ones, so the reasons chart has a shape.
            weights = [1 / (rank + 1) for rank in range(len(presets))]
            reason = self.rng.choices(presets, weights)[0]
        else:
            reason = self.rng.choice(TYPED_REASONS)
        yield from self.act(investigating.give_reason, self.service, person.user, run_id, reason)

    def correct(self, run_id: int) -> Iterator[datetime]:
        """Change answers the story has overtaken (a suspect found, a decision made, a trial moved)."""
        for item_id in EVOLVING:
            run = self.run(run_id)
            if run.state not in ("asking", "review") or item_id not in run.answers():
                continue
            item = run.playbook.item(item_id)
            wanted = self.want(item, self.today(), self.officer)
            if not run.is_live(item) or wanted is None:
                continue
            if run.answers()[item_id] != kind_of(item).encode(
                item, kind_of(item).check(item, wanted)
            ):
                yield from self.act(
                    investigating.revisit, self.service, self.officer.user, run_id, item_id
                )
                yield from self.give(run_id, item, wanted, self.officer)

    def revisit_laters(self, run_id: int) -> Iterator[datetime]:
        """Come back to some items put off until later, now that they can be answered."""
        run = self.run(run_id)
        for item in run.items:
            run = self.run(run_id)
            if run.state not in ("asking", "review") or run.status(item.id).status != "later":
                continue
            answered = run.answers().get(item.id)  # put off at its reason: the same answer again
            wanted = (
                answered if answered is not None else self.want(item, self.today(), self.officer)
            )
            if wanted is None:
                continue
            if self.rng.random() < 0.5 or self.budget <= 0:
                self.pending = True
                continue
            yield from self.act(
                investigating.revisit, self.service, self.officer.user, run_id, item.id
            )
            yield from self.give(run_id, item, wanted, self.officer)

    def answer_run(self, run_id: int, person: Person) -> Iterator[datetime]:
        """Answer the run's items in order while the sitting lasts and the story allows."""
        for _ in range(500):
            run = self.run(run_id, person)
            item = run.current()
            if item is None:
                return
            if run.state == "awaiting_reason":
                yield from self.settle_reason(run_id, person)
                continue
            if self.budget <= 0:
                self.pending = True
                return
            wanted = self.want(item, self.today(), person)
            put_off = self.rng.random() < person.later_share or not item.required
            if wanted is None and self.rng.random() < 0.35:
                return  # left at this item until the story gets there: it may fall overdue
            if wanted is None or (put_off and self.rng.random() < 0.5):
                yield from self.act(
                    investigating.defer, self.service, person.user, run_id, item.id
                )
                continue
            yield from self.give(run_id, item, wanted, person)
        raise RuntimeError(f"run {run_id} of {self.ref} did not settle")

    def give(self, run_id: int, item: Item, value: Any, person: Person) -> Iterator[datetime]:
        """Answer one item, and give its reason at once when it needs one."""
        if value is NOT_YET:
            yield from self.act(investigating.not_yet, self.service, person.user, run_id, item.id)
            self.budget -= 1
            return
        offered = self.run(run_id, person).offered(item)
        if isinstance(value, str) and value in item.answers and value not in offered:
            # Withheld as the case stands (N/A once related offending is found, say).
            value = "no" if "no" in offered else offered[0]
        yield from self.act(
            investigating.answer, self.service, person.user, run_id, item.id, value
        )
        self.budget -= 1
        yield from self.settle_reason(run_id, person)

    def maybe_submit(self, run_id: int) -> Iterator[datetime]:
        """Submit a complete run, once nothing still to come in the story can change it."""
        run = self.run(run_id)
        if run.state != "review" or run.unexplained() or not self.final(run):
            return
        if self.rng.random() >= self.officer.submit_share:
            return
        yield from self.act(investigating.submit, self.service, self.officer.user, run_id)
        if self.rng.random() < 0.92:  # the rest wait for a sign-off that never comes
            self._plan(at_work(self.rng, self.today() + days(self.rng, 1, 14)), "decide", run_id)

    def final(self, run: Run) -> bool:
        """Tell whether the story's milestones and decisions still to come leave the run as it is."""
        story = self.story
        for name in self.sim.gating[run.playbook.id]:
            if name in story.events and name not in run.milestones:
                return False
        answers = run.answers()
        for item_id in EVOLVING:
            if item_id in answers:
                item = run.playbook.item(item_id)
                wanted = self.want(item, FAR, self.officer)
                if wanted is not None and answers[item_id] != kind_of(item).encode(
                    item, kind_of(item).check(item, wanted)
                ):
                    return False
        return True

    def record_late_milestones(self) -> Iterator[datetime]:
        """Record with /milestone what no item has recorded two weeks after it was known."""
        recorded = {
            name: when.isoformat()
            for name, when in self.service.uow.events.milestones(self.case_id).items()
        }
        for name in BY_HAND:
            when = self.story.milestone(name, self.today())
            if self.story.milestone(name, self.today() - HAND_LAG) is None or when is None:
                continue
            if recorded.get(name) != when.isoformat():
                user = self.officer.user
                yield from self.act(
                    events.record_milestone, self.service, user, self.ref, name, when
                )

    def plan_next_sitting(self) -> None:
        """The next sitting: soon while work is waiting, else when the story next moves."""
        story, today, rng = self.story, self.today(), self.rng
        if story.ends and today > story.ends + timedelta(days=60):
            return  # the case is over; what is left undone stays so
        if self.pending:
            gap = min(90, max(1, round(rng.expovariate(1 / self.officer.gap_days))))
        else:
            upcoming = story.next_fact(today)
            gap = rng.randint(30, 120) if upcoming is None else (upcoming - today).days
            gap += rng.randint(0, 10)
        if rng.random() < 0.04:
            gap += rng.randint(30, 300)  # the case is neglected for a while
        if self.dropped and today + timedelta(days=gap) > self.dropped:
            return  # the rest of the case is worked outside the bot: its items fall overdue
        self._plan(at_work(rng, today + timedelta(days=gap)), "work")

    # --- the supervisor -----------------------------------------------------------------------

    def review(self) -> Iterator[datetime]:
        """The four-weekly supervisory review, done (or skipped) by the team's supervisor."""
        story, today = self.story, self.today()
        if story.ends and today > story.ends:
            return
        self._plan(at_work(self.rng, today + REVIEW_EVERY), "review")
        if self.rng.random() >= self.supervisor.review_share or not self.case_id:
            return
        user = self.supervisor.user
        outcome = yield from self.act(
            investigating.start_run, self.service, user, self.ref, REVIEW
        )
        if outcome.run.state == "submitted":  # last time's review was never signed off
            yield from self.act(supervising.sign_off, self.service, user, outcome.run.run_id, "")
            outcome = yield from self.act(
                investigating.start_run, self.service, user, self.ref, REVIEW
            )
        run_id = outcome.run.run_id
        self.budget = 100
        yield from self.answer_run(run_id, self.supervisor)
        if self.run(run_id, self.supervisor).state == "review":
            yield from self.act(investigating.submit, self.service, user, run_id)
            if self.rng.random() < 0.95:
                yield from self.act(supervising.sign_off, self.service, user, run_id, "")

    def decide(self, run_id: int) -> Iterator[datetime]:
        """The supervisor signs a submitted run off, or returns it with a note."""
        if self.run(run_id, self.supervisor).state != "submitted":
            return
        user = self.supervisor.user
        if self.rng.random() < 0.82:
            note = self.rng.choice(SIGN_OFF_NOTES)
            yield from self.act(supervising.sign_off, self.service, user, run_id, note)
        else:
            note = self.rng.choice(RETURN_NOTES)
            yield from self.act(supervising.send_back, self.service, user, run_id, note)

    # --- answers ------------------------------------------------------------------------------

    def want(self, item: Item, today: date, person: Person) -> Any:
        """The answer to give on `today`, or None while the story has not got there."""
        if item.id in STORY_ANSWERS:
            value = STORY_ANSWERS[item.id](self.story, today)
            if value is NOT_YET and not item.not_yet:
                raise ValueError(
                    f"{item.id}: the story answers 'not yet', which it does not allow"
                )
            if value not in (None, NOT_YET) and item.type != "multi" and value not in item.answers:
                raise ValueError(f"{item.id}: the story's answer {value!r} is not an option")
            return value
        if item.type == "date" and item.sets:
            return self.story.milestone(item.sets, today)
        if item.id == "mg16-considered" and not self.story.on("suspect-identified", today):
            return "na"
        return self.usual(item, person)

    def usual(self, item: Item, person: Person) -> Any:
        """An answer as this person usually gives it, by the item's type."""
        rng = self.rng
        if item.type in ("yes-no", "yes-no-na"):
            share = YES_SHARES.get(item.id, person.yes_share if "no" in item.reason else 0.5)
            if item.type == "yes-no-na" and rng.random() < person.na_share:
                return "na"
            return yes(rng.random() < share)
        if item.type == "choice":
            weights = [len(item.options) - rank for rank in range(len(item.options))]
            return rng.choices(item.options, weights)[0]
        if item.type == "multi":
            nothing = [o for o in item.options if o.startswith("none") or o in item.exclusive]
            if nothing and rng.random() < 0.12:
                return {nothing[0]}
            some = [option for option in item.options if option not in nothing]
            return set(rng.sample(some, rng.randint(1, min(3, len(some)))))
        if item.type == "date":
            if item.dates == "future":
                return self.today() + days(rng, 1, 60)
            return self.today() - days(rng, 0, 7)
        if item.type == "number":
            return rng.randint(int(item.min or 0), int(item.max or 20))
        if item.type == "text":
            return rng.choice(DIRECTIONS)
        return "ok"


# --- the simulation ----------------------------------------------------------------------------


class Simulation:
    """Every case's life, interleaved on one clock, through one service."""

    def __init__(self, db: sqlite_utils.Database, library: Library, end: datetime) -> None:
        self.end = end
        # Set before the service exists: opening it publishes the playbooks, stamped by the clock.
        self.now = datetime.combine(end.date() - SPAN, datetime.min.time(), UTC)
        self.service = context_on(
            db, library, Settings(case_key="crime-reference"), clock=self.clock
        )
        publish_on_fresh_install(self.service)
        self.calls = 0
        self.gating = {
            entry.playbook.id: frozenset(
                name
                for item in entry.playbook.items
                if item.when is not None
                for name in milestones_in(item.when)
            )
            for entry in library.playbooks
        }

    def clock(self) -> datetime:
        """The service's clock: the moment the current step happens."""
        return self.now

    def run(self, lives: list[CaseLife], progress: Callable[[], None]) -> None:
        """Resume each case when the clock reaches its next step, committing steps in batches.

        Each service call would commit on its own; nested in one transaction it becomes a
        savepoint, and the batch is committed once.
        """
        queue: list[tuple[datetime, int, Iterator[datetime]]] = []
        for index, life in enumerate(lives):
            steps = life.life()
            first = next(steps, None)
            if first is not None:
                queue.append((first, index, steps))
        heapq.heapify(queue)
        month = None
        while queue:
            with transaction(self.service.uow.db):
                for _ in range(STEPS_PER_TRANSACTION):
                    if not queue:
                        break
                    at, index, steps = heapq.heappop(queue)
                    self.now = max(at, self.now)
                    following = next(steps, None)
                    if following is not None:
                        heapq.heappush(queue, (following, index, steps))
            if (self.now.year, self.now.month) != month:
                month = (self.now.year, self.now.month)
                progress()


def reports(
    rng: random.Random, cases: int, joined: list[date], last: date
) -> list[tuple[datetime, int]]:
    """When each case is reported and which team takes it, in time order."""
    found = []
    for _ in range(cases):
        team = rng.randrange(len(joined))
        # Up to four days before the end, so that a weekend moved to Monday stays inside it.
        day = joined[team] + days(rng, 0, (last - joined[team]).days - 4)
        found.append((at_work(rng, day), team))
    return sorted(found)


def crime_references(rng: random.Random, opened: list[datetime]) -> list[str]:
    """A crime reference for each case, numbered through each year in the order they open."""
    serial: dict[int, int] = {}
    refs = []
    for at in opened:
        serial[at.year] = serial.get(at.year, rng.randint(100, 900)) + rng.randint(1, 6)
        refs.append(f"{FORCE}/{serial[at.year]:05d}/{at.year % 100:02d}")
    return refs


def build(
    path: Path | str,
    cases: int = 10_000,
    teams: int = 20,
    investigators_per_team: int = 8,
    seed: int = 1,
    until: date = UNTIL,
) -> dict[str, int | float]:
    """Create a new database at `path` full of cases, through the service; returns the counts."""
    path = Path(path)
    # A write-ahead log left beside the path would be read into the new database.
    for existing in (path, path.with_name(f"{path.name}-wal")):
        if existing.exists():
            raise FileExistsError(f"{existing} exists; give the path of a new file.")
    print(f"Building {cases:,} cases in {path}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    end = datetime(until.year, until.month, until.day, 18, tzinfo=UTC)
    db = connect(path)
    # For this generator only: a crash costs nothing but a rebuild from the seed, so each commit
    # need not wait for the disk. The bot itself keeps synchronous=FULL. A larger page cache
    # keeps the log's indexes in memory as they grow.
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -262144")
    library = load_library([REPO / "playbooks"], REPO / "playbooks")
    if library.problems:
        raise SystemExit("\n".join(str(problem) for problem in library.problems))
    sim = Simulation(db, library, end)
    rng = random.Random(seed)
    # The bot reaches one team first and the others over the following 15 months, so there are
    # more cases each month, as in a roll-out.
    first = until - SPAN
    joined = [first] + [first + days(rng, 0, 456) for _ in range(teams - 1)]
    with transaction(db):
        staff = enrol(sim.service, investigators_per_team, rng, joined)
    opened = reports(rng, cases, joined, until)
    refs = crime_references(rng, [at for at, _ in opened])
    lives = []
    for index, ((at, team), ref) in enumerate(zip(opened, refs, strict=True)):
        supervisor, officers = staff[team]
        officer = rng.choices(officers, [1 + (rank % 3) for rank in range(len(officers))])[0]
        case_rng = random.Random(f"{seed}:{index}")
        lives.append(CaseLife(sim, case_rng, ref, at, officer, supervisor))

    def progress() -> None:
        records = db.execute("select seq from log_head").fetchone()[0]
        opened_now = db.execute("select count(*) from cases").fetchone()[0]
        print(
            f"{sim.now:%Y-%m}: {opened_now:,} cases, {records:,} log records,"
            f" {sim.calls:,} calls, {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )

    sim.run(lives, progress)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts: dict[str, int | float] = {
        name: db.execute(f"select count(*) from {table}").fetchone()[0]
        for name, table in (
            ("cases", "cases"),
            ("runs", "runs"),
            ("log records", "log"),
            ("users", "users"),
        )
    }
    db.conn.close()
    counts["bytes"] = path.stat().st_size
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the new database file to create")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--investigators-per-team", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--until", type=date.fromisoformat, default=UNTIL, help="the last day (YYYY-MM-DD)"
    )
    args = parser.parse_args()
    try:
        counts = build(
            args.out, args.cases, args.teams, args.investigators_per_team, args.seed, args.until
        )
    except FileExistsError as error:
        parser.error(str(error))
    print(
        f"cases {counts['cases']:,}, runs {counts['runs']:,}, log records {counts['log records']:,},"
        f" users {counts['users']:,}, file {counts['bytes'] / 1e6:.1f} MB,"
        f" {counts['seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
