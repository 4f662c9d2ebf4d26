"""The YAML nearly every playbook is made of, read in one tight pass with positions.

Mappings of plain keys, lists, and values written plainly or in quotes are read here, straight
from libyaml's events. Anything else (an anchor, an alias, a tag, a key that is not a word or
is given twice, a control character written as an escape, a value that cannot be built, nesting
or size past the limits, a second document, a syntax error) raises `Unusual`, and the general
reader in `yaml_source` reads the text again from the start and says what is wrong. What this
reader gives for a text it finishes is what the general reader gives for it.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.core.characters import UNSAFE

Position = tuple[int, int]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
#: Plain values built by PyYAML's own constructors; any other tag is the general reader's.
_BUILT = frozenset(
    "tag:yaml.org,2002:" + name for name in ("int", "float", "bool", "null", "timestamp")
)
_Scalar = yaml.ScalarEvent
_MappingStart = yaml.MappingStartEvent
_MappingEnd = yaml.MappingEndEvent
_SequenceStart = yaml.SequenceStartEvent
_SequenceEnd = yaml.SequenceEndEvent

# The tag of a plain word depends on its text alone (the loader's resolvers are fixed), and
# playbooks repeat the same words: one table serves every file read with the same loader.
_PLAIN_TAGS: dict[str, str] = {}


class Unusual(Exception):
    """The text holds something only the general reader handles."""


def read_plain(
    loader: Any,
    values: dict[Any, Position],
    keys: dict[Any, Position],
    limits: tuple[int, int],
) -> Any:
    """The document's data, noting where each value and key stands; or raise Unusual.

    `limits` are the deepest nesting and the most values the general reader builds.
    """
    reader = _Reader(loader, values, keys, limits)
    get = loader.get_event
    get()  # the stream's start
    if type(get()) is yaml.StreamEndEvent:
        values[()] = (1, 1)
        return None
    data = reader.node(get(), (), 0)
    get()  # the document's end
    if type(get()) is not yaml.StreamEndEvent:
        raise Unusual
    return data


class _Reader:
    """Builds dicts, lists and scalars from the parser's events, noting positions."""

    def __init__(
        self,
        loader: Any,
        values: dict[Any, Position],
        keys: dict[Any, Position],
        limits: tuple[int, int],
    ) -> None:
        self.loader = loader
        self.get = loader.get_event
        self.values = values
        self.keys = keys
        self.depth, self.nodes = limits
        self.count = 0

    def node(self, event: Any, path: tuple[Any, ...], depth: int) -> Any:
        """Build the node that starts with `event`, at `path`."""
        self.count += 1
        if depth > self.depth or self.count > self.nodes:
            raise Unusual
        mark = event.start_mark
        self.values[path] = (mark.line + 1, mark.column + 1)
        kind = type(event)
        if kind is _Scalar:
            return self.scalar(event)
        if kind is not _MappingStart and kind is not _SequenceStart:
            raise Unusual  # an alias
        if event.tag is not None or event.anchor is not None:
            raise Unusual
        if kind is _MappingStart:
            return self.mapping(path, depth)
        items: list[Any] = []
        get = self.get
        while type(event := get()) is not _SequenceEnd:
            items.append(self.node(event, (*path, len(items)), depth + 1))
        return items

    def mapping(self, path: tuple[Any, ...], depth: int) -> dict[str, Any]:
        """The keys and values up to the mapping's end; most values are words, read here."""
        get, keys, values = self.get, self.keys, self.values
        out: dict[str, Any] = {}
        while True:
            key: Any = get()
            if type(key) is not _Scalar:
                if type(key) is _MappingEnd:
                    return out
                raise Unusual
            word = key.value
            if key.tag is not None or key.anchor is not None or word in out:
                raise Unusual
            if key.style:
                if key.style == '"' and UNSAFE.search(word):
                    raise Unusual
            elif self.tag(word) != _STR:
                raise Unusual  # a number, true, null or '<<' as a key
            mark: Any = key.start_mark
            child = (*path, word)
            keys[child] = (mark.line + 1, mark.column + 1)
            value: Any = get()
            if (
                type(value) is _Scalar
                and not value.style
                and value.tag is None
                and value.anchor is None
                and depth < self.depth
                and self.count < self.nodes
                and self.tag(value.value) == _STR
            ):
                # The commonest value of all, a plain word, taken as it is.
                self.count += 1
                mark = value.start_mark
                values[child] = (mark.line + 1, mark.column + 1)
                out[word] = value.value
            else:
                out[word] = self.node(value, child, depth + 1)

    def scalar(self, event: Any) -> Any:
        """A value as the general reader builds it: text, a number, true or false, or null."""
        if event.tag is not None or event.anchor is not None:
            raise Unusual
        value = event.value
        if event.style:  # in quotes, or a block: text whatever it says
            if event.style == '"' and UNSAFE.search(value):
                raise Unusual
            return value
        tag = self.tag(value)
        if tag == _STR:
            return value
        if tag == _INT and value.isdigit():
            return int(value)
        if tag not in _BUILT:
            raise Unusual
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        try:
            return self.loader.construct_object(node, deep=True)
        except (
            yaml.YAMLError,
            ValueError,
            OverflowError,
            ArithmeticError,
            LookupError,
            TypeError,
        ):
            raise Unusual from None

    def tag(self, word: str) -> str:
        """The tag the loader gives a plain (unquoted, untagged) word."""
        tag = _PLAIN_TAGS.get(word)
        if tag is None:
            tag = str(self.loader.resolve(yaml.ScalarNode, word, (True, False)))
            if len(_PLAIN_TAGS) < 50_000:
                _PLAIN_TAGS[word] = tag
        return tag
