"""The HTML team report in Debian's Chromium: opens offline and clean, reads on a phone and on a
laptop, prints.

The report is drawn from a team's caseload built through the real service over ten weeks:
four investigators, twenty cases, six checklists, answers with and without reasons, a
challenge, sign-offs and a handover. It is opened 390 px wide, as a phone shows it, and 1280 px
wide. The screenshots it leaves in docs/ are the ones the README shows, so the caseload is meant
to look like a real team's.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from bot.core.errors import InputRefused
from bot.core.people import User
from bot.core.playbook import Item
from bot.reports.charts import TITLES
from bot.reports.html import render_html
from bot.reports.oversight import gather
from bot.reports.team import team_dict
from bot.services import access, cases, events, handover, investigating, supervising
from bot.services.context import Context
from bot.store.db import connect
from bot.store.playbook_files import load_library

from ..apps import enrol, make_app
from ..conftest import PLAYBOOKS_DIR, REPO

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE, LAPTOP = 390, 1280  # CSS pixels wide: a common phone, and a laptop
SCREENSHOTS = {PHONE: REPO / "docs" / "report-390.png", LAPTOP: REPO / "docs" / "report-1280.png"}
SCREEN = 1500  # how much of the page one phone screenshot shows, in CSS pixels
#: The smallest chart text that reads at arm's length, in CSS pixels.
SMALLEST_TEXT = 11
START = date(2026, 1, 5)
DAYS = 70  # the report is read on Monday 16 March 2026
TEAM = "north"
#: Investigators: name, the share of each checklist they get through at a sitting, and how
#: often they answer not done or N/A.
OFFICERS = (
    ("DC Priya Shah", 1.0, 0.04),
    ("DC Tom Reid", 0.9, 0.06),
    ("DC Aisha Khan", 0.6, 0.08),
    ("TDC Ben Cole", 0.4, 0.1),
)
#: Reasons typed rather than picked, as officers do when no button fits.
TYPED_REASONS = (
    "Victim moved out of area; new contact details awaited from the ISVA",
    "Suspect's phone still with digital forensics",
    "CPS lawyer on leave until next week",
)


@dataclass
class Caseload:
    """A team's work, done through the service on the days it happens, clock moving forward."""

    service: Context
    now: list[datetime]
    supervisor: User
    officers: list[tuple[User, float, float]]
    rng: random.Random = field(default_factory=lambda: random.Random(26))
    diary: list[tuple[int, int, Callable[[], object]]] = field(default_factory=list)

    def on(self, day: int, action: Callable[[], object]) -> None:
        """Do something on a day of the ten weeks (days past the last are never reached)."""
        if day <= DAYS:
            self.diary.append((day, len(self.diary), action))

    def play(self) -> None:
        """Do everything in the diary in date order, setting the clock to each day."""
        for day, order, action in sorted(self.diary, key=lambda entry: entry[:2]):
            minutes = (order * 37) % 420  # spread through the working day, 08:00 to 15:00
            self.now[0] = datetime.combine(START + timedelta(days=day), time(8), UTC)
            self.now[0] += timedelta(minutes=minutes)
            action()
        self.now[0] = datetime.combine(START + timedelta(days=DAYS), time(17), UTC)

    def work(self, user: User, run_id: int, share: float, slack: float) -> None:
        """Answer a share of the run's remaining questions, with reasons where asked."""
        run = access.run(self.service, user, run_id)
        left = run.progress()[1] - run.progress()[0]
        for _ in range(max(round(left * share), 1 if share else 0)):
            item = access.run(self.service, user, run_id).current()
            if item is None:
                return
            try:
                outcome = investigating.answer(
                    self.service, user, run_id, item.id, self._value(item, slack)
                )
            except InputRefused:
                # A date that contradicts the case (a review asked for before the NFA it
                # reviews): the officer leaves it for later, as they would.
                investigating.defer(self.service, user, run_id, item.id)
                continue
            if outcome.run is not None and outcome.run.state == "awaiting_reason":
                investigating.give_reason(self.service, user, run_id, self._reason(item))

    def _value(self, item: Item, slack: float) -> Any:
        """An answer an officer might give to this item."""
        today = self.service.today()
        if item.type in ("yes-no", "yes-no-na"):
            if self.rng.random() >= slack:
                return "yes"
            return "na" if "na" in item.reason and self.rng.random() < 0.4 else "no"
        if item.type == "choice":
            return self.rng.choice(item.options)
        if item.type == "multi":
            return {item.options[0]}
        if item.type == "date":
            return today if item.dates == "past" else today + timedelta(days=56)
        if item.type == "text":
            return "Plan reviewed with the officer; next review in 28 days."
        return "ok"

    def _reason(self, item: Item) -> str:
        """A reason picked from the item's list, or now and then typed."""
        if item.reasons and self.rng.random() < 0.85:
            return self.rng.choice(item.reasons)
        return self.rng.choice(TYPED_REASONS)

    def case(self, number: int, ref: str, opened: int) -> None:
        """One case's story: the report and the plan, then suspect and arrest, then reviews."""
        user, share, slack = self.officers[number % len(self.officers)]
        service = self.service

        def open_case() -> None:
            cases.open_case(service, user, ref)

        def start(playbook: str) -> Callable[[], None]:
            def action() -> None:
                investigating.start_run(service, user, ref, playbook)
                catch_up()

            return action

        def milestone(name: str) -> Callable[[], object]:
            # Milestones open the checklists that start on them; the next catch-up works them.
            return lambda: events.record_milestone(service, user, ref, name, service.today())

        def catch_up() -> None:
            for run in cases.runs_of_case(service, user, ref):
                if run.state in ("not_started", "asking"):
                    self.work(user, run.run_id, share, slack)
                now_run = access.run(service, user, run.run_id)
                ready = now_run.state == "review" and not now_run.unexplained()
                if ready and share >= 0.7:
                    investigating.submit(service, user, run.run_id)

        def review() -> None:
            for run in cases.runs_of_case(service, user, ref):
                if run.state != "submitted" or number % 5 == 3:
                    continue  # cases ending in 3 or 8 still wait for the supervisor
                if number % 7 == 6:
                    supervising.send_back(
                        service, self.supervisor, run.run_id, "Add the ISVA's details."
                    )
                else:
                    supervising.sign_off(service, self.supervisor, run.run_id, "Good work.")

        self.on(opened, open_case)
        self.on(opened, start("initial-report"))
        self.on(opened + 1, start("investigation-plan"))
        if number % 3 != 2:
            self.on(opened + 3, milestone("suspect-identified"))
        if number % 2 == 0:
            self.on(opened + 6, milestone("arrest"))
            self.on(opened + 6, start("protective-orders"))
        busy = share < 0.7  # the officers behind with their work catch up less often
        for later in (2, 8, 25) if busy else (2, 4, 8, 11, 18, 25, 40):
            self.on(opened + later, catch_up)
        for later in (16, 33):
            self.on(opened + later, review)


def build_caseload(db: sqlite_utils.Database) -> Context:
    """Twenty cases of one team, worked over ten weeks, read on the last day."""
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    now = [datetime.combine(START, time(8), UTC)]
    service = make_app(db, library, clock=lambda: now[0])
    supervisor = enrol(db, "DS Laura Grant", "supervisor", TEAM, now[0])
    officers = [
        (enrol(db, name, "investigator", TEAM, now[0]), share, slack)
        for name, share, slack in OFFICERS
    ]
    caseload = Caseload(service, now, supervisor, officers)
    for number in range(20):
        caseload.case(number, f"43/{10412 + number * 37:05d}/26", round(number * 3.4))
    caseload.play()
    _challenge_one(service, supervisor)
    _offer_handover(service, officers[3][0], officers[1][0], supervisor)
    return service


def _challenge_one(service: Context, supervisor: User) -> None:
    """The supervisor questions the first reason given for not contacting a victim."""
    for _case, run in gather(service, teams=[TEAM]).runs():
        for facts in run.with_status("not-done"):
            if facts.item.focus == "victim" and run.state != "signed_off":
                question = "What has been tried to reach the victim since? Please update."
                supervising.challenge(service, supervisor, run.run_id, facts.item.id, question)
                return


def _offer_handover(service: Context, giver: User, taker: User, supervisor: User) -> None:
    """The supervisor offers the giver's oldest case to the taker, who has not yet accepted."""
    ref = min(
        (case for case in cases.my_cases(service, giver) if case.officer_id == giver.id),
        key=lambda case: case.id,
    ).ref
    handover.offer(service, supervisor, ref, taker.id)


def save_screenshot(png: bytes, path: Path) -> None:
    """Keep a README screenshot, in 256 colours: a third of the size, text still crisp."""
    from PIL import Image  # Pillow comes with matplotlib

    path.parent.mkdir(exist_ok=True)
    shot = Image.open(io.BytesIO(png)).convert("RGB")
    small = shot.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def phone_screens(page: Any) -> bytes:
    """The top of the report and its first case cards, side by side, as a phone shows them."""
    from PIL import Image

    full = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    cases = round(page.evaluate("document.getElementById('cases').offsetTop"))
    gap = 24
    both = Image.new("RGB", (2 * PHONE + gap, SCREEN), "#8c8c8c")
    both.paste(full.crop((0, 0, PHONE, SCREEN)), (0, 0))
    both.paste(full.crop((0, cases, PHONE, cases + SCREEN)), (PHONE + gap, 0))
    out = io.BytesIO()
    both.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(name="report_file", scope="module")
def _report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    db = connect(folder / "soteria.db")
    try:
        document = render_html(team_dict(gather(build_caseload(db), teams=[TEAM])))
    finally:
        db.close()
    path = folder / "team-report.html"
    path.write_text(document, encoding="utf-8")
    return path


@dataclass
class Browser:
    """A page with the report loaded, and everything that went wrong or was fetched."""

    page: Any
    problems: list[str]
    requests: list[str]

    def measure(self, script: str) -> Any:
        """What a script in the page works out, with the page as a screen shows it."""
        self.page.emulate_media(media="screen")
        return self.page.evaluate(script)


#: The smallest chart text on show, in CSS pixels: each text's font size in the SVG's own
#: units, times the scale its SVG is drawn at (rotated labels included).
SMALLEST_CHART_TEXT = """() => {
  const shown = [...document.querySelectorAll("svg[data-chart] text")]
    .filter((text) => text.checkVisibility());
  const sizes = shown.map((text) => {
    const scale = text.getScreenCTM();
    return parseFloat(getComputedStyle(text).fontSize) * Math.hypot(scale.a, scale.b);
  });
  return {count: sizes.length, smallest: Math.min(...sizes)};
}"""
#: Words that a line break cuts in two: each run of letters and digits (a hyphen or a slash is
#: a fair place to break) that the browser lays out on more than one line.
CUT_WORDS = """() => {
  const cut = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const word of node.data.matchAll(/[^\\s\\/-]+/g)) {
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
      if (lines.size > 1) cut.push(word[0]);
    }
  }
  return cut;
}"""
#: Whether the page is wider than the window, so that it scrolls sideways.
WIDTHS = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture(name="chromium", scope="module")
def _chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # A profile of its own, made fresh: nothing from another run or another user.
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=LAUNCH_ARGS,
        )
        yield context
        context.close()


def open_report(chromium: Any, report_file: Path, width: int) -> Browser:
    """The report in a new tab this many CSS pixels wide, watched for errors and fetches."""
    page = chromium.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    loaded = Browser(page, [], [])
    page.on(
        "console",
        lambda message: loaded.problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: loaded.problems.append(str(error)))
    page.on("request", lambda request: loaded.requests.append(request.url))
    page.goto(report_file.as_uri())
    return loaded


@pytest.fixture(name="browser", scope="module")
def _browser(chromium: Any, report_file: Path) -> Browser:
    return open_report(chromium, report_file, LAPTOP)


@pytest.fixture(name="phone", scope="module")
def _phone(chromium: Any, report_file: Path) -> Browser:
    return open_report(chromium, report_file, PHONE)


def test_the_report_opens_offline_with_no_errors_and_every_chart_showing(browser: Browser):
    page = browser.page
    page.emulate_media(media="screen")
    assert browser.problems == []
    assert all(url.startswith("file://") for url in browser.requests), browser.requests
    for key, title in TITLES.items():
        chart = page.locator(f'svg[data-chart="{key}"]:visible')
        assert chart.count() == 1, key
        assert chart.get_attribute("data-layout") == "page"
        assert chart.get_attribute("aria-label").startswith(f"{title}. ")
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 100, key
        assert box["height"] > 50, key
    assert page.locator("table tbody tr").count() == 20
    assert page.locator("table thead").is_visible()
    assert browser.measure(WIDTHS) == [LAPTOP, LAPTOP]
    assert browser.measure(SMALLEST_CHART_TEXT)["smallest"] >= SMALLEST_TEXT
    save_screenshot(page.screenshot(full_page=True), SCREENSHOTS[LAPTOP])
    assert SCREENSHOTS[LAPTOP].stat().st_size > 0


def test_on_a_phone_nothing_scrolls_sideways_and_chart_text_stays_readable(phone: Browser):
    page = phone.page
    assert phone.problems == []
    scroll_width, client_width = phone.measure(WIDTHS)
    assert scroll_width == client_width == PHONE
    text = phone.measure(SMALLEST_CHART_TEXT)
    assert text["count"] > 100
    assert text["smallest"] >= SMALLEST_TEXT, text
    for key in TITLES:
        chart = page.locator(f'svg[data-chart="{key}"]:visible')
        assert chart.count() == 1, key
        assert chart.get_attribute("data-layout") == "phone"
    save_screenshot(phone_screens(page), SCREENSHOTS[PHONE])
    assert SCREENSHOTS[PHONE].stat().st_size > 0


def test_on_a_phone_each_case_is_a_card_with_no_empty_parts(phone: Browser):
    page = phone.page
    page.emulate_media(media="screen")
    assert not page.locator("table thead").is_visible()
    cards = page.locator("table tbody tr")
    assert cards.count() == 20
    assert cards.first.evaluate("e => getComputedStyle(e).display") == "grid"
    box = cards.first.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE
    assert page.locator("td.nothing:visible").count() == 0
    # A crime reference is read as one thing: never broken at its slashes.
    lines = page.locator(".ref").evaluate_all("refs => refs.map(e => e.getClientRects().length)")
    assert lines == [1] * 20
    # Each list is headed by its column's name, since the table's header is not shown.
    heading = page.locator("td.list:visible").first.evaluate(
        "e => getComputedStyle(e, '::before').content"
    )
    assert heading == '"Checklists"'


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_no_word_is_cut_across_two_lines(chromium: Any, report_file: Path, width: int):
    opened = open_report(chromium, report_file, width)
    assert opened.measure(CUT_WORDS) == []
    opened.page.close()


def test_the_report_prints_on_a4_with_each_chart_kept_whole(browser: Browser, tmp_path: Path):
    page = browser.page
    page.emulate_media(media="print")
    figures = page.locator("section.chart figure")
    assert figures.count() == len(TITLES)
    for index in range(figures.count()):
        assert figures.nth(index).evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    # Paper gets the charts drawn for a page, whatever the window's width.
    assert page.locator('svg[data-layout="page"]:visible').count() == len(TITLES)
    assert page.locator('svg[data-layout="phone"]:visible').count() == 0
    header = page.locator("table thead").evaluate("e => getComputedStyle(e).display")
    assert header == "table-header-group"
    # The footer shares the table's landscape pages, rather than take a page of its own.
    assert page.locator("footer").evaluate("e => getComputedStyle(e).page") == "cases"
    pdf = tmp_path / "team-report.pdf"
    page.pdf(path=pdf, format="A4", print_background=True, prefer_css_page_size=True)
    assert pdf.stat().st_size > 0
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) >= 1
    assert browser.problems == []
