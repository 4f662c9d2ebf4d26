"""The conversation, channel-neutral: (person, typed text | pressed action | file) -> replies.

Faces (the terminal chat, Telegram) only render replies and pass back the action of the option
pressed. Commands are routed by the one registry (`commands.py`), actions by the one grammar
(`actions.py`), to the side of the conversation that answers them: the investigator's, the
supervisor's or the trainer's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.conversation import actions as act
from bot.conversation import commands, questions, supervisor
from bot.conversation.investigator import Investigator
from bot.conversation.replies import ChatState, Option, Reply, note
from bot.conversation.said import notice_reply
from bot.conversation.supervisor import Supervisor
from bot.conversation.trainer import Trainer
from bot.core.errors import NotAllowed, SoteriaError
from bot.core.people import User
from bot.services import access, deadlines, people
from bot.services.context import Context
from bot.services.notifications import Notice
from bot.wording.labels import MARKS, counted, cut, describe_due, shown_value, stamp

PRIVACY = (
    "Never type names, addresses, phone numbers or dates of birth: the case handle (or crime "
    "reference) is the key."
)
#: Items the morning digest lists, each with its button, before pointing to /cases.
DIGEST_LINES = 15
#: Said when someone uses a command of another role.
NOT_FOR_YOU = {
    commands.SUPERVISING: "That command is for supervisors.",
    commands.TRAINING: "That is for trainers.",
}


class Dialogue:
    """Turns what a person sends into use cases and replies, whatever the face."""

    def __init__(self, ctx: Context, export_dir: Path = Path("state/reports")) -> None:
        self.ctx = ctx
        self.chats: dict[int, ChatState] = {}
        self.investigator = Investigator(ctx, self.chat)
        self.supervisor = Supervisor(ctx, self.chat, export_dir)
        self.trainer = Trainer(ctx)
        self._handlers: dict[str, Callable[[User, str], list[Reply]]] = {
            "/start": lambda user, _rest: self._help(user),
            "/help": lambda user, _rest: self._help(user),
            "/cancel": lambda user, _rest: self._cancel(user),
            **self.investigator.handlers(),
            **self.supervisor.handlers(),
            **self.trainer.handlers(),
        }
        self._presses = {**self.investigator.presses(), **self.supervisor.presses()}

    def chat(self, user: User) -> ChatState:
        """The chat state of a person, made on first use."""
        return self.chats.setdefault(user.id, ChatState())

    # --- entry points -------------------------------------------------------------------------

    def handle(self, user: User, text: str) -> list[Reply]:
        """Answer typed text or a /command."""
        try:
            stripped = text.strip()
            if stripped.startswith("/"):
                return self._command(user, stripped)
            return self._typed(user, stripped)
        except SoteriaError as error:
            return [Reply(str(error))]

    def press(self, user: User, data: str) -> list[Reply]:
        """Answer a pressed option; anything malformed or stale gets a passing note, never a
        change. The message on screen stays as it was, so nothing needs showing again."""
        try:
            action = act.decode(data)
            if action.SUPERVISING and not user.supervises:
                # Before any lookup: the refusal is the same whatever the button names.
                raise NotAllowed("That is for supervisors.")
            return self._presses[type(action)](user, action)
        except SoteriaError as error:
            return [note(str(error))]

    def upload(self, user: User, filename: str, data: bytes) -> list[Reply]:
        """Answer a file sent in the chat: a trainer's playbook to check and publish."""
        try:
            return self.trainer.upload(user, filename, data)
        except SoteriaError as error:
            return [Reply(str(error))]

    def notice(self, notice: Notice) -> Reply:
        """A notice in words, with its button, for a face to deliver."""
        return notice_reply(self.ctx, notice)

    # --- commands and typing ------------------------------------------------------------------

    def _command(self, user: User, text: str) -> list[Reply]:
        name, rest = commands.command_name(text), text[len(text.split()[0]) :].strip()
        handler = self._handlers.get(name)
        if handler is None:
            return [Reply("I don't know that command. Send /help for the list.")]
        roles = commands.BY_NAME[name[1:]].roles
        if roles in NOT_FOR_YOU and user.role not in roles:
            raise NotAllowed(NOT_FOR_YOU[roles])
        return handler(user, rest)

    def _help(self, user: User) -> list[Reply]:
        lines = [f"Hello {user.name}. Your commands:"]
        lines += [f"/{c.name}: {c.help}" for c in commands.for_role(user.role) if c.menu]
        return [Reply("\n".join([*lines, PRIVACY]))]

    def _cancel(self, user: User) -> list[Reply]:
        self.chats[user.id] = ChatState(run_id=self.chat(user).run_id)
        return [Reply("Stopped. Nothing was lost: send /resume to carry on.")]

    def _typed(self, user: User, text: str) -> list[Reply]:
        if self.chat(user).mode in supervisor.MODES:
            return self.supervisor.typed(user, text)
        return self.investigator.typed(user, text)

    # --- for faces ----------------------------------------------------------------------------

    def asks_of(self, user: User, data: str) -> tuple[int, str] | None:
        """The run and item a button belongs to, when its action names an item it asks."""
        try:
            action = act.decode(data)
            if not action.ON_QUESTION:
                return None
            # Every action on a question names its run and the item's number.
            named: Any = action
            run = access.run(self.ctx, user, named.run)
            return run.run_id, questions.item_at(run, named.item).id
        except SoteriaError:
            return None

    def record_line(self, user: User, run_id: int, item_id: str) -> str | None:
        """One line for a question dealt with (the answer, its reason, who, when); None while
        it is still asked, a reason still to come included."""
        run = access.run(self.ctx, user, run_id)
        status = run.status(item_id)
        current = run.current()
        if current is not None and current.id == item_id:
            return None  # still asked: for an answer, a reason, or again after Back
        if status.status in ("done", "not-done", "na", "to-countersign") and status.value:
            why = f" — {status.reason}" if status.reason else ""
            when = status.at.astimezone(self.ctx.zone) if status.at else None
            at = f", {stamp(when, self.ctx.today())}" if when else ""
            who = people.name_of(self.ctx, status.actor)
            shown = shown_value(status.item, status.value)
            return f"{MARKS[status.status]} {shown}{why} · {who}{at}"
        if status.status == "later":
            return "… Left for later"
        if status.status == "not-yet":
            return "○ Not yet"
        if status.status == "needs-reason":
            return f"? {shown_value(status.item, status.value or '')}: no reason given yet"
        if status.status == "not-live":
            return "– No longer asked"
        return "· Not answered yet"

    def digest(self, user: User) -> Reply | None:
        """The morning message: what is overdue or due today in the user's cases, if anything,
        a numbered line each under its case and checklist, and a button to open each."""
        lines = deadlines.agenda(self.ctx, user)
        if not lines:
            return None
        today = self.ctx.today()
        shown = lines[:DIGEST_LINES]
        groups: dict[tuple[str, str], list[tuple[int, deadlines.AgendaLine]]] = {}
        for number, line in enumerate(shown, 1):
            groups.setdefault((line.case_ref, line.playbook_title), []).append((number, line))
        text = [f"Good morning. {counted(len(lines), 'item')} need you today."]
        for (ref, title), numbered in groups.items():
            text += ["", f"{ref} · {title}"]
            text += [f"{n}. {line.ask} — {describe_due(line.due, today)}" for n, line in numbered]
        if len(lines) > DIGEST_LINES:
            text += ["", f"…and {len(lines) - DIGEST_LINES} more. Send /cases."]
        rows = tuple(
            (Option.of(f"{n}. {cut(line.ask, 44)}", act.Revisit(line.run_id, line.number)),)
            for n, line in enumerate(shown, 1)
        )
        return Reply("\n".join(text), rows)
