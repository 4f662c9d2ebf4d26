"""Enrolment by one-time codes: each works once, before it expires, and is never stored plainly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from bot.core.errors import InputRefused, NotAllowed, NotFound
from bot.store import users
from bot.store.db import connect

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(name="db")
def _db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    db = connect(tmp_path / "soteria.db")
    yield db
    db.close()


def refusal(db: sqlite_utils.Database, code: str, when: datetime = NOW) -> str:
    with pytest.raises(NotFound) as caught:
        users.redeem_invite(db, code, 555, "Alex Smith", when)
    return str(caught.value)


def test_an_invite_enrols_its_holder_with_its_role_and_team(db):
    code = users.create_invite(db, "supervisor", "North RASSO", NOW)

    user = users.redeem_invite(db, code, 1001, "Jo Bloggs", NOW + timedelta(hours=1))

    assert user.role == "supervisor"
    assert user.team == "North RASSO"
    assert user.name == "Jo Bloggs"
    assert user.telegram_id == 1001
    assert not user.in_training
    assert users.find_user(db, telegram_id=1001) == user
    assert users.find_user(db, user_id=user.id) == user
    assert users.list_users(db) == [user]


def test_a_code_is_ten_unambiguous_characters(db):
    codes = {users.create_invite(db, "investigator", "North", NOW) for _ in range(50)}

    assert len(codes) == 50
    for code in codes:
        assert len(code) == 10
        assert set(code) <= set(users.CODE_ALPHABET)
        assert not set(code) & set("01OIL")


def test_a_code_is_accepted_in_lower_case_and_with_spaces(db):
    code = users.create_invite(db, "trainer", "Training", NOW)
    typed = f" {code[:5].lower()} {code[5:]} "

    assert users.redeem_invite(db, typed, None, "Pat", NOW).role == "trainer"


def test_a_code_works_only_once(db):
    code = users.create_invite(db, "investigator", "North", NOW)
    users.redeem_invite(db, code, 1001, "Jo", NOW)

    with pytest.raises(NotFound):
        users.redeem_invite(db, code, 1002, "Someone Else", NOW)
    assert [user.telegram_id for user in users.list_users(db)] == [1001]


def test_an_expired_code_is_refused(db):
    code = users.create_invite(db, "investigator", "North", NOW, ttl=timedelta(days=2))

    with pytest.raises(NotFound):
        users.redeem_invite(db, code, 1001, "Jo", NOW + timedelta(days=2))
    assert users.list_users(db) == []


def test_the_refusal_is_the_same_for_unknown_used_and_expired_codes(db):
    used = users.create_invite(db, "investigator", "North", NOW)
    users.redeem_invite(db, used, 1001, "Jo", NOW)
    expired = users.create_invite(db, "investigator", "North", NOW, ttl=timedelta(hours=1))

    sentences = {
        refusal(db, "ABCDEFGHJK"),
        refusal(db, used),
        refusal(db, expired, NOW + timedelta(hours=2)),
    }

    assert sentences == {users.INVITE_REFUSED}
    assert users.INVITE_REFUSED.count(".") == 1


def test_codes_are_not_stored_in_plain_text(db, tmp_path):
    code = users.create_invite(db, "investigator", "North", NOW)

    stored = db.execute("SELECT code_hash FROM invites").fetchall()
    assert stored != [(code,)]
    assert len(stored[0][0]) == 64
    db.execute("PRAGMA wal_checkpoint(FULL)")
    for path in tmp_path.iterdir():
        assert code.encode() not in path.read_bytes()


def test_a_used_invite_records_who_used_it(db):
    code = users.create_invite(db, "investigator", "North", NOW)
    user = users.redeem_invite(db, code, 1001, "Jo", NOW)

    assert db.execute("SELECT used_by, used_at FROM invites").fetchone() == (
        user.id,
        "2025-03-01T09:30:00.000000+00:00",
    )


def test_an_enrolled_telegram_account_cannot_enrol_again(db):
    first = users.create_invite(db, "investigator", "North", NOW)
    second = users.create_invite(db, "supervisor", "North", NOW)
    users.redeem_invite(db, first, 1001, "Jo", NOW)

    with pytest.raises(NotAllowed):
        users.redeem_invite(db, second, 1001, "Jo", NOW)
    # The refused attempt did not use up the second code.
    assert users.redeem_invite(db, second, 1002, "Sam", NOW).role == "supervisor"


def test_revoking_a_user_hides_them(db):
    code = users.create_invite(db, "investigator", "North", NOW)
    user = users.redeem_invite(db, code, 1001, "Jo", NOW)

    assert users.revoke_user(db, user.id, NOW) == user

    assert users.find_user(db, telegram_id=1001) is None
    assert users.find_user(db, user_id=user.id) is None
    assert users.list_users(db) == []
    with pytest.raises(NotFound):
        users.revoke_user(db, user.id, NOW)


def test_a_revoked_account_may_enrol_again_with_a_new_code(db):
    old = users.redeem_invite(
        db, users.create_invite(db, "investigator", "North", NOW), 1001, "Jo", NOW
    )
    users.revoke_user(db, old.id, NOW)

    new = users.redeem_invite(
        db, users.create_invite(db, "supervisor", "South", NOW), 1001, "Jo", NOW
    )

    assert new.id != old.id
    assert users.find_user(db, telegram_id=1001) == new


def test_a_local_user_has_no_telegram_account(db):
    user = users.add_local_user(db, "  Terminal   User ", "trainer", "Training", NOW)

    assert user.name == "Terminal User"
    assert user.telegram_id is None
    assert users.list_users(db) == [user]


@pytest.mark.parametrize(
    ("role", "team"), [("chief", "North"), ("investigator", "   ")], ids=["role", "team"]
)
def test_an_invite_needs_a_known_role_and_a_team(db, role, team):
    with pytest.raises(InputRefused):
        users.create_invite(db, role, team, NOW)


def test_a_blank_name_is_refused_without_using_the_code(db):
    code = users.create_invite(db, "investigator", "North", NOW)

    with pytest.raises(InputRefused):
        users.redeem_invite(db, code, 1001, " ", NOW)
    assert users.redeem_invite(db, code, 1001, "Jo", NOW).name == "Jo"
