"""The Telegram application: the bot, its handlers, polling through the inbox, the timed jobs.

python-telegram-bot's Application runs the handlers (one chat at a time, chats at once) and
the timed jobs; its Updater is not used: `polling.Poller` fetches updates and keeps them in the
inbox before confirming them, and notices go out from a task of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ContextTypes, JobQueue, TypeHandler
from telegram.request import HTTPXRequest

from bot.adapters.durable import Durable
from bot.bootstrap import build_beside
from bot.config import Settings
from bot.conversation.commands import STRANGERS_MENU
from bot.conversation.dialogue import Dialogue
from bot.core.errors import SoteriaError
from bot.jobs import (
    queue_escalations,
    remove_old_exports,
    retention_notice,
    teams_with_cases,
    weekly_summary,
    write_checkpoint,
)
from bot.services import inbox
from bot.services.context import Context

from .delivery import Delivery, quietly
from .handlers import TelegramFace
from .ordering import PerChatOrder
from .polling import Inbound, InboxBot, Poller
from .reader import Reader
from .throttle import Throttle

log = logging.getLogger(__name__)

#: When the morning digest goes out, in the force's time zone.
DIGEST_AT = time(7, 30)
#: When supervisors' weekly summary goes out, on Mondays, in the force's time zone.
WEEKLY_AT = time(8, 0)
#: How often exported reports older than SOTERIA_EXPORT_HOURS are looked for, in seconds.
EXPORTS_CHECKED_EVERY = 3600
#: When the day's signed checkpoint of the log is written, in the force's time zone: a quiet hour.
CHECKPOINT_AT = time(2, 30)
#: How long one getUpdates call waits for news before asking again.
POLL_TIMEOUT = 10
#: How often handled updates are forgotten from the inbox (and its size kept bounded).
PRUNE_EVERY = 3600.0
#: Telegram's own Bot API, and where it serves files to bots.
CLOUD_API = "https://api.telegram.org/bot"


Job = Callable[[ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def stops_quietly(job: Job) -> Job:
    """A timed job that ends without an error when the bot stops in the middle of it."""

    @functools.wraps(job)
    async def run(context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await job(context)
        except asyncio.CancelledError:
            # The scheduler cancels a job still running at shutdown and would log it as an
            # error. Its work is committed step by step; the next start does the rest.
            log.info("%s stopped with the bot", job.__name__)

    return run


class _CancelledAtStop(logging.Filter):
    """Drop the scheduler's error for a job cancelled before it began, as the bot stopped.

    `stops_quietly` cannot catch that one: the job's coroutine never ran. Nothing was lost
    (the next start does the work), so it is not an error for the operator.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


logging.getLogger("apscheduler.executors.default").addFilter(_CancelledAtStop())


def file_url(api_url: str) -> str:
    """Where a Bot API server serves files, given where it serves methods (`…/bot`).

    Telegram serves methods at https://api.telegram.org/bot<token>/ and files at
    https://api.telegram.org/file/bot<token>/; a self-hosted server does the same.
    """
    base = api_url.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("bot")] + "file/bot"
    return base + "/file/bot"


def make_bot(settings: Settings) -> InboxBot:
    """The bot: its token, its Bot API server (methods and files), its pace of sending."""
    if not settings.telegram_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    api = settings.telegram_api_base_url or CLOUD_API
    limiter = (
        AIORateLimiter(overall_max_rate=settings.send_rate, max_retries=3)
        if settings.send_rate > 0
        else None
    )
    return InboxBot(
        settings.telegram_token,
        base_url=api,
        base_file_url=file_url(api),
        # As python-telegram-bot's builder makes them: a pool for replies, one connection
        # for the long poll.
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=limiter,
    )


class TelegramBot:
    """The running bot: the application, its face and delivery, and the poller."""

    def __init__(self, settings: Settings, ctx: Context) -> None:
        self.ctx = ctx
        self.settings = settings
        dialogue = Dialogue(ctx, settings.reports_dir)
        # One for the connection: replies, notices and the poller's confirmations share syncs.
        self.durable = Durable(ctx.uow.durability)
        self.delivery = Delivery(
            dialogue,
            timedelta(seconds=settings.notice_seconds),
            settings.export_hours,
            self.durable,
        )
        self.face = TelegramFace(
            dialogue,
            self.delivery,
            Throttle(per_minute=settings.person_rate) if settings.person_rate else None,
            # The reader's own connection, on the playbooks this process has loaded.
            Reader(lambda: Dialogue(build_beside(settings, ctx), settings.reports_dir)),
        )
        self.application = (
            Application.builder()
            .bot(make_bot(settings))
            .updater(None)
            .concurrent_updates(PerChatOrder())
            .build()
        )
        self.application.add_handler(TypeHandler(Inbound, self.face.on_update))
        self.application.add_error_handler(self.face.on_error)
        if self.application.job_queue is not None:
            _schedule(self.application.job_queue, settings, ctx, self.delivery)
        self.poller = Poller(ctx, self.application, POLL_TIMEOUT, self.durable)

    async def serve(self, stop: asyncio.Event) -> None:
        """Start, poll until `stop` is set, then finish the updates taken and stop."""
        application = self.application
        await application.initialize()
        sending: asyncio.Task[None] | None = None
        try:
            # A server without setMyCommands (the test emulator, some self-hosted servers) is
            # no reason not to start: the commands are a convenience shown in the chat's menu.
            # Until someone is known, their chat offers only /start and /help; then their
            # role's menu.
            await quietly(
                application.bot.set_my_commands([BotCommand(*c) for c in STRANGERS_MENU])
            )
            await quietly(application.bot.delete_webhook(drop_pending_updates=False))
            await self.durable.settle()  # what the start wrote (migrations, publishing)
            await self.durable.checkpoint()  # what a killed run left in the log
            await application.start()
            sending = asyncio.create_task(self.delivery.keep_sending(application.bot))
            _say_who(application.bot.username, self.settings.bot_username)
            await self.poller.run(stop)
        finally:
            if sending is not None:
                sending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sending
            if application.running:
                await application.stop()  # after the updates already taken are handled
            await application.shutdown()
            if self.face.reader is not None:
                self.face.reader.close()
            await self.durable.close()


def _schedule(jobs: JobQueue, settings: Settings, ctx: Context, delivery: Delivery) -> None:
    """The timed work: notices, escalations, the weekly summary and retention notice, the
    morning digest and the daily checkpoint of the log."""
    zone = ZoneInfo(settings.timezone)

    @stops_quietly
    async def digests(context: ContextTypes.DEFAULT_TYPE) -> None:
        await delivery.send_digests(context.bot)

    @stops_quietly
    async def escalate(context: ContextTypes.DEFAULT_TYPE) -> None:
        # Team by team, giving way to updates between teams: a force of thousands of cases
        # must not hold investigators' taps up for the whole scan.
        for team in teams_with_cases(ctx):
            queue_escalations(ctx, team)
            await asyncio.sleep(0)
        delivery.wake()

    @stops_quietly
    async def week(context: ContextTypes.DEFAULT_TYPE) -> None:
        weekly_summary(ctx)
        delivery.wake()

    @stops_quietly
    async def prune(context: ContextTypes.DEFAULT_TYPE) -> None:
        inbox.prune(ctx)

    jobs.run_daily(digests, time=DIGEST_AT.replace(tzinfo=zone), name="morning digest")
    jobs.run_repeating(prune, interval=PRUNE_EVERY, first=PRUNE_EVERY, name="inbox pruning")
    jobs.run_repeating(
        escalate,
        interval=settings.escalation_seconds,
        first=min(settings.escalation_seconds, 30),
        name="escalations",
    )
    jobs.run_daily(week, time=WEEKLY_AT.replace(tzinfo=zone), days=(1,), name="weekly summary")

    @stops_quietly
    async def retention_due(context: ContextTypes.DEFAULT_TYPE) -> None:
        retention_notice(ctx)
        delivery.wake()

    jobs.run_daily(
        retention_due, time=WEEKLY_AT.replace(tzinfo=zone), days=(1,), name="retention review"
    )

    @stops_quietly
    async def checkpoint(context: ContextTypes.DEFAULT_TYPE) -> None:
        # The whole log is verified before it is signed: a long walk, so off the event loop.
        try:
            made = await asyncio.to_thread(write_checkpoint, settings, ctx.now())
        except (SoteriaError, OSError) as error:
            log.error("the day's checkpoint of the log was not written: %s", error)
            return
        log.info("checkpoint %s covers the log to record %s", made.number, made.seq)

    jobs.run_daily(checkpoint, time=CHECKPOINT_AT.replace(tzinfo=zone), name="daily checkpoint")

    @stops_quietly
    async def old_exports(context: ContextTypes.DEFAULT_TYPE) -> None:
        removed = remove_old_exports(settings, ctx.now())
        if removed:
            log.info(
                "removed %s exported reports older than %g hours", removed, settings.export_hours
            )

    jobs.run_repeating(old_exports, interval=EXPORTS_CHECKED_EVERY, first=60, name="old exports")


def run_polling(settings: Settings, ctx: Context) -> None:
    """Run the bot until SIGINT or SIGTERM, taking messages and button presses only."""
    telegram_bot = TelegramBot(settings, ctx)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop.set)
        await telegram_bot.serve(stop)

    asyncio.run(main())


def _say_who(me: str | None, expected: str | None) -> None:
    """Log which bot this is, and warn when SOTERIA_BOT_USERNAME names another."""
    log.info("soteria-bot is running as @%s", me)
    if expected and me and expected.lower() != me.lower():
        # The links `users invite` prints would open another bot, or none.
        log.warning(
            "SOTERIA_BOT_USERNAME is %s but this bot is @%s: the enrolment links "
            "`soteria-bot users invite` prints will not open it; set it to %s",
            expected,
            me,
            me,
        )
