"""Validation that cannot be made slow: a playbook's check takes time in proportion to its size,
whatever a trainer (or a generator, or someone hostile) writes, and each limit it meets is
reported where it is met."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest

from bot.core.errors import PlaybookInvalid, Problem
from bot.core.liveness import SEARCH_BUDGET
from bot.core.parsing import MAX_CONDITION_PARTS, MAX_ITEMS, MAX_OPTIONS, parse

from .factories import MILESTONES, item, playbook_data


def problems_of(data: object) -> list[Problem]:
    with pytest.raises(PlaybookInvalid) as caught:
        parse(data, MILESTONES)
    return list(caught.value.problems)


def timed(data: object) -> float:
    """Seconds to check `data`, valid or not."""
    started = time.process_time()
    with contextlib.suppress(PlaybookInvalid):
        parse(data, MILESTONES)
    return time.process_time() - started


def chain(length: int) -> dict[str, Any]:
    """Items each asked only when the one before was answered yes: the review's H2 shape."""
    items = [item("a0")] + [item(f"a{k}", when={f"a{k - 1}": "yes"}) for k in range(1, length)]
    return playbook_data(*items)


def test_a_long_chain_of_conditional_items_is_checked_in_well_under_a_second():
    # H2: 1,600 chained items took 28.6 s of CPU (the search grew as n cubed).
    assert timed(chain(1_600)) < 1.0


def test_a_chain_as_long_as_a_playbook_may_be_is_valid_and_quick():
    data = chain(MAX_ITEMS)
    assert timed(data) < 0.5
    assert len(parse(data, MILESTONES).items) == MAX_ITEMS


def test_thousands_of_misspelt_names_get_their_problems_quickly():
    # H2: 1,500 unknown names against 1,500 items took 18.4 s, one close-match search each.
    items = [item(f"item-{k}") for k in range(1_500)]
    items += [item(f"other-{k}", when={f"itme-{k}": "yes"}) for k in range(1_500)]
    assert timed(playbook_data(*items)) < 1.0


def test_misspelt_names_are_suggested_for_the_first_few_problems_only():
    items = [item(f"item-{k}") for k in range(100)]
    items += [item(f"other-{k}", when={f"itme-{k}": "yes"}) for k in range(100)]
    messages = [problem.message for problem in problems_of(playbook_data(*items))]
    hinted = [message for message in messages if "did you mean" in message]
    assert 0 < len(hinted) < 50
    assert len(messages) == 100


def test_many_items_reading_the_same_few_answers_are_searched_within_a_budget():
    # Six yes-no-na items give 4,096 combinations: each item below would try them all.
    first = [item(f"q{k}", "yes-no-na") for k in range(6)]
    impossible = {"all": [{f"q{k}": "yes"} for k in range(6)] + [{"q0": "no"}]}
    rest = [item(f"r{k}", when=impossible) for k in range(250)]
    assert timed(playbook_data(*first, *rest)) < 1.0


def test_the_search_budget_judges_as_many_items_when_their_condition_repeats():
    # Each search reads six yes-no-na items: 4 ** 6 = 4,096 combinations, charged to the
    # budget whether the same condition was searched before or not.
    first = [item(f"q{k}", "yes-no-na") for k in range(6)]
    impossible = {"all": [{f"q{k}": "yes"} for k in range(6)] + [{"q0": "no"}]}
    rest = [item(f"r{k}", when=impossible) for k in range(40)]
    problems = problems_of(playbook_data(*first, *rest))
    judged = SEARCH_BUDGET // 4**6
    assert [problem.message.split(":")[0] for problem in problems] == [
        f"item 'r{k}'" for k in range(judged)
    ]


def test_a_multi_item_with_many_options_does_not_blow_up_the_search():
    options = [f"option {k}" for k in range(MAX_OPTIONS)]
    data = playbook_data(
        item("many", "multi", options=options), item("after", when={"many": "option 3"})
    )
    assert timed(data) < 0.5


def test_a_playbook_over_the_item_limit_is_refused_at_the_first_item_too_many():
    problems = problems_of(chain(MAX_ITEMS + 5))
    assert [problem.message for problem in problems] == [
        f"a playbook holds at most {MAX_ITEMS} items; this one has {MAX_ITEMS + 5}: "
        "split it into two playbooks"
    ]
    assert problems[0].path == ("sections", 0, "items", MAX_ITEMS)


def test_a_condition_with_too_many_parts_is_refused_at_its_when():
    parts = [{"milestone": "charge"}] * (MAX_CONDITION_PARTS + 1)
    problems = problems_of(playbook_data(item("a", when={"any": parts})))
    assert [(p.path, p.message) for p in problems] == [
        (
            ("sections", 0, "items", 0, "when"),
            f"item 'a': the condition has more than {MAX_CONDITION_PARTS} parts; "
            "split the item, or ask on a milestone instead",
        )
    ]


def test_a_choice_with_too_many_options_is_refused_at_its_options():
    options = [f"option {k}" for k in range(MAX_OPTIONS + 1)]
    problems = problems_of(playbook_data(item("a", "choice", options=options)))
    assert [(p.path, p.message) for p in problems] == [
        (
            ("sections", 0, "items", 0, "options"),
            f"item 'a': a choice item offers at most {MAX_OPTIONS} options, "
            f"one button each; this one has {MAX_OPTIONS + 1}",
        )
    ]
