"""A question on screen: the message that asks an item, its buttons, the run's summary, and
what each button of a question does.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.conversation import actions as act
from bot.conversation.replies import Option, Reply, Rows, in_place, note
from bot.core.answers import button_days, check_day, takes_day
from bot.core.errors import NotAllowed
from bot.core.history import ItemStatus
from bot.core.people import User
from bot.core.playbook import Item
from bot.core.run import Run
from bot.services import deadlines, investigating
from bot.services.context import Context
from bot.wording.labels import (
    MARKS,
    answer_label,
    cut,
    describe_due,
    ordinal,
    run_state,
    sentence,
    short_date,
    shown_value,
)

if TYPE_CHECKING:
    from bot.conversation.investigator import Investigator, Press


class Questions:
    """The buttons of a question and of a run's summary, for the investigator's side."""

    def __init__(self, investigator: Investigator) -> None:
        self.investigator = investigator
        self.ctx = investigator.ctx

    def presses(self) -> dict[type[act.Action], Press]:
        """The buttons this part answers, by kind."""
        return {
            act.ShowSummary: self._show_summary,
            act.Submit: self._submit,
            act.Back: self._back,
            act.Revisit: self._revisit,
            act.Guidance: self._guidance,
            act.Answer: self._answer,
            act.NotYet: self._not_yet,
            act.DateButton: self._date_button,
            act.Tick: self._tick,
            act.TicksDone: self._ticks_done,
            act.Later: self._later,
            act.PresetReason: self._preset_reason,
            act.NothingToAdd: self._nothing_to_add,
        }

    def _show_summary(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ShowSummary)
        run = self.investigator.focus(user, action.run)
        return [in_place(summary(self.ctx, run, action.page))]

    def _submit(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Submit)
        run = self.investigator.focus(user, action.run)
        submitted = investigating.submit(self.ctx, user, run.run_id).run
        assert submitted is not None
        # The summary it was submitted from stays in the chat as the record of what was sent.
        said = f"Submitted for review: {submitted.playbook.title} on {submitted.case_ref}. Your supervisor has it."
        return [in_place(Reply(f"{said}\n\n{summary(self.ctx, submitted).text}"))]

    def _back(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Back)
        run = self.investigator.focus(user, action.run)
        # The previous question takes the place of this one, which nothing has answered.
        return replacing(
            self.investigator.after(user, investigating.back(self.ctx, user, run.run_id))
        )

    def _revisit(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Revisit)
        run = self.investigator.focus(user, action.run)
        item = item_at(run, action.item)
        outcome = investigating.revisit(self.ctx, user, run.run_id, item.id)
        return replacing(self.investigator.after(user, outcome))

    def _guidance(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Guidance)
        item = item_at(self.investigator.focus(user, action.run), action.item)
        return [note(item.guidance.strip() if item.guidance else "No guidance for this item.")]

    def _answer(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Answer)
        run, item = self._asked(user, action.run, action.item)
        if item.type == "info":
            value = "ok"
        elif action.choice < len(item.answers):
            value = item.answers[action.choice]
        else:
            raise act.BadAction
        return self.investigator.after(
            user, investigating.answer(self.ctx, user, run.run_id, item.id, value)
        )

    def _not_yet(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.NotYet)
        run, item = self._asked(user, action.run, action.item)
        return self.investigator.after(
            user, investigating.not_yet(self.ctx, user, run.run_id, item.id)
        )

    def _date_button(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.DateButton)
        run, item = self._asked(user, action.run, action.item)
        when = button_date(self.ctx, run, item, action.day)
        if when is None:
            raise NotAllowed("That date can't be worked out yet: type it instead.")
        # An old message's button, or a worked-out date, may be a day the item cannot take.
        check_day(item, when, self.ctx.today())
        return self.investigator.after(
            user, investigating.answer(self.ctx, user, run.run_id, item.id, when)
        )

    def _tick(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Tick)
        run, item = self._asked(user, action.run, action.item)
        if action.option >= len(item.options):
            raise act.BadAction
        ticked = toggled(
            item, self.investigator.ticks(user, run, item), item.options[action.option]
        )
        self.investigator.chat(user).ticked = ticked
        return [in_place(prompt(self.ctx, run, item, frozenset(ticked)))]

    def _ticks_done(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.TicksDone)
        run, item = self._asked(user, action.run, action.item)
        chosen = set(self.investigator.ticks(user, run, item))
        outcome = investigating.answer(self.ctx, user, run.run_id, item.id, chosen)
        self.investigator.chat(user).ticked.clear()  # only once the answer is kept
        return self.investigator.after(user, outcome)

    def _nothing_to_add(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.NothingToAdd)
        run, item = self._asked(user, action.run, action.item)
        if item.type != "text" or item.required:
            raise act.BadAction
        return self.investigator.after(
            user, investigating.answer(self.ctx, user, run.run_id, item.id, NOTHING_TO_ADD)
        )

    def _later(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Later)
        run, item = self._asked(user, action.run, action.item)
        return self.investigator.after(
            user, investigating.defer(self.ctx, user, run.run_id, item.id)
        )

    def _preset_reason(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.PresetReason)
        run, item = self._asked(user, action.run, action.item)
        presets = item.presets(run.status(item.id).value or "")
        if action.reason >= len(presets):
            raise act.BadAction
        reason = presets[action.reason]
        return self.investigator.after(
            user, investigating.give_reason(self.ctx, user, run.run_id, reason)
        )

    # --- helpers ------------------------------------------------------------------------------

    def _asked(self, user: User, run_id: int, number: int) -> tuple[Run, Item]:
        """The run and the item a question's button names, refused unless it is asked now."""
        run = self.investigator.focus(user, run_id)
        item = item_at(run, number)
        current = run.current()
        if current is None or current.id != item.id:
            status = run.status(item.id)
            shown = f" It was answered: {answer_label(status.value)}." if status.value else ""
            raise NotAllowed(
                f"That button is from an earlier message; nothing was changed.{shown}"
            )
        return run, item


def prompt(ctx: Context, run: Run, item: Item, ticked: frozenset[str] = frozenset()) -> Reply:
    """The message that asks an item, with its buttons."""
    settled, live = run.progress()
    number = run.number(item.id)
    lines = [f"{run.case_ref} · {run.playbook.title} · {settled}/{live}", item.ask]
    if item.occurrence:
        lines.append(occurrence_line(ctx, run, item))
    due = deadlines.due(ctx, run, item.id)
    if due is not None:
        lines.append(sentence(describe_due(due, ctx.today())))
    rid, head = run.run_id, "\n".join(lines)
    rows: list[tuple[Option, ...]] = []
    status = run.status(item.id)
    if run.state == "awaiting_reason":
        lines.append(
            f"Answered {shown_value(item, status.value or '')}. Why? Tap a reason or type a short one (no names)."
        )
        rows += [
            (Option.of(reason, act.PresetReason(rid, number, index)),)
            for index, reason in enumerate(item.presets(status.value or ""))
        ]
        rows.append((Option.of("Later", act.Later(rid, number)),))
        return Reply("\n".join(lines), tuple(rows), asks=(rid, item.id), head=head)
    current = current_answer(status)
    if current:
        lines.append(current)
    rows += answer_rows(ctx, run, item, number, ticked, lines)
    if item.type == "text" and not item.required:
        rows.append((Option.of(NOTHING_TO_ADD, act.NothingToAdd(rid, number)),))
    if item.not_yet:
        rows.append((Option.of("Not yet", act.NotYet(rid, number)),))
    extra = [Option.of("Later", act.Later(rid, number))] if item.type != "info" else []
    if item.guidance:
        extra.append(Option.of("Guidance", act.Guidance(rid, number)))
    extra.append(Option.of("Back", act.Back(rid)))
    rows.append(tuple(extra))
    return Reply("\n".join(lines), tuple(rows), asks=(rid, item.id), head=head)


def current_answer(status: ItemStatus) -> str:
    """For a question asked again (Back, Change): what it holds now, so nobody corrects blind."""
    if status.status == "later":
        return "Current answer: left for later."
    if status.status == "not-yet":
        return "Current answer: not yet."
    if not status.value or status.status == "open":
        return ""
    why = f" — {status.reason}" if status.reason else ""
    return f"Current answer: {shown_value(status.item, status.value)}{why}."


def replacing(replies: list[Reply]) -> list[Reply]:
    """Replies whose question takes the place of the message pressed (Back, Change)."""
    return [in_place(reply) if reply.asks else reply for reply in replies]


def occurrence_line(ctx: Context, run: Run, item: Item) -> str:
    """Which occurrence a per-occurrence item is asked for: 'For: Trial listed, 2nd (04 Jan)'."""
    name, occurrence = item.each or "", item.occurrence or 1
    when = run.events.nth(name, occurrence)
    dated = f" ({short_date(when, ctx.today())})" if when else ""
    return f"For: {ctx.catalog.milestones[name].title}, {ordinal(occurrence)}{dated}"


#: What an optional note says when there is nothing to note.
NOTHING_TO_ADD = "Nothing to add"
#: The longest item text a summary's button shows before it is cut at a word.
BUTTON_TEXT = 36
#: How many items one page of a summary lists: a page stays well inside a phone's screen.
PAGE = 8
#: Statuses that need the investigator first: put off, half-answered, or never answered.
FIRST = ("later", "needs-reason", "open")


def summary(ctx: Context, run: Run, page: int = 0) -> Reply:
    """One page of where a run stands, with buttons to answer or change each item listed.

    Every live item is on some page: those put off, half-answered or challenged come first,
    then the rest in the playbook's order, sections together.
    """
    shown = ordered_for_summary(run)
    pages = max(1, -(-len(shown) // PAGE))
    page = min(max(page, 0), pages - 1)
    settled, live = run.progress()
    header = (
        f"{run.case_ref} · {run.playbook.title} (v{run.playbook.version}) · "
        f"{run_state(run.state)} · {settled}/{live}"
    )
    lines = [header if pages == 1 else f"{header} · page {page + 1} of {pages}"]
    rows: list[tuple[Option, ...]] = []
    answerable = run.state not in ("closed", "moved")
    for status in shown[page * PAGE : (page + 1) * PAGE]:
        item = status.item
        value = f": {shown_value(item, status.value)}" if status.value else ""
        why = f" — {status.reason}" if status.reason else ""
        asked = f" ({ordinal(item.occurrence)})" if item.occurrence else ""
        challenged = " [challenged]" if item.id in {i.id for i in run.open_challenges()} else ""
        lines.append(f"{MARKS[status.status]} {item.ask}{asked}{value}{why}{challenged}")
        if answerable:
            verb = "Change" if status.value or status.status == "not-yet" else "Answer"
            label = f"{verb}: {cut(item.ask, BUTTON_TEXT)}{asked}"
            rows.append((Option.of(label, act.Revisit(run.run_id, run.number(item.id))),))
    turn = []
    if page > 0:
        turn.append(Option.of("‹ Previous", act.ShowSummary(run.run_id, page - 1)))
    if page + 1 < pages:
        turn.append(Option.of("More ›", act.ShowSummary(run.run_id, page + 1)))
    if turn:
        rows.append(tuple(turn))
    return Reply("\n".join(lines), tuple(rows))


def ordered_for_summary(run: Run) -> list[ItemStatus]:
    """Live items, those that need the investigator first (challenged ones among them)."""
    challenged = {item.id for item in run.open_challenges()}
    live = [status for status in run.statuses() if status.status != "not-live"]
    urgent = [s for s in live if s.status in FIRST[:2] or s.item.id in challenged]
    waiting = [s for s in live if s.status == "open" and s.item.id not in challenged]
    rest = [s for s in live if s not in urgent and s not in waiting]
    return urgent + waiting + rest


def item_at(run: Run, number: int) -> Item:
    """The item a button names by its number in the run; BadAction if the run has none."""
    item = run.item_at(number)
    if item is None:
        raise act.BadAction
    return item


def toggled(item: Item, ticked: set[str], option: str) -> set[str]:
    """The options ticked after one more tap: an exclusive option ('none') stands alone."""
    if option in ticked:
        return ticked - {option}
    if option in item.exclusive:
        return {option}
    return (ticked - set(item.exclusive)) | {option}


def button_date(ctx: Context, run: Run, item: Item, day: str) -> date | None:
    """The date a date button gives: today, yesterday, or the one the item works out."""
    today = ctx.today()
    if day == "today":
        return today
    if day == "yesterday":
        return today - timedelta(days=1)
    if day == "tomorrow":
        return today + timedelta(days=1)
    return deadlines.computed_date(ctx, run, item)


def answer_rows(
    ctx: Context, run: Run, item: Item, number: int, ticked: frozenset[str], lines: list[str]
) -> Rows:
    """The buttons that answer an item, by its type (and a line of instruction where typed)."""
    rid = run.run_id
    if item.type in ("yes-no", "yes-no-na", "choice"):
        offered = run.offered(item)
        buttons = [
            Option.of(answer_label(answer), act.Answer(rid, number, index))
            for index, answer in enumerate(item.answers)
            if answer in offered
        ]
        if item.type == "choice":
            return tuple((button,) for button in buttons)
        return tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))
    if item.type == "multi":
        ticks = tuple(
            (Option.of(("✓ " if option in ticked else "") + option, act.Tick(rid, number, index)),)
            for index, option in enumerate(item.options)
        )
        return (*ticks, (Option.of("Done", act.TicksDone(rid, number)),))
    if item.type == "date":
        lines.append("Type the date (like 3/11) or tap:")
        days = [
            Option.of(day.capitalize(), act.DateButton(rid, number, day))
            for day in button_days(item)
        ]
        worked_out = deadlines.computed_date(ctx, run, item)
        if worked_out is None or not takes_day(item, worked_out, ctx.today()):
            # A date the item would refuse (a playbook that counts forward on a past-only
            # item) is not offered: the officer types it, or taps a day it takes.
            return (tuple(days),)
        label = f"{short_date(worked_out, ctx.today())} (worked out)"
        return ((Option.of(label, act.DateButton(rid, number, "computed")),), tuple(days))
    if item.type == "number":
        lines.append("Type the number.")
    elif item.type == "text":
        lines.append("Type a short note (no names or personal details).")
    elif item.type == "info":
        return ((Option.of("OK", act.Answer(rid, number, 0)),),)
    return ()
