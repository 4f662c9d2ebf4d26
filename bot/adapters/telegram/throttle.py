"""Each person's pace: a burst of updates at once, then a steady rate; the rest are turned away."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    """What to do with one update from one person."""

    ADMIT = "admit"
    #: Turned away, and the person has not been told lately: tell them once.
    TELL = "tell"
    #: Turned away, and they were told a moment ago: say nothing more.
    DROP = "drop"


@dataclass(slots=True)
class _Bucket:
    tokens: float
    filled_at: float
    told_at: float | None = None


class Throttle:
    """A token bucket per person: `burst` updates at once, refilled at `per_minute` a minute.

    An investigator ticking boxes quickly stays well inside it; a stuck key, a script or a
    flood of a thousand messages a minute does not, and is turned away before it reaches the
    database, so other people's taps are not held up behind it.
    """

    #: Buckets kept before the full (idle) ones are forgotten: bounds memory under a flood of ids.
    KEPT = 10_000

    def __init__(
        self,
        burst: int = 20,
        per_minute: float = 60.0,
        tell_every: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.per_second = per_minute / 60.0
        self.tell_every = tell_every
        self.clock = clock
        self._buckets: dict[Hashable, _Bucket] = {}

    def admit(self, person: Hashable) -> Verdict:
        """Take one update from `person`: admitted, or turned away (told once in a while)."""
        now = self.clock()
        bucket = self._buckets.get(person)
        if bucket is None:
            if len(self._buckets) >= self.KEPT:
                self._forget_idle(now)
            bucket = self._buckets[person] = _Bucket(float(self.burst), now)
        else:
            bucket.tokens = min(
                float(self.burst), bucket.tokens + (now - bucket.filled_at) * self.per_second
            )
            bucket.filled_at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.ADMIT
        if bucket.told_at is None or now - bucket.told_at >= self.tell_every:
            bucket.told_at = now
            return Verdict.TELL
        return Verdict.DROP

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets that would be full by now: their people are not sending."""
        refill = self.burst / self.per_second if self.per_second else float("inf")
        for person in [p for p, b in self._buckets.items() if now - b.filled_at >= refill]:
            del self._buckets[person]
