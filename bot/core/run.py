"""A run of one playbook on one case: the commands that move it, each returning the entries
to record.

Each command checks the move against the run as its log tells it (`RunHistory`), changes the
run in memory and returns the entries to record; the use case writes them in one transaction
before anyone is told it worked. The lifecycle they move is `bot.core.lifecycle`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.core.answers import kind_of
from bot.core.errors import InputRefused, NotAllowed
from bot.core.history import RunHistory, challenge_open
from bot.core.lifecycle import STANDING, fire
from bot.core.playbook import Item
from bot.core.records import Entry


class Run(RunHistory):
    """One playbook on one case, and what may be done with it next."""

    def offered(self, item: Item) -> tuple[str, ...]:
        """The answers a button may give now: some are offered only while a condition holds."""
        if not item.offered:
            return item.answers
        answers = self.answers()
        closed = {word for word, when in item.offered if not when.holds(answers, self.milestones)}
        return tuple(answer for answer in item.answers if answer not in closed)

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
        kind = kind_of(item)
        checked = kind.check(item, value)
        withheld = set(item.answers) - set(self.offered(item))
        if isinstance(checked, str) and checked in withheld:
            # Some answers are offered only while a condition holds (see `offered`).
            raise InputRefused(
                f"{label_of(checked)} can't be the answer here as the case stands: "
                "choose another, or correct the earlier answer first."
            )
        text = kind.encode(item, checked)
        previous = self._answer_of(item_id)
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

    def take_fact(
        self, item_id: str, value: str, actor: str, at: datetime, source: str
    ) -> list[Entry]:
        """Give an item the answer a fact recorded elsewhere says (the date of a milestone
        recorded with /milestone, for the item that records it): one fact, shown the same
        everywhere. It moves no lifecycle; `refresh` reopens the run if that makes work."""
        item = self.item(item_id)
        previous = self._answer_of(item_id)
        if previous is not None and previous.value == value:
            return []
        detail = {"from": source}
        if previous is not None:
            detail["corrects"] = previous.value or ""
        entry = Entry("answered", self.case_ref, actor, at, self.run_id, item.id, value, detail)
        self._apply(entry)
        return [entry]

    def not_yet(self, item_id: str, actor: str, at: datetime) -> list[Entry]:
        """Answer that the event an item asks about has not happened: settled for submission,
        still on the agenda, and answered in full once it happens."""
        item = self._answerable(item_id)
        if not item.not_yet:
            raise NotAllowed("That question cannot be answered 'not yet'.")
        if self._answer_of(item.id) is not None:
            raise NotAllowed("That item is already answered; change the answer instead.")
        entry = Entry("not-yet", self.case_ref, actor, at, self.run_id, item.id)
        self._apply(entry)
        entries = [entry]
        if self.state == "awaiting_reason":
            entries += self._fire("take_reason", actor, at)
        self.cursor = None
        return entries + self._advance(actor, at)

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
        live = [item for item in self.items if self.is_live(item)]
        index = live.index(current) if current in live else len(live)
        if index == 0:
            raise NotAllowed("This is the first item; there is nothing before it.")
        if self.state == "awaiting_reason":
            raise NotAllowed("Give the reason first, or choose Later.")
        self.cursor = live[index - 1].id
        return live[index - 1]

    def revisit(self, item_id: str, actor: str, at: datetime) -> list[Entry]:
        """Open any live item to answer or change it: from review, a returned run, or one
        submitted or signed off (which reopens it for that work; the sign-off stays in the log
        for what it covered)."""
        if item_id not in self._items or not self.is_live(self._items[item_id]):
            raise NotAllowed("That item is not asked in this run as it stands.")
        entries: list[Entry] = []
        if self.state in ("review", "submitted", "signed_off"):
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
        """Re-check the run after the case's events change: newly live items reopen a finished
        run, and newly live required ones a submitted or signed-off run, for that work."""
        # A held occurrence of a recurring playbook (a review submitted or signed off) stays as
        # it was held: what a later event brings up is for the next occurrence to ask.
        if self.due_on is not None and self.state in ("submitted", "signed_off"):
            return []
        if self.state == "review" and self.next_item() is not None:
            return self._fire("reopen", actor, at) + self._advance(actor, at)
        # A submission stands until something it would now be refused for: an optional item
        # left unanswered, or one that comes live, does not send it back.
        if self.state in ("submitted", "signed_off") and self.unexplained():
            return self._fire("reopen", actor, at) + self._advance(actor, at)
        if self.state == "asking":
            return self._advance(actor, at)
        return []

    def close(self, actor: str, at: datetime, reason: str) -> list[Entry]:
        """The case is closed: the run takes no more answers."""
        if self.state in ("closed", "moved"):
            return []
        return self._fire("close", actor, at, reason)

    def submit(self, actor: str, at: datetime) -> list[Entry]:
        """Send the finished run to a supervisor; refused while anything is unexplained."""
        gaps = self.unexplained() if self.state in ("asking", "awaiting_reason", "review") else []
        if gaps:
            # Checked before anything fires, so a refusal leaves the run exactly as it was.
            names = ", ".join(f"'{item.ask}'" for item in gaps[:3])
            counted = "1 item still needs" if len(gaps) == 1 else f"{len(gaps)} items still need"
            raise NotAllowed(f"{counted} an answer or a reason: {names}.")
        entries = self._fire("finish", actor, at) if self.state == "asking" else []
        return entries + self._fire("submit", actor, at)

    def sign_off(
        self, actor: str, at: datetime, note: str = "", covers: tuple[int, str] | None = None
    ) -> list[Entry]:
        """A supervisor accepts the submitted run: never over an open challenge or a trainee's
        answer still waiting for its countersignature. `covers` is the log's head as the
        supervisor saw it (its number and hash): the sign-off attests to that much."""
        if self.state == "submitted":
            challenged = self.open_challenges()
            if challenged:
                raise NotAllowed(
                    f"It cannot be signed off while a challenge is open: '{challenged[0].ask}'. "
                    "The investigator must reply first."
                )
            unsigned = self.awaiting_countersign()
            if unsigned:
                counted = (
                    "1 answer by an officer in training needs"
                    if len(unsigned) == 1
                    else f"{len(unsigned)} answers by an officer in training need"
                )
                raise NotAllowed(f"{counted} your countersignature first: '{unsigned[0].ask}'.")
        if actor in self.answerers() and self.playbook.role != "supervisor":
            # Four eyes: whoever answered part of the officer's work does not attest to it.
            raise NotAllowed(
                "You answered items in this checklist, so another supervisor signs it off."
            )
        extra = {"covers": str(covers[0]), "covers_hash": covers[1]} if covers else {}
        return self._fire("sign_off", actor, at, " ".join(note.split()), extra)

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

    def _answerable(self, item_id: str) -> Item:
        if self.state not in ("asking", "awaiting_reason"):
            raise NotAllowed(f"This run {STANDING[self.state]}.")
        self._expand()
        item = self._items.get(item_id)
        if item is None or not self.is_live(item):
            raise NotAllowed("That question is not asked in this run as it stands.")
        if self.state == "awaiting_reason" and self.cursor != item_id:
            raise NotAllowed("Give the reason for the last answer first, or choose Later.")
        return item

    def _challengeable(self, item_id: str) -> Item:
        if self.state in ("not_started", "signed_off", "closed", "moved"):
            raise NotAllowed(f"That cannot change now: this run {STANDING[self.state]}.")
        item = self._items.get(item_id)
        if item is None:
            raise NotAllowed("That item is not part of this checklist.")
        return item

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

    def _fire(
        self,
        event: str,
        actor: str,
        at: datetime,
        note: str = "",
        extra: Mapping[str, str] | None = None,
    ) -> list[Entry]:
        """Fire one lifecycle event and record the transition."""
        dest = fire(self, self.state, event)
        detail = {"event": event, "source": self.state, "dest": dest, **(extra or {})}
        if note:
            detail["note"] = note
        entry = Entry("transition", self.case_ref, actor, at, self.run_id, detail=detail)
        self._apply(entry)
        return [entry]


def label_of(answer: str) -> str:
    """An answer word as a person reads it in a refusal."""
    return {"yes": "Yes", "no": "No", "na": "N/A"}.get(answer, f"'{answer}'")
