"""The inbox: each message kept once, handled once, its content emptied once handled; a repeat
is known by its content, so ids that start again are new messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.errors import SoteriaError
from bot.services import inbox
from bot.store.db import connect
from bot.store.playbook_files import Library

from ..apps import make_app

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(name="ctx")
def _ctx(tmp_path):
    clock = [NOW]
    ctx = make_app(connect(tmp_path / "soteria.db"), Library(), lambda: clock[0])
    ctx.clock_moves = clock  # type: ignore[attr-defined]
    yield ctx
    ctx.uow.close()


def help_update(update_id: int, message_id: int) -> dict[str, object]:
    return {"update_id": update_id, "message": {"message_id": message_id, "text": "/help"}}


def states(ctx) -> dict[str, int]:
    return inbox.counts(ctx)


def test_a_batch_is_kept_once_and_a_repeat_is_left_out(ctx):
    batch = [inbox.Arrival(str(n), help_update(n, 100 + n)) for n in (1, 2)]
    kept = inbox.keep(ctx, "telegram", batch)
    assert [k.external_id for k in kept] == ["1", "2"]
    assert inbox.keep(ctx, "telegram", batch) == []
    assert [w.external_id for w in inbox.waiting(ctx, "telegram")] == ["1", "2"]


def test_an_id_seen_before_with_new_content_is_a_new_message(ctx):
    inbox.keep(ctx, "telegram", [inbox.Arrival("7", help_update(7, 1))])
    [again] = inbox.keep(ctx, "telegram", [inbox.Arrival("7", help_update(7, 2))])
    assert again.external_id == "7"


def test_handling_marks_the_row_and_empties_what_was_typed(ctx):
    [kept] = inbox.keep(ctx, "telegram", [inbox.Arrival("1", help_update(1, 1))])
    with ctx.request(kept.row):
        pass  # recorded nothing: marked on its own
    assert states(ctx) == {"handled": 1}
    raw = ctx.uow.db.execute("select raw from inbox").fetchone()[0]
    assert raw is None
    assert inbox.waiting(ctx, "telegram") == []


def test_a_message_whose_first_write_is_refused_is_still_marked_handled_once(ctx):
    """A refused action rolls its transaction back: the mark must not go with it, or the
    message would be handled again at every start."""
    [kept] = inbox.keep(ctx, "telegram", [inbox.Arrival("1", help_update(1, 1))])
    with ctx.request(kept.row), pytest.raises(SoteriaError), ctx.transaction():
        raise SoteriaError("That is not yours to change.")
    assert states(ctx) == {"handled": 1}


def test_a_refused_write_then_a_good_one_marks_the_row_with_the_good_one(ctx):
    [kept] = inbox.keep(ctx, "telegram", [inbox.Arrival("1", help_update(1, 1))])
    with ctx.request(kept.row):
        with pytest.raises(SoteriaError), ctx.transaction():
            raise SoteriaError("No.")
        with ctx.transaction() as uow:
            # The second transaction carries the mark, in with what it writes.
            assert uow.inbox.counts() == {"handled": 1}
        assert states(ctx) == {"handled": 1}


def test_handled_rows_are_forgotten_after_two_days_and_those_kept_aside_after_thirty(ctx):
    [done] = inbox.keep(ctx, "telegram", [inbox.Arrival("1", help_update(1, 1))])
    with ctx.request(done.row):
        pass
    inbox.keep(ctx, "telegram", [inbox.Arrival("2", {"update_id": 2}, readable=False)])
    ctx.clock_moves[0] = NOW + timedelta(days=3)
    assert inbox.prune(ctx) == 1
    assert states(ctx) == {"unparseable": 1}
    ctx.clock_moves[0] = NOW + timedelta(days=31)
    assert inbox.prune(ctx) == 1
    assert states(ctx) == {}
