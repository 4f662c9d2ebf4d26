"""The measures forces report on, each counted over the runs where it applies.

They name shipped playbooks' items by id: a test checks every one exists, so a trainer who
renames an item learns it here rather than from a report quietly showing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.reports.oversight import ItemFacts, Oversight, RunFacts

SETTLED = ("done", "not-done", "na")


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure: which playbook it reads, and for each run whether it applies and is met."""

    id: str
    title: str
    playbook: str
    items: tuple[str, ...]
    #: Given a run's facts by item id: None when the measure does not apply, else met or not.
    test: Callable[[dict[str, ItemFacts]], bool | None]


@dataclass(frozen=True, slots=True)
class Result:
    """How many runs met a measure, out of those it applies to."""

    id: str
    title: str
    met: int
    of: int

    @property
    def share(self) -> float | None:
        """The share met, 0 to 1 (None when it applied to no run)."""
        return self.met / self.of if self.of else None


def _answered(item_id: str) -> Callable[[dict[str, ItemFacts]], bool | None]:
    """Met once the item is answered (with a reason where one is needed)."""

    def test(items: dict[str, ItemFacts]) -> bool | None:
        facts = items.get(item_id)
        if facts is None or facts.status == "not-live":
            return None
        return facts.status in SETTLED

    return test


def _yes(item_id: str) -> Callable[[dict[str, ItemFacts]], bool | None]:
    """Met when the item's answer is yes; counted once it is answered or overdue."""

    def test(items: dict[str, ItemFacts]) -> bool | None:
        facts = items.get(item_id)
        if facts is None or facts.status == "not-live":
            return None
        if facts.status not in SETTLED and facts.days_over == 0:
            return None
        return facts.value == "yes"

    return test


def _yes_where_due(item_id: str) -> Callable[[dict[str, ItemFacts]], bool | None]:
    """Met when the item's answer is yes; N/A means the duty never arose and counts neither
    way (the MG16 where the review found no bad character)."""
    answered_yes = _yes(item_id)

    def test(items: dict[str, ItemFacts]) -> bool | None:
        facts = items.get(item_id)
        if facts is not None and facts.status == "na":
            return None
        return answered_yes(items)

    return test


def _yes_on_time(item_id: str) -> Callable[[dict[str, ItemFacts]], bool | None]:
    """Met when answered yes by the item's due date; counted once answered or past due."""

    def test(items: dict[str, ItemFacts]) -> bool | None:
        facts = items.get(item_id)
        if facts is None or facts.status == "not-live" or facts.on_time is None:
            return None
        return facts.value == "yes" and facts.on_time

    return test


def _section_considered(section: str) -> Callable[[dict[str, ItemFacts]], bool | None]:
    """Met when every live item of a section is answered; applies once one is live."""

    def test(items: dict[str, ItemFacts]) -> bool | None:
        live = [f for f in items.values() if f.section == section and f.status != "not-live"]
        if not live:
            return None
        return all(facts.status in SETTLED for facts in live)

    return test


MEASURES = (
    Measure("bad-character-considered", "Bad character considered (PNC history obtained)",
            "bad-character", ("pnc-record",), _answered("pnc-record")),
    Measure("mg16-submitted", "MG16 sent with the file where bad character was found",
            "bad-character", ("mg16-sent",), _yes_where_due("mg16-sent")),
    Measure("vps-offered-on-time", "VPS offered within the due time",
            "vps-and-trial", ("vps-offered",), _yes_on_time("vps-offered")),
    Measure("vps-updated-before-trial", "VPS update offered before trial",
            "vps-and-trial", ("vps-update-trial",), _yes_on_time("vps-update-trial")),
    Measure("orders-any-stage", "Protective orders considered: from arrest",
            "protective-orders", ("sro-considered",), _section_considered("any-stage")),
    Measure("orders-bail", "Protective orders considered: on release",
            "protective-orders", ("release-status",), _section_considered("bail")),
    Measure("orders-charge", "Protective orders considered: at charge",
            "protective-orders", ("ro-conditions",), _section_considered("at-charge")),
    Measure("orders-outcome", "Protective orders considered: at the outcome",
            "protective-orders", ("case-outcome",), _section_considered("outcome")),
    Measure("early-advice", "Early advice sought, or the reason recorded",
            "early-advice-and-charge", ("eia-sought",), _answered("eia-sought")),
)  # fmt: skip


def measure(oversight: Oversight) -> list[Result]:
    """Every measure, then Victims' Code timeliness and the suspect-focused share."""
    results = []
    by_playbook: dict[str, list[RunFacts]] = {}
    for _case, run in oversight.runs():
        by_playbook.setdefault(run.playbook.id, []).append(run)
    # Each run's items by id, made once for the measures that read the same playbook.
    by_item: dict[int, dict[str, ItemFacts]] = {}
    for spec in MEASURES:
        verdicts = []
        for run in by_playbook.get(spec.playbook, []):
            items = by_item.get(run.run_id)
            if items is None:
                items = by_item[run.run_id] = {facts.item.id: facts for facts in run.items}
            verdicts.append(spec.test(items))
        counted = [verdict for verdict in verdicts if verdict is not None]
        results.append(Result(spec.id, spec.title, sum(counted), len(counted)))
    results.extend(_focus_measures(oversight))
    return results


def _focus_measures(oversight: Oversight) -> tuple[Result, Result]:
    """Victim-focused items with a due date done by it (the Victims' Code's time limits), and
    of the enquiries done that carry a focus tag, the share aimed at the suspect: one pass."""
    in_time = timed = suspect = tagged = 0
    for _case, run in oversight.runs():
        for facts in run.items:
            focus = facts.item.focus
            if not focus:
                continue
            done = facts.status == "done"
            if done:
                tagged += 1
                suspect += focus == "suspect"
            # N/A means the duty did not arise: it counts neither way.
            if focus == "victim" and facts.status != "na":
                on_time = facts.on_time
                if on_time is not None:
                    timed += 1
                    # Answered in time but "not done" is no update: only a done item counts.
                    in_time += on_time and done
    return (
        Result("victims-code-on-time", "Victims' Code updates on time", in_time, timed),
        Result("suspect-focused", "Enquiries done that are suspect-focused", suspect, tagged),
    )
