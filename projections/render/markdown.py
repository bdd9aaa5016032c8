"""The report as Markdown, laid out like the reference progress update."""

from __future__ import annotations

import re

from projections.quarter.report import Report
from projections.render.environment import environment

BLANK_LINES = re.compile(r"\n{3,}")
HARD_BREAK = re.compile(r"\S  $")
"""A line ending in two spaces after text: a narrative's hard break (`narrative.HARD_BREAK`)."""


def _trimmed(line: str) -> str:
    return line if HARD_BREAK.search(line) else line.rstrip()


def render_markdown(report: Report, audit: bool = False) -> str:
    """The report's Markdown text: same report, same bytes. `audit` adds the provenance:
    the log position it was read up to, and who recorded each correction."""
    text = environment(autoescape=False).get_template("report.md.j2").render(report=report,
                                                                             audit=audit)
    lines = [_trimmed(line) for line in text.strip().splitlines()]
    return BLANK_LINES.sub("\n\n", "\n".join(lines)) + "\n"
