"""The retention schedule: when a closed case falls due for review, and for disposal.

Management of Police Information asks that records be reviewed to see whether they are still
needed for a policing purpose, and that a decision to keep one be recorded. A closed case is
due for review `retention-review` after it was closed (or after its last review that kept it),
and due for disposal `retention-dispose` after it was closed, if the force has set that period;
a review that kept the case holds it until the next review. How long to keep the bot's copy of
a case is the force's decision (README.md, "Retention"); the defaults only ever ask for a
review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.core.playbook import Duration
from bot.core.schedule import add_days

REVIEW_SETTING = "retention-review"
DISPOSE_SETTING = "retention-dispose"
#: Force settings that no playbook uses: `settings.yaml` may still set them.
RETENTION_SETTINGS = (REVIEW_SETTING, DISPOSE_SETTING)
#: Six years: MoPI's guidance holds police records for a minimum of six years (README.md).
DEFAULT_REVIEW = Duration(72, "mo")

Standing = Literal["kept", "review", "dispose"]


@dataclass(frozen=True, slots=True)
class Schedule:
    """The force's retention schedule: a review period, and a disposal period if it set one."""

    review: Duration
    dispose: Duration | None
    review_is_default: bool

    @classmethod
    def of(cls, settings: Mapping[str, Duration]) -> Schedule:
        """The schedule the force's settings give, with the default review where unset."""
        review = settings.get(REVIEW_SETTING)
        return cls(review or DEFAULT_REVIEW, settings.get(DISPOSE_SETTING), review is None)


@dataclass(frozen=True, slots=True)
class Closed:
    """A closed case, as the retention schedule sees it."""

    case_id: int
    ref: str
    team: str
    closed_on: date
    reason: str
    #: The day of the last review that kept it, if there was one.
    reviewed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Due:
    """Where a closed case stands: kept, due for review or due for disposal, and from when."""

    case: Closed
    standing: Standing
    review_on: date
    dispose_on: date | None


def after(start: date, span: Duration) -> date:
    """The first day after the period of `span` beginning with `start`."""
    if span.unit == "mo":
        return add_days(start, span, ()) + timedelta(days=1)
    return add_days(start, span, ())


def standing(case: Closed, schedule: Schedule, today: date) -> Due:
    """Where a closed case stands today under the schedule."""
    review_on = after(case.reviewed_on or case.closed_on, schedule.review)
    dispose_on = None
    if schedule.dispose is not None:
        dispose_on = after(case.closed_on, schedule.dispose)
        if case.reviewed_on is not None:
            # A review that kept the case holds it until the next one.
            dispose_on = max(dispose_on, review_on)
    if dispose_on is not None and dispose_on <= today:
        return Due(case, "dispose", review_on, dispose_on)
    return Due(case, "review" if review_on <= today else "kept", review_on, dispose_on)
