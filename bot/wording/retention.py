"""The retention schedule and where closed cases stand under it, in words for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.retention import Due, Schedule

NONE_DUE = "No closed case is due for review or disposal."
STANDINGS = {
    "dispose": "due for disposal",
    "review": "due for review",
    "kept": "kept until its review",
}
COLUMNS = ("CASE", "TEAM", "CLOSED", "REASON", "STANDING", "FROM")


def schedule_line(schedule: Schedule) -> str:
    """The schedule in use, and where each of its periods comes from."""
    source = "the default" if schedule.review_is_default else "settings.yaml"
    review = f"review {schedule.review.in_words()} after a case is closed ({source})"
    if schedule.dispose is None:
        disposal = (
            "disposal: not set, so no case falls due for disposal; that period is the force's "
            "decision (retention-dispose in settings.yaml)"
        )
    else:
        disposal = f"disposal {schedule.dispose.in_words()} after it is closed (settings.yaml)"
    return f"Schedule: {review}; {disposal}."


def due_table(found: Sequence[Due]) -> str:
    """Closed cases as a table: when each was closed and why, and where it stands."""
    rows = [
        (
            due.case.ref,
            due.case.team,
            due.case.closed_on.isoformat(),
            due.case.reason,
            STANDINGS[due.standing],
            (
                due.dispose_on if due.standing == "dispose" and due.dispose_on else due.review_on
            ).isoformat(),
        )
        for due in found
    ]
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [COLUMNS, *rows]
    )
