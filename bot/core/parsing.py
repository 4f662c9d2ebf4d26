"""Parsing plain data (as a YAML loader gives it) into playbooks, with every problem found at once.

This module never reads files. Each problem carries the path of the key or value at fault, so
the file reader in `bot.store` can turn it into `file:line:column`.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bot.core.condition import AllOf, AnswerIs, AnyOf, Condition, MilestoneRecorded, Not
from bot.core.errors import DocPath, PlaybookInvalid, Problem
from bot.core.liveness import never_live
from bot.core.playbook import (
    ANSWER_TYPES,
    DATE_RANGES,
    FIXED_ANSWERS,
    FOCUSES,
    ITEM_TYPES,
    DueRule,
    Duration,
    Item,
    Milestone,
    Playbook,
    Repeat,
    Section,
    SettingUse,
)
from bot.core.retention import RETENTION_SETTINGS

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DURATION_PATTERN = re.compile(r"^\s*(\d+)\s*(wd|mo|d|w)\s*$", re.IGNORECASE)
MAX_DURATION_DAYS = 3660
# Limits that keep an item readable on a phone and inside Telegram's message and button sizes.
MAX_ASK = 400
MAX_GUIDANCE = 2000
MAX_OPTION = 60
MAX_TITLE = 120
# Limits that keep checking a playbook quick whatever is written: the shipped ones have at
# most 54 items, 20 parts to a condition and 8 options to an item.
MAX_ITEMS = 300
MAX_CONDITION_PARTS = 50
MAX_OPTIONS = 20

PLAYBOOK_KEYS = (
    "playbook", "title", "version", "summary", "starts", "repeat", "role", "sections",
)  # fmt: skip
ROLES = ("investigator", "supervisor")
PLAYBOOK_REQUIRED = ("playbook", "title", "version", "sections")
SECTION_KEYS = ("id", "title", "items")
ITEM_KEYS = (
    "id", "ask", "type", "options", "reason", "reasons", "guidance", "when", "due", "escalate",
    "sets", "dates", "open", "required", "min", "max", "focus", "countersign", "each",
    "not-yet", "same-as", "answers", "exclusive", "computed",
)  # fmt: skip
ITEM_REQUIRED = ("id", "ask", "type")
MILESTONE_KEYS = ("title", "phrase", "dates", "repeats", "not-before")
SAME_AS = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)/([a-z0-9]+(?:-[a-z0-9]+)*)$")
TRUE_WORDS = ("true", "yes", "on")
FALSE_WORDS = ("false", "no", "off")


#: Suggestions one check offers at most: each compares a word with every choice, so a file of
#: thousands of misspelt names would otherwise take minutes to check.
MAX_HINTS = 20
#: Words longer than this, and choices past this many, are not compared: no id is that long.
HINT_WORD = 64
HINT_CHOICES = 400


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' (did you mean 'x'?)' for the closest choice, or '' when none is close."""
    if len(word) > HINT_WORD:
        return ""
    candidates = list(itertools.islice(choices, HINT_CHOICES))
    close = difflib.get_close_matches(word.lower(), candidates, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _quoted(words: Iterable[str]) -> str:
    listed = [f"'{word}'" for word in words]
    if len(listed) <= 1:
        return "".join(listed)
    return ", ".join(listed[:-1]) + " or " + listed[-1]


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value of another kind"


def as_answer(value: Any) -> str | None:
    """Read a scalar as an answer word: yes/no/na, or an option; None when it cannot be one."""
    if isinstance(value, bool):  # `true`/`false` from YAML: the trainer meant yes/no
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


class _Parser:
    """Walks plain data and collects problems instead of stopping at the first."""

    def __init__(self, milestones: Mapping[str, Milestone]) -> None:
        self.milestones = milestones
        self.problems: list[Problem] = []
        self.settings: list[SettingUse] = []
        self.built: list[Item] = []
        self.hints = MAX_HINTS
        self.items_read = 0
        self.items_total = 0

    def hint(self, word: str, choices: Iterable[str]) -> str:
        """A suggestion for a misspelt word, for the first few mistakes of a file only."""
        if self.hints <= 0:
            return ""
        self.hints -= 1
        return did_you_mean(word, choices)

    def fail(self, path: DocPath, message: str, on: Literal["key", "value"] = "value") -> None:
        self.problems.append(Problem(path, message, on))

    # generic shapes

    def mapping(
        self,
        value: Any,
        path: DocPath,
        what: str,
        allowed: tuple[str, ...],
        required: tuple[str, ...] = (),
    ) -> dict[str, Any] | None:
        """Check a mapping's keys: unknown keys (with a suggestion) and missing required ones."""
        if not isinstance(value, dict):
            self.fail(path, f"{what} should be a mapping of keys, not {_kind(value)}")
            return None
        clean: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                self.fail(path + (str(key),), f"{what}: '{key}' is not a key name", on="key")
                continue
            if key not in allowed:
                hint = self.hint(key, allowed)
                self.fail(path + (key,), f"{what}: unknown key '{key}'{hint}", on="key")
                continue
            clean[key] = item
        for key in required:
            if key not in value:
                self.fail(path, f"{what}: '{key}' is required")
        return clean

    def text(self, value: Any, path: DocPath, what: str, limit: int) -> str | None:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(path, f"{what} should be text, not {_kind(value)}")
            return None
        words = str(value).strip()
        if not words:
            self.fail(path, f"{what} is empty")
            return None
        if len(words) > limit:
            self.fail(path, f"{what} is {len(words)} characters long; keep it under {limit}")
        return words

    def identifier(self, value: Any, path: DocPath, what: str) -> str | None:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            shown = f"'{value}'" if isinstance(value, str | int) else _kind(value)
            self.fail(
                path,
                f"{what} {shown} should use only lower-case letters, digits and hyphens "
                "(for example 'bad-character')",
            )
            return None
        return value

    def flag(self, value: Any, path: DocPath, what: str) -> bool | None:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in TRUE_WORDS + FALSE_WORDS:
            return value.lower() in TRUE_WORDS
        self.fail(path, f"{what} should be true or false, not {_kind(value)}")
        return None

    def string_list(self, value: Any, path: DocPath, what: str) -> list[tuple[DocPath, str]]:
        """Read a list of words; a single word is taken as a list of one."""
        entries = value if isinstance(value, list) else [value]
        out: list[tuple[DocPath, str]] = []
        for index, entry in enumerate(entries):
            where = path + (index,) if isinstance(value, list) else path
            word = as_answer(entry)
            if word is None:
                self.fail(where, f"{what} should hold words, not {_kind(entry)}")
            else:
                out.append((where, word))
        if isinstance(value, list) and not value:
            self.fail(path, f"{what} is an empty list")
        return out

    def milestone(self, value: Any, path: DocPath, what: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"{what} should name a milestone, not {_kind(value)}")
            return None
        name = value.strip()
        if name not in self.milestones:
            hint = self.hint(name, self.milestones)
            self.fail(path, f"{what}: unknown milestone '{name}'{hint}; see milestones.yaml")
            return None
        return name

    def duration(self, value: Any, path: DocPath, what: str) -> Duration | None:
        """Read `5d`, `2w`, `5wd`, or a force setting `{setting: name, default: 5d}`."""
        if isinstance(value, dict):
            shape = self.mapping(value, path, what, ("setting", "default"), ("setting", "default"))
            if shape is None or "setting" not in shape or "default" not in shape:
                return None
            name = self.identifier(shape["setting"], path + ("setting",), "a setting name")
            default = self.duration(shape["default"], path + ("default",), f"{what} default")
            if default is None or name is None:
                return None
            if default.setting:
                self.fail(path + ("default",), f"{what}: a default must be a plain duration")
                return None
            self.settings.append(SettingUse(name, default, path))
            return Duration(default.amount, default.unit, setting=name)
        match = DURATION_PATTERN.match(value) if isinstance(value, str) else None
        if match is None:
            shown = f"'{value}'" if isinstance(value, str | int | float) else _kind(value)
            self.fail(
                path,
                f"{what}: {shown} is not a duration; write a number and a unit, "
                "like 5d (days), 2w (weeks), 5wd (working days) or 3mo (months)",
            )
            return None
        amount, unit = int(match.group(1)), match.group(2).lower()
        days = amount * {"d": 1, "w": 7, "wd": 1.4, "mo": 31}[unit]
        if days > MAX_DURATION_DAYS:
            self.fail(path, f"{what}: {value} is more than ten years; check the number")
            return None
        return Duration(amount, unit)  # type: ignore[arg-type]

    # the document

    def playbook(self, data: Any) -> Playbook | None:
        top = self.mapping(data, (), "the playbook", PLAYBOOK_KEYS, PLAYBOOK_REQUIRED)
        if top is None:
            return None
        pid = (
            self.identifier(top["playbook"], ("playbook",), "the playbook id")
            if "playbook" in top
            else None
        )
        title = (
            self.text(top["title"], ("title",), "the title", MAX_TITLE) if "title" in top else None
        )
        version = self.version(top.get("version"), ("version",)) if "version" in top else None
        summary = None
        if "summary" in top:
            summary = self.text(top["summary"], ("summary",), "the summary", MAX_GUIDANCE)
        starts = self.starts(top["starts"]) if "starts" in top else ()
        repeat = self.repeat(top["repeat"]) if "repeat" in top else None
        role = self.role(top["role"]) if "role" in top else None
        sections = self.sections(top["sections"], pid) if "sections" in top else ()
        if self.problems or pid is None or title is None or version is None:
            return None
        return Playbook(
            id=pid,
            title=title,
            version=version,
            sections=sections,
            summary=summary,
            starts=starts,
            repeat=repeat,
            role=role,
            settings=tuple(self.settings),
        )

    def version(self, value: Any, path: DocPath) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.fail(path, "the version should be a whole number, 1 or more (for example 3)")
            return None
        return value

    def starts(self, value: Any) -> tuple[str, ...]:
        """The milestone, or any of the milestones, that starts the playbook."""
        path: DocPath = ("starts", "milestone")
        shape = self.mapping(value, ("starts",), "'starts'", ("milestone",), ("milestone",))
        if not shape or "milestone" not in shape:
            return ()
        return self.milestones_named(shape["milestone"], path, "'starts'")

    def milestones_named(self, value: Any, path: DocPath, what: str) -> tuple[str, ...]:
        """A milestone, or a list of them, each checked against the catalogue."""
        names = [
            self.milestone(word, where, what)
            for where, word in self.string_list(value, path, what)
        ]
        return tuple(dict.fromkeys(name for name in names if name))

    def role(self, value: Any) -> str | None:
        """Who answers the playbook: its investigator (the default), or a supervisor."""
        if value not in ROLES:
            shown = f"'{value}'" if isinstance(value, str) else _kind(value)
            self.fail(("role",), f"'role' should be {_quoted(ROLES)}, not {shown}")
            return None
        return None if value == "investigator" else str(value)

    def repeat(self, value: Any) -> Repeat | None:
        """When a recurring playbook falls due: every span from a milestone, at milestones."""
        path: DocPath = ("repeat",)
        keys = ("every", "from", "on", "escalate")
        shape = self.mapping(value, path, "'repeat'", keys)
        if shape is None:
            return None
        every = start = None
        if ("every" in shape) != ("from" in shape):
            self.fail(
                path, "'repeat' needs 'every' and 'from' together, like {every: 28d, from: report}"
            )
        if "every" in shape and "from" in shape:
            every = self.duration(shape["every"], path + ("every",), "'repeat' every")
            start = self.milestone(shape["from"], path + ("from",), "'repeat' from")
            if every is not None and every.amount == 0:
                self.fail(path + ("every",), "'repeat' every must be longer than 0 days")
                every = None
        on: tuple[str, ...] = ()
        if "on" in shape:
            on = self.milestones_named(shape["on"], path + ("on",), "'repeat' on")
        if "every" not in shape and "on" not in shape:
            self.fail(
                path, "'repeat' needs {every: 28d, from: report}, or on: [arrest, charge], or both"
            )
        escalate = None
        if "escalate" in shape:
            after = self.mapping(
                shape["escalate"],
                path + ("escalate",),
                "'repeat' escalate",
                ("after",),
                ("after",),
            )
            if after and "after" in after:
                escalate = self.duration(
                    after["after"], path + ("escalate", "after"), "'repeat' escalate after"
                )
        if (every is None and not on) or (every is not None and start is None):
            return None
        return Repeat(every, start, on, escalate)

    def sections(self, value: Any, pid: str | None) -> tuple[Section, ...]:
        if not isinstance(value, list) or not value:
            self.fail(
                ("sections",), f"'sections' should be a list of sections, not {_kind(value)}"
            )
            return ()
        sections: list[Section] = []
        seen_sections: dict[str, DocPath] = {}
        earlier: dict[str, Item] = {}
        all_ids = _all_item_ids(value)
        self.items_total = sum(
            len(raw["items"])
            for raw in value
            if isinstance(raw, dict) and isinstance(raw.get("items"), list)
        )
        for index, raw in enumerate(value):
            path: DocPath = ("sections", index)
            shape = self.mapping(raw, path, f"section {index + 1}", SECTION_KEYS, SECTION_KEYS)
            if shape is None:
                continue
            sid = (
                self.identifier(shape.get("id"), path + ("id",), "the section id")
                if "id" in shape
                else None
            )
            label = f"section '{sid}'" if sid else f"section {index + 1}"
            if sid in seen_sections:
                self.fail(
                    path + ("id",), f"{label}: the section id is used twice in this playbook"
                )
            elif sid:
                seen_sections[sid] = path
            title = (
                self.text(shape["title"], path + ("title",), f"{label}: the title", MAX_TITLE)
                if "title" in shape
                else None
            )
            items = (
                self.items(shape.get("items"), path + ("items",), label, earlier, all_ids, pid)
                if "items" in shape
                else ()
            )
            if sid and title:
                sections.append(Section(sid, title, items))
        return tuple(sections)

    def items(
        self,
        value: Any,
        path: DocPath,
        label: str,
        earlier: dict[str, Item],
        all_ids: set[str],
        pid: str | None,
    ) -> tuple[Item, ...]:
        if not isinstance(value, list) or not value:
            self.fail(path, f"{label}: 'items' should be a list of items, not {_kind(value)}")
            return ()
        items: list[Item] = []
        for index, raw in enumerate(value):
            if self.items_read == MAX_ITEMS:
                # Said once, where the limit is passed; the items after it are not read.
                self.fail(
                    path + (index,),
                    f"a playbook holds at most {MAX_ITEMS} items; this one has "
                    f"{self.items_total}: split it into two playbooks",
                )
            if self.items_read >= MAX_ITEMS:
                self.items_read += 1
                break
            self.items_read += 1
            item = self.item(raw, path + (index,), label, index, earlier, all_ids, pid)
            if item is not None:
                items.append(item)
        return tuple(items)

    def item(
        self,
        raw: Any,
        path: DocPath,
        section_label: str,
        index: int,
        earlier: dict[str, Item],
        all_ids: set[str],
        pid: str | None,
    ) -> Item | None:
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        what = (
            f"item '{raw_id}'" if isinstance(raw_id, str) else f"{section_label}, item {index + 1}"
        )
        shape = self.mapping(raw, path, what, ITEM_KEYS, ITEM_REQUIRED)
        if shape is None:
            return None
        iid = (
            self.identifier(shape["id"], path + ("id",), "the item id") if "id" in shape else None
        )
        label = f"item '{iid}'" if iid else f"{section_label}, item {index + 1}"
        if iid in earlier:
            self.fail(path + ("id",), f"{label}: the item id is used twice in this playbook")
            iid = None
        ask = (
            self.text(shape["ask"], path + ("ask",), f"{label}: 'ask'", MAX_ASK)
            if "ask" in shape
            else None
        )
        kind = None
        if "type" in shape:
            kind = shape["type"] if shape["type"] in ITEM_TYPES else None
            if kind is None:
                shown = shape["type"] if isinstance(shape["type"], str) else _kind(shape["type"])
                hint = self.hint(str(shown), ITEM_TYPES)
                self.fail(
                    path + ("type",),
                    f"{label}: unknown type '{shown}'{hint}; use one of {', '.join(ITEM_TYPES)}",
                )
        parts = _ItemParts(self, shape, path, label, kind)
        item = parts.build(iid, ask, earlier, all_ids, pid)
        if iid is not None and item is not None:
            earlier[iid] = item
            self.built.append(item)
        elif iid is not None and kind is not None:
            # Keep a placeholder so later conditions naming this item are not reported twice.
            earlier[iid] = Item(iid, ask or "", kind, path)
        return item


def _condition_parts(value: Any) -> int:
    """How many tests and combinators a condition holds, counted up to one past the limit."""
    count, pending = 0, [value]
    while pending and count <= MAX_CONDITION_PARTS:
        current = pending.pop()
        if isinstance(current, dict):
            count += len(current)
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)
    return count


def _all_item_ids(sections: list[Any]) -> set[str]:
    ids: set[str] = set()
    for section in sections:
        items = section.get("items") if isinstance(section, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ids.add(item["id"])
    return ids


class _ItemParts:
    """Reads the optional keys of one item, checking each against the item's type."""

    def __init__(
        self, parser: _Parser, shape: dict[str, Any], path: DocPath, label: str, kind: str | None
    ) -> None:
        self.p = parser
        self.shape = shape
        self.path = path
        self.label = label
        self.kind = kind

    def only_for(self, key: str, kinds: tuple[str, ...], reason: str) -> bool:
        """Report `key` when the item's type cannot carry it; True when it may."""
        if key not in self.shape:
            return False
        if self.kind is not None and self.kind not in kinds:
            self.p.fail(
                self.path + (key,), f"{self.label}: {reason} (this item is {self.kind})", on="key"
            )
            return False
        return self.kind is not None

    def build(
        self,
        iid: str | None,
        ask: str | None,
        earlier: dict[str, Item],
        all_ids: set[str],
        pid: str | None,
    ) -> Item | None:
        p, shape, path, label, kind = self.p, self.shape, self.path, self.label, self.kind
        before = len(p.problems)
        options = self.options()
        answers = FIXED_ANSWERS.get(kind or "", tuple(options))
        answerable = "date, number, text and info items give no answer it could name"
        reason: set[str] = set()
        if self.only_for("reason", ANSWER_TYPES, f"'reason' names answers, and {answerable}"):
            for where, word in p.string_list(
                shape["reason"], path + ("reason",), f"{label}: 'reason'"
            ):
                found = _match_answer(word, answers)
                if found is None:
                    p.fail(
                        where,
                        f"{label}: 'reason' names '{word}', {self.cannot_give(word, answers)}",
                    )
                else:
                    reason.add(found)
        reasons, reasons_by_answer = self.presets(reason, answers)
        guidance = None
        if "guidance" in shape:
            guidance = p.text(
                shape["guidance"], path + ("guidance",), f"{label}: 'guidance'", MAX_GUIDANCE
            )
        when = None
        if "when" in shape and _condition_parts(shape["when"]) > MAX_CONDITION_PARTS:
            p.fail(
                path + ("when",),
                f"{label}: the condition has more than {MAX_CONDITION_PARTS} parts; "
                "split the item, or ask on a milestone instead",
            )
        elif "when" in shape:
            when = _ConditionReader(p, label, iid, earlier, all_ids).read(
                shape["when"], path + ("when",)
            )
        due = (
            self.due("due", earlier, all_ids)
            if self.only_for("due", ITEM_TYPES[:-1], "an info item cannot fall due")
            else None
        )
        escalate = None
        if "escalate" in shape:
            escalate = self.escalate()
        sets = None
        if self.only_for(
            "sets",
            ("date",),
            "'sets' records a milestone from a date, so it only goes on date items",
        ):
            sets = p.milestone(shape["sets"], path + ("sets",), f"{label}: 'sets'")
            if sets is not None and p.milestones[sets].repeats:
                p.fail(
                    path + ("sets",),
                    f"{label}: '{sets}' repeats, so one date item cannot record it; record each "
                    "occurrence with /milestone, and ask per occurrence with 'each'",
                )
                sets = None
        dates = "past"
        if self.only_for("dates", ("date",), "'dates' only goes on date items"):
            dates = self.date_range()
        opens = (
            self.opens(answers, pid)
            if self.only_for("open", ANSWER_TYPES, f"'open' names answers, and {answerable}")
            else ()
        )
        required = True
        if self.only_for("required", ITEM_TYPES[:-1], "an info item is never required"):
            required = (
                p.flag(shape["required"], path + ("required",), f"{label}: 'required'")
                is not False
            )
        if kind == "info":
            required = False
        low = (
            self.number("min")
            if self.only_for("min", ("number",), "'min' only goes on number items")
            else None
        )
        high = (
            self.number("max")
            if self.only_for("max", ("number",), "'max' only goes on number items")
            else None
        )
        if low is not None and high is not None and low > high:
            p.fail(path + ("min",), f"{label}: 'min' ({low:g}) is more than 'max' ({high:g})")
        focus = None
        if "focus" in shape:
            focus = shape["focus"] if shape["focus"] in FOCUSES else None
            if focus is None:
                p.fail(path + ("focus",), f"{label}: 'focus' should be {_quoted(FOCUSES)}")
        countersign = False
        if "countersign" in shape:
            countersign = (
                p.flag(shape["countersign"], path + ("countersign",), f"{label}: 'countersign'")
                is True
            )
        each = self.each(sets) if "each" in shape else None
        not_yet = sets is not None
        if self.only_for("not-yet", ITEM_TYPES[:-1], "an info item cannot be answered 'not yet'"):
            not_yet = p.flag(shape["not-yet"], path + ("not-yet",), f"{label}: 'not-yet'") is True
        same_as = (
            self.same_as(pid)
            if self.only_for(
                "same-as", ITEM_TYPES[:-1], "an info item is never the same fact as another"
            )
            else None
        )
        offered = (
            self.offered(answers, iid, earlier, all_ids)
            if self.only_for("answers", ANSWER_TYPES, f"'answers' names answers, and {answerable}")
            else ()
        )
        exclusive = (
            self.exclusive(options)
            if self.only_for("exclusive", ("multi",), "'exclusive' only goes on multi items")
            else ()
        )
        computed = (
            self.due("computed", earlier, all_ids)
            if self.only_for(
                "computed", ("date",), "'computed' works out a date, so it only goes on date items"
            )
            else None
        )
        if len(p.problems) > before or iid is None or ask is None or kind is None:
            return None
        return Item(
            id=iid, ask=ask, type=kind, path=path, options=tuple(options),
            reason=frozenset(reason), reasons=reasons, guidance=guidance, when=when,
            due=due, escalate=escalate, sets=sets, dates=dates, opens=opens, required=required,
            min=low, max=high, focus=focus, countersign=countersign, each=each,
            not_yet=not_yet, same_as=same_as, offered=offered, exclusive=exclusive,
            reasons_by_answer=reasons_by_answer, computed=computed,
        )  # fmt: skip

    def cannot_give(self, word: str, answers: tuple[str, ...]) -> str:
        if self.kind in FIXED_ANSWERS:
            extra = "; use type yes-no-na to allow N/A" if word.lower() in ("na", "n/a") else ""
            return f"which a {self.kind} item cannot give (it gives {_quoted(answers)}){extra}"
        return f"which is not one of its options{self.p.hint(word, answers)}"

    def options(self) -> list[str]:
        p, shape, path, label = self.p, self.shape, self.path, self.label
        if self.kind in ("choice", "multi") and "options" not in shape:
            p.fail(path, f"{label}: a {self.kind} item needs 'options'")
            return []
        if not self.only_for(
            "options", ("choice", "multi"), "'options' only goes on choice and multi items"
        ):
            return []
        raw = shape["options"]
        if not isinstance(raw, list):
            p.fail(
                path + ("options",),
                f"{label}: 'options' should be a list, such as [phone, e-mail]",
            )
            return []
        if len(raw) > MAX_OPTIONS:
            p.fail(
                path + ("options",),
                f"{label}: a {self.kind} item offers at most {MAX_OPTIONS} options, "
                f"one button each; this one has {len(raw)}",
            )
            return []
        options: list[str] = []
        for where, word in p.string_list(raw, path + ("options",), f"{label}: 'options'"):
            if word.lower() in (known.lower() for known in options):
                p.fail(where, f"{label}: the option '{word}' is listed twice")
            elif len(word) > MAX_OPTION:
                p.fail(
                    where,
                    f"{label}: the option is longer than {MAX_OPTION} characters; shorten it for a button",
                )
            else:
                options.append(word)
        if len(raw) == 1:
            p.fail(path + ("options",), f"{label}: a {self.kind} item needs at least two options")
        return options

    def due(
        self, key: str, earlier: Mapping[str, Item], all_ids: Collection[str] = ()
    ) -> DueRule | None:
        """A span within (after) or before a milestone or an earlier date item."""
        p, path, label = self.p, self.path + (key,), self.label
        shape = p.mapping(
            self.shape[key], path, f"{label}: '{key}'", ("within", "before", "of"), ("of",)
        )
        if shape is None:
            return None
        relations = [word for word in ("within", "before") if word in shape]
        if len(relations) != 1:
            problem = (
                "use 'within' or 'before', not both"
                if relations
                else "needs 'within' (after) or 'before'"
            )
            p.fail(path, f"{label}: '{key}' {problem}, for example {{within: 5wd, of: report}}")
            return None
        relation = relations[0]
        span = p.duration(shape[relation], path + (relation,), f"{label}: '{key}'")
        if "of" not in shape:
            return None
        anchor = shape["of"]
        dated = earlier.get(anchor) if isinstance(anchor, str) else None
        if dated is not None and anchor not in p.milestones:
            if dated.type != "date":
                p.fail(
                    path + ("of",),
                    f"{label}: '{key}' counts from '{anchor}', a {dated.type} item; "
                    "only a date item or a milestone gives a date",
                )
                return None
            return DueRule(_relation(relation), span, anchor, of_item=True) if span else None
        if isinstance(anchor, str) and anchor in all_ids and anchor not in p.milestones:
            p.fail(
                path + ("of",),
                f"{label}: '{key}' counts from '{anchor}', which comes later; count from a "
                "milestone or an earlier date item",
            )
            return None
        milestone = p.milestone(anchor, path + ("of",), f"{label}: '{key}'")
        if span is None or milestone is None:
            return None
        return DueRule(_relation(relation), span, milestone)

    def presets(
        self, needing: set[str], answers: tuple[str, ...]
    ) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
        """Reason presets: one list for every answer needing a reason, or a list per answer."""
        p, shape, path, label = self.p, self.shape, self.path + ("reasons",), self.label
        if "reasons" not in shape:
            return (), ()
        if "reason" not in shape:
            p.fail(
                path,
                f"{label}: 'reasons' lists presets, but no 'reason' says which answers need one",
                on="key",
            )
        raw = shape["reasons"]
        if not isinstance(raw, dict):
            return tuple(self.preset_list(raw, path)), ()
        by_answer: list[tuple[str, tuple[str, ...]]] = []
        for key, value in raw.items():
            word = as_answer(key)
            found = _match_answer(word, answers) if word is not None else None
            if found is None or found not in needing:
                p.fail(
                    path + (str(key),),
                    f"{label}: 'reasons' gives presets for '{word}', which is not an answer "
                    "'reason' names",
                    on="key",
                )
                continue
            by_answer.append((found, tuple(self.preset_list(value, path + (str(key),)))))
        return (), tuple(by_answer)

    def preset_list(self, raw: Any, path: DocPath) -> list[str]:
        """A list of preset reasons, each short enough for a button."""
        presets = []
        for where, word in self.p.string_list(raw, path, f"{self.label}: 'reasons'"):
            if len(word) > MAX_OPTION:
                self.p.fail(
                    where,
                    f"{self.label}: the preset reason is longer than {MAX_OPTION} characters",
                )
            presets.append(word)
        return presets

    def each(self, sets: str | None) -> str | None:
        """The repeating milestone whose every occurrence asks this item again."""
        p, path, label = self.p, self.path + ("each",), self.label
        name = p.milestone(self.shape["each"], path, f"{label}: 'each'")
        if name is None:
            return None
        if not p.milestones[name].repeats:
            p.fail(
                path,
                f"{label}: 'each' asks again for every occurrence, but '{name}' happens once; "
                "mark it 'repeats: true' in milestones.yaml or use 'when'",
            )
            return None
        if sets is not None:
            p.fail(path, f"{label}: an item asked per occurrence cannot also 'set' a milestone")
            return None
        return name

    def same_as(self, pid: str | None) -> str | None:
        """The item of another playbook this one is the same fact as ("playbook/item")."""
        p, path, label = self.p, self.path + ("same-as",), self.label
        value = self.shape["same-as"]
        match = SAME_AS.match(value) if isinstance(value, str) else None
        if match is None:
            p.fail(
                path,
                f"{label}: 'same-as' names an item of another playbook, like bad-character/pnc-record",
            )
            return None
        if match.group(1) == pid:
            p.fail(
                path, f"{label}: 'same-as' names an item of this playbook; use one item instead"
            )
            return None
        return str(value)

    def offered(
        self,
        answers: tuple[str, ...],
        iid: str | None,
        earlier: dict[str, Item],
        all_ids: set[str],
    ) -> tuple[tuple[str, Condition], ...]:
        """Answers offered only while a condition holds: {na: {when: {related-found: none}}}."""
        p, path, label = self.p, self.path + ("answers",), self.label
        raw = self.shape["answers"]
        if not isinstance(raw, dict) or not raw:
            p.fail(
                path,
                f"{label}: 'answers' maps an answer to when it is offered, like {{na: {{when: {{pnc: no}}}}}}",
            )
            return ()
        offered: list[tuple[str, Condition]] = []
        for key, value in raw.items():
            where = path + (str(key),)
            word = as_answer(key)
            found = _match_answer(word, answers) if word is not None else None
            if found is None:
                p.fail(
                    where,
                    f"{label}: 'answers' names '{word}', {self.cannot_give(str(word), answers)}",
                    on="key",
                )
                continue
            shape = p.mapping(
                value, where, f"{label}: 'answers' for '{found}'", ("when",), ("when",)
            )
            if not shape or "when" not in shape:
                continue
            condition = _ConditionReader(p, label, iid, earlier, all_ids).read(
                shape["when"], where + ("when",)
            )
            if condition is not None:
                offered.append((found, condition))
        return tuple(offered)

    def exclusive(self, options: list[str]) -> tuple[str, ...]:
        """Options that cannot be ticked with any other ("none")."""
        p, path, label = self.p, self.path + ("exclusive",), self.label
        chosen = []
        for where, word in p.string_list(self.shape["exclusive"], path, f"{label}: 'exclusive'"):
            found = _match_answer(word, tuple(options))
            if found is None:
                p.fail(
                    where,
                    f"{label}: 'exclusive' names '{word}', which is not one of its options{did_you_mean(word, options)}",
                )
            else:
                chosen.append(found)
        return tuple(chosen)

    def escalate(self) -> Duration | None:
        p, path, label = self.p, self.path + ("escalate",), self.label
        if "due" not in self.shape:
            p.fail(path, f"{label}: 'escalate' needs a 'due' rule to count from", on="key")
            return None
        shape = p.mapping(
            self.shape["escalate"], path, f"{label}: 'escalate'", ("after",), ("after",)
        )
        if not shape or "after" not in shape:
            return None
        return p.duration(shape["after"], path + ("after",), f"{label}: 'escalate' after")

    def date_range(self) -> str:
        value = self.shape["dates"]
        if value in DATE_RANGES:
            return str(value)
        self.p.fail(
            self.path + ("dates",), f"{self.label}: 'dates' should be {_quoted(DATE_RANGES)}"
        )
        return "past"

    def opens(self, answers: tuple[str, ...], pid: str | None) -> tuple[tuple[str, str], ...]:
        p, path, label = self.p, self.path + ("open",), self.label
        raw = self.shape["open"]
        if not isinstance(raw, dict) or not raw:
            p.fail(
                path,
                f"{label}: 'open' should map an answer to a playbook, such as {{yes: bad-character}}",
            )
            return ()
        opens: list[tuple[str, str]] = []
        for key, target in raw.items():
            word = as_answer(key)
            found = _match_answer(word, answers) if word is not None else None
            if found is None:
                p.fail(
                    path + (str(key),),
                    f"{label}: 'open' names '{word}', {self.cannot_give(str(word), answers)}",
                    on="key",
                )
                continue
            target_id = p.identifier(target, path + (str(key),), f"{label}: 'open' target")
            if target_id is not None and target_id == pid:
                p.fail(path + (str(key),), f"{label}: an item cannot open its own playbook")
            elif target_id is not None:
                opens.append((found, target_id))
        return tuple(opens)

    def number(self, key: str) -> float | None:
        value = self.shape[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.p.fail(self.path + (key,), f"{self.label}: '{key}' should be a number")
            return None
        return float(value)


def _relation(word: str) -> Literal["within", "before"]:
    return "within" if word == "within" else "before"


def _match_answer(word: str | None, answers: tuple[str, ...]) -> str | None:
    """Find the answer a trainer meant, ignoring case; 'n/a' means 'na'."""
    if word is None:
        return None
    wanted = word.strip().lower()
    if wanted == "n/a":
        wanted = "na"
    for answer in answers:
        if answer.lower() == wanted:
            return answer
    return None


class _ConditionReader:
    """Reads a `when` condition, checking every item and milestone it names."""

    def __init__(
        self,
        parser: _Parser,
        label: str,
        own_id: str | None,
        earlier: Mapping[str, Item],
        all_ids: set[str],
    ) -> None:
        self.p = parser
        self.label = label
        self.own_id = own_id
        self.earlier = earlier
        self.all_ids = all_ids

    def read(self, value: Any, path: DocPath) -> Condition | None:
        if not isinstance(value, dict) or not value:
            self.p.fail(
                path, f"{self.label}: a condition should be a mapping such as {{pnc-record: yes}}"
            )
            return None
        parts: list[Condition] = []
        failed = False
        for key, operand in value.items():
            part = self.part(str(key), operand, path + (str(key),))
            if part is None:
                failed = True
            else:
                parts.append(part)
        if failed:
            return None
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def part(self, key: str, operand: Any, path: DocPath) -> Condition | None:
        p, label = self.p, self.label
        if key == "milestone":
            names = [
                p.milestone(word, where, f"{label}: 'when'")
                for where, word in p.string_list(operand, path, f"{label}: 'milestone'")
            ]
            if not names or None in names:
                return None
            return MilestoneRecorded(frozenset(name for name in names if name))
        if key in ("all", "any"):
            if not isinstance(operand, list) or not operand:
                p.fail(path, f"{label}: '{key}' should be a list of conditions")
                return None
            parts = [self.read(entry, path + (index,)) for index, entry in enumerate(operand)]
            if any(part is None for part in parts):
                return None
            joined = tuple(part for part in parts if part is not None)
            return AllOf(joined) if key == "all" else AnyOf(joined)
        if key == "not":
            inner = self.read(operand, path)
            return Not(inner) if inner is not None else None
        return self.answer(key, operand, path)

    def answer(self, key: str, operand: Any, path: DocPath) -> Condition | None:
        p, label = self.p, self.label
        if key == self.own_id:
            p.fail(path, f"{label}: the condition names the item itself", on="key")
            return None
        item = self.earlier.get(key)
        if item is None:
            if key in self.all_ids:
                p.fail(
                    path,
                    f"{label}: the condition names '{key}', which comes later; a condition may only name earlier items",
                    on="key",
                )
            else:
                hint = p.hint(key, ["milestone", "all", "any", "not", *self.earlier])
                p.fail(
                    path,
                    f"{label}: the condition names '{key}', which is not an item in this playbook{hint}",
                    on="key",
                )
            return None
        if item.each:
            p.fail(
                path,
                f"{label}: the condition names '{key}', which is asked per occurrence of "
                f"'{item.each}'; a condition needs an item with one answer",
                on="key",
            )
            return None
        if item.type not in ANSWER_TYPES:
            p.fail(
                path,
                f"{label}: the condition names '{key}', a {item.type} item; conditions can only test yes-no, yes-no-na, choice and multi items",
                on="key",
            )
            return None
        values: set[str] = set()
        for where, word in p.string_list(operand, path, f"{label}: the condition on '{key}'"):
            found = _match_answer(word, item.answers)
            if found is None:
                choices = _quoted(item.answers)
                hint = p.hint(word, item.answers) if item.type in ("choice", "multi") else ""
                p.fail(
                    where,
                    f"{label}: '{key}' cannot be answered '{word}'{hint}; its answers are {choices}",
                )
                return None
            values.add(found)
        return AnswerIs(key, frozenset(values)) if values else None


def parse(data: Any, milestones: Mapping[str, Milestone]) -> Playbook:
    """Build a Playbook from loaded YAML data, or raise PlaybookInvalid with every problem."""
    parser = _Parser(milestones)
    playbook = parser.playbook(data)
    problems = list(parser.problems)
    for item in never_live(parser.built):
        problems.append(
            Problem(
                item.path + ("when",),
                f"item '{item.id}': can never be asked, because its 'when' condition can never "
                "hold, whatever is answered",
                on="key",
            )
        )
    if problems or playbook is None:
        raise PlaybookInvalid(problems or [Problem((), "the playbook could not be read")])
    return playbook


def parse_milestones(data: Any) -> dict[str, Milestone]:
    """Build the milestone catalogue from milestones.yaml data, or raise PlaybookInvalid."""
    parser = _Parser({})
    top = parser.mapping(data, (), "milestones.yaml", ("milestones",), ("milestones",))
    found: dict[str, Milestone] = {}
    later: dict[str, list[tuple[DocPath, str]]] = {}
    raw = top.get("milestones") if top else None
    if top is not None and "milestones" in top and (not isinstance(raw, dict) or not raw):
        parser.fail(
            ("milestones",), "'milestones' should map each milestone id to its title and phrase"
        )
    for key, value in raw.items() if isinstance(raw, dict) else ():
        path: DocPath = ("milestones", str(key))
        name = parser.identifier(key, path, "the milestone id")
        what = f"milestone '{key}'"
        shape = parser.mapping(value, path, what, MILESTONE_KEYS, ("title",))
        if shape is None or name is None or "title" not in shape:
            continue
        title = parser.text(shape["title"], path + ("title",), f"{what}: the title", MAX_TITLE)
        phrase = title.lower() if title else None
        if "phrase" in shape:
            phrase = parser.text(
                shape["phrase"], path + ("phrase",), f"{what}: the phrase", MAX_TITLE
            )
        dates = shape.get("dates", "past")
        if dates not in DATE_RANGES:
            parser.fail(path + ("dates",), f"{what}: 'dates' should be {_quoted(DATE_RANGES)}")
        repeats = False
        if "repeats" in shape:
            repeats = (
                parser.flag(shape["repeats"], path + ("repeats",), f"{what}: 'repeats'") is True
            )
        before: list[tuple[DocPath, str]] = []
        if "not-before" in shape:
            before = parser.string_list(
                shape["not-before"], path + ("not-before",), f"{what}: 'not-before'"
            )
        if title and phrase and dates in DATE_RANGES:
            found[name] = Milestone(
                name, title, phrase, str(dates), repeats, tuple(word for _where, word in before)
            )
            later[name] = before
    for name, before in later.items():
        for where, word in before:
            if word not in found:
                hint = did_you_mean(word, found)
                parser.fail(
                    where,
                    f"milestone '{name}': 'not-before' names '{word}', which is not a milestone{hint}",
                )
            elif word == name:
                parser.fail(where, f"milestone '{name}': 'not-before' names the milestone itself")
    if parser.problems:
        raise PlaybookInvalid(parser.problems)
    return found


def parse_force_settings(data: Any) -> dict[str, Duration]:
    """Read a force's overrides of setting defaults (settings.yaml), or raise PlaybookInvalid."""
    parser = _Parser({})
    top = parser.mapping(data, (), "settings.yaml", ("settings",), ("settings",))
    raw = top.get("settings") if top else None
    values: dict[str, Duration] = {}
    if top is not None and "settings" in top and not isinstance(raw, dict):
        parser.fail(
            ("settings",),
            "'settings' should map each setting name to a duration, such as {review-every: 28d}",
        )
    for key, value in raw.items() if isinstance(raw, dict) else ():
        name = parser.identifier(key, ("settings", str(key)), "the setting name")
        span = parser.duration(value, ("settings", str(key)), f"setting '{key}'")
        if name and span and not span.setting:
            values[name] = span
    if parser.problems:
        raise PlaybookInvalid(parser.problems)
    return values


@dataclass(frozen=True, slots=True)
class Sourced:
    """A parsed playbook with the label of where it came from (a file name, for messages)."""

    source: str
    playbook: Playbook


def library_problems(
    library: Iterable[Sourced],
    known_ids: Iterable[str] = (),
    force_settings: Mapping[str, Duration] | None = None,
) -> list[tuple[str, Problem]]:
    """Check what no single playbook can: duplicate ids, open targets, setting defaults.

    `known_ids` are playbooks that exist beside the ones checked (an `open` may name them).
    """
    entries = list(library)
    problems: list[tuple[str, Problem]] = []
    first_seen: dict[str, str] = {}
    for entry in entries:
        pid = entry.playbook.id
        if pid in first_seen:
            problems.append(
                (
                    entry.source,
                    Problem(
                        ("playbook",),
                        f"the playbook id '{pid}' is already used by {first_seen[pid]}",
                    ),
                )
            )
        else:
            first_seen[pid] = entry.source
    ids = set(first_seen) | set(known_ids)
    defaults: dict[str, tuple[Duration, str]] = {}
    hints = itertools.count()
    for entry in entries:
        for item in entry.playbook.items:
            for answer, target in item.opens:
                if target not in ids:
                    hint = did_you_mean(target, ids) if next(hints) < MAX_HINTS else ""
                    problems.append(
                        (
                            entry.source,
                            Problem(
                                item.path + ("open", answer),
                                f"item '{item.id}': 'open' names the playbook '{target}', which does not exist{hint}",
                            ),
                        )
                    )
        for use in entry.playbook.settings:
            if use.name not in defaults:
                defaults[use.name] = (use.default, entry.source)
            elif defaults[use.name][0] != use.default:
                earlier, where = defaults[use.name]
                problems.append(
                    (
                        entry.source,
                        Problem(
                            use.path + ("default",),
                            f"the setting '{use.name}' has default {use.default} here but {earlier} in {where}; give it one default",
                        ),
                    )
                )
    return (
        problems
        + _same_as_problems(entries, ids)
        + _unknown_settings(force_settings or {}, defaults)
    )


def _same_as_problems(
    entries: list[Sourced], known_ids: Collection[str] = ()
) -> list[tuple[str, Problem]]:
    """Each `same-as` must name an item of another playbook that asks for the same kind of answer.

    A playbook that exists beside the ones checked (`known_ids`, as for `open`) is not read
    here: its item is checked when the folder is validated as a whole.
    """
    by_id = {entry.playbook.id: entry.playbook for entry in entries}
    problems = []
    for entry in entries:
        for item in entry.playbook.items:
            if item.same_as is None:
                continue
            pid, iid = item.same_as.split("/", 1)
            message = None
            target_playbook = by_id.get(pid)
            if target_playbook is None and pid in known_ids:
                continue
            target = None
            if target_playbook is not None:
                target = next((other for other in target_playbook.items if other.id == iid), None)
            if target_playbook is None:
                message = f"'same-as' names the playbook '{pid}', which is not here{did_you_mean(pid, by_id)}"
            elif target is None:
                known = [other.id for other in target_playbook.items]
                message = f"'same-as' names '{iid}', which is not an item of '{pid}'{did_you_mean(iid, known)}"
            elif target.same_as is not None:
                message = f"'same-as' names {item.same_as}, which is itself the same as {target.same_as}; name {target.same_as}"
            elif (target.type, target.answers) != (item.type, item.answers):
                message = f"'same-as' names {item.same_as}, a {target.type} item with other answers; the same fact needs the same answers"
            elif item.each or target.each:
                message = "an item asked per occurrence cannot be the same fact as another"
            if message:
                problems.append(
                    (
                        entry.source,
                        Problem(item.path + ("same-as",), f"item '{item.id}': {message}"),
                    )
                )
    return problems


def _unknown_settings(
    force_settings: Mapping[str, Duration], defaults: Mapping[str, object]
) -> list[tuple[str, Problem]]:
    problems = []
    for name in force_settings:
        if name not in defaults and name not in RETENTION_SETTINGS:
            problems.append(
                (
                    "settings.yaml",
                    Problem(
                        ("settings", name),
                        f"no playbook uses a setting called '{name}'{did_you_mean(name, defaults)}",
                        on="key",
                    ),
                )
            )
    return problems
