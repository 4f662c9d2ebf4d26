"""Which answers carry over to a new version of a playbook, as the trainers' guide promises."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.core.changes import compare
from bot.core.parsing import parse
from bot.core.playbook import Playbook
from bot.wording.changes import Wording

from .factories import MILESTONES, item, playbook_data

ROUTE = ["in person", "by phone", "online"]


def version(number: int, *items: dict[str, Any]) -> Playbook:
    """The sample playbook at a version number, holding the given items."""
    return parse(playbook_data(*items, version=number), MILESTONES)


@pytest.mark.parametrize("kind", ["choice", "multi"])
def test_adding_an_option_keeps_the_answers_given(kind):
    old = version(1, item("route", kind, options=ROUTE))
    new = version(2, item("route", kind, options=[*ROUTE, "by letter"]))

    changes = compare(old, new)

    assert changes.changed[0].aspects == ("options",)
    assert changes.carries("route")


@pytest.mark.parametrize("kind", ["choice", "multi"])
def test_reordering_the_options_keeps_the_answers_given(kind):
    old = version(1, item("route", kind, options=ROUTE))
    new = version(2, item("route", kind, options=list(reversed(ROUTE))))

    assert compare(old, new).carries("route")


@pytest.mark.parametrize(
    "options",
    [
        ["in person", "by telephone", "online"],  # renamed
        ["in person", "online"],  # removed
        ["in person", "by telephone", "online", "by letter"],  # renamed and one added
    ],
)
def test_renaming_or_removing_an_option_asks_the_item_again(options):
    old = version(1, item("route", "choice", options=ROUTE))
    new = version(2, item("route", "choice", options=options))

    assert not compare(old, new).carries("route")


def test_changing_the_type_asks_the_item_again():
    old = version(1, item("route", "choice", options=ROUTE))
    new = version(2, item("route", "multi", options=ROUTE))

    assert not compare(old, new).carries("route")


def test_rewording_keeps_the_answers_and_a_removed_item_has_none_to_keep():
    old = version(1, item("plan"), item("route", "choice", options=ROUTE))
    new = version(2, {**item("plan"), "ask": "Plan opened and recorded?"})

    changes = compare(old, new)

    assert changes.carries("plan")
    assert not changes.carries("route")


def wording_of(old: Playbook, new: Playbook) -> list[str]:
    """The lines a trainer's diff gives for the one item changed."""
    [change] = compare(old, new).changed
    return Wording(MILESTONES, {}).change(change)


def test_the_new_keys_are_said_in_words_in_a_diff():
    old = version(
        1,
        item("related", "multi", options=["violence", "none"]),
        item("orders", "yes-no-na", reason=["no"], reasons=["Awaiting CPS"]),
    )
    new = version(
        2,
        item("related", "multi", options=["violence", "none"]),
        item(
            "orders",
            "yes-no-na",
            reason=["no", "na"],
            reasons={"no": ["Awaiting CPS"], "na": ["No risk"]},
            answers={"na": {"when": {"not": {"related": "violence"}}}},
        ),
    )
    lines = wording_of(old, new)
    assert "preset reasons: No: Awaiting CPS / N/A: No risk (was: Awaiting CPS)" in lines
    assert "answers offered: N/A only while not (related is violence) (was: all, always)" in lines


def test_an_item_asked_per_occurrence_does_not_carry_answers_given_once():
    milestones = {**MILESTONES, "arrest": replace(MILESTONES["arrest"], repeats=True)}
    old = parse(playbook_data(item("told"), version=1), milestones)
    new = parse(playbook_data({**item("told"), "each": "arrest"}, version=2), milestones)
    assert not compare(old, new).carries("told")
    [change] = compare(old, new).changed
    assert Wording(milestones, {}).change(change)[0] == (
        "asked: again for every arrest (was: once)"
    )
