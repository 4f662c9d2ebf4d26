"""Random sequences of answers, reasons, laters, backs, corrections, milestones and submits.

Invariants after every step: the run rebuilt from its log alone agrees with the live run; the
log only ever grows; a run is never submitted with an unexplained live item.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from bot.core.errors import SoteriaError
from bot.core.parsing import parse
from bot.core.run import Run

from .factories import MILESTONES, item, playbook_data

PLAYBOOK = parse(
    playbook_data(
        item("pnc", "yes-no-na", reason=["no", "na"], reasons=["Awaiting other force"]),
        item(
            "related",
            "multi",
            options=["violence", "stalking", "none"],
            when={"pnc": "yes"},
            reason=["none"],
        ),
        item("channel", "choice", options=["phone", "e-mail", "via ISVA"]),
        item("isva", when={"channel": "via ISVA"}, reason=["no"]),
        item("note", "text", required=False),
        item("count", "number", min=0, max=5),
        item("arrested", "date", sets="arrest"),
        item("after-arrest", "yes-no-na", when={"milestone": "arrest"}, reason=["no"]),
        item("at-trial", when={"all": [{"milestone": "trial"}, {"not": {"pnc": "na"}}]}),
    ),
    MILESTONES,
)
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def sample_value(chosen_item, draw_index: int):
    if chosen_item.type in ("yes-no", "yes-no-na", "choice"):
        return chosen_item.answers[draw_index % len(chosen_item.answers)]
    if chosen_item.type == "multi":
        options = chosen_item.options
        return {options[draw_index % len(options)], options[(draw_index // 3) % len(options)]}
    if chosen_item.type == "date":
        return date(2026, 10, 1) + timedelta(days=draw_index % 30)
    if chosen_item.type == "number":
        return draw_index % 6
    return f"note {draw_index}"


class RunMachine(RuleBasedStateMachine):
    """Drives one run as an unpredictable investigator and supervisor would."""

    def __init__(self) -> None:
        super().__init__()
        self.run = Run(PLAYBOOK, 1, "43/1/26")
        self.clock = START
        self.log = list(self.run.start("u:1", self.clock))
        self.seen: list = list(self.log)

    def tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    def attempt(self, action) -> None:
        before = (self.run.state, self.run.cursor)
        try:
            entries = action()
        except SoteriaError:
            # A refused move changes nothing and records nothing.
            assert (self.run.state, self.run.cursor)[0] == before[0]
            return
        if self.run.state == "submitted" and any(
            entry.kind == "transition" and entry.detail.get("event") == "submit"
            for entry in entries
        ):
            assert self.run.unexplained() == []
        self.log.extend(entries)

    @rule(index=st.integers(0, len(PLAYBOOK.items) - 1), value=st.integers(0, 100))
    def answer(self, index: int, value: int) -> None:
        chosen = PLAYBOOK.items[index]
        self.attempt(
            lambda: self.run.answer(chosen.id, sample_value(chosen, value), "u:1", self.tick())
        )

    def answer_what_is_asked(self, value: int) -> None:
        current = self.run.current()
        if current is None:
            return
        if self.run.state == "awaiting_reason":
            self.attempt(lambda: self.run.give_reason("Awaiting other force", "u:1", self.tick()))
        else:
            self.attempt(
                lambda: self.run.answer(
                    current.id, sample_value(current, value), "u:1", self.tick()
                )
            )

    # Two rules doing the same thing: hypothesis picks rules evenly, and runs should progress.
    answer_current = rule(value=st.integers(0, 100))(answer_what_is_asked)
    answer_current_too = rule(value=st.integers(0, 100))(answer_what_is_asked)

    @rule(preset=st.booleans())
    def give_reason(self, preset: bool) -> None:
        self.attempt(
            lambda: self.run.give_reason(
                "Awaiting other force" if preset else "typed reason", "u:1", self.tick()
            )
        )

    @rule(index=st.integers(0, len(PLAYBOOK.items) - 1))
    def defer(self, index: int) -> None:
        self.attempt(lambda: self.run.defer(PLAYBOOK.items[index].id, "u:1", self.tick()))

    @rule()
    def back(self) -> None:
        self.attempt(lambda: (self.run.back(), [])[1])

    @rule(index=st.integers(0, len(PLAYBOOK.items) - 1))
    def revisit(self, index: int) -> None:
        self.attempt(lambda: self.run.revisit(PLAYBOOK.items[index].id, "u:1", self.tick()))

    @rule(name=st.sampled_from(["arrest", "trial", "charge"]), offset=st.integers(-30, 60))
    def milestone(self, name: str, offset: int) -> None:
        self.run.milestones[name] = date(2026, 11, 2) + timedelta(days=offset)
        self.attempt(lambda: self.run.refresh("u:1", self.tick()))

    @rule()
    def submit(self) -> None:
        self.attempt(lambda: self.run.submit("u:1", self.tick()))

    @rule(sign=st.booleans())
    @precondition(lambda self: self.run.state == "submitted")
    def supervise(self, sign: bool) -> None:
        if sign:
            self.attempt(lambda: self.run.sign_off("u:9", self.tick()))
        else:
            self.attempt(lambda: self.run.send_back("u:9", self.tick(), "Check the PNC answer"))

    @rule()
    def pause_or_resume(self) -> None:
        if self.run.state == "paused" or self.run.state == "returned":
            self.attempt(lambda: self.run.resume("u:1", self.tick()))
        else:
            self.attempt(lambda: self.run.pause("u:1", self.tick()))

    @invariant()
    def the_log_alone_rebuilds_the_run(self) -> None:
        rebuilt = Run.replay(
            PLAYBOOK, 1, "43/1/26", self.log, self.run.milestones, self.run.cursor
        )
        assert rebuilt.state == self.run.state
        assert [(s.status, s.value, s.reason) for s in rebuilt.statuses()] == [
            (s.status, s.value, s.reason) for s in self.run.statuses()
        ]

    @invariant()
    def nothing_ever_disappears_from_the_log(self) -> None:
        assert self.log[: len(self.seen)] == self.seen
        self.seen = list(self.log)

    @invariant()
    def a_finished_run_only_gains_unexplained_items_from_a_later_milestone(self) -> None:
        # A milestone recorded after submission can make new items live; they show as open
        # for the supervisor rather than being hidden. Nothing else may leave gaps.
        if self.run.state in ("submitted", "signed_off"):
            for gap in self.run.unexplained():
                assert gap.when is not None

    @invariant()
    def the_run_is_never_stuck_asking_with_nothing_to_ask(self) -> None:
        if self.run.state in ("asking", "awaiting_reason"):
            assert self.run.current() is not None


RunMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_random_use_keeps_every_invariant = RunMachine.TestCase
