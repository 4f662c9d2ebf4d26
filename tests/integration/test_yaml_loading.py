"""Reading playbook text: yes/no stay answer words, and nothing but our own located error escapes."""

from __future__ import annotations

import itertools

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.playbook import Milestone
from bot.store import yaml_source
from bot.store.playbook_files import LibraryInvalid, load_playbook_text
from bot.store.yaml_plain import Unusual, read_plain
from bot.store.yaml_source import Located

from ..conftest import FIXTURES, PLAYBOOKS_DIR

MILESTONES = {
    "report": Milestone("report", "Report", "the report"),
    "charge": Milestone("charge", "Charge", "the charge"),
}

TEXT = """\
playbook: words
title: Words
version: 1
sections:
  - id: main
    title: Main
    items:
      - id: pnc
        ask: PNC checked?
        type: yes-no-na
        reason: [no, na]
        required: yes
      - id: related
        ask: Related?
        type: yes-no
        when: {pnc: yes}
        reason: NO
        open: {yes: other, no: other}
"""


def test_yes_no_on_off_are_read_as_the_answer_words_trainers_mean():
    playbook = load_playbook_text(TEXT, "words.yaml", MILESTONES)
    pnc, related = playbook.items
    assert pnc.reason == frozenset({"no", "na"})
    assert pnc.required is True
    assert related.when.holds({"pnc": "yes"}, ())
    assert related.reason == frozenset({"no"})
    assert dict(related.opens) == {"yes": "other", "no": "other"}


def assert_only_located_errors(text: str) -> None:
    try:
        load_playbook_text(text, "fuzz.yaml", MILESTONES)
    except LibraryInvalid as caught:
        invalid = caught
    else:
        return
    assert invalid.problems
    for problem in invalid.problems:
        assert problem.file == "fuzz.yaml"
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.message
        assert "Traceback" not in problem.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_only_ever_gives_located_problems(text):
    assert_only_located_errors(text)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(
        [
            "yes",
            "no",
            "na",
            "5d",
            "2w",
            "5wd",
            "report",
            "charge",
            "choice",
            "multi",
            "date",
            "pnc",
        ]
    ),
)
KEYS = st.one_of(
    st.sampled_from(
        [
            "playbook",
            "title",
            "version",
            "sections",
            "id",
            "ask",
            "type",
            "items",
            "when",
            "due",
            "within",
            "before",
            "of",
            "reason",
            "reasons",
            "options",
            "open",
            "sets",
            "milestone",
            "all",
            "any",
            "not",
            "escalate",
            "after",
            "pnc",
            "setting",
            "default",
        ]
    ),
    st.text(max_size=8),
)
STRUCTURES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STRUCTURES)
def test_arbitrary_yaml_structures_only_ever_give_located_problems(data):
    assert_only_located_errors(yaml.safe_dump(data))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "  ",
                "\t",
                "- ",
                ": ",
                "{",
                "}",
                "[",
                "]",
                "&a ",
                "*a ",
                "!!python/object ",
                "<<: ",
                "\n",
                "x",
                "yes",
                "'",
                '"',
                "#",
                "%YAML 1.1\n",
                "---\n",
            ]
        ),
        max_size=40,
    )
)
def test_yaml_punctuation_soup_only_gives_located_problems(parts):
    assert_only_located_errors("".join(parts))


def test_an_alias_bomb_is_refused_with_a_location():
    names = "abcdefghi"
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for previous, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    bomb = "\n".join(lines) + "\n"
    with pytest.raises(LibraryInvalid) as caught:
        load_playbook_text(bomb, "bomb.yaml", MILESTONES)
    assert any("too large" in problem.message for problem in caught.value.problems)


def test_python_tags_are_refused_not_executed():
    with pytest.raises(LibraryInvalid) as caught:
        load_playbook_text(
            "playbook: !!python/object/apply:os.system ['echo hi']\n", "tag.yaml", MILESTONES
        )
    assert caught.value.problems[0].line == 1


def test_a_value_its_tag_cannot_make_is_a_located_problem_not_a_crash():
    # PyYAML's int constructor raised IndexError on an empty `!!int`, which escaped.
    with pytest.raises(LibraryInvalid) as caught:
        load_playbook_text("playbook: !!int\n", "empty.yaml", MILESTONES)
    assert (caught.value.problems[0].line, caught.value.problems[0].column) == (1, 11)


def problems_of(text: str) -> list[str]:
    try:
        load_playbook_text(text, "tagged.yaml", MILESTONES)
    except LibraryInvalid as invalid:
        return [f"{p.line}:{p.column}: {p.message}" for p in invalid.problems]
    return []


@pytest.mark.parametrize(
    ("tagged", "written"),
    [
        ("reason: !!python/object/apply:os.system [no, na]", "!!python/object/apply:os.system"),
        ("reason: !!python/object/new:os.system {a: b}", "!!python/object/new:os.system"),
        ("required: !!python/name:os.system", "!!python/name:os.system"),
        ("required: !custom yes", "!custom"),
        ("required: ! yes", "!"),
        ("required: !!str yes", "!!str"),
        ("reason: !!seq [no, na]", "!!seq"),
    ],
)
def test_any_explicit_yaml_tag_is_refused_where_it_is_written(tagged, written):
    """L8: a tag on a list or mapping was ignored and kept in the published text; now every
    explicit tag is refused at its line and column, and nothing is constructed from it."""
    text = TEXT.replace("reason: [no, na]\n        required: yes", tagged)
    line = text.splitlines().index(f"        {tagged}") + 1
    column = len("        ") + tagged.index("!") + 1

    found = problems_of(text)

    assert found[0] == (
        f"{line}:{column}: YAML tags ('{written}') are not used in playbooks; write the value "
        "plainly, in quotes if it must stay text"
    )


def test_a_file_saved_with_windows_line_endings_is_read_as_it_is():
    assert problems_of(TEXT.replace("\n", "\r\n")) == []


def test_a_control_character_written_as_an_escape_is_refused_too():
    text = TEXT.replace("ask: PNC checked?", 'ask: "PNC checked?\\u202e on"')

    assert problems_of(text) == [
        "9:14: an invisible control character, U+202E (right-to-left override), can make this "
        "read differently from what is stored; delete it"
    ]


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="libyaml is not installed")
def test_a_text_with_an_exclamation_mark_but_no_tag_is_parsed_once(monkeypatch):
    """Tags are looked for in the same pass that reads the values: a '!' in a question used to
    send the whole text through the parser a second time."""
    parsers: list[str] = []
    make = yaml.CSafeLoader.__init__

    def counted(self: yaml.CSafeLoader, stream: str) -> None:
        parsers.append(stream)
        make(self, stream)

    monkeypatch.setattr(yaml.CSafeLoader, "__init__", counted)

    assert problems_of(TEXT.replace("PNC checked?", "PNC checked!")) == []
    assert len(parsers) == 1


def test_a_tag_later_on_the_line_of_an_escape_is_named_and_the_escape_is_not():
    text = TEXT.replace("required: yes", 'reasons: ["\\u202e x", !custom y]')

    assert problems_of(text) == [
        "12:31: YAML tags ('!custom') are not used in playbooks; write the value plainly, in "
        "quotes if it must stay text"
    ]


@pytest.mark.parametrize(
    ("refused", "refusal"),
    [
        ("        guidance: *nowhere\n", "19:19: YAML syntax error: found undefined alias"),
        ("---\nplaybook: second\n", "19:1: YAML syntax error: expected a single document"),
    ],
    ids=["undefined alias", "second document"],
)
def test_in_a_text_with_a_tag_a_syntax_error_further_on_is_said_first(refused, refusal):
    """As when tags were looked for in a pass of their own, before anything was built."""
    untagged = TEXT + refused + "sections: [one, two\n"
    tagged = untagged.replace("required: yes", "required: !!str yes")
    end = len(untagged.splitlines()) + 1

    assert problems_of(tagged) == [
        f"{end}:1: YAML syntax error: while parsing a flow sequence: did not find expected "
        "',' or ']'"
    ]
    [problem] = problems_of(untagged)
    assert problem.startswith(refusal)


def plain_and_general(text: str) -> tuple[Located | None, Located]:
    """The text read by the tight reader (None when it gives up) and by the general one."""
    loader = yaml_source._TrainerLoader(text)
    plain: Located | None = Located(None)
    try:
        plain.data = read_plain(loader, plain.values, plain.keys, LIMITS)
    except (Unusual, yaml.YAMLError):
        plain = None
    finally:
        loader.dispose()
    return plain, yaml_source._load_general(text, [])


LIMITS = (yaml_source.MAX_DEPTH, yaml_source.MAX_NODES)
SHIPPED_AND_FIXTURES = sorted(
    [*PLAYBOOKS_DIR.glob("*.yaml"), *(FIXTURES / "bad-playbooks").rglob("*.yaml")]
)


@pytest.mark.parametrize("path", SHIPPED_AND_FIXTURES, ids=lambda p: p.name)
def test_the_tight_reader_gives_what_the_general_reader_gives(path):
    text = path.read_text(encoding="utf-8")
    try:
        plain, general = plain_and_general(text)
    except yaml_source.YamlTrouble:
        return  # a fixture that is not YAML: the tight reader has given up on it too
    if plain is not None:
        assert (plain.data, plain.values, plain.keys) == (
            general.data,
            general.values,
            general.keys,
        )


def test_the_shipped_playbooks_are_read_by_the_tight_reader():
    for path in PLAYBOOKS_DIR.glob("*.yaml"):
        plain, _ = plain_and_general(path.read_text(encoding="utf-8"))
        assert plain is not None, path.name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STRUCTURES, st.sampled_from([None, True, False]))
def test_the_tight_reader_agrees_with_the_general_one_or_gives_up(data, flow):
    plain, general = plain_and_general(yaml.safe_dump(data, default_flow_style=flow))
    if plain is not None:
        assert repr((plain.data, plain.values, plain.keys)) == repr(
            (general.data, general.values, general.keys)
        )


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: 1\na: 2\n",
        "1: one\n",
        "true: yes\n",
        "<<: {a: 1}\n",
        'a: "\\u202e"\n',
        "a: !!int\n",
        "a: 1\n---\nb: 2\n",
        "a: [1, 2\n",
        "a: " + "[" * (yaml_source.MAX_DEPTH + 1) + "]" * (yaml_source.MAX_DEPTH + 1) + "\n",
    ],
    ids=[
        "alias", "tag", "key twice", "number key", "true key", "merge key", "escape",
        "unbuildable", "second document", "syntax error", "deep",
    ],
)  # fmt: skip
def test_the_tight_reader_leaves_what_it_does_not_handle_to_the_general_one(text):
    loader = yaml_source._TrainerLoader(text)
    located = Located(None)
    try:
        with pytest.raises((Unusual, yaml.YAMLError)):
            read_plain(loader, located.values, located.keys, LIMITS)
    finally:
        loader.dispose()
