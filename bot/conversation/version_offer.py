"""The investigator's offer to move a checklist to a newer version, in a few plain lines."""

from __future__ import annotations

from bot.conversation import actions as act
from bot.conversation.replies import Option, Reply
from bot.services.moving import MoveOffer
from bot.wording.changes import Wording
from bot.wording.labels import counted

#: Changes listed in one message before the rest are counted: a phone screen, not a report.
SHOWN = 12


def _short(ask: str, width: int = 70) -> str:
    return ask if len(ask) <= width else ask[: width - 1].rstrip() + "…"


def offer_reply(offer: MoveOffer, wording: Wording) -> Reply:
    """What changed, what carries over and what to acknowledge, with the buttons to choose."""
    run, changes = offer.run, offer.changes
    old, new = changes.old.version, changes.new.version
    lines = [
        f"Version {new} of '{changes.new.title}' is published; {run.case_ref} is on version "
        f"{old}. Nothing changes unless you move. If you move, your answers to "
        f"{counted(len(offer.carried), 'item')} carry over.",
    ]
    changed: list[str] = []
    required = {item.id for item in changes.newly_required}
    for item in changes.added:
        mark = " (required: acknowledge it)" if item.id in required else ""
        changed.append(f"+ New: “{_short(item.ask)}”{mark}")
    for item in changes.removed:
        changed.append(f"- Removed: “{_short(item.ask)}”")
    for change in changes.changed:
        if change.aspects == ("ask",):
            changed.append(f"~ Reworded: “{_short(change.after.ask)}”")
            continue
        words = "; ".join(wording.change(change))
        changed.append(f"~ Changed: “{_short(change.after.ask)}”: {words}")
        if change.after.id in required:
            changed[-1] += " (now required: acknowledge it)"
    for item in offer.dropped:
        changed.append(f"! Answer again: “{_short(item.ask)}” (its answers changed)")
    lines += changed[:SHOWN]
    if len(changed) > SHOWN:
        lines.append(f"…and {len(changed) - SHOWN} more changes.")
    rid = run.run_id
    if required:
        move = Option.of(
            f"Acknowledge {counted(len(required), 'new required item')} and move",
            act.MoveAcknowledged(rid, offer.target),
        )
    else:
        move = Option.of(f"Move to version {new}", act.Move(rid, offer.target))
    stay = Option.of(f"Stay on version {old}", act.Stay(rid))
    return Reply("\n".join(lines), ((move,), (stay,)))
