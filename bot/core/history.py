"""A run as its log tells it: the answers, reasons, laters and challenges it has taken, and
where each item stands. Everything here is derived from the log and the case's events alone
(`replay`); the commands that add to it are in `bot.core.run`.

An item asked per occurrence of a repeating milestone (`each: trial-listed`) has one copy per
occurrence, kept by `bot.core.run_items`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Literal, Self

from bot.core.answers import Decoded, kind_of
from bot.core.events import Events
from bot.core.playbook import DueRule, Item, Playbook
from bot.core.records import Entry
from bot.core.run_items import RunItems

ItemState = Literal[
    "done",
    "not-done",
    "na",
    "later",
    "not-yet",
    "open",
    "needs-reason",
    "to-countersign",
    "not-live",
]
#: Statuses of an item still waiting for work, which fall overdue past their due date. In this
#: order: the read model's index and the escalation scan's query are written from it.
WAITING: tuple[ItemState, ...] = ("open", "later", "needs-reason", "not-yet")


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


def shared_key(playbook_id: str, item: Item) -> str:
    """The one name a fact has in every playbook that asks it: its `same-as`, or its own."""
    return item.same_as or f"{playbook_id}/{item.base_id}"


def shares_with(reader: Playbook, answered_in: str, item: Item) -> bool:
    """Whether a run of `reader` takes an answer another run of the case gave to `item` of the
    playbook `answered_in`, given that `reader` asks the same fact (`shared_key`).

    Each run of a recurring playbook is its own occurrence (a supervisory review held on its
    own day): from the earlier runs of that same playbook it takes only the facts named with
    `same-as`, so each review starts blank. Every other run of the case asking the fact takes
    it. The one rule for runs as they are read (`RunRepository.shared_answers`) and for the
    read model's rows that follow an answer (`FactRepository`).
    """
    return not (reader.repeat is not None and answered_in == reader.id and not item.same_as)


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


@dataclass(slots=True)
class ItemPast:
    """What a run's log says of its items beyond where they stand now."""

    #: When the run first logged an answer or reason for each item (as first given).
    first_answered: dict[str, datetime] = field(default_factory=dict)
    #: The items ever put off until later in this run.
    deferred: set[str] = field(default_factory=set)
    #: The last record about each item: its number among the run's records (from 1), its time.
    touched: dict[str, tuple[int, datetime]] = field(default_factory=dict)


class RunHistory(RunItems):
    """One playbook on one case, as its log tells it: answers, reasons, laters, challenges."""

    def __init__(
        self,
        playbook: Playbook,
        run_id: int,
        case_ref: str,
        milestones: Events | Mapping[str, date] | None = None,
        shared: Mapping[str, Entry] | None = None,
    ) -> None:
        super().__init__(playbook, Events.of(milestones))
        self.run_id = run_id
        self.case_ref = case_ref
        #: Answers given in other runs of the case to the facts this playbook shares.
        self.shared: dict[str, Entry] = dict(shared or {})
        self.state = "not_started"
        self.cursor: str | None = None
        self._answers: dict[str, Entry] = {}
        self._reasons: dict[str, Entry] = {}
        self._deferred: set[str] = set()
        self._not_yet: set[str] = set()
        self._corrections: dict[str, int] = {}
        # Challenge threads by item: a supervisor's question, the investigator's reply, again.
        self._threads: dict[str, list[Entry]] = {}
        # Items answered by an officer in training that still wait for a supervisor's confirmation.
        self._unsigned: set[str] = set()
        # Everyone who gave an answer in this run (corrections too): four eyes at sign-off.
        self._answerers: set[str] = set()
        # The last sign-off, and whether the run was reopened after it.
        self.signed_off_by: Entry | None = None
        self.reopened_after_sign_off = False
        #: For a run of a recurring playbook: the day the occurrence it holds fell due.
        self.due_on: date | None = None
        #: When the run was started, and when anything last happened on it (its last record).
        self.started_at: datetime | None = None
        self.last_at: datetime | None = None
        #: The last record about no item (a lifecycle move, the start): its number among the
        #: run's records, counting from 1, and its time.
        self.changed: tuple[int, datetime] | None = None
        #: What reports ask of the items' past, not only of where they stand.
        self.past = ItemPast()
        # Decoded answers, rebuilt only when an answer is applied or the items change (a new
        # occurrence adds copies): conditions read them often.
        self._decoded: dict[str, Decoded] | None = None
        self._decoded_over: tuple[Item, ...] = ()
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
        milestones: Events | Mapping[str, date] | None = None,
        cursor: str | None = None,
        shared: Mapping[str, Entry] | None = None,
    ) -> Self:
        """Rebuild a run from its log entries (in order) and the case's events."""
        run = cls(playbook, run_id, case_ref, milestones, shared)
        for entry in entries:
            run._apply(entry)
        run.cursor = cursor if cursor in run._items else None
        return run

    def begin(self, started: Entry) -> None:
        """Take a new run's `run-started` record in (it names what the run was started for)."""
        self._apply(started)

    def _apply(self, entry: Entry) -> None:
        """Fold one entry into the run's picture of itself."""
        if entry.at.tzinfo is not UTC:
            # The log keeps UTC: a run read back from it must say what this one says.
            entry = replace(entry, at=entry.at.astimezone(UTC))
        item = entry.item
        self._applied += 1
        self.last_at = entry.at
        if item is None:
            self.changed = (self._applied, entry.at)
        else:
            self.past.touched[item] = (self._applied, entry.at)
            if entry.kind in ("answered", "reason-given"):
                self.past.first_answered.setdefault(item, origin(entry)[1])
            elif entry.kind == "deferred":
                self.past.deferred.add(item)
        if entry.kind == "answered":
            self._decoded = None
            self._answerers.add(entry.detail.get("answered_by", entry.actor))
        known = item is not None and (item in self._items or "@" in item)
        if entry.kind == "answered" and item is not None and known:
            if item in self._answers:
                self._corrections[item] = self._corrections.get(item, 0) + 1
            self._answers[item] = entry
            self._reasons.pop(item, None)
            self._deferred.discard(item)
            self._not_yet.discard(item)
            if entry.detail.get("countersign") == "needed":
                self._unsigned.add(item)
            else:
                self._unsigned.discard(item)
        elif entry.kind == "reason-given" and item is not None and known:
            self._reasons[item] = entry
        elif entry.kind == "deferred" and item is not None and known:
            self._deferred.add(item)
        elif entry.kind == "not-yet" and item is not None and known:
            self._not_yet.add(item)
            self._deferred.discard(item)
        elif entry.kind in ("challenged", "challenge-answered") and item is not None and known:
            self._threads.setdefault(item, []).append(entry)
        elif entry.kind == "countersigned" and item is not None and known:
            self._unsigned.discard(item)
        elif entry.kind == "transition":
            self._transition(entry)
        elif entry.kind == "run-started":
            if self.started_at is None:
                self.started_at = entry.at
            if entry.detail.get("due"):
                self.due_on = date.fromisoformat(entry.detail["due"])

    def _transition(self, entry: Entry) -> None:
        """Follow a lifecycle move, remembering sign-offs and reopenings after them."""
        self.state = entry.detail.get("dest", self.state)
        event = entry.detail.get("event")
        if event == "sign_off":
            self.signed_off_by, self.reopened_after_sign_off = entry, False
        elif event == "reopen" and entry.detail.get("source") == "signed_off":
            self.reopened_after_sign_off = True

    def anchor(self, rule: DueRule, item: Item) -> date | None:
        """The date a due rule counts from: a date item's answer, the occurrence an item is
        asked for, or the milestone's latest occurrence."""
        if rule.of_item:
            found = self._answer_of(rule.milestone)
            return date.fromisoformat(found.value) if found and found.value else None
        if item.occurrence and rule.milestone == item.each:
            return self.events.nth(rule.milestone, item.occurrence)
        return self.events.latest(rule.milestone)

    # --- what the run knows ---------------------------------------------------------------

    def _answer_of(self, item_id: str) -> Entry | None:
        """The answer an item stands on: its own, or the same fact answered in another run,
        whichever came last."""
        own = self._answers.get(item_id)
        item = self._items.get(item_id)
        if item is None or not self.shared:
            return own
        other = self.shared.get(shared_key(self.playbook.id, item))
        if other is None or (own is not None and own.at >= other.at):
            return own
        return other

    def answers(self) -> Mapping[str, Decoded]:
        """Current answers by item id, as conditions read them."""
        items = self._expand()
        if self._decoded is None or self._decoded_over is not items:
            decoded = {}
            for item_id, item in self._items.items():
                entry = self._answer_of(item_id)
                if entry is not None:
                    decoded[item_id] = kind_of(item).decode(item, entry.value or "")
            self._decoded, self._decoded_over = decoded, items
        return self._decoded

    def is_live(self, item: Item, answers: Mapping[str, Any] | None = None) -> bool:
        """Tell whether an item is asked, given the answers so far and the case's milestones."""
        if item.when is None:
            return True
        return item.when.holds(self.answers() if answers is None else answers, self.milestones)

    def status(self, item_id: str) -> ItemStatus:
        """Where one item stands."""
        return self._status(self.item(item_id), self.answers())

    def statuses(self) -> list[ItemStatus]:
        """Every item's standing, in order."""
        # Reports ask this of every run in a team: the decoded answers are read once per run.
        answers = self.answers()
        return [self._status(item, answers) for item in self.items]

    def _status(self, item: Item, answers: Mapping[str, Decoded]) -> ItemStatus:
        item_id = item.id
        answer = self._answer_of(item_id)
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
        elif answer is None and item_id in self._not_yet:
            state = "not-yet"
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
        """An item counts as settled once answered, with its reason when the answer needs one,
        or answered 'not yet'."""
        item = self.item(item_id)
        return self.is_live(item) and self._answered_fully(item)

    def _answered_fully(self, item: Item) -> bool:
        # The short road of status(): next_item and progress ask this for every item per tap.
        item_id = item.id
        if self._answer_of(item_id) is None:
            return item_id in self._not_yet
        return item_id in self._reasons or not item.needs_reason(self.answers()[item_id])

    def next_item(self) -> Item | None:
        """The first live item not yet settled and not put off for later."""
        return self._survey()[0]

    def _survey(self) -> tuple[Item | None, int, int]:
        """(next item, settled, live) in one pass, kept until an entry or an event changes.

        A tap asks for these several times (to advance, to prompt, to count progress).
        """
        key = (self._applied, self.events.signature(), len(self.shared))
        if self._surveyed is not None and self._surveyed[0] == key:
            return self._surveyed[1]
        found, settled, live = None, 0, 0
        answers = self.answers()
        for item in self.items:
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
        cursor = self._items.get(self.cursor) if self.cursor else None
        if cursor is not None and self.is_live(cursor):
            return cursor
        return self.next_item()

    def unexplained(self) -> list[Item]:
        """Live, required items that are neither done nor explained: they block submission."""
        return [
            item
            for item in self.items
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
            if challenge_open(thread) and item_id in self._items
        ]

    def awaiting_countersign(self) -> list[Item]:
        """Live items answered by an officer in training and not yet confirmed by a supervisor."""
        return [item for item in self.items if item.id in self._unsigned and self.is_live(item)]

    def progress(self) -> tuple[int, int]:
        """(settled, live) counts over live items, for a 'Bad character · 4/12' line."""
        _, settled, live = self._survey()
        return settled, live

    def answered_items(self) -> list[str]:
        """Ids of items with an answer, put off for later or 'not yet', in order."""
        return [
            item.id
            for item in self.items
            if item.id in self._answers or item.id in self._deferred or item.id in self._not_yet
        ]

    def answerers(self) -> frozenset[str]:
        """Everyone who gave an answer in this run, as the log names them."""
        return frozenset(self._answerers)

    def own_answer(self, item_id: str) -> Entry | None:
        """The answer this run itself logged for an item, if any (not one shared from another)."""
        return self._answers.get(item_id)
