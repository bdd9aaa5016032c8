"""The dashboard in a real browser: Playwright driving Debian's chromium (Playwright's own
browser builds cannot be downloaded here) against uvicorn on a free port.

Skipped, saying why, when ``/usr/bin/chromium`` is missing (`.ci/run` installs it).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from commands.service import CommandService
from eventstore import EventStore
from opslog.service.app import create_app
from opslog.service.auth import token_authenticator
from tests.service.q1 import CORRECTED_MILESTONE, Q1, ROLES, load

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None,
                       reason="Debian's chromium is not installed (apt-get install chromium); "
                              "Playwright cannot download a browser here"),
]
SCRIPT = "<script>alert(1)</script>"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Site:
    def __init__(self, base: str, store: EventStore, q1: Q1) -> None:
        self.base, self.store, self.q1 = base, store, q1


@pytest.fixture
def site(database_url: str) -> Iterator[Site]:
    store = EventStore.open(database_url, create=True)
    q1 = load(store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store, token_authenticator(store)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Site(f"http://127.0.0.1:{port}", store, q1)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        store.close()


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM,
                                          args=["--no-sandbox", "--disable-gpu"])
        try:
            yield launched
        finally:
            launched.close()


def signed_in(browser: object, site: Site, width: int = 1280) -> object:
    """A page signed in through the dashboard's own form, failing on any dialog or CSP
    violation."""
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"),
                                      dialog.dismiss()))
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.problems = problems
    page.goto(f"{site.base}/sign-in")
    page.fill("#token", site.q1.secrets["auditor"])
    page.press("#token", "Enter")
    page.wait_for_url(f"{site.base}/")
    return page


def status_of(page: object, milestone: str) -> str:
    row = page.locator("#board tr", has=page.locator(f"td.c-id:text-is('{milestone}')"))  # type: ignore[attr-defined]
    return str(row.locator("td.c-status").inner_text())


def test_the_q1_board_renders(browser: object, site: Site) -> None:
    page = signed_in(browser, site)
    page.goto(f"{site.base}/quarters/2018-19-Q1/board")
    assert page.locator("h1").inner_text() == "Milestones, 2018-19, Quarter 1"
    assert page.locator("#board tbody tr").count() >= 6
    assert "on track" in status_of(page, CORRECTED_MILESTONE)
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.problems == []


def test_moving_the_as_of_control_changes_the_board(browser: object, site: Site) -> None:
    page = signed_in(browser, site)
    page.goto(f"{site.base}/quarters/2018-19-Q1/board")
    assert "corrected" in status_of(page, CORRECTED_MILESTONE)
    before = site.q1.correction - 1
    page.focus("#at_position")
    page.locator("#at_position").fill(str(before))
    page.wait_for_selector(f"#board[data-position='{before}']")
    assert "delivered" in status_of(page, CORRECTED_MILESTONE).lower()
    assert f"at_position={before}" in page.url
    page.locator("#at_position").fill("0")
    page.wait_for_selector("#board[data-position='0']")
    assert page.locator("#board tbody tr").count() == 0
    assert page.problems == []


def test_the_diff_page_names_the_corrected_milestone(browser: object, site: Site) -> None:
    page = signed_in(browser, site)
    page.goto(f"{site.base}/diff")
    page.fill("#d-quarter", "2018-19-Q1")
    page.fill("#d-from", site.q1.before_correction)
    page.press("#d-from", "Enter")
    page.wait_for_selector("#diff")
    text = page.locator("#diff").inner_text()
    assert CORRECTED_MILESTONE in text
    assert f"#{site.q1.correction} EventCorrected by {ROLES['recorder']}" in text
    assert "works started in July" in text
    assert page.problems == []


def test_a_narrative_holding_a_script_shows_as_text(browser: object, site: Site) -> None:
    outcome = CommandService(site.store).submit(
        {"command": "ReportMilestoneProgress", "id": "estates/cc/q2-script",
         "data": {"milestone_id": CORRECTED_MILESTONE, "quarter": "2018-19-Q2",
                  "status": "on_track", "narrative": f"Works go on {SCRIPT}",
                  "as_of": "2018-09-30"}}, ROLES["recorder"])
    assert outcome.accepted, outcome.describe()
    page = signed_in(browser, site)
    for path in (f"/events/{outcome.first_position}", "/quarters/2018-19-Q2/report"):
        page.goto(f"{site.base}{path}")
        assert SCRIPT in page.locator("body").inner_text(), path
    assert page.problems == []


def test_at_390_px_the_status_column_stays(browser: object, site: Site) -> None:
    page = signed_in(browser, site, width=390)
    page.goto(f"{site.base}/quarters/2018-19-Q1/board")
    heading = page.locator("th.c-status")
    assert heading.is_visible()
    box = heading.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    cell = page.locator("#board tbody tr").first.locator("td.c-status")
    cell_box = cell.bounding_box()
    assert cell_box is not None and cell_box["x"] + cell_box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.problems == []


def test_the_pages_are_usable_by_keyboard(browser: object, site: Site) -> None:
    page = signed_in(browser, site)
    page.goto(f"{site.base}/quarters/2018-19-Q1/board")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    focused = set()
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.add(page.evaluate("document.activeElement.id"))
    assert {"at_position", "as_of", "effective_at"} <= focused


def test_without_a_token_the_dashboard_asks_for_one(browser: object, site: Site) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    response = page.goto(f"{site.base}/quarters/2018-19-Q1/board")
    assert response is not None and response.status == 401
    assert page.locator("#token").is_visible()
    assert site.q1.secrets["auditor"] not in page.content()
