"""A case: its key, its team and its officer, and who may see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.people import User


@dataclass(frozen=True, slots=True)
class Case:
    """One investigation, known by its crime reference or a handle the bot issued."""

    id: int
    ref: str
    team: str
    officer_id: int
    opened_at: datetime


def can_see(user: User, case: Case) -> bool:
    """Investigators reach their own cases; supervisors their teams'; administrators every case."""
    if user.role == "admin":
        return True
    if user.role == "supervisor":
        return case.team in user.teams
    return case.officer_id == user.id
