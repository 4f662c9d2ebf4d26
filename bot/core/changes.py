"""What changed between two versions of a playbook, and which answers can move across.

A trainer reads the changes as a diff; an investigator moving a run to the new version sees
them before agreeing. An answer carries over only where the item keeps its id, its type and
every answer it offered, so it still means what the investigator meant: options added or
reordered keep it, an option renamed or removed does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.playbook import Item, Playbook

#: The parts of an item a trainer changes, in the order they are reported.
ASPECTS = (
    "ask",
    "type",
    "options",
    "when",
    "due",
    "escalate",
    "required",
    "reason",
    "reasons",
    "sets",
    "opens",
    "dates",
    "bounds",
    "countersign",
    "each",
    "not_yet",
    "same_as",
    "offered",
    "exclusive",
    "computed",
    "guidance",
)
#: Playbook-wide parts that can change beside the items.
PLAYBOOK_ASPECTS = ("title", "summary", "starts", "repeat", "role")


def _aspect(item: Item, aspect: str) -> object:
    """One comparable part of an item."""
    if aspect == "bounds":
        return (item.min, item.max)
    if aspect == "options":
        return item.answers
    if aspect == "reasons":
        return (item.reasons, item.reasons_by_answer)
    return getattr(item, aspect)


@dataclass(frozen=True, slots=True)
class ItemChange:
    """One item in both versions, and which of its parts differ."""

    before: Item
    after: Item
    aspects: tuple[str, ...]

    @property
    def carries(self) -> bool:
        """An answer to the old item still answers the new one."""
        if "type" in self.aspects or "each" in self.aspects:
            # An item asked per occurrence keeps an answer per occurrence: one answer given
            # once, or several, do not map onto the other.
            return False
        # An answer given is one of the old answers: it still means the same while every one of
        # them is still offered, whatever was added beside them.
        return set(self.before.answers) <= set(self.after.answers)


@dataclass(frozen=True, slots=True)
class Changes:
    """Everything that differs between an older and a newer version of one playbook."""

    old: Playbook
    new: Playbook
    added: tuple[Item, ...]
    removed: tuple[Item, ...]
    changed: tuple[ItemChange, ...]
    playbook_aspects: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        """Nothing an investigator or a trainer would notice differs."""
        return not (self.added or self.removed or self.changed or self.playbook_aspects)

    def carries(self, item_id: str) -> bool:
        """An answer to this item in the old version can move to the new one as it is."""
        if item_id not in {item.id for item in self.new.items}:
            return False
        for change in self.changed:
            if change.after.id == item_id:
                return change.carries
        return item_id in {item.id for item in self.old.items}

    @property
    def newly_required(self) -> tuple[Item, ...]:
        """Required items that are new, or were optional before: a mover must acknowledge them."""
        made_required = tuple(
            change.after
            for change in self.changed
            if "required" in change.aspects and change.after.required
        )
        return tuple(item for item in self.added if item.required) + made_required


def compare(old: Playbook, new: Playbook) -> Changes:
    """Work out what differs from `old` to `new`, item by item (items are matched by id)."""
    old_items = {item.id: item for item in old.items}
    new_items = {item.id: item for item in new.items}
    changed = []
    for item in new.items:
        before = old_items.get(item.id)
        if before is None:
            continue
        aspects = tuple(a for a in ASPECTS if _aspect(before, a) != _aspect(item, a))
        if aspects:
            changed.append(ItemChange(before, item, aspects))
    return Changes(
        old,
        new,
        added=tuple(item for item in new.items if item.id not in old_items),
        removed=tuple(item for item in old.items if item.id not in new_items),
        changed=tuple(changed),
        playbook_aspects=tuple(a for a in PLAYBOOK_ASPECTS if getattr(old, a) != getattr(new, a)),
    )
