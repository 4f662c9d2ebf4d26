"""Random sequences of answers, reasons, laters, 'not yet', backs, corrections, milestones
(repeating ones too), submits, sign-offs and closing.

Invariants after every step: the run rebuilt from its log and the case's events alone agrees
with the live run; the log only ever grows; a run is never submitted with an unexplained live
item; a signed-off run that gains work reopens and says so; a closed run takes nothing more.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from bot.core.errors import SoteriaError
from bot.core.parsing import parse
from bot.core.run import Run

from .factories import MILESTONES, item, playbook_data

#: The test milestones, with a repeating one for items asked per occurrence.
EVENTS = {
    **MILESTONES,
    "bail-extended": replace(MILESTONES["arrest"], id="bail-extended", repeats=True),
}
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
        item("extension-authorised", each="bail-extended", reason=["no"]),
    ),
    EVENTS,
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

    def item_at(self, index: int):
        """One of the run's items now, per-occurrence copies included."""
        items = self.run.items
        return items[index % len(items)]

    @rule(index=st.integers(0, 40), value=st.integers(0, 100))
    def answer(self, index: int, value: int) -> None:
        chosen = self.item_at(index)
        self.attempt(
            lambda: self.run.answer(chosen.id, sample_value(chosen, value), "u:1", self.tick())
        )

    @rule(index=st.integers(0, 40))
    def not_yet(self, index: int) -> None:
        self.attempt(lambda: self.run.not_yet(self.item_at(index).id, "u:1", self.tick()))

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

    @rule(index=st.integers(0, 40))
    def defer(self, index: int) -> None:
        self.attempt(lambda: self.run.defer(self.item_at(index).id, "u:1", self.tick()))

    @rule()
    def back(self) -> None:
        self.attempt(lambda: (self.run.back(), [])[1])

    @rule(index=st.integers(0, 40))
    def revisit(self, index: int) -> None:
        self.attempt(lambda: self.run.revisit(self.item_at(index).id, "u:1", self.tick()))

    @rule(
        name=st.sampled_from(["arrest", "trial", "charge", "bail-extended"]),
        offset=st.integers(-30, 60),
        again=st.booleans(),
    )
    def milestone(self, name: str, offset: int, again: bool) -> None:
        # A repeating milestone gains an occurrence (or, now and then, moves its first).
        number = None if name == "bail-extended" and again else 1
        before = self.run.state
        unanswered = len(self.run.unexplained())
        self.run.record_event(name, date(2026, 11, 2) + timedelta(days=offset), number)
        self.attempt(lambda: self.run.refresh("u:1", self.tick()))
        if before == "signed_off" and len(self.run.unexplained()) > unanswered:
            # New work after a sign-off reopens the run, and it says so.
            assert self.run.state in ("asking", "awaiting_reason")
            assert self.run.reopened_after_sign_off

    @rule()
    @precondition(lambda self: self.run.state != "closed")
    def close(self) -> None:
        self.attempt(lambda: self.run.close("u:9", self.tick(), "convicted and sentenced"))
        assert self.run.state == "closed"
        for entry_maker in (
            lambda: self.run.answer(self.run.items[0].id, "yes", "u:1", self.tick()),
            lambda: self.run.revisit(self.run.items[0].id, "u:1", self.tick()),
            lambda: self.run.submit("u:1", self.tick()),
        ):
            length = len(self.log)
            self.attempt(entry_maker)
            assert len(self.log) == length  # a closed run takes nothing more

    @rule()
    def submit(self) -> None:
        self.attempt(lambda: self.run.submit("u:1", self.tick()))

    @rule(sign=st.booleans())
    @precondition(lambda self: self.run.state == "submitted")
    def supervise(self, sign: bool) -> None:
        if sign:
            self.attempt(
                lambda: self.run.sign_off("u:9", self.tick(), covers=(len(self.log), "h"))
            )
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
        rebuilt = Run.replay(PLAYBOOK, 1, "43/1/26", self.log, self.run.events, self.run.cursor)
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
