"""Stopping the bot while a timed job is about to run is not an error for the operator."""

from __future__ import annotations

import asyncio
import logging

import pytest

import bot.adapters.telegram.app  # noqa: F401  (installs the scheduler's log filter)

SCHEDULER = logging.getLogger("apscheduler.executors.default")


def test_a_job_cancelled_before_it_began_logs_no_error(caplog: pytest.LogCaptureFixture):
    # Seen in the end-to-end suite: the escalation job, due as the bot stopped, was cancelled
    # before its coroutine ran, and the scheduler logged an ERROR with a traceback.
    with caplog.at_level(logging.INFO, logger=SCHEDULER.name):
        try:
            raise asyncio.CancelledError
        except asyncio.CancelledError:
            SCHEDULER.exception("Error running job escalations")

    assert caplog.records == []


def test_a_job_that_fails_still_logs_its_error(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger=SCHEDULER.name):
        try:
            raise ValueError("the disk is full")
        except ValueError:
            SCHEDULER.exception("Error running job escalations")

    assert [r.levelname for r in caplog.records] == ["ERROR"]
