"""YAML text to plain data, remembering where every key and value stood in the file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from bot.core.characters import UNSAFE, describe
from bot.core.errors import DocPath, Problem

# libyaml's parser is several times faster than the pure-Python one; both give the same marks.
if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Deeper nesting or more nodes than this is not a playbook; refusing it keeps a hostile file
# (or an alias bomb) from exhausting the stack or the memory.
MAX_DEPTH = 60
MAX_NODES = 200_000

Position = tuple[int, int]
YAML_TAGS = "tag:yaml.org,2002:"
STR_TAG = YAML_TAGS + "str"
INT_TAG = YAML_TAGS + "int"
#: The tags the safe loader gives plain values and collections by itself. A node with any
#: other tag was tagged explicitly, which playbooks never need (and a later, careless loader
#: could run): the tag is refused, and the node read as plain text.
PLAIN_TAGS = frozenset(
    YAML_TAGS + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge")
)


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
    loader = _TrainerLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        raise YamlTrouble(_syntax_message(error), _mark(error)) from None
    except yaml.YAMLError as error:
        position = _reader_position(text, error)
        raise YamlTrouble(
            f"the file cannot be read as YAML: {_first_line(error)}", position
        ) from None
    finally:
        loader.dispose()
    located = Located(None)
    located.troubles.extend(_explicit_tags(text))
    located.troubles.extend(_unsafe_characters(text))
    if node is None:
        located.values[()] = (1, 1)
        return located
    builder = _Builder(loader, located)
    located.data = builder.build(node, (), 0)
    return located


def _explicit_tags(text: str) -> list[tuple[str, Position]]:
    """Every tag written in the text (`!!python/...`, `!foo`, even `!!str`), where it stands."""
    if "!" not in text:  # no tag can be written without one
        return []
    found = []
    for event in yaml.parse(text, Loader=_BaseLoader):
        tag = getattr(event, "tag", None)
        if tag is not None:
            written = "!!" + tag.removeprefix(YAML_TAGS) if tag.startswith(YAML_TAGS) else tag
            mark = event.start_mark
            found.append(
                (
                    f"YAML tags ('{written}') are not used in playbooks; write the value "
                    "plainly, in quotes if it must stay text",
                    (mark.line + 1, mark.column + 1) if mark is not None else (1, 1),
                )
            )
    return found


def _unsafe_characters(text: str) -> list[tuple[str, Position]]:
    """Each line's first control or bidirectional character, where it stands.

    A carriage return is YAML's own line break (files saved on Windows), so it is left to it.
    """
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


class _Builder:
    """Turns a composed node tree into dicts, lists and scalars, noting positions."""

    def check_escapes(self, value: str, where: Position) -> None:
        """Refuse a control character written as an escape ("\\u202e") in a quoted value."""
        found = UNSAFE.search(value)
        lines = {at[0] for _message, at in self.located.troubles}
        if found is not None and where[0] not in lines:
            self.located.troubles.append((_unsafe_message(found.group()), where))

    def __init__(self, loader: Any, located: Located) -> None:
        self.loader = loader
        self.located = located
        self.count = 0

    def build(self, node: yaml.Node, path: DocPath, depth: int) -> Any:
        self.count += 1
        where = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.located.values.setdefault(path, where)
        if depth > MAX_DEPTH:
            raise YamlTrouble("the file is nested too deeply to be a playbook", where)
        if self.count > MAX_NODES:
            raise YamlTrouble(
                "the file is too large to be a playbook (check for anchors and aliases)", where
            )
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(child, path + (index,), depth + 1)
                for index, child in enumerate(node.value)
            ]
        return self.scalar(node, where)

    def mapping(self, node: yaml.MappingNode, path: DocPath, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key_at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.located.troubles.append(
                    ("merge keys ('<<') are not used in playbooks; write the keys out", key_at)
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.located.troubles.append(
                    ("a key must be a plain word, not a list or mapping", key_at)
                )
                continue
            key = self.scalar(key_node, key_at)
            if isinstance(key, bool):
                key = "yes" if key else "no"
            elif key is not None and not isinstance(key, str):
                key = str(key)
            if key in out:
                self.located.troubles.append(
                    (f"the key '{key}' appears twice in the same mapping; keep one", key_at)
                )
                continue
            child: DocPath = path + (key,)
            self.located.keys[child] = key_at
            out[key] = self.build(value_node, child, depth + 1)
        return out

    def scalar(self, node: yaml.Node, where: Position) -> Any:
        # Most scalars are plain text; reading them directly skips PyYAML's generic dispatch.
        if node.tag == STR_TAG:
            self.check_escapes(node.value, where)
            return node.value
        if node.tag not in PLAIN_TAGS:
            return node.value  # an explicit tag, refused where it was found: never constructed
        if node.tag == INT_TAG and node.value.isdigit():
            return int(node.value)
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            raise YamlTrouble(f"this value cannot be read: {_first_line(error)}", where) from None
        except (ValueError, OverflowError):
            raise YamlTrouble("this value cannot be read as a number or date", where) from None
