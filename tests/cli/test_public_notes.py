"""The public report's notes read like the published update, in every format a reader gets.

On the demo's log, on each backend: a status corrected by the unit that reported it, an
update's date corrected to a month, a milestone's owner corrected, a milestone report
retracted, a milestone rescheduled and a narrative erased. The public Markdown (as a
viewer shows it), HTML page and PDF text name units and quarters in words ("by Met Command
and Control (MetCC)", "Q1 2018-19"), dates long, and hold no actor id, raw status, quarter
id, ISO date or log position; ``--audit`` keeps each of them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from eventstore import EventStore
from tests.cli.hostile import ok, record_sample, submit
from tests.cli.test_hostile_report import as_viewer_shows

ADMIN = "opslog.admin"
ERASED = "Spot It to Stop It"
LEAKS = re.compile(r"\b(?:recorder|performance|opslog|audit)\.[a-z-]+|\b\d{4}-\d{2}-Q\d\b"
                   r"|\bon\\?_track\b|\bsome\\?_delay\b|\b\d{4}-\d{2}-\d{2}\b|\bposition \d"
                   r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}")
"""What a reader of the published update never sees."""
DAY = r"\d{1,2} [A-Z][a-z]+ \d{4}"


def _command(name: str, key: str, actor: str, data: dict[str, object]) -> dict[str, object]:
    return {"command": name, "id": f"public/{key}", "actor": actor, "data": data}


AMENDMENTS = [
    _command("CorrectEvent", "status", "recorder.metcc", {
        "milestone_id": "live-chat", "event_type": "MilestoneProgressReported",
        "changes": {"status": "on_track"}, "reason": "works not yet signed off"}),
    _command("CorrectEvent", "month", "recorder.counter-terrorism", {
        "update_id": "operation-raptor", "changes": {"effective_date": "2018-06"},
        "reason": "the operation ran in June"}),
    _command("RetractEvent", "retract", "recorder.estates", {
        "milestone_id": "esb", "event_type": "MilestoneProgressReported",
        "reason": "not yet signed"}),
    _command("ScheduleMilestone", "custody", "performance.analyst", {
        "milestone_id": "custody", "title": "custody suites refitted", "topic_id": "estates",
        "due_quarter": "2018-19-Q1", "owner_unit": "estates"}),
    _command("RescheduleMilestone", "move", "performance.analyst", {
        "milestone_id": "custody", "to_quarter": "2018-19-Q2",
        "reason": "contractor went into administration"}),
    _command("CorrectEvent", "owner", "performance.analyst", {
        "milestone_id": "custody", "event_type": "MilestoneScheduled",
        "changes": {"owner_unit": "mps"}, "reason": "owned centrally"}),
]
PUBLIC = {
    "2018-19-Q1": [
        rf"Corrected on {DAY} by Met Command and Control \(MetCC\): works not yet signed off "
        r"\(status: delivered → on track\)\.",
        rf"Corrected on {DAY} by Counter Terrorism Command: the operation ran in June "
        r"\(effective date: May 2018 → June 2018\)\.",
        rf"Retracted on {DAY} by Estates transformation programme: not yet signed "
        r"\(was quarter: Q1 2018-19; status: delivered\)\.",
        r"No progress reported for Q1 2018-19\.",
        rf"Rescheduled from Q1 2018-19 to Q2 2018-19 on {DAY}: contractor went into "
        r"administration\.",
        rf"Corrected on {DAY}: owned centrally \(owner unit: Estates transformation "
        r"programme → Metropolitan Police Service\)\.",
        r"custody suites refitted\*{0,2} \(rescheduled to Q2 2018-19\)",
        rf"\[erased on {DAY}: names a victim\]",
    ],
    "2018-19-Q2": [
        r"Carried over: due in Q1 2018-19\.",
        r"No progress reported for Q2 2018-19; last reported for Q1 2018-19 as of "
        r"30 June 2018\.",
        rf"Rescheduled from Q1 2018-19 to Q2 2018-19 on {DAY}: contractor went into "
        r"administration\.",
    ],
}
AUDIT = ("by recorder.metcc", "by recorder.estates", "2018-19-Q1", "on_track",
         f"by {ADMIN}: names a victim]", "owner_unit: estates → mps")


class _Text(HTMLParser):
    """A page's text as a browser shows it: no style sheet, tags gone."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("style", "title")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _page_text(page: str) -> str:
    reader = _Text()
    reader.feed(page)
    return " ".join(" ".join(reader.parts).split())


@pytest.fixture
def amended_url(database_url: str) -> str:
    record_sample(database_url)
    recorded = submit(database_url, AMENDMENTS)
    assert recorded.exit_code == 0, recorded.output
    with EventStore.open(database_url) as store:
        position = next(event.position for event in store.read_all()
                        if str(event.data.get("title", "")).startswith(ERASED))
    ok("--db", database_url, "erase", str(position), "narrative", "--reason",
       "names a victim", "--legal-basis", "UK GDPR Art. 17", "--actor", ADMIN)
    return database_url


def _readings(url: str, quarter: str, tmp_path: Path, *audit: str) -> dict[str, str]:
    """What a reader sees of each format: the Markdown through a viewer, the page's text,
    the PDF's text."""
    db = ("--db", url, "report", "--quarter", quarter, *audit)
    markdown = ok(*db)
    page = ok(*db, "--format", "html")
    pdf = tmp_path / f"{quarter}{''.join(audit)}.pdf"
    ok(*db, "--format", "pdf", "-o", str(pdf))
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext (poppler-utils) is needed"
    printed = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                             check=True, text=True).stdout
    return {"markdown": _page_text(as_viewer_shows(markdown)), "html": _page_text(page),
            "pdf": " ".join(printed.split())}


@pytest.mark.parametrize("quarter", sorted(PUBLIC))
def test_public_notes_name_units_quarters_and_dates_in_words(amended_url: str, quarter: str,
                                                             tmp_path: Path) -> None:
    """Every note a correction, retraction, reschedule or erasure leaves reads in plain
    words in the Markdown, the page and the PDF, and none holds what only the log knows."""
    for form, text in _readings(amended_url, quarter, tmp_path).items():
        assert sorted(set(LEAKS.findall(text))) == [], form
        missing = [said for said in PUBLIC[quarter] if re.search(said, text) is None]
        assert missing == [], (form, missing)


def test_the_audit_notes_keep_the_actors_and_stored_values(amended_url: str,
                                                          tmp_path: Path) -> None:
    """``--audit`` names who recorded each note, the values as stored, and the erasure's
    placeholder as the log holds it."""
    for form, text in _readings(amended_url, "2018-19-Q1", tmp_path, "--audit").items():
        assert [said for said in AUDIT if said not in text] == [], form
