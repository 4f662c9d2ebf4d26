"""What the bot tells supervisors unasked: items past their escalation point, and the week.

Both are kept as notices in the outbox (see bot.store.notices) with a key that makes each one
once only: an item escalates once per due date, a team's summary once per week, however often
the jobs that look for them run or restart.
"""

from __future__ import annotations

from bot.reports.measures import measure
from bot.reports.oversight import gather
from bot.services.service import Service
from bot.store.users import find_user
from bot.wording import texts


def teams_with_cases(service: Service) -> list[str]:
    """Every team that has a case: the unit the escalation job works through, one at a time."""
    return [row[0] for row in service.db.execute("select distinct team from cases order by team")]


def queue_escalations(service: Service, team: str | None = None) -> int:
    """Tell supervisors of every open item past its `escalate` point (one team, or every team);
    how many notices are new."""
    oversight = gather(service, teams=[team] if team else None, open_runs_only=True)
    now = service.clock()
    queued = 0

    def work() -> None:
        nonlocal queued
        for case, run in oversight.runs():
            for facts in run.overdue:
                if facts.standing != "escalate" or facts.due is None:
                    continue
                text = texts.ESCALATED.format(
                    ref=case.ref, ask=facts.item.ask, due=f"{facts.due:%d %b}",
                    late=f"{facts.days_over} days overdue", name=case.officer,
                )  # fmt: skip
                key = f"escalate:{run.run.run_id}:{facts.item.id}:{facts.due.isoformat()}"
                where = {"id": case.id, "ref": case.ref, "team": case.team}
                queued += service.tell_supervisors(where, "escalation", text, now, key)

    service.write(work)
    return queued


def weekly_summary(service: Service) -> int:
    """Queue each supervisor's summary of their teams for this week; how many were queued."""
    now = service.clock()
    week = service.today().isocalendar()
    queued = 0
    supervisors = service.db.execute(
        "select id from users where role = 'supervisor' and revoked_at is null order by id"
    ).fetchall()
    for (user_id,) in supervisors:
        full = find_user(service.db, user_id=user_id)  # with every team they oversee
        if full is None:
            continue
        text = summary_text(service, full.teams)
        key = f"weekly:{week.year}-W{week.week:02d}"

        def work(user_id: int = full.id, text: str = text, key: str = key) -> int:
            return service.tell([user_id], "weekly", text, now, dedupe_key=key)

        queued += service.write(work)
    return queued


def summary_text(service: Service, teams: tuple[str, ...]) -> str:
    """A week's picture of some teams in a few lines."""
    oversight = gather(service, teams=list(teams))
    open_cases = [case for case in oversight.cases if case.risk != "closed"]
    overdue = sum(len(run.overdue) for _case, run in oversight.runs())
    escalated = sum(
        1 for _case, run in oversight.runs() for f in run.overdue if f.standing == "escalate"
    )
    to_sign = sum(1 for _case, run in oversight.runs() if run.state == "submitted")
    challenges = sum(len(run.open_challenges) for _case, run in oversight.runs())
    handovers = sum(1 for case in oversight.cases if case.handover)
    lines = [
        f"Weekly summary · {', '.join(teams)} · {oversight.today:%d %b %Y}",
        f"{len(open_cases)} open cases · {overdue} items overdue ({escalated} escalated)",
        f"{to_sign} runs waiting for sign-off · {challenges} challenges open · "
        f"{handovers} handovers pending",
    ]
    riskiest = [case for case in open_cases if case.risk in ("escalated", "overdue")][:5]
    if riskiest:
        lines.append("Most urgent: " + ", ".join(f"{c.ref} ({c.officer})" for c in riskiest))
    lows = [r for r in measure(oversight) if r.share is not None and r.share < 0.8][:3]
    if lows:
        lines.append(
            "Below 80%: "
            + "; ".join(f"{r.title} {r.share:.0%}" for r in lows if r.share is not None)
        )
    return "\n".join(lines)
