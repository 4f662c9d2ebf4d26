"""Playbook files checked in a child process with a CPU-time limit, off the bot's event loop:
a check that runs too long is stopped and said as a problem, and publishing takes the result
of a check made ahead instead of checking the same bytes again."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from bot.services import checking, publishing
from bot.store.db import connect
from bot.store.playbook_files import FileProblem, Library, load_library

from ..apps import make_app
from ..conftest import PLAYBOOKS_DIR

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
GOOD = """\
playbook: uploaded
title: Uploaded
version: 1
sections:
  - id: only
    title: Only
    items:
      - id: done
        ask: Done?
        type: yes-no
"""


@pytest.fixture(name="ctx")
def _ctx(tmp_path):
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    ctx = make_app(
        connect(tmp_path / "soteria.db"), library, lambda: NOW, playbooks_dir=PLAYBOOKS_DIR
    )
    yield ctx
    ctx.uow.close()


def test_work_past_its_cpu_time_is_stopped():
    started = time.monotonic()
    with pytest.raises(checking.TooSlow):
        checking.run_limited(sum, (range(10**13),), cpu_seconds=1)
    assert time.monotonic() - started < 10


def test_a_check_in_the_child_finds_what_a_check_here_finds(ctx):
    broken = GOOD.replace("type: yes-no", "type: maybe")
    for text in (GOOD, broken):
        request = publishing.upload_check(ctx, "uploaded.yaml", text.encode())
        here, there = checking.check(request), checking.check_limited(request)
        assert there.problems == here.problems
        assert [e.playbook for e in there.playbooks] == [e.playbook for e in here.playbooks]
    assert [p.file for p in checking.check(request).problems] == ["uploaded.yaml"]


def test_a_check_out_of_time_is_a_problem_on_the_file(ctx, monkeypatch):
    request = publishing.upload_check(ctx, "slow.yaml", GOOD.encode())

    def stopped(*_args: object) -> None:
        raise checking.TooSlow

    monkeypatch.setattr(checking, "run_limited", stopped)
    [problem] = checking.check_limited(request, cpu_seconds=1).problems
    assert problem.file == "slow.yaml"
    assert "took more than 1 seconds, so it was stopped" in problem.message


def test_publishing_takes_the_check_made_ahead(ctx):
    request = publishing.upload_check(ctx, "uploaded.yaml", GOOD.encode())
    ahead = Library(problems=[FileProblem("uploaded.yaml", 1, 1, "said by the check ahead")])
    checking.remember(ctx, request, ahead)
    outcome = publishing.publish_upload(ctx, "uploaded.yaml", GOOD.encode(), None, "Tess")
    assert [p.message for p in outcome.problems] == ["said by the check ahead"]
    # Taken once: the same file again is checked afresh, and published.
    outcome = publishing.publish_upload(ctx, "uploaded.yaml", GOOD.encode(), None, "Tess")
    assert [done.version.playbook_id for done in outcome.published] == ["uploaded"]
