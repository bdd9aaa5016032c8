"""Recorded text in the Markdown report: shown as typed, never read as Markdown or HTML.

A Markdown viewer renders raw HTML (``<script>``, an unclosed ``<!--`` that hides the
rest of the page), images, headings and links. Every character that could start one is
backslash-escaped (CommonMark lets any ASCII punctuation be), and a line break in a
one-line value becomes a space, so a title can never start a heading of its own.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from projections.render.visible import visible

ANYWHERE = re.compile(r"([\\`*_\[\]<>!#|~])|&(?=#?\w+;)")
LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")


def escape_markdown(text: str, line_start: bool = True) -> str:
    """`text` as literal Markdown; `line_start` when it may begin a line."""
    escaped = ANYWHERE.sub(lambda found: "\\" + found.group(), text)
    if line_start:
        escaped = LINE_START.sub(_line_start, escaped, count=1)
    return escaped


def _line_start(found: re.Match[str]) -> str:
    if found.group(2):
        return f"{found.group(1)}\\{found.group(2)}"
    return f"{found.group(1)}{found.group(3)}\\{found.group(4)}"


def markdown_value(value: object) -> object:
    """What a Markdown template prints for ``{{ value }}``: text escaped, on one line.

    Markup (a narrative already written as Markdown) and non-text values pass as they are.
    """
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    one_line = " ".join(visible(value, keep="\n\r\t").splitlines()).strip()
    return escape_markdown(one_line)
