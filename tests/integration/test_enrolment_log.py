"""Every enrolment attempt is kept in the access log, a refused one with why (never the code
typed), and guessing is held back per account and across the force."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.channels import Identity
from bot.core.consultation import ENROL_TRIES_PER_ACCOUNT, ENROL_TRIES_PER_FORCE, TOO_MANY_TRIES
from bot.core.errors import SoteriaError
from bot.services import consultation, people
from bot.services.context import Context
from bot.store.db import connect
from bot.store.playbook_files import load_library
from bot.store.users import INVITE_REFUSED

from ..apps import make_app
from ..conftest import PLAYBOOKS_DIR


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(name="clock")
def _clock() -> Clock:
    return Clock()


@pytest.fixture(name="ctx")
def _ctx(tmp_path: Path, clock: Clock) -> Iterator[Context]:
    db = connect(tmp_path / "soteria.db")
    yield make_app(db, load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR), clock=clock)
    db.close()


def telegram(number: int) -> Identity:
    return Identity("telegram", str(number))


def attempt(ctx: Context, code: str, who: int) -> str:
    """What enrolling with a code says: 'enrolled', or the refusal's sentence."""
    try:
        people.enrol(ctx, code, telegram(who), "Jo")
    except SoteriaError as error:
        return str(error)
    return "enrolled"


def kept(ctx: Context) -> list[tuple[str, str, str, str]]:
    return [
        (r.access.actor, r.access.action, r.access.detail.get("why", ""), r.access.subject)
        for r in consultation.history(ctx)
    ]


def test_an_enrolment_is_kept_with_the_account_and_the_user_it_made(ctx):
    code = people.invite(ctx, "investigator", "North")

    assert attempt(ctx, code, 111) == "enrolled"

    user = people.identify(ctx, telegram(111))
    assert user is not None
    (record,) = consultation.history(ctx)
    assert (record.access.actor, record.access.action) == ("telegram:111", "enrol")
    assert record.access.subject == f"user:{user.id}"
    assert record.access.purpose is None


@pytest.mark.parametrize("case", ["unknown", "used", "expired"])
def test_a_refused_code_is_kept_with_why_and_never_with_the_code(ctx, clock, case):
    code = people.invite(ctx, "investigator", "North", days=1)
    typed = code
    if case == "unknown":
        typed = "ABCDEFGHJK"
    elif case == "used":
        assert attempt(ctx, code, 1) == "enrolled"
    else:
        clock.now += timedelta(days=2)

    assert attempt(ctx, typed, 222) == INVITE_REFUSED

    refused = [row for row in kept(ctx) if row[1] == "enrol-refused"]
    assert refused == [("telegram:222", "enrol-refused", f"{case} code", "enrolment")]
    rows = ctx.uow.db.execute("SELECT * FROM access_log").fetchall()
    assert typed not in repr(rows)


def test_an_account_that_keeps_guessing_is_refused_without_its_code_being_checked(ctx):
    code = people.invite(ctx, "investigator", "North")
    for _ in range(ENROL_TRIES_PER_ACCOUNT):
        assert attempt(ctx, "WRONGCODE2", 333) == INVITE_REFUSED

    # Even the right code is not looked at now.
    assert attempt(ctx, code, 333) == TOO_MANY_TRIES
    assert attempt(ctx, code, 333) == TOO_MANY_TRIES
    assert people.identify(ctx, telegram(333)) is None

    # Refused unheard is kept once an hour, not once a try.
    unheard = [row for row in kept(ctx) if row[2] == "too many tries from this account"]
    assert len(unheard) == 1
    # Someone else is not held back by it.
    assert attempt(ctx, code, 444) == "enrolled"


def test_after_an_hour_the_account_may_try_again(ctx, clock):
    code = people.invite(ctx, "investigator", "North")
    for _ in range(ENROL_TRIES_PER_ACCOUNT):
        attempt(ctx, "WRONGCODE2", 333)
    clock.now += timedelta(hours=1, seconds=1)

    assert attempt(ctx, code, 333) == "enrolled"


def test_many_accounts_guessing_together_stop_every_try_across_the_force(ctx):
    code = people.invite(ctx, "investigator", "North")
    for number in range(ENROL_TRIES_PER_FORCE):
        assert attempt(ctx, "WRONGCODE2", 10_000 + number) == INVITE_REFUSED

    assert attempt(ctx, code, 555) == TOO_MANY_TRIES
    assert ("telegram:555", "enrol-refused", "too many tries across the force", "enrolment") in (
        kept(ctx)
    )
