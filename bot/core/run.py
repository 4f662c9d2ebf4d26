"""A run of one playbook on one case: its lifecycle state machine and the answers it has taken.

A run is rebuilt from its log entries (`Run.replay`), so everything here is derivable from the
log alone. Each command checks the move, changes the run in memory and returns the entries to
record; the service writes them in one transaction before anyone is told it worked.

The lifecycle is one `transitions` machine shared by every run. Its magic stays inside
`_Lifecycle`: a run attaches its lifecycle only for the moment an event fires, so no model is
ever left registered on the shared machine, and a MachineError never leaves this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from transitions import Machine, MachineError

from bot.core.errors import InputRefused, NotAllowed
from bot.core.playbook import Item, Playbook
from bot.core.records import Entry

STATES = (
    "not_started",
    "asking",
    "awaiting_reason",
    "paused",
    "review",
    "submitted",
    "signed_off",
    "returned",
    "moved",
)
#: Where a run can be moved to a newer version of its playbook from: while it takes answers.
MOVABLE = ("asking", "awaiting_reason", "paused", "review", "returned")
#: Run states in which items can still be worked on (and so fall overdue).
UNDER_WAY = ("not_started", *MOVABLE)
# Each event: (name, sources, dest). `submit` is guarded by the run's completeness.
EVENTS: tuple[tuple[str, tuple[str, ...] | str, str], ...] = (
    ("start", "not_started", "asking"),
    ("ask_reason", "asking", "awaiting_reason"),
    ("take_reason", "awaiting_reason", "asking"),
    ("hold", ("asking", "awaiting_reason"), "paused"),
    ("resume", "paused", "asking"),
    ("finish", "asking", "review"),
    ("reopen", "review", "asking"),
    ("submit", "review", "submitted"),
    ("sign_off", "submitted", "signed_off"),
    ("send_back", "submitted", "returned"),
    ("rework", "returned", "asking"),
    ("move", MOVABLE, "moved"),
)
#: Where a run stands, in words, for refusals that tell the user what they can do instead.
STANDING = {
    "not_started": "has not started yet",
    "asking": "is taking answers",
    "awaiting_reason": "is waiting for a reason",
    "paused": "is paused; resume it first",
    "review": "is complete and waiting to be submitted",
    "submitted": "is submitted and waiting for a supervisor",
    "signed_off": "is signed off; nothing more can change",
    "returned": "was returned by a supervisor; resume it to make changes",
    "moved": "was moved to a newer version of the checklist, with its answers",
}
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


class _Lifecycle:
    """The model the shared machine moves; it only holds a state and asks its run for guards."""

    def __init__(self, run: Run, state: str) -> None:
        self.run = run
        self.state = state

    def is_complete(self) -> bool:
        """Guard for `submit`: every live, required item is done or explained."""
        return not self.run.unexplained()


RUN_MACHINE = Machine(
    model=None,
    states=list(STATES),
    transitions=[
        {"trigger": name, "source": list(src) if isinstance(src, tuple) else src, "dest": dest}
        | ({"conditions": "is_complete"} if name == "submit" else {})
        for name, src, dest in EVENTS
    ],
    initial="not_started",
    auto_transitions=False,
)


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


def encode_answer(item: Item, value: Any) -> str:
    """Turn a checked answer into the text the log keeps (multi answers as a JSON list)."""
    if item.type == "multi":
        return json.dumps(sorted(value), ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def decode_answer(item: Item, text: str) -> str | frozenset[str]:
    """Read a logged answer back as conditions compare it."""
    if item.type == "multi":
        return frozenset(json.loads(text))
    return text


class Run:
    """One playbook on one case: answers, reasons, laters and the lifecycle around them."""

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
        self._decoded: dict[str, str | frozenset[str]] | None = None
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
    ) -> Run:
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

    def answers(self) -> Mapping[str, str | frozenset[str]]:
        """Current answers by item id, as conditions read them."""
        if self._decoded is None:
            self._decoded = {
                item_id: decode_answer(self._items[item_id], entry.value or "")
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

    def _status(self, item: Item, answers: Mapping[str, str | frozenset[str]]) -> ItemStatus:
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

    # --- commands -------------------------------------------------------------------------

    def start(self, actor: str, at: datetime) -> list[Entry]:
        """Begin asking."""
        entries = self._fire("start", actor, at)
        return entries + self._advance(actor, at)

    def answer(
        self, item_id: str, value: Any, actor: str, at: datetime, trainee: bool = False
    ) -> list[Entry]:
        """Record an answer (a correction when the item had one); ask for a reason if needed.

        An answer by an officer in training (`trainee`) to an item marked `countersign` counts
        as done only once a supervisor confirms it.
        """
        item = self._answerable(item_id)
        checked = self._check_value(item, value)
        text = encode_answer(item, checked)
        previous = self._answers.get(item_id)
        if previous is not None and previous.value == text:
            # The same answer again records nothing: a repeated tap is not a correction.
            if item.needs_reason(checked) and item_id not in self._reasons:
                self.cursor = item_id
                return self._fire("ask_reason", actor, at) if self.state == "asking" else []
            self.cursor = None
            return self._advance(actor, at)
        detail = {"corrects": previous.value or ""} if previous is not None else {}
        if trainee and item.countersign:
            detail["countersign"] = "needed"
        entry = Entry("answered", self.case_ref, actor, at, self.run_id, item_id, text, detail)
        self._apply(entry)
        entries = [entry]
        if self.state == "awaiting_reason" and not item.needs_reason(checked):
            entries += self._fire("take_reason", actor, at)
        if item.needs_reason(checked):
            self.cursor = item_id
            if self.state == "asking":
                entries += self._fire("ask_reason", actor, at)
            return entries
        self.cursor = None
        return entries + self._advance(actor, at)

    def give_reason(self, reason: str, actor: str, at: datetime) -> list[Entry]:
        """Record why the current item was answered as it was, then move on."""
        if self.state != "awaiting_reason" or self.cursor is None:
            raise NotAllowed(f"No reason is being asked for: this run {STANDING[self.state]}.")
        words = " ".join(reason.split())
        if not words:
            raise InputRefused("Send a short reason, or tap one of the reasons offered.")
        item_id = self.cursor
        entry = Entry("reason-given", self.case_ref, actor, at, self.run_id, item_id, words)
        self._apply(entry)
        self.cursor = None
        return [entry, *self._fire("take_reason", actor, at), *self._advance(actor, at)]

    def defer(self, item_id: str, actor: str, at: datetime) -> list[Entry]:
        """Put the current item off until later; it still blocks submission."""
        item = self._answerable(item_id)
        if self.is_settled(item.id):
            raise NotAllowed("That item is already answered; change the answer instead.")
        entry = Entry("deferred", self.case_ref, actor, at, self.run_id, item.id)
        self._apply(entry)
        entries = [entry]
        if self.state == "awaiting_reason":
            entries += self._fire("take_reason", actor, at)
        self.cursor = None
        return entries + self._advance(actor, at)

    def back(self) -> Item:
        """Step the view back to the previous live item, to read or change it; records nothing."""
        if self.state not in ("asking", "awaiting_reason"):
            raise NotAllowed(f"There is nothing to go back to: this run {STANDING[self.state]}.")
        current = self.current()
        live = [item for item in self.playbook.items if self.is_live(item)]
        index = live.index(current) if current in live else len(live)
        if index == 0:
            raise NotAllowed("This is the first item; there is nothing before it.")
        if self.state == "awaiting_reason":
            raise NotAllowed("Give the reason first, or choose Later.")
        self.cursor = live[index - 1].id
        return live[index - 1]

    def revisit(self, item_id: str, actor: str, at: datetime) -> list[Entry]:
        """Open any live item to answer or change it, from review or a returned run too."""
        if item_id not in self._items or not self.is_live(self._items[item_id]):
            raise NotAllowed("That item is not asked in this run as it stands.")
        entries: list[Entry] = []
        if self.state == "review":
            entries = self._fire("reopen", actor, at)
        elif self.state == "returned":
            entries = self._fire("rework", actor, at)
        elif self.state == "paused":
            entries = self._fire("resume", actor, at)
        elif self.state != "asking":
            raise NotAllowed(f"That cannot change now: this run {STANDING[self.state]}.")
        self.cursor = item_id
        return entries

    def pause(self, actor: str, at: datetime) -> list[Entry]:
        """Put the run aside; it keeps its place."""
        return self._fire("hold", actor, at)

    def resume(self, actor: str, at: datetime) -> list[Entry]:
        """Pick the run up again where it was left (after a pause or a supervisor's return)."""
        event = {"paused": "resume", "returned": "rework"}.get(self.state)
        if event is None:
            raise NotAllowed(f"This run {STANDING[self.state]}.")
        return self._fire(event, actor, at) + self._advance(actor, at)

    def refresh(self, actor: str, at: datetime) -> list[Entry]:
        """Re-check the run after milestones change: newly live items reopen a finished run."""
        if self.state == "review" and self.next_item() is not None:
            return self._fire("reopen", actor, at) + self._advance(actor, at)
        if self.state == "asking":
            return self._advance(actor, at)
        return []

    def submit(self, actor: str, at: datetime) -> list[Entry]:
        """Send the finished run to a supervisor; refused while anything is unexplained."""
        gaps = self.unexplained() if self.state in ("asking", "awaiting_reason", "review") else []
        if gaps:
            # Checked before anything fires, so a refusal leaves the run exactly as it was.
            names = ", ".join(f"'{item.ask}'" for item in gaps[:3])
            raise NotAllowed(f"{len(gaps)} item(s) still need an answer or a reason: {names}.")
        entries = self._fire("finish", actor, at) if self.state == "asking" else []
        return entries + self._fire("submit", actor, at)

    def sign_off(self, actor: str, at: datetime, note: str = "") -> list[Entry]:
        """A supervisor accepts the submitted run: never over an open challenge or a trainee's
        answer still waiting for its countersignature."""
        if self.state == "submitted":
            challenged = self.open_challenges()
            if challenged:
                raise NotAllowed(
                    f"It cannot be signed off while a challenge is open: '{challenged[0].ask}'. "
                    "The investigator must reply first."
                )
            unsigned = self.awaiting_countersign()
            if unsigned:
                raise NotAllowed(
                    f"{len(unsigned)} answer(s) by an officer in training need your "
                    f"countersignature first: '{unsigned[0].ask}'."
                )
        return self._fire("sign_off", actor, at, " ".join(note.split()))

    def challenge(self, item_id: str, question: str, actor: str, at: datetime) -> list[Entry]:
        """A supervisor questions one item's answer or reason; the investigator must reply."""
        item = self._challengeable(item_id)
        if challenge_open(self._threads.get(item_id, [])):
            raise NotAllowed("That item already has an open challenge; wait for the reply.")
        words = " ".join(question.split())
        if not words:
            raise InputRefused("Say in a few words what you are challenging (no names).")
        entry = Entry("challenged", self.case_ref, actor, at, self.run_id, item.id, words)
        self._apply(entry)
        return [entry]

    def reply_to_challenge(
        self, item_id: str, reply: str, actor: str, at: datetime
    ) -> list[Entry]:
        """The investigator answers the open challenge on an item; the thread only grows."""
        item = self._challengeable(item_id)
        if not challenge_open(self._threads.get(item_id, [])):
            raise NotAllowed("There is no open challenge on that item.")
        words = " ".join(reply.split())
        if not words:
            raise InputRefused("Send a short reply to the challenge (no names).")
        entry = Entry("challenge-answered", self.case_ref, actor, at, self.run_id, item.id, words)
        self._apply(entry)
        return [entry]

    def countersign(self, item_id: str, actor: str, at: datetime) -> list[Entry]:
        """A supervisor confirms a trainee's answer, which then counts as done."""
        item = self._challengeable(item_id)
        if item not in self.awaiting_countersign():
            raise NotAllowed("That answer does not need a countersignature.")
        entry = Entry("countersigned", self.case_ref, actor, at, self.run_id, item.id)
        self._apply(entry)
        return [entry]

    def send_back(self, actor: str, at: datetime, note: str) -> list[Entry]:
        """A supervisor returns the submitted run to its investigator, with a note."""
        if not note.strip():
            raise InputRefused("Say in a few words what needs doing before it comes back.")
        return self._fire("send_back", actor, at, " ".join(note.split()))

    def move(self, actor: str, at: datetime, detail: Mapping[str, str]) -> list[Entry]:
        """End this run because its work moves to a run on a newer version of the playbook."""
        challenged = self.open_challenges()
        if challenged:
            raise NotAllowed(
                f"Reply to the open challenge on '{challenged[0].ask}' first, then move."
            )
        entries = self._fire("move", actor, at)
        moved = Entry("version-moved", self.case_ref, actor, at, self.run_id, detail=detail)
        self._apply(moved)
        return [*entries, moved]

    def carried(
        self, item_ids: Iterable[str], run_id: int, actor: str, at: datetime
    ) -> list[Entry]:
        """Entries that give another run these items' answers, reasons and laters, as they are."""
        entries = []
        source = {"carried_from": str(self.run_id)}
        for item_id in item_ids:
            answer = self._answers.get(item_id)
            if answer is not None:
                detail = dict(source, answered_by=answer.actor, answered_at=answer.at.isoformat())
                if item_id in self._unsigned:
                    detail["countersign"] = "needed"
                entries.append(
                    Entry(
                        "answered",
                        self.case_ref,
                        actor,
                        at,
                        run_id,
                        item_id,
                        answer.value,
                        detail,
                    )
                )
                reason = self._reasons.get(item_id)
                if reason is not None:
                    entries.append(
                        Entry(
                            "reason-given",
                            self.case_ref,
                            actor,
                            at,
                            run_id,
                            item_id,
                            reason.value,
                            dict(
                                source, answered_by=reason.actor, answered_at=reason.at.isoformat()
                            ),
                        )
                    )
            if item_id in self._deferred:
                entries.append(
                    Entry("deferred", self.case_ref, actor, at, run_id, item_id, detail=source)
                )
        return entries

    def answered_items(self) -> list[str]:
        """Ids of items with an answer or put off for later, in playbook order."""
        return [
            item.id
            for item in self.playbook.items
            if item.id in self._answers or item.id in self._deferred
        ]

    # --- internals ------------------------------------------------------------------------

    def _answerable(self, item_id: str) -> Item:
        if self.state not in ("asking", "awaiting_reason"):
            raise NotAllowed(f"This run {STANDING[self.state]}.")
        item = self._items.get(item_id)
        if item is None or not self.is_live(item):
            raise NotAllowed("That question is not asked in this run as it stands.")
        if self.state == "awaiting_reason" and self.cursor != item_id:
            raise NotAllowed("Give the reason for the last answer first, or choose Later.")
        return item

    def _challengeable(self, item_id: str) -> Item:
        if self.state in ("not_started", "signed_off"):
            raise NotAllowed(f"That cannot change now: this run {STANDING[self.state]}.")
        item = self._items.get(item_id)
        if item is None:
            raise NotAllowed("That item is not part of this checklist.")
        return item

    def _check_value(self, item: Item, value: Any) -> Any:
        """Refuse a value the item's type cannot take (the dialogue parses typed text first)."""
        if item.type in ("yes-no", "yes-no-na", "choice"):
            if value not in item.answers:
                raise InputRefused("Choose one of the answers on the buttons.")
            return value
        if item.type == "multi":
            many = isinstance(value, Iterable) and not isinstance(value, str)
            chosen = frozenset(value) if many else frozenset()
            if not chosen or not chosen <= set(item.options):
                raise InputRefused("Choose at least one of the options, then Done.")
            return chosen
        if item.type == "date":
            if not isinstance(value, date):
                raise InputRefused("Send a date, like 3/11, or tap Today or Yesterday.")
            return value
        if item.type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputRefused("Send a number.")
            return value
        if item.type == "info":
            return "ok"
        if not isinstance(value, str) or not value.strip():
            raise InputRefused("Send a short note.")
        return " ".join(value.split())

    def _advance(self, actor: str, at: datetime) -> list[Entry]:
        """Move to the next item; finish when nothing live is left to ask."""
        if self.state != "asking":
            return []
        following = self.current()
        if following is None:
            self.cursor = None
            return self._fire("finish", actor, at)
        status = self.status(following.id).status
        if status == "needs-reason":
            self.cursor = following.id
            return self._fire("ask_reason", actor, at)
        return []

    def _fire(self, event: str, actor: str, at: datetime, note: str = "") -> list[Entry]:
        """Fire one lifecycle event on the shared machine and record the transition."""
        lifecycle = _Lifecycle(self, self.state)
        try:
            # The shared machine's event moves the model it is handed. Attaching the model first
            # (add_model) would bind every trigger onto it and cost more than the move itself.
            moved = RUN_MACHINE.events[event].trigger(lifecycle)
        except MachineError:
            raise NotAllowed(
                f"That cannot be done now: this run {STANDING[self.state]}."
            ) from None
        if not moved:
            raise NotAllowed(f"That cannot be done yet: this run {STANDING[self.state]}.")
        detail = {"event": event, "source": self.state, "dest": lifecycle.state}
        if note:
            detail["note"] = note
        entry = Entry("transition", self.case_ref, actor, at, self.run_id, detail=detail)
        self._apply(entry)
        return [entry]
