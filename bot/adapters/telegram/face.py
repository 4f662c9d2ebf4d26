"""Telegram updates in, dialogue replies out: update -> who is it -> dialogue -> messages."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut
from telegram.ext import ContextTypes

from bot.adapters.telegram.throttle import Throttle, Verdict
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Option, Reply
from bot.conversation.trainer import ROLES
from bot.core.errors import SoteriaError
from bot.services.publishing import UPLOAD_LIMIT
from bot.services.service import Service
from bot.store import notices
from bot.store.db import transaction
from bot.store.users import NAME_LIMIT, User, find_user, redeem_invite
from bot.wording import texts

from .reader import Reader, is_slow_read
from .render import message_html, rendered, with_record

log = logging.getLogger(__name__)

Asks = tuple[int, str]
#: Tries at sending one reply when the network fails (0.5 s, then 1 s between them).
DELIVERY_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Question:
    """A question message the bot sent: which run and item it asks about, and its plain text."""

    asks: Asks
    text: str


@dataclass(frozen=True, slots=True)
class Upload:
    """A file a trainer sent: its name and bytes, or why it could not be fetched."""

    name: str
    data: bytes | None
    refusal: str = ""


class TelegramFace:
    """Handles every update: enrolment, refusals, then the shared dialogue, then rendering."""

    #: Question messages remembered for editing; older ones are recovered from their buttons.
    REMEMBERED = 20_000

    def __init__(
        self,
        service: Service,
        dialogue: Dialogue,
        notice_every: timedelta = timedelta(minutes=1),
        throttle: Throttle | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.service = service
        self.dialogue = dialogue
        self.throttle = throttle  # None: nobody is held back
        self.reader = reader  # None: slow reads are answered in the event loop
        self.notice_every = notice_every
        # One sender of notices at a time: updates from different chats are handled at once.
        self._sending_notices = asyncio.Lock()
        self.questions: OrderedDict[tuple[int, int], Question] = OrderedDict()
        self.latest: dict[int, int] = {}  # chat id -> the message id of its latest question

    # --- entry ----------------------------------------------------------------------------------

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handle one update exactly once; a repeat delivery of the same update does nothing."""
        query = update.callback_query
        chat, sender = update.effective_chat, update.effective_user
        verdict = Verdict.ADMIT
        if self.throttle is not None and sender is not None:
            verdict = self.throttle.admit(sender.id)
        if verdict is not Verdict.ADMIT:
            await self._turn_away(update, context.bot, tell=verdict is Verdict.TELL)
            return
        if query is not None:
            await self._quietly(query.answer())  # Stop the button's spinner whatever happens.
        if chat is None or sender is None:
            return
        if self.service.already_handled(update.update_id):
            log.info("update %s was delivered again; ignored", update.update_id)
            return
        upload = await self._fetch_upload(update, context.bot)
        with self.service.handling(update.update_id):
            work = self._understand(update, upload)
        if work.read_later is not None and work.user is not None and self.reader is not None:
            work.replies = await self.reader.handle(work.user, work.read_later)
        await work.send(self, context.bot, chat.id)
        # What this update told someone else (a return, a challenge) goes out now.
        await self.send_notices(context.bot)

    async def _turn_away(self, update: Update, bot: Bot, *, tell: bool) -> None:
        """Skip a throttled update without touching the database; say why once in a while."""
        query, chat = update.callback_query, update.effective_chat
        private = chat is not None and chat.type == ChatType.PRIVATE
        if query is not None:
            await self._quietly(query.answer(texts.SLOW_DOWN if tell and private else None))
        elif tell and private:
            assert chat is not None
            await self._quietly(bot.send_message(chat.id, texts.SLOW_DOWN))

    async def _fetch_upload(self, update: Update, bot: Bot) -> Upload | None:
        """A trainer's playbook file, fetched before anything is recorded; None for others.

        Some Bot API servers (the test emulator among them) cannot hand files to bots: then the
        trainer is told how else to publish, and nothing is recorded.
        """
        message = update.message
        document = message.document if message is not None else None
        if document is None or update.effective_chat is None or update.effective_user is None:
            return None
        if update.effective_chat.type != ChatType.PRIVATE:
            return None
        user = find_user(self.service.db, telegram_id=update.effective_user.id)
        if user is None or user.role not in ROLES:
            return None
        name = document.file_name or "playbook.yaml"
        if document.file_size and document.file_size > UPLOAD_LIMIT:
            return Upload(name, None, texts.UPLOAD_TOO_LARGE)
        try:
            fetched = await bot.get_file(document.file_id)
            data = bytes(await fetched.download_as_bytearray())
        except TelegramError as error:
            log.warning("could not fetch the file %s sent by a trainer: %s", name, error)
            return Upload(name, None, texts.UPLOAD_NOT_FETCHED)
        return Upload(name, data)

    def _understand(self, update: Update, upload: Upload | None = None) -> Work:
        """Decide the replies for an update; every write happens here, before anything is sent."""
        chat, sender = update.effective_chat, update.effective_user
        assert chat is not None
        assert sender is not None
        query, message = update.callback_query, update.message
        if chat.type != ChatType.PRIVATE:
            return Work([Reply(texts.PRIVATE_ONLY)] if message is not None else [])
        user = find_user(self.service.db, telegram_id=sender.id)
        words = message.text.split() if message is not None and message.text else []
        if words[:1] == ["/start"] and len(words) > 1 and user is None:
            return Work([self._enrol(words[1], sender.id, sender.full_name)])
        if user is None:
            # One sentence, the same for everyone: an unenrolled person learns nothing else.
            return Work([Reply(texts.NOT_ENROLLED)] if message is not None else [])
        if query is not None:
            action = query.data or ""
            pressed = query.message if isinstance(query.message, Message) else None
            asked = self._asked_by(user, pressed, action)
            return Work(
                self.dialogue.press(user, action), user, pressed, asked, edit_in_place=True
            )
        if message is None:
            return Work([])
        if upload is not None:
            if upload.data is None:
                return Work([Reply(upload.refusal)])
            return Work(self.dialogue.upload(user, upload.name, upload.data))
        if not message.text:
            return Work([Reply(texts.NOT_TEXT)])
        if self.reader is not None and is_slow_read(message.text):
            return Work([], user, read_later=message.text)
        latest = self.latest.get(chat.id)
        known = self.questions.get((chat.id, latest)) if latest is not None else None
        replies = self.dialogue.handle(user, message.text)
        return Work(replies, user, None, (latest, known) if known else None)

    def _enrol(self, code: str, telegram_id: int, name: str) -> Reply:
        try:
            # Telegram allows 128 characters of name; the bot keeps 100, so cut rather than refuse.
            name = " ".join(name.split())[:NAME_LIMIT].strip()
            user = redeem_invite(
                self.service.db, code, telegram_id, name or "Officer", self.service.clock()
            )
        except SoteriaError as error:
            return Reply(str(error))
        welcome = texts.ENROLLED.format(name=user.name, role=user.role, team=user.team)
        return Reply(
            f"{welcome} {texts.ENROL_NAME_HINT}\n\n{self.dialogue.handle(user, '/help')[0].text}"
        )

    def _asked_by(
        self, user: User, pressed: Message | None, action: str
    ) -> tuple[int, Question] | None:
        """The question a pressed message asked: remembered, or worked out from its button."""
        if pressed is None:
            return None
        known = self.questions.get((pressed.chat_id, pressed.message_id))
        if known is None:
            asks = self.dialogue.asks_of(user, action)
            if asks is None:
                return None
            known = Question(asks, pressed.text or "")
        return pressed.message_id, known

    # --- sending --------------------------------------------------------------------------------

    def remember(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """Keep a question message so it can be edited once it is answered."""
        assert reply.asks is not None
        self.questions[(chat_id, message_id)] = Question(reply.asks, reply.text)
        self.questions.move_to_end((chat_id, message_id))
        self.latest[chat_id] = message_id
        while len(self.questions) > self.REMEMBERED:
            self.questions.popitem(last=False)

    async def send_digests(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The morning message to every enrolled investigator with something due or overdue."""
        for row in self.service.db.execute(
            "select id from users where role = 'investigator' and telegram_id is not null"
            " and revoked_at is null"
        ).fetchall():
            user = find_user(self.service.db, user_id=row[0])
            if user is None or user.telegram_id is None:
                continue
            try:
                reply = self.dialogue.digest(user)
            except SoteriaError as error:
                log.warning("no digest for user %s: %s", user.id, error)
                continue
            if reply is not None:
                await self._quietly(
                    context.bot.send_message(
                        user.telegram_id, message_html(reply.text), parse_mode=ParseMode.HTML
                    )
                )

    async def send_notices(self, bot: Bot) -> None:
        """Send the notices that are due, one message per person, and mark them sent."""
        async with self._sending_notices:
            waiting = notices.ready(self.service.db, self.service.clock(), self.notice_every)
            by_person: dict[int, list[notices.Notice]] = {}
            for notice in waiting:
                by_person.setdefault(notice.user_id, []).append(notice)
            for user_id, batch in by_person.items():
                person = find_user(self.service.db, user_id=user_id)
                if person is None or person.telegram_id is None:
                    continue  # Terminal users read theirs in the chat; revoked ones never do.
                if await self._send_batch(bot, person.telegram_id, batch):
                    with transaction(self.service.db):
                        notices.mark_sent(
                            self.service.db, [n.id for n in batch], self.service.clock()
                        )

    async def _send_batch(self, bot: Bot, telegram_id: int, batch: list[notices.Notice]) -> bool:
        """One message for a person's waiting notices, with their buttons; True once sent."""
        if len(batch) == 1:
            text = batch[0].text
        else:
            heading = texts.NOTICES_HEADING.format(count=len(batch))
            text = heading + "\n\n" + "\n\n".join(f"• {n.text}" for n in batch)
        seen: dict[str, str] = {}
        for notice in batch:
            for label, action in notice.buttons:
                seen.setdefault(action, label)
        rows = tuple((Option(label, action),) for action, label in list(seen.items())[:8])
        sent = None
        for html_text, markup in rendered(Reply(text, rows)):
            sent = await self.deliver(
                lambda html_text=html_text, markup=markup: bot.send_message(
                    telegram_id, html_text, parse_mode=ParseMode.HTML, reply_markup=markup
                )
            )
            if sent is None:
                return False
        return True

    async def send_document(self, bot: Bot, chat_id: int, reply: Reply) -> None:
        """Send a reply's file; where the server cannot take files, say where the file is."""
        assert reply.document is not None
        try:
            with reply.document.open("rb") as handle:
                await bot.send_document(chat_id, handle, filename=reply.document.name)
        except (TelegramError, OSError) as error:
            log.warning("could not send %s as a document: %s", reply.document.name, error)
            where = texts.EXPORT_NOT_SENT.format(path=reply.document.resolve())
            await self.deliver(lambda: bot.send_message(chat_id, message_html(where)))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what went wrong; tell the user in one sentence that nothing was lost."""
        log.error("error while handling an update", exc_info=context.error)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is not None and chat.type == ChatType.PRIVATE:
            await self._quietly(context.bot.send_message(chat.id, texts.SOMETHING_WENT_WRONG))

    @staticmethod
    async def _quietly(call: Awaitable[object]) -> object | None:
        """Await a Bot API call whose failure must not stop the rest (the emulator lacks some)."""
        try:
            return await call
        except (BadRequest, Forbidden) as error:
            log.warning("Telegram refused a call: %s", error)
        except TelegramError as error:
            log.warning("a Telegram call failed: %s", error)
        return None

    @staticmethod
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

    async def send(self, face: TelegramFace, bot: Bot, chat_id: int) -> None:
        """Edit the question that was dealt with, then send the replies in order."""
        replies = list(self.replies)
        if self.asked is not None and self.user is not None:
            message_id, question = self.asked
            again = next((reply for reply in replies if reply.asks == question.asks), None)
            if again is not None and self.edit_in_place and len(rendered(again)) == 1:
                # The same question, moved on a step (a box ticked, a reason asked): edit it.
                text, markup = rendered(again)[0]
                await face._quietly(
                    bot.edit_message_text(
                        text, chat_id, message_id, parse_mode=ParseMode.HTML, reply_markup=markup
                    )
                )
                face.remember(chat_id, message_id, again)
                replies.remove(again)
            else:
                try:
                    record = face.dialogue.record_line(self.user, *question.asks)
                except SoteriaError:
                    record = "No longer current."
                if record is not None:
                    # Dealt with: the message now reads as the record of what was answered.
                    edit = bot.edit_message_text(
                        with_record(question.text, record),
                        chat_id,
                        message_id,
                        parse_mode=ParseMode.HTML,
                    )
                    await face._quietly(edit)
                    if face.latest.get(chat_id) == message_id:
                        # It reads as a record now: typing later must not edit it again.
                        del face.latest[chat_id]
                elif again is not None:
                    # Asked again below (a date that would not do): one set of live buttons.
                    await face._quietly(bot.edit_message_reply_markup(chat_id, message_id))
        elif self.pressed is not None and self.pressed.reply_markup is not None:
            # A button on a message that asked nothing (a menu): take its buttons away once used.
            await face._quietly(bot.edit_message_reply_markup(chat_id, self.pressed.message_id))
        for reply in replies:
            sent = None
            for text, markup in rendered(reply):
                sent = await face.deliver(
                    lambda text=text, markup=markup: bot.send_message(
                        chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
                    )
                )
            if reply.asks is not None and isinstance(sent, Message):
                face.remember(chat_id, sent.message_id, reply)
            if reply.document is not None:
                await face.send_document(bot, chat_id, reply)
