"""The investigator's side of the conversation: cases, questions, summaries and milestones.

Every press is checked again against the run as it stands: a stale or forged button never
changes an answer silently. What a chat is waiting for (a crime reference, a milestone date,
the options ticked so far) is kept per person in memory: losing it loses no answer, only the
question.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.conversation import actions as act
from bot.conversation.replies import ChatState, Option, Reply, Rows, screened
from bot.conversation.said import outcome_lines
from bot.conversation.version_offer import offer_reply
from bot.core.errors import NotAllowed, NotFound, SoteriaError
from bot.core.people import User
from bot.core.playbook import Item
from bot.core.run import STANDING, Run
from bot.core.typed_input import parse_date, parse_number
from bot.services import access, cases, deadlines, events, investigating, moving
from bot.services.context import Context
from bot.services.outcomes import Outcome
from bot.wording.changes import Wording
from bot.wording.labels import MARKS, answer_label, describe_due, sentence, shown_value

Handler = Callable[[User, str], list[Reply]]
Press = Callable[[User, act.Action], list[Reply]]

HANDLE_ISSUED = (
    "New case handle: {handle}. Write it against the crime in your records system now; do not "
    "send the crime reference here. An administrator links the two on the server."
)
NOTHING_OPEN = "Use /new to open a case, or /resume to carry on. /help lists everything."
#: Chat modes in which typed text belongs to the investigator's side.
MODES = ("case-ref", "milestone-date")


class Investigator:
    """Turns an investigator's commands, presses and typing into use cases and replies."""

    def __init__(self, ctx: Context, chat: Callable[[User], ChatState]) -> None:
        self.ctx = ctx
        self.chat = chat

    def handlers(self) -> dict[str, Handler]:
        """The commands this side answers, by name."""
        return {
            "/new": self._new,
            "/cases": lambda user, _rest: self._cases(user),
            "/resume": lambda user, _rest: self._resume(user),
            "/milestone": lambda user, _rest: self._milestone_menu(user),
            "/summary": lambda user, _rest: self._summary_command(user),
        }

    def presses(self) -> dict[type[act.Action], Press]:
        """The buttons this side answers, by kind."""
        return {
            act.StartPlaybook: self._start_playbook,
            act.ChooseMilestone: self._choose_milestone,
            act.MilestoneDay: self._milestone_day,
            act.OpenRun: self._open_run,
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
            act.Move: self._move,
            act.MoveAcknowledged: self._move,
            act.Stay: self._stay,
        }

    # --- commands -----------------------------------------------------------------------------

    def _new(self, user: User, rest: str) -> list[Reply]:
        chat = self.chat(user)
        if self.ctx.case_key == "handle":
            # The force keeps crime references off Telegram: the bot issues a handle.
            case, _ = cases.open_case(self.ctx, user, "")
            chat.mode, chat.case_ref = "choose-playbooks", case.ref
            return [
                Reply(HANDLE_ISSUED.format(handle=case.ref)),
                self._playbook_menu(case.ref, True),
            ]
        chat.mode = "case-ref"
        return [Reply("Send the crime reference for the new case (no names).")]

    def _cases(self, user: User) -> list[Reply]:
        found = cases.my_cases(self.ctx, user)
        if not found:
            return [Reply("You have no open cases. Send /new to open one.")]
        rows: list[tuple[Option, ...]] = []
        lines = ["Your cases:"]
        for case in found[:20]:
            for view in case.runs:
                late = f", {view.overdue} overdue" if view.overdue else ""
                late += f", version {view.newer} published" if view.newer else ""
                lines.append(
                    f"{case.ref} · {view.title} · {view.settled}/{view.live}{late} · {view.state.replace('_', ' ')}"
                )
                rows.append((Option.of(f"{case.ref} · {view.title}", act.OpenRun(view.id)),))
        return [Reply("\n".join(lines), tuple(rows))]

    def _resume(self, user: User) -> list[Reply]:
        run = cases.active_run(self.ctx, user)
        if run is None:
            return [Reply("Nothing is waiting for you. Send /cases or /new.")]
        return [*self._move_offer(user, run), *self.show_run(user, run)]

    def _milestone_menu(self, user: User) -> list[Reply]:
        run = self.current_run(user)
        if run is None:
            return [Reply("Open a case's checklist first (/cases), then record its milestone.")]
        chat = self.chat(user)
        chat.mode, chat.case_ref = "milestone", run.case_ref
        milestones = self.ctx.catalog.milestones
        rows = tuple(
            (Option.of(milestones[name].title, act.ChooseMilestone(index)),)
            for index, name in enumerate(milestones)
        )
        return [Reply(f"Which milestone for {run.case_ref}?", rows)]

    def _summary_command(self, user: User) -> list[Reply]:
        run = self.current_run(user)
        if run is None:
            return [Reply("No checklist is open. Send /cases.")]
        return [self.summary(run), *self._move_offer(user, run, again=True)]

    # --- typed text ---------------------------------------------------------------------------

    def typed(self, user: User, text: str) -> list[Reply]:
        """Text typed for the question on screen, or for what the chat is waiting for."""
        chat = self.chat(user)
        if chat.mode == "case-ref":
            case, is_new = cases.open_case(self.ctx, user, text)
            chat.mode, chat.case_ref = "choose-playbooks", case.ref
            return [self._playbook_menu(case.ref, is_new)]
        if chat.mode == "milestone-date" and chat.milestone and chat.case_ref:
            allowed = self.ctx.catalog.milestones[chat.milestone].dates
            when = parse_date(text, self.ctx.today(), allowed)  # type: ignore[arg-type]
            facts = events.record_milestone(self.ctx, user, chat.case_ref, chat.milestone, when)
            chat.mode, chat.milestone = "idle", None
            said = " ".join(outcome_lines(facts)) or "That date was already recorded."
            return [Reply(said), *self.where(user)]
        run = self.current_run(user)
        item = run.current() if run else None
        if run is None or item is None:
            return [Reply(NOTHING_OPEN)]
        rid = run.run_id
        if run.state == "awaiting_reason":
            reason = screened(text, item.focus)
            return self.after(user, investigating.give_reason(self.ctx, user, rid, reason))
        if item.type == "date":
            when = parse_date(text, self.ctx.today(), item.dates)  # type: ignore[arg-type]
            return self.after(user, investigating.answer(self.ctx, user, rid, item.id, when))
        if item.type == "number":
            number = parse_number(text, item.min, item.max)
            value = int(number) if float(number).is_integer() else number
            return self.after(user, investigating.answer(self.ctx, user, rid, item.id, value))
        if item.type == "text":
            words = screened(text, item.focus)
            return self.after(user, investigating.answer(self.ctx, user, rid, item.id, words))
        return [Reply("Please answer with the buttons."), self.prompt(run, item)]

    # --- presses ------------------------------------------------------------------------------

    def _start_playbook(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.StartPlaybook)
        chat = self.chat(user)
        if chat.case_ref is None:
            raise NotAllowed("Open the case again with /new.")
        outcome = investigating.start_run(self.ctx, user, chat.case_ref, action.playbook)
        chat.mode = "idle"
        return self.after(user, outcome)

    def _choose_milestone(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ChooseMilestone)
        names = list(self.ctx.catalog.milestones)
        if action.index >= len(names):
            raise act.BadAction
        chat = self.chat(user)
        if chat.case_ref is None:
            raise NotAllowed("Send /milestone again.")
        name = names[action.index]
        chat.mode, chat.milestone = "milestone-date", name
        title = self.ctx.catalog.milestones[name].title
        buttons = (
            Option.of("Today", act.MilestoneDay("today")),
            Option.of("Yesterday", act.MilestoneDay("yesterday")),
        )
        return [Reply(f"Send the date of: {title} (like 3/11), or tap Today.", (buttons,))]

    def _milestone_day(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.MilestoneDay)
        chat = self.chat(user)
        if chat.mode != "milestone-date" or not chat.milestone or not chat.case_ref:
            raise act.BadAction
        return self.typed(user, action.day)

    def _open_run(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.OpenRun)
        run = access.run(self.ctx, user, action.run)
        self.chat(user).run_id = run.run_id
        if run.state in ("paused", "returned"):
            run = investigating.resume(self.ctx, user, run.run_id).run or run
        return [*self._move_offer(user, run), *self.show_run(user, run)]

    def _stay(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Stay)
        run = access.run(self.ctx, user, action.run)
        if moving.move_offer(self.ctx, user, run.run_id) is None:
            raise NotAllowed(moving.STALE_OFFER)  # moved already, or nothing newer to stay off
        self.chat(user).stayed.add(run.run_id)
        return [Reply(f"Staying on version {run.playbook.version}."), *self.show_run(user, run)]

    def _move(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Move | act.MoveAcknowledged)
        acknowledged = isinstance(action, act.MoveAcknowledged)
        moved = moving.move_run(self.ctx, user, action.run, action.version, acknowledged)
        return self.after(user, moved)

    def _show_summary(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ShowSummary)
        return [self.summary(self._focus(user, action.run))]

    def _submit(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Submit)
        run = self._focus(user, action.run)
        return self.after(user, investigating.submit(self.ctx, user, run.run_id), submitted=True)

    def _back(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Back)
        run = self._focus(user, action.run)
        return self.after(user, investigating.back(self.ctx, user, run.run_id))

    def _revisit(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Revisit)
        run = self._focus(user, action.run)
        item = item_at(run, action.item)
        return self.after(user, investigating.revisit(self.ctx, user, run.run_id, item.id))

    def _guidance(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Guidance)
        item = item_at(self._focus(user, action.run), action.item)
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
        return self.after(user, investigating.answer(self.ctx, user, run.run_id, item.id, value))

    def _date_button(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.DateButton)
        run, item = self._asked(user, action.run, action.item)
        today = self.ctx.today()
        when = today if action.day == "today" else today - timedelta(days=1)
        return self.after(user, investigating.answer(self.ctx, user, run.run_id, item.id, when))

    def _tick(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Tick)
        run, item = self._asked(user, action.run, action.item)
        if action.option >= len(item.options):
            raise act.BadAction
        chat = self.chat(user)
        chat.ticked ^= {item.options[action.option]}
        return [self.prompt(run, item, frozenset(chat.ticked))]

    def _ticks_done(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.TicksDone)
        run, item = self._asked(user, action.run, action.item)
        chat = self.chat(user)
        chosen, chat.ticked = set(chat.ticked), set()
        return self.after(user, investigating.answer(self.ctx, user, run.run_id, item.id, chosen))

    def _later(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Later)
        run, item = self._asked(user, action.run, action.item)
        return self.after(user, investigating.defer(self.ctx, user, run.run_id, item.id))

    def _preset_reason(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.PresetReason)
        run, item = self._asked(user, action.run, action.item)
        if action.reason >= len(item.reasons):
            raise act.BadAction
        reason = item.reasons[action.reason]
        return self.after(user, investigating.give_reason(self.ctx, user, run.run_id, reason))

    # --- helpers ------------------------------------------------------------------------------

    def _focus(self, user: User, run_id: int) -> Run:
        """A run the user may see, now the chat's run."""
        run = access.run(self.ctx, user, run_id)
        self.chat(user).run_id = run.run_id
        return run

    def _asked(self, user: User, run_id: int, number: int) -> tuple[Run, Item]:
        """The run and the item a question's button names, refused unless it is asked now."""
        run = self._focus(user, run_id)
        item = item_at(run, number)
        current = run.current()
        if current is None or current.id != item.id:
            status = run.status(item.id)
            shown = f" It was answered: {answer_label(status.value)}." if status.value else ""
            raise NotAllowed(
                f"That button is from an earlier message; nothing was changed.{shown}"
            )
        return run, item

    def _move_offer(self, user: User, run: Run, again: bool = False) -> list[Reply]:
        """The offer to move to a newer version, once a session unless asked `again`."""
        if user.role != "investigator" or (run.run_id in self.chat(user).stayed and not again):
            return []
        try:
            offer = moving.move_offer(self.ctx, user, run.run_id)
        except SoteriaError:
            return []
        if offer is None:
            return []
        return [
            offer_reply(offer, Wording(self.ctx.catalog.milestones, self.ctx.catalog.settings))
        ]

    def current_run(self, user: User) -> Run | None:
        """The run the chat is on, or else the user's most recently touched run."""
        chat = self.chat(user)
        if chat.run_id is not None:
            try:
                run = access.run(self.ctx, user, chat.run_id)
                if run.state != "moved":  # its work goes on in the run it moved to
                    return run
            except NotFound:
                pass
            chat.run_id = None
        run = cases.active_run(self.ctx, user)
        if run is not None:
            chat.run_id = run.run_id
        return run

    # --- replies ------------------------------------------------------------------------------

    def after(self, user: User, outcome: Outcome, submitted: bool = False) -> list[Reply]:
        """What to show once a command went through: what it set going, then the run."""
        replies = [Reply(line) for line in outcome_lines(outcome.facts)]
        if outcome.run is not None:
            self.chat(user).run_id = outcome.run.run_id
            if submitted:
                run = outcome.run
                replies.append(
                    Reply(
                        f"Submitted for review: {run.playbook.title} on {run.case_ref}. Your supervisor has it."
                    )
                )
                return replies
            replies += self.show_run(user, outcome.run)
        return replies

    def where(self, user: User) -> list[Reply]:
        """The question on screen again, after a refusal: the investigator never loses it."""
        run = self.current_run(user)
        return self.show_run(user, run) if run else []

    def show_run(self, user: User, run: Run) -> list[Reply]:
        """A run as it stands: its question, the offer to submit it, or where it stands."""
        self.chat(user).run_id = run.run_id
        item = run.current()
        if item is not None:
            return [self.prompt(run, item)]
        if run.state == "review":
            summary = self.summary(run)
            submit = (Option.of("Submit", act.Submit(run.run_id)),)
            return [
                Reply(
                    summary.text + "\n\nEverything is answered. Submit it for review?",
                    (submit, *summary.options),
                )
            ]
        return [
            Reply(f"{run.playbook.title} on {run.case_ref}: this checklist {STANDING[run.state]}.")
        ]

    def prompt(self, run: Run, item: Item, ticked: frozenset[str] = frozenset()) -> Reply:
        """The message that asks an item, with its buttons."""
        settled, live = run.progress()
        number = run.playbook.number(item.id)
        lines = [f"{run.case_ref} · {run.playbook.title} · {settled}/{live}", item.ask]
        due = deadlines.due(self.ctx, run, item.id)
        if due is not None:
            lines.append(sentence(describe_due(due, self.ctx.today())))
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

    def summary(self, run: Run) -> Reply:
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

    def _playbook_menu(self, ref: str, is_new: bool) -> Reply:
        opening = f"Case {ref} opened." if is_new else f"Case {ref} is already open."
        suggested = {playbook.id for playbook in self.ctx.catalog.suggested()}
        rows = []
        for entry in self.ctx.catalog.library.playbooks:
            star = " (suggested)" if entry.playbook.id in suggested else ""
            # By id, not place: a publish may add a playbook while this menu is on screen.
            rows.append(
                (Option.of(entry.playbook.title + star, act.StartPlaybook(entry.playbook.id)),)
            )
        rows.sort(key=lambda row: "(suggested)" not in row[0].label)  # suggested first, stable
        return Reply(f"{opening} Which checklist first? Others can be added later.", tuple(rows))


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
