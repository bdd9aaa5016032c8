"""Narrative text is a small Markdown: paragraphs, ``- `` lists, ``**bold**`` and links.

Parsed by markdown-it-py with only those rules on and raw HTML off, so a heading, an
image, a comment or a tag typed into a narrative is text, never markup. Only http(s),
mailto and in-page ``#`` targets become links; ``javascript:`` and the like stay text.
The same parse gives the HTML page and the Markdown report, so both say the same.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from projections.render.markdown_text import escape_markdown
from projections.render.visible import visible

SAFE_TARGET = re.compile(r"^(?:https?://|mailto:|#)", re.IGNORECASE)
RULES = ["list", "emphasis", "link", "newline", "escape"]
BULLETS = "-*+"
"""A bullet per depth of nesting: a line of bare markers (empty items, one in another)
then mixes them, and is never a thematic break (``- - -``)."""


def _safe_target(url: str) -> bool:
    return SAFE_TARGET.match(url.strip()) is not None


def _parser() -> MarkdownIt:
    parser = MarkdownIt("zero", {"html": False}).enable(RULES)
    parser.validateLink = _safe_target  # type: ignore[method-assign]
    return parser


PARSER = _parser()
SOURCE = _parser().disable("text_join")
"""The same parse, with a backslash escape left as its own token: what was escaped in the
source can then be told from a delimiter left over from a run (see `_inline_markdown`)."""
EMPHASIS = frozenset({"strong_open", "strong_close", "em_open", "em_close"})
HARD_BREAK = "  \n"
"""A hard break as two spaces: `projections.render.markdown` keeps them at a line's end."""


def narrative_html(text: str) -> Markup:
    """Paragraphs and lists of narrative text as HTML."""
    return Markup(PARSER.render(visible(text, keep="\n\r")).strip())  # rendered, html off


def inline_narrative_html(text: str) -> Markup:
    """One run of narrative text (bold, links) with no paragraph around it."""
    return Markup(PARSER.renderInline(visible(text, keep="\n\r")))  # rendered, html off


def narrative_markdown(text: str) -> Markup:
    """The narrative as Markdown a viewer renders exactly as `narrative_html` does.

    Written back from the parse: literal text escaped, so what was text stays text.
    Marked safe so the Markdown template does not escape it again.
    """
    lines: list[str] = []
    markers: list[str] = []
    pending: str | None = None
    indent = ""
    outer: list[tuple[str, str | None]] = []
    loose: list[bool] = []
    tokens = SOURCE.parse(visible(text, keep="\n\r"))
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            markers.append(token.markup)
            loose.append(_is_loose(tokens, index))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            markers.pop()
            loose.pop()
            if not markers or (loose[-1] and lines[-1] != ""):
                lines.append("")  # a list ends a block; in a loose item, a blank line
        elif token.type == "list_item_open":
            marker = (BULLETS[(len(markers) - 1) % len(BULLETS)]
                      if markers[-1] not in (".", ")") else f"{token.info}{markers[-1]}")
            outer.append((indent, pending))
            pending = (pending if pending is not None else indent) + marker + " "
            indent = " " * len(pending)
        elif token.type == "list_item_close":
            indent, before = outer.pop()
            if pending is not None and (loose[-1] or before is not None):
                # An empty item is kept where its marker opens a line of its own (after a
                # blank line, or first in an item: ``- -``): leaving it out could leave one
                # item, a tight list, or drop the marker of the item that holds it.
                lines.append(pending.rstrip())
            # An empty item of a tight list, under a line of text, is left out: a bare
            # marker there would make that text a heading.
            pending = None
            if loose[-1] and lines and lines[-1] != "":
                lines.append("")  # items of a loose list stay apart, as the page shows
        elif token.type == "inline":
            body = _inline_markdown(token.children or [])
            first, *rest = body.split("\n")
            lines.append((pending if pending is not None else indent) + first)
            lines.extend(indent + line for line in rest)
            pending = None
        elif token.type == "paragraph_close" and not token.hidden:
            lines.append("")
    return Markup("\n".join(lines).strip())  # every literal run escaped


def _is_loose(tokens: list[Token], opened: int) -> bool:
    """Whether the list opened at `opened` is loose: markdown-it shows its paragraphs."""
    level = tokens[opened].level
    for token in tokens[opened + 1:]:
        if token.level == level:
            return False  # its close
        if token.type == "paragraph_open" and token.level == level + 2:
            return not token.hidden
    return False


def _inline_markdown(tokens: list[Token]) -> str:
    out: list[str] = []
    targets: list[str] = []
    line_start = True
    for index, token in enumerate(tokens):
        if token.type == "text":
            out.append(_text_markdown(tokens, index, line_start))
        elif token.type == "text_special":
            out.append(token.markup)  # escaped in the source: escaped again (``\\&``)
        elif token.type == "softbreak":
            out.append("\n")
        elif token.type == "hardbreak":
            # A backslash, unless a delimiter run ends just before: there, as the source's
            # spaces, so the run is followed by white space as it was when paired.
            after_run = bool(out) and out[-1].endswith(("*", "_"))
            out.append(HARD_BREAK if after_run else "\\\n")
        elif token.type in EMPHASIS:
            # The delimiter the source used: ``*`` inside ``_`` stays emphasis inside
            # emphasis, where ``**`` would be one strong run.
            out.append(token.markup)
        elif token.type == "link_open":
            targets.append(_target(str(token.attrs["href"])))
            out.append("[")
        elif token.type == "link_close":
            out.append(f"]({targets.pop()})")
        line_start = token.type in ("softbreak", "hardbreak") or (
            line_start and token.type == "text" and not token.content)
    return "".join(out)


def _text_markdown(tokens: list[Token], index: int, line_start: bool) -> str:
    """A text token, escaped, but for the delimiters left over from a run it shares with
    an emphasis beside it (``**x*``: one ``*`` is text). Written bare, they keep the run
    as long as the source's, so a viewer pairs the run's others as the page did; escaped,
    the shorter run could pair otherwise (CommonMark's rule of three)."""
    content = tokens[index].content
    before = tokens[index - 1] if index > 0 else None
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    head = tail = ""
    if before is not None and before.type in EMPHASIS:
        run = before.markup[0]
        head = content[:len(content) - len(content.lstrip(run))]
        content = content[len(head):]
    if after is not None and after.type in EMPHASIS:
        run = after.markup[0]
        tail = content[len(content.rstrip(run)):]
        content = content[:len(content) - len(tail)]
    middle = escape_markdown(content, line_start and not head) if content else ""
    return head + middle + tail


def _target(href: str) -> str:
    return re.sub(r"([()\\<> ])", r"\\\1", href)
