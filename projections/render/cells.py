"""Cells a spreadsheet cannot run: OWASP's advice against CSV (formula) injection.

Spreadsheet programs read a text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return before one) as a formula, so a recorded title like
``=HYPERLINK("http://x","y")`` would run when a reader opens the export. Such text is
written with a leading single quote, which every spreadsheet shows as text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """`text`, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
