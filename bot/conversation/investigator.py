"""The investigator's side of the conversation: cases, questions, summaries and milestones.

Every press is checked again against the run as it stands: a stale or forged button never
changes an answer silently. What a chat is waiting for (a crime reference, a milestone date,
the options ticked so far) is kept per person in memory: losing it loses no answer, only the
question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.conversation import actions as act
from bot.conversation.milestones import Milestones
from bot.conversation.questions import Questions, prompt, summary
from bot.conversation.replies import ChatState, Option, Reply, in_place, refuse_personal, screened
from bot.conversation.said import no_open_cases, outcome_lines
from bot.conversation.version_offer import offer_reply
from bot.core.answers import kind_of
from bot.core.errors import NotAllowed, NotFound, SoteriaError
from bot.core.lifecycle import STANDING
from bot.core.people import User
from bot.core.playbook import Item
from bot.core.run import Run
from bot.services import access, cases, investigating, moving, reviews, supervising
from bot.services.context import Context
from bot.services.outcomes import Outcome
from bot.wording.changes import Wording
from bot.wording.labels import cut, run_state, shown_value

Handler = Callable[[User, str], list[Reply]]
Press = Callable[[User, act.Action], list[Reply]]

HANDLE_ISSUED = (
    "New case handle: {handle}. Write it against the crime in your records system now; do not "
    "send the crime reference here. An administrator links the two on the server."
)
NOTHING_OPEN = "Use /new to open a case, or /resume to carry on. /help lists everything."
TAP_OR_TYPE = "Please tap a button above, or type its word: yes, no, n/a or later."
#: Other ways of typing a button's word.
TYPED_WORDS = {"y": "yes", "n": "no", "na": "n/a", "not applicable": "n/a"}
#: Buttons that a typed word never presses: they show something rather than answer.
NOT_TYPED = ("Guidance", "Back")
#: Chat modes in which typed text belongs to the investigator's side.
MODES = ("case-ref", "milestone-date")


class Investigator:
    """Turns an investigator's commands, presses and typing into use cases and replies."""

    def __init__(self, ctx: Context, chat: Callable[[User], ChatState]) -> None:
        self.ctx = ctx
        self.chat = chat
        self.questions = Questions(self)
        self.milestones = Milestones(self)

    def handlers(self) -> dict[str, Handler]:
        """The commands this side answers, by name."""
        return {
            "/new": self._new,
            "/cases": lambda user, _rest: self._cases(user),
            "/resume": lambda user, _rest: self._resume(user),
            "/milestone": self.milestones.command,
            "/summary": lambda user, _rest: self._summary_command(user),
            "/review": self._review_command,
        }

    def presses(self) -> dict[type[act.Action], Press]:
        """The buttons this side answers, by kind."""
        return {
            act.StartPlaybook: self._start_playbook,
            **self.milestones.presses(),
            act.HoldReview: self._hold_review,
            act.OpenRun: self._open_run,
            **self.questions.presses(),
            act.Move: self._move,
            act.MoveAcknowledged: self._move,
            act.Stay: self._stay,
        }

    # --- commands -----------------------------------------------------------------------------

    def _new(self, user: User, rest: str) -> list[Reply]:
        chat = self.chat(user)
        if rest and self.ctx.case_key != "handle":
            return self._open_typed(user, rest)
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
            return [Reply(no_open_cases(user))]
        rows: list[tuple[Option, ...]] = []
        lines = ["Your cases:"]
        for case in found[:20]:
            for view in case.runs:
                late = f", {view.overdue} overdue" if view.overdue else ""
                late += f", version {view.newer} published" if view.newer else ""
                lines.append(
                    f"{case.ref} · {view.title} · {view.settled}/{view.live}{late} · {run_state(view.state)}"
                )
                rows.append(
                    (Option.of(cut(f"{case.ref} · {view.title}", 60), act.OpenRun(view.id)),)
                )
        return [Reply("\n".join(lines), tuple(rows))]

    def _resume(self, user: User) -> list[Reply]:
        run = cases.active_run(self.ctx, user)
        if run is None:
            more = "/cases or /new" if user.role == "investigator" else "/cases or /team"
            return [Reply(f"Nothing is waiting for you. Send {more}.")]
        return [*self._move_offer(user, run), *self.show_run(user, run)]

    def _review_command(self, user: User, rest: str) -> list[Reply]:
        """`/review REF`: hold the supervisory review due on a case."""
        if not rest:
            return [Reply("Send /review with the reference, like /review 43/12345/26.")]
        ref = access.case_key_of(self.ctx, rest)
        due = reviews.due_on_case(self.ctx, user, ref)
        if not due:
            return [Reply(f"No recurring review is set up for {ref}.")]
        return self.after(user, reviews.start_review(self.ctx, user, ref, due[0].playbook.id))

    def _summary_command(self, user: User) -> list[Reply]:
        run = self.current_run(user)
        if run is None:
            return [Reply("No checklist is open. Send /cases.")]
        return [summary(self.ctx, run), *self._move_offer(user, run, again=True)]

    # --- typed text ---------------------------------------------------------------------------

    def typed(self, user: User, text: str) -> list[Reply]:
        """Text typed for the question on screen, or for what the chat is waiting for."""
        chat = self.chat(user)
        if chat.mode == "case-ref":
            return self._open_typed(user, text)
        if chat.mode == "milestone-date" and chat.milestone and chat.case_ref:
            return self.milestones.typed_date(user, text)
        run = self.current_run(user)
        item = run.current() if run else None
        if run is None or item is None:
            return [Reply(NOTHING_OPEN)]
        rid = run.run_id
        # A button's word typed (yes, n/a, later, done, an option) does what the button does.
        pressed = self._button_for(user, run, item, text)
        if pressed is not None:
            action = act.decode(pressed)
            return self.presses()[type(action)](user, action)
        if run.state == "awaiting_reason":
            reason = screened(text, item.focus)
            return self.after(user, investigating.give_reason(self.ctx, user, rid, reason))
        kind = kind_of(item)
        if kind.typed:
            # Free text is screened for personal details before anything else reads it.
            said = screened(text, item.focus) if kind.free_text else text
            value = kind.read(item, said, self.ctx.today())
            return self.after(user, investigating.answer(self.ctx, user, rid, item.id, value))
        refuse_personal(text, item.focus)  # personal details typed here still get the warning
        # The question is on screen, its ticks with it: it is not sent again.
        return [Reply(TAP_OR_TYPE)]

    def _button_for(self, user: User, run: Run, item: Item, text: str) -> str | None:
        """The action of the question's button whose word was typed, if any."""
        word = " ".join(text.casefold().strip(" .!").split())
        word = TYPED_WORDS.get(word, word)
        asked = prompt(self.ctx, run, item, frozenset(self.ticks(user, run, item)))
        for row in asked.options:
            for option in row:
                label = option.label.removeprefix("✓ ")
                if label not in NOT_TYPED and label.casefold() == word:
                    return option.action
        return None

    def ticks(self, user: User, run: Run, item: Item) -> set[str]:
        """The options ticked so far on a multi-select question, kept per question and
        starting from its current answer."""
        chat = self.chat(user)
        key = (run.run_id, item.id)
        if chat.ticked_for != key:
            value = run.answers().get(item.id)
            chat.ticked = set(value) if isinstance(value, frozenset) else set()
            chat.ticked_for = key
        return chat.ticked

    def _open_typed(self, user: User, typed: str) -> list[Reply]:
        case, is_new = cases.open_case(self.ctx, user, typed)
        chat = self.chat(user)
        chat.mode, chat.case_ref = "choose-playbooks", case.ref
        return [self._playbook_menu(case.ref, is_new)]

    # --- presses ------------------------------------------------------------------------------

    def _start_playbook(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.StartPlaybook)
        chat = self.chat(user)
        if chat.case_ref is None:
            raise NotAllowed("Open the case again with /new.")
        outcome = investigating.start_run(self.ctx, user, chat.case_ref, action.playbook)
        chat.mode = "idle"
        assert outcome.run is not None
        # The menu keeps, as its record, which checklist was chosen.
        chosen = f"Case {chat.case_ref} · checklist chosen: {outcome.run.playbook.title}."
        return [in_place(Reply(chosen)), *self.after(user, outcome)]

    def _hold_review(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.HoldReview)
        case = access.case_by_id(self.ctx, user, action.case)
        return self.after(user, reviews.start_review(self.ctx, user, case.ref, action.playbook))

    def _open_run(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.OpenRun)
        run = access.run(self.ctx, user, action.run)
        self.chat(user).run_id = run.run_id
        if run.state in ("paused", "returned"):
            run = investigating.resume(self.ctx, user, run.run_id).run or run
        offer = self._move_offer(user, run)
        shown = self.show_run(user, run)
        # From a list of cases the run takes the list's place; with an offer, both stay.
        return [*offer, *shown] if offer else [in_place(reply) for reply in shown]

    def _stay(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Stay)
        run = access.run(self.ctx, user, action.run)
        if moving.move_offer(self.ctx, user, run.run_id) is None:
            raise NotAllowed(moving.STALE_OFFER)  # moved already, or nothing newer to stay off
        self.chat(user).stayed.add(run.run_id)
        staying = Reply(f"Staying on version {run.playbook.version}.")
        return [in_place(staying), *self.show_run(user, run)]

    def _move(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Move | act.MoveAcknowledged)
        acknowledged = isinstance(action, act.MoveAcknowledged)
        moved = moving.move_run(self.ctx, user, action.run, action.version, acknowledged)
        return self.after(user, moved)

    def focus(self, user: User, run_id: int) -> Run:
        """A run the user may see, now the chat's run."""
        run = access.run(self.ctx, user, run_id)
        self.chat(user).run_id = run.run_id
        return run

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
        latest = cases.active_run(self.ctx, user)
        if latest is not None:
            chat.run_id = latest.run_id
        return latest

    # --- replies ------------------------------------------------------------------------------

    def after(self, user: User, outcome: Outcome) -> list[Reply]:
        """What to show once a command went through: what it set going (one message), then
        the run."""
        said = outcome_lines(outcome.facts)
        run = outcome.run
        if run is not None and self._answer_challenges(user, run):
            said.append("Your supervisor is told the challenged answer was changed.")
            run = access.run(self.ctx, user, run.run_id)
        replies = [Reply("\n".join(said))] if said else []
        if run is not None:
            self.chat(user).run_id = run.run_id
            shown = self.show_run(user, run)
            if said and shown and shown[0].asks is not None:
                # What the answer set going heads the next question, and stays with its record:
                # one message, not two.
                question = shown[0]
                lines = "\n".join(said)
                head = f"{lines}\n{question.head or question.text}"
                shown[0] = replace(question, text=f"{lines}\n{question.text}", head=head)
                replies = []
            replies += shown
        return replies

    def _answer_challenges(self, user: User, run: Run) -> bool:
        """A challenged answer the officer has since put right answers its challenge: the
        supervisor is told what it is now. True if any was."""
        answered = False
        for item in run.open_challenges():
            status = run.status(item.id)
            asked = run.thread(item.id)[-1].at
            if status.status not in ("done", "not-done", "na") or status.at is None:
                continue
            if status.at <= asked or not access.is_officer_of(self.ctx, user, run.run_id):
                continue
            why = f" — {status.reason}" if status.reason else ""
            now = f"{shown_value(item, status.value or '')}{why}"
            supervising.reply_to_challenge(
                self.ctx, user, run.run_id, item.id, f"Changed the answer: {now}."
            )
            answered = True
        return answered

    def where(self, user: User) -> list[Reply]:
        """The question on screen again, after a refusal: the investigator never loses it."""
        run = self.current_run(user)
        return self.show_run(user, run) if run else []

    def show_run(self, user: User, run: Run) -> list[Reply]:
        """A run as it stands: its question, the offer to submit it, or where it stands."""
        self.chat(user).run_id = run.run_id
        item = run.current()
        if item is not None:
            ticked = self.ticks(user, run, item) if item.type == "multi" else set()
            return [prompt(self.ctx, run, item, frozenset(ticked))]
        if run.state == "review":
            shown = summary(self.ctx, run)
            waiting = sum(1 for s in run.statuses() if s.status in ("later", "needs-reason"))
            if waiting:
                # Submit would only be refused: the items put off come first, with their buttons.
                left = "1 item is" if waiting == 1 else f"{waiting} items are"
                them = "it" if waiting == 1 else "them"
                said = f"{left} left for later: answer {them}, then submit."
                return [Reply(f"{shown.text}\n\n{said}", shown.options)]
            submit = (Option.of("Submit", act.Submit(run.run_id)),)
            return [
                Reply(
                    shown.text + "\n\nEverything is answered. Submit it for review?",
                    (submit, *shown.options),
                )
            ]
        return [
            Reply(f"{run.playbook.title} on {run.case_ref}: this checklist {STANDING[run.state]}.")
        ]

    def _playbook_menu(self, ref: str, is_new: bool) -> Reply:
        opening = f"Case {ref} opened." if is_new else f"Case {ref} is already open."
        suggested = {playbook.id for playbook in self.ctx.catalog.suggested()}
        rows = []
        for entry in self.ctx.catalog.library.playbooks:
            if entry.playbook.role == "supervisor":
                continue  # held by supervisors with /review, not started from a case's menu
            star = " (suggested)" if entry.playbook.id in suggested else ""
            # By id, not place: a publish may add a playbook while this menu is on screen.
            rows.append(
                (Option.of(entry.playbook.title + star, act.StartPlaybook(entry.playbook.id)),)
            )
        rows.sort(key=lambda row: "(suggested)" not in row[0].label)  # suggested first, stable
        return Reply(f"{opening} Which checklist first? Others can be added later.", tuple(rows))
