"""Finding items that can never be asked, by trying every combination of the answers they read.

The search stays in proportion to the playbook's size: what each item reads, transitively, is
worked out once per item from the items before it (conditions may only name earlier items),
a search that would need more than `MAX_COMBINATIONS` is skipped rather than guessed, and the
whole playbook gets `SEARCH_BUDGET` combinations in all.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

from bot.core.condition import Answers, Condition, milestones_in
from bot.core.playbook import Item

# Enumerating every combination of the answers a condition reads stays cheap for the small
# conditions trainers write; past this many combinations the check is skipped, not guessed.
MAX_COMBINATIONS = 4096
#: Combinations tried across one playbook: the shipped ones need a few hundred.
SEARCH_BUDGET = 100_000
# Each item read offers at least two values (unanswered, or an answer), so a condition that
# reads more items than this is past MAX_COMBINATIONS whatever they are.
MAX_READ = MAX_COMBINATIONS.bit_length() - 1

Domain = list[str | frozenset[str] | None]


def never_live(items: Iterable[Item]) -> list[Item]:
    """Return the items whose condition can never hold, whatever is answered or recorded.

    Only items whose conditions read other items in `items` are judged, so a playbook with
    other mistakes (items left out) gets no false reports.
    """
    by_id = {item.id: item for item in items}
    reads = _Reads(by_id)
    budget = [SEARCH_BUDGET]
    # Items often share a condition ("asked when pnc is yes"), and what a condition reads
    # follows from the condition alone: each distinct one is searched once.
    verdicts: dict[Condition, bool] = {}
    dead: list[Item] = []
    for item in by_id.values():
        involved = reads.of_item(item.id)
        if item.when is None or involved is None:
            continue
        search = _Search(item.when, [by_id[i] for i in involved])
        # Charged again when the verdict is known, so that which items are judged within
        # the budget does not depend on which conditions repeat.
        if not search.affordable(budget):
            continue
        if item.when not in verdicts:
            verdicts[item.when] = search.satisfiable()
        if not verdicts[item.when]:
            dead.append(item)
    return dead


class _Reads:
    """The items each item's condition reads, transitively: worked out once per item.

    None stands for "not judged": it reads an item that is missing or later, or too many.
    """

    def __init__(self, by_id: Mapping[str, Item]) -> None:
        self._by_id = by_id
        self._known: dict[str, tuple[str, ...] | None] = {}
        for item in by_id.values():  # in the playbook's order: what it reads is known already
            self._known[item.id] = () if item.when is None else self.of(item.when)

    def of_item(self, item_id: str) -> tuple[str, ...] | None:
        """What an item's condition reads, as worked out when the items before it were known."""
        return self._known[item_id]

    def of(self, condition: Condition) -> tuple[str, ...] | None:
        """The items a condition reads, with everything those read in turn; None if not judged."""
        found: dict[str, None] = {}  # ordered, for a search in the playbook's order
        for read in condition.item_ids():
            if read not in self._known:
                return None
            beneath = self._known[read]
            if beneath is None:
                return None
            found.update(dict.fromkeys(beneath))
            found[read] = None
            if len(found) > MAX_READ:
                return None
        return tuple(found)


def _domain_size(item: Item) -> int:
    if item.type == "multi":
        return int(2 ** len(item.options)) + 1
    return len(item.answers) + 1


def _domain(item: Item) -> Domain:
    if item.type == "multi":
        return [
            None,
            *(
                frozenset(chosen)
                for size in range(len(item.options) + 1)
                for chosen in itertools.combinations(item.options, size)
            ),
        ]
    return [None, *item.answers]


class _Search:
    """A search of the answers of the items a condition reads, for one that makes it hold."""

    def __init__(self, condition: Condition, involved: list[Item]) -> None:
        self.condition = condition
        self.involved = involved
        self.milestones = sorted(_milestones_of(condition, involved))
        # Sized before anything is built: a multi item's subsets grow as 2 to the options.
        self.size = 2 ** len(self.milestones)
        for item in involved:
            self.size *= _domain_size(item)

    def affordable(self, budget: list[int]) -> bool:
        """Whether the search is small enough to make, and within the budget (then charged)."""
        if self.size > MAX_COMBINATIONS or self.size > budget[0]:
            return False
        budget[0] -= self.size
        return True

    def satisfiable(self) -> bool:
        """Whether some answers and recorded milestones make the condition hold."""
        condition, involved, milestones = self.condition, self.involved, self.milestones
        domains = [_domain(item) for item in involved]
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
