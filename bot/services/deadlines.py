"""Due dates and what needs doing: from the case's milestones, the calendar and today."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from bot.core.facts import item_due
from bot.core.people import User
from bot.core.playbook import Item
from bot.core.run import Run
from bot.core.schedule import Standing, due_from, standing
from bot.services.access import load
from bot.services.context import Context

#: Where an item stands when it is late: the digest and the overdue counts look for these.
LATE = ("overdue", "escalate")


@dataclass(frozen=True, slots=True)
class AgendaLine:
    """One item that needs doing: for the morning digest."""

    case_ref: str
    playbook_title: str
    ask: str
    due: date
    standing: Standing
    #: The run, and the item's number in it, so that a button can open the item.
    run_id: int = 0
    number: int = 0


def due(ctx: Context, run: Run, item_id: str) -> date | None:
    """When an item falls due, from the case's events, in working days where it says so."""
    return item_due(run, run.item(item_id), ctx.holidays(), ctx.catalog.settings)


def computed_date(ctx: Context, run: Run, item: Item) -> date | None:
    """The date a date item offers to take with one tap, worked out from its rule."""
    if item.computed is None:
        return None
    return due_from(
        item.computed, run.anchor(item.computed, item), ctx.holidays(), ctx.catalog.settings
    )


def open_items(ctx: Context, run: Run) -> Iterator[tuple[Item, date | None, Standing]]:
    """Each live, unsettled item of a run, with its due date and where it stands today."""
    today = ctx.today()
    holidays = ctx.holidays()
    for item in run.items:
        if not run.is_live(item):
            continue
        # 'Not yet' settles an item for submission but keeps it on the agenda.
        if run.is_settled(item.id) and run.status(item.id).status != "not-yet":
            continue
        when = item_due(run, item, holidays, ctx.catalog.settings)
        yield item, when, standing(when, today, item.escalate, holidays, ctx.catalog.settings)


def overdue(ctx: Context, run: Run) -> list[str]:
    """Ids of live, unsettled items whose due date has passed."""
    return [item.id for item, _due, where in open_items(ctx, run) if where in LATE]


def agenda(ctx: Context, user: User) -> list[AgendaLine]:
    """What is due today, overdue or to escalate in a user's own open runs, soonest first."""
    ctx.fresh()
    lines = []
    for run_id in ctx.uow.runs.under_way_of_officer(user.id):
        run = load(ctx, user, run_id).run
        for item, when, where in open_items(ctx, run):
            if when is not None and where in ("due-today", *LATE):
                lines.append(
                    AgendaLine(
                        run.case_ref,
                        run.playbook.title,
                        item.ask,
                        when,
                        where,
                        run.run_id,
                        run.number(item.id),
                    )
                )
    return sorted(lines, key=lambda line: (line.due, line.case_ref))
