"""The report as Markdown, laid out like the reference progress update."""

from __future__ import annotations

import re

from projections.quarter.report import Report
from projections.render.environment import environment

BLANK_LINES = re.compile(r"\n{3,}")


def render_markdown(report: Report, audit: bool = False) -> str:
    """The report's Markdown text: same report, same bytes. `audit` adds the provenance:
    the log position it was read up to, and who recorded each correction."""
    text = environment(autoescape=False).get_template("report.md.j2").render(report=report,
                                                                             audit=audit)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return BLANK_LINES.sub("\n\n", "\n".join(lines)) + "\n"
