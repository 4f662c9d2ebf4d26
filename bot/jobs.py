"""Scheduled work: escalations, the weekly summary, who gets the morning digest, the weekly
retention notice and the daily checkpoint of the log.

Escalations and summaries are kept as notices in the outbox with a key that makes each one
once only: an item escalates once per due date, a case's missed reviews once for each latest one
missed, a team's summary and the retention notice once per week, however often the jobs that
look for them run or restart. The faces schedule these and deliver the notices.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.config import Settings
from bot.core.people import User
from bot.reports.escalations import ReviewEscalation, escalating
from bot.reports.formats import remove_exports_before
from bot.reports.measures import measure
from bot.reports.oversight import gather
from bot.services import notifications, people, records, retention
from bot.services.context import Context


def teams_with_cases(ctx: Context) -> list[str]:
    """Every team that has a case: the unit the escalation job works through, one at a time."""
    return ctx.uow.cases.teams()


def queue_escalations(ctx: Context, team: str | None = None) -> int:
    """Tell supervisors of every open item past its `escalate` point, and of every review missed
    past its own (one team, or every team); how many notices are new."""
    found = escalating(ctx, team)
    now = ctx.now()
    with ctx.transaction() as uow:
        batch = notifications.Batch(uow, now)
        for item in found.items:
            due = item.due.isoformat()
            detail = {
                "ask": item.item.ask,
                "due": due,
                "days": str(item.days_over),
                "officer": item.officer,
            }
            key = f"escalate:{item.run_id}:{item.item.id}:{due}"
            batch.tell_supervisors(item.case, "escalation", detail, key)
            # The officer hears it from the bot too, not first from the supervisor.
            mine = {
                **detail,
                "case_ref": item.case.ref,
                "run_id": str(item.run_id),
                "item": str(item.number),
            }
            batch.tell([item.case.officer_id], "escalation-officer", mine, f"{key}:officer")
        for review, missed in latest_missed(found.reviews):
            case, due = review.case, review.due.isoformat()
            detail = {
                "case_ref": case.ref,
                "case_id": str(case.id),
                "title": review.playbook.title,
                "due": due,
                "days": str(review.days_over),
                "missed": str(missed),
            }
            # Keyed by the latest occurrence missed: told again only when another is missed.
            key = f"review:{case.id}:{review.playbook.id}:{due}"
            batch.tell_supervisors(case, "review-missed", detail, key)
        return batch.keep()


def latest_missed(reviews: Sequence[ReviewEscalation]) -> list[tuple[ReviewEscalation, int]]:
    """Each case's latest review missed of each recurring playbook, and how many it has missed,
    in the order they come.

    One notice per case, not one per occurrence: a case brought in with its history, or left a
    year without review, had missed a dozen or more, and its supervisor was told of each."""
    latest: dict[tuple[int, str], ReviewEscalation] = {}
    counts: Counter[tuple[int, str]] = Counter()
    for review in reviews:
        key = (review.case.id, review.playbook.id)
        counts[key] += 1
        if key not in latest or review.due > latest[key].due:
            latest[key] = review
    return [(review, counts[key]) for key, review in latest.items()]


def weekly_summary(ctx: Context) -> int:
    """Queue each supervisor's summary of their teams for this week; how many were queued."""
    week = ctx.today().isocalendar()
    key = f"weekly:{week.year}-W{week.week:02d}"
    queued = 0
    for supervisor in people.enrolled(ctx, "supervisor"):
        facts = summary_facts(ctx, supervisor)
        with ctx.transaction() as uow:
            queued += notifications.tell(uow, [supervisor.id], "weekly", facts, ctx.now(), key)
    return queued


def retention_notice(ctx: Context) -> int:
    """Tell the administrators, once a week, how many closed cases are due for retention review
    or disposal; how many notices were queued (none when no case is due).

    It counts and names no case: the list, and what is done about each, stay on the server
    (`soteria-bot retention`), where disposal is done under a person's name.
    """
    due = retention.due(ctx)
    if not due:
        return 0
    week = ctx.today().isocalendar()
    facts = {
        "review": str(sum(1 for case in due if case.standing == "review")),
        "dispose": str(sum(1 for case in due if case.standing == "dispose")),
    }
    admins = [admin.id for admin in people.enrolled(ctx, "admin")]
    with ctx.transaction() as uow:
        return notifications.tell(
            uow,
            admins,
            "retention-due",
            facts,
            ctx.now(),
            f"retention:{week.year}-W{week.week:02d}",
        )


def summary_facts(ctx: Context, supervisor: User) -> dict[str, str]:
    """A week's picture of a supervisor's teams, as the facts the weekly notice words."""
    oversight = gather(ctx, teams=list(supervisor.teams))
    open_cases = [case for case in oversight.cases if case.risk != "closed"]
    runs = list(oversight.runs())
    riskiest = [case for case in open_cases if case.risk in ("escalated", "overdue")][:5]
    lows = [r for r in measure(oversight) if r.share is not None and r.share < 0.8][:3]
    return {
        "teams": ", ".join(supervisor.teams),
        "date": oversight.today.isoformat(),
        "open": str(len(open_cases)),
        "overdue": str(sum(len(run.overdue) for _case, run in runs)),
        "escalated": str(
            sum(1 for _case, run in runs for f in run.overdue if f.standing == "escalate")
        ),
        "to_sign": str(sum(1 for _case, run in runs if run.state == "submitted")),
        "challenges": str(sum(len(run.open_challenges) for _case, run in runs)),
        "handovers": str(sum(1 for case in oversight.cases if case.handover)),
        "urgent": json.dumps([[case.ref, case.officer] for case in riskiest]),
        "low": json.dumps([[r.title, r.share] for r in lows]),
    }


def digest_recipients(ctx: Context) -> list[User]:
    """Everyone the morning digest may go to: enrolled investigators."""
    return people.enrolled(ctx, "investigator")


def write_checkpoint(settings: Settings, now: datetime) -> records.Written:
    """Verify the log and sign its head into the day's checkpoint, on a connection of its own.

    It reads the database afresh (read-only) rather than through the bot's connection, so it
    can run on a thread of its own while the bot goes on taking answers.
    """
    anchors = records.Anchors(settings.checkpoint_key_path, settings.checkpoints_dir)
    return records.checkpoint(settings.db_path, anchors, now)


def remove_old_exports(settings: Settings, now: datetime) -> int:
    """Remove exported reports kept longer than SOTERIA_EXPORT_HOURS; how many were removed.

    They hold case references: one the Bot API server could not send waits there for an
    administrator, but not for ever.
    """
    before = now - timedelta(hours=settings.export_hours)
    return remove_exports_before(settings.reports_dir, before)
