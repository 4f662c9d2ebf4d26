"""Wording shared by every face of the product."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """Say a count with its noun: '1 section', '3 sections'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


# --- Telegram ------------------------------------------------------------------------------------

NOT_ENROLLED = (
    "This bot is only for enrolled officers. If you should have access, ask your administrator "
    "for an enrolment code."
)
PRIVATE_ONLY = "I only work in a private chat. Please message me directly."
ENROLLED = "Welcome, {name}. You are enrolled as {role} in team {team}."
ENROL_NAME_HINT = (
    "Your Telegram first name is used as your name here; an administrator can change it."
)
NOT_TEXT = (
    "I can only read typed text and button taps. Never send photos, files, contacts or "
    "locations from a case here."
)
SOMETHING_WENT_WRONG = "Something went wrong on our side. Nothing you had answered was lost: send /resume to carry on."
NO_SUCH_BUTTON = "That button no longer works. Send /resume to see where you are."
COMMANDS = (
    ("new", "Open a case by crime reference"),
    ("cases", "Your cases and what is overdue"),
    ("resume", "Carry on where you left off"),
    ("milestone", "Record an arrest, charge, trial date…"),
    ("summary", "Where this checklist stands"),
    ("cancel", "Stop what you are doing"),
    ("help", "What the bot can do"),
)
