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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from telegram import Bot, CallbackQuery, Message
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

from .render import MAX_CALLBACK_TEXT, message_html, rendered, with_note, with_record
from .screen import Question, Screen

log = logging.getLogger(__name__)

CHANNEL = "telegram"
#: Tries at sending one reply when the network fails (0.5 s, then 1 s between them).
DELIVERY_ATTEMPTS = 3
#: The longest note shown as a toast; a longer one is an alert, read and dismissed.
TOAST = 64


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


@dataclass
class Tap:
    """A button press waiting for its callback answer: the toast, the alert, or the silence
    that stops its spinner. Answered once, and only once what it answers is on disk."""

    query: CallbackQuery
    #: What the press's writes wait for before any answer acknowledges them (None: nothing).
    durable: Durable | None = None
    answered: bool = False

    async def answer(self, text: str | None = None) -> None:
        """Answer the press, once what it recorded is on disk; a note longer than a glance, or
        of several lines, is an alert. If the disk fails the sync, no note is shown as done:
        the failure is said instead (the spinner stops silently where nothing was to be said)."""
        if self.answered:
            return
        self.answered = True
        if self.durable is not None:
            try:
                await self.durable.settle()
            except SoteriaError as error:
                text = None if text is None else str(error)
        alert = text is not None and (len(text) > TOAST or "\n" in text)
        await quietly(self.query.answer(text, show_alert=alert))


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
    #: The press being answered, if the update is one.
    tap: Tap | None = None


class Delivery:
    """Everything the bot sends: replies in order, edits, notices, digests and documents.

    The chat is kept as a record: a question dealt with is edited to say what became of it, a
    reply that takes the place of the message answered is an edit of it, passing notes are
    callback answers, and only the newest message of the conversation keeps live buttons.
    """

    channel = CHANNEL

    def __init__(
        self,
        dialogue: Dialogue,
        notice_every: timedelta = timedelta(minutes=1),
        export_hours: float = 24.0,
        durable: Durable | None = None,
    ) -> None:
        self.dialogue = dialogue
        self.notice_every = notice_every
        self.export_hours = export_hours
        self.durable = durable or Durable(dialogue.ctx.uow.durability)
        # One sender of notices at a time: updates from different chats are handled at once.
        self._sending_notices = asyncio.Lock()
        self._wanted = asyncio.Event()  # set when something may have queued a notice
        # Chats Telegram said cannot be reached: read once, then kept in step here.
        self._cut_off: set[int] | None = None
        self.screen = Screen()

    async def send(self, work: Work, bot: Bot, chat_id: int) -> None:
        """Once what they stand on is on disk, show one update's replies: notes as its callback
        answer, the reply that takes the answered message's place as an edit of it, then the rest
        in order."""
        try:
            await self.durable.settle()
        except SoteriaError as error:
            # The disk failed the sync: nothing may be shown as done, so say that instead.
            work = Work([Reply(str(error))], tap=work.tap)
        replies = [reply for reply in work.replies if reply.shown != "note"]
        await self._notes(work, bot, chat_id, [r for r in work.replies if r.shown == "note"])
        shown: set[int] = set()  # messages this update showed live buttons on
        target = self._target(work, chat_id)
        taking = self._taking(work, replies)
        if target is not None and taking is not None and len(rendered(taking)) == 1:
            if await self._replace(bot, chat_id, target, taking):
                shown.add(target)
            replies.remove(taking)
        else:
            await self._done_with(work, bot, chat_id)
        for reply in replies:
            sent = await self._send_new(bot, chat_id, reply)
            if sent is not None and reply.options:
                shown.add(sent)
            if reply.document is not None:
                await self.send_document(bot, chat_id, reply)
        if shown and work.user is not None:
            await self._supersede(work.user, bot, chat_id, shown)

    def _target(self, work: Work, chat_id: int) -> int | None:
        """The message a reply may take the place of: the one pressed, if it asked a question
        or is the conversation's live menu (a notice stays as it is); for typed text, the
        newest live prompt that is not a question (a milestone's date)."""
        if work.pressed is not None:
            message_id = work.pressed.message_id
            if work.asked is not None or self.screen.is_live(chat_id, message_id):
                return message_id
            return None
        for message_id in reversed(self.screen.live(chat_id)):
            return None if (chat_id, message_id) in self.screen.questions else message_id
        return None

    @staticmethod
    def _taking(work: Work, replies: list[Reply]) -> Reply | None:
        """The reply shown in place of the answered message: one marked so, or, after a press,
        the same question moved on a step (a box ticked, a reason asked)."""
        marked = next((reply for reply in replies if reply.shown == "in-place"), None)
        if marked is not None or not work.edit_in_place or work.asked is None:
            return marked
        asks = work.asked[1].asks
        return next((reply for reply in replies if reply.asks == asks), None)

    async def _replace(self, bot: Bot, chat_id: int, message_id: int, reply: Reply) -> bool:
        """Edit a message to show a reply instead; True when it has live buttons now."""
        text, markup = rendered(reply)[0]
        await quietly(
            bot.edit_message_text(
                text, chat_id, message_id, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        )
        if reply.asks is not None:
            self.screen.asked(chat_id, message_id, reply.asks, reply.text, reply.head)
        else:
            self.screen.replaced(chat_id, message_id)
            self.screen.showing(chat_id, message_id, live=markup is not None)
        return markup is not None

    async def _done_with(self, work: Work, bot: Bot, chat_id: int) -> None:
        """The message answered, when nothing takes its place: a question reads as its record,
        a menu or notice loses its buttons (a digest keeps them)."""
        if work.asked is not None and work.user is not None:
            message_id, question = work.asked
            await self._settle(work.user, bot, chat_id, message_id, question)
            return
        pressed = work.pressed
        if pressed is None or pressed.reply_markup is None:
            return
        if not self.screen.is_inbox(chat_id, pressed.message_id):
            await quietly(bot.edit_message_reply_markup(chat_id, pressed.message_id))
            self.screen.showing(chat_id, pressed.message_id, live=False)

    async def _settle(
        self, user: User, bot: Bot, chat_id: int, message_id: int, question: Question
    ) -> bool:
        """A question dealt with reads as the record of what was answered, and an earlier
        record of the same item says it was superseded; False while it is still asked."""
        if (chat_id, message_id) not in self.screen.questions:
            self.screen.questions[(chat_id, message_id)] = question  # recovered from a button
        try:
            record = self.dialogue.record_line(user, *question.asks)
        except SoteriaError:
            record = "No longer current."
        if record is None:
            return False
        await quietly(
            bot.edit_message_text(
                with_record(question.kept, record), chat_id, message_id, parse_mode=ParseMode.HTML
            )
        )
        earlier = self.screen.recorded(chat_id, message_id, record)
        if earlier is not None:
            earlier_id, before = earlier
            assert before.record is not None
            marked = f"{before.record} · {superseded(before.record, record)}"
            await quietly(
                bot.edit_message_text(
                    with_record(before.kept, marked),
                    chat_id,
                    earlier_id,
                    parse_mode=ParseMode.HTML,
                )
            )
        return True

    async def _supersede(self, user: User, bot: Bot, chat_id: int, shown: set[int]) -> None:
        """Only the newest buttons stay live: an older question still waiting is taken away
        (it recorded nothing and is asked again below), any other loses its buttons."""
        for message_id in self.screen.live(chat_id):
            if message_id in shown:
                continue
            question = self.screen.questions.get((chat_id, message_id))
            if question is not None and await self._settle(
                user, bot, chat_id, message_id, question
            ):
                continue
            if question is not None and await quietly(bot.delete_message(chat_id, message_id)):
                self.screen.gone(chat_id, message_id)
                continue
            await quietly(bot.edit_message_reply_markup(chat_id, message_id))
            self.screen.showing(chat_id, message_id, live=False)

    async def _send_new(self, bot: Bot, chat_id: int, reply: Reply) -> int | None:
        """Send a reply as a message of its own (several, if long); the last one's id."""
        sent = None
        for text, markup in rendered(reply):
            sent = await deliver(
                lambda text=text, markup=markup: bot.send_message(
                    chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
                )
            )
        if not isinstance(sent, Message):
            return None
        if reply.asks is not None:
            self.screen.asked(chat_id, sent.message_id, reply.asks, reply.text, reply.head)
        elif reply.options:
            self.screen.showing(chat_id, sent.message_id, live=True)
        return sent.message_id

    async def _notes(self, work: Work, bot: Bot, chat_id: int, notes: list[Reply]) -> None:
        """Passing notes: the press's toast or alert; too long for one (guidance), shown under
        the question pressed; after typing, a message, there being no press to answer."""
        text = "\n".join(note.text for note in notes)
        if not text:
            return
        tap, pressed = work.tap, work.pressed
        if tap is not None and len(text) <= MAX_CALLBACK_TEXT:
            await tap.answer(text)
            return
        if tap is not None and pressed is not None and work.asked is not None:
            question = work.asked[1]
            await quietly(
                bot.edit_message_text(
                    with_note(question.text, text),
                    chat_id,
                    pressed.message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=pressed.reply_markup,
                )
            )
            await tap.answer(texts.SHOWN_UNDER)
            return
        await self._send_new(bot, chat_id, Reply(text))

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
            if reply is None:
                continue
            chat_id = int(address)
            sent = None
            for text, markup in rendered(reply):
                sent = await deliver(
                    lambda text=text, markup=markup, chat_id=chat_id: bot.send_message(
                        chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
                    )
                )
            if isinstance(sent, Message) and reply.options:
                self.screen.inbox(chat_id, sent.message_id)

    async def send_document(self, bot: Bot, chat_id: int, reply: Reply) -> None:
        """Send a reply's file, then remove it from the server; where the server cannot take
        files, name it (never its path) and leave it for the clean-up job."""
        document = reply.document
        assert document is not None
        try:
            with document.open("rb") as handle:
                await bot.send_document(chat_id, handle, filename=document.name)
        except (TelegramError, OSError) as error:
            log.warning("could not send %s as a document: %s", document.name, error)
            hours = f"{self.export_hours:g}"
            where = texts.EXPORT_NOT_SENT.format(name=document.name, hours=hours)
            await deliver(lambda: bot.send_message(chat_id, message_html(where)))
            return
        # It holds case references and is in the supervisor's hands now: no copy lingers.
        document.unlink(missing_ok=True)


def superseded(before: str, after: str) -> str:
    """What an item's earlier record says once it is answered again below."""
    if before.startswith(("… ", "○ ", "? ")):
        return "answered below"
    same = before.split(" · ")[0] == after.split(" · ")[0]
    return "answered again below" if same else "corrected below"


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
