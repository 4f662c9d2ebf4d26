"""Enrolment by one-time codes: each works once, before it expires, and is never stored plainly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from bot.core.channels import Identity
from bot.core.errors import InputRefused, NotAllowed, NotFound
from bot.store import users as user_store
from bot.store.db import connect
from bot.store.users import UserRepository

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(name="db")
def _db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    db = connect(tmp_path / "soteria.db")
    yield db
    db.close()


@pytest.fixture(name="users")
def _users(db: sqlite_utils.Database) -> UserRepository:
    return UserRepository(db)


def telegram(number: int) -> Identity:
    """A Telegram account, as the bot identifies people on Telegram."""
    return Identity("telegram", str(number))


def refusal(users: UserRepository, code: str, when: datetime = NOW) -> str:
    with pytest.raises(NotFound) as caught:
        users.redeem_invite(code, telegram(555), "Alex Smith", when)
    return str(caught.value)


def test_an_invite_enrols_its_holder_with_its_role_and_team(users, db):
    code = users.create_invite("supervisor", "North RASSO", NOW)

    user = users.redeem_invite(code, telegram(1001), "Jo Bloggs", NOW + timedelta(hours=1))

    assert user.role == "supervisor"
    assert user.team == "North RASSO"
    assert user.name == "Jo Bloggs"
    assert users.external_id(user.id, "telegram") == "1001"
    assert not user.in_training
    assert users.by_identity(telegram(1001)) == user
    assert users.get(user.id) == user
    assert users.enrolled() == [user]


def test_a_code_is_ten_unambiguous_characters(users, db):
    codes = {users.create_invite("investigator", "North", NOW) for _ in range(50)}

    assert len(codes) == 50
    for code in codes:
        assert len(code) == 10
        assert set(code) <= set(user_store.CODE_ALPHABET)
        assert not set(code) & set("01OIL")


def test_a_code_is_accepted_in_lower_case_and_with_spaces(users, db):
    code = users.create_invite("trainer", "Training", NOW)
    typed = f" {code[:5].lower()} {code[5:]} "

    assert users.redeem_invite(typed, None, "Pat", NOW).role == "trainer"


def test_a_code_works_only_once(users, db):
    code = users.create_invite("investigator", "North", NOW)
    users.redeem_invite(code, telegram(1001), "Jo", NOW)

    with pytest.raises(NotFound):
        users.redeem_invite(code, telegram(1002), "Someone Else", NOW)
    assert [users.external_id(user.id, "telegram") for user in users.enrolled()] == ["1001"]


def test_an_expired_code_is_refused(users, db):
    code = users.create_invite("investigator", "North", NOW, ttl=timedelta(days=2))

    with pytest.raises(NotFound):
        users.redeem_invite(code, telegram(1001), "Jo", NOW + timedelta(days=2))
    assert users.enrolled() == []


def test_the_refusal_is_the_same_for_unknown_used_and_expired_codes(users, db):
    used = users.create_invite("investigator", "North", NOW)
    users.redeem_invite(used, telegram(1001), "Jo", NOW)
    expired = users.create_invite("investigator", "North", NOW, ttl=timedelta(hours=1))

    sentences = {
        refusal(users, "ABCDEFGHJK"),
        refusal(users, used),
        refusal(users, expired, NOW + timedelta(hours=2)),
    }

    assert sentences == {user_store.INVITE_REFUSED}
    assert user_store.INVITE_REFUSED.count(".") == 1


def test_codes_are_not_stored_in_plain_text(users, db, tmp_path):
    code = users.create_invite("investigator", "North", NOW)

    stored = db.execute("SELECT code_hash FROM invites").fetchall()
    assert stored != [(code,)]
    assert len(stored[0][0]) == 64
    db.execute("PRAGMA wal_checkpoint(FULL)")
    for path in tmp_path.iterdir():
        assert code.encode() not in path.read_bytes()


def test_a_used_invite_records_who_used_it(users, db):
    code = users.create_invite("investigator", "North", NOW)
    user = users.redeem_invite(code, telegram(1001), "Jo", NOW)

    assert db.execute("SELECT used_by, used_at FROM invites").fetchone() == (
        user.id,
        "2025-03-01T09:30:00.000000+00:00",
    )


def test_an_enrolled_telegram_account_cannot_enrol_again(users, db):
    first = users.create_invite("investigator", "North", NOW)
    second = users.create_invite("supervisor", "North", NOW)
    users.redeem_invite(first, telegram(1001), "Jo", NOW)

    with pytest.raises(NotAllowed):
        users.redeem_invite(second, telegram(1001), "Jo", NOW)
    # The refused attempt did not use up the second code.
    assert users.redeem_invite(second, telegram(1002), "Sam", NOW).role == "supervisor"


def test_revoking_a_user_hides_them(users, db):
    code = users.create_invite("investigator", "North", NOW)
    user = users.redeem_invite(code, telegram(1001), "Jo", NOW)

    assert users.revoke(user.id, NOW) == user

    assert users.by_identity(telegram(1001)) is None
    assert users.get(user.id) is None
    assert users.enrolled() == []
    with pytest.raises(NotFound):
        users.revoke(user.id, NOW)


def test_a_revoked_account_may_enrol_again_with_a_new_code(users, db):
    old = users.redeem_invite(
        users.create_invite("investigator", "North", NOW), telegram(1001), "Jo", NOW
    )
    users.revoke(old.id, NOW)

    new = users.redeem_invite(
        users.create_invite("supervisor", "South", NOW), telegram(1001), "Jo", NOW
    )

    assert new.id != old.id
    assert users.by_identity(telegram(1001)) == new


def test_a_local_user_has_no_telegram_account(users, db):
    user = users.add("  Terminal   User ", "trainer", "Training", NOW)

    assert user.name == "Terminal User"
    assert users.external_id(user.id, "telegram") is None
    assert users.enrolled() == [user]


@pytest.mark.parametrize(
    ("role", "team"), [("chief", "North"), ("investigator", "   ")], ids=["role", "team"]
)
def test_an_invite_needs_a_known_role_and_a_team(users, db, role, team):
    with pytest.raises(InputRefused):
        users.create_invite(role, team, NOW)


def test_a_blank_name_is_refused_without_using_the_code(users, db):
    code = users.create_invite("investigator", "North", NOW)

    with pytest.raises(InputRefused):
        users.redeem_invite(code, telegram(1001), " ", NOW)
    assert users.redeem_invite(code, telegram(1001), "Jo", NOW).name == "Jo"


def test_an_invite_made_with_a_name_enrols_its_holder_under_that_name(users, db):
    code = users.create_invite("investigator", "North", NOW, name="  DC   Jo Bloggs ")

    user = users.redeem_invite(code, telegram(1001), "Jojo", NOW)

    assert user.name == "DC Jo Bloggs"
    assert users.name(user.id) == "DC Jo Bloggs"


def test_an_invite_made_with_a_name_needs_no_telegram_name(users, db):
    code = users.create_invite("investigator", "North", NOW, name="DC Jo Bloggs")

    assert users.redeem_invite(code, telegram(1001), " ", NOW).name == "DC Jo Bloggs"


def test_an_invite_refuses_a_blank_or_overlong_name(users, db):
    for name in (" ", "x" * 101):
        with pytest.raises(InputRefused):
            users.create_invite("investigator", "North", NOW, name=name)
    assert users.unused_invites(NOW) == []


def test_renaming_someone_changes_the_name_their_records_show(users, db):
    user = users.redeem_invite(
        users.create_invite("investigator", "North", NOW), telegram(1001), "Jo", NOW
    )

    renamed = users.rename(user.id, " DC  Jo Bloggs ")

    assert renamed == replace(user, name="DC Jo Bloggs")
    assert users.get(user.id) == renamed
    assert users.names()[user.id] == "DC Jo Bloggs"
    with pytest.raises(InputRefused):
        users.rename(user.id, "  ")
    users.revoke(user.id, NOW)
    with pytest.raises(NotFound):
        users.rename(user.id, "Someone")


def test_unused_invites_say_role_team_name_and_expiry_but_never_the_code(users, db):
    used = users.create_invite("investigator", "North", NOW)
    users.redeem_invite(used, telegram(1001), "Jo", NOW)
    users.create_invite("supervisor", "North", NOW, ttl=timedelta(hours=1))
    users.create_invite("trainer", "Training", NOW, ttl=timedelta(days=3), name="Tess Trainer")
    users.create_invite("investigator", "South", NOW, ttl=timedelta(days=2))

    waiting = users.unused_invites(NOW + timedelta(hours=2))

    assert [(i.role, i.team, i.name) for i in waiting] == [
        ("investigator", "South", None),
        ("trainer", "Training", "Tess Trainer"),
    ]  # soonest to expire first; the used and the expired are not listed
    assert waiting[0].expires_at == NOW + timedelta(days=2)
    assert waiting[1].created_at == NOW
    assert not hasattr(waiting[0], "code")
