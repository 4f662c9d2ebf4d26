"""A timed job caught mid-way by a shutdown ends quietly, with no error in the bot's log."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.adapters.telegram.app import stops_quietly


async def test_a_job_cancelled_at_shutdown_ends_without_an_error(caplog: pytest.LogCaptureFixture):
    """The scheduler cancels a running job when the bot stops: the job ends, logged as info."""
    started = asyncio.Event()

    @stops_quietly
    async def escalate(context: object) -> None:
        started.set()
        await asyncio.sleep(60)

    task = asyncio.create_task(escalate(None))  # type: ignore[arg-type]
    await started.wait()
    caplog.set_level(logging.INFO)
    task.cancel()
    await task  # ends normally: the scheduler has nothing to report as an error
    assert not task.cancelled()
    assert "escalate stopped with the bot" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_job_that_fails_still_fails_loudly():
    """Only a shutdown is quiet: a real error in a job still reaches the error log."""

    @stops_quietly
    async def broken(context: object) -> None:
        raise RuntimeError("the database is gone")

    with pytest.raises(RuntimeError, match="database is gone"):
        await broken(None)  # type: ignore[arg-type]
