"""What escalates today in a team: items waiting past their escalation point, and supervisory
reviews missed past theirs, in the order supervisors are told of them.

The escalation job runs through every team on a timer, so it reads only what can escalate: the
read model's rows still waiting past their due date in runs under way (a few in a thousand),
and each case's reviews. `/team` reads everything (`oversight.gather`); both work out an item's
standing with the same `standing`, and a test holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.core.case import Case
from bot.core.events import Events
from bot.core.facts import item_at, number_at
from bot.core.playbook import Item, Playbook
from bot.core.schedule import Standings
from bot.services.context import Context
from bot.services.reviews import Schedules, recurring
from bot.store.cases import Scope

#: Where a closed case sorts among cases to escalate: last, as /team lists it.
CLOSED_LAST = 1


# Not frozen: a force's first scan finds tens of thousands of reviews missed, and a frozen
# dataclass takes three times as long to build. Nothing changes them once built.
@dataclass(slots=True)
class ItemEscalation:
    """An item of a run under way, waiting past its escalation point."""

    case: Case
    officer: str
    run_id: int
    item: Item
    #: The number a button names the item by.
    number: int
    due: date
    days_over: int


@dataclass(slots=True)
class ReviewEscalation:
    """An occurrence of a recurring playbook (a supervisory review) missed past its point."""

    case: Case
    playbook: Playbook
    due: date
    days_over: int


@dataclass(frozen=True, slots=True)
class Escalations:
    """Everything escalating in the cases read, items first, as the job tells of them."""

    items: list[ItemEscalation]
    reviews: list[ReviewEscalation]


@dataclass(frozen=True, slots=True)
class _Held:
    """A run of a recurring playbook, as a review's schedule reads it."""

    run_id: int
    playbook: Playbook
    state: str
    due_on: date | None


def escalating(ctx: Context, team: str | None = None) -> Escalations:
    """Everything escalating today in one team's cases (every team's when None).

    In the order the job has always told of them: case by case as `/team` lists them
    (riskiest, then oldest: every case with anything escalating is 'escalated', bar a closed
    one, listed last), and within a case run by run, the longest overdue first.
    """
    ctx.fresh()
    scope = Scope((team,) if team else None)
    today = ctx.today()
    uow = ctx.uow
    with uow.reading():
        cases = {case.id: case for case in uow.cases.in_scope(scope)}
        names = uow.users.names()
        waiting = uow.facts.waiting_past(scope, today)
        reviews = recurring(ctx)
        held = uow.facts.held_in(scope, [playbook.id for playbook in reviews]) if reviews else []
        # A review's schedule reads only the milestones it counts from or falls on.
        milestones = {
            name
            for playbook in reviews
            if playbook.repeat
            for name in playbook.repeat.milestones()
        }
        events = uow.events.in_scope(scope, sorted(milestones)) if reviews else {}
    order = {case_id: _case_order(case) for case_id, case in cases.items()}
    items = _items(ctx, cases, names, waiting, today)
    items.sort(key=lambda found: (order[found.case.id], found.run_id, found.due))
    missed = _reviews(ctx, cases, events, held, today)
    missed.sort(key=lambda found: order[found.case.id])
    return Escalations(items, missed)


def _case_order(case: Case) -> tuple[int, datetime, int]:
    """Where a case with something escalating comes in `/team`'s order (`CaseFacts.risk`)."""
    closed = case.closed and case.closed_reason is not None
    return (CLOSED_LAST if closed else 0, case.opened_at, case.id)


def _items(
    ctx: Context,
    cases: dict[int, Case],
    names: dict[int, str],
    waiting: Sequence[tuple[int, int, int, int, str, str]],
    today: date,
) -> list[ItemEscalation]:
    """The rows waiting past their due date whose escalation point has come, in row order."""
    standings = Standings(today, ctx.holidays(), ctx.catalog.settings)
    found = []
    # Rows come by run and place: sorted later by due date, a run's ties stay in place order.
    for case_id, run_id, version_id, place, item_id, due in sorted(waiting, key=_run_and_place):
        item = item_at(ctx.catalog.playbook_of_version(version_id), place, item_id)
        when = date.fromisoformat(due)
        if standings.of(when, item.escalate) != "escalate":
            continue
        case = cases[case_id]
        officer = names.get(case.officer_id, "someone")
        days = (today - when).days
        found.append(ItemEscalation(case, officer, run_id, item, number_at(place), when, days))
    return found


def _run_and_place(row: tuple[int, int, int, int, str, str]) -> tuple[int, int]:
    return row[1], row[3]


def _reviews(
    ctx: Context,
    cases: dict[int, Case],
    events: dict[int, Events],
    held: Sequence[tuple[int, int, int, str, str | None]],
    today: date,
) -> list[ReviewEscalation]:
    """Each open case's reviews missed past their escalation point, case by case (by id)."""
    runs: dict[int, list[_Held]] = {}
    for case_id, run_id, version_id, state, review_due in held:
        playbook = ctx.catalog.playbook_of_version(version_id)
        due_on = date.fromisoformat(review_due) if review_due else None
        runs.setdefault(case_id, []).append(_Held(run_id, playbook, state, due_on))
    found = []
    reckoned = Schedules(ctx, today)
    for case_id, case in cases.items():
        if case.closed:
            continue  # Nothing falls due on a closed case.
        case_events = events.get(case_id)
        if case_events is None:
            case_events = Events()
        kept = reckoned.of(case, case_events, runs.get(case_id, []))
        for schedule in kept:
            for missed in schedule.missed:
                if missed.standing == "escalate":
                    days = (today - missed.due).days
                    found.append(ReviewEscalation(case, schedule.playbook, missed.due, days))
    return found
