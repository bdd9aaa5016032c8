"""The HTML report in a real browser: Debian's chromium driven by Playwright at a desktop
(1280 px) and a phone (390 px) width, screenshots taken and the key elements checked.

Skipped, saying why, when ``/usr/bin/chromium`` is missing (`.ci/run` installs it).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from opslog.cli import main

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None,
                       reason="Debian's chromium is not installed (apt-get install chromium); "
                              "Playwright cannot download a browser here"),
]
WIDTHS = (1280, 390)


@pytest.fixture
def pages(database_url: str, tmp_path: Path) -> dict[str, Path]:
    """The sample recorded by ``opslog demo`` and its report written as the public page (by
    the demo) and the audit page (by ``opslog report --audit``)."""
    public, audit = tmp_path / "report.html", tmp_path / "audit.html"
    runner = CliRunner()
    done = runner.invoke(main, ["--db", database_url, "demo", "--html", str(public)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(main, ["--db", database_url, "report", "--quarter", "2018-19-Q1",
                                "--format", "html", "--audit", "-o", str(audit)])
    assert done.exit_code == 0, done.output
    return {"public": public, "audit": audit}


@pytest.fixture
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM,
                                          args=["--no-sandbox", "--disable-gpu"])
        try:
            yield launched
        finally:
            launched.close()


def _open(browser: Any, path: Path, width: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_shows_its_key_elements_at_each_width(
        browser: Any, pages: dict[str, Path], tmp_path: Path, width: int) -> None:
    """Headings, the board, three charts named by their alt text beside their data tables,
    and nothing wider than the window; a full-page screenshot is written."""
    page = _open(browser, pages["public"], width)
    shot = tmp_path / f"report-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert page.locator("h1").is_visible()
    assert "Business Plan progress update" in page.locator("h1").inner_text()
    headings = page.locator("h2").all_inner_texts()
    assert headings[:2] == ["Milestone status", "Indicators"]
    assert "2- Tackling serious violence" in headings
    rows = page.locator("#status tbody tr")
    assert rows.count() == 6
    assert all(row.is_visible() for row in rows.all())
    assert "launch of the Violent Crime Task Force (VCTF)" in rows.first.inner_text()
    charts = page.locator("#indicators svg[role=img]")
    assert charts.count() == 3
    for chart in charts.all():
        assert chart.is_visible() and chart.bounding_box()["width"] > 200
        assert "from zero" in (chart.get_attribute("aria-label") or "")
    assert page.get_by_role("img", name="Bar chart of Knife crime offences (offences) by "
                            "financial year, from zero: 2016-17: 12,115; 2017-18: 14,680."
                            ).count() == 1
    tables = page.locator("table.chart-data")
    assert tables.count() == 3
    assert "2017-18\t14,680" in tables.nth(2).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    too_wide = page.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter("
        f"e => e.getBoundingClientRect().right > {width} + 1).map(e => e.tagName)")
    assert too_wide == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_public_page_shows_no_provenance_and_the_audit_page_toggles_it(
        browser: Any, pages: dict[str, Path], tmp_path: Path, width: int) -> None:
    """Public: no positions or sources. Audit: the sources list and position links, hidden
    again by the checkbox with no script."""
    public = _open(browser, pages["public"], width)
    assert public.locator("#sources").count() == 0
    assert public.locator("a.src").count() == 0
    assert "As recorded up to position" not in public.locator("body").inner_text()
    audit = _open(browser, pages["audit"], width)
    audit.screenshot(path=str(tmp_path / f"audit-{width}.png"), full_page=True)
    assert audit.locator("#sources").is_visible()
    assert "As recorded up to position" in audit.locator("body").inner_text()
    assert audit.locator("a.src").first.is_visible()
    audit.locator("label[for=show-provenance]").click()
    assert not audit.locator("#sources").is_visible()
    assert not audit.locator("a.src").first.is_visible()
    assert audit.evaluate("document.documentElement.scrollWidth") <= width
