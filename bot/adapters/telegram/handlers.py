"""Telegram updates in: who is it, handled once, then the conversation; replies go to delivery.

Every update comes from the inbox (see `polling`) and is one request of the conversation: its
inbox row is marked handled in the transaction of the first thing it records (or on its own),
so an update handled again after a crash acts once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat, Message, Update
from telegram.constants import ChatType
from telegram.error import NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.conversation.actions import KINDS, is_slow_press
from bot.conversation.commands import BY_NAME, command_name, is_slow_read, menu
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.core.channels import Identity
from bot.core.errors import SoteriaError
from bot.core.people import User
from bot.services import checking, inbox, people, publishing
from bot.services.publishing import UPLOAD_LIMIT
from bot.wording import texts

from .delivery import CHANNEL, Delivery, Tap, Work, quietly
from .polling import Inbound
from .reader import Reader
from .screen import Question
from .throttle import Throttle, Verdict

log = logging.getLogger(__name__)
#: Who may send a playbook file to publish.
PUBLISHERS = ("trainer", "admin")


@dataclass(frozen=True, slots=True)
class Upload:
    """A file a trainer sent: its name and bytes, or why it could not be fetched."""

    name: str
    data: bytes | None
    refusal: str = ""


class TelegramFace:
    """Handles every update: enrolment, refusals, then the shared conversation."""

    channel = CHANNEL

    def __init__(
        self,
        dialogue: Dialogue,
        delivery: Delivery,
        throttle: Throttle | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.dialogue = dialogue
        self.delivery = delivery
        self.throttle = throttle  # None: nobody is held back
        self.reader = reader  # None: slow reads are answered in the event loop
        # The role whose command menu each chat was given since the bot started.
        self._menus: dict[int, str] = {}

    async def on_update(self, inbound: Inbound, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handle one update from the inbox, and log one line: its kind, what became of it and
        how long it took, never who sent it or what it said."""
        started = time.perf_counter()
        outcome = "failed"
        try:
            outcome = await self._handle(inbound, context)
        finally:
            took = (time.perf_counter() - started) * 1000
            update = inbound.update
            log.info(
                "update %s %s: %s in %.0f ms", update.update_id, outcome, kind_of(update), took
            )

    async def _handle(self, inbound: Inbound, context: ContextTypes.DEFAULT_TYPE) -> str:
        """Handle one update; its inbox row is marked handled with what it records. Says what
        became of it, for the log."""
        update, ctx = inbound.update, self.dialogue.ctx
        query = update.callback_query
        chat, sender = update.effective_chat, update.effective_user
        verdict = Verdict.ADMIT
        if self.throttle is not None and sender is not None:
            verdict = self.throttle.admit(sender.id)
        if verdict is not Verdict.ADMIT:
            await self._turn_away(update, context.bot, tell=verdict is Verdict.TELL)
            inbox.done(ctx, inbound.row)
            return "turned away (too fast)"
        tap = Tap(query, self.delivery.durable) if query is not None else None
        try:
            if chat is None or sender is None:
                inbox.done(ctx, inbound.row)
                return "skipped (no chat)"
            if chat.type == ChatType.PRIVATE:
                self.delivery.heard_from(chat.id)  # They write, so Telegram takes their notices.
            upload = await self._fetch_upload(update, context.bot)
            await self._check_ahead(update, upload)
            with ctx.request(inbound.row):
                work = self.understand(update, upload)
            work.tap = tap
            if work.user is not None and self.reader is not None:
                if work.read_later is not None:
                    work.replies = await self.reader.handle(work.user, work.read_later)
                elif work.press_later is not None:
                    work.replies = await self.reader.press(work.user, work.press_later)
            await self.delivery.send(work, context.bot, chat.id)
        finally:
            if tap is not None:
                await tap.answer()  # the spinner stops whatever happened, once
        if work.user is not None:
            await self._show_menu(context.bot, chat.id, work.user)
        # What this update told someone else (a return, a challenge) goes out soon, apart.
        self.delivery.wake()
        return "handled"

    async def _show_menu(self, bot: Bot, chat_id: int, user: User) -> None:
        """Give the person's chat the command menu of their role, once per role and start."""
        if self._menus.get(chat_id) == user.role:
            return
        self._menus[chat_id] = user.role
        commands = [BotCommand(name, words) for name, words in menu(user.role)]
        await quietly(bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id)))

    async def _turn_away(self, update: Update, bot: Bot, *, tell: bool) -> None:
        """Skip a throttled update without touching the database; say why once in a while."""
        query, chat = update.callback_query, update.effective_chat
        private = chat is not None and chat.type == ChatType.PRIVATE
        if query is not None:
            await quietly(query.answer(texts.SLOW_DOWN if tell and private else None))
        elif tell and private:
            assert chat is not None
            await quietly(bot.send_message(chat.id, texts.SLOW_DOWN))

    def _identify(self, telegram_id: int) -> User | None:
        return people.identify(self.dialogue.ctx, Identity(CHANNEL, str(telegram_id)))

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
        user = self._identify(update.effective_user.id)
        if user is None or user.role not in PUBLISHERS:
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

    async def _check_ahead(self, update: Update, upload: Upload | None) -> None:
        """Check a trainer's upload or /reload in a child process, off the event loop, so a
        file made to be slow holds nobody else up; publishing then takes the result."""
        ctx = self.dialogue.ctx
        message = update.message
        if upload is not None and upload.data is not None:
            check = publishing.upload_check(ctx, upload.name, upload.data)
        elif (
            message is not None
            and message.text
            and command_name(message.text) == "/reload"
            and update.effective_user is not None
            and ctx.playbooks_dir is not None
            and ctx.playbooks_dir.is_dir()
        ):
            user = self._identify(update.effective_user.id)
            if user is None or user.role not in PUBLISHERS:
                return
            check = publishing.folder_check(ctx)
        else:
            return
        if check is not None:
            checking.remember(ctx, check, await asyncio.to_thread(checking.check_limited, check))

    def understand(self, update: Update, upload: Upload | None = None) -> Work:
        """Decide the replies for an update; every write happens here, before anything is sent."""
        chat, sender = update.effective_chat, update.effective_user
        assert chat is not None
        assert sender is not None
        query, message = update.callback_query, update.message
        if chat.type != ChatType.PRIVATE:
            return Work([Reply(texts.PRIVATE_ONLY)] if message is not None else [])
        user = self._identify(sender.id)
        words = message.text.split() if message is not None and message.text else []
        if words[:1] == ["/start"] and len(words) > 1 and user is None:
            return self._enrol(words[1], sender.id, sender.full_name)
        if user is None:
            # One sentence, the same for everyone: an unenrolled person learns nothing else.
            return Work([Reply(texts.NOT_ENROLLED)] if message is not None else [])
        if query is not None:
            action = query.data or ""
            pressed = query.message if isinstance(query.message, Message) else None
            if self.reader is not None and is_slow_press(action):
                return Work([], user, pressed, press_later=action)
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
        screen = self.delivery.screen
        latest = screen.latest.get(chat.id)
        known = screen.questions.get((chat.id, latest)) if latest is not None else None
        replies = self.dialogue.handle(user, message.text)
        return Work(replies, user, None, (latest, known) if known else None)

    def _enrol(self, code: str, telegram_id: int, name: str) -> Work:
        """Enrol the sender with their code, and welcome them with what they can do."""
        try:
            enrolled = people.enrol(
                self.dialogue.ctx, code, Identity(CHANNEL, str(telegram_id)), name
            )
        except SoteriaError as error:
            return Work([Reply(str(error))])
        user = enrolled.user
        welcome = texts.ENROLLED.format(name=user.name, role=user.role, team=user.team)
        named = texts.NAMED_BY_INVITE if enrolled.named_by_invite else texts.NAMED_BY_TELEGRAM
        help_text = self.dialogue.handle(user, "/help")[0].text
        return Work([Reply(f"{welcome} {named}\n\n{help_text}")], user)

    def _asked_by(
        self, user: User, pressed: Message | None, action: str
    ) -> tuple[int, Question] | None:
        """The question a pressed message asked: remembered, or worked out from its button."""
        if pressed is None:
            return None
        known = self.delivery.screen.questions.get((pressed.chat_id, pressed.message_id))
        if known is None:
            asks = self.dialogue.asks_of(user, action)
            if asks is None:
                return None
            known = Question(asks, pressed.text or "")
        return pressed.message_id, known

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what went wrong; tell the person in one sentence that nothing was lost."""
        if not isinstance(update, Inbound):
            # A timed job's failure: a network one is a line, not a traceback.
            if isinstance(context.error, NetworkError):
                log.warning("a timed job could not reach the Bot API: %s", context.error)
            else:
                log.error("error in a timed job", exc_info=context.error)
            return
        log.error("error while handling an update", exc_info=context.error)
        # Kept aside, so that a restart does not fail on it again.
        inbox.failed(self.dialogue.ctx, update.row)
        chat = update.update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            try:
                # "Nothing you had answered was lost" must be true of a power cut too.
                await self.delivery.durable.settle()
            except SoteriaError:
                return  # Said to the operator; the person is told nothing untrue.
            await quietly(context.bot.send_message(chat.id, texts.SOMETHING_WENT_WRONG))


def kind_of(update: Update) -> str:
    """What an update is, for the log: a command's name, text, a button's action, a file.

    Never its words, its button's values or its sender: a log is no place for case details.
    """
    query = update.callback_query
    if query is not None:
        action = KINDS.get((query.data or "").split(":")[0])
        return f"button {action.__name__}" if action is not None else "button (unknown)"
    message = update.message
    if message is None:
        return "other update"
    if message.document is not None:
        return "document"
    if not message.text:
        return "message without text"
    name = command_name(message.text)
    if name.startswith("/"):
        # Only known commands are named: anything typed after a slash could be a name.
        return f"command {name}" if name[1:] in BY_NAME else "command (unknown)"
    return "text"
