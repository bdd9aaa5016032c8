"""Exports readers open elsewhere: CSV, XLSX and ODS of the board, the report as a PDF.

Text never becomes a formula (OWASP's CSV injection advice) and numbers stay numbers; the
same log gives the same bytes, whatever the clock says; the PDF is tagged A4 and says
what the Markdown report says.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
import time_machine
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from pypdf import PdfReader

from catalogue import Quarter
from projections import query
from projections.fold.cutoff import Cutoff
from projections.quarter.forms import CSV_COLUMNS, board_csv
from projections.quarter.report import Report
from projections.render.cells import cell_text, neutralise
from projections.render.markdown import render_markdown
from projections.render.pdf import render_pdf
from projections.render.spreadsheet import board_ods, board_xlsx
from projections.render.visible import visible
from tests.projections.builders import LogWriter
from tests.projections.q1_log import Q1Log, milestone

Q1 = Quarter(2018, 1)
HYPERLINK = '=HYPERLINK("http://x","y")'
HOSTILE = {
    "hostile-link": HYPERLINK,
    "hostile-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "hostile-plus": "+44 20 7230 1212",
    "hostile-minus": "-2+3",
    "hostile-tab": "\t=1+1",
    "hostile-return": "\r=1+1",
    "number-like": "1e5",
    "escape-sequence": "\x1b]52;c;aGk=\x07 clipboard \x00 nul",
}
"""Milestone titles a spreadsheet would run or turn into numbers, and one that XML cannot
hold as it is."""
ESCAPES_SHOWN = "\\x1b]52;c;aGk=\\x07 clipboard \\x00 nul"
"""The escape-sequence title in every export: each control shown as the report shows it,
so a CSV printed to a terminal sends no ESC and XML holds no character it cannot."""
LATER = "2031-05-17T12:00:00Z"


@pytest.fixture
def hostile(writer: LogWriter, q1: Q1Log) -> Report:
    """The Quarter 1 log with milestones whose titles are formulas and numbers."""
    writer.record(*[milestone(key, "violent-crime", "vctf", title)
                    for key, title in HOSTILE.items()], when="2018-07-11T09:00")
    return query.report(writer.store, Q1, Cutoff())


@pytest.mark.parametrize(("text", "written"), [
    (HYPERLINK, "'" + HYPERLINK), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("1- Introduction", "1- Introduction"),
    ("a=b", "a=b"), ("", ""), ("'quoted", "'quoted"),
])
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str, written: str) -> None:
    """Only a leading =, +, -, @, tab or carriage return is neutralised."""
    assert neutralise(text) == written


def test_the_csv_board_neutralises_formulas(hostile: Report) -> None:
    """Every hostile title is written with a leading quote; positions stay plain numbers."""
    rows = list(csv.DictReader(io.StringIO(board_csv(hostile.board))))
    titles = {row["milestone_id"]: row["title"] for row in rows}
    for key, title in HOSTILE.items():
        assert titles[key] == cell_text(title)
    assert titles["hostile-link"] == "'" + HYPERLINK
    assert titles["number-like"] == "1e5"
    assert titles["hostile-tab"] == "\\x09=1+1"
    assert titles["escape-sequence"] == ESCAPES_SHOWN
    assert all(row["source_position"].isdigit() for row in rows)


def _unescaped(text: str) -> str:
    """OOXML's ``_x000D_`` escapes of control characters, decoded (as Excel does)."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda found: chr(int(found[1], 16)), text)


def test_the_xlsx_holds_the_board_as_text_and_numbers(hostile: Report) -> None:
    """The workbook opens with the board's rows: titles as strings, never formulas,
    positions and indicator values as numbers."""
    book = load_workbook(io.BytesIO(board_xlsx(hostile.board, hostile.charts)))
    sheet = book["Milestones"]
    rows = list(sheet.iter_rows())
    assert tuple(cell.value for cell in rows[0]) == CSV_COLUMNS
    assert [row[1].value for row in rows[1:]] == [row.milestone_id for row in hostile.board.rows]
    title = CSV_COLUMNS.index("title")
    position = CSV_COLUMNS.index("source_position")
    cells = {row[1].value: row for row in rows[1:]}
    for key, text in HOSTILE.items():
        assert cells[key][title].data_type == "s"
        assert _unescaped(cells[key][title].value) == cell_text(text)
    assert cells["hostile-link"][title].value == "'" + HYPERLINK
    assert cells["number-like"][title].value == "1e5"
    assert cells["escape-sequence"][title].value == ESCAPES_SHOWN
    for row in rows[1:]:
        assert row[position].data_type == "n"
    by_id = {row.milestone_id: row.source.position for row in hostile.board.rows}
    assert {key: row[position].value for key, row in cells.items()} == by_id
    values = [row[4].value for row in book["Indicators"].iter_rows(min_row=2)]
    expected = [point.value for chart in hostile.charts for point in chart.points]
    assert values and all(isinstance(value, int | float) for value in values)
    assert [Decimal(str(value)) for value in values] == expected


def test_the_ods_holds_the_board_as_text_and_numbers(hostile: Report) -> None:
    """The OpenDocument content types titles as strings and positions as floats."""
    data = board_ods(hostile.board, hostile.charts)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist()[0] == "mimetype"
        content = ElementTree.fromstring(archive.read("content.xml"))
    office = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    table = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    sheet = content.find(f".//{table}table[@{table}name='Milestones']")
    assert sheet is not None
    rows = [[(cell.get(f"{office}value-type"), cell.get(f"{office}value"),
              "".join(cell.itertext())) for cell in row] for row in sheet]
    title = CSV_COLUMNS.index("title")
    position = CSV_COLUMNS.index("source_position")
    found = {row[1][2]: row for row in rows[1:]}
    assert found["hostile-link"][title] == ("string", None, "'" + HYPERLINK)
    assert found["number-like"][title] == ("string", None, "1e5")
    assert found["escape-sequence"][title][2] == ESCAPES_SHOWN
    for row in hostile.board.rows:
        assert found[row.milestone_id][position][:2] == ("float", str(row.source.position))


@pytest.mark.parametrize("render", [board_xlsx, board_ods], ids=["xlsx", "ods"])
def test_a_workbook_is_the_same_bytes_whenever_it_is_made(hostile: Report, render: object
                                                          ) -> None:
    """Rendered twice in one process, and again years later, the bytes are identical."""
    assert callable(render)
    first = render(hostile.board, hostile.charts)
    assert render(hostile.board, hostile.charts) == first
    with time_machine.travel(LATER, tick=False):
        assert render(hostile.board, hostile.charts) == first


def _words(text: str) -> str:
    """`text` as pdftotext gives it: runs of white space as one space, control
    characters (which the PDF does not draw) left out."""
    shown = "".join(char for char in text if char.isspace() or unicodedata.category(char) != "Cc")
    return re.sub(r"\s+", " ", shown).strip()


def test_the_pdf_is_tagged_a4_says_what_the_markdown_says_and_repeats(hostile: Report,
                                                                      tmp_path: Path) -> None:
    """Same bytes years later; A4 pages; marked as tagged with a structure tree; its text
    holds every milestone title and every heading of the Markdown report."""
    first = render_pdf(hostile)
    with time_machine.travel(LATER, tick=False):
        assert render_pdf(hostile) == first
    reader = PdfReader(io.BytesIO(first))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            595, 842)
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext (poppler-utils) is needed"
    (tmp_path / "report.pdf").write_bytes(first)
    text = _words(subprocess.run([pdftotext, "-layout", "-enc", "UTF-8",
                                  str(tmp_path / "report.pdf"), "-"], capture_output=True,
                                 check=True, text=True).stdout)
    headings = [line.lstrip("#").strip() for line in render_markdown(hostile).splitlines()
                if line.startswith("#")]
    assert len(headings) > 10
    for heading in headings:
        assert _words(heading) in text
    for row in hostile.board.rows:
        assert _words(visible(row.title, keep="\n\r\t")) in text  # controls shown escaped


BLOCKS = re.compile(r"</?(?:p|li|h[1-6]|td|th|tr|figcaption)\b[^>]*>")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _sentences(markdown: str) -> set[str]:
    """The Markdown's sentences as a viewer shows them: rendered, tags dropped, entities
    read, each block split after ``.``, ``!`` or ``?``."""
    page = MarkdownIt("commonmark").enable("table").render(markdown)
    found = set()
    for block in BLOCKS.split(page):
        text = _words(html.unescape(re.sub(r"<[^>]+>", "", block)))
        found.update(sentence for sentence in SENTENCE_END.split(text) if sentence)
    return found


def _key(text: str) -> str:
    """`text` without white space, hyphens or a closing full stop: pdftotext joins a word
    broken at a line's end hyphen and drops the hyphen ("weapon-enabled" → "weaponenabled"),
    and a summary line may end without a stop in the page."""
    return re.sub(r"[\s\-]+", "", text).removesuffix(".")


def test_the_pdf_holds_every_sentence_of_the_markdown(hostile: Report, tmp_path: Path) -> None:
    """Every sentence a Markdown viewer shows of the report, the hostile titles' included,
    is in the PDF's extracted text, read in the order the page was written (``-raw``: an
    inline status symbol can move a wrapped line in pdftotext's layout order): the two say
    the same."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext (poppler-utils) is needed"
    (tmp_path / "report.pdf").write_bytes(render_pdf(hostile))
    text = _key(subprocess.run(
        [pdftotext, "-raw", "-enc", "UTF-8", str(tmp_path / "report.pdf"), "-"],
        capture_output=True, check=True, text=True).stdout)
    sentences = _sentences(render_markdown(hostile))
    assert len(sentences) > 100
    assert any("HYPERLINK" in sentence for sentence in sentences)
    assert sorted(sentence for sentence in sentences if _key(sentence) not in text) == []


def test_the_pdf_renderer_fetches_nothing(hostile: Report, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Were an image, a stylesheet or a file URL ever to reach the page, WeasyPrint would
    not fetch it: a local server sees no request and the file is not read into the PDF."""
    import http.server
    import threading

    requests: list[str] = []

    class Counting(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FILE-TEXT")
    server = http.server.HTTPServer(("127.0.0.1", 0), Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    page = (f'<html><head><link rel="stylesheet" href="{url}/style.css"></head><body>'
            f'<img src="{url}/image.png"><object data="{secret.as_uri()}"></object>'
            f'<iframe src="{secret.as_uri()}"></iframe>'
            f'<div style="background: url({url}/background.png)">text</div></body></html>')
    monkeypatch.setattr("projections.render.pdf.render_html", lambda report, audit: page)
    try:
        pdf = render_pdf(hostile)
    finally:
        server.shutdown()
    assert requests == []
    assert b"SECRET-FILE-TEXT" not in pdf
