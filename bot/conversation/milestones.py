"""Recording a milestone from the chat: which case, which milestone, which occurrence of a
repeating one (another, or a correction), and the date.

`/milestone REF` records on the case typed; with none typed, on the one open case, or on one
picked from a list. What the chat is waiting for is kept in its state; losing it loses no record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.conversation import actions as act
from bot.conversation.replies import Option, Reply, in_place
from bot.conversation.said import no_open_cases, outcome_lines
from bot.core.errors import NotAllowed
from bot.core.people import User
from bot.core.typed_input import parse_date
from bot.services import access, cases, events
from bot.wording.labels import ordinal, short_date

if TYPE_CHECKING:
    from bot.conversation.investigator import Investigator, Press

#: How many cases a picker lists (newest first), and occurrences offered for correction.
PICKED = 10
SHOWN_OCCURRENCES = 4


class Milestones:
    """The /milestone command and its buttons, for the investigator's side."""

    def __init__(self, investigator: Investigator) -> None:
        self.investigator = investigator
        self.ctx = investigator.ctx

    def presses(self) -> dict[type[act.Action], Press]:
        """The buttons this part answers, by kind."""
        return {
            act.ChooseMilestone: self._choose,
            act.MilestoneCase: self._case,
            act.MilestoneOccurrence: self._occurrence,
            act.MilestoneDay: self._day,
        }

    def typed_date(self, user: User, text: str) -> list[Reply]:
        """The date typed (or tapped) for the milestone chosen: recorded, then the question on
        screen again."""
        chat = self.investigator.chat(user)
        if chat.milestone is None or chat.case_ref is None:
            raise NotAllowed("Send /milestone again.")
        allowed = self.ctx.catalog.milestones[chat.milestone].dates
        when = parse_date(text, self.ctx.today(), allowed)  # type: ignore[arg-type]
        facts = events.record_milestone(
            self.ctx, user, chat.case_ref, chat.milestone, when, chat.occurrence
        )
        chat.mode, chat.milestone, chat.occurrence = "idle", None, None
        said = "\n".join(outcome_lines(facts)) or "That date was already recorded."
        # The prompt for the date becomes its record; the question on screen comes again below.
        return [in_place(Reply(said)), *self.investigator.where(user)]

    def command(self, user: User, rest: str) -> list[Reply]:
        """`/milestone REF` records on that case; with none typed, the one open case, or a
        picker of them (the case on screen first)."""
        if rest:
            ref = access.case_key_of(self.ctx, rest)
            return self._menu(user, access.find_case(self.ctx, user, ref).ref)
        found = cases.open_cases(self.ctx, user)
        if not found:
            return [Reply(no_open_cases(user))]
        if len(found) == 1:
            return self._menu(user, found[0].ref)
        run = self.investigator.current_run(user)
        found.sort(key=lambda case: run is None or case.ref != run.case_ref)
        rows = tuple((Option.of(case.ref, act.MilestoneCase(case.id)),) for case in found[:PICKED])
        more = f" (the {PICKED} newest; or send /milestone REF)" if len(found) > PICKED else ""
        return [Reply(f"Which case is the milestone for?{more}", rows)]

    def _menu(self, user: User, ref: str) -> list[Reply]:
        chat = self.investigator.chat(user)
        chat.mode, chat.case_ref, chat.occurrence = "milestone", ref, None
        milestones = self.ctx.catalog.milestones
        rows = tuple(
            (Option.of(milestones[name].title, act.ChooseMilestone(index)),)
            for index, name in enumerate(milestones)
        )
        return [Reply(f"Which milestone for {ref}?", rows)]

    def _choose(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ChooseMilestone)
        names = list(self.ctx.catalog.milestones)
        if action.index >= len(names):
            raise act.BadAction
        chat = self.investigator.chat(user)
        if chat.case_ref is None:
            raise NotAllowed("Send /milestone again.")
        name = names[action.index]
        milestone = self.ctx.catalog.milestones[name]
        chat.milestone, chat.occurrence = name, None
        recorded = events.dates_of(self.ctx, user, chat.case_ref, name)
        if milestone.repeats and recorded:
            # Another occurrence, or a correction of one already recorded.
            chat.mode = "milestone-occurrence"
            today = self.ctx.today()
            rows = [
                (Option.of(f"Add the {ordinal(len(recorded) + 1)}", act.MilestoneOccurrence(0)),)
            ]
            for number in range(len(recorded), max(len(recorded) - SHOWN_OCCURRENCES, 0), -1):
                label = (
                    f"Correct the {ordinal(number)} ({short_date(recorded[number - 1], today)})"
                )
                rows.append((Option.of(label, act.MilestoneOccurrence(number)),))
            said = f"{milestone.title}: {len(recorded)} recorded on {chat.case_ref}."
            return [in_place(Reply(said, tuple(rows)))]
        return [in_place(self._ask_date(user))]

    def _case(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.MilestoneCase)
        return [
            in_place(r)
            for r in self._menu(user, access.case_by_id(self.ctx, user, action.case).ref)
        ]

    def _occurrence(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.MilestoneOccurrence)
        chat = self.investigator.chat(user)
        if chat.mode != "milestone-occurrence" or not chat.milestone or not chat.case_ref:
            raise NotAllowed("Send /milestone again.")
        recorded = events.dates_of(self.ctx, user, chat.case_ref, chat.milestone)
        if action.number > len(recorded):
            raise act.BadAction
        chat.occurrence = action.number or None
        return [in_place(self._ask_date(user))]

    def _ask_date(self, user: User) -> Reply:
        chat = self.investigator.chat(user)
        assert chat.milestone is not None
        chat.mode = "milestone-date"
        title = self.ctx.catalog.milestones[chat.milestone].title
        if chat.occurrence:
            title = f"{title} ({ordinal(chat.occurrence)}, corrected)"
        buttons = (
            Option.of("Today", act.MilestoneDay("today")),
            Option.of("Yesterday", act.MilestoneDay("yesterday")),
        )
        return Reply(f"Send the date of: {title} (like 3/11), or tap Today.", (buttons,))

    def _day(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.MilestoneDay)
        chat = self.investigator.chat(user)
        if chat.mode != "milestone-date" or action.day == "computed":
            raise act.BadAction
        return self.typed_date(user, action.day)
