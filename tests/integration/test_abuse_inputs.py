"""Bad input on every path of the dialogue (issue #8): whatever is typed or pressed gets a short
sentence, and a refusal changes nothing in the database.

Each test works on one real SQLite file and the shipped playbooks. A "spot" is a place in a
conversation (no case open, a crime reference awaited, a question of each type, a reason, a
milestone date, a supervisor's note, a trainer's commands); before each example the spot is
restored with a few cheap calls, and the database is compared before and after the input.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from bot.conversation.actions import KINDS as ACTIONS
from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Reply, screened
from bot.core.errors import InputRefused
from bot.core.people import User
from bot.core.typed_input import parse_date, parse_number
from bot.services import access, cases, investigating, people, supervising
from bot.store import log
from bot.store.db import connect
from bot.store.playbook_files import Library, load_library

from ..apps import enrol, make_app
from ..conftest import PLAYBOOKS_DIR
from .test_html_report import plain_answer

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday
LIBRARY = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
#: Telegram's limits: characters in a message, bytes of callback data.
LONGEST_REPLY = 4096
LONGEST_ACTION = 64
#: What a reply must never show: a traceback, or a Python object as the code spells it.
INTERNALS = ("Traceback", "<bot.", "Error(", " object at 0x", "NoneType", "sqlite3.")
BUTTONS_PLEASE = "Please tap a button above, or type its word: yes, no, n/a or later."
#: Words that press a question's button when typed (yes, no, n/a, later, its options...).
BUTTON_WORDS = {"yes", "no", "n/a", "na", "y", "n", "not applicable", "later"}
NOTHING_OPEN = "Use /new to open a case, or /resume to carry on. /help lists everything."
NOT_A_BUTTON = "That button is no longer valid."
STRANGER_REF = "43/99999/26"

# --- the database, before and after ----------------------------------------------------------


def snapshot(db: sqlite_utils.Database) -> dict[str, Any]:
    """Everything an input could change, cheaply: the log's head, not the whole log."""

    def rows(sql: str) -> tuple[tuple[Any, ...], ...]:
        return tuple(tuple(row) for row in db.execute(sql).fetchall())

    return {
        "log": rows("select seq, hash from log_head"),
        "runs": rows("select id, case_id, playbook_version_id, state from runs order by id"),
        "cursors": rows("select id, current_item from runs order by id"),
        "cases": rows("select id, ref, team, officer_id, closed_at from cases order by id"),
        "events": rows("select case_id, name, occurrence, date from case_events order by 1, 2, 3"),
        "notices": rows(
            "select id, user_id, kind, text, buttons, params from notices order by id"
        ),
        "handovers": rows("select * from handovers order by id"),
        "users": rows("select * from users order by id"),
        "invites": rows("select * from invites order by id"),
        "versions": rows("select id, playbook_id, version from playbook_versions order by id"),
        "links": rows("select * from case_links order by case_id"),
        "oversees": rows("select * from supervised_teams order by user_id, team"),
        "inbox": rows("select count(*) from inbox"),
        "identities": rows("select * from identities order by channel, external_id"),
    }


def but_cursors(state: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without the item each run shows (Back and Change move it, recording nothing)."""
    return {key: value for key, value in state.items() if key != "cursors"}


def new_records(db: sqlite_utils.Database, before: dict[str, Any]) -> list[log.Logged]:
    seq = before["log"][0][0]
    return [logged for logged in log.entries(db) if logged.seq > seq]


def visible_refs(db: sqlite_utils.Database, user: User) -> set[str]:
    """The crime references a person may see: their own cases, or their teams' as supervisor."""
    refs = set()
    for ref, team, officer in db.execute("select ref, team, officer_id from cases").fetchall():
        if officer == user.id or (user.role == "supervisor" and team in user.teams):
            refs.add(ref)
    return refs


def hidden_refs(db: sqlite_utils.Database, user: User) -> set[str]:
    everyone = {ref for (ref,) in db.execute("select ref from cases").fetchall()}
    return everyone - visible_refs(db, user)


def check_replies(replies: list[Reply], hidden: Iterable[str] = ()) -> None:
    """At least one reply; each a short, plain sentence that names no case kept from the user."""
    assert replies, "no reply at all"
    for reply in replies:
        shown = reply.text + "".join(o.label for row in reply.options for o in row)
        assert reply.text.strip(), f"an empty reply: {reply!r}"
        assert len(reply.text) <= LONGEST_REPLY, f"a reply of {len(reply.text)} characters"
        for inside in INTERNALS:
            assert inside not in shown, f"{inside!r} shown: {reply.text[:300]!r}"
        for ref in hidden:
            assert ref not in shown, f"{ref} named to someone who may not see it: {shown!r}"
        for row in reply.options:
            for option in row:
                assert option.label.strip()
                assert len(option.action.encode("utf-8")) <= LONGEST_ACTION, option.action


def actions(replies: Iterable[Reply]) -> list[str]:
    return [option.action for reply in replies for row in reply.options for option in row]


# --- a bench of people and runs ----------------------------------------------------------------


class Bench:
    """One real database, the service and dialogue over it, and helpers to put people in place."""

    def __init__(self, folder: Path, library: Library = LIBRARY) -> None:
        self.service = make_app(
            connect(folder / "state" / "soteria.db"),
            library,
            clock=lambda: NOW,
            playbooks_dir=PLAYBOOKS_DIR,
        )
        self.dialogue = Dialogue(self.service, folder / "reports")
        self.serials = itertools.count(10001)
        # Someone else's case in another team, for every reply to keep quiet about.
        stranger = self.person("Stranger", "investigator", "South")
        cases.open_case(self.service, stranger, STRANGER_REF)
        investigating.start_run(
            self.service, stranger, STRANGER_REF, library.playbooks[0].playbook.id
        )

    @property
    def db(self) -> sqlite_utils.Database:
        return self.service.uow.db

    def person(self, name: str, role: str, team: str = "North") -> User:
        return enrol(self.db, name, role, team, NOW)

    def open_run(self, user: User, playbook: str) -> int:
        ref = f"43/{next(self.serials)}/26"
        # A supervisor's checklist (the review) is on a case an officer of the team opened.
        opener = (
            user if user.role == "investigator" else self.person("Case Officer", "investigator")
        )
        cases.open_case(self.service, opener, ref)
        outcome = investigating.start_run(self.service, user, ref, playbook)
        assert outcome.run is not None
        return outcome.run.run_id

    def walk(
        self, user: User, run_id: int, until: str | None = None, choose: dict | None = None
    ) -> None:
        """Answer plainly until `until` is asked (or, without it, until nothing is left)."""
        for _ in range(300):
            run = access.run(self.service, user, run_id)
            item = run.current()
            if item is None or item.id == until:
                return
            if run.state == "awaiting_reason":
                investigating.give_reason(self.service, user, run_id, "Awaiting partner agency")
                continue
            value = (choose or {}).get(item.id, plain_answer(item, self.service.today()))
            investigating.answer(self.service, user, run_id, item.id, value)
        raise AssertionError(f"never reached {until}")

    def place(self, user: User, run_id: int, item_id: str, reason: bool = False) -> None:
        """Put a run back at one item (waiting for its reason, if asked), as cheaply as can be."""
        run = access.run(self.service, user, run_id)
        current = run.current()
        wanted = "awaiting_reason" if reason else "asking"
        if current is not None and current.id == item_id and run.state == wanted:
            return
        if run.state == "awaiting_reason":
            investigating.give_reason(self.service, user, run_id, "Awaiting partner agency")
        investigating.revisit(self.service, user, run_id, item_id)
        if reason:
            investigating.answer(self.service, user, run_id, item_id, "yes")
            investigating.answer(self.service, user, run_id, item_id, "no")

    def submitted(self, user: User) -> int:
        """An early-advice run of a new case, answered as far as it goes and submitted."""
        run_id = self.open_run(user, "early-advice-and-charge")
        self.walk(user, run_id)
        investigating.submit(self.service, user, run_id)
        return run_id


@dataclass
class Spot:
    """A place in a conversation, how to get back to it, and how typed text is read there."""

    user: User
    arrive: Callable[[], list[Reply]]
    #: How typed text is read here (raising InputRefused); None when it is never kept.
    reads: Callable[[str], object] | None = None
    #: What typed text gets where it is never kept.
    says: str = NOTHING_OPEN
    #: Actions this person saw on their screens while getting here.
    seen: list[str] = field(default_factory=list)


def idle(bench: Bench) -> Spot:
    user = bench.person("New Officer", "investigator")
    return Spot(user, lambda: bench.dialogue.handle(user, "/cancel"))


def crime_reference(bench: Bench) -> Spot:
    user = bench.person("Opening Officer", "investigator")

    def arrive() -> list[Reply]:
        bench.dialogue.handle(user, "/cancel")
        return bench.dialogue.handle(user, "/new")

    arrive()
    seen = actions(bench.dialogue.handle(user, "43/12345/26"))
    return Spot(
        user, arrive, reads=lambda typed: access.case_key_of(bench.service, typed), seen=seen
    )


def question(
    playbook: str,
    item_id: str,
    choose: dict | None = None,
    reason: bool = False,
    role: str = "investigator",
) -> Callable[[Bench], Spot]:
    """A spot at one question of a shipped playbook (or at its reason, after a no)."""

    def make(bench: Bench) -> Spot:
        user = bench.person(f"Officer at {item_id}", role)
        run_id = bench.open_run(user, playbook)
        bench.walk(user, run_id, until=item_id, choose=choose)
        item = access.run(bench.service, user, run_id).playbook.item(item_id)

        def arrive() -> list[Reply]:
            bench.place(user, run_id, item_id, reason)
            bench.dialogue.handle(user, "/cancel")
            return bench.dialogue.press(user, f"go:{run_id}")

        seen = actions(arrive())
        seen += actions(bench.dialogue.handle(user, "/summary"))
        seen += actions(bench.dialogue.handle(user, "/cases"))
        today = bench.service.today()
        reads: Callable[[str], object] | None = None
        if reason or item.type == "text":
            reads = screened
        elif item.type == "date":
            reads = partial(parse_date, today=today, allowed=item.dates)
        elif item.type == "number":
            reads = partial(parse_number, minimum=item.min, maximum=item.max)
        return Spot(user, arrive, reads, BUTTONS_PLEASE, seen)

    return make


def milestone_date(bench: Bench) -> Spot:
    user = bench.person("Officer Marsh", "investigator")
    run_id = bench.open_run(user, "initial-report")
    names = list(bench.service.catalog.library.milestones)
    arrest = bench.service.catalog.library.milestones["arrest"]

    ref = access.run(bench.service, user, run_id).case_ref

    def arrive() -> list[Reply]:
        bench.dialogue.handle(user, "/cancel")
        screens = bench.dialogue.press(user, f"go:{run_id}")
        # By reference: an example may have opened another case with `/new REF`.
        screens += bench.dialogue.handle(user, f"/milestone {ref}")
        return screens + bench.dialogue.press(user, f"ms:{names.index('arrest')}")

    today = bench.service.today()
    return Spot(
        user,
        arrive,
        reads=partial(parse_date, today=today, allowed=arrest.dates),
        seen=actions(arrive()),
    )


@dataclass
class Review:
    """An officer's submitted run and their supervisor, kept in a state a spot can start from."""

    bench: Bench
    officer: User
    supervisor: User
    run_id: int = 0

    def __post_init__(self) -> None:
        self.run_id = self.bench.submitted(self.officer)

    def submitted(self, challenged: bool = False) -> int:
        """The run, submitted again if it was returned, or a new one once it is signed off."""
        service = self.bench.service
        run = access.run(service, self.officer, self.run_id)
        if run.state == "returned":
            investigating.resume(service, self.officer, self.run_id)
            self.bench.walk(self.officer, self.run_id)
            investigating.submit(service, self.officer, self.run_id)
        elif run.state != "submitted":
            self.run_id = self.bench.submitted(self.officer)
        run = access.run(service, self.officer, self.run_id)
        first = run.playbook.items[0].id
        is_open = bool(run.open_challenges())
        if is_open and not challenged:
            supervising.reply_to_challenge(
                service, self.officer, self.run_id, first, "On the crime system"
            )
        if challenged and not is_open:
            supervising.challenge(
                service, self.supervisor, self.run_id, first, "Where is it filed?"
            )
        return self.run_id

    def screens(self) -> list[str]:
        """What the supervisor sees of the team's work: the buttons of every list and case."""
        say = self.bench.dialogue.handle
        seen: list[str] = []
        for command in ("/team", "/signoff", "/return"):
            seen += actions(say(self.supervisor, command))
        ref = access.run(self.bench.service, self.officer, self.run_id).case_ref
        seen += actions(say(self.supervisor, f"/case {ref}"))
        seen += actions(say(self.supervisor, f"/handover {ref}"))
        say(self.supervisor, "/cancel")
        return seen


def review(bench: Bench) -> Review:
    officer = bench.person("Officer Reed", "investigator")
    bench.person("Officer Rowe", "investigator")
    return Review(bench, officer, bench.person("Sergeant Shaw", "supervisor"))


def return_note(bench: Bench) -> Spot:
    work = review(bench)

    def arrive() -> list[Reply]:
        run_id = work.submitted()
        bench.dialogue.handle(work.supervisor, "/cancel")
        return bench.dialogue.press(work.supervisor, f"rt:{run_id}")

    seen = work.screens() + actions(arrive())
    return Spot(work.supervisor, arrive, reads=screened, seen=seen)


def challenge_text(bench: Bench) -> Spot:
    work = review(bench)

    def arrive() -> list[Reply]:
        run_id = work.submitted()
        bench.dialogue.handle(work.supervisor, "/cancel")
        menu = bench.dialogue.press(work.supervisor, f"ch:{run_id}")
        return menu + bench.dialogue.press(work.supervisor, f"ci:{run_id}:0")

    seen = work.screens() + actions(arrive())
    return Spot(work.supervisor, arrive, reads=screened, seen=seen)


def challenge_reply(bench: Bench) -> Spot:
    work = review(bench)

    def arrive() -> list[Reply]:
        run_id = work.submitted(challenged=True)
        bench.dialogue.handle(work.officer, "/cancel")
        return bench.dialogue.press(work.officer, f"cr:{run_id}:0")

    arrive()
    notices = bench.db.execute("select buttons from notices where user_id = ?", [work.officer.id])
    seen = [action for (buttons,) in notices for _label, action in json.loads(buttons)]
    seen += actions(bench.dialogue.handle(work.officer, "/cases"))
    return Spot(work.officer, arrive, reads=screened, seen=seen)


def supervisor_commands(bench: Bench) -> Spot:
    work = review(bench)

    def arrive() -> list[Reply]:
        work.submitted()
        return bench.dialogue.handle(work.supervisor, "/cancel")

    return Spot(work.supervisor, arrive, seen=work.screens())


def trainer_commands(bench: Bench) -> Spot:
    user = bench.person("Trainer Tate", "trainer")
    return Spot(user, lambda: bench.dialogue.handle(user, "/cancel"))


TALLY = """\
playbook: tally
title: Tally of the file
version: 1
summary: A force's own playbook with a number item (no shipped playbook has one).
sections:
  - id: counts
    title: Counts
    items:
      - id: statements
        ask: How many witness statements are on file?
        type: number
        min: 0
        max: 500
"""


def number(bench: Bench) -> Spot:
    return question("tally", "statements")(bench)


SPOTS: dict[str, Callable[[Bench], Spot]] = {
    "no case open": idle,
    "crime reference awaited": crime_reference,
    "yes-no question": question("initial-report", "safeguarding-risk"),
    "yes-no-na question": question("bad-character", "other-forces"),
    "choice question": question("initial-report", "risk-level"),
    "multi question": question("initial-report", "contact-means"),
    "past date question": question("investigation-plan", "suspect-identified-date"),
    "any date question": question("initial-report", "interview-date"),
    "text question": question("supervisory-review", "supervisor-direction", role="supervisor"),
    "info item": question("nfa-and-review", "vrr-police-info", {"victim-withdrew": "no"}),
    "reason after a no": question("initial-report", "safeguarding-risk", reason=True),
    "milestone date": milestone_date,
    "return note": return_note,
    "challenge": challenge_text,
    "reply to a challenge": challenge_reply,
    "supervisor's commands": supervisor_commands,
    "trainer's commands": trainer_commands,
    "number question": number,
}


@pytest.fixture(name="spot", params=list(SPOTS))
def _spot(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Bench, Spot]:
    library = LIBRARY
    if request.param == "number question":
        folder = tmp_path / "playbooks"
        folder.mkdir()
        shutil.copy(PLAYBOOKS_DIR / "milestones.yaml", folder / "milestones.yaml")
        (folder / "tally.yaml").write_text(TALLY, encoding="utf-8")
        library = load_library([folder], folder)
    bench = Bench(tmp_path, library)
    return bench, SPOTS[request.param](bench)


# --- what people type -----------------------------------------------------------------------

COMMANDS = (
    "start", "help", "cancel", "new", "cases", "resume", "milestone", "summary", "team", "case",
    "signoff", "return", "handover", "export", "playbooks", "reload", "insights",
)  # fmt: skip
NASTY = (
    "", " ", "\x00", "\x00" * 50, "\u200f\u202e43/12345/26", "\u202e", "🙂", "👮🏽‍♀️" * 300,
    "\r\n\t", "\u2028\u2029", "\ufeff", "\U0010ffff", "x" * 10_000, "no", "yes", "Yes", "N/A",
    "victim Jane Smith", "07700 900123", "jane@example.com", "SW1A 1AA", "AB 12 34 56 C",
    "' OR 1=1 --", "'); DROP TABLE log; --", "<b>bold</b>", "&amp;", "{0}", "%s%s%s", "${x}",
    "\\", "null", "None", "undefined", "🙂/🙂/🙂",
)  # fmt: skip
DATES = (
    "31/02/2026", "29/02/2026", "29/02/2028", "30/2", "2026-13-01", "2026-00-10", "0/0", "00/00/0000",
    "today", "yesterday", "tomorrow", "TODAY", " yesterday. ", "Today!", "1/1/1900", "1/1/3000",
    "31/12/9999", "1/1/10000", "1/1/0", "0001-01-01", "9999-12-31", "3 Nov", "Nov 3", "3rd of November 2026",
    "31 sept", "3/11/26", "3.11.2026", "3-11", "3 / 11", "١/١١", "３/１１", "32/1", "1/13", "-1/-1",
    "19/11/2016", "21/11/2036", "20/11/2016", "20/11/2036",
)  # fmt: skip
NUMBERS = (
    "NaN", "nan", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e-400", "-0", "0x1F", "1,000,000",
    "1_000", "½", "٣", "3.", ".5", "+-3", "9" * 400, "1" + "0" * 29, "-" + "9" * 29, "500", "501",
    "499.999", "0.0000001", "-0.5", "1,2,3", "٣٤", "1 000",
)  # fmt: skip
unicode_text = st.text(max_size=60)
odd_characters = st.text(
    st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "So"]), max_size=30
)
long_text = st.builds(
    lambda piece, times: piece * times, st.text(min_size=1, max_size=4), st.integers(300, 2600)
)
date_like = st.one_of(
    st.sampled_from(DATES),
    st.builds("{}/{}/{}".format, st.integers(-3, 40), st.integers(-2, 15), st.integers(-1, 10**6)),
    st.builds("{}/{}".format, st.integers(0, 40), st.integers(0, 14)),
    st.builds(
        "{:04d}-{:02d}-{:02d}".format,
        st.integers(0, 99999),
        st.integers(0, 14),
        st.integers(0, 40),
    ),
    st.dates().map(lambda day: f"{day.day}/{day.month}/{day.year}"),
    st.dates().map(lambda day: f"{day.day} {day:%B} {day.year}"),
)
number_like = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers(-(10**40), 10**40).map(str),
    st.floats().map(str),
    st.floats().map(repr),
)
reference_like = st.one_of(
    st.sampled_from(["43/12345/26", "43 / 12345 / 26", "43/12345/26 John", STRANGER_REF]),
    st.from_regex(r"[A-Za-z0-9]{1,4}[/ -]{1,2}[0-9]{3,6}[/-][0-9]{2}", fullmatch=True),
)
command_like = st.one_of(
    st.builds(
        "/{} {}".format,
        st.sampled_from(COMMANDS),
        st.one_of(unicode_text, date_like, reference_like, number_like, st.sampled_from(NASTY)),
    ),
    st.builds(
        "/{}{}".format,
        st.sampled_from(COMMANDS),
        st.sampled_from(["", "@soteria_bot", "@other_bot", "@", "x", "\u200f", "\n43/12345/26"]),
    ),
    st.sampled_from(COMMANDS).map(lambda name: "/" + name.upper()),
    unicode_text.map(lambda text: "/" + text),
)
typed = st.one_of(
    unicode_text,
    odd_characters,
    long_text,
    date_like,
    number_like,
    reference_like,
    command_like,
    st.sampled_from(NASTY),
)

# --- what people press ----------------------------------------------------------------------

# Closing a case is final, and ends every spot on it: closing has tests of its own.
KINDS = sorted(kind for kind in ACTIONS if kind != "cc")
# Numbers past SQLite's 64 bits have a test of their own, below.
part = st.one_of(
    st.integers(-3, 40).map(str),
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.sampled_from(["", " 1", "1 ", "1_0", "٣", "١", "today", "yesterday", "x", "0x1", "1e3"]),
    st.sampled_from(["-0", "+1", "\x00", "1.0", "None", "NaN", "🙂"]),
    st.text(max_size=6),
)
shaped = st.builds(
    lambda kind, parts: ":".join([kind, *parts]),
    st.one_of(st.sampled_from(KINDS), st.text(max_size=4)),
    st.lists(part, max_size=5),
)


@dataclass(frozen=True)
class Mutated:
    """A change to an action seen on screen: another id, a cut, a field more, another kind."""

    pick: int
    how: str
    index: int
    value: str

    def of(self, seen: list[str]) -> str:
        if not seen:
            return self.value
        action = seen[self.pick % len(seen)]
        parts = action.split(":")
        if self.how == "part":
            parts[self.index % len(parts)] = self.value
        elif self.how == "kind":
            parts[0] = KINDS[self.index % len(KINDS)]
        elif self.how == "more":
            parts.append(self.value)
        elif self.how == "cut":
            return action[: self.index]
        elif self.how == "separator":
            return action.replace(":", self.value[:1] or ";")
        return ":".join(parts)


mutated = st.builds(
    Mutated,
    st.integers(0, 10**4),
    st.sampled_from(["same", "part", "part", "kind", "more", "cut", "separator"]),
    st.integers(0, 8),
    part,
)
pressed = st.one_of(mutated, mutated, shaped, st.text(max_size=80))

# --- the properties -----------------------------------------------------------------------------


def examples(count: int) -> settings:
    """Hypothesis settings for `count` examples on one database per test function."""
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@examples(60)
@given(text=typed)
@example(text="x" * 10_000)
@example(text="31/02/2026")
@example(text="\x00")
@example(text="/case " + STRANGER_REF)
@example(text="/handover " + STRANGER_REF)
@example(text="/reload ../../etc/passwd --force")
@example(text="/return 43/12345/26 now")
@example(text="/signoff 1")
def test_whatever_is_typed_gets_a_short_sentence_and_a_refusal_changes_nothing(
    spot: tuple[Bench, Spot], text: str
) -> None:
    """Anything typed, anywhere, gets a plain reply; what cannot be taken is refused unrecorded."""
    bench, where = spot
    on_screen = where.arrive()
    before = snapshot(bench.db)
    hidden = hidden_refs(bench.db, where.user)
    replies = bench.dialogue.handle(where.user, text)
    # Someone who types a reference may see it again ("No case ... of yours"); no other.
    typed_refs = "".join(text.split()).upper()
    check_replies(replies, {ref for ref in hidden if ref not in typed_refs})
    after = snapshot(bench.db)
    stripped = text.strip()
    if stripped.startswith("/"):
        opened = [r.entry.kind for r in new_records(bench.db, before)]
        words = stripped.split()
        if words[0].lower() == "/new" and len(words) > 1 and where.user.role == "investigator":
            # `/new REF` opens the case typed, when it is a reference: that and nothing else.
            assert set(opened) <= {"case-opened", "milestone-recorded"}, opened
            assert after["runs"] == before["runs"]
            return
        assert after == before, "a command recorded something"
        return
    word = " ".join(stripped.casefold().strip(" .!").split())
    labels = {o.label.casefold() for r in on_screen for row in r.options for o in row}
    if word in BUTTON_WORDS | labels - {"guidance", "back"}:
        event("a button's word")
        return  # typed as the button says: it does what the button does
    if where.reads is None:
        # Personal details get the screen's warning instead; either way nothing is kept.
        assert replies[0].text == where.says or "rephrase" in replies[0].text
        assert after == before
        return
    event("recorded" if after["log"] != before["log"] else "not recorded")
    try:
        where.reads(stripped)
        refusal = None
    except InputRefused as error:
        refusal = str(error)
    if refusal is not None:
        assert replies[0].text == refusal
        assert after == before, "a refused input changed the database"
        return
    if after["log"] != before["log"]:
        assert log.verify(bench.db).ok
        assert {r.entry.actor for r in new_records(bench.db, before)} == {f"user:{where.user.id}"}


@examples(60)
@given(press=pressed)
@example(press="a:1:0:0")
@example(press=Mutated(0, "same", 0, ""))
def test_whatever_is_pressed_gets_a_short_sentence_and_touches_only_the_presser_s_own_work(
    spot: tuple[Bench, Spot], press: str | Mutated
) -> None:
    """A forged, stale or mangled button gets a sentence and touches only the presser's work."""
    bench, where = spot
    where.arrive()
    action = press.of(where.seen) if isinstance(press, Mutated) else press
    before = snapshot(bench.db)
    replies = bench.dialogue.press(where.user, action)
    check_replies(replies)
    bench.dialogue.asks_of(where.user, action)  # the Telegram face asks this of every press
    after = snapshot(bench.db)
    if replies[0].text == NOT_A_BUTTON:
        assert after == before, f"{action!r} was refused but changed the database"
    event("recorded" if after["log"] != before["log"] else "refused or moved only")
    if after["log"] == before["log"]:
        assert but_cursors(after) == but_cursors(before), f"{action!r} changed the database"
        return
    assert log.verify(bench.db).ok
    records = new_records(bench.db, before)
    assert {r.entry.actor for r in records} == {f"user:{where.user.id}"}
    assert {r.entry.case_ref for r in records} <= visible_refs(bench.db, where.user)


# --- files sent in the chat ---------------------------------------------------------------------

SHIPPED = (PLAYBOOKS_DIR / "supervisory-review.yaml").read_text(encoding="utf-8")
file_names = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "../../etc/passwd.yaml",
            "playbook.yaml\x00.txt",
            "",
            ".yaml",
            "..yaml",
            "a/b/c.yml",
            "CON.yaml",
            "x" * 200 + ".yaml",
            "milestones.yaml",
            "supervisory-review.yaml",
        ]
    ),
)
file_bodies = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda text: text.encode("utf-8")),
    st.builds(
        lambda at, cut, insert: (SHIPPED[:at] + insert + SHIPPED[at + cut :]).encode("utf-8"),
        st.integers(0, len(SHIPPED)),
        st.integers(0, 40),
        st.text(max_size=20),
    ),
    st.sampled_from(
        [b"\xff\xfe\x00", b"{", b"- - -", b"a: &a [*a]", b"!!python/object:os.system"]
    ),
)


@pytest.fixture(name="bench")
def _bench(tmp_path: Path) -> Bench:
    return Bench(tmp_path)


@examples(40)
@given(name=file_names, data=file_bodies, role=st.sampled_from(["trainer", "investigator"]))
def test_a_file_sent_in_the_chat_gets_one_reply_and_only_a_clean_new_version_is_published(
    bench: Bench, name: str, data: bytes, role: str
) -> None:
    """Any file sent gets one short reply; nothing broken, and nothing from a non-trainer, is kept."""
    user = people.local_user(bench.service, f"Sender {role}", role, "North")
    before = snapshot(bench.db)
    replies = bench.dialogue.upload(user, name, data)
    check_replies(replies)
    assert len(replies) == 1
    after = snapshot(bench.db)
    if role != "trainer":
        assert replies[0].text == "That is for trainers."
    if after["versions"] == before["versions"]:
        assert after == before
    else:
        assert role == "trainer"
        assert replies[0].text.startswith("Published")


@examples(30)
@given(kind=st.sampled_from(KINDS), number=st.integers(2**63, 10**40), sign=st.sampled_from("+-"))
@example(kind="go", number=2**63, sign="+")
@example(kind="a", number=2**63, sign="+")
def test_a_button_naming_a_number_too_big_for_the_database_gets_a_sentence(
    bench: Bench, kind: str, number: int, sign: str
) -> None:
    """A forged button whose id lies past what SQLite stores (2**63) is refused, not an error."""
    user = people.local_user(bench.service, "Officer Hugh", "investigator", "North")
    arity = len(dataclasses.fields(ACTIONS[kind]))
    action = ":".join([kind, *[f"{sign}{number}"] * arity])
    before = snapshot(bench.db)
    failed = []
    try:
        check_replies(bench.dialogue.press(user, action))
    except ArithmeticError as error:
        failed.append(f"press({action!r}) raised {error!r}")
    try:  # What the Telegram face asks of every press, before the dialogue answers it.
        bench.dialogue.asks_of(user, action)
    except ArithmeticError as error:
        failed.append(f"asks_of({action!r}) raised {error!r}")
    assert not failed, "\n".join(failed)
    assert snapshot(bench.db) == before


@examples(10)
@given(length=st.integers(251, 2000))
@example(length=300)
def test_a_playbook_file_with_a_very_long_name_gets_a_sentence(bench: Bench, length: int) -> None:
    """A trainer's file whose name is over 255 characters is answered, not an internal error."""
    trainer = people.local_user(bench.service, "Trainer Tate", "trainer", "North")
    before = snapshot(bench.db)
    try:
        replies = bench.dialogue.upload(trainer, "p" * length + ".yaml", SHIPPED.encode("utf-8"))
    except OSError as error:
        pytest.fail(f"upload of a {length + 5}-character file name raised {error!r}")
    check_replies(replies)
    assert snapshot(bench.db) == before
