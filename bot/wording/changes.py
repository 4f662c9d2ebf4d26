"""Changes between playbook versions in words: a trainer's diff and an investigator's notice."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.changes import Changes, ItemChange
from bot.core.playbook import Duration, Item, Milestone, Playbook
from bot.wording.labels import counted
from bot.wording.preview import (
    answer_label,
    condition_in_words,
    due_in_words,
    milestone_phrase,
    span_in_words,
)

#: How each part of an item is named when it changes.
ASPECT_NAMES = {
    "ask": "question",
    "type": "type",
    "options": "answers",
    "when": "asked",
    "due": "due",
    "escalate": "escalation",
    "required": "required",
    "reason": "reason needed for",
    "reasons": "preset reasons",
    "sets": "records",
    "opens": "opens",
    "dates": "dates allowed",
    "bounds": "number limits",
    "countersign": "countersignature for officers in training",
    "each": "asked",
    "not_yet": "'Not yet' offered",
    "same_as": "same fact as",
    "offered": "answers offered",
    "exclusive": "options that stand alone",
    "computed": "date worked out",
    "guidance": "guidance",
}


class Wording:
    """Says items' parts in words, with one version's milestones and force settings."""

    def __init__(
        self, milestones: Mapping[str, Milestone], settings: Mapping[str, Duration]
    ) -> None:
        self.milestones = milestones
        self.settings = settings

    def part(self, item: Item, aspect: str) -> str:
        """One part of an item, as words."""
        if aspect == "ask":
            return f"“{item.ask}”"
        if aspect == "options":
            return ", ".join(answer_label(answer) for answer in item.answers) or "typed"
        if aspect == "when":
            if item.when is None:
                return "always"
            return "when " + condition_in_words(item.when, {}, self.milestones)
        if aspect == "due":
            return due_in_words(item.due, self.milestones, self.settings) if item.due else "none"
        if aspect == "escalate":
            if item.escalate is None:
                return "none"
            return f"once {span_in_words(item.escalate, self.settings)} overdue"
        if aspect == "sets":
            return milestone_phrase(item.sets, self.milestones) if item.sets else "nothing"
        if aspect == "opens":
            opened = [f"{answer_label(a)} opens {target}" for a, target in item.opens]
            return "; ".join(opened) or "nothing"
        if aspect == "reason":
            return ", ".join(answer_label(a) for a in sorted(item.reason)) or "no answer"
        if aspect == "reasons":
            parts = [
                f"{answer_label(answer)}: {'; '.join(presets)}"
                for answer, presets in item.reasons_by_answer
            ]
            if item.reasons:
                parts.append("; ".join(item.reasons))
            return " / ".join(parts) or "none"
        if aspect == "each":
            if item.each is None:
                return "once"
            phrase = milestone_phrase(item.each, self.milestones)
            return f"again for every {phrase.removeprefix('the ')}"
        if aspect == "same_as":
            return item.same_as or "its own"
        if aspect == "offered":
            limited = [
                f"{answer_label(answer)} only while {condition_in_words(when, {}, self.milestones)}"
                for answer, when in item.offered
            ]
            return "; ".join(limited) or "all, always"
        if aspect == "exclusive":
            return ", ".join(item.exclusive) or "none"
        if aspect == "computed":
            return (
                due_in_words(item.computed, self.milestones, self.settings)
                if item.computed
                else "none"
            )
        if aspect == "bounds":
            low, high = item.min, item.max
            return (
                f"{'–' if low is None else f'{low:g}'} to {'–' if high is None else f'{high:g}'}"
            )
        if aspect == "guidance":
            return "changed"
        value = getattr(item, aspect)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    def change(self, change: ItemChange) -> list[str]:
        """Each changed part of one item: 'due: within 5 working days … (was: …)'."""
        lines = []
        for aspect in change.aspects:
            name = ASPECT_NAMES[aspect]
            if aspect == "guidance":
                lines.append("guidance: reworded")
                continue
            before = self.part(change.before, aspect)
            after = self.part(change.after, aspect)
            if aspect == "options":
                lines.append(f"{name}: {_options_change(change.before, change.after)}")
            else:
                lines.append(f"{name}: {after} (was: {before})")
        if not change.carries:
            lines.append("answers given on the old version do not carry over")
        return lines

    def summary(self, item: Item) -> str:
        """An added or removed item in brief: its type, whether required, when due."""
        parts = [item.type, "required" if item.required else "optional"]
        if item.when is not None:
            parts.append(self.part(item, "when"))
        if item.due is not None:
            parts.append("due " + self.part(item, "due"))
        return ", ".join(parts)


def _options_change(before: Item, after: Item) -> str:
    """Answers added, removed or renamed, as words."""
    if before.type != after.type:
        old = ", ".join(answer_label(a) for a in before.answers) or "typed"
        new = ", ".join(answer_label(a) for a in after.answers) or "typed"
        return f"{new} (was: {old})"
    added = [a for a in after.answers if a not in before.answers]
    removed = [a for a in before.answers if a not in after.answers]
    parts = []
    if added:
        parts.append("added " + ", ".join(f"“{a}”" for a in added))
    if removed:
        parts.append("removed " + ", ".join(f"“{a}”" for a in removed))
    return "; ".join(parts) or "reordered"


def headline(changes: Changes) -> str:
    """The changes counted in one line: '1 item added, 1 removed, 2 changed'."""
    if changes.is_empty:
        return "no changes an investigator would see"
    parts = [
        counted(len(changes.added), "item") + " added" if changes.added else "",
        f"{len(changes.removed)} removed" if changes.removed else "",
        f"{len(changes.changed)} changed" if changes.changed else "",
        "its " + " and ".join(changes.playbook_aspects) + " changed"
        if changes.playbook_aspects
        else "",
    ]
    return ", ".join(part for part in parts if part)


def diff_text(changes: Changes, wording: Wording) -> str:
    """The trainer's diff: every item added, removed and changed, in words."""
    old, new = changes.old, changes.new
    lines = [f"{new.id}: version {old.version} → version {new.version} ({headline(changes)})"]
    for aspect in changes.playbook_aspects:
        lines.append(
            f"  {aspect}: {_playbook_part(new, aspect)} (was: {_playbook_part(old, aspect)})"
        )
    if changes.added:
        lines += ["", f"Added ({len(changes.added)}):"]
        for item in changes.added:
            lines.append(f"  + {item.id}: “{item.ask}”")
            lines.append(f"      {wording.summary(item)}")
    if changes.removed:
        lines += ["", f"Removed ({len(changes.removed)}):"]
        for item in changes.removed:
            lines.append(f"  - {item.id}: “{item.ask}”")
    if changes.changed:
        lines += ["", f"Changed ({len(changes.changed)}):"]
        for change in changes.changed:
            lines.append(f"  ~ {change.after.id}: “{change.after.ask}”")
            lines += [f"      {line}" for line in wording.change(change)]
    if changes.is_empty:
        lines.append("The two versions ask the same questions in the same way.")
    return "\n".join(lines) + "\n"


def never_published(playbook: Playbook) -> str:
    """A new playbook's diff against nothing: 'x: new playbook, never published: …'."""
    items = counted(len(playbook.items), "item")
    sections = counted(len(playbook.sections), "section")
    return f"{playbook.id}: new playbook, never published: {items} in {sections}."


def _playbook_part(playbook: Playbook, aspect: str) -> str:
    value = getattr(playbook, aspect)
    if aspect == "repeat" and value is not None:
        return f"every {value.every} from {value.start}"
    return "none" if value is None else f"“{value}”" if isinstance(value, str) else str(value)
