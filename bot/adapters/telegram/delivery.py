"""Replies, notices, digests and files out to Telegram: sent, or edited in place, with retries.

A question the bot asked is remembered, so that once it is dealt with its message can be
edited to read as the record of what was answered; the keyboard of a message that asked
nothing is taken away once used.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut

from bot.adapters import outbox
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.core.errors import SoteriaError
from bot.core.people import User
from bot.jobs import digest_recipients
from bot.services import people
from bot.wording import texts

from .render import message_html, rendered, with_record

log = logging.getLogger(__name__)

CHANNEL = "telegram"
Asks = tuple[int, str]
#: Tries at sending one reply when the network fails (0.5 s, then 1 s between them).
DELIVERY_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Question:
    """A question message the bot sent: which run and item it asks about, and its plain text."""

    asks: Asks
    text: str


@dataclass
class Work:
    """What to show for one update: new replies, and the question message they follow from."""

    replies: list[Reply]
    user: User | None = None
    pressed: Message | None = None
    asked: tuple[int, Question] | None = None
    edit_in_place: bool = False
    #: A command to be answered by the reader, off the event loop, once the update is noted.
    read_later: str | None = None
    #: Likewise, a button's data (an export for a purpose, say).
    press_later: str | None = None


class Delivery:
    """Everything the bot sends: replies in order, edits, notices, digests and documents."""

    #: Question messages remembered for editing; older ones are recovered from their buttons.
    REMEMBERED = 20_000
    channel = CHANNEL

    def __init__(self, dialogue: Dialogue, notice_every: timedelta = timedelta(minutes=1)) -> None:
        self.dialogue = dialogue
        self.notice_every = notice_every
        # One sender of notices at a time: updates from different chats are handled at once.
        self._sending_notices = asyncio.Lock()
        self.questions: OrderedDict[tuple[int, int], Question] = OrderedDict()
        self.latest: dict[int, int] = {}  # chat id -> the message id of its latest question

    def remember(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """Keep a question message so it can be edited once it is answered."""
        assert reply.asks is not None
        self.questions[(chat_id, message_id)] = Question(reply.asks, reply.text)
        self.questions.move_to_end((chat_id, message_id))
        self.latest[chat_id] = message_id
        while len(self.questions) > self.REMEMBERED:
            self.questions.popitem(last=False)

    async def send(self, work: Work, bot: Bot, chat_id: int) -> None:
        """Edit the question that was dealt with, then send the replies in order."""
        replies = list(work.replies)
        if work.asked is not None and work.user is not None:
            message_id, question = work.asked
            again = next((reply for reply in replies if reply.asks == question.asks), None)
            if again is not None and work.edit_in_place and len(rendered(again)) == 1:
                # The same question, moved on a step (a box ticked, a reason asked): edit it.
                text, markup = rendered(again)[0]
                await quietly(
                    bot.edit_message_text(
                        text, chat_id, message_id, parse_mode=ParseMode.HTML, reply_markup=markup
                    )
                )
                self.remember(chat_id, message_id, again)
                replies.remove(again)
            else:
                await self._settle(work.user, bot, chat_id, message_id, question, again)
        elif work.pressed is not None and work.pressed.reply_markup is not None:
            # A button on a message that asked nothing (a menu): take its buttons away once used.
            await quietly(bot.edit_message_reply_markup(chat_id, work.pressed.message_id))
        for reply in replies:
            sent = None
            for text, markup in rendered(reply):
                sent = await deliver(
                    lambda text=text, markup=markup: bot.send_message(
                        chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
                    )
                )
            if reply.asks is not None and isinstance(sent, Message):
                self.remember(chat_id, sent.message_id, reply)
            if reply.document is not None:
                await self.send_document(bot, chat_id, reply)

    async def _settle(
        self,
        user: User,
        bot: Bot,
        chat_id: int,
        message_id: int,
        question: Question,
        again: Reply | None,
    ) -> None:
        """A question dealt with: its message now reads as the record of what was answered."""
        try:
            record = self.dialogue.record_line(user, *question.asks)
        except SoteriaError:
            record = "No longer current."
        if record is not None:
            edit = bot.edit_message_text(
                with_record(question.text, record), chat_id, message_id, parse_mode=ParseMode.HTML
            )
            await quietly(edit)
            if self.latest.get(chat_id) == message_id:
                # It reads as a record now: typing later must not edit it again.
                del self.latest[chat_id]
        elif again is not None:
            # Asked again below (a date that would not do): one set of live buttons.
            await quietly(bot.edit_message_reply_markup(chat_id, message_id))

    async def send_notices(self, bot: Bot) -> None:
        """Send the notices that are due, one message per person, and mark them sent."""
        async with self._sending_notices:
            for batch in outbox.due_batches(self.dialogue, CHANNEL, self.notice_every):
                if await self._send_batch(bot, int(batch.address), batch.reply):
                    outbox.delivered(self.dialogue, batch)

    async def _send_batch(self, bot: Bot, chat_id: int, reply: Reply) -> bool:
        """One message for a person's waiting notices, with their buttons; True once sent."""
        sent = None
        for html_text, markup in rendered(reply):
            sent = await deliver(
                lambda html_text=html_text, markup=markup: bot.send_message(
                    chat_id, html_text, parse_mode=ParseMode.HTML, reply_markup=markup
                )
            )
            if sent is None:
                return False
        return True

    async def send_digests(self, bot: Bot) -> None:
        """The morning message to every enrolled investigator with something due or overdue."""
        ctx = self.dialogue.ctx
        for user in digest_recipients(ctx):
            address = people.address(ctx, user.id, CHANNEL)
            if address is None:
                continue
            try:
                reply = self.dialogue.digest(user)
            except SoteriaError as error:
                log.warning("no digest for user %s: %s", user.id, error)
                continue
            if reply is not None:
                await quietly(
                    bot.send_message(
                        int(address), message_html(reply.text), parse_mode=ParseMode.HTML
                    )
                )

    async def send_document(self, bot: Bot, chat_id: int, reply: Reply) -> None:
        """Send a reply's file; where the server cannot take files, say where the file is."""
        assert reply.document is not None
        try:
            with reply.document.open("rb") as handle:
                await bot.send_document(chat_id, handle, filename=reply.document.name)
        except (TelegramError, OSError) as error:
            log.warning("could not send %s as a document: %s", reply.document.name, error)
            where = texts.EXPORT_NOT_SENT.format(path=reply.document.resolve())
            await deliver(lambda: bot.send_message(chat_id, message_html(where)))


async def quietly(call: Awaitable[object]) -> object | None:
    """Await a Bot API call whose failure must not stop the rest (the emulator lacks some)."""
    try:
        return await call
    except (BadRequest, Forbidden) as error:
        log.warning("Telegram refused a call: %s", error)
    except TelegramError as error:
        log.warning("a Telegram call failed: %s", error)
    return None


async def deliver(make: Callable[[], Awaitable[Message]]) -> Message | None:
    """Send a message, trying again on a network failure: a reply is not to be lost."""
    for attempt in range(DELIVERY_ATTEMPTS):
        try:
            return await make()
        except (NetworkError, TimedOut) as error:
            if isinstance(error, BadRequest) or attempt == DELIVERY_ATTEMPTS - 1:
                log.error("a reply could not be delivered: %s", error)
                return None
            await asyncio.sleep(0.5 * 2**attempt)
        except TelegramError as error:
            log.error("Telegram refused a reply: %s", error)
            return None
    return None
