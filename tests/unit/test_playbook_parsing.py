"""Parsing plain data into playbooks: what is accepted, and what each mistake says."""

from __future__ import annotations

import pytest

from bot.core.condition import AllOf, AnswerIs, MilestoneRecorded, Not
from bot.core.errors import PlaybookInvalid
from bot.core.parsing import (
    Sourced,
    library_problems,
    parse,
    parse_force_settings,
    parse_milestones,
)
from bot.core.playbook import Duration, effective

from .factories import MILESTONES, item, playbook_data


def problems_of(data: object) -> list[str]:
    with pytest.raises(PlaybookInvalid) as caught:
        parse(data, MILESTONES)
    return [problem.message for problem in caught.value.problems]


def test_a_full_item_is_read_with_every_key():
    playbook = parse(
        playbook_data(
            item(
                "pnc",
                "yes-no-na",
                reason=["no", "na"],
                reasons=["Awaiting other force"],
                guidance="Why it matters.",
                due={"within": "7d", "of": "report"},
                escalate={"after": "2d"},
                focus="suspect",
                countersign=True,
            ),
            item(
                "related",
                "multi",
                options=["violence", "stalking"],
                when={"pnc": "yes"},
                open={"stalking": "protective-orders"},
            ),
            item("arrested", "date", sets="arrest", dates="past"),
            item("count", "number", min=0, max=10, required=False),
            item("note", "info"),
        ),
        MILESTONES,
    )
    pnc, related, arrested, count, note = playbook.items
    assert pnc.reason == frozenset({"no", "na"})
    assert pnc.due is not None
    assert pnc.due.span == Duration(7, "d")
    assert pnc.due.milestone == "report"
    assert pnc.escalate == Duration(2, "d")
    assert pnc.countersign
    assert pnc.focus == "suspect"
    assert related.when == AnswerIs("pnc", frozenset({"yes"}))
    assert related.opens == (("stalking", "protective-orders"),)
    assert arrested.sets == "arrest"
    assert count.required is False
    assert count.min == 0
    assert count.max == 10
    assert note.required is False  # an info item is never required


@pytest.mark.parametrize("focus", ["suspect", "victim", "context", "intrusion"])
def test_every_focus_is_accepted(focus):
    """'intrusion' marks a request into the victim's own records or devices."""
    [only] = parse(playbook_data(item("a", focus=focus)), MILESTONES).items
    assert only.focus == focus


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("5d", Duration(5, "d")),
        ("2w", Duration(2, "w")),
        ("5wd", Duration(5, "wd")),
        ("0d", Duration(0, "d")),
        ("10WD", Duration(10, "wd")),
    ],
)
def test_durations_are_read_in_days_weeks_and_working_days(written, expected):
    playbook = parse(playbook_data(item("a", due={"within": written, "of": "report"})), MILESTONES)
    assert playbook.items[0].due.span == expected


@pytest.mark.parametrize("written", ["5", "5 days", "d5", "-1d", "5m", "", "1.5d"])
def test_a_bad_duration_says_how_to_write_one(written):
    messages = problems_of(playbook_data(item("a", due={"within": written, "of": "report"})))
    assert any(
        "is not a duration" in message and "5wd (working days)" in message for message in messages
    )


def test_boolean_true_and_false_in_conditions_mean_yes_and_no():
    # A loader that keeps YAML 1.1 booleans gives True for `yes`; the core still reads an answer.
    playbook = parse(
        playbook_data(item("a"), item("b", when={"a": True}), item("c", when={"a": False})),
        MILESTONES,
    )
    assert playbook.items[1].when == AnswerIs("a", frozenset({"yes"}))
    assert playbook.items[2].when == AnswerIs("a", frozenset({"no"}))


def test_conditions_combine_with_all_any_not_and_milestones():
    playbook = parse(
        playbook_data(
            item("a"),
            item("b", "choice", options=["x", "y", "z"]),
            item(
                "c",
                when={"all": [{"a": "yes"}, {"not": {"b": ["x", "y"]}}], "milestone": "charge"},
            ),
        ),
        MILESTONES,
    )
    condition = playbook.items[2].when
    assert isinstance(condition, AllOf)
    assert condition.holds({"a": "yes", "b": "z"}, {"charge"})
    assert not condition.holds({"a": "yes", "b": "x"}, {"charge"})
    assert not condition.holds({"a": "yes", "b": "z"}, set())
    assert MilestoneRecorded(frozenset({"charge"})) in condition.parts
    assert any(
        isinstance(part, AllOf) and isinstance(part.parts[1], Not) for part in condition.parts
    )


def test_a_multi_condition_holds_when_the_option_was_among_those_chosen():
    playbook = parse(
        playbook_data(item("m", "multi", options=["x", "y"]), item("n", when={"m": "y"})),
        MILESTONES,
    )
    assert playbook.items[1].when.holds({"m": frozenset({"x", "y"})}, ())
    assert not playbook.items[1].when.holds({"m": frozenset({"x"})}, ())


def test_answers_in_conditions_ignore_case_and_accept_n_slash_a():
    playbook = parse(
        playbook_data(item("a", "yes-no-na"), item("b", when={"a": ["YES", "N/A"]})), MILESTONES
    )
    assert playbook.items[1].when == AnswerIs("a", frozenset({"yes", "na"}))


def test_every_problem_is_reported_not_just_the_first():
    messages = problems_of(
        playbook_data(
            item("a", reasn=["no"]),
            item("b", due={"within": "5 days", "of": "report"}),
            item("c", when={"d": "yes"}),
            item("d"),
        )
    )
    assert len(messages) == 3
    assert "unknown key 'reasn' (did you mean 'reason'?)" in messages[0]
    assert "'5 days' is not a duration" in messages[1]
    assert "names 'd', which comes later" in messages[2]


@pytest.mark.parametrize(
    ("items", "fragment"),
    [
        ([item("a", "choice")], "a choice item needs 'options'"),
        ([item("a", "choice", options=["x"])], "needs at least two options"),
        ([item("a", "choice", options=["x", "X"])], "the option 'X' is listed twice"),
        ([item("a", options=["x", "y"])], "'options' only goes on choice and multi items"),
        ([item("a", "text", reason=["no"])], "'reason' names answers"),
        (
            [item("a", "choice", options=["x", "y"], reason=["z"])],
            "'reason' names 'z', which is not one of its options",
        ),
        (
            [item("a", "info", due={"within": "1d", "of": "report"})],
            "an info item cannot fall due",
        ),
        ([item("a", "info", required=True)], "an info item is never required"),
        ([item("a", dates="future")], "'dates' only goes on date items"),
        ([item("a", "date", dates="soon")], "'dates' should be 'past', 'future' or 'any'"),
        ([item("a", "number", min=5, max=1)], "'min' (5) is more than 'max' (1)"),
        (
            [item("a", focus="victims")],
            "'focus' should be 'suspect', 'victim', 'context' or 'intrusion'",
        ),
        ([item("a", required="perhaps")], "'required' should be true or false"),
        ([item("a", when={"a": "yes"})], "the condition names the item itself"),
        (
            [item("a", "date"), item("b", when={"a": "yes"})],
            "a date item; conditions can only test",
        ),
        ([item("a", open={"yes": "sample"})], "an item cannot open its own playbook"),
        ([item("a", open={"maybe": "other"})], "'open' names 'maybe'"),
        (
            [item("a", due={"within": "1d", "before": "1d", "of": "report"})],
            "use 'within' or 'before', not both",
        ),
        ([item("a", due={"of": "report"})], "needs 'within' (after) or 'before'"),
        ([item("a", due={"within": "1d"})], "'due': 'of' is required"),
        ([item("a", due={"within": "9999w", "of": "report"})], "more than ten years"),
        ([item("a", ask="x" * 401)], "keep it under 400"),
        ([item("a", "choice", options=["x" * 61, "y"])], "shorten it for a button"),
        (
            [item("a", when={"milestone": "charged"})],
            "unknown milestone 'charged' (did you mean 'charge'?)",
        ),
        ([item("a", when={})], "a condition should be a mapping"),
        ([item("a", when={"any": []})], "'any' should be a list of conditions"),
    ],
)
def test_each_item_mistake_has_a_plain_message(items, fragment):
    messages = problems_of(playbook_data(*items))
    assert any(fragment in message for message in messages), messages


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (["a", "list"], "the playbook should be a mapping of keys, not a list"),
        ({}, "'playbook' is required"),
        (playbook_data(item("a"), version=0), "the version should be a whole number"),
        (playbook_data(item("a"), version=True), "the version should be a whole number"),
        (playbook_data(item("a"), playbook="Bad Id"), "should use only lower-case letters"),
        (playbook_data(item("a"), sections=[]), "'sections' should be a list of sections"),
        (
            playbook_data(item("a"), starts={"milestone": "nope"}),
            "'starts': unknown milestone 'nope'",
        ),
        (
            playbook_data(item("a"), repeat={"every": "0d", "from": "report"}),
            "must be longer than 0 days",
        ),
        (playbook_data(item("a"), titel="x"), "unknown key 'titel' (did you mean 'title'?)"),
    ],
)
def test_each_playbook_mistake_has_a_plain_message(data, fragment):
    assert any(fragment in message for message in problems_of(data))


def test_contradictory_conditions_are_reported_as_never_live():
    messages = problems_of(
        playbook_data(
            item("a"),
            item("b", when={"a": "yes"}),
            item("c", when={"all": [{"a": "no"}, {"b": "yes"}]}),  # b is only asked when a is yes
        )
    )
    assert messages == [
        "item 'c': can never be asked, because its 'when' condition can never hold, whatever is answered"
    ]


def test_an_item_behind_a_milestone_and_its_negation_is_never_live():
    messages = problems_of(
        playbook_data(item("a", when={"milestone": "charge", "not": {"milestone": "charge"}}))
    )
    assert len(messages) == 1
    assert "can never be asked" in messages[0]


def test_every_item_sharing_an_impossible_condition_is_reported_and_others_are_not():
    impossible = {"all": [{"a": "no"}, {"b": "yes"}]}
    messages = problems_of(
        playbook_data(
            item("a"),
            item("b", when={"a": "yes"}),
            item("c", when=impossible),
            item("d", when={"a": "no"}),
            item("e", when=impossible),
            item("f", when={"a": "no"}),
            item("g", when=dict(impossible)),
        )
    )
    assert [message.split(":")[0] for message in messages] == ["item 'c'", "item 'e'", "item 'g'"]


def test_satisfiable_conditions_are_not_reported():
    parse(
        playbook_data(
            item("a"),
            item("b", when={"a": "yes"}),
            item("c", when={"any": [{"a": "no"}, {"b": "yes"}]}),
            item("d", when={"not": {"milestone": "charge"}}),
        ),
        MILESTONES,
    )


def test_force_settings_carry_a_default_that_a_force_can_override():
    playbook = parse(
        playbook_data(
            item("a", due={"within": {"setting": "vps-offer", "default": "10d"}, "of": "report"})
        ),
        MILESTONES,
    )
    span = playbook.items[0].due.span
    assert span == Duration(10, "d", setting="vps-offer")
    assert playbook.settings[0].name == "vps-offer"
    overrides = parse_force_settings({"settings": {"vps-offer": "14d"}})
    assert effective(span, overrides) == Duration(14, "d", setting="vps-offer")
    assert effective(span, {}) == span


def test_library_checks_duplicate_ids_missing_targets_and_conflicting_defaults():
    first = parse(
        playbook_data(
            item(
                "a",
                open={"yes": "missing"},
                due={"within": {"setting": "s", "default": "1d"}, "of": "report"},
            )
        ),
        MILESTONES,
    )
    second = parse(
        playbook_data(
            item("b", due={"within": {"setting": "s", "default": "2d"}, "of": "report"})
        ),
        MILESTONES,
    )
    found = library_problems(
        [Sourced("one.yaml", first), Sourced("two.yaml", second)],
        force_settings={"t": Duration(1, "d")},
    )
    messages = [(source, problem.message) for source, problem in found]
    assert ("two.yaml", "the playbook id 'sample' is already used by one.yaml") in messages
    assert any(
        "'open' names the playbook 'missing', which does not exist" in m for _, m in messages
    )
    assert any("the setting 's' has default 2d here but 1d in one.yaml" in m for _, m in messages)
    assert any("no playbook uses a setting called 't'" in m for _, m in messages)


def test_milestones_catalogue_needs_a_title_and_gives_a_phrase():
    catalogue = parse_milestones(
        {
            "milestones": {
                "charge": {"title": "Charge"},
                "trial": {"title": "Trial date", "phrase": "the trial", "dates": "any"},
            }
        }
    )
    assert catalogue["charge"].phrase == "charge"
    assert catalogue["trial"].dates == "any"
    with pytest.raises(PlaybookInvalid) as caught:
        parse_milestones({"milestones": {"Charge Day": {"titel": "x"}}})
    messages = [problem.message for problem in caught.value.problems]
    assert any("should use only lower-case letters" in m for m in messages)
    assert any("unknown key 'titel'" in m for m in messages)


def test_presets_labelled_with_their_answer_are_offered_for_that_answer_only():
    """A list of presets written 'No: …' and 'N/A: …' gives N/A its own, not the No ones,
    and the reason kept reads without the label."""
    playbook = parse(
        playbook_data(
            item(
                "pnc",
                "yes-no-na",
                reason=["no", "na"],
                reasons=["No: awaiting other force", "N/A: no history held", "Other"],
            ),
            item("pnd", "yes-no", reason=["no"], reasons=["Awaiting PND result"]),
        ),
        MILESTONES,
    )
    pnc, pnd = playbook.items
    assert pnc.presets("no") == ("Awaiting other force", "Other")
    assert pnc.presets("na") == ("No history held", "Other")
    assert pnd.presets("no") == ("Awaiting PND result",)
