"""The supervisor's side of the conversation, and the investigator's answers to it.

Supervisors see their teams' cases (/team, /case), sign runs off or return them with a note,
challenge an item, countersign a trainee's answer, hand a case over and export the report.
Investigators reply to challenges and accept handovers. Every press is checked again by the
use cases against who the person is, so a forged button reaches nothing outside their scope.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.conversation import actions as act
from bot.conversation.questions import item_at
from bot.conversation.replies import ChatState, Option, Reply, screened
from bot.core.errors import NotAllowed
from bot.core.history import challenge_open
from bot.core.people import User
from bot.core.run import Run
from bot.reports.formats import write_team_html
from bot.reports.oversight import CaseFacts, RunFacts, gather
from bot.services import access, cases, handover, people, supervising
from bot.services.context import Context
from bot.services.reviews import Schedule
from bot.wording.labels import MARKS, short_date, shown_value

Handler = Callable[[User, str], list[Reply]]
Press = Callable[[User, act.Action], list[Reply]]

#: Chat modes in which typed text belongs to this side.
MODES = ("return-note", "challenge-text", "challenge-reply")
#: Cases listed by /team before pointing to the full report.
TEAM_LINES = 15
RISK_MARKS = {
    "escalated": "‼",
    "overdue": "!",
    "challenged": "?",
    "due-soon": "·",
    "on-track": "✓",
    "closed": "✓",
}


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
            "/export": lambda user, _rest: [self._export(user)],
        }

    def presses(self) -> dict[type[act.Action], Press]:
        """The buttons this side answers, by kind."""
        return {
            act.OpenCase: self._open_case,
            act.AcceptHandover: self._accept_handover,
            act.HandTo: self._hand_to,
            act.SignOff: self._sign_off,
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
        oversight = gather(self.ctx, teams=self._teams_of(user))
        cases = [case for case in oversight.cases if case.risk != "closed"]
        if not cases:
            return [Reply("No open cases in your team.")]
        lines = [f"{', '.join(oversight.teams)}: {len(cases)} open cases, riskiest first."]
        rows = []
        for case in cases[:TEAM_LINES]:
            lines.append(_team_line(case))
            rows.append((Option.of(f"{case.ref} · {case.officer}", act.OpenCase(case.id)),))
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
        rows = tuple(
            (
                Option.of(
                    f"{verb}: {case.ref} · {run.playbook.title}"[:60],
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
        return [Reply(f"{len(waiting)} run(s) waiting for review.{note}", rows)]

    def _case_command(self, user: User, rest: str) -> list[Reply]:
        if rest:
            return self._case_view(user, access.case_key_of(self.ctx, rest))
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

    def _case_view(self, user: User, ref: str) -> list[Reply]:
        access.find_case(self.ctx, user, ref)  # refused here, unless the user may see it
        cases = gather(self.ctx, case_ref=ref).cases
        return self._show_case(user, cases[0])

    def _show_case(self, user: User, case: CaseFacts) -> list[Reply]:
        zone = self.ctx.zone
        lines = [f"{case.ref} · {case.officer} · {case.risk}"]
        if case.closed_reason:
            lines.append(f"Closed: {case.closed_reason}.")
        if case.handover:
            lines.append(f"In handover to {case.handover['to']} (not yet accepted).")
        lines += event_lines(self.ctx, case)
        buttons: list[tuple[Option, ...]] = []
        for schedule in case.reviews:
            lines.append(review_line(schedule, self.ctx.today()))
            if user.supervises and not case.closed_reason:
                label = f"Hold: {schedule.playbook.title}"[:60]
                buttons.append((Option.of(label, act.HoldReview(case.id, schedule.playbook.id)),))
        for run in case.runs:
            lines += ["", _run_heading(run)]
            signed_by, signed_at = run.signed_off_by, run.signed_off_at
            if run.reopened_after_sign_off and signed_by is not None and signed_at is not None:
                lines.append(
                    f"Reopened after sign-off ({people.name_of(self.ctx, signed_by)}, "
                    f"{_local(signed_at, zone)}): what came after it is marked “new”."
                )
            since = signed_at if run.reopened_after_sign_off else None
            for facts in run.items:
                if facts.status == "not-live":
                    continue
                shown = f": {shown_value(facts.item, facts.value)}" if facts.value else ""
                why = f" ({facts.reason})" if facts.reason else ""
                who = ""
                if facts.who and facts.when:
                    who = f" · {people.name_of(self.ctx, facts.who)} {_local(facts.when, zone)}"
                late = f" · {facts.days_over}d overdue" if facts.days_over else ""
                mark = MARKS.get(facts.status, "·")
                new = ""
                if since is not None and (facts.when is None or facts.when > since):
                    new = " · new"
                lines.append(f"{mark} {facts.item.ask}{shown}{why}{who}{late}{new}")
                earlier = [
                    entry
                    for entry in run.history
                    if entry.kind == "answered" and entry.item == facts.item.id
                ][:-1]
                for entry in earlier:  # Each answer a correction replaced, and who gave it.
                    lines.append(
                        f"   changed from {shown_value(facts.item, entry.value or '')}: "
                        f"{people.name_of(self.ctx, entry.actor)} {_local(entry.at, zone)}"
                    )
                for entry in facts.thread:
                    said = "asked" if entry.kind == "challenged" else "replied"
                    lines.append(
                        f"   {people.name_of(self.ctx, entry.actor)} {said}: “{entry.value}” "
                        f"{_local(entry.at, zone)}"
                    )
            if user.supervises:
                buttons += _run_buttons(run)
        return [Reply("\n".join(lines), tuple(buttons[:12]))]

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

    def _export(self, user: User) -> Reply:
        oversight = gather(self.ctx, teams=self._teams_of(user))
        stamp = self.ctx.now().astimezone(self.ctx.zone)
        self.export_dir.mkdir(parents=True, exist_ok=True)
        name = "-".join("".join(c for c in team if c.isalnum()) for team in oversight.teams)
        path = self.export_dir / f"team-report-{name or 'all'}-{stamp:%Y%m%d-%H%M%S}.html"
        write_team_html(oversight, path)
        return Reply(
            f"Team report for {', '.join(oversight.teams) or 'all teams'}, "
            f"{len(oversight.cases)} cases. It holds case references: keep it on force systems.",
            document=path,
        )

    # --- presses ------------------------------------------------------------------------------

    def _open_case(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.OpenCase)
        return self._case_view(user, access.case_by_id(self.ctx, user, action.case).ref)

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
        assert isinstance(action, act.SignOff)
        outcome = supervising.sign_off(self.ctx, user, self._run_of(user, action.run).run_id)
        assert outcome.run is not None
        return [Reply(f"Signed off: {_named(outcome.run)}. The investigator has been told.")]

    def _return(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ReturnRun)
        run = self._run_of(user, action.run)
        if run.state != "submitted":
            raise NotAllowed(f"{_named(run)} is not waiting for review.")
        chat = self.chat(user)
        chat.mode, chat.run_id = "return-note", run.run_id
        return [Reply(f"Returning {_named(run)}. What needs doing? Type a short note (no names).")]

    def _challenge_menu(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ChallengeMenu)
        run = self._run_of(user, action.run)
        rows = []
        for item in run.items:
            if run.status(item.id).status in ("not-live", "open"):
                continue
            number = run.number(item.id)
            rows.append((Option.of(item.ask[:60], act.ChallengeItem(run.run_id, number)),))
        if not rows:
            return [Reply(f"Nothing in {_named(run)} has been answered yet.")]
        return [Reply(f"Which item of {_named(run)} do you challenge?", tuple(rows[:20]))]

    def _challenge_item(self, user: User, action: act.Action) -> list[Reply]:
        assert isinstance(action, act.ChallengeItem)
        run = self._run_of(user, action.run)
        item = item_at(run, action.item)
        chat = self.chat(user)
        chat.mode, chat.run_id, chat.item = "challenge-text", run.run_id, item.id
        return [Reply(f"Your challenge on “{item.ask}”? Type it (no names).")]

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


def _run_buttons(run: RunFacts) -> list[tuple[Option, ...]]:
    rid, title = run.run_id, run.playbook.title[:30]
    found: list[tuple[Option, ...]] = []
    if run.state == "submitted":
        found.append(
            (
                Option.of(f"Sign off: {title}", act.SignOff(rid)),
                Option.of("Return", act.ReturnRun(rid)),
            )
        )
    for facts in run.with_status("to-countersign"):
        number = facts.number
        label = f"Countersign: {facts.item.ask[:40]}"
        found.append((Option.of(label, act.Countersign(rid, number)),))
    if run.state not in ("not_started", "signed_off"):
        found.append((Option.of(f"Challenge an item: {title}", act.ChallengeMenu(rid)),))
    return found


def _named(run: Run) -> str:
    return f"{run.case_ref} · {run.playbook.title}"


def _local(at: datetime, zone: ZoneInfo) -> str:
    return f"{at.astimezone(zone):%d %b %H:%M}"


def _run_heading(run: RunFacts) -> str:
    playbook = run.playbook
    return (
        f"{playbook.title} v{playbook.version} · {run.state.replace('_', ' ')} · "
        f"{run.settled}/{run.live}"
    )


def _team_line(case: CaseFacts) -> str:
    overdue = sum(len(run.overdue) for run in case.runs)
    explained = sum(len(run.with_status("not-done", "na")) for run in case.runs)
    review = sum(1 for run in case.runs if run.state == "submitted")
    bits = [f"{RISK_MARKS[case.risk]} {case.ref} · {case.officer}"]
    if overdue:
        oldest = max(facts.days_over for run in case.runs for facts in run.overdue)
        bits.append(f"{overdue} overdue (oldest {oldest}d)")
    if explained:
        bits.append(f"{explained} not done/N/A")
    if review:
        bits.append(f"{review} to review")
    if case.handover:
        bits.append(f"in handover to {case.handover['to']}")
    bits.append(f"last {case.last_activity:%d %b}")
    return " · ".join(bits)


def event_lines(ctx: Context, case: CaseFacts) -> list[str]:
    """The case's events in the catalogue's order: a date each, or a count and the latest."""
    today = ctx.today()
    said = []
    for name, milestone in ctx.catalog.milestones.items():
        dates = case.events.all(name)
        if len(dates) == 1:
            said.append(f"{milestone.title} {short_date(dates[0], today)}")
        elif dates:
            said.append(f"{milestone.title} ×{len(dates)} (latest {short_date(dates[-1], today)})")
    return [f"Events: {'; '.join(said)}."] if said else []


def review_line(schedule: Schedule, today: date) -> str:
    """A recurring checklist on a case: missed occurrences, and when the next falls due."""
    bits = [schedule.playbook.title]
    missed = schedule.missed
    if missed:
        days = ", ".join(short_date(due.due, today) for due in missed[:3])
        bits.append(f"{len(missed)} missed ({days})")
    held = sum(1 for due in schedule.occurrences if due.held)
    bits.append(f"{held} held")
    upcoming = schedule.next
    if upcoming is not None:
        bits.append(f"next due {short_date(upcoming.due, today)}")
    return " · ".join(bits)
