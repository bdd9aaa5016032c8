"""Cells a spreadsheet cannot run and a terminal cannot act on.

Spreadsheet programs read a text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return before one) as a formula, so a recorded title like
``=HYPERLINK("http://x","y")`` would run when a reader opens the export: OWASP's advice
against CSV injection is to write such text with a leading single quote, which every
spreadsheet shows as text. A CSV printed to a terminal would also send any escape sequence
a title holds, and XML (XLSX, ODS) cannot hold most control characters at all, so every
export writes them as the report shows them (`visible`): ``\\x1b``, not ESC.
"""

from __future__ import annotations

from projections.render.visible import visible

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """`text`, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell_text(text: str) -> str:
    """Recorded text as an export's cell holds it: controls shown, formulas neutralised.

    Line feeds stay (a CSV quotes them, a spreadsheet wraps them)."""
    return neutralise(visible(text, keep="\n"))
