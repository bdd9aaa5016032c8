"""Hostile titles and narratives in the report: shown as text in HTML and in Markdown.

The Markdown report is checked as a reader would see it: rendered by a plain CommonMark
viewer that allows raw HTML and follows any link (markdown-it-py's ``commonmark`` preset
with link checking off), then parsed like the HTML page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from tests.cli.hostile import LINK, MARKDOWN, QUARTER, ok, record_markdown, record_sample

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass
class Parsed:
    """What a browser would build from a page: elements, links, comments, visible text."""

    tags: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = Parsed()
        self._open: list[tuple[str, str | None, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parsed.tags.append(tag)
        if tag == "a" or tag in HEADINGS:
            self._open.append((tag, dict(attrs).get("href"), len(self.parsed.text)))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, href, start = self._open.pop()
            inside = self.parsed.text[start:]
            if tag == "a":
                self.parsed.links.append((href or "", inside))
            else:
                self.parsed.headings.append(inside)

    def handle_data(self, data: str) -> None:
        self.parsed.text += data



def parse(page: str) -> Parsed:
    """The page's elements and text; its comments counted from the source, as a browser
    ends an unclosed ``<!--`` only at the end of the page (html.parser gives it as text)."""
    reader = _Reader()
    reader.feed(page)
    reader.close()
    reader.parsed.comments = [page[at:at + 30] for at in _openers(page)]
    return reader.parsed


def _openers(page: str) -> list[int]:
    found, at = [], page.find("<!--")
    while at != -1:
        found.append(at)
        at = page.find("<!--", at + 1)
    return found


def as_viewer_shows(markdown: str) -> str:
    """The Markdown as a permissive viewer renders it: raw HTML on, every link followed."""
    viewer = MarkdownIt("commonmark")
    viewer.validateLink = lambda url: True  # type: ignore[method-assign]
    return viewer.render(markdown)


@pytest.fixture
def reports(database_url: str) -> dict[str, Parsed]:
    record_sample(database_url)
    record_markdown(database_url)
    html = ok("--db", database_url, "report", "--quarter", QUARTER, "--format", "html",
              "--audit")
    markdown = ok("--db", database_url, "report", "--quarter", QUARTER, "--format", "md")
    return {"html": parse(html), "markdown": parse(as_viewer_shows(markdown))}


def _broken(parsed: Parsed) -> dict[str, object]:
    """Whatever a hostile string made of the page besides text."""
    return {
        "script or img elements": [tag for tag in parsed.tags if tag in ("script", "img")],
        "comments": parsed.comments,
        "smuggled headings": [text for text in parsed.headings if "smuggled" in text],
        "smuggled links": [link for link in parsed.links
                           if "smuggled" in link[1] or "javascript" in link[0].lower()],
        "hostile strings not shown as text": [
            name for name, text in MARKDOWN.items() if parsed.text.count(text) < 2],
        "narratives cut short": 6 - parsed.text.count("\nafter"),
    }


def test_hostile_titles_and_narratives_are_text(reports: dict[str, Parsed]) -> None:
    """Raw HTML, headings, images, javascript links and an unclosed ``<!--`` at the start
    of a line of a title and of a narrative: each shown as typed in the page and in the
    Markdown, none rendered, nothing after them hidden."""
    clean = {
        "script or img elements": [], "comments": [], "smuggled headings": [],
        "smuggled links": [], "hostile strings not shown as text": [],
        "narratives cut short": 0,
    }
    assert {form: _broken(parsed) for form, parsed in reports.items()} == {
        "html": clean, "markdown": clean}
    assert reports["html"].headings[-1] == "Sources"


@pytest.mark.parametrize("form", ["html", "markdown"])
def test_a_narrative_link_is_a_link(reports: dict[str, Parsed], form: str) -> None:
    """``[Business Plan](#)`` in a narrative is an in-page link in the page and the viewer:
    once in each hostile narrative, once in the sample's own."""
    assert LINK == "[Business Plan](#)"
    assert reports[form].links.count(("#", "Business Plan")) == len(MARKDOWN) + 1
