"""Finding items that can never be asked, by trying every combination of the answers they read."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

from bot.core.condition import Answers, Condition, milestones_in
from bot.core.playbook import Item

# --- liveness --------------------------------------------------------------------------------

# Enumerating every combination of the answers a condition reads stays cheap for the small
# conditions trainers write; past this many combinations the check is skipped, not guessed.
MAX_COMBINATIONS = 4096


def never_live(items: Iterable[Item]) -> list[Item]:
    """Return the items whose condition can never hold, whatever is answered or recorded.

    Only items whose conditions read other items in `items` are judged, so a playbook with
    other mistakes (items left out) gets no false reports.
    """
    by_id = {item.id: item for item in items}
    dead: list[Item] = []
    for item in by_id.values():
        if item.when is None or not _reads_only(item, by_id):
            continue
        if _satisfiable(item.when, by_id) is False:
            dead.append(item)
    return dead


def _reads_only(item: Item, by_id: Mapping[str, Item]) -> bool:
    pending, seen = [item], set()
    while pending:
        current = pending.pop()
        if current.id in seen:
            continue
        seen.add(current.id)
        for read in current.when.item_ids() if current.when else ():
            if read not in by_id:
                return False
            pending.append(by_id[read])
    return True


def _satisfiable(condition: Condition, by_id: Mapping[str, Item]) -> bool | None:
    """Search the answers of the items a condition reads (transitively); None when too many."""
    involved: list[Item] = []
    pending = list(condition.item_ids())
    while pending:
        item_id = pending.pop()
        if item_id in {item.id for item in involved} or item_id not in by_id:
            continue
        item = by_id[item_id]
        involved.append(item)
        if item.when is not None:
            pending.extend(item.when.item_ids())
    milestones = sorted(_milestones_of(condition, involved))
    domains: list[list[str | frozenset[str] | None]] = []
    for item in involved:
        if item.type == "multi":
            subsets = [
                frozenset(c)
                for r in range(len(item.options) + 1)
                for c in itertools.combinations(item.options, r)
            ]
            domains.append([None, *subsets])
        else:
            domains.append([None, *item.answers])
    size = 2 ** len(milestones)
    for domain in domains:
        size *= len(domain)
    if size > MAX_COMBINATIONS:
        return None
    for recorded_bits in itertools.product((False, True), repeat=len(milestones)):
        recorded = {name for name, on in zip(milestones, recorded_bits, strict=True) if on}
        for combo in itertools.product(*domains):
            answers = {
                item.id: value
                for item, value in zip(involved, combo, strict=True)
                if value is not None
            }
            if _consistent(involved, answers, recorded) and condition.holds(answers, recorded):
                return True
    return False


def _milestones_of(condition: Condition, involved: list[Item]) -> set[str]:
    names = milestones_in(condition)
    for item in involved:
        if item.when is not None:
            names |= milestones_in(item.when)
    return names


def _consistent(involved: list[Item], answers: Answers, recorded: set[str]) -> bool:
    """An item can only have an answer if it was live, i.e. its own condition held."""
    for item in involved:
        if item.id in answers and item.when is not None and not item.when.holds(answers, recorded):
            return False
    return True
