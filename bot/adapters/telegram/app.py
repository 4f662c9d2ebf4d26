"""The Telegram application: builder settings, handlers, start-up calls and the morning digest."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from telegram import BotCommand, Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, JobQueue, TypeHandler

from bot.bootstrap import build
from bot.config import Settings
from bot.conversation.commands import STRANGERS_MENU
from bot.conversation.dialogue import Dialogue
from bot.core.errors import SoteriaError
from bot.jobs import (
    queue_escalations,
    remove_old_exports,
    teams_with_cases,
    weekly_summary,
    write_checkpoint,
)
from bot.services.context import Context

from .delivery import Delivery, quietly
from .handlers import TelegramFace
from .ordering import PerChatOrder
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


def build_application(settings: Settings, ctx: Context) -> Application:
    """Wire the face into a python-telegram-bot Application (long polling, rate limited)."""
    if not settings.telegram_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    dialogue = Dialogue(ctx, settings.reports_dir)
    delivery = Delivery(
        dialogue, timedelta(seconds=settings.notice_seconds), settings.export_hours
    )
    face = TelegramFace(
        dialogue,
        delivery,
        Throttle(per_minute=settings.person_rate) if settings.person_rate else None,
        Reader(lambda: Dialogue(build(settings, ctx.clock), settings.reports_dir)),
    )

    async def on_start(application: Application) -> None:
        # A server without setMyCommands (the test emulator, some self-hosted servers) is no
        # reason not to start: the commands are a convenience shown in the chat's menu. Until
        # someone is known, their chat offers only /start and /help; then their role's menu.
        await quietly(application.bot.set_my_commands([BotCommand(*c) for c in STRANGERS_MENU]))
        me = application.bot.username
        log.info("soteria-bot is running as @%s", me)
        expected = settings.bot_username
        if expected and me and expected.lower() != me.lower():
            # The links `users invite` prints would open another bot, or none.
            log.warning(
                "SOTERIA_BOT_USERNAME is %s but this bot is @%s: the enrolment links "
                "`soteria-bot users invite` prints will not open it; set it to %s",
                expected,
                me,
                me,
            )

    async def on_stop(application: Application) -> None:
        if face.reader is not None:
            face.reader.close()

    builder = (
        Application.builder()
        .token(settings.telegram_token)
        .concurrent_updates(PerChatOrder())
        .post_init(on_start)
        .post_shutdown(on_stop)
    )
    if settings.send_rate > 0:
        builder = builder.rate_limiter(
            AIORateLimiter(overall_max_rate=settings.send_rate, max_retries=3)
        )
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    application = builder.build()
    application.add_handler(TypeHandler(Update, face.on_update))
    application.add_error_handler(face.on_error)
    if application.job_queue is not None:
        _schedule(application.job_queue, settings, ctx, delivery)
    return application


def _schedule(jobs: JobQueue, settings: Settings, ctx: Context, delivery: Delivery) -> None:
    """The timed work: notices, escalations, the weekly summary, the morning digest and the
    daily checkpoint of the log."""
    zone = ZoneInfo(settings.timezone)

    @stops_quietly
    async def digests(context: ContextTypes.DEFAULT_TYPE) -> None:
        await delivery.send_digests(context.bot)

    @stops_quietly
    async def send_notices(context: ContextTypes.DEFAULT_TYPE) -> None:
        await delivery.send_notices(context.bot)

    @stops_quietly
    async def escalate(context: ContextTypes.DEFAULT_TYPE) -> None:
        # Team by team, giving way to updates between teams: a force of thousands of cases
        # must not hold investigators' taps up for the whole scan.
        for team in teams_with_cases(ctx):
            queue_escalations(ctx, team)
            await asyncio.sleep(0)
        await delivery.send_notices(context.bot)

    @stops_quietly
    async def week(context: ContextTypes.DEFAULT_TYPE) -> None:
        weekly_summary(ctx)
        await delivery.send_notices(context.bot)

    jobs.run_daily(digests, time=DIGEST_AT.replace(tzinfo=zone), name="morning digest")
    jobs.run_repeating(send_notices, interval=settings.notice_seconds, name="notices")
    jobs.run_repeating(
        escalate,
        interval=settings.escalation_seconds,
        first=min(settings.escalation_seconds, 30),
        name="escalations",
    )
    jobs.run_daily(week, time=WEEKLY_AT.replace(tzinfo=zone), days=(1,), name="weekly summary")

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
    application = build_application(settings, ctx)
    application.run_polling(
        allowed_updates=["message", "callback_query"],
        timeout=POLL_TIMEOUT,
        poll_interval=0.0,
        drop_pending_updates=False,
    )
