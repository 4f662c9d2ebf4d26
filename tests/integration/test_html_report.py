"""The HTML team report drawn from a real database: what a supervisor opening it would notice.

Three cases of team north, built through the service with the clock moved on by hand: one
escalated, with a reason typed as a script and a challenge; one opened today and offered to
another officer; one finished and signed off. And a team whose name, officer, reason and
challenge are all typed as markup, to show that none of it becomes markup in the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree

import pytest

from bot.core.people import User
from bot.core.playbook import Item
from bot.reports.charts import TITLES, completion, workload
from bot.reports.html import render_html
from bot.reports.oversight import gather
from bot.reports.team import team_dict
from bot.services import access, cases, handover, investigating, supervising
from bot.services.context import Context
from bot.store.db import connect
from bot.store.playbook_files import load_library

from ..apps import enrol, make_app
from ..conftest import PLAYBOOKS_DIR

LIBRARY = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
OPENED = date(2026, 3, 2)  # a Monday
TODAY = date(2026, 3, 23)  # three weeks on
SCRIPT = "<script>alert(1)</script>"
ESCALATED, DUE_SOON, CLOSED = "43/20001/26", "43/20002/26", "43/20003/26"
CHALLENGE = "Has the risk assessment been booked since?"
#: Markup typed where people type: a script, an attribute break-out, and a template expression.
PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ 7*7 }}")
TYPED = " ".join(PAYLOADS)
TYPED_TEAM = f"West {PAYLOADS[1]}"
TYPED_CASE = "43/20004/26"
#: The only URLs an inline SVG may carry: XML namespace names, which nothing fetches.
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def at(day: date) -> datetime:
    """10:00 UTC on a day."""
    return datetime.combine(day, time(10), tzinfo=UTC)


def plain_answer(item: Item, today: date) -> Any:
    """An answer that needs no reason: yes, the first option, today, or an acknowledgement."""
    if item.type in ("yes-no", "yes-no-na"):
        return "yes"
    if item.type == "choice":
        return item.options[0]
    if item.type == "multi":
        return {item.options[0]}
    if item.type == "date":
        return today
    if item.type == "number":
        return int(item.min or 1)
    if item.type == "text":
        return "Reviewed."
    return "ok"


def finish(service: Context, user: User, run_id: int) -> None:
    """Answer every question of a run, in the order they are asked."""
    while (item := access.run(service, user, run_id).current()) is not None:
        investigating.answer(service, user, run_id, item.id, plain_answer(item, service.today()))


def close(service: Context, officer: User, supervisor: User, ref: str) -> None:
    """Finish, submit and sign off every checklist of a case, and any its answers open; then
    the supervisor closes the case."""
    while runs := [
        r for r in cases.runs_of_case(service, officer, ref) if r.state != "signed_off"
    ]:
        for run in runs:
            finish(service, officer, run.run_id)
            investigating.submit(service, officer, run.run_id)
            supervising.sign_off(service, supervisor, run.run_id)
    supervising.close_case(service, supervisor, ref, "convicted and sentenced")


@pytest.fixture(name="service", scope="module")
def _service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    db = connect(tmp_path_factory.mktemp("report") / "soteria.db")
    now = [at(OPENED)]
    service = make_app(db, LIBRARY, clock=lambda: now[0])
    ann = enrol(db, "DC Ann Patel", "investigator", "north", now[0])
    sam = enrol(db, "DC Sam Okafor", "investigator", "north", now[0])
    sergeant = enrol(db, "DS Rob Hale", "supervisor", "north", now[0])

    cases.open_case(service, ann, ESCALATED)
    run = investigating.start_run(service, ann, ESCALATED, "initial-report").run
    assert run is not None
    first = run.current()
    assert first is not None
    assert (
        investigating.answer(service, ann, run.run_id, first.id, "no").run.state
        == "awaiting_reason"
    )
    investigating.give_reason(service, ann, run.run_id, SCRIPT)

    cases.open_case(service, ann, CLOSED)
    investigating.start_run(service, ann, CLOSED, "initial-report")
    close(service, ann, sergeant, CLOSED)

    now[0] = at(TODAY)
    supervising.challenge(service, sergeant, run.run_id, first.id, CHALLENGE)
    cases.open_case(service, sam, DUE_SOON)
    investigating.start_run(service, sam, DUE_SOON, "initial-report")
    handover.offer(service, sergeant, DUE_SOON, ann.id)
    yield service
    db.close()


@pytest.fixture(name="report", scope="module")
def _report(service: Context) -> dict[str, Any]:
    return team_dict(gather(service, teams=["north"]))


@pytest.fixture(name="page", scope="module")
def _page(report: dict[str, Any]) -> str:
    return render_html(report)


def first(pattern: str, text: str, group: int = 0) -> str:
    """The first match of a pattern (which must be there), or one group of it."""
    match = re.search(pattern, text, flags=re.DOTALL)
    assert match, pattern
    return match[group]


def svgs(page: str, layout: str = "page") -> dict[str, str]:
    """Each inline chart by its data-chart key, as drawn for a page or for a phone."""
    charts = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    return {
        first(r'data-chart="([^"]+)"', svg, 1): svg
        for svg in charts
        if f'data-layout="{layout}"' in svg
    }


def row_of(page: str, ref: str) -> str:
    """A case's row of the case table."""
    return first(rf'<tr><th scope="row" data-case="{re.escape(ref)}".*?</tr>', page)


def tile(page: str, label: str) -> int:
    """The number on one of the headline tiles."""
    return int(first(rf"<dt>{re.escape(label)}</dt><dd>(\d+)</dd>", page, 1))


def test_the_page_is_one_html5_document_titled_with_team_and_date(page: str):
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "<title>Team report: north · 23 Mar 2026</title>" in page
    assert "<style>" in page
    assert "<script" not in page.lower()


@pytest.mark.parametrize("layout", ["page", "phone"])
@pytest.mark.parametrize(("key", "title"), TITLES.items())
def test_each_chart_is_inline_svg_labelled_for_screen_readers(
    page: str, key: str, title: str, layout: str
):
    svg = svgs(page, layout)[key]
    assert svg.startswith(f'<svg role="img" aria-label="{title}. ')
    assert "<?xml" not in svg
    assert "<!DOCTYPE" not in svg
    ElementTree.fromstring(svg)  # well-formed, so it embeds as it would stand alone
    assert f"<h2>{title}</h2>" in page


def test_chart_ids_are_unique_across_the_page(page: str):
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for reference in re.findall(r"url\(#([^)]+)\)", page):
        assert reference in ids


def test_cases_are_listed_riskiest_first(page: str, report: dict[str, Any]):
    listed = re.findall(r'<th scope="row" data-case="([^"]+)"', page)
    assert listed == [ESCALATED, DUE_SOON, CLOSED]
    assert [case["risk"] for case in report["cases"]] == ["escalated", "due-soon", "closed"]
    for word in ("Escalated", "Due soon", "Closed"):
        assert f">{word}</span>" in page


def test_a_script_typed_as_a_reason_comes_out_as_text(page: str):
    assert SCRIPT not in page
    table_cell = f"not done</strong>: {SCRIPT.replace('<', '&lt;').replace('>', '&gt;')}"
    assert table_cell in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</text>" in svgs(page)["reasons"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</text>" in svgs(page, "phone")["reasons"]


def test_nothing_in_the_page_points_outside_it(page: str):
    namespaces = re.findall(r'\sxmlns(?::\w+)?="([^"]*)"', page)
    assert set(namespaces) == NAMESPACES
    rest = re.sub(r'\sxmlns(?::\w+)?="[^"]*"', "", page)
    assert "http://" not in rest
    assert "https://" not in rest
    assert "src=" not in rest
    assert "@import" not in rest
    assert "<link" not in rest
    assert re.findall(r"url\((?!#)", rest) == []
    assert re.findall(r'href="(?!#)', rest) == []


def test_the_headline_counts_what_needs_attention(page: str, report: dict[str, Any]):
    overdue = sum(len(run["overdue"]) for case in report["cases"] for run in case["runs"])
    assert overdue > 0
    assert tile(page, "Cases") == 3
    assert tile(page, "Overdue items") == overdue
    assert tile(page, "Cases escalated") == 1
    assert tile(page, "Open challenges") == 1
    assert tile(page, "Awaiting sign-off") == 0
    assert tile(page, "Handovers pending") == 1


def test_a_case_row_shows_progress_overdue_days_challenge_and_handover(
    page: str, report: dict[str, Any]
):
    row = row_of(page, ESCALATED)
    run = report["cases"][0]["runs"][0]
    assert f"<strong>{run['settled']}/{run['live']}</strong>" in row
    worst = run["overdue"][0]
    assert f'<span class="days">{worst["days_overdue"]} days</span>' in row
    assert f"“{CHALLENGE}”" in row
    assert "DS Rob Hale" in row
    assert "in handover to DC Ann Patel" in row_of(page, DUE_SOON)


def test_a_phone_chart_is_drawn_a_phone_wide_with_its_labels_over_the_bars(page: str):
    svg = svgs(page, "phone")["completion"]
    assert 'width="259.2pt"' in svg  # 3.6 inches: at 358 px its 9 pt text is 12 px tall
    # A section's title is a line of text of its own, not a tick label shortened to fit.
    assert ">Rights at the point of report</text>" in svg


def test_a_checklist_bar_tells_done_from_settled_with_a_reason(page: str, report: dict[str, Any]):
    # The escalated case's one answer so far is not done, with a reason: settled, not done.
    run = report["cases"][0]["runs"][0]
    assert run["settled"] == 1
    assert [item["status"] for item in run["not_done_or_na"]] == ["not-done"]
    row = row_of(page, ESCALATED)
    assert f'<span class="part not-done" style="width: {100 / run["live"]:.2f}%"></span>' in row
    assert 'class="part done"' not in row
    assert '<span class="key not-done" aria-hidden="true"></span>1 not done</span>' in row
    closed = row_of(page, CLOSED)
    assert 'class="part done" style="width: 100.00%"' in closed
    assert "not-done" not in closed


@pytest.mark.parametrize("phone", [False, True])
def test_completion_bars_split_where_the_rows_count_done_apart(
    report: dict[str, Any], phone: bool
):
    # Without done, not done and N/A counted apart, a section's bar is one settled figure;
    # with them, the chart draws them apart and keys them.
    settled = [
        {key: value for key, value in row.items() if key not in ("done", "not_done", "na")}
        for row in report["completion"]
    ]
    rows = [
        {**row, "done": row["settled"] - 1, "not_done": 1, "na": 0}
        for row in settled
        if row["settled"]
    ]
    split, whole = completion(rows, phone=phone), completion(settled, phone=phone)
    for words in ("not done, with a reason", "N/A, with a reason"):
        assert f">{words}</text>" in split
        assert words not in whole
    assert "done and N/A with a reason." not in whole
    done = sum(row["done"] for row in rows)
    assert f": {done} done, {len(rows)} not done and 0 N/A with a reason." in split


def test_a_measure_with_no_cases_reads_no_cases_yet(page: str, report: dict[str, Any]):
    assert any(measure["of"] == 0 for measure in report["measures"])
    assert ">no cases yet</text>" in svgs(page)["measures"]
    assert ">no cases yet</text>" in svgs(page, "phone")["measures"]


def test_the_footer_says_who_made_it_when_and_how_to_handle_it(page: str):
    footer = first(r"<footer>.*</footer>", page)
    assert "Generated by soteria-bot on 23 Mar 2026 at 10:00 UTC" in footer
    assert "case references" in footer
    assert "OFFICIAL-SENSITIVE" in footer


def test_a_team_with_no_cases_renders_and_says_so(service: Context):
    page = render_html(team_dict(gather(service, teams=["south"])))
    assert "<title>Team report: south · 23 Mar 2026</title>" in page
    assert "There are no cases for south." in page
    assert tile(page, "Cases") == 0
    assert "No item is overdue." in page
    assert "No checklist has been started yet." in page
    assert set(svgs(page)) <= {"measures"}
    assert set(svgs(page, "phone")) == set(svgs(page))


class Parsed(HTMLParser):
    """A page as a browser would build it: its tags, their attributes, and its text."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(name="typed_page", scope="module")
def _typed_page(service: Context) -> str:
    """The report of a team whose name, officer, reason and challenge were all typed as markup."""
    db = service.uow.db
    officer = enrol(db, PAYLOADS[1], "investigator", TYPED_TEAM, at(TODAY))
    sergeant = enrol(db, f"DS {PAYLOADS[0]}", "supervisor", TYPED_TEAM, at(TODAY))
    cases.open_case(service, officer, TYPED_CASE)
    run = investigating.start_run(service, officer, TYPED_CASE, "initial-report").run
    assert run is not None
    item = run.current()
    assert item is not None
    investigating.answer(service, officer, run.run_id, item.id, "no")
    investigating.give_reason(service, officer, run.run_id, TYPED)
    supervising.challenge(service, sergeant, run.run_id, item.id, TYPED)
    return render_html(team_dict(gather(service, teams=[TYPED_TEAM])))


def test_markup_typed_by_people_makes_no_tag_or_attribute(typed_page: str):
    parsed = Parsed(typed_page)
    assert {"script", "img", "iframe", "object"}.isdisjoint(parsed.tags)
    assert [name for name in parsed.attributes if name.startswith("on") or name == "src"] == []
    for payload in PAYLOADS[:2]:
        assert payload not in typed_page


def test_markup_typed_by_people_reads_as_the_text_they_typed(typed_page: str):
    text = Parsed(typed_page).text
    assert any(chunk.endswith(f": {TYPED}") for chunk in text)  # the reason, in its case
    assert any(f"“{TYPED}”" in chunk for chunk in text)  # the open challenge
    assert f"(DS {PAYLOADS[0]}, " in text  # who asked it
    assert PAYLOADS[1] in text  # the officer
    assert f"Team report: {TYPED_TEAM} · 23 Mar 2026" in text  # the title
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert f"{escaped} {{{{ 7*7 }}}}" in typed_page


def test_a_template_expression_typed_by_people_is_printed_not_worked_out(typed_page: str):
    # The reason and the challenge in the case's row, and the reason in the phone's reasons
    # chart (the page's shortens it); worked out, each would read 49.
    assert typed_page.count("{{ 7*7 }}") == 3


@pytest.mark.parametrize("phone", [True, False])
def test_a_team_with_nothing_open_still_gets_its_workload_chart(phone: bool):
    """Every officer up to date: the chart has a scale, not a warning or an empty axis."""
    rows = [
        {
            "officer": "DC Ann Patel",
            "cases": 1,
            "open_items": 0,
            "overdue": 0,
            "awaiting_review": 1,
        }
    ]
    svg = workload(rows, phone=phone)
    assert svg.startswith('<svg role="img"')
    assert "DC Ann Patel: 0 open items, 0 overdue, 1 checklists awaiting review" in svg
