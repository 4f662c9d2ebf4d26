"""Replies, notices, digests and files out to Telegram: sent, or edited in place, with retries.

A question the bot asked is remembered, so that once it is dealt with its message can be
edited to read as the record of what was answered; the keyboard of a message that asked
nothing is taken away once used.

Nothing goes out before what it stands on is on disk: each reply, each round of notices and
each digest first waits for the sync that covers everything committed so far (`durable`), on a
thread, so a slow sync holds up only what waits for it.

Notices go out from a task of their own (`keep_sending`), woken after an update and every
interval, so no update waits behind them. Telegram's 403 (the person blocked the bot or
deleted their account) or "chat not found" is final for that person: their notices wait,
unsent, and they are not tried again until they write to the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut

from bot.adapters import outbox
from bot.adapters.durable import Durable
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.core.channels import Identity
from bot.core.errors import SoteriaError
from bot.core.people import User
from bot.jobs import digest_recipients
from bot.services import people, reaching
from bot.wording import texts

from .render import message_html, rendered, with_record

log = logging.getLogger(__name__)

CHANNEL = "telegram"
Asks = tuple[int, str]
#: Tries at sending one reply when the network fails (0.5 s, then 1 s between them).
DELIVERY_ATTEMPTS = 3


class Sent(Enum):
    """What became of one person's notices."""

    SENT = "sent"
    #: Telegram will never deliver to them (blocked, deactivated, no such chat).
    UNREACHABLE = "unreachable"
    #: The network or Telegram failed this time: try again next round.
    FAILED = "failed"


def is_final(error: TelegramError) -> bool:
    """Telegram's refusal means the person cannot be reached until they write again."""
    if isinstance(error, Forbidden):
        return True
    return isinstance(error, BadRequest) and "chat not found" in str(error).lower()


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


class Delivery:
    """Everything the bot sends: replies in order, edits, notices, digests and documents."""

    #: Question messages remembered for editing; older ones are recovered from their buttons.
    REMEMBERED = 20_000
    channel = CHANNEL

    def __init__(
        self,
        dialogue: Dialogue,
        notice_every: timedelta = timedelta(minutes=1),
        durable: Durable | None = None,
    ) -> None:
        self.dialogue = dialogue
        self.notice_every = notice_every
        self.durable = durable or Durable(dialogue.ctx.uow.durability)
        # One sender of notices at a time: updates from different chats are handled at once.
        self._sending_notices = asyncio.Lock()
        self._wanted = asyncio.Event()  # set when something may have queued a notice
        # Chats Telegram said cannot be reached: read once, then kept in step here.
        self._cut_off: set[int] | None = None
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
        """Once what they stand on is on disk, edit the question that was dealt with, then send
        the replies in order."""
        try:
            await self.durable.settle()
        except SoteriaError as error:
            # The disk failed the sync: nothing may be shown as done, so say that instead.
            work = Work([Reply(str(error))])
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

    def wake(self) -> None:
        """Have the notices sent soon, by the sending task, not by whoever asks."""
        self._wanted.set()

    async def keep_sending(self, bot: Bot) -> None:
        """Send the notices due whenever woken, and every interval anyway, until cancelled."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wanted.wait(), self.notice_every.total_seconds())
            self._wanted.clear()
            try:
                await self.send_notices(bot)
            except SoteriaError as error:  # A database that cannot be written, say.
                log.warning("notices could not be sent this time: %s", error)
            except Exception:
                log.exception("sending notices failed; the next round tries again")

    async def send_notices(self, bot: Bot) -> None:
        """Send the notices that are due, one message per person, and mark them sent."""
        async with self._sending_notices:
            # A notice stands on what queued it (an answer, a return): on disk first.
            await self.durable.settle()
            for batch in outbox.due_batches(self.dialogue, CHANNEL, self.notice_every):
                sent, why = await self._send_batch(bot, int(batch.address), batch.reply)
                if sent is Sent.SENT:
                    outbox.delivered(self.dialogue, batch)
                elif sent is Sent.UNREACHABLE:
                    self._unreachable(int(batch.address))
                    if outbox.unreachable(self.dialogue, batch, CHANNEL, why):
                        log.warning(
                            "User %s cannot be reached on Telegram (%s): their notices wait "
                            "until they write to the bot again; `soteria-bot users list` "
                            "shows who.",
                            batch.user_id,
                            why,
                        )
                        self.wake()  # the administrators' notice about it
            await self.durable.settle()  # so a power cut does not send them again

    async def _send_batch(self, bot: Bot, chat_id: int, reply: Reply) -> tuple[Sent, str]:
        """One message for a person's waiting notices, with their buttons, and what became of it."""
        for html_text, markup in rendered(reply):
            try:
                await deliver(
                    lambda html_text=html_text, markup=markup: bot.send_message(
                        chat_id, html_text, parse_mode=ParseMode.HTML, reply_markup=markup
                    ),
                    raising=True,
                )
            except TelegramError as error:
                if is_final(error):
                    return Sent.UNREACHABLE, error.message
                log.warning("notices for chat %s were not sent this time: %s", chat_id, error)
                return Sent.FAILED, error.message
        return Sent.SENT, ""

    def _unreachable(self, chat_id: int) -> None:
        if self._cut_off is not None:
            self._cut_off.add(chat_id)

    def heard_from(self, chat_id: int) -> None:
        """Someone wrote: if Telegram had said they could not be reached, they can now."""
        if self._cut_off is None:
            found = reaching.unreachable(self.dialogue.ctx, CHANNEL).values()
            self._cut_off = {int(person.external_id) for person in found}
        if chat_id not in self._cut_off:
            return
        self._cut_off.discard(chat_id)
        if reaching.reached(self.dialogue.ctx, Identity(CHANNEL, str(chat_id))):
            log.info("chat %s wrote again: its notices go out", chat_id)
            self.wake()

    async def send_digests(self, bot: Bot) -> None:
        """The morning message to every enrolled investigator with something due or overdue."""
        ctx = self.dialogue.ctx
        try:
            await self.durable.settle()  # a digest tells what is recorded: on disk first
        except SoteriaError as error:
            log.warning("no digests this morning: %s", error)
            return
        cut_off = reaching.unreachable(ctx, CHANNEL)
        for user in digest_recipients(ctx):
            address = people.address(ctx, user.id, CHANNEL)
            if address is None or user.id in cut_off:
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


async def deliver(
    make: Callable[[], Awaitable[Message]], *, raising: bool = False
) -> Message | None:
    """Send a message, trying again on a network failure: a reply is not to be lost.

    A failure in the end is logged and gives None, or, `raising`, is raised to the caller.
    """
    for attempt in range(DELIVERY_ATTEMPTS):
        try:
            return await make()
        except (NetworkError, TimedOut) as error:
            if isinstance(error, BadRequest) or attempt == DELIVERY_ATTEMPTS - 1:
                if raising:
                    raise
                log.error("a reply could not be delivered: %s", error)
                return None
            await asyncio.sleep(0.5 * 2**attempt)
        except TelegramError as error:
            if raising:
                raise
            log.error("Telegram refused a reply: %s", error)
            return None
    return None
