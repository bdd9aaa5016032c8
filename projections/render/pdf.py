"""The report as a tagged A4 PDF (WeasyPrint), the same bytes for the same log.

The PDF is the HTML page printed: PDF/UA-1, so it carries a structure tree and is marked
as tagged, for screen readers. Its dates are the recording time of the latest event the
report cites and its identifier a hash of the page, so a snapshot can store and hash it.

WeasyPrint is imported inside `render_pdf`: it is slow to load and the CLI starts often.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from projections.quarter.report import Report
from projections.render.fixed import recorded_time
from projections.render.html import render_html, report_sources

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { max-width: none; margin: 0; padding: 0; }
h1, h2, h3 { break-after: avoid; }
tr, .milestone, svg { break-inside: avoid; }
.toggle { display: none; }
"""
"""An A4 page (595 × 842 pt) for the screen page's layout; headings stay with what follows
and a table row, milestone box or chart is not split across pages; the audit page's
provenance checkbox is not printed (the provenance is)."""


def render_pdf(report: Report, audit: bool = False) -> bytes:
    """The report's PDF: same report, same bytes (`audit` as for `render_html`).

    The page is self-contained, so WeasyPrint may fetch no URL at all: nothing recorded
    can make the renderer read a file or call a server, and the bytes depend on the log
    alone."""
    from weasyprint import CSS, HTML, URLFetcher

    page = render_html(report, audit)
    recorded = recorded_time(report_sources(report))
    stamp = recorded.strftime("%Y-%m-%dT%H:%M:%SZ")
    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    with _font_dates(recorded):
        fetch_nothing = URLFetcher(allowed_protocols=())
        document = HTML(string=page, url_fetcher=fetch_nothing).render(
            stylesheets=[CSS(string=PRINT_CSS)], pdf_tags=True)
        document.metadata.created = stamp
        document.metadata.modified = stamp
        pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True,
                                        pdf_identifier=identifier)
    return pdf


@contextmanager
def _font_dates(moment: datetime) -> Iterator[None]:
    """Fonts saved while rendering are dated `moment`, not now.

    WeasyPrint saves some embedded fonts through fontTools (colour emoji such as the
    status symbols, or every font when HarfBuzz's subsetter is missing), and fontTools
    dates each one with the clock unless ``SOURCE_DATE_EPOCH`` is set: the
    reproducible-builds convention, set here for the render and restored after.
    """
    name = "SOURCE_DATE_EPOCH"
    previous = os.environ.get(name)
    os.environ[name] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ[name]
        else:
            os.environ[name] = previous
