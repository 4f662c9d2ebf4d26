"""A case as supervisors read it in the chat: its events, reviews and every run's items, with
due dates, paged so that no page is longer than a phone's message; and the team's lines."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.conversation import actions as act
from bot.conversation.replies import Option, Reply
from bot.core.people import User
from bot.reports.oversight import CaseFacts, ItemFacts, RunFacts
from bot.services import people
from bot.services.context import Context
from bot.services.reviews import Schedule
from bot.wording.labels import (
    MARKS,
    RISK_WORDS,
    counted,
    cut,
    run_state,
    short_date,
    shown_value,
    stamp,
)

#: The most a page of a case holds, in UTF-16 units (Telegram allows 4,096 in a message): room
#: is left for the page's heading and for escaping.
PAGE_UNITS = 3_500
RISK_MARKS = {
    "escalated": "‼",
    "overdue": "!",
    "challenged": "?",
    "due-soon": "·",
    "on-track": "✓",
    "closed": "✓",
}
Rows = list[tuple[Option, ...]]


def units(text: str) -> int:
    """How long a message platform such as Telegram counts text: in UTF-16 units."""
    return len(text.encode("utf-16-le")) // 2


def case_page(ctx: Context, user: User, case: CaseFacts, page: int = 0) -> Reply:
    """One page of a case: the heading, then the events, reviews and runs that fit."""
    heading = f"{case.ref} · {case.officer} · {RISK_WORDS.get(case.risk, case.risk)}"
    pages: list[tuple[list[str], Rows]] = [([], [])]
    for lines, buttons in _blocks(ctx, user, case):
        for line in lines:
            shown, _ = pages[-1]
            if shown and sum(units(x) + 1 for x in shown) + units(line) > PAGE_UNITS:
                pages.append(([], []))
            pages[-1][0].append(line)
        pages[-1][1].extend(buttons)
    page = min(max(page, 0), len(pages) - 1)
    lines, rows = pages[page]
    if len(pages) > 1:
        heading = f"{heading} · page {page + 1} of {len(pages)}"
        turn = []
        if page > 0:
            turn.append(Option.of("‹ Previous", act.CasePage(case.id, page - 1)))
        if page + 1 < len(pages):
            turn.append(Option.of("More ›", act.CasePage(case.id, page + 1)))
        rows = [*rows, tuple(turn)]
    return Reply("\n".join([heading, *(lines[1:] if lines[:1] == [""] else lines)]), tuple(rows))


def _blocks(ctx: Context, user: User, case: CaseFacts) -> list[tuple[list[str], Rows]]:
    """The case in blocks, each with its buttons: the case's own lines, then a block a run."""
    lines: list[str] = []
    buttons: Rows = []
    if case.closed_reason:
        lines.append(f"Closed: {case.closed_reason}.")
    if case.handover:
        lines.append(f"In handover to {case.handover['to']} (not yet accepted).")
    lines += event_lines(ctx, case)
    for schedule in case.reviews:
        lines.append(review_line(schedule, ctx.today()))
        if user.supervises and not case.closed_reason:
            label = cut(f"Hold: {schedule.playbook.title}", 60)
            buttons.append((Option.of(label, act.HoldReview(case.id, schedule.playbook.id)),))
    blocks = [(lines, buttons)]
    for run in case.runs:
        blocks.append((["", *run_lines(ctx, run)], run_buttons(run) if user.supervises else []))
    return blocks


def run_lines(ctx: Context, run: RunFacts) -> list[str]:
    """A run's heading and its items: answer, reason, who and when, due or overdue, corrections
    and challenge threads."""
    zone, today = ctx.zone, ctx.today()
    lines = [run_heading(run)]
    signed_off = run.run.signed_off_by
    if run.run.reopened_after_sign_off and signed_off is not None:
        lines.append(
            f"Reopened after sign-off ({people.name_of(ctx, signed_off.actor)}, "
            f"{_local(signed_off.at, zone, today)}): what came after it is marked “new”."
        )
    since = signed_off.at if signed_off and run.run.reopened_after_sign_off else None
    for facts in run.items:
        if facts.status == "not-live":
            continue
        lines.append(_item_line(ctx, facts, since))
        earlier = [
            entry
            for entry in run.history
            if entry.kind == "answered" and entry.item == facts.item.id
        ][:-1]
        for entry in earlier:  # Each answer a correction replaced, and who gave it.
            lines.append(
                f"   changed from {shown_value(facts.item, entry.value or '')}: "
                f"{people.name_of(ctx, entry.actor)} {_local(entry.at, zone, today)}"
            )
        for entry in facts.thread:
            said = "asked" if entry.kind == "challenged" else "replied"
            lines.append(
                f"   {people.name_of(ctx, entry.actor)} {said}: “{entry.value}” "
                f"{_local(entry.at, zone, today)}"
            )
    return lines


def _item_line(ctx: Context, facts: ItemFacts, since: datetime | None) -> str:
    """One item: its mark, question, answer and reason, who and when, and when it falls due."""
    zone, today = ctx.zone, ctx.today()
    shown = f": {shown_value(facts.item, facts.value)}" if facts.value else ""
    why = f" — {facts.reason}" if facts.reason else ""
    who = ""
    if facts.who and facts.when:
        who = f" · {people.name_of(ctx, facts.who)} {_local(facts.when, zone, today)}"
    when = ""
    if facts.days_over:
        when = f" · {counted(facts.days_over, 'day')} overdue"
    elif facts.due is not None and facts.status in ("open", "needs-reason", "later", "not-yet"):
        when = f" · due {short_date(facts.due, today)}"
    new = ""
    if since is not None and (facts.when is None or facts.when > since):
        new = " · new"
    return f"{MARKS.get(facts.status, '·')} {facts.item.ask}{shown}{why}{who}{when}{new}"


def run_buttons(run: RunFacts) -> Rows:
    """What a supervisor can do with a run: sign it off or return it, countersign, challenge."""
    rid, title = run.run.run_id, cut(run.run.playbook.title, 30)
    found: Rows = []
    if run.state == "submitted":
        found.append(
            (
                Option.of(f"Sign off: {title}", act.SignOff(rid)),
                Option.of("Return", act.ReturnRun(rid)),
            )
        )
    for facts in run.with_status("to-countersign"):
        number = run.run.number(facts.item.id)
        label = f"Countersign: {cut(facts.item.ask, 40)}"
        found.append((Option.of(label, act.Countersign(rid, number)),))
    if run.state not in ("not_started", "signed_off"):
        found.append((Option.of(f"Challenge an item: {title}", act.ChallengeMenu(rid)),))
    return found


def _local(at: datetime, zone: ZoneInfo, today: date) -> str:
    return stamp(at.astimezone(zone), today)


def run_heading(run: RunFacts) -> str:
    """A run's heading: its playbook, version, state in words and progress."""
    playbook = run.run.playbook
    return (
        f"{playbook.title} v{playbook.version} · {run_state(run.state)} · {run.settled}/{run.live}"
    )


def team_line(case: CaseFacts) -> str:
    """One case of a team, for /team: risk, officer, what is late or waiting, last activity."""
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
    bits.append(f"last {short_date(case.last_activity, case.last_activity)}")
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
