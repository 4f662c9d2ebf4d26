"""YAML text to plain data, remembering where every key and value stood in the file.

The data is built straight from libyaml's stream of events, in one pass: no node tree is
composed first and walked again, which halves the time a playbook takes to read. An alias
is built by replaying the events its anchor was made from, so every value under it has a
position, and a document whose aliases multiply (an alias bomb) is stopped at `MAX_NODES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from bot.core.characters import UNSAFE, describe
from bot.core.errors import DocPath, Problem
from bot.store.yaml_plain import Unusual, read_plain

# libyaml's parser is several times faster than the pure-Python one; both give the same marks.
if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Deeper nesting or more nodes than this is not a playbook; refusing it keeps a hostile file
# (or an alias bomb) from exhausting the stack or the memory.
MAX_DEPTH = 60
MAX_NODES = 200_000
#: How deep a file is read (not built) past MAX_DEPTH, looking for a syntax error to say first.
QUIET_DEPTH = MAX_DEPTH + 200

Position = tuple[int, int]
YAML_TAGS = "tag:yaml.org,2002:"
STR_TAG = YAML_TAGS + "str"
INT_TAG = YAML_TAGS + "int"
MERGE_TAG = YAML_TAGS + "merge"
#: The tags the safe loader gives plain values and collections by itself. A node with any
#: other tag was tagged explicitly, which playbooks never need (and a later, careless loader
#: could run): the tag is refused, and the node read as plain text.
PLAIN_TAGS = frozenset(
    YAML_TAGS + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge")
)
ScalarEvent = yaml.ScalarEvent


class _TrainerLoader(_BaseLoader):
    """A safe loader where yes/no/on/off stay words; only true and false are booleans.

    YAML 1.1 turns unquoted yes, no, on and off (and Norway's NO) into booleans. Trainers write
    `when: {pnc: yes}` and `reason: [no, na]` and mean the answer words, so those stay strings.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """Resolve a node's tag, remembering scalar answers: playbooks repeat the same words."""
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        key = (value, implicit)
        tag = _SCALAR_TAGS.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(_SCALAR_TAGS) < 50_000:
                _SCALAR_TAGS[key] = tag
        return tag


# Resolution is a pure function of the scalar's text and style, so one cache serves all files.
_SCALAR_TAGS: dict[tuple[Any, Any], str] = {}


_TrainerLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _TrainerLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        [_first],
    )


@dataclass
class Located:
    """Loaded data with the line and column (1-based) of each key and value by path."""

    data: Any
    values: dict[DocPath, Position] = field(default_factory=dict)
    keys: dict[DocPath, Position] = field(default_factory=dict)
    #: Problems the loader found and stepped over (a key given twice, say), to report with the rest.
    troubles: list[tuple[str, Position]] = field(default_factory=list)

    def position(self, problem: Problem) -> Position:
        """Where to point for a problem: its key or value, else the nearest enclosing one."""
        path = problem.path
        table = self.keys if problem.on == "key" else self.values
        if path in table:
            return table[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


class YamlTrouble(Exception):
    """The text is not YAML we accept; carries the problem and where it is."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def load_located(text: str) -> Located:
    """Parse YAML text into plain data with positions, or raise YamlTrouble."""
    troubles = _unsafe_characters(text)
    loader = _TrainerLoader(text)
    located = Located(None, troubles=list(troubles))
    try:
        located.data = read_plain(loader, located.values, located.keys, (MAX_DEPTH, MAX_NODES))
    except (Unusual, yaml.YAMLError):
        # Something only the general reader handles, or a mistake it has to place and word.
        return _load_general(text, troubles)
    finally:
        loader.dispose()
    return located


def _load_general(text: str, troubles: list[tuple[str, Position]]) -> Located:
    """Read any YAML text, placing each thing refused in it; or raise YamlTrouble."""
    loader = _TrainerLoader(text)
    located = Located(None, troubles=list(troubles))
    # No tag can be written without a '!'; without one, nothing looks for them.
    builder = _Builder(loader, located, tagged="!" in text)
    try:
        located.data = builder.document()
    except yaml.MarkedYAMLError as error:
        raise YamlTrouble(_syntax_message(error), _mark(error)) from None
    except yaml.YAMLError as error:
        position = _reader_position(text, error)
        raise YamlTrouble(
            f"the file cannot be read as YAML: {_first_line(error)}", position
        ) from None
    finally:
        loader.dispose()
    return located


def _tag_trouble(event: Any) -> tuple[str, Position]:
    """A tag written in the text (`!!python/...`, `!foo`, even `!!str`), where it stands."""
    tag = event.tag
    written = "!!" + tag.removeprefix(YAML_TAGS) if tag.startswith(YAML_TAGS) else tag
    mark = event.start_mark
    return (
        f"YAML tags ('{written}') are not used in playbooks; write the value "
        "plainly, in quotes if it must stay text",
        (mark.line + 1, mark.column + 1) if mark is not None else (1, 1),
    )


def _noting_tags(parse: Any, tags: list[tuple[str, Position]]) -> Any:
    """The parser's next event, each tag written noted in `tags` on the way.

    A closure, not a method of the builder: a builder holding its own bound method would be a
    reference cycle, left for the cycle collector that reading holds off.
    """

    def next_event() -> Any:
        event = parse()
        if getattr(event, "tag", None) is not None:
            tags.append(_tag_trouble(event))
        return event

    return next_event


def _unsafe_characters(text: str) -> list[tuple[str, Position]]:
    """Each line's first control or bidirectional character, where it stands.

    A carriage return is YAML's own line break (files saved on Windows), so it is left to it.
    """
    # Almost every file has none: one search of the whole text says so without a loop in Python.
    if UNSAFE.search(text) is None:
        return []
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        for match in UNSAFE.finditer(line):
            if match.group() != "\r":
                found.append((_unsafe_message(match.group()), (number, match.start() + 1)))
                break
    return found


def _unsafe_message(char: str) -> str:
    return (
        f"an invisible control character, {describe(char)}, can make this read differently "
        "from what is stored; delete it"
    )


def _mark(error: yaml.MarkedYAMLError) -> Position:
    # A key missing its ':' is noticed a line later; the key itself is where the fix goes.
    key_first = "simple key" in (error.context or "") and error.context_mark is not None
    mark = error.context_mark if key_first else error.problem_mark or error.context_mark
    if mark is None:
        return (1, 1)
    return (mark.line + 1, mark.column + 1)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _reader_position(text: str, error: Exception) -> Position:
    index = getattr(error, "position", None)
    if not isinstance(index, int):
        return (1, 1)
    before = text[:index]
    return (before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    problem = (error.problem or "").strip()
    context = (error.context or "").strip()
    hint = ""
    if "\\t" in problem or "'\\t'" in problem or "tab" in problem.lower():
        hint = "; indent with spaces, never tabs"
    elif "mapping values are not allowed" in problem:
        hint = "; a value that contains ': ' needs quotes, or a key is indented wrongly"
    elif "expected ':'" in problem or "could not find expected" in problem:
        hint = "; check the indentation and that every key ends with ':'"
    elif "found duplicate anchor" in problem or "undefined alias" in problem:
        hint = "; playbooks do not need anchors or aliases"
    said = f"{context}: {problem}" if context and problem else problem or context or "not valid"
    return f"YAML syntax error: {said}{hint}"


def _at(event: Any) -> Position:
    return (event.start_mark.line + 1, event.start_mark.column + 1)


class _Builder:
    """Builds dicts, lists and scalars from the parser's events, noting positions."""

    def text(self, event: Any, where: Position) -> str:
        """A plain or quoted word as written; only a double-quoted one can hold an escape."""
        if event.style == '"':
            self.check_escapes(event.value, where)
        return str(event.value)

    def check_escapes(self, value: str, where: Position) -> None:
        """Refuse a control character written as an escape ("\\u202e") in a quoted value.

        Said once a line: not where a tag or a control character is named already.
        """
        found = UNSAFE.search(value)
        if found is None:
            return
        lines = {at[0] for _message, at in [*self.tags, *self.located.troubles]}
        if where[0] not in lines:
            escape = (_unsafe_message(found.group()), where)
            self.located.troubles.append(escape)
            self.escapes.append(escape)

    def __init__(self, loader: Any, located: Located, tagged: bool = False) -> None:
        self.loader = loader
        self.located = located
        #: Whether the text may hold tags; the tags found, each where it is written; and the
        #: escapes named, to be taken back when a tag later in the file is on the same line.
        self.tagged = tagged
        self.tags: list[tuple[str, Position]] = []
        self.escapes: list[tuple[str, Position]] = []
        self.count = 0
        #: Each anchor's events, to replay for an alias; and where each anchor was first set.
        self.anchors: dict[str, list[Any]] = {}
        self.anchored_at: dict[str, Any] = {}
        self._replays: list[Any] = []  # iterators of events being replayed for aliases
        self._recordings: list[list[Any]] = []  # events of anchored nodes being read
        self._replayed = False  # whether the last event came from a replay
        self._quiet = 0  # inside a value that is skipped: read, but nothing built
        # The first value that cannot be built: said once the whole file has been read, so
        # that a syntax error anywhere is said first, as libyaml finds those before building.
        self.deferred: YamlTrouble | None = None
        self._parse = loader.get_event
        self._get_event = _noting_tags(self._parse, self.tags) if tagged else self._parse

    def next(self) -> Any:
        """The next event: from an alias being replayed, else from the parser."""
        while self._replays:
            event = next(self._replays[-1], None)
            if event is not None:
                self._replayed = True
                return event
            self._replays.pop()
        self._replayed = False
        event = self._get_event()
        if self._recordings:
            for recording in self._recordings:
                recording.append(event)
        return event

    def document(self) -> Any:
        """The single document's data (None for an empty stream), with tags among the troubles."""
        try:
            data = self._document()
        except (yaml.composer.ComposerError, YamlTrouble):
            # Refused before the end of the text: a syntax error further on is said instead,
            # as when tags were looked for in a pass of their own before anything was built.
            if self.tagged:
                self._drain()
            raise
        if self.tags:
            lines = {at[0] for _message, at in self.tags}
            kept = [
                t for t in self.located.troubles if t not in self.escapes or t[1][0] not in lines
            ]
            self.located.troubles = [*self.tags, *kept]
        return data

    def _drain(self) -> None:
        """Read the rest of the text, for the syntax error it may hold."""
        while not isinstance(self._parse(), yaml.StreamEndEvent | None):
            pass

    def _document(self) -> Any:
        self.next()  # the stream's start
        event = self.next()
        if isinstance(event, yaml.StreamEndEvent):
            self.located.values[()] = (1, 1)
            return None
        document_start = event
        data = self.node(self.next(), (), 0)
        self.next()  # the document's end
        event = self.next()
        if not isinstance(event, yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                document_start.start_mark,
                "but found another document",
                event.start_mark,
            )
        if self.deferred is not None:
            raise self.deferred
        return data

    def defer(self, trouble: YamlTrouble) -> None:
        """Keep the first value that cannot be built, and read the rest without building."""
        if self.deferred is None:
            self.deferred = trouble
            self._quiet += 1  # for good: nothing more is built

    def node(self, event: Any, path: DocPath, depth: int) -> Any:
        """Build the node that starts with `event`."""
        kind = type(event)
        if (
            kind is ScalarEvent
            and event.anchor is None
            and not self._quiet
            and depth <= MAX_DEPTH
            and self.count < MAX_NODES
        ):
            # Most of a playbook: a plain value, built here without the general path.
            self.count += 1
            where = (event.start_mark.line + 1, event.start_mark.column + 1)
            self.located.values.setdefault(path, where)
            tag = _SCALAR_TAGS.get((event.value, event.implicit)) if event.tag is None else None
            if tag == STR_TAG:
                return self.text(event, where)
            return self.scalar(event, where)
        if kind is yaml.AliasEvent:
            events = self._alias(event)
            if self._quiet:
                return None
            if any(events is recording for recording in self._recordings):
                # The anchor's node holds this alias of itself: it would never end.
                self.defer(
                    YamlTrouble("the file is nested too deeply to be a playbook", _at(event))
                )
                return None
            self._replays.append(iter(events))
            return self.node(self.next(), path, depth)
        recording = self._anchor(event)
        try:
            return self._build(event, path, depth)
        finally:
            if recording is not None:
                self._recordings.remove(recording)

    def _alias(self, event: Any) -> list[Any]:
        events = self.anchors.get(event.anchor)
        if events is None:
            raise yaml.composer.ComposerError(
                None, None, "found undefined alias", event.start_mark
            )
        return events

    def _anchor(self, event: Any) -> list[Any] | None:
        """Start recording an anchored node's events (not again when it is replayed)."""
        anchor = getattr(event, "anchor", None)
        if anchor is None or self._replayed:
            return None
        if anchor in self.anchored_at:
            raise yaml.composer.ComposerError(
                "found duplicate anchor; first occurrence",
                self.anchored_at[anchor],
                "second occurrence",
                event.start_mark,
            )
        self.anchored_at[anchor] = event.start_mark
        recording = [event]
        self.anchors[anchor] = recording
        self._recordings.append(recording)
        return recording

    def _build(self, event: Any, path: DocPath, depth: int) -> Any:
        where = _at(event)
        if not self._quiet:
            self.count += 1
            self.located.values.setdefault(path, where)
            if depth > MAX_DEPTH:
                self.defer(YamlTrouble("the file is nested too deeply to be a playbook", where))
            elif self.count > MAX_NODES:
                self.defer(
                    YamlTrouble(
                        "the file is too large to be a playbook (check for anchors and aliases)",
                        where,
                    )
                )
        if depth > QUIET_DEPTH:  # Read, not built, but not without end either.
            raise self.deferred or YamlTrouble(
                "the file is nested too deeply to be a playbook", where
            )
        if isinstance(event, yaml.MappingStartEvent):
            return self.mapping(path, depth)
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            while not isinstance(event := self.next(), yaml.SequenceEndEvent):
                items.append(self.node(event, path + (len(items),), depth + 1))
            return items
        return None if self._quiet else self.scalar(event, where)

    def skip(self, event: Any, depth: int) -> None:
        """Read a node that is not kept (a key's value given twice, say), building nothing."""
        self._quiet += 1
        try:
            self.node(event, (), depth)
        finally:
            self._quiet -= 1

    def mapping(self, path: DocPath, depth: int) -> dict[Any, Any] | None:
        out: dict[Any, Any] = {}
        while not isinstance(key_event := self.next(), yaml.MappingEndEvent):
            if (
                type(key_event) is ScalarEvent
                and key_event.anchor is None
                and key_event.tag is None
                and not self._quiet
                and _SCALAR_TAGS.get((key_event.value, key_event.implicit)) == STR_TAG
            ):
                # Most keys: a plain word, neither a merge key nor given as a number.
                key_at = _at(key_event)
                key = self.text(key_event, key_at)
                if key in out:
                    self._trouble(
                        f"the key '{key}' appears twice in the same mapping; keep one", key_at
                    )
                    self.skip(self.next(), depth + 1)
                    continue
                child: DocPath = path + (key,)
                self.located.keys[child] = key_at
                value = self.next()
                if (
                    type(value) is ScalarEvent
                    and value.anchor is None
                    and value.tag is None
                    and depth < MAX_DEPTH
                    and self.count < MAX_NODES
                    and _SCALAR_TAGS.get((value.value, value.implicit)) == STR_TAG
                ):
                    # The commonest value of all, a plain word, taken as it is.
                    self.count += 1
                    value_at = _at(value)
                    self.located.values.setdefault(child, value_at)
                    out[key] = self.text(value, value_at)
                else:
                    out[key] = self.node(value, child, depth + 1)
                continue
            aliased = isinstance(key_event, yaml.AliasEvent)
            if aliased:
                # An alias of a plain word is that word; of a list or mapping, not a key.
                key_event = self._alias(key_event)[0]
            scalar = isinstance(key_event, yaml.ScalarEvent)
            if scalar and not aliased and (recording := self._anchor(key_event)) is not None:
                self._recordings.remove(recording)  # a word's events are the word alone
            key_at = _at(key_event)
            if scalar and self._tag(key_event) == MERGE_TAG:
                self._trouble(
                    "merge keys ('<<') are not used in playbooks; write the keys out", key_at
                )
                self.skip(self.next(), depth + 1)
                continue
            if not scalar:
                self._trouble("a key must be a plain word, not a list or mapping", key_at)
                if not aliased:
                    self.skip(key_event, depth + 1)
                self.skip(self.next(), depth + 1)
                continue
            if self._quiet:
                self.skip(self.next(), depth + 1)
                continue
            key = self.scalar(key_event, key_at)
            if isinstance(key, bool):
                key = "yes" if key else "no"
            elif key is not None and not isinstance(key, str):
                key = str(key)
            if key in out:
                self._trouble(
                    f"the key '{key}' appears twice in the same mapping; keep one", key_at
                )
                self.skip(self.next(), depth + 1)
                continue
            child = path + (key,)
            self.located.keys[child] = key_at
            out[key] = self.node(self.next(), child, depth + 1)
        return None if self._quiet else out

    def _trouble(self, message: str, where: Position) -> None:
        if not self._quiet:
            self.located.troubles.append((message, where))

    def _tag(self, event: Any) -> str:
        tag = event.tag
        if tag is None or tag == "!":
            tag = _SCALAR_TAGS.get((event.value, event.implicit))
            if tag is None:
                tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        return str(tag)

    def scalar(self, event: Any, where: Position) -> Any:
        tag = self._tag(event)
        # Most scalars are plain text; reading them directly skips PyYAML's generic dispatch.
        if tag == STR_TAG:
            return self.text(event, where)
        if tag not in PLAIN_TAGS:
            return event.value  # an explicit tag, refused where it was found: never constructed
        if tag == INT_TAG and event.value.isdigit():
            return int(event.value)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            self.defer(YamlTrouble(f"this value cannot be read: {_first_line(error)}", where))
        except (ValueError, OverflowError, ArithmeticError, LookupError, TypeError):
            # PyYAML's constructors raise these for text they cannot turn into a value:
            # an empty `!!int`, say.
            self.defer(YamlTrouble("this value cannot be read as a number or date", where))
        return None
