"""Forged buttons across people, cases, teams and roles, and strangers at the door (issue #8).

Two teams each have two investigators (one in training), a supervisor and a trainer. They work
through the dialogue as they would on their phones: a report waiting for a reason, reviews
submitted, returned and challenged, a trainee's answer waiting for a countersignature, a case in
handover, a checklist with a newer version to move to. Every button each person was shown is
then pressed by everyone else. Strangers, group chats and a revoked officer come in through the
Telegram face, built from real `Update` objects.
"""

from __future__ import annotations

import copy as copy_module
import itertools
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from telegram import Update

from bot.adapters.telegram.delivery import Delivery
from bot.adapters.telegram.handlers import TelegramFace
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply
from bot.conversation.said import buttons_of
from bot.core.consultation import ENROL_TRIES_PER_FORCE, ENROL_WINDOW, TOO_MANY_TRIES
from bot.core.people import User
from bot.store.access_log import AccessLog
from bot.store.db import connect
from bot.store.users import INVITE_REFUSED, UserRepository
from bot.wording import texts

from ..apps import (
    create_invite,
    find_user,
    make_app,
    redeem_invite,
    set_training,
    telegram_id_of,
)
from ..conftest import PLAYBOOKS_DIR
from .test_abuse_inputs import (
    LIBRARY,
    NOW,
    actions,
    check_replies,
    examples,
    hidden_refs,
    pressed,
    snapshot,
    typed,
)

#: Buttons only a supervisor's work shows, and those only the case's officer may use.
SUPERVISORS_ONLY = frozenset({"so", "rt", "ch", "ci", "cn"})
OFFICERS_ONLY = frozenset({"cr", "mv", "mva"})
#: Buttons that name no case, run or handover: they act on the presser's own conversation (or,
#: for an export, on the presser's own teams).
UNNAMED = frozenset({"pb", "ms", "msd", "ex"})
NO_ONE_ELSE = "Add the CCTV action to the plan"
MISSING = "999999"
#: The officer's checklist the force's runs are made of: short, and all yes, no or a choice.
WORK = "early-advice-and-charge"
SHIPPED_WORK = (PLAYBOOKS_DIR / f"{WORK}.yaml").read_text(encoding="utf-8")
#: The shipped checklist, one version on, with one question reworded.
NEXT_VERSION = int(re.search(r"^version: (\d+)$", SHIPPED_WORK, re.MULTILINE).group(1)) + 1
V2 = SHIPPED_WORK.replace(f"version: {NEXT_VERSION - 1}", f"version: {NEXT_VERSION}", 1).replace(
    "Early investigative advice (EIA) sought from the CPS?",
    "Early investigative advice (EIA) asked of the CPS?",
    1,
)


# --- a force of two teams, at work ----------------------------------------------------------


@dataclass
class Person:
    """Someone at work, and what their screens showed them."""

    user: User
    #: Every action this person was shown, on a reply or a notice.
    seen: list[str] = field(default_factory=list)


class Force:
    """Two teams on one real database, working through the dialogue and keeping their screens."""

    def __init__(self, folder: Path, people: dict[str, Person] | None = None) -> None:
        self.service = make_app(
            connect(folder / "state" / "soteria.db"),
            LIBRARY,
            clock=lambda: NOW,
            playbooks_dir=PLAYBOOKS_DIR,
        )
        self.dialogue = Dialogue(self.service, folder / "reports")
        self.face = TelegramFace(self.dialogue, Delivery(self.dialogue))
        self.people: dict[str, Person] = people or {}
        self.telegram_ids = itertools.count(700_001)

    @property
    def db(self) -> Any:
        return self.service.uow.db

    def enrol(self, name: str, role: str, team: str) -> User:
        code = create_invite(self.db, role, team, NOW)
        user = redeem_invite(self.db, code, next(self.telegram_ids), name, NOW)
        self.people[name] = Person(user)
        return user

    def say(self, name: str, text: str) -> list[Reply]:
        replies = self.dialogue.handle(self.people[name].user, text)
        self.people[name].seen += actions(replies)
        return replies

    def tap(self, name: str, action: str) -> list[Reply]:
        replies = self.dialogue.press(self.people[name].user, action)
        self.people[name].seen += actions(replies)
        return replies

    def look(self, name: str, text: str) -> list[Reply]:
        """Send a command that may ask why first (a case's view); if it asks, say why."""
        replies = self.say(name, text)
        purpose = next((a for a in actions(replies) if a.startswith(("vc:", "ex:"))), None)
        return replies if purpose is None else self.tap(name, purpose)

    def read_notices(self, name: str) -> None:
        ready = self.service.uow.notices.ready(NOW + timedelta(days=30), timedelta(0))
        for notice in ready:
            if notice.user_id == self.people[name].user.id:
                self.people[name].seen += [option.action for option in buttons_of(notice)]

    def run_of(self, ref: str, playbook: str) -> int:
        return self.db.execute(
            "select runs.id from runs join cases on cases.id = runs.case_id"
            " join playbook_versions v on v.id = runs.playbook_version_id"
            " where cases.ref = ? and v.playbook_id = ? order by runs.id desc",
            [ref, playbook],
        ).fetchone()[0]

    def open(self, name: str, ref: str, playbook: str) -> list[Reply]:
        self.say(name, "/new")
        menu = self.say(name, ref)
        return self.tap(name, next(a for a in actions(menu) if a == f"pb:{playbook}"))

    def answer_all(self, name: str, replies: list[Reply], submit: bool = False) -> list[Reply]:
        """Tap through a checklist as an officer would: yes, the first choice, today, a reason."""
        for _ in range(300):
            asking = [reply for reply in replies if reply.asks]
            if not asking:
                break
            first: dict[str, str] = {}
            for action in actions(asking[-1:]):
                first.setdefault(action.split(":")[0], action)
            if "r" in first:
                replies = self.tap(name, first["r"])
            elif "a" in first:
                replies = self.tap(name, first["a"])
            elif "t" in first:
                replies = self.tap(name, first["t"])
            elif "m" in first:
                self.tap(name, first["m"])
                replies = self.tap(name, first["md"])
            else:
                replies = self.say(name, "Noted on the file")
        if submit:
            replies = self.tap(name, next(a for a in actions(replies) if a.startswith("s:")))
        return replies

    def at_work(self, team: str, serial: int) -> None:
        """One team's people and the work that puts every kind of button on their screens."""
        officer, trainee = f"{team} Officer", f"{team} Trainee"
        sergeant, trainer = f"{team} Sergeant", f"{team} Trainer"
        self.enrol(officer, "investigator", team)
        self.enrol(trainee, "investigator", team)
        set_training(self.db, self.people[trainee].user.id, True)
        self.people[trainee].user = find_user(self.db, user_id=self.people[trainee].user.id)
        self.enrol(sergeant, "supervisor", team)
        self.enrol(trainer, "trainer", team)
        ref = [f"43/{serial}000{n}/26" for n in range(10)]
        # An initial report waiting for the reason for a no; the officer's menus.
        first = self.open(officer, ref[1], "initial-report")
        self.tap(officer, actions(first)[1])  # No
        for command in ("/summary", "/cases", "/milestone"):
            self.say(officer, command)
        self.tap(officer, "ms:0")
        self.say(officer, "/cancel")
        # Early advice: one submitted, one returned with a note, one under way on version 1.
        self.answer_all(officer, self.open(officer, ref[2], WORK), submit=True)
        self.answer_all(officer, self.open(officer, ref[3], WORK), submit=True)
        self.tap(officer, actions(self.open(officer, ref[4], WORK))[0])
        self.say(sergeant, "/return")
        self.tap(sergeant, f"rt:{self.run_of(ref[3], WORK)}")
        self.say(sergeant, "Add the CCTV action")
        # The trainee: a submitted checklist with an open challenge, and a plan in handover.
        self.answer_all(trainee, self.open(trainee, ref[5], WORK), submit=True)
        challenged = self.run_of(ref[5], WORK)
        self.look(sergeant, f"/case {ref[5]}")
        self.tap(sergeant, f"ch:{challenged}")
        self.tap(sergeant, f"ci:{challenged}:0")
        self.say(sergeant, "Where is the plan filed?")
        self.read_notices(trainee)
        self.tap(trainee, f"cr:{challenged}:0")
        self.say(trainee, "/cancel")
        self.answer_all(trainee, self.open(trainee, ref[6], "investigation-plan"))
        # Its yes to a records request opened the requests checklist, whose gates a supervisor
        # countersigns for a trainee.
        self.answer_all(trainee, self.open(trainee, ref[6], "victim-records-requests"))
        self.answer_all(officer, self.open(officer, ref[7], "initial-report"))
        menu = self.say(sergeant, f"/handover {ref[6]}")
        self.tap(sergeant, actions(menu)[0])  # to the officer
        # What the sergeant sees of it all, and the trainer's commands.
        for command in (
            "/team", "/signoff", "/return", "/export", *(f"/case {r}" for r in ref[1:7])
        ):  # fmt: skip
            shown = self.look(sergeant, command)
            # A long case is paged: every page, with the buttons of the runs on it.
            while more := [
                o.action for r in shown if r.options for o in r.options[-1] if o.label == "More ›"
            ]:
                shown = self.tap(sergeant, more[0])
        self.tap(sergeant, f"ch:{challenged}")
        self.say(sergeant, "/cancel")
        for command in ("/playbooks", "/insights", "/cases"):
            self.say(trainer, command)

    def move_offers(self, team: str, serial: int) -> None:
        """After a new version is published, the officer is offered the move."""
        officer = f"{team} Officer"
        self.tap(officer, f"go:{self.run_of(f'43/{serial}0004/26', WORK)}")
        self.say(officer, "/cancel")
        for name in self.people:
            if name.startswith(team):
                self.read_notices(name)

    def target_case(self, action: str) -> dict[str, Any] | None:
        """The case a button names (by its case, run or handover id), if any."""
        parts = action.split(":")
        kind, number = parts[0], int(parts[1])
        if kind in ("cs", "cp", "hto", "vc"):
            sql = "select * from cases where id = ?"
        elif kind == "ho":
            sql = "select cases.* from handovers join cases on cases.id = case_id where handovers.id = ?"
        else:
            sql = "select cases.* from runs join cases on cases.id = case_id where runs.id = ?"
        return next(self.db.query(sql, [number]), None)


@pytest.fixture(name="template", scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Force:
    """The two teams at work, built once: each test then works on a copy of its database."""
    force = Force(tmp_path_factory.mktemp("force"))
    force.at_work("North", 1)
    force.at_work("South", 2)
    trainer = force.people["North Trainer"].user
    published = force.dialogue.upload(trainer, f"{WORK}.yaml", V2.encode("utf-8"))
    assert published[0].text.startswith(f"Published {WORK} version {NEXT_VERSION}"), published
    force.move_offers("North", 1)
    force.move_offers("South", 2)
    return force


@pytest.fixture(name="force")
def _force(template: Force, tmp_path: Path) -> Force:
    """A database of its own for each test, copied with SQLite's online backup."""
    target = tmp_path / "state" / "soteria.db"
    target.parent.mkdir(parents=True)
    copy = sqlite3.connect(target)
    template.db.conn.backup(copy)
    copy.close()
    return Force(tmp_path, copy_module.deepcopy(template.people))


def may_reach(presser: User, case: dict[str, Any]) -> bool:
    if presser.role == "supervisor":
        return case["team"] in presser.teams
    return case["officer_id"] == presser.id


def others_only(user: User) -> frozenset[str]:
    """The buttons of a role this person does not have."""
    return SUPERVISORS_ONLY if user.role == "investigator" else OFFICERS_ONLY


def handover_to(force: Force, action: str) -> int | None:
    found = force.db.execute("select to_officer from handovers where id = ?", [int(action[3:])])
    row = found.fetchone()
    return row[0] if row else None


def presses(force: Force) -> Iterable[tuple[User, str, str]]:
    """Every (presser, action, what should happen) across people: forged, of the wrong role, or
    not tied to a case. Presses the presser is entitled to make are left out."""
    everyone = {name: person.user for name, person in force.people.items()}
    for owner, person in force.people.items():
        for action in dict.fromkeys(person.seen):
            kind = action.split(":")[0]
            for name, presser in everyone.items():
                if name == owner:
                    continue
                if kind in UNNAMED:
                    yield presser, action, "unnamed"
                    continue
                case = force.target_case(action)
                assert case is not None, action
                if kind == "ho":
                    if handover_to(force, action) != presser.id:
                        yield presser, action, "forged"
                elif not may_reach(presser, case):
                    yield presser, action, "forged"
                elif kind in others_only(presser):
                    yield presser, action, "wrong role"


def missing(action: str) -> str:
    """The same button naming a case, run or handover that does not exist."""
    parts = action.split(":")
    return ":".join([parts[0], MISSING, *parts[2:]])


def texts_of(replies: list[Reply]) -> list[str]:
    return [reply.text for reply in replies]


def press_cleanly(force: Force, user: User, action: str) -> list[Reply]:
    force.dialogue.handle(user, "/cancel")
    return force.dialogue.press(user, action)


# --- forged buttons ---------------------------------------------------------------------------


def test_everyone_was_shown_every_kind_of_button(force: Force) -> None:
    """The work above puts every kind of button on someone's screen, so none goes untried."""
    shown = {action.split(":")[0] for p in force.people.values() for action in p.seen}
    assert shown >= {
        "pb", "ms", "msd", "go", "s", "b", "rv", "g", "l", "a", "t", "m", "md", "r", "mv", "st",
        "cs", "vc", "ex", "so", "rt", "ch", "ci", "cn", "cr", "ho", "hto",
    }  # fmt: skip
    kinds = {what for _user, _action, what in presses(force)}
    assert kinds == {"forged", "wrong role", "unnamed"}


def test_a_forged_button_changes_nothing_and_tells_no_one(force: Force) -> None:
    """A button pressed by anyone it was not shown to records nothing and queues no notice."""
    problems = []
    before = snapshot(force.db)
    tried = 0
    for user, action, what in presses(force):
        replies = press_cleanly(force, user, action)
        check_replies(replies)
        tried += 1
        if snapshot(force.db) != before:
            problems.append(f"{user.name} pressed {action} ({what}) and it changed the database")
            before = snapshot(force.db)
    assert tried > 1000
    assert not problems, "\n".join(problems[:20])


def test_a_forged_button_gets_the_sentence_a_missing_one_gets_and_names_no_case(
    force: Force,
) -> None:
    """Need to know: someone else's case is "not found", exactly as a case that does not exist."""
    problems: dict[str, list[str]] = {}
    for user, action, what in presses(force):
        if what != "forged":
            continue
        hidden = hidden_refs(force.db, user)
        said = texts_of(press_cleanly(force, user, action))
        unknown = texts_of(press_cleanly(force, user, missing(action)))
        named = sorted(ref for ref in hidden if any(ref in text for text in said))
        if named or said != unknown:
            problems.setdefault(action.split(":")[0], []).append(
                f"{user.name} pressed {action}: {said[0]!r}; for a missing one: {unknown[0]!r}"
            )
    # A trainer sees no case at all, so their presses make the plainest examples.
    assert not problems, "\n".join(
        f"{kind} ({len(found)} presses), e.g. {min(found, key=lambda f: 'Trainer' not in f)}"
        for kind, found in sorted(problems.items())
    )


def test_a_button_of_another_role_is_refused_and_what_is_typed_next_changes_nothing(
    force: Force,
) -> None:
    """An officer pressing a sergeant's button (or the reverse) records nothing, then or after."""
    before = snapshot(force.db)
    for user, action, what in presses(force):
        if what != "wrong role":
            continue
        replies = press_cleanly(force, user, action)
        check_replies(replies)
        if any("Type" in reply.text for reply in replies):
            check_replies(force.dialogue.handle(user, NO_ONE_ELSE))
        assert snapshot(force.db) == before, f"{user.name} pressed {action}"


def test_a_button_of_another_role_leads_nowhere(force: Force) -> None:
    """An officer pressing a sergeant's button (or the reverse) is not shown the other's menu or
    asked to type the other's note: they are told at once that it is not theirs."""
    problems: dict[str, str] = {}
    for user, action, what in presses(force):
        if what != "wrong role":
            continue
        replies = press_cleanly(force, user, action)
        offered = {a.split(":")[0] for a in actions(replies)} & others_only(user)
        if offered or any("Type" in reply.text for reply in replies):
            problems.setdefault(f"{user.role} pressed {action.split(':')[0]}", replies[0].text)
    assert not problems, "\n".join(f"{who}: {said!r}" for who, said in sorted(problems.items()))


def test_a_sergeant_cannot_sign_off_or_return_another_team_s_work(force: Force) -> None:
    """South's sergeant pressing North's Sign off or Return is refused and North hears nothing."""
    north = force.people["North Sergeant"].seen
    south = force.people["South Sergeant"].user
    reviews = sorted({a for a in north if a.split(":")[0] in ("so", "rt", "ch", "ci", "cn")})
    assert {a.split(":")[0] for a in reviews} == {"so", "rt", "ch", "ci", "cn"}
    before = snapshot(force.db)
    for action in reviews:
        replies = press_cleanly(force, south, action)
        assert replies[0].text == "That checklist is not one of yours.", action
        check_replies(force.dialogue.handle(south, NO_ONE_ELSE))
        assert snapshot(force.db) == before, action


# --- through the Telegram face ----------------------------------------------------------------

PRIVATE = "private"
GROUP = {"id": -100_222_333, "type": "supergroup", "title": "RASSO North"}
update_ids = itertools.count(1)


def sender(telegram_id: int, first: str = "Alex", last: str | None = None) -> dict[str, Any]:
    found = {"id": telegram_id, "is_bot": False, "first_name": first}
    if last:
        found["last_name"] = last
    return found


def chat_of(who: dict[str, Any], where: str | dict[str, Any]) -> dict[str, Any]:
    if where == PRIVATE:
        return {"id": who["id"], "type": "private", "first_name": who["first_name"]}
    return dict(where)  # type: ignore[arg-type]


def message(who: dict[str, Any], text: str | None, where: str | dict = PRIVATE) -> Update:
    body: dict[str, Any] = {
        "message_id": 10,
        "date": 1_795_000_000,
        "chat": chat_of(who, where),
        "from": who,
    }
    if text is not None:
        body["text"] = text
    return Update.de_json({"update_id": next(update_ids), "message": body}, None)


def tap(who: dict[str, Any], data: str, where: str | dict = PRIVATE) -> Update:
    shown = {
        "message_id": 9,
        "date": 1_795_000_000,
        "chat": chat_of(who, where),
        "from": {"id": 1, "is_bot": True, "first_name": "Soteria"},
        "text": "43/11111/26 · Initial report · 0/12\nSafeguarding and risk assessment completed?",
    }
    query = {"id": "1", "from": who, "chat_instance": "7", "data": data, "message": shown}
    return Update.de_json({"update_id": next(update_ids), "callback_query": query}, None)


def understood(force: Force, update: Update) -> list[Reply]:
    return force.face.understand(update).replies


def test_a_revoked_officer_gets_nothing_from_any_button_or_command(force: Force) -> None:
    """Once revoked, an officer's old buttons, everyone's buttons and every command do nothing."""
    officer = force.people["North Officer"].user
    UserRepository(force.db).revoke(officer.id, NOW)
    who = sender(telegram_id_of(force.db, officer) or 0)
    before = snapshot(force.db)
    every = {a for person in force.people.values() for a in person.seen}
    for action in sorted(every):
        assert understood(force, tap(who, action)) == [], action
    for text in ("/cases", "/resume", "/new", "43/55555/26", "/case 43/11111/26", "/start"):
        assert understood(force, message(who, text)) == [Reply(texts.NOT_ENROLLED)], text
    assert snapshot(force.db) == before


strangers = st.integers(1, 2**52).filter(lambda number: not 700_001 <= number < 700_100)
names = st.text(st.characters(categories=["L", "N", "P", "S"]), min_size=1, max_size=40)
# A message of only spaces has its own test below.
words = typed.filter(lambda text: bool(text.split()))
callback_data = st.one_of(st.text(max_size=64), pressed.filter(lambda p: isinstance(p, str)))


@examples(60)
@given(
    telegram_id=strangers,
    first=names,
    text=st.one_of(words, st.builds("/start {}".format, words), st.none()),
    data=st.one_of(st.none(), callback_data),
)
@example(telegram_id=9, first="Alex", text="/start 7K3M9QXW2P", data=None)
@example(telegram_id=9, first="Alex", text=None, data="cs:1")
def test_a_stranger_learns_nothing_whatever_they_send(
    force: Force, telegram_id: int, first: str, text: str | None, data: str | None
) -> None:
    """Someone not enrolled gets one fixed sentence for a message, nothing for a button."""
    who = sender(telegram_id, first)
    before = snapshot(force.db)
    if data is not None:
        assert understood(force, tap(who, data)) == []
    else:
        replies = understood(force, message(who, text))
        parts = (text or "").split()
        if parts[:1] == ["/start"] and len(parts) > 1:
            assert replies == [Reply(INVITE_REFUSED)]
        else:
            assert replies == [Reply(texts.NOT_ENROLLED)]
    assert snapshot(force.db) == before


@examples(60)
@given(
    member=st.sampled_from(["North Officer", "South Sergeant", "North Trainer", None]),
    text=st.one_of(typed, st.just("/start {code}"), st.none()),
    data=st.one_of(st.none(), callback_data),
)
@example(member="North Officer", text="/cases", data=None)
@example(member="North Sergeant", text=None, data="so:1")
def test_a_group_chat_gets_one_sentence_and_nothing_changes(
    force: Force, member: str | None, text: str | None, data: str | None
) -> None:
    """In a group, even an enrolled officer gets "private chats only", and nothing is recorded."""
    user = force.people[member].user if member else None
    who = sender((user and telegram_id_of(force.db, user)) or 424_242)
    if text == "/start {code}":
        text = "/start " + create_invite(force.db, "investigator", "North", NOW)
    before = snapshot(force.db)
    if data is not None:
        assert understood(force, tap(who, data, GROUP)) == []
    else:
        assert understood(force, message(who, text, GROUP)) == [Reply(texts.PRIVATE_ONLY)]
    assert snapshot(force.db) == before


@pytest.fixture(name="spent_codes")
def _spent_codes(force: Force) -> list[str]:
    """Codes that once worked: used, expired, and one of a since revoked officer."""
    used = create_invite(force.db, "investigator", "North", NOW)
    redeem_invite(force.db, used, 800_001, "Used Code", NOW)
    expired = create_invite(force.db, "supervisor", "North", NOW - timedelta(days=8))
    revoked = create_invite(force.db, "trainer", "South", NOW)
    gone = redeem_invite(force.db, revoked, 800_002, "Gone Soon", NOW)
    UserRepository(force.db).revoke(gone.id, NOW)
    return [used, expired, revoked]


newcomers = itertools.count(900_001)


@examples(60)
@given(
    code=st.one_of(
        st.text(st.characters(categories=["L", "N", "P"]), min_size=1, max_size=30),
        st.from_regex(r"[23456789A-HJKMNP-Z]{10}", fullmatch=True),
        st.integers(0, 2).map(str),
    ),
    shape=st.sampled_from(["{}", "{} ", " {}", "{}-x", "{} extra words"]),
)
def test_start_with_a_wrong_code_gets_the_same_sentence_and_enrols_no_one(
    force: Force, spent_codes: list[str], code: str, shape: str
) -> None:
    """A code that is unknown, used, expired or a revoked officer's gets one sentence; once the
    force has seen too many refused, every code gets another one, whatever it is."""
    if code in ("0", "1", "2"):
        code = spent_codes[int(code)]
    who = sender(next(newcomers), "Casey", "Newcomer")
    held = AccessLog(force.db).refused_enrolments(NOW - ENROL_WINDOW) >= ENROL_TRIES_PER_FORCE
    before = snapshot(force.db)
    replies = understood(force, message(who, "/start " + shape.format(code)))
    assert replies == [Reply(TOO_MANY_TRIES if held else INVITE_REFUSED)]
    assert snapshot(force.db) == before


whitespace = st.text(
    st.sampled_from(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2007\u2028\u202f\u3000"),
    min_size=1,
    max_size=5,
)


@examples(60)
@given(spaces=whitespace, member=st.sampled_from(["North Officer", "South Sergeant", None]))
@example(spaces="\u3000", member=None)
@example(spaces="\xa0", member="North Officer")
def test_a_message_of_only_spaces_gets_a_sentence(
    force: Force, spaces: str, member: str | None
) -> None:
    """A message that is all spaces (Telegram passes some, such as U+3000) gets a plain reply."""
    user = force.people[member].user if member else None
    who = sender((user and telegram_id_of(force.db, user)) or 123_456)
    before = snapshot(force.db)
    check_replies(understood(force, message(who, spaces)))
    assert snapshot(force.db) == before


newcomer_ids = itertools.count(950_001)
letters = st.characters(categories=["L", "N"])


@examples(25)
@given(first=st.text(letters, min_size=1, max_size=64), last=st.text(letters, max_size=64))
@example(first="Alexandra" * 7, last="Montgomery-Fitzwilliam" * 2)
def test_a_newcomer_with_a_long_telegram_name_can_still_enrol(
    force: Force, first: str, last: str
) -> None:
    """Telegram allows 64 + 64 characters of name; a valid code enrols whoever holds it."""
    code = create_invite(force.db, "investigator", "North", NOW)
    who = sender(next(newcomer_ids), first[:64], last[:64] or None)
    replies = understood(force, message(who, f"/start {code}"))
    assert replies[0].text.startswith("Welcome, "), replies[0].text
    assert find_user(force.db, telegram_id=who["id"]) is not None


@examples(60)
@given(
    text=st.one_of(words, st.none()),
    data=st.one_of(callback_data, st.integers(0, 10**4)),
)
@example(text=None, data="a:1:0:0")
def test_an_officer_s_anything_through_telegram_gets_a_reply_and_no_error(
    force: Force, text: str | None, data: str | int
) -> None:
    """Whatever an enrolled officer sends or presses, the face answers with plain sentences."""
    officer = force.people["North Officer"]
    who = sender(telegram_id_of(force.db, officer.user) or 0)
    if isinstance(data, int):
        data = officer.seen[data % len(officer.seen)]
    update = message(who, text) if text is not None else tap(who, data)
    check_replies(understood(force, update))
