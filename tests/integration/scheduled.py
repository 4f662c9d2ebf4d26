"""The timed jobs the Telegram bot schedules, read from a bot built on a fresh database."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.telegram.app import TelegramBot
from bot.config import Settings
from bot.store.db import connect
from bot.store.playbook_files import Library

from ..apps import make_app


def job_names(folder: Path) -> list[str]:
    """The names of the jobs a bot on a new database in `folder` schedules."""
    settings = Settings(db_path=folder / "soteria.db", telegram_token="123:ABC")
    db = connect(settings.db_path)
    try:
        application = TelegramBot(settings, make_app(db, Library())).application
        assert application.job_queue is not None
        return [job.name for job in application.job_queue.jobs()]
    finally:
        db.close()
