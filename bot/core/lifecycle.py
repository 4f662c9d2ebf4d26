"""The lifecycle every run goes through: its states, the events that move it, and the one
`transitions` machine they make, shared by every run.

Its magic stays here: a run's state is attached to the shared machine only for the moment an
event fires, so no model is ever left registered on it, and a MachineError never leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from transitions import Machine, MachineError

from bot.core.errors import NotAllowed

STATES = (
    "not_started",
    "asking",
    "awaiting_reason",
    "paused",
    "review",
    "submitted",
    "signed_off",
    "returned",
    "moved",
    "closed",
)
#: Where a run can be moved to a newer version of its playbook from: while it takes answers.
MOVABLE = ("asking", "awaiting_reason", "paused", "review", "returned")
#: Run states in which items can still be worked on (and so fall overdue).
UNDER_WAY = ("not_started", *MOVABLE)
# Each event: (name, sources, dest). `submit` is guarded by the run's completeness.
EVENTS: tuple[tuple[str, tuple[str, ...] | str, str], ...] = (
    ("start", "not_started", "asking"),
    ("ask_reason", "asking", "awaiting_reason"),
    ("take_reason", "awaiting_reason", "asking"),
    ("hold", ("asking", "awaiting_reason"), "paused"),
    ("resume", "paused", "asking"),
    ("finish", "asking", "review"),
    # New live items, or a correction, reopen a run for that work, even after sign-off.
    ("reopen", ("review", "submitted", "signed_off"), "asking"),
    ("submit", "review", "submitted"),
    ("sign_off", "submitted", "signed_off"),
    ("send_back", "submitted", "returned"),
    ("rework", "returned", "asking"),
    ("move", MOVABLE, "moved"),
    # The case is closed: nothing more is asked.
    ("close", ("not_started", *MOVABLE, "submitted", "signed_off"), "closed"),
)
#: Where a run stands, in words, for refusals that tell the user what they can do instead.
STANDING = {
    "not_started": "has not started yet",
    "asking": "is taking answers",
    "awaiting_reason": "is waiting for a reason",
    "paused": "is paused; resume it first",
    "review": "is complete and waiting to be submitted",
    "submitted": "is submitted and waiting for a supervisor",
    "signed_off": "is signed off",
    "returned": "was returned by a supervisor; resume it to make changes",
    "moved": "was moved to a newer version of the checklist, with its answers",
    "closed": "belongs to a closed case; nothing more can change",
}


class Guarded(Protocol):
    """What the machine asks of a run before it may be submitted."""

    def unexplained(self) -> Sequence[object]:
        """Live, required items neither done nor explained."""
        ...


class _Lifecycle:
    """The model the shared machine moves; it only holds a state and asks its run for guards."""

    def __init__(self, run: Guarded, state: str) -> None:
        self.run = run
        self.state = state

    def is_complete(self) -> bool:
        """Guard for `submit`: every live, required item is done or explained."""
        return not self.run.unexplained()


RUN_MACHINE = Machine(
    model=None,
    states=list(STATES),
    transitions=[
        {"trigger": name, "source": list(src) if isinstance(src, tuple) else src, "dest": dest}
        | ({"conditions": "is_complete"} if name == "submit" else {})
        for name, src, dest in EVENTS
    ],
    initial="not_started",
    auto_transitions=False,
)


def fire(run: Guarded, state: str, event: str) -> str:
    """The state an event moves a run to from `state`; refused with where the run stands."""
    lifecycle = _Lifecycle(run, state)
    try:
        # The shared machine's event moves the model it is handed. Attaching the model first
        # (add_model) would bind every trigger onto it and cost more than the move itself.
        moved = RUN_MACHINE.events[event].trigger(lifecycle)
    except MachineError:
        raise NotAllowed(f"That cannot be done now: this run {STANDING[state]}.") from None
    if not moved:
        raise NotAllowed(f"That cannot be done yet: this run {STANDING[state]}.")
    return str(lifecycle.state)
