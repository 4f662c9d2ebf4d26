"""The totals a supervisor's report shows, worked out from the gathered facts."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from operator import attrgetter

from bot.reports.oversight import AGE_BANDS, OPEN_STATES, CaseFacts, Oversight

#: How many of the most common reasons the report lists.
TOP_REASONS = 12
_SECTION_AND_STATUS = attrgetter("section", "status")


@dataclass(frozen=True, slots=True)
class Completion:
    """Settled items out of live ones, for one section of one playbook, over every run."""

    playbook: str
    title: str
    section: str
    section_title: str
    settled: int
    live: int
    #: How the settled split: done, and not done or N/A (each with its reason).
    done: int = 0
    not_done: int = 0
    na: int = 0


@dataclass(frozen=True, slots=True)
class Intrusion:
    """Requests into victims' own records or devices, over the cases of a report."""

    requests: int
    cases: int

    @property
    def per_case(self) -> float | None:
        """Requests per case (None when the report has no case)."""
        return self.requests / self.cases if self.cases else None


@dataclass(frozen=True, slots=True)
class Workload:
    """One investigator's share of the team's open work."""

    officer: str
    cases: int
    open_runs: int
    open_items: int
    overdue: int
    awaiting_review: int


def completion(oversight: Oversight) -> list[Completion]:
    """Completion by playbook and section, in the playbooks' own order."""
    # Items counted by section and status, run by run, in one pass that Counter makes in C.
    by_playbook: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    titles: dict[tuple[str, str], tuple[str, str]] = {}
    for _case, run in oversight.runs():
        playbook = run.playbook
        for section in playbook.sections:
            titles.setdefault((playbook.id, section.id), (playbook.title, section.title))
        by_playbook[playbook.id].update(map(_SECTION_AND_STATUS, run.items))
    by_section: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for playbook_id, counted in by_playbook.items():
        for (section_id, status), count in counted.items():
            by_section[(playbook_id, section_id)][status] += count
    found = []
    for key, (title, section_title) in titles.items():
        statuses = by_section[key]
        live = statuses.total() - statuses["not-live"]
        if live:
            done, not_done, na = statuses["done"], statuses["not-done"], statuses["na"]
            settled = done + not_done + na
            found.append(
                Completion(key[0], title, key[1], section_title, settled, live, done, not_done, na)
            )
    return found


def overdue_by_age(oversight: Oversight) -> list[tuple[str, int]]:
    """How many open items are overdue, by how long past their due date."""
    counts: Counter[str] = Counter()
    for _case, run in oversight.runs():
        for facts in run.overdue:
            for low, high, label in AGE_BANDS:
                if facts.days_over >= low and (high is None or facts.days_over <= high):
                    counts[label] += 1
    return [(label, counts[label]) for _low, _high, label in AGE_BANDS]


def reasons(oversight: Oversight) -> list[tuple[str, str, int]]:
    """The most common reasons given for not done and N/A: (status, reason, count)."""
    counts: Counter[tuple[str, str]] = Counter()
    for _case, run in oversight.runs():
        for facts in run.items:
            if facts.status in ("not-done", "na") and facts.reason:
                counts[(facts.status, facts.reason)] += 1
    return [(status, reason, n) for (status, reason), n in counts.most_common(TOP_REASONS)]


def workload(oversight: Oversight) -> list[Workload]:
    """Open work per investigator (by officer, not name), busiest first."""
    names: dict[int, str] = {}
    cases: Counter[int] = Counter()
    tallies: dict[int, Counter[str]] = defaultdict(Counter)
    for case in oversight.cases:
        # Every case counts, even one with no checklist started yet.
        names[case.officer_id] = case.officer
        cases[case.officer_id] += 1
        tally = tallies[case.officer_id]
        for run in case.runs:
            if run.state in OPEN_STATES:
                tally["runs"] += 1
                tally["items"] += len(run.with_status("open", "later", "needs-reason"))
                tally["overdue"] += len(run.overdue)
            elif run.state == "submitted":
                tally["review"] += 1
    rows = [
        Workload(
            names[officer],
            cases[officer],
            tallies[officer]["runs"],
            tallies[officer]["items"],
            tallies[officer]["overdue"],
            tallies[officer]["review"],
        )
        for officer in names
    ]
    return sorted(rows, key=lambda row: (-row.open_items, row.officer))


def focus(oversight: Oversight) -> dict[str, int]:
    """Items done, by their focus tag: how much of the work is suspect-focused."""
    counts = Counter({"suspect": 0, "victim": 0, "context": 0})
    for _case, run in oversight.runs():
        for facts in run.items:
            if facts.item.focus and facts.status == "done":
                counts[facts.item.focus] += 1
    return dict(counts)


def intrusion_requests(case: CaseFacts) -> list[tuple[int, str]]:
    """The requests into the victim's own records or devices on one case: each item tagged
    `intrusion` and answered Yes, as (run id, item id), one per fact.

    A fact asked in two playbooks (`same-as`) is one request, counted where it was first met;
    an item asked per occurrence is one request per occurrence.
    """
    seen: set[str] = set()
    found = []
    for run in case.runs:
        playbook = run.playbook
        for facts in run.items:
            if facts.item.focus != "intrusion" or facts.status == "not-live":
                continue
            if facts.value != "yes":
                continue
            key = facts.item.same_as or f"{playbook.id}/{facts.item.id}"
            if key not in seen:
                seen.add(key)
                found.append((run.run_id, facts.item.id))
    return found


def intrusion(oversight: Oversight) -> Intrusion:
    """Requests into victims' own records or devices, and the cases they are spread over."""
    requests = sum(len(intrusion_requests(case)) for case in oversight.cases)
    return Intrusion(requests, len(oversight.cases))
