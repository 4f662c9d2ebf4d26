"""The reports' facts as they were worked out before the read model: every run rebuilt from its
log records, item by item. The read model must give the reports exactly these facts.

This is a second, independent working of what `bot.store.facts` keeps: it reads nothing of
the read model's tables, only the log, the runs and the case's events.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.core.facts import item_due
from bot.core.history import origin
from bot.core.lifecycle import UNDER_WAY
from bot.core.schedule import standing
from bot.services.context import Context
from bot.store.cases import Scope

SETTLED = ("done", "not-done", "na", "to-countersign", "not-yet")
INSIGHT_SETTLED = ("done", "not-done", "na", "to-countersign")
UNSETTLED = ("open", "later", "needs-reason")


@dataclass(frozen=True)
class Replayed:
    """One item of one run, as a replay of its log gives it."""

    run_id: int
    version_id: int
    item: str
    facts: tuple[Any, ...]


def replayed_runs(ctx: Context, teams: tuple[str, ...] | None = None) -> dict[int, dict[str, Any]]:
    """Every run not moved, by id: its state, last activity and items' facts, from its log."""
    ctx.fresh()
    uow = ctx.uow
    today = ctx.today()
    holidays = ctx.holidays()
    settings = ctx.catalog.settings
    found: dict[int, dict[str, Any]] = {}
    for team in teams or uow.cases.teams():
        scope = Scope((team,))
        entries = uow.runs.entries_in(scope)
        for rows in uow.runs.rows_in(scope).values():
            for row in rows:
                stored = uow.runs.get(row.id)
                assert stored is not None
                run = stored.run
                history = entries.get(row.id, [])
                first: dict[str, datetime] = {}
                for entry in history:
                    if entry.kind in ("answered", "reason-given") and entry.item:
                        first.setdefault(entry.item, origin(entry)[1])
                items = {}
                for status in run.statuses():
                    item = status.item
                    due = item_due(run, item, holidays, settings)
                    where, days_over = "not-due", 0
                    waiting = ("open", "later", "needs-reason", "not-yet")
                    if status.status in waiting and run.state in UNDER_WAY:
                        where = standing(due, today, item.escalate, holidays, settings)
                        days_over = max((today - due).days, 0) if due is not None else 0
                    settled = first.get(item.id) if status.status in SETTLED else None
                    items[item.id] = (
                        status.status,
                        status.value,
                        status.reason,
                        status.actor,
                        status.at,
                        settled,
                        status.corrections,
                        due,
                        where,
                        days_over,
                        tuple((e.kind, e.value, e.actor, e.at) for e in run.thread(item.id)),
                    )
                found[row.id] = {
                    "version_id": row.version_id,
                    "state": run.state,
                    "last_activity": history[-1].at if history else None,
                    "started": next((e.at for e in history if e.kind == "run-started"), None),
                    "deferred": {e.item for e in history if e.kind == "deferred"},
                    "items": items,
                }
    return found


def reported_runs(oversight: Any) -> dict[int, dict[str, Any]]:
    """The same facts as the reports now read them (from the read model)."""
    found = {}
    for _case, run in oversight.runs():
        found[run.run_id] = {
            "state": run.state,
            "last_activity": run.last_activity,
            "items": {
                facts.item.id: (
                    facts.status,
                    facts.value,
                    facts.reason,
                    facts.who,
                    facts.when,
                    facts.first_settled,
                    facts.corrections,
                    facts.due,
                    facts.standing,
                    facts.days_over,
                    tuple((e.kind, e.value, e.actor, e.at) for e in facts.thread),
                )
                for facts in run.items
            },
        }
    return found


def replayed_insights(ctx: Context) -> dict[tuple[str, int, str], tuple[Any, ...]]:
    """Field feedback's totals per item (counted under the item a copy is asked for), as the
    replay gives them: (playbook, version, item) -> (asked, no, na, later, challenged,
    with_due, overdue, still_open, median days, reasons most given first)."""
    totals: dict[tuple[str, int, str], list[Any]] = {}
    for run in replayed_runs(ctx).values():
        playbook = ctx.catalog.playbook_of_version(run["version_id"])
        for item_id, facts in run["items"].items():
            status, value, reason, _who, _when, first, _c, due, _where, days_over, thread = facts
            if status == "not-live":
                continue
            base = item_id.split("@")[0]
            key = (playbook.id, playbook.version, base)
            tally = totals.setdefault(key, [0, 0, 0, 0, 0, 0, 0, 0, [], Counter()])
            tally[0] += 1
            tally[1] += value == "no"
            tally[2] += value == "na"
            tally[3] += item_id in run["deferred"]
            tally[4] += any(kind == "challenged" for kind, *_ in thread)
            if due is not None:
                tally[5] += 1
                on_time = first.date() <= due if first is not None else None
                if first is None and days_over > 0:
                    on_time = False
                tally[6] += on_time is False
            if reason:
                tally[9][reason] += 1
            if status in INSIGHT_SETTLED and first is not None and run["started"] is not None:
                tally[8].append((first - run["started"]).total_seconds() / 86400)
            elif status in UNSETTLED:
                tally[7] += 1
    return {
        key: (
            *tally[:8],
            statistics.median(tally[8]) if tally[8] else None,
            sorted(tally[9].items(), key=lambda pair: (-pair[1], pair[0])),
        )
        for key, tally in totals.items()
    }


def dates_of(found: dict[int, dict[str, Any]]) -> set[date]:
    """Every due date among the facts (for tests that want standings to vary)."""
    return {facts[7] for run in found.values() for facts in run["items"].values() if facts[7]}
