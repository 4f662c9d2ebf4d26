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
    #: When a supervisor closed the case, and why; a closed case takes no more answers.
    closed_at: datetime | None = None
    closed_reason: str | None = None

    @property
    def closed(self) -> bool:
        """Tell whether the case is closed."""
        return self.closed_at is not None


def can_see(user: User, case: Case) -> bool:
    """Investigators reach their own cases; supervisors their teams'; administrators every case."""
    if user.role == "admin":
        return True
    if user.role == "supervisor":
        return case.team in user.teams
    return case.officer_id == user.id
