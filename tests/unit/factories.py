"""Builders of playbook data for core tests: plain dicts, as a YAML loader would give."""

from __future__ import annotations

from typing import Any

from bot.core.playbook import Milestone

MILESTONES = {
    name: Milestone(name, name.title(), f"the {name}", "any" if name == "trial" else "past")
    for name in ("report", "arrest", "charge", "trial", "suspect-identified")
}


def item(item_id: str, kind: str = "yes-no", **extra: Any) -> dict[str, Any]:
    """One item as a trainer would write it."""
    return {"id": item_id, "ask": f"{item_id}?", "type": kind, **extra}


def playbook_data(*items: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A one-section playbook around the given items."""
    return {
        "playbook": "sample",
        "title": "Sample",
        "version": 1,
        "sections": [{"id": "main", "title": "Main", "items": list(items)}],
        **top,
    }
