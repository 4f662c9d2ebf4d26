"""A playbook in words, as an investigator meets it: numbered items, answers, branches, due dates."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from bot.core.answers import button_days
from bot.core.condition import AllOf, AnswerIs, AnyOf, Condition, MilestoneRecorded, Not
from bot.core.playbook import (
    DueRule,
    Duration,
    Item,
    Milestone,
    Playbook,
    Repeat,
    effective,
)
from bot.wording.labels import answer_label, counted

WIDTH = 92
INDENT = " " * 7


def milestone_phrase(name: str, milestones: Mapping[str, Milestone]) -> str:
    """How a milestone reads inside a sentence ('the charge')."""
    return milestones[name].phrase if name in milestones else name


def span_in_words(span: Duration, settings: Mapping[str, Duration]) -> str:
    """A span in words, naming the force setting it comes from, if any."""
    used = effective(span, settings)
    words = used.in_words()
    if span.setting:
        source = "set by the force" if span.setting in settings else f"default {span}"
        words += f" (force setting '{span.setting}', {source})"
    return words


def due_in_words(
    rule: DueRule,
    milestones: Mapping[str, Milestone],
    settings: Mapping[str, Duration],
    numbers: Mapping[str, str] | None = None,
) -> str:
    """A due rule as a sentence fragment: 'within 5 working days of the report'."""
    if rule.of_item:
        phrase = f"the date answered at {(numbers or {}).get(rule.milestone, rule.milestone)}"
    else:
        phrase = milestone_phrase(rule.milestone, milestones)
    used = effective(rule.span, settings)
    if used.amount == 0:
        return f"on the day of {phrase}" if rule.relation == "within" else f"by {phrase}"
    words = span_in_words(rule.span, settings)
    if rule.relation == "within":
        return f"within {words} of {phrase}"
    return f"{words} before {phrase}"


def phrases(names: Sequence[str], milestones: Mapping[str, Milestone]) -> str:
    """Milestones in words, joined with 'or': 'the arrest or the charge'."""
    return " or ".join(milestone_phrase(name, milestones) for name in names)


def starts_in_words(playbook: Playbook, milestones: Mapping[str, Milestone]) -> str | None:
    """When a playbook starts itself, in a sentence; None when it is started by hand."""
    if not playbook.starts:
        return None
    return f"Starts itself once {phrases(playbook.starts, milestones)} is recorded."


def repeat_in_words(
    repeat: Repeat, milestones: Mapping[str, Milestone], settings: Mapping[str, Duration]
) -> str:
    """A recurring playbook's schedule: 'every 28 days from the report; also at the arrest'."""
    parts = []
    if repeat.every is not None and repeat.start is not None:
        every = span_in_words(repeat.every, settings)
        parts.append(f"every {every} from {milestone_phrase(repeat.start, milestones)}")
    if repeat.on:
        also = "also " if parts else ""
        phrases = [milestone_phrase(name, milestones) for name in repeat.on]
        listed = (
            ", ".join(phrases[:-1]) + " and " + phrases[-1] if len(phrases) > 1 else phrases[0]
        )
        parts.append(f"{also}at {listed}")
    words = "Due " + "; ".join(parts)
    if repeat.escalate is not None:
        words += f"; the supervisor is told once one is {span_in_words(repeat.escalate, settings)} overdue"
    return words + "."


def condition_in_words(
    condition: Condition, numbers: Mapping[str, str], milestones: Mapping[str, Milestone]
) -> str:
    """A condition as words, naming items by their number ('1.2 is Yes')."""
    if isinstance(condition, AnswerIs):
        values = " or ".join(answer_label(value) for value in sorted(condition.values))
        return f"{numbers.get(condition.item, condition.item)} is {values}"
    if isinstance(condition, MilestoneRecorded):
        names = " or ".join(milestone_phrase(name, milestones) for name in sorted(condition.names))
        return f"{names} is recorded"
    if isinstance(condition, AllOf | AnyOf):
        joiner = " and " if isinstance(condition, AllOf) else " or "
        parts = [condition_in_words(part, numbers, milestones) for part in condition.parts]
        nested = [f"({part})" if " and " in part or " or " in part else part for part in parts]
        return joiner.join(nested)
    if isinstance(condition, Not):
        return f"not ({condition_in_words(condition.part, numbers, milestones)})"
    return "a condition"


def _answers_line(item: Item) -> str:
    if item.type in ("yes-no", "yes-no-na"):
        return "Answer: " + " · ".join(answer_label(answer) for answer in item.answers)
    if item.type == "choice":
        return "Choose one: " + " · ".join(item.options)
    if item.type == "multi":
        return "Choose any: " + " · ".join(item.options)
    if item.type == "date":
        allowed = {"past": "today or earlier", "future": "today or later", "any": "any date"}
        extra = ", or Not yet" if item.not_yet else ""
        days = " / ".join(day.capitalize() for day in button_days(item))
        return f"Answer: a date ({allowed[item.dates]}), or {days}{extra}"
    if item.type == "number":
        bounds = []
        if item.min is not None:
            bounds.append(f"at least {item.min:g}")
        if item.max is not None:
            bounds.append(f"at most {item.max:g}")
        return "Answer: a number" + (f" ({', '.join(bounds)})" if bounds else "")
    if item.type == "text":
        return "Answer: typed text (no names or personal details)"
    return "A note to read; the investigator taps OK"


def _wrap(text: str, first: str = INDENT) -> list[str]:
    lines: list[str] = []
    for paragraph in text.strip().splitlines() or [""]:
        lines.extend(
            textwrap.wrap(paragraph, WIDTH, initial_indent=first, subsequent_indent=INDENT)
            or [first.rstrip()]
        )
        first = INDENT
    return lines


def _item_lines(
    item: Item,
    number: str,
    numbers: Mapping[str, str],
    milestones: Mapping[str, Milestone],
    settings: Mapping[str, Duration],
    titles: Mapping[str, str],
) -> list[str]:
    lines = _wrap(item.ask, first=f"  {number:<5}")
    lines += _wrap(_answers_line(item))
    if item.reason:
        needs = ", ".join(answer_label(answer) for answer in item.answers if answer in item.reason)
        preset = f" Presets: {'; '.join(item.reasons)}." if item.reasons else ""
        for answer, presets in item.reasons_by_answer:
            preset += f" Presets for {answer_label(answer)}: {'; '.join(presets)}."
        lines += _wrap(f"Reason needed for: {needs}.{preset}")
    for answer, when in item.offered:
        lines += _wrap(
            f"{answer_label(answer)} is offered only when "
            f"{condition_in_words(when, numbers, milestones)}."
        )
    if item.exclusive:
        lines += _wrap(f"Cannot be ticked with any other option: {', '.join(item.exclusive)}.")
    if item.when is not None:
        lines += _wrap(f"Asked only when {condition_in_words(item.when, numbers, milestones)}.")
    if item.each is not None:
        every = milestone_phrase(item.each, milestones).removeprefix("the ")
        lines += _wrap(f"Asked again for every {every}.")
    if item.computed is not None:
        worked = due_in_words(item.computed, milestones, settings, numbers)
        lines += _wrap(f"Offers the date worked out: {worked}.")
    if item.due is not None:
        due = f"Due {due_in_words(item.due, milestones, settings, numbers)}"
        if item.escalate is not None:
            due += f"; the supervisor is told once it is {span_in_words(item.escalate, settings)} overdue"
        lines += _wrap(due + ".")
    if item.sets:
        title = milestones[item.sets].title if item.sets in milestones else item.sets
        lines += _wrap(f"Records the milestone: {title}.")
    for answer, target in item.opens:
        lines += _wrap(
            f"Answering {answer_label(answer)} opens the playbook '{titles.get(target, target)}'."
        )
    notes = []
    if item.not_yet:
        notes.append("Can be answered 'not yet'.")
    if item.same_as:
        notes.append(f"The same fact as {item.same_as}: answered once for both.")
    if not item.required and item.type != "info":
        notes.append("Optional.")
    if item.countersign:
        notes.append("Needs a supervisor's countersignature for officers in training.")
    if item.focus:
        notes.append(f"Focus: {item.focus}.")
    if notes:
        lines += _wrap(" ".join(notes))
    if item.guidance:
        lines += _wrap("Guidance: " + " ".join(item.guidance.split()))
    return lines


def item_numbers(playbook: Playbook) -> dict[str, str]:
    """Number each item by its section and place in it: '1.2'."""
    return {
        item.id: f"{s}.{i}"
        for s, section in enumerate(playbook.sections, 1)
        for i, item in enumerate(section.items, 1)
    }


def render_preview(
    playbook: Playbook,
    milestones: Mapping[str, Milestone],
    settings: Mapping[str, Duration] | None = None,
    titles: Mapping[str, str] | None = None,
) -> str:
    """Render the whole playbook as plain text for a trainer to read through."""
    settings = settings or {}
    titles = titles or {}
    numbers = item_numbers(playbook)
    count = len(playbook.items)
    lines = [
        playbook.title,
        f"{playbook.id} · version {playbook.version} · "
        f"{counted(len(playbook.sections), 'section')} · {counted(count, 'item')}",
    ]
    starts = starts_in_words(playbook, milestones)
    if starts:
        lines.append(starts)
    if playbook.repeat:
        lines.append(repeat_in_words(playbook.repeat, milestones, settings))
    if playbook.role == "supervisor":
        lines.append("Answered by a supervisor of the case's team.")
    if playbook.summary:
        lines += ["", *textwrap.wrap(" ".join(playbook.summary.split()), WIDTH)]
    for s, section in enumerate(playbook.sections, 1):
        lines += ["", f"{s}. {section.title}"]
        for i, item in enumerate(section.items, 1):
            lines += ["", *_item_lines(item, f"{s}.{i}", numbers, milestones, settings, titles)]
    return "\n".join(lines) + "\n"
