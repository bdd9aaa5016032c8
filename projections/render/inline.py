"""Narrative text to safe HTML: paragraphs, ``- `` bullet lists and ``**bold**``, nothing else.

Everything is escaped first, so text from the log can never inject markup.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

BOLD = re.compile(r"\*\*(.+?)\*\*")


def inline_html(text: str) -> Markup:
    """One line of text with ``**bold**`` spans."""
    return Markup(BOLD.sub(r"<strong>\1</strong>", str(escape(text))))  # escaped first


def blocks_html(text: str) -> Markup:
    """Paragraphs (blank-line separated) and bullet lists of narrative text."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{inline_html(line[2:])}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        else:
            out.append(f"<p>{inline_html(' '.join(lines))}</p>")
    return Markup("\n".join(out))  # built from escaped parts
