"""What use cases did and what others are told, in words, with the buttons that go with them.

Use cases return facts and keep notices as facts; this is where they become sentences (from
the templates in `bot.wording`) and buttons (from the one action grammar).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.conversation import actions as act
from bot.conversation.replies import Option, Reply
from bot.core.people import User
from bot.reports.oversight import gather
from bot.services.context import Context
from bot.services.notifications import Notice
from bot.services.outcomes import (
    Fact,
    MilestoneRecorded,
    PlaybookOpened,
    PlaybookStarted,
    RunMoved,
)
from bot.wording import texts
from bot.wording.labels import counted, full_date, ordinal, short_date
from bot.wording.notices import notice_text

#: How many open items a handover message lists before saying how many more there are.
LISTED = 12


def outcome_lines(facts: Iterable[Fact]) -> list[str]:
    """What a command set going, a sentence each, in the order it happened."""
    lines = []
    for fact in facts:
        if isinstance(fact, MilestoneRecorded):
            template = texts.MILESTONE_MOVED if fact.moved_from else texts.MILESTONE_RECORDED
            title = fact.title
            if fact.occurrence > 1:
                title = f"{title} ({ordinal(fact.occurrence)})"
            was = full_date(fact.moved_from) if fact.moved_from else ""
            lines.append(template.format(title=title, when=full_date(fact.when), was=was))
        elif isinstance(fact, PlaybookStarted):
            lines.append(texts.PLAYBOOK_STARTED.format(title=fact.title))
        elif isinstance(fact, PlaybookOpened):
            lines.append(texts.PLAYBOOK_OPENED.format(title=fact.title))
        elif isinstance(fact, RunMoved):
            carried = counted(fact.carried, "answer")
            lines.append(
                texts.RUN_MOVED.format(version=fact.version, title=fact.title, carried=carried)
            )
    return lines


def notice_reply(ctx: Context, notice: Notice) -> Reply:
    """A notice in words, with the button that acts on it."""
    if not notice.params and notice.text:  # Kept as words by an older release.
        buttons = tuple((Option(label, action),) for label, action in notice.buttons)
        return Reply(notice.text, buttons)
    facts = notice.params
    items = handover_items(ctx, facts["case_ref"]) if notice.kind == "handover" else ()
    found = buttons_of(notice)
    # A notice's buttons side by side when they are two choices about one thing.
    rows: tuple[tuple[Option, ...], ...] = (
        (tuple(found),) if notice.kind == "challenged" else tuple((b,) for b in found)
    )
    return Reply(notice_text(notice.kind, facts, items), rows)


def buttons_of(notice: Notice) -> list[Option]:
    """The buttons a notice carries: open the case, carry on, reply, accept."""
    facts = notice.params
    if not facts:
        return [Option(label, action) for label, action in notice.buttons]
    kind = notice.kind
    if kind in ("returned", "reopened-officer"):
        return [Option.of("Carry on", act.OpenRun(int(facts["run_id"])))]
    if kind == "challenged":
        run, item = int(facts["run_id"]), int(facts["item"])
        # The officer may answer the question, or put the answer right (which answers it).
        return [
            Option.of("Reply", act.ReplyToChallenge(run, item)),
            Option.of("Change the answer", act.Revisit(run, item)),
        ]
    if kind == "escalation-officer" and "run_id" in facts:
        return [Option.of("Open it", act.Revisit(int(facts["run_id"]), int(facts["item"])))]
    if kind == "handover":
        accept = act.AcceptHandover(int(facts["handover_id"]))
        return [Option.of(f"Accept {facts['case_ref']}", accept)]
    if "case_id" in facts and kind != "handover-accepted":
        return [Option.of(f"Open {facts['case_ref']}", act.OpenCase(int(facts["case_id"])))]
    return []


def handover_items(ctx: Context, ref: str) -> Sequence[str]:
    """What the new officer takes on: overdue, later, challenged and victim updates due."""
    lines = []
    for case in gather(ctx, case_ref=ref).cases:
        for run in case.runs:
            title = run.run.playbook.title
            for facts in run.overdue:
                lines.append(f"• {title}: {facts.item.ask} (overdue {facts.days_over}d)")
            for facts in run.open_challenges:
                lines.append(f"• {title}: {facts.item.ask} (challenged)")
            for facts in run.with_status("later"):
                if facts.standing not in ("overdue", "escalate"):
                    lines.append(f"• {title}: {facts.item.ask} (left for later)")
            for facts in run.with_status("open", "needs-reason"):
                if facts.item.focus == "victim" and facts.due and facts.days_over == 0:
                    lines.append(
                        f"• {title}: {facts.item.ask} (victim update due "
                        f"{short_date(facts.due, facts.due)})"
                    )
    if len(lines) > LISTED:
        lines = [*lines[:LISTED], f"…and {len(lines) - LISTED} more."]
    return lines


def no_open_cases(user: User) -> str:
    """Said to someone with no case of their own: only an investigator is pointed to /new."""
    if user.role == "investigator":
        return "You have no open cases. Send /new to open one."
    return "You have no open cases of your own. Send /team for your team's."
