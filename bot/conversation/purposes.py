"""Asking why, with one tap: the purpose prompts shown before a case or an export.

The law asks that the justification for each consultation and disclosure can be established
(DPA 2018 s.62). A case's purpose is asked at its first view of the day, and remembered from
the access log for the rest of it; an export's purpose is asked every time, because each file
leaves the server on its own.
"""

from __future__ import annotations

from bot.conversation import actions as act
from bot.conversation.replies import Option, Reply
from bot.core.case import Case
from bot.core.consultation import PURPOSES

#: Said with the buttons, so nobody wonders where their answer goes.
KEPT = "Your answer is kept in the access log with the {what}."


def label(purpose: str) -> str:
    """A purpose as a button shows it."""
    return purpose[:1].upper() + purpose[1:]


def case_prompt(case: Case) -> Reply:
    """Ask why a case is being looked at, before anything of it is shown."""
    rows = tuple(
        (Option.of(label(purpose), act.ViewCase(case.id, index)),)
        for index, purpose in enumerate(PURPOSES)
    )
    return Reply(
        f"Why are you looking at {case.ref}? Tap one; it is asked once a day for each case. "
        + KEPT.format(what="view"),
        rows,
    )


def export_prompt() -> Reply:
    """Ask why the team report is being exported, before the file is made."""
    rows = tuple(
        (Option.of(label(purpose), act.ExportFor(index)),)
        for index, purpose in enumerate(PURPOSES)
    )
    return Reply(
        "Why are you exporting the team report? It comes to this chat as a file. Tap one. "
        + KEPT.format(what="export"),
        rows,
    )


def chosen(index: int) -> str:
    """The purpose a button names by its place, or `BadAction` for a place there is not."""
    if index >= len(PURPOSES):
        raise act.BadAction
    return PURPOSES[index]
