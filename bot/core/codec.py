"""A parsed playbook as JSON text and back, so a published version is checked once, not at
every start.

Only the model's own classes (the dataclasses of `bot.core.playbook` and `bot.core.condition`)
are written and read back, by name: nothing in the text can make anything else. `SHAPE`
fingerprints those classes' fields, so text written before the model changed is not read as
if it had not: the version is then parsed from its YAML again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from bot.core import condition, playbook
from bot.core.playbook import Playbook


def _model() -> dict[str, type]:
    """The model's classes by name: the dataclasses defined in its two modules."""
    found: dict[str, type] = {}
    for module in (playbook, condition):
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__
            ):
                found[name] = value
    return found


CLASSES = _model()
#: What the model looks like: each class's fields that are set when it is made.
SHAPE = hashlib.sha256(
    ";".join(
        f"{name}:" + ",".join(f"{f.name}={f.type}" for f in dataclasses.fields(cls) if f.init)
        for name, cls in sorted(CLASSES.items())
    ).encode("utf-8")
).hexdigest()[:16]


class Unwritable(ValueError):
    """The playbook holds something this codec does not write: it is parsed instead."""


def encode(book: Playbook) -> str | None:
    """The playbook as JSON text, or None when it holds something the codec does not know."""
    try:
        return json.dumps(_out(book), separators=(",", ":"), ensure_ascii=False)
    except Unwritable:
        return None


def decode(text: str) -> Playbook:
    """The playbook written by `encode` (ValueError when the text is not one)."""
    made = _in(json.loads(text))
    if not isinstance(made, Playbook):
        raise ValueError("the text is not a playbook")
    return made


def _out(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple):
        return {"t": [_out(v) for v in value]}
    if isinstance(value, frozenset):
        return {"s": sorted((_out(v) for v in value), key=repr)}
    if isinstance(value, list):
        return {"l": [_out(v) for v in value]}
    if isinstance(value, dict):
        return {"d": [[_out(k), _out(v)] for k, v in value.items()]}
    name = type(value).__name__
    if CLASSES.get(name) is not type(value) or not dataclasses.is_dataclass(value):
        raise Unwritable(name)
    fields = dataclasses.fields(value)
    return {"c": name, "f": {f.name: _out(getattr(value, f.name)) for f in fields if f.init}}


def _in(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "t" in value:
        return tuple(_in(v) for v in value["t"])
    if "s" in value:
        return frozenset(_in(v) for v in value["s"])
    if "l" in value:
        return [_in(v) for v in value["l"]]
    if "d" in value:
        return {_in(k): _in(v) for k, v in value["d"]}
    cls = CLASSES.get(value.get("c", ""))
    if cls is None:
        raise ValueError(f"not a class of the playbook model: {value.get('c')!r}")
    return cls(**{name: _in(v) for name, v in value["f"].items()})
