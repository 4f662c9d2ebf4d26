"""One person's pace: a burst goes through, a flood is turned away and told once in a while."""

from __future__ import annotations

from bot.adapters.telegram.throttle import Throttle, Verdict


class FakeClock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_goes_through_then_the_flood_is_told_once_and_dropped():
    """Twenty quick taps are taken; the 21st is told to slow down; the rest are dropped quietly."""
    clock = FakeClock()
    throttle = Throttle(burst=20, per_minute=60, tell_every=30, clock=clock)
    verdicts = [throttle.admit("ann") for _ in range(25)]
    assert verdicts[:20] == [Verdict.ADMIT] * 20
    assert verdicts[20] is Verdict.TELL
    assert verdicts[21:] == [Verdict.DROP] * 4


def test_a_steady_pace_is_never_turned_away():
    """One tap a second, for an hour, is always taken."""
    clock = FakeClock()
    throttle = Throttle(burst=20, per_minute=60, clock=clock)
    for _ in range(3600):
        assert throttle.admit("ann") is Verdict.ADMIT
        clock.now += 1.0


def test_a_thousand_a_minute_lets_through_only_the_burst_and_the_steady_rate():
    """A minute of 1,000 messages: about 20 + 60 taken, told at most twice, the rest dropped."""
    clock = FakeClock()
    throttle = Throttle(burst=20, per_minute=60, tell_every=30, clock=clock)
    verdicts = []
    for _ in range(1000):
        verdicts.append(throttle.admit("flood"))
        clock.now += 0.06
    assert 75 <= verdicts.count(Verdict.ADMIT) <= 81
    assert verdicts.count(Verdict.TELL) == 2
    assert verdicts.count(Verdict.DROP) == 1000 - verdicts.count(Verdict.ADMIT) - 2


def test_one_person_flooding_leaves_another_untouched():
    """While one person floods, another's taps are all taken."""
    clock = FakeClock()
    throttle = Throttle(burst=20, per_minute=60, clock=clock)
    for _ in range(500):
        throttle.admit("flood")
    assert [throttle.admit("ben") for _ in range(10)] == [Verdict.ADMIT] * 10


def test_after_a_pause_the_burst_is_there_again():
    """Twenty seconds without sending refills the whole burst."""
    clock = FakeClock()
    throttle = Throttle(burst=20, per_minute=60, clock=clock)
    for _ in range(30):
        throttle.admit("ann")
    clock.now += 20.0
    assert [throttle.admit("ann") for _ in range(20)] == [Verdict.ADMIT] * 20


def test_a_flood_of_new_ids_does_not_grow_without_bound():
    """Idle people are forgotten once many ids have been seen, and start again with a full burst."""
    clock = FakeClock()
    throttle = Throttle(burst=2, per_minute=60, clock=clock)
    Throttle.KEPT, kept = 100, Throttle.KEPT
    try:
        for person in range(1000):
            throttle.admit(person)
            clock.now += 1.0
        assert len(throttle._buckets) <= 100
    finally:
        Throttle.KEPT = kept
