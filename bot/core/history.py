"""A run as its log tells it: the answers, reasons, laters and challenges it has taken, and
where each item stands. Everything here is derived from the log alone (`replay`); the commands
that add to it are in `bot.core.run`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Self

from bot.core.answers import Decoded, kind_of
from bot.core.playbook import Item, Playbook
from bot.core.records import Entry

ItemState = Literal[
    "done", "not-done", "na", "later", "open", "needs-reason", "to-countersign", "not-live"
]


def challenge_open(thread: Sequence[Entry]) -> bool:
    """A challenge thread waits for the investigator while its latest record is a question."""
    return bool(thread) and thread[-1].kind == "challenged"


def origin(entry: Entry) -> tuple[str, datetime]:
    """Who gave an answer or reason, and when: for one carried from an older version's run,
    the person and time of the original, not of the move."""
    first = entry.detail.get("answered_at")
    if first:
        return entry.detail.get("answered_by", entry.actor), datetime.fromisoformat(first)
    return entry.actor, entry.at


@dataclass(frozen=True, slots=True)
class ItemStatus:
    """Where one item stands, as the log says: its answer, reason, who and when."""

    item: Item
    status: ItemState
    value: str | None = None
    reason: str | None = None
    actor: str | None = None
    at: datetime | None = None
    corrections: int = 0


class RunHistory:
    """One playbook on one case, as its log tells it: answers, reasons, laters, challenges."""

    def __init__(
        self,
        playbook: Playbook,
        run_id: int,
        case_ref: str,
        milestones: Mapping[str, date] | None = None,
    ) -> None:
        self.playbook = playbook
        self.run_id = run_id
        self.case_ref = case_ref
        self.milestones: dict[str, date] = dict(milestones or {})
        self.state = "not_started"
        self.cursor: str | None = None
        self._answers: dict[str, Entry] = {}
        self._reasons: dict[str, Entry] = {}
        self._deferred: set[str] = set()
        self._corrections: dict[str, int] = {}
        # Challenge threads by item: a supervisor's question, the investigator's reply, again.
        self._threads: dict[str, list[Entry]] = {}
        # Items answered by an officer in training that still wait for a supervisor's confirmation.
        self._unsigned: set[str] = set()
        self._items = {item.id: item for item in playbook.items}
        # Decoded answers, rebuilt only when an answer is applied: conditions read them often.
        self._decoded: dict[str, Decoded] | None = None
        # Counts applied entries, so what is worked out from them can be kept until one changes.
        self._applied = 0
        self._surveyed: tuple[tuple[object, ...], tuple[Item | None, int, int]] | None = None

    # --- rebuilding from the log ----------------------------------------------------------

    @classmethod
    def replay(
        cls,
        playbook: Playbook,
        run_id: int,
        case_ref: str,
        entries: Iterable[Entry],
        milestones: Mapping[str, date] | None = None,
        cursor: str | None = None,
    ) -> Self:
        """Rebuild a run from its log entries (in order) and the case's milestones."""
        run = cls(playbook, run_id, case_ref, milestones)
        for entry in entries:
            run._apply(entry)
        run.cursor = cursor if cursor in run._items else None
        return run

    def _apply(self, entry: Entry) -> None:
        """Fold one entry into the run's picture of itself."""
        item = entry.item
        self._applied += 1
        if entry.kind == "answered":
            self._decoded = None
        if entry.kind == "answered" and item in self._items:
            if item in self._answers:
                self._corrections[item] = self._corrections.get(item, 0) + 1
            self._answers[item] = entry
            self._reasons.pop(item, None)
            self._deferred.discard(item)
            if entry.detail.get("countersign") == "needed":
                self._unsigned.add(item)
            else:
                self._unsigned.discard(item)
        elif entry.kind == "reason-given" and item in self._items:
            self._reasons[item] = entry
        elif entry.kind == "deferred" and item in self._items:
            self._deferred.add(item)
        elif entry.kind in ("challenged", "challenge-answered") and item in self._items:
            self._threads.setdefault(item, []).append(entry)
        elif entry.kind == "countersigned" and item in self._items:
            self._unsigned.discard(item)
        elif entry.kind == "transition":
            self.state = entry.detail.get("dest", self.state)
        elif entry.kind == "milestone-recorded":
            name, when = entry.detail.get("milestone"), entry.detail.get("date")
            if name and when:
                self.milestones[name] = date.fromisoformat(when)

    # --- what the run knows ---------------------------------------------------------------

    def answers(self) -> Mapping[str, Decoded]:
        """Current answers by item id, as conditions read them."""
        if self._decoded is None:
            self._decoded = {
                item_id: kind_of(self._items[item_id]).decode(
                    self._items[item_id], entry.value or ""
                )
                for item_id, entry in self._answers.items()
            }
        return self._decoded

    def is_live(self, item: Item, answers: Mapping[str, Any] | None = None) -> bool:
        """Tell whether an item is asked, given the answers so far and the case's milestones."""
        if item.when is None:
            return True
        return item.when.holds(self.answers() if answers is None else answers, self.milestones)

    def status(self, item_id: str) -> ItemStatus:
        """Where one item stands."""
        return self._status(self._items[item_id], self.answers())

    def statuses(self) -> list[ItemStatus]:
        """Every item's standing, in playbook order."""
        # Reports ask this of every run in a team: the decoded answers are read once per run.
        answers = self.answers()
        return [self._status(item, answers) for item in self.playbook.items]

    def _status(self, item: Item, answers: Mapping[str, Decoded]) -> ItemStatus:
        item_id = item.id
        answer = self._answers.get(item_id)
        reason = self._reasons.get(item_id)
        corrections = self._corrections.get(item_id, 0)
        if answer is None:
            value = actor = at = None
        else:
            value = answer.value
            actor, at = origin(reason or answer)
        why = reason.value if reason else None
        if item.when is not None and not item.when.holds(answers, self.milestones):
            state: ItemState = "not-live"
        elif answer is None:
            state = "later" if item_id in self._deferred else "open"
        elif item.needs_reason(decoded := answers[item_id]) and reason is None:
            state = "later" if item_id in self._deferred else "needs-reason"
        elif item_id in self._unsigned:
            state = "to-countersign"
        elif decoded == "na":
            state = "na"
        else:
            state = "not-done" if item.needs_reason(decoded) else "done"
        return ItemStatus(item, state, value, why, actor, at, corrections)

    def is_settled(self, item_id: str) -> bool:
        """An item counts as settled once answered, with its reason when the answer needs one."""
        item = self._items[item_id]
        return self.is_live(item) and self._answered_fully(item)

    def _answered_fully(self, item: Item) -> bool:
        # The short road of status(): next_item and progress ask this for every item per tap.
        if item.id not in self._answers:
            return False
        return item.id in self._reasons or not item.needs_reason(self.answers()[item.id])

    def next_item(self) -> Item | None:
        """The first live item not yet settled and not put off for later."""
        return self._survey()[0]

    def _survey(self) -> tuple[Item | None, int, int]:
        """(next item, settled, live) in one pass, kept until an entry or a milestone changes.

        A tap asks for these several times (to advance, to prompt, to count progress).
        """
        key = (self._applied, *self.milestones.items())
        if self._surveyed is not None and self._surveyed[0] == key:
            return self._surveyed[1]
        found, settled, live = None, 0, 0
        answers = self.answers()
        for item in self.playbook.items:
            if item.when is not None and not item.when.holds(answers, self.milestones):
                continue
            live += 1
            if self._answered_fully(item):
                settled += 1
            elif found is None and item.id not in self._deferred:
                found = item
        survey = (found, settled, live)
        self._surveyed = (key, survey)
        return survey

    def current(self) -> Item | None:
        """The item the investigator is looking at now, if the run is taking answers."""
        if self.state not in ("asking", "awaiting_reason"):
            return None
        if self.cursor and self.cursor in self._items and self.is_live(self._items[self.cursor]):
            return self._items[self.cursor]
        return self.next_item()

    def unexplained(self) -> list[Item]:
        """Live, required items that are neither done nor explained: they block submission."""
        return [
            item
            for item in self.playbook.items
            if item.required and self.is_live(item) and not self._answered_fully(item)
        ]

    def thread(self, item_id: str) -> tuple[Entry, ...]:
        """The challenge thread on an item, oldest first: questions and replies."""
        return tuple(self._threads.get(item_id, ()))

    def open_challenges(self) -> list[Item]:
        """Items whose latest challenge has not been answered yet: they block sign-off."""
        return [
            self._items[item_id]
            for item_id, thread in self._threads.items()
            if challenge_open(thread)
        ]

    def awaiting_countersign(self) -> list[Item]:
        """Live items answered by an officer in training and not yet confirmed by a supervisor."""
        return [
            item
            for item in self.playbook.items
            if item.id in self._unsigned and self.is_live(item)
        ]

    def progress(self) -> tuple[int, int]:
        """(settled, live) counts over live items, for a 'Bad character · 4/12' line."""
        _, settled, live = self._survey()
        return settled, live

    def answered_items(self) -> list[str]:
        """Ids of items with an answer or put off for later, in playbook order."""
        return [
            item.id
            for item in self.playbook.items
            if item.id in self._answers or item.id in self._deferred
        ]

    # --- internals ------------------------------------------------------------------------
