"""The supervisor's side of the conversation, and the investigator's answers to it.

Supervisors see their teams' cases (/team, /case), sign runs off or return them with a note,
challenge an item, countersign a trainee's answer, hand a case over and export the report.
Investigators reply to challenges and accept handovers. Every press is checked again by the
use cases against who the person is, so a forged button reaches nothing outside their scope.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.conversation import actions as act
from bot.conversation import purposes
from bot.conversation.case_view import case_page, team_line
from bot.conversation.exporting import export_for
from bot.conversation.questions import item_at
from bot.conversation.replies import ChatState, Option, Reply, in_place, screened
from bot.core.case import Case
from bot.core.errors import NotAllowed
from bot.core.history import challenge_open
from bot.core.people import User
from bot.core.run import Run
from bot.reports.oversight import gather
from bot.services import access, cases, consultation, handover, people, supervising
from bot.services.context import Context
from bot.wording.labels import MARKS, counted, cut, shown_value

Handler = Callable[[User, str], list[Reply]]
Press = Callable[[User, act.Action], list[Reply]]

#: Chat modes in which typed text belongs to this side.
MODES = ("return-note", "challenge-text", "challenge-reply", "signoff-note")
#: Cases listed by /team before pointing to the full report.
TEAM_LINES = 15
#: Items a sign-off's confirmation lists by name before saying how many more there are.
LISTED = 15


class Supervisor:
    """Turns supervisors' commands and presses, and replies to them, into use cases."""

    def __init__(self, ctx: Context, chat: Callable[[User], ChatState], export_dir: Path) -> None:
        self.ctx = ctx
        self.chat = chat
        self.export_dir = export_dir

    def handlers(self) -> dict[str, Handler]:
        """The commands this side answers, by name."""
        return {
            "/team": lambda user, _rest: self._team(user),
            "/case": self._case_command,
            "/signoff": lambda user, _rest: self._waiting(user, sign=True),
            "/return": lambda user, _rest: self._waiting(user, sign=False),
            "/handover": self._handover_menu,
            "/close": self._close_menu,
            "/export": lambda user, _rest: [purposes.export_prompt()],
        }

    def presses(self) -> dict[type[act.Action], Press]:
        """The buttons this side answers, by kind."""
        return {
            act.OpenCase: self._open_case,
            act.CasePage: self._case_page,
            act.ViewCase: self._view_case,
            act.ExportFor: lambda user, action: export_for(
                self.ctx, self.export_dir, user, action
            ),
            act.AcceptHandover: self._accept_handover,
            act.HandTo: self._hand_to,
            act.SignOff: self._sign_off,
            act.ConfirmSignOff: self._confirm_sign_off,
            act.ReturnRun: self._return,
            act.ChallengeMenu: self._challenge_menu,
            act.ChallengeItem: self._challenge_item,
            act.Countersign: self._countersign,
            act.CloseCase: self._close_case,
            act.ReplyToChallenge: self._reply_to_challenge,
        }

    # --- commands -----------------------------------------------------------------------------

    def _teams_of(self, user: User) -> list[str] | None:
        return None if user.role == "admin" else list(user.teams)

    def _team(self, user: User) -> list[Reply]:
        oversight = gather(self.ctx, teams=self._teams_of(user), live_only=True)
        cases = [case for case in oversight.cases if case.risk != "closed"]
        if not cases:
            return [Reply("No open cases in your team.")]
        lines = [
            f"{', '.join(oversight.teams)}: {counted(len(cases), 'open case')}, riskiest first."
        ]
        rows = []
        shown = [case.id for case in cases[:TEAM_LINES]]
        consultation.viewed_teams(
            self.ctx, user, self._teams_of(user), shown, "supervision", {"via": "/team"}
        )
        for case in cases[:TEAM_LINES]:
            lines.append(team_line(case))
            rows.append(
                (Option.of(cut(f"{case.ref} · {case.officer}", 60), act.OpenCase(case.id)),)
            )
        if len(cases) > TEAM_LINES:
            lines.append(f"…and {len(cases) - TEAM_LINES} more: send /export for all of them.")
        return [Reply("\n".join(lines), tuple(rows[:10]))]

    def _waiting(self, user: User, sign: bool) -> list[Reply]:
        """Runs submitted for review in the user's teams, as buttons to sign off or return."""
        oversight = gather(self.ctx, teams=self._teams_of(user), open_runs_only=True)
        waiting = [(c, r) for c, r in oversight.runs() if r.state == "submitted"]
        if not waiting:
            return [Reply("Nothing is waiting for your review.")]
        verb = "Sign off" if sign else "Return"
        # Every waiting case is named: in the buttons, or in the lines of open challenges.
        named = {case.id for case, _run in waiting[:20]}
        named |= {case.id for case, run in waiting if run.open_challenges and sign}
        via = "/signoff" if sign else "/return"
        consultation.viewed_teams(
            self.ctx, user, self._teams_of(user), sorted(named), "supervision", {"via": via}
        )
        rows = tuple(
            (
                Option.of(
                    cut(f"{verb}: {case.ref} · {run.playbook.title}", 60),
                    act.SignOff(run.run_id) if sign else act.ReturnRun(run.run_id),
                ),
            )
            for case, run in waiting[:20]
        )
        blocked = [
            f"{case.ref} · {run.playbook.title}: challenge open"
            for case, run in waiting
            if run.open_challenges
        ]
        note = ("\n" + "\n".join(blocked)) if blocked and sign else ""
        said = f"{counted(len(waiting), 'run')} waiting for review.{note}"
        return [Reply(said, rows)]

    def _case_command(self, user: User, rest: str) -> list[Reply]:
        if rest:
            key = access.case_key_of(self.ctx, rest)
            return self._view(user, access.find_case(self.ctx, user, key))
        found = cases.open_cases(self.ctx, user)
        if not found:
            return [Reply("Send /case with the reference, like /case 43/12345/26.")]
        rows = tuple((Option.of(case.ref, act.OpenCase(case.id)),) for case in found[:10])
        return [Reply("Which case? (Or send /case REF.)", rows)]

    def _close_menu(self, user: User, rest: str) -> list[Reply]:
        if not rest:
            return [Reply("Send /close with the reference, like /close 43/12345/26.")]
        case = access.find_case(self.ctx, user, access.case_key_of(self.ctx, rest))
        if case.closed:
            return [Reply(f"{case.ref} is already closed ({case.closed_reason}).")]
        rows = tuple(
            (Option.of(reason, act.CloseCase(case.id, index)),)
            for index, reason in enumerate(supervising.CLOSE_REASONS)
        )
        return [
            Reply(
                f"Close {case.ref}? Its checklists then take no more answers and no reviews fall "
                "due. Tap the reason, or /cancel.",
                rows,
            )
        ]

    def _view(
        self, user: User, case: Case, purpose: str | None = None, page: int = 0
    ) -> list[Reply]:
        """A case as its log tells it, a page at a time, once the person has said why they look
        (once a day); each page shown is a consultation, and logged."""
        purpose = purpose or consultation.purpose_today(self.ctx, user, case.id)
        if purpose is None:
            return [purposes.case_prompt(case)]
        consultation.viewed_case(self.ctx, user, case, purpose, "/case")
        return [case_page(self.ctx, user, gather(self.ctx, case_ref=case.ref).cases[0], page)]

    def _handover_menu(self, user: User, rest: str) -> list[Reply]:
        if not rest:
            return [Reply("Send /handover with the case reference, like /handover 43/12345/26.")]
        ref = access.case_key_of(self.ctx, rest)
        case, candidates = handover.candidates(self.ctx, user, ref)
        if not candidates:
            return [Reply("There is no other investigator in the team to hand it to.")]
        rows = tuple(
            (Option.of(person.name, act.HandTo(case.id, person.id)),) for person in candidates[:20]
        )
        return [Reply(f"Hand {ref} to whom? They must accept it.", rows)]

    # --- presses ------------------------------------------------------------------------------

    def _open_case(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.OpenCase)
        return self._view(user, access.case_by_id(self.ctx, user, action.case))

    def _view_case(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ViewCase)
        purpose = purposes.chosen(action.purpose)  # before the lookup: a bad button names nothing
        return self._view(user, access.case_by_id(self.ctx, user, action.case), purpose)

    def _case_page(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.CasePage)
        case = access.case_by_id(self.ctx, user, action.case)
        return [in_place(reply) for reply in self._view(user, case, page=action.page)]

    def _accept_handover(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.AcceptHandover)
        accepted = handover.accept(self.ctx, user, action.handover)
        if accepted.already:
            return [Reply(f"You already hold {accepted.case_ref}.")]
        return [Reply(f"You now hold {accepted.case_ref}. Send /cases to work on it.")]

    def _hand_to(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.HandTo)
        case = access.case_by_id(self.ctx, user, action.case)
        offer = handover.offer(self.ctx, user, case.ref, action.user)
        name = people.name_of(self.ctx, f"user:{offer.to_officer}")
        return [
            Reply(
                f"Offered {offer.case_ref} to {name}. "
                "It stays with its officer until the handover is accepted."
            )
        ]

    def _run_of(self, user: User, run_id: int, supervising: bool = True) -> Run:
        """A run the person may see; for a supervisor's button, refused to anyone else at the
        press, not after a note is typed: another role's button must not lead anyone on."""
        run = access.run(self.ctx, user, run_id)
        if supervising and not user.supervises:
            raise NotAllowed("That is for supervisors.")
        return run

    def _sign_off(self, user: User, action: act.Action) -> list[Reply]:
        """What signing off would cover, to confirm with a tap or a note; nothing is signed."""
        assert isinstance(action, act.SignOff)
        run = self._run_of(user, action.run)
        if run.state != "submitted":
            raise NotAllowed(f"{_named(run)} is not waiting for review.")
        chat = self.chat(user)
        chat.mode, chat.run_id = "signoff-note", run.run_id
        lines = [f"Sign off {_named(run)} (v{run.playbook.version})?", *signing_lines(run)]
        if run.open_challenges():
            chat.mode = "idle"
            lines.append("It can be signed off once the investigator has replied.")
            return [in_place(Reply("\n".join(lines)))]
        lines.append("Tap Sign off, or type a note to sign off with it (no names). /cancel stops.")
        button = ((Option.of("Sign off", act.ConfirmSignOff(run.run_id)),),)
        return [in_place(Reply("\n".join(lines), button))]

    def _confirm_sign_off(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ConfirmSignOff)
        self.chat(user).mode = "idle"
        return [signed(self.ctx, user, self._run_of(user, action.run).run_id, "")]

    def _return(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ReturnRun)
        run = self._run_of(user, action.run)
        if run.state != "submitted":
            raise NotAllowed(f"{_named(run)} is not waiting for review.")
        chat = self.chat(user)
        chat.mode, chat.run_id = "return-note", run.run_id
        said = f"Returning {_named(run)}. What needs doing? Type a short note (no names)."
        return [in_place(Reply(said))]

    def _challenge_menu(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ChallengeMenu)
        run = self._run_of(user, action.run)
        rows = []
        for item in run.items:
            if run.status(item.id).status in ("not-live", "open"):
                continue
            number = run.number(item.id)
            rows.append((Option.of(cut(item.ask, 60), act.ChallengeItem(run.run_id, number)),))
        if not rows:
            return [Reply(f"Nothing in {_named(run)} has been answered yet.")]
        return [Reply(f"Which item of {_named(run)} do you challenge?", tuple(rows[:20]))]

    def _challenge_item(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ChallengeItem)
        run = self._run_of(user, action.run)
        item = item_at(run, action.item)
        chat = self.chat(user)
        chat.mode, chat.run_id, chat.item = "challenge-text", run.run_id, item.id
        said = f"What do you challenge in “{item.ask}”? Type it (no names)."
        return [in_place(Reply(said))]

    def _countersign(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.Countersign)
        run = self._run_of(user, action.run)
        item = item_at(run, action.item)
        supervising.countersign(self.ctx, user, run.run_id, item.id)
        return [Reply(f"Countersigned: {item.ask}")]

    def _close_case(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.CloseCase)
        if action.reason >= len(supervising.CLOSE_REASONS):
            raise act.BadAction
        case = access.case_by_id(self.ctx, user, action.case)
        reason = supervising.CLOSE_REASONS[action.reason]
        closed = supervising.close_case(self.ctx, user, case.ref, reason)
        return [Reply(f"Closed {closed.ref}: {reason}. Its checklists take no more answers.")]

    def _reply_to_challenge(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ReplyToChallenge)
        run = self._run_of(user, action.run, supervising=False)
        # Refused at the press, not after the reply is typed: a button meant for another
        # person must not lead anyone on.
        if not access.is_officer_of(self.ctx, user, run.run_id):
            raise NotAllowed("Only the officer in the case replies to a challenge.")
        item = item_at(run, action.item)
        thread = run.thread(item.id)
        if not challenge_open(thread):
            raise NotAllowed("That challenge has already been answered.")
        chat = self.chat(user)
        chat.mode, chat.run_id, chat.item = "challenge-reply", run.run_id, item.id
        return [
            Reply(f"Challenge on “{item.ask}”: “{thread[-1].value}”\nType your reply (no names).")
        ]

    # --- typed text ---------------------------------------------------------------------------

    def typed(self, user: User, text: str) -> list[Reply]:
        """Text typed as a return note, a challenge or a reply to one."""
        chat = self.chat(user)
        mode, run_id, item_id = chat.mode, chat.run_id, chat.item
        if run_id is None:
            chat.mode = "idle"
            return [Reply("Start again from /team.")]
        words = screened(text)
        if mode == "signoff-note":
            chat.mode = "idle"
            return [signed(self.ctx, user, run_id, words)]
        if mode == "return-note":
            outcome = supervising.send_back(self.ctx, user, run_id, words)
            chat.mode = "idle"
            assert outcome.run is not None
            return [Reply(f"Returned: {_named(outcome.run)}. The investigator has your note.")]
        if item_id is None:
            chat.mode = "idle"
            return [Reply("Start again from /team.")]
        if mode == "challenge-text":
            outcome = supervising.challenge(self.ctx, user, run_id, item_id, words)
            chat.mode, chat.item = "idle", None
            assert outcome.run is not None
            return [
                Reply(
                    f"Challenge sent on {_named(outcome.run)}. It cannot be signed off until "
                    "the investigator replies."
                )
            ]
        supervising.reply_to_challenge(self.ctx, user, run_id, item_id, words)
        chat.mode, chat.item = "idle", None
        return [Reply("Reply sent to your supervisor.")]


def signed(ctx: Context, user: User, run_id: int, note: str) -> Reply:
    """Sign off; the confirmation becomes the record of what was signed, and with what note."""
    outcome = supervising.sign_off(ctx, user, run_id, note)
    assert outcome.run is not None
    noted = f" Your note: “{note}”" if note else ""
    said = f"Signed off: {_named(outcome.run)}. The investigator has been told.{noted}"
    return in_place(Reply("\n".join([said, *signing_lines(outcome.run)])))


def _named(run: Run) -> str:
    return f"{run.case_ref} · {run.playbook.title}"


def signing_lines(run: Run) -> list[str]:
    """What a sign-off covers: the counts, the items not done or N/A with their reasons, what
    is not yet or put off, and the challenges still open."""
    statuses = [s for s in run.statuses() if s.status != "not-live"]
    count = {kind: sum(1 for s in statuses if s.status == kind) for kind in MARKS}
    settled, live = run.progress()
    lines = [
        f"{settled}/{live} settled: {count['done']} done, {count['not-done']} not done, "
        f"{count['na']} N/A" + (f", {count['not-yet']} not yet" if count["not-yet"] else "") + "."
    ]
    explained = [s for s in statuses if s.status in ("not-done", "na")]
    if explained:
        lines.append("Not done or N/A:")
    for status in explained[:LISTED]:
        why = f" — {status.reason}" if status.reason else ""
        lines.append(f"• {status.item.ask}: {shown_value(status.item, status.value or '')}{why}")
    if len(explained) > LISTED:
        lines.append(f"…and {len(explained) - LISTED} more (send /case to see them all).")
    waiting = [s.item.ask for s in statuses if s.status in ("not-yet", "later")]
    if waiting:
        lines.append("Not yet or put off: " + "; ".join(cut(ask, 60) for ask in waiting[:LISTED]))
    challenged = run.open_challenges()
    if not challenged:
        lines.append("Open challenges: none.")
        return lines
    lines.append("Open challenges:")
    for item in challenged:
        lines.append(f"• {item.ask}: “{run.thread(item.id)[-1].value}”")
    return lines
