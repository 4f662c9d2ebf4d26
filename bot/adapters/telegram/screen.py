"""What each chat shows, as far as the bot needs to know it to keep the chat a clean record.

Kept in memory, per chat: the question messages (to edit each into the record of its answer),
the messages that carry live buttons (so that only the newest keeps them), the message that
holds each item's latest record (to mark it "corrected below" when the item is answered again),
and the morning digests (whose buttons stay after one is used). A restart forgets all of it:
no answer is lost, old buttons are checked again when pressed, and a pressed old question is
recognised from its button.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

Asks = tuple[int, str]
Key = tuple[int, int]  # chat id, message id


@dataclass(frozen=True, slots=True)
class Question:
    """A question message the bot sent: which run and item it asks about, its plain text, the
    part of it that stays once answered, and the record line it was edited to show then."""

    asks: Asks
    text: str
    head: str = ""
    record: str | None = None

    @property
    def kept(self) -> str:
        """What stays of the question in its record: the question, not how to answer it."""
        return self.head or self.text


class Screen:
    """Every chat's question messages, live keyboards, latest records and digests."""

    #: Messages remembered for editing; older ones are recovered from their buttons.
    REMEMBERED = 20_000

    def __init__(self) -> None:
        self.questions: OrderedDict[Key, Question] = OrderedDict()
        self.latest: dict[int, int] = {}  # chat id -> the message id of its latest question
        self._live: dict[int, dict[int, None]] = {}  # chat id -> messages with live buttons
        self._records: OrderedDict[tuple[int, Asks], int] = OrderedDict()
        self._inboxes: OrderedDict[Key, None] = OrderedDict()

    def asked(
        self, chat_id: int, message_id: int, asks: Asks, text: str, head: str | None = None
    ) -> None:
        """A question is on screen in this message, its buttons live."""
        self._keep(self.questions, (chat_id, message_id), Question(asks, text, head or ""))
        self.latest[chat_id] = message_id
        self.showing(chat_id, message_id, live=True)

    def showing(self, chat_id: int, message_id: int, *, live: bool) -> None:
        """A message of the conversation was sent or edited, with live buttons or none."""
        shown = self._live.setdefault(chat_id, {})
        shown.pop(message_id, None)
        if live:
            shown[message_id] = None

    def replaced(self, chat_id: int, message_id: int) -> None:
        """A message no longer asks the question it asked: it shows something else now."""
        self.questions.pop((chat_id, message_id), None)
        if self.latest.get(chat_id) == message_id:
            del self.latest[chat_id]

    def gone(self, chat_id: int, message_id: int) -> None:
        """A message was deleted."""
        self.replaced(chat_id, message_id)
        self._live.get(chat_id, {}).pop(message_id, None)

    def live(self, chat_id: int) -> list[int]:
        """The chat's messages with live buttons, oldest first."""
        return list(self._live.get(chat_id, {}))

    def is_live(self, chat_id: int, message_id: int) -> bool:
        """Whether a message's buttons are the conversation's and still live."""
        return message_id in self._live.get(chat_id, {})

    def recorded(self, chat_id: int, message_id: int, record: str) -> tuple[int, Question] | None:
        """A question's message now shows its record; the message that held the item's record
        before, if any, is returned so it can say it was superseded."""
        key = (chat_id, message_id)
        question = self.questions[key]
        self._keep(
            self.questions, key, Question(question.asks, question.text, question.head, record)
        )
        self.showing(chat_id, message_id, live=False)
        if self.latest.get(chat_id) == message_id:
            del self.latest[chat_id]
        earlier = self._records.get((chat_id, question.asks))
        self._keep(self._records, (chat_id, question.asks), message_id)
        if earlier is None or earlier == message_id:
            return None
        before = self.questions.get((chat_id, earlier))
        if before is None or before.record is None:
            return None
        return earlier, before

    def inbox(self, chat_id: int, message_id: int) -> None:
        """A digest: its buttons stay when one is used, as a list of things to do."""
        self._keep(self._inboxes, (chat_id, message_id), None)

    def is_inbox(self, chat_id: int, message_id: int) -> bool:
        """Whether a message is a digest."""
        return (chat_id, message_id) in self._inboxes

    def _keep(self, kept: OrderedDict, key: object, value: object) -> None:  # type: ignore[type-arg]
        kept[key] = value
        kept.move_to_end(key)
        while len(kept) > self.REMEMBERED:
            kept.popitem(last=False)
