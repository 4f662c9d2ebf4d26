"""The conversation, channel-neutral: (user, typed text or pressed option) -> replies with options.

Faces (the terminal chat, Telegram) only render replies and pass back the `action` of the option
pressed. Actions are short and opaque ("a:12:3:0": answer run 12, item 3, answer 0); every press
is checked again against the run as it stands, so a stale or forged option never changes an
answer silently. What a chat is waiting for (a crime reference, a milestone date, the options
ticked so far) is kept per user in memory: losing it loses no answer, only the question.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.conversation.replies import (
    MARKS,
    ChatState,
    Option,
    Reply,
    command_name,
    screened,
    shown_value,
)
from bot.conversation.supervisor import DESK_ARITY, DESK_MODES, SUPERVISOR_HELP, Desk
from bot.conversation.trainer import TRAINER_HELP, Workshop
from bot.conversation.version_offer import offer_reply
from bot.core.errors import NotAllowed, NotFound, SoteriaError
from bot.core.playbook import Item
from bot.core.run import STANDING, Run
from bot.core.schedule import describe_due
from bot.core.typed_input import parse_date, parse_number
from bot.services.service import Outcome, Service
from bot.store.users import User
from bot.wording import texts
from bot.wording.changes import Wording
from bot.wording.preview import answer_label

HELP = (
    "Commands: /new to open a case, /cases for your cases, /resume to carry on, "
    "/milestone to record an arrest, charge, trial date and so on, /summary for where this "
    "checklist stands, /cancel to stop what you are doing, /help for this. "
    "Never type names, addresses, phone numbers or dates of birth: the crime reference is the key."
)


#: How many ':'-separated parts each kind of action has (kind, then run, item, choice).
ARITY = {
    "pb": 2, "ms": 2, "msd": 2, "go": 2, "sum": 2, "s": 2, "b": 2,
    "rv": 3, "g": 3, "md": 3, "l": 3,
    "a": 4, "t": 4, "m": 4, "r": 4,
    "mv": 3, "mva": 3, "st": 2,
}  # fmt: skip


HANDLE_ISSUED = (
    "New case handle: {handle}. Write it against the crime in your records system now; do not "
    "send the crime reference here. An administrator links the two on the server."
)


#: The actions that only a question's own message carries.
QUESTION_BUTTONS = frozenset({"a", "t", "m", "md", "l", "r", "g"})


class Dialogue:
    """Turns what a user sends into service calls and replies."""

    def __init__(self, service: Service, export_dir: Path = Path("state/reports")) -> None:
        self.service = service
        self.chats: dict[int, ChatState] = {}
        self.desk = Desk(service, self.chat, export_dir)
        self.workshop = Workshop(service)

    def chat(self, user: User) -> ChatState:
        """The chat state of a user, made on first use."""
        return self.chats.setdefault(user.id, ChatState())

    # --- entry points -------------------------------------------------------------------------

    def handle(self, user: User, text: str) -> list[Reply]:
        """Answer typed text or a /command."""
        self.service.refresh_playbooks()
        try:
            stripped = text.strip()
            if stripped.startswith("/"):
                return self._command(user, stripped)
            return self._typed(user, stripped)
        except SoteriaError as error:
            return [Reply(str(error))]

    def press(self, user: User, action: str) -> list[Reply]:
        """Answer a pressed option; anything malformed or stale gets a sentence, never a change."""
        # A supervisor's refused press needs no reminder of an investigator's place.
        where = self._where if action.split(":")[0] not in DESK_ARITY else lambda _user: []
        self.service.refresh_playbooks()
        try:
            return self._press(user, action)
        except (ValueError, IndexError, KeyError, OverflowError):
            # OverflowError: a forged id too large for SQLite's integers.
            return [Reply("That button is no longer valid."), *where(user)]
        except SoteriaError as error:
            return [Reply(str(error)), *where(user)]

    def upload(self, user: User, filename: str, data: bytes) -> list[Reply]:
        """Answer a file sent in the chat: a trainer's playbook to check and publish."""
        try:
            return self.workshop.upload(user, filename, data)
        except SoteriaError as error:
            return [Reply(str(error))]

    # --- commands -----------------------------------------------------------------------------

    def _command(self, user: User, text: str) -> list[Reply]:
        name, rest = command_name(text), text[len(text.split()[0]) :].strip()
        chat = self.chat(user)
        if name in ("/start", "/help"):
            extra = f"\n\n{SUPERVISOR_HELP}" if user.role in ("supervisor", "admin") else ""
            extra += f"\n\n{TRAINER_HELP}" if user.role in ("trainer", "admin") else ""
            return [Reply(f"Hello {user.name}. {HELP}{extra}")]
        if name == "/cancel":
            self.chats[user.id] = ChatState(run_id=chat.run_id)
            return [Reply("Stopped. Nothing was lost: send /resume to carry on.")]
        if name == "/new":
            if self.service.case_key == "handle":
                # The force keeps crime references off Telegram: the bot issues a handle.
                case, _ = self.service.open_case(user, "")
                chat.mode, chat.case_ref = "choose-playbooks", case["ref"]
                return [
                    Reply(HANDLE_ISSUED.format(handle=case["ref"])),
                    self._playbook_menu(case["ref"], True),
                ]
            chat.mode = "case-ref"
            return [Reply("Send the crime reference for the new case (no names).")]
        if name == "/cases":
            return self._cases(user)
        if name == "/resume":
            return self._resume(user)
        if name == "/milestone":
            return self._milestone_menu(user)
        if name == "/summary":
            run = self._run(user)
            if run is None:
                return [Reply("No checklist is open. Send /cases.")]
            return [self._summary(run), *self._move_offer(user, run, again=True)]
        found = self.desk.command(user, name, rest)
        if found is None:
            found = self.workshop.command(user, name)
        if found is not None:
            return found
        return [Reply("I don't know that command. Send /help for the list.")]

    def _cases(self, user: User) -> list[Reply]:
        cases = self.service.my_cases(user)
        if not cases:
            return [Reply("You have no open cases. Send /new to open one.")]
        rows: list[tuple[Option, ...]] = []
        lines = ["Your cases:"]
        for case in cases[:20]:
            for view in case.runs:
                late = f", {view.overdue} overdue" if view.overdue else ""
                late += f", version {view.newer} published" if view.newer else ""
                lines.append(
                    f"{case.ref} · {view.title} · {view.settled}/{view.live}{late} · {view.state.replace('_', ' ')}"
                )
                rows.append((Option(f"{case.ref} · {view.title}", f"go:{view.id}"),))
        return [Reply("\n".join(lines), tuple(rows))]

    def _resume(self, user: User) -> list[Reply]:
        run = self.service.active_run(user)
        if run is None:
            return [Reply("Nothing is waiting for you. Send /cases or /new.")]
        return [*self._move_offer(user, run), *self._show_run(user, run)]

    def _milestone_menu(self, user: User) -> list[Reply]:
        run = self._run(user)
        if run is None:
            return [Reply("Open a case's checklist first (/cases), then record its milestone.")]
        chat = self.chat(user)
        chat.mode, chat.case_ref = "milestone", run.case_ref
        names = list(self.service.library.milestones)
        rows = [
            (Option(self.service.library.milestones[name].title, f"ms:{index}"),)
            for index, name in enumerate(names)
        ]
        return [Reply(f"Which milestone for {run.case_ref}?", tuple(rows))]

    # --- typed text ---------------------------------------------------------------------------

    def _typed(self, user: User, text: str) -> list[Reply]:
        chat = self.chat(user)
        if chat.mode in DESK_MODES:
            return self.desk.typed(user, text)
        if chat.mode == "case-ref":
            case, is_new = self.service.open_case(user, text)
            chat.mode, chat.case_ref = "choose-playbooks", case["ref"]
            return [self._playbook_menu(case["ref"], is_new)]
        if chat.mode == "milestone-date" and chat.milestone and chat.case_ref:
            allowed = self.service.library.milestones[chat.milestone].dates
            when = parse_date(text, self.service.today(), allowed)
            notices = self.service.record_milestone(user, chat.case_ref, chat.milestone, when)
            chat.mode, chat.milestone = "idle", None
            return [
                Reply(" ".join(notices) or "That date was already recorded."),
                *self._where(user),
            ]
        run = self._run(user)
        item = run.current() if run else None
        if run is None or item is None:
            return [
                Reply("Use /new to open a case, or /resume to carry on. /help lists everything.")
            ]
        if run.state == "awaiting_reason":
            return self._after(user, self.service.give_reason(user, run.run_id, screened(text)))
        if item.type == "date":
            when = parse_date(text, self.service.today(), item.dates)
            return self._after(user, self.service.answer(user, run.run_id, item.id, when))
        if item.type == "number":
            number = parse_number(text, item.min, item.max)
            value = int(number) if float(number).is_integer() else number
            return self._after(user, self.service.answer(user, run.run_id, item.id, value))
        if item.type == "text":
            return self._after(
                user, self.service.answer(user, run.run_id, item.id, screened(text))
            )
        return [Reply("Please answer with the buttons."), self._prompt(run, item)]

    # --- presses ------------------------------------------------------------------------------

    def _press(self, user: User, action: str) -> list[Reply]:
        parts = action.split(":")
        kind = parts[0]
        if (ARITY.get(kind) or DESK_ARITY.get(kind)) != len(parts):
            raise ValueError(action)  # one grammar, exactly: anything else is not our button
        if kind in DESK_ARITY:
            return self.desk.press(user, kind, parts)
        chat = self.chat(user)
        if kind == "pb":  # start a playbook on the case being opened
            if chat.case_ref is None:
                raise NotAllowed("Open the case again with /new.")
            outcome = self.service.start_run(user, chat.case_ref, parts[1])
            chat.mode = "idle"
            return self._after(user, outcome)
        if kind == "ms":
            name = list(self.service.library.milestones)[int(parts[1])]
            if chat.case_ref is None:
                raise NotAllowed("Send /milestone again.")
            chat.mode, chat.milestone = "milestone-date", name
            return [
                Reply(
                    f"Send the date of: {self.service.library.milestones[name].title} (like 3/11), or tap Today.",
                    ((Option("Today", "msd:today"), Option("Yesterday", "msd:yesterday")),),
                )
            ]
        if kind == "msd" and chat.milestone and chat.case_ref:
            return self._typed(user, parts[1])
        run_id = int(parts[1])
        if kind in ("mv", "mva"):
            moved = self.service.move_run(user, run_id, int(parts[2]), acknowledged=kind == "mva")
            return self._after(user, moved)
        run = self._load(user, run_id)
        if kind == "st":
            if self.service.move_offer(user, run_id) is None:
                raise NotAllowed(texts.STALE_OFFER)  # moved already, or nothing newer to stay off
            chat.stayed.add(run_id)
            return [
                Reply(f"Staying on version {run.playbook.version}."),
                *self._show_run(user, run),
            ]
        if kind == "go":
            chat.run_id = run_id
            if run.state in ("paused", "returned"):
                run = self.service.resume(user, run_id).run or run
            return [*self._move_offer(user, run), *self._show_run(user, run)]
        chat.run_id = run_id
        if kind == "sum":
            return [self._summary(run)]
        if kind == "s":
            return self._after(user, self.service.submit(user, run_id), submitted=True)
        if kind == "b":
            return self._after(user, self.service.back(user, run_id))
        if kind == "rv":
            item = run.playbook.items[int(parts[2])]
            return self._after(user, self.service.revisit(user, run_id, item.id))
        item = run.playbook.items[int(parts[2])]
        if kind == "g":
            return [Reply(item.guidance or "No guidance for this item.")]
        self._check_fresh(run, item)
        if kind == "a":
            return self._after(
                user,
                self.service.answer(
                    user,
                    run_id,
                    item.id,
                    item.answers[int(parts[3])] if item.type != "info" else "ok",
                ),
            )
        if kind == "t":
            today = self.service.today()
            when = today if parts[3] == "today" else today - timedelta(days=1)
            return self._after(user, self.service.answer(user, run_id, item.id, when))
        if kind == "m":
            option = item.options[int(parts[3])]
            chat.ticked ^= {option}
            return [self._prompt(run, item, frozenset(chat.ticked))]
        if kind == "md":
            chosen, chat.ticked = set(chat.ticked), set()
            return self._after(user, self.service.answer(user, run_id, item.id, chosen))
        if kind == "l":
            return self._after(user, self.service.defer(user, run_id, item.id))
        if kind == "r":
            return self._after(
                user, self.service.give_reason(user, run_id, item.reasons[int(parts[3])])
            )
        raise ValueError(action)

    def _move_offer(self, user: User, run: Run, again: bool = False) -> list[Reply]:
        """The offer to move to a newer version, once a session unless asked `again`."""
        if user.role != "investigator" or (run.run_id in self.chat(user).stayed and not again):
            return []
        try:
            offer = self.service.move_offer(user, run.run_id)
        except SoteriaError:
            return []
        if offer is None:
            return []
        library = self.service.library
        return [offer_reply(offer, Wording(library.milestones, library.settings))]

    def _check_fresh(self, run: Run, item: Item) -> None:
        """Refuse a button for an item that is not the one being asked (an old message)."""
        current = run.current()
        if current is None or current.id != item.id:
            status = run.status(item.id)
            shown = f" It was answered: {answer_label(status.value)}." if status.value else ""
            raise NotAllowed(
                f"That button is from an earlier message; nothing was changed.{shown}"
            )

    def _load(self, user: User, run_id: int) -> Run:
        return self.service.run(user, run_id)

    def _run(self, user: User) -> Run | None:
        chat = self.chat(user)
        if chat.run_id is not None:
            try:
                run = self._load(user, chat.run_id)
                if run.state != "moved":  # its work goes on in the run it moved to
                    return run
            except NotFound:
                pass
            chat.run_id = None
        run = self.service.active_run(user)
        if run is not None:
            chat.run_id = run.run_id
        return run

    # --- replies ------------------------------------------------------------------------------

    def _after(self, user: User, outcome: Outcome, submitted: bool = False) -> list[Reply]:
        replies = [Reply(notice) for notice in outcome.notices]
        if outcome.run is not None:
            self.chat(user).run_id = outcome.run.run_id
            if submitted:
                replies.append(
                    Reply(
                        f"Submitted for review: {outcome.run.playbook.title} on {outcome.run.case_ref}. Your supervisor has it."
                    )
                )
                return replies
            replies += self._show_run(user, outcome.run)
        return replies

    def _where(self, user: User) -> list[Reply]:
        run = self._run(user)
        return self._show_run(user, run) if run else []

    def _show_run(self, user: User, run: Run) -> list[Reply]:
        self.chat(user).run_id = run.run_id
        item = run.current()
        if item is not None:
            return [self._prompt(run, item)]
        if run.state == "review":
            summary = self._summary(run)
            return [
                Reply(
                    summary.text + "\n\nEverything is answered. Submit it for review?",
                    ((Option("Submit", f"s:{run.run_id}"),), *summary.options),
                )
            ]
        return [
            Reply(f"{run.playbook.title} on {run.case_ref}: this checklist {STANDING[run.state]}.")
        ]

    def _prompt(self, run: Run, item: Item, ticked: frozenset[str] = frozenset()) -> Reply:
        settled, live = run.progress()
        number = run.playbook.number(item.id)
        lines = [f"{run.case_ref} · {run.playbook.title} · {settled}/{live}", item.ask]
        due = self.service.due(run, item.id)
        if due is not None:
            lines.append(sentence(describe_due(due, self.service.today())))
        rid = run.run_id
        rows: list[tuple[Option, ...]] = []
        if run.state == "awaiting_reason":
            status = run.status(item.id)
            lines.append(
                f"Answered {answer_label(status.value or '')}. Why? Tap a reason or type a short one (no names)."
            )
            rows += [
                (Option(reason, f"r:{rid}:{number}:{index}"),)
                for index, reason in enumerate(item.reasons)
            ]
            rows.append((Option("Later", f"l:{rid}:{number}"),))
            return Reply("\n".join(lines), tuple(rows), asks=(rid, item.id))
        if item.type in ("yes-no", "yes-no-na", "choice"):
            buttons = [
                Option(answer_label(answer), f"a:{rid}:{number}:{index}")
                for index, answer in enumerate(item.answers)
            ]
            rows += (
                [tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3)]
                if item.type != "choice"
                else [(button,) for button in buttons]
            )
        elif item.type == "multi":
            rows += [
                (Option(("✓ " if option in ticked else "") + option, f"m:{rid}:{number}:{index}"),)
                for index, option in enumerate(item.options)
            ]
            rows.append((Option("Done", f"md:{rid}:{number}"),))
        elif item.type == "date":
            lines.append("Type the date (like 3/11) or tap:")
            rows.append(
                (
                    Option("Today", f"t:{rid}:{number}:today"),
                    Option("Yesterday", f"t:{rid}:{number}:yesterday"),
                )
            )
        elif item.type == "number":
            lines.append("Type the number.")
        elif item.type == "text":
            lines.append("Type a short note (no names or personal details).")
        elif item.type == "info":
            rows.append((Option("OK", f"a:{rid}:{number}:0"),))
        extra = [Option("Later", f"l:{rid}:{number}")] if item.type != "info" else []
        if item.guidance:
            extra.append(Option("Guidance", f"g:{rid}:{number}"))
        extra.append(Option("Back", f"b:{rid}"))
        rows.append(tuple(extra))
        return Reply("\n".join(lines), tuple(rows), asks=(rid, item.id))

    def _summary(self, run: Run) -> Reply:
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
                rows.append(
                    (
                        Option(
                            f"{'Change' if status.value else 'Answer'}: {status.item.ask[:40]}",
                            f"rv:{run.run_id}:{index}",
                        ),
                    )
                )
        return Reply("\n".join(lines), tuple(rows[:12]))

    def asks_of(self, user: User, action: str) -> tuple[int, str] | None:
        """The run and item a button belongs to, when its action names an item."""
        parts = action.split(":")
        if parts[0] not in QUESTION_BUTTONS or ARITY.get(parts[0]) != len(parts):
            return None
        try:
            run = self.service.run(user, int(parts[1]))
            return run.run_id, run.playbook.items[int(parts[2])].id
        except (ValueError, IndexError, OverflowError, SoteriaError):
            return None

    def record_line(self, user: User, run_id: int, item_id: str) -> str | None:
        """One line for a question dealt with (the answer, who, when); None while still asked."""
        run = self.service.run(user, run_id)
        status = run.status(item_id)
        current = run.current()
        if current is not None and current.id == item_id and status.status == "open":
            return None
        if status.status in ("done", "not-done", "na") and status.value is not None:
            mark = MARKS[status.status]
            why = f" ({status.reason})" if status.reason else ""
            when = status.at.astimezone(self.service.zone) if status.at else None
            stamp = f", {when:%d %b %H:%M}" if when else ""
            who = self.service.name_of(status.actor)
            return f"{mark} {shown_value(status.item, status.value)}{why} · {who}{stamp}"
        if status.status == "later":
            return "… Left for later"
        if status.status == "needs-reason":
            return f"? {shown_value(status.item, status.value or '')}: a reason is still needed"
        if status.status == "not-live":
            return "– No longer asked"
        return "· Not answered yet"

    def digest(self, user: User) -> Reply | None:
        """The morning message: what is overdue or due today in the user's cases, if anything."""
        lines = self.service.agenda(user)
        if not lines:
            return None
        today = self.service.today()
        text = [f"Good morning. {len(lines)} item(s) need you today:"]
        for line in lines[:15]:
            text.append(
                f"• {line.case_ref} · {line.playbook_title}: {line.ask} ({describe_due(line.due, today)})"
            )
        if len(lines) > 15:
            text.append(f"…and {len(lines) - 15} more. Send /cases.")
        return Reply("\n".join(text))

    def _playbook_menu(self, ref: str, is_new: bool) -> Reply:
        opening = f"Case {ref} opened." if is_new else f"Case {ref} is already open."
        suggested = {playbook.id for playbook in self.service.suggested_playbooks()}
        rows = []
        for entry in self.service.library.playbooks:
            star = " (suggested)" if entry.playbook.id in suggested else ""
            # By id, not place: a publish may add a playbook while this menu is on screen.
            rows.append((Option(entry.playbook.title + star, f"pb:{entry.playbook.id}"),))
        rows.sort(key=lambda row: "(suggested)" not in row[0].label)  # suggested first, stable
        return Reply(f"{opening} Which checklist first? Others can be added later.", tuple(rows))


def sentence(words: str) -> str:
    """Words with the first letter made a capital, and the rest as they were ('Tue', 'Nov')."""
    return words[:1].upper() + words[1:]
