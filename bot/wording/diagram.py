"""Playbooks and the run lifecycle as Mermaid state diagrams, so trainers can see the paths."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from transitions import State
from transitions.extensions.diagrams import GraphMachine

from bot.core.condition import AllOf, AnswerIs, AnyOf, Condition
from bot.core.lifecycle import EVENTS, RUN_MACHINE, STATES
from bot.core.playbook import DueRule, Item, Milestone, Playbook
from bot.wording.preview import (
    answer_label,
    condition_in_words,
    due_in_words,
    item_numbers,
    milestone_phrase,
    phrases,
    repeat_in_words,
)

#: Longest text a state, edge or note line shows; longer text is cut at a word and gets "…".
MAX_LABEL = 59
START = "start"
REVIEW = "review"

# What Mermaid's state-diagram grammar (the jison one and the newer Chevrotain one) misreads
# inside a label: `"` ends a state description, `:` and `;` end an edge or note text, `#` and
# `%%` start comments, `[[...]]`/`<<...>>` turn a state into a fork or choice, braces open a
# composite state, and a backslash may be read as an escape. Each becomes a harmless look-alike.
_LOOKALIKES = str.maketrans(
    {
        '"': "'",
        ":": " -",
        ";": ",",
        "#": "no. ",
        "[": "(",
        "]": ")",
        "{": "(",
        "}": ")",
        "<": "‹",
        ">": "›",
        "\\": "/",
    }
)
# Any line holding "direction TB" (or BT, LR, RL) is read as a layout statement, and a note
# ends at the first "end note", wherever they appear; a hyphen breaks both phrases.
_KEYWORD_PHRASES = re.compile(
    r"\b(direction(?=\s+(?:tb|bt|lr|rl))|end(?=\s+note))\s+", re.IGNORECASE
)


class _LabelledState(State):
    """A state with the description a diagram shows (transitions' markup reads `label`)."""

    def __init__(self, name: str, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.label = label or name


class _Diagram(GraphMachine):
    """A machine drawn, never run: labelled states, laid out top to bottom like a checklist."""

    state_cls = _LabelledState
    # RUF012: transitions' stubs declare this a plain attribute, so `ClassVar` would clash.
    machine_attributes = {**GraphMachine.machine_attributes, "rankdir": "TB"}  # noqa: RUF012


def mermaid_text(text: str, limit: int = MAX_LABEL) -> str:
    """Make text safe inside a Mermaid label and at most `limit` characters long."""
    text = _KEYWORD_PHRASES.sub(r"\1-", text.translate(_LOOKALIKES))
    text = re.sub(r"-{2,}", "-", re.sub(r"%{2,}", "%", text))
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.-") + "…"


def state_id(item_id: str) -> str:
    """A Mermaid-safe state id for an item: no hyphens, and never a Mermaid keyword."""
    # Item ids are lower-case words joined by single hyphens, so this mapping is one-to-one;
    # the prefix keeps ids such as `default`, `note` or `class` from reading as keywords.
    return "i_" + item_id.replace("-", "_")


def playbook_mermaid(playbook: Playbook, milestones: Mapping[str, Milestone]) -> str:
    """Draw how an investigator moves through a playbook, as a Mermaid `stateDiagram-v2`.

    Each item is a state. From each item an edge leads to the next item that may be asked:
    the following one, or, when that one has a condition, an edge labelled with it plus one
    skipping it, and so on while the skipped items are conditional. The last items lead to
    the review. Due rules, recorded milestones and playbooks an answer opens are notes.

    Args:
        playbook: the playbook to draw.
        milestones: the milestone catalogue, for phrases such as 'the arrest'.

    Returns:
        Mermaid source, starting with `stateDiagram-v2`.
    """
    numbers = item_numbers(playbook)
    items = playbook.items
    targets = [state_id(item.id) for item in items]
    states = [{"name": START, "label": mermaid_text(_start_label(playbook, milestones))}]
    states += [
        {"name": target, "label": mermaid_text(f"{numbers[item.id]} {item.ask}")}
        for target, item in zip(targets, items, strict=True)
    ]
    states.append({"name": REVIEW, "label": "Review"})
    transitions = [
        {
            "trigger": "next",
            "source": START if position < 0 else targets[position],
            "dest": REVIEW if index is None else targets[index],
            "label": mermaid_text(label),
        }
        for position in range(-1, len(items))
        for index, label in _next_steps(items, position, numbers, milestones)
    ]
    notes = {
        state_id(item.id): lines for item in items if (lines := _item_notes(item, milestones))
    }
    return _render(states, transitions, initial=START, ends=[REVIEW], notes=notes)


def lifecycle_mermaid() -> str:
    """Draw the run lifecycle (states, events and the guard on `submit`) as Mermaid.

    The states and events come from `bot.core.run`, and the guards from its shared machine,
    so the drawing follows the code.
    """
    transitions = []
    for name, sources, dest in EVENTS:
        conditions, unless = _guards(name)
        transitions.append(
            {
                "trigger": name,
                "source": list(_as_tuple(sources)),
                "dest": dest,
                "conditions": conditions,
                "unless": unless,
            }
        )
    left = {source for _, sources, _ in EVENTS for source in _as_tuple(sources)}
    return _render(
        [{"name": state} for state in STATES],
        transitions,
        initial=STATES[0],
        ends=[state for state in STATES if state not in left],
        notes={},
        show_conditions=True,
    )


def _render(
    states: Sequence[Mapping[str, str]],
    transitions: Sequence[Mapping[str, Any]],
    *,
    initial: str,
    ends: Sequence[str],
    notes: Mapping[str, Sequence[str]],
    show_conditions: bool = False,
) -> str:
    # No model: a model would mark its current state "active" (red), and a drawing for
    # trainers has no current state. The graph is then asked of the machine's graph class.
    machine = _Diagram(
        model=None,
        states=list(states),
        transitions=list(transitions),
        initial=initial,
        auto_transitions=False,
        graph_engine="mermaid",
        show_conditions=show_conditions,
    )
    source = machine.graph_cls(machine).get_graph().draw(None)  # None: return the text
    assert source is not None
    lines = [line.rstrip() for line in source.splitlines()]
    # transitions writes the title as bare front matter ("---", title, "---", no `title:` key),
    # which Mermaid does not take as a title: start the text at the diagram keyword instead.
    lines = lines[lines.index("stateDiagram-v2") :]
    # The flat mermaid graph ignores `final` states (only its nested graph draws them) and has
    # no notes, so the end edges and the notes are written here.
    lines += [f"  {end} --> [*]" for end in ends]
    for state, note in notes.items():
        lines += [f"  note right of {state}", *(f"    {line}" for line in note), "  end note"]
    return "\n".join(lines) + "\n"


def _start_label(playbook: Playbook, milestones: Mapping[str, Milestone]) -> str:
    if playbook.starts:
        return f"Starts once {phrases(playbook.starts, milestones)} is recorded"
    if playbook.repeat:
        words = repeat_in_words(playbook.repeat, milestones, {}).removeprefix("Due ").rstrip(".")
        return words[:1].upper() + words[1:]
    return "Start"


def _next_steps(
    items: Sequence[Item],
    position: int,
    numbers: Mapping[str, str],
    milestones: Mapping[str, Milestone],
) -> Iterator[tuple[int | None, str]]:
    """Yield (index of the item, or None for the review; edge label) for each way onwards."""
    # An edge skips an item only while that item is not live: it has no answer and its
    # condition fails. An item whose condition then surely fails too can never be reached by
    # the edge, and drawing it would bury the real paths under impossible ones.
    skipped: set[str] = set()
    failed: set[Condition] = set()
    for index in range(position + 1, len(items)):
        item = items[index]
        if item.when is None:
            yield index, "otherwise" if skipped else "next"
            return
        if _may_hold(item.when, skipped, failed):
            yield index, "if " + condition_in_words(item.when, numbers, milestones)
        skipped.add(item.id)
        _record_failure(item.when, failed)
    yield None, "otherwise" if skipped else "next"


def _may_hold(condition: Condition, unanswered: set[str], failed: set[Condition]) -> bool:
    """False only when the condition surely fails, given the unanswered items and failures."""
    if condition in failed:
        return False
    if isinstance(condition, AnswerIs):
        # No answer in a failed set of values means none in any part of that set either.
        return condition.item not in unanswered and not any(
            isinstance(gone, AnswerIs)
            and gone.item == condition.item
            and condition.values <= gone.values
            for gone in failed
        )
    if isinstance(condition, AllOf):
        return all(_may_hold(part, unanswered, failed) for part in condition.parts)
    if isinstance(condition, AnyOf):
        return any(_may_hold(part, unanswered, failed) for part in condition.parts)
    return True  # a milestone or a negation not known to fail: kept


def _record_failure(condition: Condition, failed: set[Condition]) -> None:
    failed.add(condition)
    if isinstance(condition, AnyOf):  # none of its parts holds either
        for part in condition.parts:
            _record_failure(part, failed)


def _item_notes(item: Item, milestones: Mapping[str, Milestone]) -> list[str]:
    lines = []
    if item.due is not None:
        lines.append("due " + due_in_words(_without_setting(item.due), milestones, {}))
    if item.sets:
        lines.append(f"records {milestone_phrase(item.sets, milestones)}")
    lines = [mermaid_text(line) for line in lines]
    for answer, target in item.opens:
        # Shorten the answer, never the playbook it opens: that is what the note is for.
        tail = f" → opens {target}"
        lines.append(mermaid_text(answer_label(answer), MAX_LABEL - len(tail)) + tail)
    return lines


def _without_setting(rule: DueRule) -> DueRule:
    # The force-setting aside ("(force setting 'x', default 5d)") would not fit in a note line;
    # the diagram shows the playbook's default span.
    return dataclasses.replace(rule, span=dataclasses.replace(rule.span, setting=None))


def _guards(event: str) -> tuple[list[str], list[str]]:
    """The guard names on an event of the run machine: (conditions, unless)."""
    conditions: list[str] = []
    unless: list[str] = []
    for transitions in RUN_MACHINE.events[event].transitions.values():
        for transition in transitions:
            for guard in transition.conditions:
                name = guard.func if isinstance(guard.func, str) else guard.func.__name__
                chosen = conditions if guard.target else unless
                if name not in chosen:
                    chosen.append(name)
    return conditions, unless


def _as_tuple(sources: tuple[str, ...] | str) -> tuple[str, ...]:
    return sources if isinstance(sources, tuple) else (sources,)
