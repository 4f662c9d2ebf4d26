"""A question on screen: the message that asks an item, its buttons, the run's summary, and
what each button of a question does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.conversation import actions as act
from bot.conversation.replies import Option, Reply, Rows
from bot.core.errors import NotAllowed
from bot.core.people import User
from bot.core.playbook import Item
from bot.core.run import Run
from bot.services import deadlines, investigating
from bot.services.context import Context
from bot.wording.labels import MARKS, answer_label, describe_due, sentence, shown_value

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
            act.DateButton: self._date_button,
            act.Tick: self._tick,
            act.TicksDone: self._ticks_done,
            act.Later: self._later,
            act.PresetReason: self._preset_reason,
        }

    def _show_summary(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ShowSummary)
        return [summary(self.investigator.focus(user, action.run))]

    def _submit(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Submit)
        run = self.investigator.focus(user, action.run)
        return self.investigator.after(
            user, investigating.submit(self.ctx, user, run.run_id), submitted=True
        )

    def _back(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Back)
        run = self.investigator.focus(user, action.run)
        return self.investigator.after(user, investigating.back(self.ctx, user, run.run_id))

    def _revisit(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Revisit)
        run = self.investigator.focus(user, action.run)
        item = item_at(run, action.item)
        return self.investigator.after(
            user, investigating.revisit(self.ctx, user, run.run_id, item.id)
        )

    def _guidance(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Guidance)
        item = item_at(self.investigator.focus(user, action.run), action.item)
        return [Reply(item.guidance or "No guidance for this item.")]

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

    def _date_button(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.DateButton)
        run, item = self._asked(user, action.run, action.item)
        today = self.ctx.today()
        when = today if action.day == "today" else today - timedelta(days=1)
        return self.investigator.after(
            user, investigating.answer(self.ctx, user, run.run_id, item.id, when)
        )

    def _tick(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Tick)
        run, item = self._asked(user, action.run, action.item)
        if action.option >= len(item.options):
            raise act.BadAction
        chat = self.investigator.chat(user)
        chat.ticked ^= {item.options[action.option]}
        return [prompt(self.ctx, run, item, frozenset(chat.ticked))]

    def _ticks_done(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.TicksDone)
        run, item = self._asked(user, action.run, action.item)
        chat = self.investigator.chat(user)
        chosen, chat.ticked = set(chat.ticked), set()
        return self.investigator.after(
            user, investigating.answer(self.ctx, user, run.run_id, item.id, chosen)
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
        if action.reason >= len(item.reasons):
            raise act.BadAction
        reason = item.reasons[action.reason]
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
    number = run.playbook.number(item.id)
    lines = [f"{run.case_ref} · {run.playbook.title} · {settled}/{live}", item.ask]
    due = deadlines.due(ctx, run, item.id)
    if due is not None:
        lines.append(sentence(describe_due(due, ctx.today())))
    rid = run.run_id
    rows: list[tuple[Option, ...]] = []
    if run.state == "awaiting_reason":
        status = run.status(item.id)
        lines.append(
            f"Answered {answer_label(status.value or '')}. Why? Tap a reason or type a short one (no names)."
        )
        rows += [
            (Option.of(reason, act.PresetReason(rid, number, index)),)
            for index, reason in enumerate(item.reasons)
        ]
        rows.append((Option.of("Later", act.Later(rid, number)),))
        return Reply("\n".join(lines), tuple(rows), asks=(rid, item.id))
    rows += answer_rows(run, item, number, ticked, lines)
    extra = [Option.of("Later", act.Later(rid, number))] if item.type != "info" else []
    if item.guidance:
        extra.append(Option.of("Guidance", act.Guidance(rid, number)))
    extra.append(Option.of("Back", act.Back(rid)))
    rows.append(tuple(extra))
    return Reply("\n".join(lines), tuple(rows), asks=(rid, item.id))


def summary(run: Run) -> Reply:
    """Where a run stands, item by item, with buttons to change or answer them."""
    lines = [
        f"{run.case_ref} · {run.playbook.title} (v{run.playbook.version}) · {run.state.replace('_', ' ')}"
    ]
    rows = []
    for index, status in enumerate(run.statuses()):
        if status.status == "not-live":
            continue
        shown = f": {shown_value(status.item, status.value)}" if status.value else ""
        why = f" ({status.reason})" if status.reason else ""
        lines.append(f"{MARKS[status.status]} {status.item.ask}{shown}{why}")
        if status.status in ("later", "open", "needs-reason") or run.state in (
            "review",
            "returned",
        ):
            verb = "Change" if status.value else "Answer"
            label = f"{verb}: {status.item.ask[:40]}"
            rows.append((Option.of(label, act.Revisit(run.run_id, index)),))
    return Reply("\n".join(lines), tuple(rows[:12]))


def item_at(run: Run, number: int) -> Item:
    """The item at a place in a run's playbook, as a button names it; BadAction if none."""
    if number >= len(run.playbook.items):
        raise act.BadAction
    return run.playbook.items[number]


def answer_rows(
    run: Run, item: Item, number: int, ticked: frozenset[str], lines: list[str]
) -> Rows:
    """The buttons that answer an item, by its type (and a line of instruction where typed)."""
    rid = run.run_id
    if item.type in ("yes-no", "yes-no-na", "choice"):
        buttons = [
            Option.of(answer_label(answer), act.Answer(rid, number, index))
            for index, answer in enumerate(item.answers)
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
        return (
            (
                Option.of("Today", act.DateButton(rid, number, "today")),
                Option.of("Yesterday", act.DateButton(rid, number, "yesterday")),
            ),
        )
    if item.type == "number":
        lines.append("Type the number.")
    elif item.type == "text":
        lines.append("Type a short note (no names or personal details).")
    elif item.type == "info":
        return ((Option.of("OK", act.Answer(rid, number, 0)),),)
    return ()
