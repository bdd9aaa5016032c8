"""Hostile recorded text, submitted through `opslog submit` on top of the sample.

Titles and narratives hold terminal escape sequences, rich markup, raw HTML, Markdown
that a viewer would render (headings, images, links, comments), and an indicator name
that matplotlib would read as maths.
"""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result

from opslog.cli import main

QUARTER = "2018-19-Q1"
ESCAPES = {
    "clipboard write (OSC 52)": "\x1b]52;c;ZWNobyBwd25lZA==\x07",
    "clear screen (CSI 2J)": "\x1b[2J",
    "hyperlink (OSC 8)": "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "C1 CSI": "\x9b2J",
    "bidi override": "\u202eevil\u202c",
}
MARKUP = ("[/shared/estates]", "[phase 2]")
MATHS = "$\\foo$ offences"
MARKDOWN = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(1)>",
    "heading": "# smuggled heading",
    "image": "![smuggled](y)",
    "javascript link": "[smuggled](javascript:alert(1))",
    "comment": "<!-- smuggled",
}
"""Each is recorded at the start of a line of a title and of a narrative."""
LINK = "[Business Plan](#)"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def ok(*args: str, input: str | None = None) -> str:
    result = run(*args, input=input)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def submit(url: str, commands: list[dict[str, Any]]) -> Result:
    lines = "\n".join(json.dumps(command) for command in commands) + "\n"
    return run("--db", url, "submit", "-", input=lines)


def _milestone(milestone_id: str, title: str, narrative: str) -> list[dict[str, Any]]:
    return [
        {"command": "ScheduleMilestone", "id": f"hostile/{milestone_id}",
         "actor": "performance.analyst",
         "data": {"milestone_id": milestone_id, "title": title, "topic_id": "violent-crime",
                  "due_quarter": QUARTER, "owner_unit": "vctf"}},
        {"command": "ReportMilestoneProgress", "id": f"hostile/{milestone_id}/progress",
         "actor": "recorder.vctf",
         "data": {"milestone_id": milestone_id, "quarter": QUARTER, "status": "on_track",
                  "narrative": narrative, "as_of": "2018-06-30"}},
    ]


def record_sample(url: str) -> None:
    ok("--db", url, "demo", "--no-report")


def record_escapes(url: str) -> Result:
    """A milestone whose title and narrative hold every escape sequence."""
    text = " ".join(ESCAPES.values())
    return submit(url, _milestone("hostile-escapes", f"Estates {text}", f"Progress {text}"))


def record_markup(url: str) -> Result:
    """A milestone whose title is rich markup: a closing tag alone, and a bracketed word."""
    text = " ".join(MARKUP)
    return submit(url, _milestone("hostile-markup", f"Estates {text}", f"Progress {text}"))


def record_markdown(url: str) -> None:
    """A milestone per hostile Markdown string, in its title and its narrative."""
    commands: list[dict[str, Any]] = []
    for number, text in enumerate(MARKDOWN.values(), start=1):
        commands += _milestone(f"hostile-markdown-{number}", f"Hostile {number}\n{text}",
                               f"Narrative {number}: see the {LINK}.\n\n{text}\n\nafter")
    result = submit(url, commands)
    assert result.exit_code == 0, result.output


def record_maths_indicator(url: str) -> None:
    result = submit(url, [
        {"command": "DefineIndicator", "id": "hostile/maths", "actor": "performance.analyst",
         "data": {"indicator_id": "hostile-maths", "name": MATHS, "measure": "$x$",
                  "better": "lower"}},
        {"command": "RecordIndicatorValue", "id": "hostile/maths/2017-18",
         "actor": "performance.analyst",
         "data": {"indicator_id": "hostile-maths", "period": "2017-18", "value": "5",
                  "source": "test", "released_on": "2018-04-01"}},
    ])
    assert result.exit_code == 0, result.output
