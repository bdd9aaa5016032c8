"""Hostile text in every text field, rendered in every format: nothing acts, hides or crashes.

One log per backend holds the sample and, in a theme, a topic, a unit, a milestone, its
progress, an operational update with its facts, an indicator with its values, and the
reasons of a correction and a retraction, text that attacks each reader at
once: terminal escape sequences (clipboard write, clear screen, hyperlink, the C1 CSI, a
bidi override), rich markup, maths for
matplotlib, raw HTML, Markdown images and ``javascript:`` links, template syntax,
spreadsheet formulas, and narratives whose unclosed ``<!--`` would hide what follows.
Each format is read as its reader would: a terminal, a JSON parser, a spreadsheet, a
browser, a Markdown viewer, a PDF viewer (``pdftotext``) and the service's dashboard.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from commands.identity import direct, issue_token
from eventstore import EventStore
from opslog.service.app import create_app
from opslog.service.auth import token_authenticator
from projections.render.visible import BIDI
from tests.cli.hostile import QUARTER, ok, record_sample, run, submit
from tests.cli.test_hostile_report import as_viewer_shows, parse

ESCAPES = ("\x1b]52;c;ZWNobyBwd25lZA==\x07 \x1b[2J \x1b]8;;https://evil.example\x1b\\click"
           "\x1b]8;;\x1b\\ \x9b2J \u202eevil\u202c")
MARKUP = "[/shared/estates] [phase 2] $\\foo$ $x^2$"
HTML = "<script>alert(1)</script> <img src=x onerror=alert(1)> ![im](y) [js](javascript:alert(1))"
TEMPLATE = '{{7*7}} =HYPERLINK("http://x","y")'
HOSTILE = f"{ESCAPES} {MARKUP} {HTML} {TEMPLATE}"
"""Every attack in one line of text (short enough for a title)."""
AFTER = "AFTER-THE-COMMENT"
NARRATIVE = (f"# heading\n{HOSTILE}\n\n<!-- unclosed\n\n[Business Plan](#) and "
             f"[site](https://example.org).\n\n{AFTER}")
"""A narrative: a heading line, every attack, an unclosed comment, safe links, and a last
paragraph that must still show."""
TITLE = f"=1+1 {HOSTILE}"
UNIT = f"@unit {HOSTILE}"
INDICATOR = f"$\\foo$ {HOSTILE}"
ACTING = re.compile(f"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI}]")
"""Characters a terminal acts on (line feed and carriage return aside)."""
SHOWN = ("\\x1b]52;c;", "\\u202eevil", "[/shared/estates]", "[phase 2]", "$\\foo$",
         "<script>alert(1)</script>", "[js](javascript:alert(1))", "{{7*7}}")
"""How the attacks read in any text form: escapes shown, the rest as typed."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _command(name: str, key: str, actor: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"command": name, "id": f"hostile/{key}", "actor": actor, "data": data}


def hostile_commands() -> list[dict[str, Any]]:
    admin, analyst, recorder = "opslog.admin", "performance.analyst", "recorder.hostile"
    return [
        _command("DefineTheme", "theme", admin, {"number": 42, "title": TITLE}),
        _command("DefineTopic", "topic", admin, {"topic_id": "hostile-topic", "theme": 42,
                                                 "title": f"-topic {HOSTILE}"}),
        _command("RegisterUnit", "unit", admin, {"unit_id": "hostile-unit", "name": UNIT,
                                                 "kind": "team"}),
        _command("GrantRole", "grant", admin, {"actor": recorder, "role": "recorder",
                                               "unit_id": "hostile-unit"}),
        _command("ScheduleMilestone", "milestone", analyst, {
            "milestone_id": "hostile-ms", "title": TITLE, "topic_id": "hostile-topic",
            "due_quarter": QUARTER, "owner_unit": "hostile-unit"}),
        _command("ReportMilestoneProgress", "progress", recorder, {
            "milestone_id": "hostile-ms", "quarter": QUARTER, "status": "some_delay",
            "narrative": NARRATIVE, "as_of": "2018-06-30"}),
        _command("RecordOperationalUpdate", "update", recorder, {
            "update_id": "hostile-update", "topic_id": "hostile-topic",
            "unit_id": "hostile-unit", "title": f"+update {HOSTILE}",
            "effective_date": "2018-05-01", "narrative": NARRATIVE, "kind": "other",
            "facts": [{"name": f"-fact {HOSTILE}", "kind": "text", "value": f"=cmd {HOSTILE}"},
                      {"name": "$\\foo$ count", "kind": "count", "value": 3,
                       "unit": "[b]x[/b] $\\foo$ \x1b[2J\u202e"}]}),
        _command("DefineIndicator", "indicator", analyst, {
            "indicator_id": "hostile-indicator", "name": INDICATOR,
            "measure": f"$\\bar$ {MARKUP} {ESCAPES}", "better": "lower"}),
        _command("RecordIndicatorValue", "value-1", analyst, {
            "indicator_id": "hostile-indicator", "period": "2017-18", "value": "5",
            "source": f"=source {HOSTILE}", "released_on": "2018-04-01"}),
        _command("RecordIndicatorValue", "value-2", analyst, {
            "indicator_id": "hostile-indicator", "period": "2018-19-Q1", "value": "7",
            "source": "source", "released_on": "2018-07-01"}),
        _command("CorrectEvent", "correction", recorder, {
            "command_id": "hostile/progress", "changes": {"status": "on_track"},
            "reason": f"-reason {HOSTILE}"}),
        _command("RecordOperationalUpdate", "retracted", recorder, {
            "update_id": "hostile-retracted", "topic_id": "hostile-topic",
            "unit_id": "hostile-unit", "title": f"@retracted {HOSTILE}",
            "effective_date": "2018-05", "narrative": "recorded twice", "kind": "other"}),
        _command("RetractEvent", "retraction", recorder, {
            "update_id": "hostile-retracted", "reason": f"=retracted because {HOSTILE}"}),
    ]


@pytest.fixture
def hostile_url(database_url: str) -> str:
    record_sample(database_url)
    recorded = submit(database_url, hostile_commands())
    assert recorded.exit_code == 0, recorded.output
    return database_url


def _acting(text: str) -> list[str]:
    return sorted({repr(found) for found in ACTING.findall(text)})


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _missing(text: str, wanted: tuple[str, ...] = SHOWN) -> list[str]:
    """The attacks `text` does not show as text (white space aside: tables wrap)."""
    squeezed = _squeezed(text)
    return [shown for shown in wanted if _squeezed(shown) not in squeezed]


def test_terminal_outputs_show_every_attack_as_text(hostile_url: str) -> None:
    """The board, the log, histories, the diff, the Markdown report, submit's echoes and
    errors: no control character reaches the terminal, and every attack reads as typed
    (the Markdown's escaping is read by a viewer in `test_pages_...`)."""
    db = ("--db", hostile_url)
    refused = submit(hostile_url, [_command("DefineTheme", "refused", "opslog.admin",
                                            {"number": 42, "title": TITLE, TITLE: 1})])
    assert refused.exit_code == 1
    bad_stream = run(*db, "history", f"milestone-{ESCAPES}")
    assert bad_stream.exit_code != 0
    outputs = {
        "status": ok(*db, "status", "--quarter", QUARTER),
        "log": ok(*db, "log", "--reverse", "--limit", "11"),
        "history milestone": ok(*db, "history", "milestone-hostile-ms"),
        "history unit": ok(*db, "history", "unit-hostile-unit"),
        "history indicator": ok(*db, "history", "indicator-hostile-indicator"),
        "diff": ok(*db, "diff", "--quarter", QUARTER, "--from", "2000-01-01T00:00:00Z"),
        "report md": ok(*db, "report", "--quarter", QUARTER),
        "report md audit": ok(*db, "report", "--quarter", QUARTER, "--audit"),
        "submit refused": refused.output,
        "error": bad_stream.output,
    }
    assert {name: _acting(text) for name, text in outputs.items()} == {
        name: [] for name in outputs}
    whole = ("status", "diff")
    assert {name: _missing(outputs[name]) for name in whole} == {name: [] for name in whole}
    one_line = ("log", "history milestone", "history unit", "history indicator")
    assert {name: _missing(outputs[name], SHOWN[:1]) for name in one_line} == {
        name: [] for name in one_line}  # a summary of one line, cut short
    assert _missing(outputs["submit refused"], ("\\x1b]52;c;", "[phase 2]")) == []
    assert _missing(outputs["error"], ("\\x1b]52;c;", "\\u202eevil")) == []
    assert "hostile-ms" in outputs["status"] and "(corrected)" in outputs["status"]


@pytest.mark.parametrize("args", [
    ("status", "--format", "json"), ("report", "--format", "json"),
    ("log", "--format", "json", "--reverse", "--limit", "11"),
    ("diff", "--format", "json", "--from", "2000-01-01T00:00:00Z"),
], ids=["status", "report", "log", "diff"])
def test_json_is_the_recorded_text_and_acts_on_nothing(hostile_url: str,
                                                       args: tuple[str, ...]) -> None:
    """JSON carries the text exactly as recorded, with every character a terminal would act
    on written as a ``\\u`` escape."""
    quarter = () if args[0] == "log" else ("--quarter", QUARTER)
    result = run("--db", hostile_url, *args, *quarter)
    assert result.exit_code == 0, (result.output, result.exception)
    text = result.stdout
    assert _acting(result.output) == []
    assert "\\u009b2J" in text and "\\u202eevil" in text
    strings = set(_strings(json.loads(text)))
    recorded = {TITLE, f"+update {HOSTILE}", NARRATIVE, f"-reason {HOSTILE}"}
    assert recorded & strings


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def test_csv_xlsx_and_ods_hold_no_formula_and_no_control(hostile_url: str,
                                                         tmp_path: Path) -> None:
    """Every text cell of the board and the indicators is text a spreadsheet shows: none
    starts a formula, none holds a control character, no URL became a link, and the
    attacks read as typed; a second export gives the same bytes."""
    db = ("--db", hostile_url)
    table = ok(*db, "status", "--quarter", QUARTER, "--format", "csv")
    assert _acting(table) == []
    csv_cells = [cell for row in csv.reader(io.StringIO(table)) for cell in row]
    for form in ("xlsx", "ods"):
        for name in ("board", "again"):
            ok(*db, "status", "--quarter", QUARTER, "--format", form, "-o",
               str(tmp_path / f"{name}.{form}"))
        assert (tmp_path / f"board.{form}").read_bytes() == (
            tmp_path / f"again.{form}").read_bytes(), form
    with zipfile.ZipFile(tmp_path / "board.xlsx") as archive:
        parts = {name: archive.read(name).decode() for name in archive.namelist()}
    assert [name for name, part in parts.items()
            if "<hyperlink" in part or "relationships/hyperlink" in part
            or "<f>" in part] == []  # no link, no formula
    book = load_workbook(tmp_path / "board.xlsx")
    xlsx_cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert {cell.data_type for cell in xlsx_cells} == {"s", "n"}
    with zipfile.ZipFile(tmp_path / "board.ods") as archive:
        content = ElementTree.fromstring(archive.read("content.xml"))
    office = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    ods_cells = [cell for cell in content.iter()
                 if cell.get(f"{office}value-type") is not None]
    assert {cell.get(f"{office}value-type") for cell in ods_cells} == {"string", "float"}
    texts = {
        "csv": csv_cells,
        "xlsx": [str(cell.value) for cell in xlsx_cells if cell.data_type == "s"],
        "ods": ["".join(cell.itertext()) for cell in ods_cells
                if cell.get(f"{office}value-type") == "string"],
    }
    for form, cells in texts.items():
        assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == [], form
        assert [cell for cell in cells if _acting(cell)] == [], form
        joined = "\n".join(cells)
        assert _missing(joined) == [], form
        for recorded in (TITLE, UNIT, f"-topic {HOSTILE}"):
            assert "'" + recorded[:4] in joined, (form, recorded)
    indicators = [row for row in book["Indicators"].iter_rows(values_only=True)
                  if row[0] == "hostile-indicator"]
    assert [(row[3], row[4]) for row in indicators] == [("2017-18", 5), ("2018-19-Q1", 7)]


def test_pages_and_the_pdf_show_every_attack_as_text(hostile_url: str, tmp_path: Path) -> None:
    """The HTML page, the Markdown as a permissive viewer renders it, and the PDF's text:
    no element, link or comment from recorded text, no narrative cut short, the safe links
    kept, the attacks visible; a second PDF gives the same bytes."""
    db = ("--db", hostile_url)
    pages = {
        "html": parse(ok(*db, "report", "--quarter", QUARTER, "--format", "html")),
        "html audit": parse(ok(*db, "report", "--quarter", QUARTER, "--format", "html",
                               "--audit")),
        "markdown": parse(as_viewer_shows(ok(*db, "report", "--quarter", QUARTER))),
    }
    for name, page in pages.items():
        assert [tag for tag in page.tags if tag in ("script", "img", "iframe")] == [], name
        assert page.comments == [], name
        assert [link for link in page.links
                if not link[0].startswith(("#", "https://example.org"))] == [], name
        assert ("https://example.org", "site") in page.links, name
        assert [heading for heading in page.headings if "heading" in heading] == [], name
        assert page.text.count(AFTER) == 2, name
        assert _missing(page.text) == [], name
    for name in ("r", "again"):
        ok(*db, "report", "--quarter", QUARTER, "--format", "pdf", "-o",
           str(tmp_path / f"{name}.pdf"))
    assert (tmp_path / "r.pdf").read_bytes() == (tmp_path / "again.pdf").read_bytes()
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext (poppler-utils) is needed"
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(tmp_path / "r.pdf"), "-"],
                          capture_output=True, check=True, text=True).stdout
    assert text.count(AFTER) == 2
    assert _missing(text) == []


def test_snapshots_and_the_dashboard_render_hostile_text(hostile_url: str) -> None:
    """A snapshot of the log with the indicator named like maths is made; the dashboard's
    board, report, log and event pages show the attacks as text."""
    made = run("--db", hostile_url, "snapshot", "create", "--quarter", QUARTER, "--cutoff",
               "now", "--actor", "performance.analyst")
    assert made.exit_code == 0, (made.output, made.exception)
    listed = ok("--db", hostile_url, "snapshot", "list", "--format", "json")
    assert _acting(listed) == []
    store = EventStore.open(hostile_url)
    try:
        issued = issue_token(store, actor="performance.analyst", issued_by="opslog.admin",
                             expires_in=None, channel=direct())
        progress = next(event.position for event in store.read_stream("milestone-hostile-ms")
                        if event.type == "MilestoneProgressReported")
        with TestClient(create_app(store, token_authenticator(store))) as client:
            signed = client.post("/sign-in", data={"token": issued.secret, "next": "/log"},
                                 follow_redirects=False)
            assert signed.status_code == 303
            answers = {path: client.get(path) for path in (
                f"/quarters/{QUARTER}/board", f"/quarters/{QUARTER}/report", "/log",
                f"/events/{progress}", f"/v1/quarters/{QUARTER}/board?format=md",
                f"/v1/quarters/{QUARTER}/board?format=csv")}
            api = client.get(f"/v1/events/{progress}",
                             headers={"Authorization": f"Bearer {issued.secret}"})
    finally:
        store.close()
    for path, answer in answers.items():
        assert answer.status_code == 200, (path, answer.text[:300])
        assert _acting(answer.text) == [], path
        if "format=" not in path:
            page = parse(answer.text)
            assert [tag for tag in page.tags if tag in ("img", "iframe")] == [], path
            assert [link for link in page.links if "javascript" in link[0]] == [], path
            assert page.comments == [], path
    event_page = answers[f"/events/{progress}"].text
    assert _missing(parse(event_page).text,
                    ("\\u001b]52;c;", "[phase 2]", "<script>alert(1)</script>")) == []
    assert "\\x0a" not in event_page  # the event's JSON keeps its own line breaks
    assert api.status_code == 200 and _acting(api.text) == []
    assert json.loads(api.text)["data"]["narrative"] == NARRATIVE
