"""The supervisor's side of the conversation, and the investigator's answers to it.

Supervisors see their teams' cases (/team, /case), sign runs off or return them with a note,
challenge an item, countersign a trainee's answer, hand a case over and export the report.
Investigators reply to challenges and accept handovers. Every press is checked again by the
service against who the user is, so a forged button reaches nothing outside their scope.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.conversation.replies import MARKS, ChatState, Option, Reply, screened, shown_value
from bot.core.errors import NotAllowed, NotFound
from bot.core.run import Run, challenge_open
from bot.reports.oversight import CaseFacts, RunFacts, gather
from bot.services import handover
from bot.services.service import Service
from bot.store.users import User

#: Presses this desk answers, and how many ':'-separated parts each has.
DESK_ARITY = {"cs": 2, "so": 2, "rt": 2, "ch": 2, "ci": 3, "cn": 3, "cr": 3, "ho": 2, "hto": 3}
#: Chat modes in which typed text belongs to this desk.
DESK_MODES = ("return-note", "challenge-text", "challenge-reply")
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
SUPERVISOR_HELP = (
    "Supervisor commands: /team for your team's cases, /case REF for a case's completion log, "
    "/signoff and /return for runs waiting for review, /handover REF to hand a case over, "
    "/export for the full report with charts."
)


#: Buttons only a supervisor (or an administrator) may press: sign off, return, challenge,
#: countersign.
SUPERVISING = frozenset({"so", "rt", "ch", "ci", "cn"})


class Desk:
    """Turns supervisors' commands and presses, and replies to them, into service calls."""

    def __init__(
        self, service: Service, chat: Callable[[User], ChatState], export_dir: Path
    ) -> None:
        self.service = service
        self.chat = chat
        self.export_dir = export_dir

    # --- commands -------------------------------------------------------------------------------

    def command(self, user: User, name: str, rest: str) -> list[Reply] | None:
        """Answer a supervisor's command; None when it is not one of this desk's."""
        if name == "/handover":
            return self._handover_menu(user, rest)
        if name not in ("/team", "/case", "/signoff", "/return", "/export"):
            return None
        if user.role not in ("supervisor", "admin") and name != "/case":
            raise NotAllowed("That command is for supervisors.")
        if name == "/team":
            return self._team(user)
        if name == "/case":
            if not rest:
                return [Reply("Send /case with the reference, like /case 43/12345/26.")]
            return self._case_view(user, self.service.case_key_of(rest))
        if name == "/export":
            return [self._export(user)]
        return self._waiting(user, "so" if name == "/signoff" else "rt")

    def _teams_of(self, user: User) -> list[str] | None:
        return None if user.role == "admin" else list(user.teams)

    def _team(self, user: User) -> list[Reply]:
        oversight = gather(self.service, teams=self._teams_of(user))
        cases = [case for case in oversight.cases if case.risk != "closed"]
        if not cases:
            return [Reply("No open cases in your team.")]
        lines = [f"{', '.join(oversight.teams)}: {len(cases)} open cases, riskiest first."]
        rows = []
        for case in cases[:TEAM_LINES]:
            lines.append(_team_line(case))
            rows.append((Option(f"{case.ref} · {case.officer}", f"cs:{case.id}"),))
        if len(cases) > TEAM_LINES:
            lines.append(f"…and {len(cases) - TEAM_LINES} more: send /export for all of them.")
        return [Reply("\n".join(lines), tuple(rows[:10]))]

    def _waiting(self, user: User, kind: str) -> list[Reply]:
        """Runs submitted for review in the user's teams, as buttons to sign off or return."""
        oversight = gather(self.service, teams=self._teams_of(user), open_runs_only=True)
        waiting = [(c, r) for c, r in oversight.runs() if r.state == "submitted"]
        if not waiting:
            return [Reply("Nothing is waiting for your review.")]
        verb = "Sign off" if kind == "so" else "Return"
        rows = tuple(
            (
                Option(
                    f"{verb}: {case.ref} · {run.run.playbook.title}"[:60],
                    f"{kind}:{run.run.run_id}",
                ),
            )
            for case, run in waiting[:20]
        )
        blocked = [
            f"{case.ref} · {run.run.playbook.title}: challenge open"
            for case, run in waiting
            if run.open_challenges
        ]
        note = ("\n" + "\n".join(blocked)) if blocked and kind == "so" else ""
        return [Reply(f"{len(waiting)} run(s) waiting for review.{note}", rows)]

    def _case_view(self, user: User, ref: str) -> list[Reply]:
        self.service.case_row(user, ref)  # refused here, unless the user may see it
        cases = gather(self.service, case_ref=ref).cases
        return self._show_case(user, cases[0])

    def _show_case(self, user: User, case: CaseFacts) -> list[Reply]:
        zone = self.service.zone
        lines = [f"{case.ref} · {case.officer} · {case.risk}"]
        if case.handover:
            lines.append(f"In handover to {case.handover['to']} (not yet accepted).")
        buttons: list[tuple[Option, ...]] = []
        supervising = user.role in ("supervisor", "admin")
        for run in case.runs:
            lines += ["", _run_heading(run)]
            for facts in run.items:
                if facts.status == "not-live":
                    continue
                shown = f": {shown_value(facts.item, facts.value)}" if facts.value else ""
                why = f" ({facts.reason})" if facts.reason else ""
                who = ""
                if facts.who and facts.when:
                    who = f" · {self.service.name_of(facts.who)} {_local(facts.when, zone)}"
                late = f" · {facts.days_over}d overdue" if facts.days_over else ""
                mark = MARKS.get(facts.status, "·")
                lines.append(f"{mark} {facts.item.ask}{shown}{why}{who}{late}")
                earlier = [
                    entry
                    for entry in run.history
                    if entry.kind == "answered" and entry.item == facts.item.id
                ][:-1]
                for entry in earlier:  # Each answer a correction replaced, and who gave it.
                    lines.append(
                        f"   changed from {shown_value(facts.item, entry.value or '')}: "
                        f"{self.service.name_of(entry.actor)} {_local(entry.at, zone)}"
                    )
                for entry in facts.thread:
                    said = "asked" if entry.kind == "challenged" else "replied"
                    lines.append(
                        f"   {self.service.name_of(entry.actor)} {said}: “{entry.value}” "
                        f"{_local(entry.at, zone)}"
                    )
            if supervising:
                buttons += self._run_buttons(run)
        return [Reply("\n".join(lines), tuple(buttons[:12]))]

    def _run_buttons(self, run: RunFacts) -> list[tuple[Option, ...]]:
        rid, title = run.run.run_id, run.run.playbook.title[:30]
        found: list[tuple[Option, ...]] = []
        if run.state == "submitted":
            found.append(
                (Option(f"Sign off: {title}", f"so:{rid}"), Option("Return", f"rt:{rid}"))
            )
        for facts in run.with_status("to-countersign"):
            number = run.run.playbook.number(facts.item.id)
            found.append((Option(f"Countersign: {facts.item.ask[:40]}", f"cn:{rid}:{number}"),))
        if run.state not in ("not_started", "signed_off"):
            found.append((Option(f"Challenge an item: {title}", f"ch:{rid}"),))
        return found

    # --- presses --------------------------------------------------------------------------------

    def press(self, user: User, kind: str, parts: list[str]) -> list[Reply]:
        """Answer one of this desk's buttons; the service checks scope on every one."""
        chat = self.chat(user)
        if kind == "cs":
            return self._case_view(user, self._ref_of(user, int(parts[1])))
        if kind == "ho":
            return [Reply(handover.accept(self.service, user, int(parts[1])))]
        if kind == "hto":
            offer = handover.offer(
                self.service, user, self._ref_of(user, int(parts[1])), int(parts[2])
            )
            return [
                Reply(
                    f"Offered {offer.case_ref} to {self.service.name_of(f'user:{offer.to_officer}')}. "
                    "It stays with its officer until the handover is accepted."
                )
            ]
        run = self.service.run(user, int(parts[1]))
        # Refused at the press, not after the note or reply is typed: a button of another
        # role's screen must not lead anyone on.
        if kind in SUPERVISING and user.role not in ("supervisor", "admin"):
            raise NotAllowed("That is for supervisors.")
        if kind == "cr" and not self.service.is_officer_of(user, run.run_id):
            raise NotAllowed("Only the officer in the case replies to a challenge.")
        if kind == "so":
            outcome = self.service.sign_off(user, run.run_id)
            assert outcome.run is not None
            return [Reply(f"Signed off: {_named(outcome.run)}. The investigator has been told.")]
        if kind == "rt":
            self._require_review(run)
            chat.mode, chat.run_id = "return-note", run.run_id
            return [
                Reply(f"Returning {_named(run)}. What needs doing? Type a short note (no names).")
            ]
        if kind == "ch":
            return [self._challenge_menu(run)]
        item = run.playbook.items[int(parts[2])]
        if kind == "ci":
            chat.mode, chat.run_id, chat.item = "challenge-text", run.run_id, item.id
            return [Reply(f"Your challenge on “{item.ask}”? Type it (no names).")]
        if kind == "cn":
            self.service.countersign(user, run.run_id, item.id)
            return [Reply(f"Countersigned: {item.ask}")]
        # "cr": the investigator replies to a challenge.
        thread = run.thread(item.id)
        if not challenge_open(thread):
            raise NotAllowed("That challenge has already been answered.")
        chat.mode, chat.run_id, chat.item = "challenge-reply", run.run_id, item.id
        return [
            Reply(f"Challenge on “{item.ask}”: “{thread[-1].value}”\nType your reply (no names).")
        ]

    def _ref_of(self, user: User, case_id: int) -> str:
        """The key of the case a button names by id, if the user may see that case.

        A forged button must not name the case it points at: a case out of reach gets the
        same sentence as a case that does not exist.
        """
        found = list(self.service.db.query("select * from cases where id = ?", [case_id]))
        if not found or not self.service.can_see(user, found[0]):
            raise NotFound("That case was not found.")
        return str(found[0]["ref"])

    def _require_review(self, run: Run) -> None:
        if run.state != "submitted":
            raise NotAllowed(f"{_named(run)} is not waiting for review.")

    def _challenge_menu(self, run: Run) -> Reply:
        rows = []
        for index, item in enumerate(run.playbook.items):
            status = run.status(item.id)
            if status.status in ("not-live", "open"):
                continue
            rows.append((Option(item.ask[:60], f"ci:{run.run_id}:{index}"),))
        if not rows:
            return Reply(f"Nothing in {_named(run)} has been answered yet.")
        return Reply(f"Which item of {_named(run)} do you challenge?", tuple(rows[:20]))

    # --- typed text -----------------------------------------------------------------------------

    def typed(self, user: User, text: str) -> list[Reply]:
        """Text typed as a return note, a challenge or a reply to one."""
        chat = self.chat(user)
        mode, run_id, item_id = chat.mode, chat.run_id, chat.item
        if run_id is None:
            chat.mode = "idle"
            return [Reply("Start again from /team.")]
        words = screened(text)
        if mode == "return-note":
            outcome = self.service.send_back(user, run_id, words)
            chat.mode = "idle"
            assert outcome.run is not None
            return [Reply(f"Returned: {_named(outcome.run)}. The investigator has your note.")]
        if item_id is None:
            chat.mode = "idle"
            return [Reply("Start again from /team.")]
        if mode == "challenge-text":
            outcome = self.service.challenge(user, run_id, item_id, words)
            chat.mode, chat.item = "idle", None
            assert outcome.run is not None
            return [
                Reply(
                    f"Challenge sent on {_named(outcome.run)}. It cannot be signed off until "
                    "the investigator replies."
                )
            ]
        outcome = self.service.reply_to_challenge(user, run_id, item_id, words)
        chat.mode, chat.item = "idle", None
        return [Reply("Reply sent to your supervisor.")]

    # --- handover and export --------------------------------------------------------------------

    def _handover_menu(self, user: User, rest: str) -> list[Reply]:
        if not rest:
            return [Reply("Send /handover with the case reference, like /handover 43/12345/26.")]
        ref = self.service.case_key_of(rest)
        people = handover.candidates(self.service, user, ref)
        if not people:
            return [Reply("There is no other investigator in the team to hand it to.")]
        case_id = self.service.db.execute("select id from cases where ref = ?", [ref]).fetchone()[
            0
        ]
        rows = tuple(
            (Option(person.name, f"hto:{case_id}:{person.id}"),) for person in people[:20]
        )
        return [Reply(f"Hand {ref} to whom? They must accept it.", rows)]

    def _export(self, user: User) -> Reply:
        from bot.reports.html import render_html
        from bot.reports.team import team_dict

        oversight = gather(self.service, teams=self._teams_of(user))
        stamp = self.service.clock().astimezone(self.service.zone)
        self.export_dir.mkdir(parents=True, exist_ok=True)
        name = "-".join("".join(c for c in team if c.isalnum()) for team in oversight.teams)
        path = self.export_dir / f"team-report-{name or 'all'}-{stamp:%Y%m%d-%H%M%S}.html"
        path.write_text(render_html(team_dict(oversight)), encoding="utf-8")
        return Reply(
            f"Team report for {', '.join(oversight.teams) or 'all teams'}, "
            f"{len(oversight.cases)} cases. It holds case references: keep it on force systems.",
            document=path,
        )


def _named(run: Run) -> str:
    return f"{run.case_ref} · {run.playbook.title}"


def _local(at: datetime, zone: object) -> str:
    return f"{at.astimezone(zone):%d %b %H:%M}"  # type: ignore[arg-type]


def _run_heading(run: RunFacts) -> str:
    playbook = run.run.playbook
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
