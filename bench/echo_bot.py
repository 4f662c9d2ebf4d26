"""The floor for bench/e2e_throughput.py: a bare python-telegram-bot 22 bot making our Bot API calls."""

# Run: TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot \
#      [SOTERIA_SEND_RATE=30] .venv/bin/python bench/echo_bot.py
#
# Per button press it makes the calls soteria-bot makes for an answer: answerCallbackQuery,
# editMessageText (the pressed question becomes a record, its keyboard dropped) and sendMessage
# (the next question, with an inline keyboard). A press on Tick stands in for ticking a
# multi-choice option: answerCallbackQuery and an edit in place. Per text message it sends one
# question. It keeps no state and touches no database: what is left is the library, HTTP and
# the Bot API server.

from __future__ import annotations

import html
import itertools
import logging
import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

READY = "echo bot is polling"
#: The same cap on updates handled at once as soteria-bot's PerChatOrder.
CONCURRENT_UPDATES = 64
# A question of about the length of a playbook's, so the server parses as much text per call.
QUESTION = (
    "<b>Question {number}: was the check done?</b>\n"
    "Guidance: a history held by another force will not appear in local systems; ask each "
    "force directly, and record only what was done."
)
numbers = itertools.count(1)


def question() -> tuple[str, InlineKeyboardMarkup]:
    """The next question's text and its keyboard of answers."""
    number = next(numbers)
    buttons = [
        InlineKeyboardButton(label, callback_data=f"a:{number}:{index}")
        for index, label in enumerate(("Yes", "No", "N/A"))
    ]
    # Tick stands in for a multi-choice option: ours ticks it in place, without a new message.
    tick = InlineKeyboardButton("Tick", callback_data=f"t:{number}")
    return QUESTION.format(number=number), InlineKeyboardMarkup([buttons, [tick]])


async def on_tick(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and tick the pressed question in place, keeping its keyboard."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    message = query.message
    if message is not None and update.effective_chat is not None:
        text = f"{html.escape(getattr(message, 'text', '') or '')} ✓"
        await context.bot.edit_message_text(
            text,
            update.effective_chat.id,
            message.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=getattr(message, "reply_markup", None),
        )


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press, turn the pressed question into a record, send the next question."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    message = query.message
    if message is not None and update.effective_chat is not None:
        # The emulator hands back the visible text: escape it again for HTML, as ours does.
        record = f"{html.escape(getattr(message, 'text', '') or '')}\n✓ <i>{query.data}</i>"
        await context.bot.edit_message_text(
            record, update.effective_chat.id, message.message_id, parse_mode=ParseMode.HTML
        )
        text, markup = question()
        await context.bot.send_message(
            update.effective_chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply to any text with a question."""
    assert update.effective_chat is not None
    text, markup = question()
    await context.bot.send_message(
        update.effective_chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def on_start(application: Application) -> None:
    """Say the bot is polling, as soteria-bot does."""
    logging.getLogger(__name__).warning("%s as @%s", READY, application.bot.username)


def main() -> None:
    """Build the application with soteria-bot's settings, minus its own code, and poll."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    builder = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        # Plain concurrent processing (no per-chat order) with the same cap as ours.
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(on_start)
    )
    rate = float(os.environ.get("SOTERIA_SEND_RATE") or 0)
    if rate > 0:
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=rate, max_retries=3))
    application = builder.build()
    application.add_handler(CallbackQueryHandler(on_tick, pattern="^t:"))
    application.add_handler(CallbackQueryHandler(on_press))
    application.add_handler(MessageHandler(filters.TEXT, on_text))
    application.run_polling(
        allowed_updates=["message", "callback_query"],
        timeout=10,
        poll_interval=0.0,
        drop_pending_updates=False,
    )


if __name__ == "__main__":
    main()
