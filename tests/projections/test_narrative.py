"""Narrative Markdown: whatever is typed, a viewer of the Markdown report renders only the
small subset, with links only to safe targets, and the same links as the HTML page."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from projections.render.markdown_text import markdown_value
from projections.render.narrative import narrative_html, narrative_markdown

PIECES = st.sampled_from([
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<!--", "-->", "# ", "## ",
    "![x](y)", "[x](javascript:alert(1))", "[a](#)", "[b](https://example.org/a_(b))",
    "<https://example.org>", "&lt;", "&#60;", "**", "*", "_", "`", "```", "~~~", "    ",
    "\n", "\n\n", "- ", "1. ", "> ", "===", "---", "|", "\\", "![", "](", "<", ">", "a",
    " ", "text", "\x1b[2J", "\u202e",
])
TEXT = st.lists(PIECES, max_size=30).map("".join)
SUBSET = {"p", "ul", "ol", "li", "strong", "em", "a", "br"}
SAFE = re.compile(r"^(?:https?://|mailto:|#)", re.IGNORECASE)


def viewer(markdown: str) -> str:
    """A permissive CommonMark viewer: raw HTML on, every link followed."""
    shows = MarkdownIt("commonmark")
    shows.validateLink = lambda url: True  # type: ignore[method-assign]
    return shows.render(markdown)


def _tags(html: str) -> set[str]:
    return {tag.lower() for tag in re.findall(r"<\s*/?\s*([a-zA-Z][\w-]*)", html)}


def _links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]*)"', html)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_the_markdown_of_any_narrative_renders_only_the_subset(text: str) -> None:
    """No raw HTML, heading, image, code, quote or comment; links only to safe targets,
    the same as the page's; no control character."""
    shown = viewer(narrative_markdown(text))
    assert _tags(shown) <= SUBSET, shown
    assert all(SAFE.match(link) for link in _links(shown)), shown
    assert _links(shown) == _links(narrative_html(text)), shown
    assert "\x1b" not in shown and "\u202e" not in shown


def _structure(html: str) -> str:
    """Markup without whitespace, ``<br>`` in one spelling, empty list items left out
    (the Markdown leaves an empty ``- `` out: it says nothing)."""
    html = re.sub(r"\s+", "", html).replace("<br/>", "<br>")
    while (shorter := re.sub(r'<li></li>|<(ul|ol)(start="\d+")?></(ul|ol)>', "", html)) != html:
        html = shorter
    return html


@settings(max_examples=400, deadline=None)
@given(TEXT)
@example("_*<script>*_")  # emphasis inside emphasis, not strong
@example("- - \n\n- <script>")  # an item holding only an empty list, in a loose list
@example("- *\n\n    <script>")  # the same, with the item's paragraph after a blank line
@example("**<script>*    \n<script>")  # a hard break right after a run's last delimiter
@example("**<script>****    \n<script>")  # the same, the run's last delimiters left over
def test_a_viewer_of_the_markdown_shows_what_the_page_shows(text: str) -> None:
    """Paragraphs, lists, bold, links and line breaks survive the trip to Markdown."""
    assert _structure(viewer(narrative_markdown(text))) == _structure(narrative_html(text))


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_a_title_in_the_markdown_renders_as_one_line_of_text(text: str) -> None:
    """A title's every character is literal: a viewer makes one paragraph (or nothing) of it."""
    shown = viewer(str(markdown_value(text)))
    assert _tags(shown) <= {"p"}, shown
