"""Importing case events from a JSON Lines file: live cases onboarded, events taken from the
force's records system.

Every line goes through the same use cases as the chat (open a case, record a milestone, start
a playbook, answer), acting as the person it names, with the clock at the time it gives, so the
records say who and when as if typed then. All lines are applied in one transaction, each in a
savepoint: if any line is refused, everything is rolled back and every refusal is returned.
Each line is kept as handled under a key made from its content, so a line imported before is
never applied again. Every record written is marked with who imported it, and from which file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from bot.core.answers import kind_of
from bot.core.case import Case, can_see
from bot.core.errors import InputRefused, NotAllowed, SoteriaError
from bot.core.import_lines import (
    AnswerLine,
    ImportLine,
    MilestoneLine,
    OpenLine,
    StartLine,
    day_of,
    is_iso_date,
    is_skipped,
    parse_line,
    read_object,
)
from bot.core.people import CLI_ADMIN_ACTOR, User
from bot.core.playbook import Item
from bot.core.records import Entry
from bot.core.screening import describe, screen
from bot.core.typed_input import check_text, normalise_crime_reference, parse_number
from bot.services import cases, events, investigating, reviews
from bot.services.access import case_key_of, load
from bot.services.context import Context
from bot.store.cases import normalise_handle
from bot.store.health import StorageFailed
from bot.store.log import canonical_json
from bot.store.runs import StoredRun
from bot.store.unit_of_work import UnitOfWork

#: The answers that put an item off, or say its event has not happened, rather than answer it.
LATER, NOT_YET = "later", "not yet"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A line that cannot be applied: its number in the file, and why."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import did: lines applied, lines applied by an earlier import, and refusals
    (when there are any, nothing was applied)."""

    applied: int
    already: int
    refusals: tuple[Refusal, ...] = ()
    #: Lines of cases whose open line was refused: not checked, as they could not apply.
    unchecked: int = 0
    #: On a force keyed by handle, each case opened by its crime reference, and its new handle.
    opened: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        """Tell whether every line could be applied (so they were)."""
        return not self.refusals


class _Refused(Exception):
    """Some line was refused: the whole import is rolled back."""


class _LineClock:
    """The clock the use cases read while a line is applied: the time the line gives."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def import_lines(ctx: Context, text: str, source: str, by: str) -> Imported:
    """Apply a JSON Lines file's text in one transaction, or none of it, each record written
    naming the file (`source`) and the administrator importing (`by`)."""
    now = ctx.now()
    clock = _LineClock(now)
    lined = replace(ctx, clock=clock)  # the same connection, catalog and settings
    tally = _Tally()
    with lined.request():
        try:
            with lined.uow.transaction() as uow:
                with uow.stamped({"imported_by": by, "imported_from": source}):
                    for number, raw in enumerate(text.split("\n"), 1):
                        if not is_skipped(raw):
                            _line(lined, clock, now, number, raw, tally)
                if tally.refusals:
                    raise _Refused
                if tally.applied:
                    _log_import(uow, text, source, by, now, tally)
        except _Refused:
            lined.uow.forget_runs()
            return Imported(0, tally.already, tuple(tally.refusals), tally.unchecked)
    return Imported(tally.applied, tally.already, (), tally.unchecked, tuple(tally.opened))


@dataclass
class _Tally:
    """What became of the lines so far."""

    applied: int = 0
    already: int = 0
    unchecked: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    #: Cases whose open line was refused: their later lines cannot apply, so are not checked.
    unopened: set[str] = field(default_factory=set)
    #: Crime references opened under new handles, with them.
    opened: list[tuple[str, str]] = field(default_factory=list)


def _line(
    ctx: Context, clock: _LineClock, now: datetime, number: int, raw: str, tally: _Tally
) -> None:
    """Check one line and apply it in a savepoint of its own, or note why it is refused."""
    uow = ctx.uow
    found: dict[str, Any] | None = None
    try:
        found = read_object(raw)
        key = _digest(canonical_json(found))
        if uow.imported.seen(key):
            tally.already += 1
            return
        line = parse_line(found, ctx.zone)
        if _ref(ctx, line.case) in tally.unopened:
            tally.unchecked += 1
            return
        with uow.transaction():
            handle = _apply(ctx, clock, line, now)
            uow.imported.mark(key, now)
        if handle is not None:
            tally.opened.append((line.case, handle))
        tally.applied += 1
    except StorageFailed:
        raise
    except SoteriaError as error:
        tally.refusals.append(Refusal(number, _plain(error)))
        if found is not None and found.get("event") == "open":
            tally.unopened.add(_key_or_typed(ctx, found.get("case")))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(error: SoteriaError) -> str:
    """A refusal as an administrator reads it: without advice meant for the chat."""
    if isinstance(error, events.DateContradicts):
        return f"{error.plain} Check the date, or the line that recorded that one."
    return str(error)


def _log_import(
    uow: UnitOfWork, text: str, source: str, by: str, now: datetime, tally: _Tally
) -> None:
    """The import's own record in the log: who imported which file (and its hash), and what
    it applied."""
    detail = {
        "file": source,
        "sha256": _digest(text),
        "by": by,
        "applied": str(tally.applied),
        "already": str(tally.already),
    }
    uow.log.append([Entry("imported", "", CLI_ADMIN_ACTOR, now, detail=detail)])


def _ref(ctx: Context, typed: str) -> str:
    """A case's key as the line types it, in the form it is stored.

    A force keyed by handle still imports from records kept by crime reference: a line may
    give the case's handle, or its crime reference, found through the link made when it was
    opened (an open line's unlinked reference is returned as it is, to be linked).
    """
    example = ctx.crime_reference.example
    if ctx.case_key != "handle":
        try:
            return case_key_of(ctx, typed)
        except InputRefused:
            raise InputRefused(
                f'"case" {typed!r} is not a case reference of this force\'s form, like {example}.'
            ) from None
    if _is_handle(typed):
        return normalise_handle(typed)
    try:
        crime_ref = normalise_crime_reference(typed, ctx.crime_reference)
    except InputRefused:
        raise InputRefused(
            f'"case" {typed!r} is neither a case handle, like C-7K3M9Q, nor a crime reference '
            f"of this force's form, like {example}."
        ) from None
    return ctx.uow.cases.key_for(crime_ref)


def _is_handle(typed: str) -> bool:
    try:
        normalise_handle(typed)
    except InputRefused:
        return False
    return True


def _key_or_typed(ctx: Context, typed: Any) -> str:
    try:
        return _ref(ctx, str(typed))
    except InputRefused:
        return str(typed)


def _apply(ctx: Context, clock: _LineClock, line: ImportLine, now: datetime) -> str | None:
    """Apply one line through the use case the chat would use, as its person, at its time;
    the handle issued when it opened a case by crime reference on a force keyed by handle."""
    uow = ctx.uow
    ref = _ref(ctx, line.case)
    if isinstance(line, OpenLine):
        officer = _person(uow, line.officer)
        clock.at = _checked_time(line.at, now, None)
        existing = uow.cases.by_ref(ref)
        if existing is not None:
            raise NotAllowed(
                f"Case {existing.ref} is already open (since "
                f"{existing.opened_at.astimezone(ctx.zone):%d %b %Y}); open it once."
            )
        if ctx.case_key == "handle" and not _is_handle(ref):
            # As /new opens it, under a new handle; the reference stays on the server.
            case, _new = cases.open_case(ctx, officer, "")
            uow.cases.link(case.ref, ref, CLI_ADMIN_ACTOR, clock.at)
            return case.ref
        cases.open_case(ctx, officer, ref)
        return None
    user = _person(uow, line.by)
    case = _case(uow, user, ref)
    if isinstance(line, MilestoneLine):
        clock.at = _milestone_time(ctx, line, case, now)
        _record(ctx, user, case, line)
    elif isinstance(line, StartLine):
        clock.at = now if line.at is None else _checked_time(line.at, now, case)
        _start(ctx, user, case, line.playbook)
    else:
        clock.at = now if line.at is None else _checked_time(line.at, now, case)
        _answer(ctx, user, case, line)
    return None


def _person(uow: UnitOfWork, user_id: int) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise InputRefused(
            f"There is no enrolled user {user_id}; `soteria-bot users list` shows their ids."
        )
    return user


def _case(uow: UnitOfWork, user: User, ref: str) -> Case:
    case = uow.cases.by_ref(ref)
    if case is None:
        raise InputRefused(f"Case {ref} is not open: open it with an open line before this one.")
    if not can_see(user, case):
        whose = "another officer's case" if user.role == "investigator" else "another team's"
        raise NotAllowed(f"User {user.id} ({user.role}) cannot act on case {ref}: it is {whose}.")
    return case


def _checked_time(at: datetime, now: datetime, case: Case | None) -> datetime:
    """A line's own time, refused when it is still to come or before its case was opened."""
    if at > now:
        raise InputRefused(f'"at" ({at.isoformat()}) is in the future.')
    if case is not None and at < case.opened_at:
        raise InputRefused(
            f'"at" ({at.isoformat()}) is before case {case.ref} was opened '
            f"({case.opened_at.isoformat()})."
        )
    return at


def _milestone_time(ctx: Context, line: MilestoneLine, case: Case, now: datetime) -> datetime:
    """When a milestone line is recorded: its `at`, or else the start of its date (never
    before the case was opened, nor after now)."""
    if line.at is not None:
        return _checked_time(line.at, now, case)
    start = datetime.combine(line.date, time(0), ctx.zone)
    return max(case.opened_at, min(start, now))


def _record(ctx: Context, user: User, case: Case, line: MilestoneLine) -> None:
    milestone = ctx.catalog.milestones.get(line.milestone)
    if milestone is None:
        raise InputRefused(
            f"{line.milestone!r} is not a milestone this force records "
            "(see milestones.yaml in the playbooks folder)."
        )
    _check_side(line.date, ctx.today(), milestone.dates, f"{milestone.title!r}")
    events.record_milestone(ctx, user, case.ref, line.milestone, line.date, line.occurrence)


def _check_side(when: date, today: date, allowed: str, what: str) -> None:
    """Refuse a date on the wrong side of the line's own day."""
    if allowed == "past" and when > today:
        raise InputRefused(
            f"{what} is dated {when.isoformat()}, after the line's own day ({today.isoformat()}): "
            "it takes the date it happened."
        )
    if allowed == "future" and when < today:
        raise InputRefused(
            f"{what} is dated {when.isoformat()}, before the line's own day "
            f"({today.isoformat()}): it takes a date still to come."
        )


def _start(ctx: Context, user: User, case: Case, playbook_id: str) -> None:
    try:
        playbook = ctx.catalog.playbook(playbook_id)
    except KeyError:
        raise InputRefused(f"There is no checklist called {playbook_id!r}.") from None
    if playbook.repeat is not None:
        # A recurring checklist is started for the occurrence due, as /review starts it.
        reviews.start_review(ctx, user, case.ref, playbook_id)
    else:
        investigating.start_run(ctx, user, case.ref, playbook_id)


def _run_of(ctx: Context, user: User, case: Case, playbook_id: str) -> StoredRun:
    """The case's run of a playbook that answers go to: the newest one not signed off."""
    try:
        title = ctx.catalog.playbook(playbook_id).title
    except KeyError:
        raise InputRefused(f"There is no checklist called {playbook_id!r}.") from None
    found = ctx.uow.runs.of_playbook(case.id, playbook_id)
    if not found:
        raise InputRefused(
            f"'{title}' ({playbook_id}) is not started on case {case.ref}: "
            "add a start line before this one."
        )
    return load(ctx, user, found[0][0])


def _item(stored: StoredRun, item_id: str) -> Item:
    """The run's item a line names, or a refusal saying why it has none by that name."""
    run = stored.run
    try:
        item = run.item(item_id)
    except KeyError:
        base, _, number = item_id.partition("@")
        own = {item.id: item for item in run.playbook.items}
        each = own[base].each if base in own else None
        if each is None:
            raise InputRefused(f"Checklist {run.playbook.id} has no item {item_id!r}.") from None
        count = run.events.count(each)
        if not number:
            raise InputRefused(
                f"{base!r} is asked once for each {each!r}: name which, like {base}@1."
            ) from None
        raise InputRefused(
            f"{item_id!r} is not asked on case {stored.case.ref}: it has "
            f"{count} {each!r} recorded so far."
        ) from None
    if not run.is_live(item):
        raise NotAllowed(
            f"{item_id!r} is not asked on case {stored.case.ref} as it stands: it depends on "
            "an earlier answer or a milestone."
        )
    return item


def _answer(ctx: Context, user: User, case: Case, line: AnswerLine) -> None:
    """Answer an item (or put it off, or 'not yet') through the investigator's use cases."""
    stored = _run_of(ctx, user, case, line.playbook)
    item = _item(stored, line.item)
    run_id = stored.run.run_id
    waiting = stored.run.cursor if stored.run.state == "awaiting_reason" else None
    if waiting is not None and waiting != item.id:
        raise NotAllowed(
            f"Checklist {line.playbook} waits for the reason for {waiting!r} first: give it on "
            "an answer line for that item, with its value and its reason."
        )
    if line.value in (LATER, NOT_YET) and line.value not in item.answers:
        if line.reason is not None:
            raise InputRefused(f'"{line.value}" takes no reason: leave "reason" out.')
        if line.value == NOT_YET and not item.not_yet:
            raise InputRefused(f'{line.item!r} cannot be answered "not yet".')
        if line.value == LATER and item.type == "info":
            raise InputRefused(f"{line.item!r} is there to be read; it cannot be put off.")
        _reopen(ctx, user, stored, item)
        if line.value == LATER:
            investigating.defer(ctx, user, run_id, item.id)
        else:
            investigating.not_yet(ctx, user, run_id, item.id)
        return
    value = _value(ctx, item, line.value)
    kind = kind_of(item)
    needs = item.needs_reason(kind.decode(item, kind.encode(item, value)))
    if needs and line.reason is None:
        raise InputRefused(
            f'The answer {_shown(line.value)} to {line.item!r} needs a reason: add "reason".'
        )
    if not needs and line.reason is not None:
        raise InputRefused(
            f"The answer {_shown(line.value)} to {line.item!r} needs no reason: "
            'leave "reason" out.'
        )
    _reopen(ctx, user, stored, item)
    run = investigating.answer(ctx, user, run_id, item.id, value).run
    assert run is not None  # an answer always returns its run
    if not needs:
        return
    reason = _screened(line.reason or "", item, "reason")
    if run.state == "awaiting_reason" and run.cursor == item.id:
        investigating.give_reason(ctx, user, run_id, reason)
        return
    kept = run.status(item.id).reason
    if kept != reason:
        raise InputRefused(
            f"{line.item!r} already has this answer, with the reason {kept!r}: a reason "
            "changes with its answer, not on its own."
        )


def _reopen(ctx: Context, user: User, stored: StoredRun, item: Item) -> None:
    """A run not taking answers (finished, submitted, signed off, returned, paused) is opened
    at the item first, as the chat does when an answer is changed."""
    if stored.run.state not in ("asking", "awaiting_reason"):
        investigating.revisit(ctx, user, stored.run.run_id, item.id)


def _shown(value: object) -> str:
    return canonical_json(list(value)) if isinstance(value, tuple) else canonical_json(value)


def _value(ctx: Context, item: Item, value: object) -> Any:
    """A line's value as the item's kind takes it, or a refusal saying what it takes."""
    name = f"{item.id!r}"
    if item.type == "multi":
        if not isinstance(value, tuple):
            raise InputRefused(f"{name} takes a list of its options, like [{item.options[0]!r}].")
        unknown = [option for option in value if option not in item.options]
        if unknown:
            raise InputRefused(
                f"{unknown[0]!r} is not an option of {name}; it offers "
                f"{', '.join(repr(o) for o in item.options)}."
            )
        return frozenset(value)
    if isinstance(value, tuple):
        raise InputRefused(f"{name} takes one answer, not a list.")
    if item.type == "date":
        if not isinstance(value, str) or not is_iso_date(value):
            raise InputRefused(f"{name} takes a date written YYYY-MM-DD, not {_shown(value)}.")
        when = day_of(value)
        _check_side(when, ctx.today(), item.dates, name)
        return when
    if item.type == "number":
        try:
            number = parse_number(str(value), item.min, item.max)
        except InputRefused as refused:
            raise InputRefused(f"{name}: {refused}") from None
        return int(number) if float(number).is_integer() else number
    if item.type == "text":
        if not isinstance(value, str):
            raise InputRefused(f"{name} takes a short note as text, not {_shown(value)}.")
        return _screened(value, item, "answer")
    if item.type == "info":
        return "ok"
    if value not in item.answers:
        raise InputRefused(
            f"{_shown(value)} is not an answer to {name}; it takes "
            f"{', '.join(repr(answer) for answer in item.answers)}."
        )
    return value


def _screened(text: str, item: Item, what: str) -> str:
    """Free text as the chat takes it: refused if it holds personal details; a preset passes."""
    if what == "reason" and text in item.reasons + tuple(
        preset for _, presets in item.reasons_by_answer for preset in presets
    ):
        return text
    kinds = screen(text, focus=item.focus)
    if kinds:
        raise InputRefused(
            f"The {what} for {item.id!r} looks like {describe(kinds)}: personal details are "
            "never kept here; rephrase it."
        )
    try:
        return check_text(text)
    except InputRefused as refused:
        raise InputRefused(f"The {what} for {item.id!r}: {refused}") from None
