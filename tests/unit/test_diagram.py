"""Mermaid diagrams of playbooks and of the run lifecycle: structure, words and safe labels.

No Mermaid renderer runs offline here, so each diagram is read back by a small parser that
accepts only the statements `bot.wording.diagram` writes, and every label is checked against what
Mermaid's state-diagram grammar misreads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.core.lifecycle import EVENTS, STATES
from bot.core.parsing import parse
from bot.core.playbook import Playbook
from bot.store.playbook_files import CATALOGUE_FILES, load_library
from bot.wording.diagram import (
    MAX_LABEL,
    lifecycle_mermaid,
    mermaid_text,
    playbook_mermaid,
    state_id,
)

from ..conftest import PLAYBOOKS_DIR
from .factories import MILESTONES, item, playbook_data

SHIPPED = sorted(p for p in PLAYBOOKS_DIR.glob("*.yaml") if p.name not in CATALOGUE_FILES)

# --- reading a diagram back ------------------------------------------------------------------

STATE = re.compile(r'state "(?P<label>[^"]*)" as (?P<id>\S+)')
EDGE = re.compile(r"(?P<src>\S+) --> (?P<dst>\S+?)(?:: (?P<label>.+))?")
NOTE_START = re.compile(r"note right of (?P<id>\S+)")
OTHER = re.compile(r"direction (TB|LR)|classDef \w+ \S+|Class \w+ \w+|")
SAFE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Words Mermaid reads as keywords at the start of a statement.
KEYWORDS = {"state", "note", "class", "classdef", "default", "click", "href", "direction", "end"}


@dataclass
class Diagram:
    """What a diagram says: states with descriptions, labelled edges and notes."""

    states: dict[str, str] = field(default_factory=dict)
    state_lines: list[str] = field(default_factory=list)
    edges: list[tuple[str, str, str | None]] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)

    def labels(self) -> list[str]:
        """Every text a reader sees: descriptions, edge labels and note lines."""
        edge_labels = [label for _, _, label in self.edges if label is not None]
        return [*self.states.values(), *edge_labels, *(x for n in self.notes.values() for x in n)]

    def edge(self, src: str, dst: str) -> str | None:
        """The label of the edge from src to dst (AssertionError when there is none)."""
        found = [label for s, d, label in self.edges if (s, d) == (src, dst)]
        assert len(found) == 1, f"{len(found)} edges {src} --> {dst}"
        return found[0]

    def targets(self, src: str) -> set[str]:
        """Where edges from src lead."""
        return {d for s, d, _ in self.edges if s == src}


def read(text: str) -> Diagram:
    """Parse the Mermaid this module writes; fail on any statement it does not expect."""
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    diagram = Diagram()
    note_of: str | None = None
    for raw in lines[1:]:
        line = raw.strip()
        if note_of is not None:
            if line == "end note":
                note_of = None
            else:
                diagram.notes[note_of].append(line)
        elif match := STATE.fullmatch(line):
            diagram.states[match["id"]] = match["label"]
            diagram.state_lines.append(match["id"])
        elif match := EDGE.fullmatch(line):
            diagram.edges.append((match["src"], match["dst"], match["label"]))
        elif match := NOTE_START.fullmatch(line):
            note_of = match["id"]
            assert note_of not in diagram.notes, f"a second note on {note_of}: Mermaid keeps one"
            diagram.notes[note_of] = []
        else:
            assert OTHER.fullmatch(line), f"unexpected Mermaid statement: {line!r}"
    assert note_of is None, "a note is never closed"
    for state in diagram.state_lines:
        assert SAFE_ID.fullmatch(state), state
        assert state.lower() not in KEYWORDS, state
    for src, dst, _ in diagram.edges:
        for end in (src, dst):
            assert end == "[*]" or end in diagram.states, f"edge to an undeclared state {end}"
    for state in diagram.notes:
        assert state in diagram.states, f"note on an undeclared state {state}"
    return diagram


# --- what breaks Mermaid ---------------------------------------------------------------------

# Read from Mermaid's state-diagram grammars (stateDiagram.jison and state.tokens.ts): a quote
# ends a state description; a colon, semicolon or newline ends an edge or note text; `#` and
# `%%` start comments; braces open composite states; `[[...]]`/`<<...>>` make forks and
# choices; "direction TB" anywhere is a layout line; "end note" closes a note.
BREAKS_MERMAID = ('"', ":", ";", "\n", "#", "%%", "{", "}", "[[", "<<")
BREAKING_PHRASE = re.compile(r"direction\s+(tb|bt|lr|rl)|end\s+note", re.IGNORECASE)
# Beyond the grammar, bot.wording.diagram promises to remove these from any trainer's text.
ALSO_ESCAPED = ("[", "]", "<", ">", "--", "\\")


def breaks_mermaid(label: str) -> list[str]:
    """What in a label Mermaid's grammar would misread."""
    found = [bad for bad in BREAKS_MERMAID if bad in label]
    return found + [m.group(0) for m in BREAKING_PHRASE.finditer(label)]


def unescaped(label: str) -> list[str]:
    """What in a label from a trainer's text should have been escaped or shortened."""
    found = breaks_mermaid(label) + [bad for bad in ALSO_ESCAPED if bad in label]
    if len(label) > MAX_LABEL:
        found.append(f"{len(label)} characters")
    return found


@pytest.mark.parametrize(
    "label",
    [
        'a "quote"',
        "a: colon",
        "a; semicolon",
        "two\nlines",
        "#hash",
        "50%% off",
        "{brace}",
        "[[choice]]",
        "<<fork>>",
        "go direction TB",
        "send end note",
    ],
)
def test_the_checker_catches_what_breaks_mermaid(label: str):
    assert breaks_mermaid(label)


@pytest.mark.parametrize("label", ["[x]", "<b>", "a -- b", "back\\slash", "x" * (MAX_LABEL + 1)])
def test_the_checker_catches_what_should_have_been_escaped(label: str):
    assert not breaks_mermaid(label)
    assert unescaped(label)


def test_the_reader_refuses_statements_it_does_not_expect():
    with pytest.raises(AssertionError):
        read("stateDiagram-v2\n  state x {\n")


# --- shipped playbooks -----------------------------------------------------------------------


@pytest.fixture(name="shipped", scope="module")
def _shipped() -> dict[str, tuple[Playbook, Diagram]]:
    """Every shipped playbook with its diagram read back, by file name."""
    drawn = {}
    for path in SHIPPED:
        library = load_library([path], PLAYBOOKS_DIR)
        assert not library.problems, library.problems
        playbook = library.playbooks[0].playbook
        drawn[path.name] = (playbook, read(playbook_mermaid(playbook, library.milestones)))
    return drawn


def test_there_are_shipped_playbooks_to_draw():
    assert len(SHIPPED) >= 8


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_playbook_renders_from_start_to_review(path: Path):
    library = load_library([path], PLAYBOOKS_DIR)
    text = playbook_mermaid(library.playbooks[0].playbook, library.milestones)
    assert text.startswith("stateDiagram-v2\n")
    diagram = read(text)
    assert ("[*]", "start", None) in diagram.edges
    assert ("review", "[*]", None) in diagram.edges
    assert diagram.states["review"] == "Review"


@pytest.mark.parametrize("name", [p.name for p in SHIPPED])
def test_every_item_appears_exactly_once_as_a_state(shipped, name: str):
    playbook, diagram = shipped[name]
    expected = [state_id(item.id) for item in playbook.items]
    assert [s for s in diagram.state_lines if s not in ("start", "review")] == expected
    assert len(diagram.state_lines) == len(set(diagram.state_lines)) == len(expected) + 2
    for number, state in enumerate(expected):
        section_item = diagram.states[state].split(" ", 1)[0]
        assert re.fullmatch(r"\d+\.\d+", section_item), diagram.states[state]
        assert number == playbook.number(playbook.items[number].id)


@pytest.mark.parametrize("name", [p.name for p in SHIPPED])
def test_every_item_is_reachable_from_the_start_and_leads_to_the_review(shipped, name: str):
    _, diagram = shipped[name]
    onward: dict[str, set[str]] = {}
    backward: dict[str, set[str]] = {}
    for src, dst, _ in diagram.edges:
        onward.setdefault(src, set()).add(dst)
        backward.setdefault(dst, set()).add(src)
    for links, origin in ((onward, "start"), (backward, "review")):
        seen, pending = {origin}, [origin]
        while pending:
            for nxt in links.get(pending.pop(), set()) - seen:
                seen.add(nxt)
                pending.append(nxt)
        assert set(diagram.states) <= seen


@pytest.mark.parametrize("name", [p.name for p in SHIPPED])
def test_labels_in_shipped_diagrams_are_safe_and_short(shipped, name: str):
    _, diagram = shipped[name]
    for label in diagram.labels():
        assert not unescaped(label), (label, unescaped(label))


def test_shipped_diagrams_word_conditions_milestones_and_openings(shipped):
    _, diagram = shipped["bad-character.yaml"]
    assert diagram.edge("i_previous_allegations", "i_previous_complainants") == "if 1.6 is found"
    assert diagram.edge("i_previous_allegations", "i_family_court") == "otherwise"
    assert "records the not-guilty plea" in diagram.notes["i_not_guilty_plea_date"]
    assert "stalking or harassment → opens protective-orders" in diagram.notes["i_related_found"]
    assert any(line.startswith("due within") for line in diagram.notes["i_pnc_record"])
    assert diagram.states["start"] == "Starts once the suspect being identified is recorded"


# --- playbooks built for a test ----------------------------------------------------------------


def drawn(*items: dict[str, Any], **top: Any) -> Diagram:
    """The diagram of a one-section playbook around these items."""
    return read(playbook_mermaid(parse(playbook_data(*items, **top), MILESTONES), MILESTONES))


def test_a_condition_in_words_labels_the_edge_to_its_item_and_another_edge_skips_it():
    diagram = drawn(item("a"), item("b", when={"a": "yes"}), item("c"))
    assert diagram.edge("start", "i_a") == "next"
    assert diagram.edge("i_a", "i_b") == "if 1.1 is Yes"
    assert diagram.edge("i_a", "i_c") == "otherwise"
    assert diagram.edge("i_b", "i_c") == "next"
    assert diagram.edge("i_c", "review") == "next"
    assert len(diagram.edges) == 7  # the five above, [*] --> start and review --> [*]


def test_skipping_goes_on_while_the_skipped_items_are_conditional():
    diagram = drawn(
        item("a"),
        item("b", when={"a": "yes"}),
        item("c", when={"milestone": "trial"}),
        item("d", when={"milestone": "charge"}),
    )
    assert diagram.targets("i_a") == {"i_b", "i_c", "i_d", "review"}
    assert diagram.edge("i_a", "i_c") == "if the trial is recorded"
    assert diagram.edge("i_a", "review") == "otherwise"
    assert diagram.targets("i_c") == {"i_d", "review"}


def test_an_edge_never_skips_an_item_whose_answer_the_next_one_needs():
    diagram = drawn(
        item("a"),
        item("b", when={"a": "yes"}),
        item("c", when={"b": "yes"}),
        item("d", when={"all": [{"milestone": "trial"}, {"b": "no"}]}),
        item("e"),
    )
    assert diagram.targets("i_a") == {"i_b", "i_e"}
    assert diagram.targets("i_b") == {"i_c", "i_d", "i_e"}


def test_an_edge_never_skips_an_item_whose_failed_condition_the_next_one_needs():
    diagram = drawn(
        item("a", "choice", options=["x", "y", "z"]),
        item("b", when={"milestone": "trial"}),
        item("c", when={"milestone": "trial"}),
        item("d", when={"a": ["x", "y"]}),
        item("e", when={"a": "x"}),
        item("f", when={"any": [{"milestone": "charge"}, {"a": "z"}]}),
        item("g", when={"milestone": "charge"}),
    )
    assert diagram.targets("i_a") == {"i_b", "i_d", "i_f", "review"}
    assert diagram.targets("i_f") == {"i_g", "review"}


def test_recording_a_milestone_opening_a_playbook_and_a_due_rule_are_noted():
    diagram = drawn(
        item("a", open={"no": "protective-orders"}, due={"within": "5wd", "of": "report"}),
        item("b", "date", sets="arrest"),
        item("c"),
    )
    assert diagram.notes["i_a"] == [
        "due within 5 working days of the report",
        "No → opens protective-orders",
    ]
    assert diagram.notes["i_b"] == ["records the arrest"]
    assert "i_c" not in diagram.notes


def test_a_long_answer_is_shortened_but_the_playbook_it_opens_is_kept():
    answer = "a long answer, as long as a button allows, written in full"  # 59 characters
    diagram = drawn(item("a", "choice", options=[answer, "no"], open={answer: "vps"}))
    (line,) = diagram.notes["i_a"]
    assert line.endswith("… → opens vps")
    assert len(line) <= MAX_LABEL


def test_a_playbook_that_starts_itself_says_when_and_one_that_recurs_says_how_often():
    assert drawn(item("a"), starts={"milestone": "arrest"}).states["start"] == (
        "Starts once the arrest is recorded"
    )
    recurring = drawn(item("a"), repeat={"every": "4w", "from": "report"})
    assert recurring.states["start"] == "Every 4 weeks from the report"
    assert drawn(item("a")).states["start"] == "Start"


HOSTILE = [
    'Was the "MG3" sent?',
    "Outcome: charged?",
    "Charged; bailed?",
    "Ref #12 checked?",
    "Done 100%% of it?",
    "Any [[choice]] made?",
    "Any <<fork>> here?",
    "In {braces}?",
    "Dash -- dash?",
    "Back\\slash?",
    "Change direction TB now?",
    "Did you send end note?",
    "Line one\nline two?",
    "Long " + "words " * 30,
]


@pytest.mark.parametrize("ask", HOSTILE)
def test_a_trainers_text_is_escaped_wherever_it_is_shown(ask: str):
    option = ask[:60]  # the longest a button allows
    diagram = drawn(
        item("a", "choice", ask=ask, options=[option, "other"], open={option: "vps"}),
        item("b", ask=ask, when={"a": option}),
        item("c", ask=ask),
    )
    assert diagram.states["i_a"].startswith("1.1 ")
    assert diagram.edge("i_a", "i_b").startswith("if 1.1 is ")
    for label in diagram.labels():
        assert not unescaped(label), (label, unescaped(label))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Was the "MG3" sent?', "Was the 'MG3' sent?"),
        ("Outcome: charged", "Outcome - charged"),
        ("a;b", "a,b"),
        ("[x] {y} <z>", "(x) (y) ‹z›"),
        ("a -- b --- c", "a - b - c"),
        ("  spaced\n\tout  ", "spaced out"),
        ("direction LR", "direction-LR"),
        ("x" * 70, "x" * (MAX_LABEL - 1) + "…"),
    ],
)
def test_mermaid_text_swaps_what_breaks_mermaid_for_look_alikes(text: str, expected: str):
    assert mermaid_text(text) == expected


def test_long_text_is_cut_at_a_word():
    text = mermaid_text("Have the suspect's convictions, cautions and reprimands been obtained?")
    assert text == "Have the suspect's convictions, cautions and reprimands…"
    assert len(text) <= MAX_LABEL


@pytest.mark.parametrize("item_id", ["default", "note", "class", "state", "end", "a-b-1", "x9"])
def test_item_ids_become_safe_state_ids(item_id: str):
    assert SAFE_ID.fullmatch(state_id(item_id))
    assert state_id(item_id).lower() not in KEYWORDS


def test_different_item_ids_never_share_a_state_id():
    ids = ["a-b", "ab", "a-b-c", "ab-c", "a-bc", "abc"]
    assert len({state_id(item_id) for item_id in ids}) == len(ids)


# --- the run lifecycle ---------------------------------------------------------------------


def test_the_lifecycle_names_every_state_and_starts_at_the_first():
    text = lifecycle_mermaid()
    assert text.startswith("stateDiagram-v2\n")
    diagram = read(text)
    assert diagram.state_lines == list(STATES)
    assert ("[*]", STATES[0], None) in diagram.edges
    # A signed-off run can reopen for new work: only a moved run and a closed case end.
    assert ("signed_off", "[*]", None) not in diagram.edges
    assert ("moved", "[*]", None) in diagram.edges
    assert ("closed", "[*]", None) in diagram.edges
    assert ("signed_off", "asking", "reopen") in diagram.edges


def test_the_lifecycle_draws_every_event_and_guards_submit():
    diagram = read(lifecycle_mermaid())
    for name, sources, dest in EVENTS:
        for source in (sources,) if isinstance(sources, str) else sources:
            label = diagram.edge(source, dest)
            assert label is not None
            assert label.split(" ")[0] == name
    assert diagram.edge("review", "submitted") == "submit [is_complete]"
    unguarded = [label for *_, label in diagram.edges if label and "[" in label]
    assert unguarded == ["submit [is_complete]"]
    for label in diagram.labels():
        assert not breaks_mermaid(label), label
