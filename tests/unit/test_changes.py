"""Which answers carry over to a new version of a playbook, as the trainers' guide promises."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.changes import compare
from bot.core.parsing import parse
from bot.core.playbook import Playbook

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
