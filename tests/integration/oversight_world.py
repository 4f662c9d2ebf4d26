"""A small force for the oversight tests: two teams, their people, and a drill playbook.

The drill playbook is tiny on purpose, so each test can reach an escalation, a reason, a
trainee's answer that needs a countersignature and a submission in a few steps.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.core.people import User
from bot.services import cases, investigating
from bot.services.context import Context
from bot.store.db import connect
from bot.store.playbook_files import load_library

from ..apps import enrol, find_user, make_app, set_training

PLAYBOOKS_DIR = Path(__file__).resolve().parents[2] / "playbooks"
DRILL = """\
playbook: drill
title: Review drill
version: 1
summary: A short checklist for tests.
sections:
  - id: first
    title: First steps
    items:
      - id: plan
        ask: Investigation plan opened?
        type: yes-no
        reason: [no]
        reasons: [Awaiting allocation, Enquiries still running]
        due: {within: 2d, of: report}
        escalate: {after: 1d}
        focus: suspect
      - id: records
        ask: Records request tested and justified?
        type: yes-no-na
        reason: [na]
        reasons: [No request made]
        countersign: true
        due: {within: 5d, of: report}
        focus: victim
  - id: later
    title: Later steps
    items:
      - id: victim-update
        ask: Victim updated on progress?
        type: yes-no
        reason: [no]
        due: {within: 10d, of: report}
        focus: victim
      - id: note
        ask: Anything for the supervisor (no names)?
        type: text
        required: false
"""
#: A supervisory review every two weeks from the report, escalating two days after each.
REVIEW = """\
playbook: review
title: Review
version: 1
summary: A review every two weeks from the report.
role: supervisor
repeat:
  every: 14d
  from: report
  escalate: {after: 2d}
sections:
  - id: only
    title: Only
    items:
      - id: on-target
        ask: Plan on target?
        type: yes-no
"""

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def days(self, count: float) -> None:
        """Move on by some days."""
        self.now += timedelta(days=count)


@dataclass
class World:
    """The service, its clock and the people of two teams."""

    service: Context
    clock: Clock
    people: dict[str, User] = field(default_factory=dict)

    def open(self, who: str, ref: str) -> int:
        """Open a case as someone and start the drill on it; the run's id."""
        user = self.people[who]
        cases.open_case(self.service, user, ref)
        outcome = investigating.start_run(self.service, user, ref, "drill")
        assert outcome.run is not None
        return outcome.run.run_id

    def refresh(self, who: str) -> User:
        """Someone as the database now has them (after training or team changes)."""
        found = find_user(self.service.uow.db, user_id=self.people[who].id)
        assert found is not None
        self.people[who] = found
        return found


def make_world(
    tmp_path: Path, extra: dict[str, str] | None = None, start: datetime = START
) -> World:
    """A fresh database with North and South teams, the drill (and any `extra` playbooks, by
    file name) beside the shipped milestones, on a clock standing at `start`."""
    folder = tmp_path / "playbooks"
    folder.mkdir()
    shutil.copy(PLAYBOOKS_DIR / "milestones.yaml", folder / "milestones.yaml")
    (folder / "drill.yaml").write_text(DRILL, encoding="utf-8")
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    library = load_library([folder], folder)
    assert not library.problems, library.problems
    clock = Clock(start)
    db = connect(tmp_path / "state" / "soteria.db")
    world = World(make_app(db, library, clock), clock)
    for name, role, team in (
        ("Casey", "investigator", "North"),
        ("Robin", "investigator", "North"),
        ("Trainee Tam", "investigator", "North"),
        ("Sam", "supervisor", "North"),
        ("Sol", "investigator", "South"),
        ("Sasha", "supervisor", "South"),
    ):
        world.people[name] = enrol(db, name, role, team, clock())
    set_training(db, world.people["Trainee Tam"].id, True)
    world.refresh("Trainee Tam")
    return world


def today(world: World) -> date:
    """The service's today."""
    return world.service.today()
