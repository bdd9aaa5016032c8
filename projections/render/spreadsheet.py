"""The board and the indicators as a workbook: XLSX (XlsxWriter) and ODS (odfpy).

Two sheets: ``Milestones`` (the CSV board's columns) and ``Indicators`` (every value the
report charts). Text is always written as text, as `cell_text` makes it (no formula, no
control character); positions and values stay numbers. The same board gives the same
bytes: the workbook's dates come from the log (`fixed`), never from the clock.

The libraries are imported inside the functions: the CLI loads this module on every start.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from projections.quarter.board import Board
from projections.quarter.forms import (
    CSV_COLUMNS,
    INDICATOR_COLUMNS,
    Cell,
    board_rows,
    indicator_rows,
)
from projections.quarter.report import Chart
from projections.render.cells import cell_text
from projections.render.fixed import fixed_zip, recorded_time


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    columns: Sequence[str]
    rows: list[list[Cell]]


@dataclass(frozen=True, slots=True)
class Workbook:
    title: str
    created: datetime
    sheets: tuple[Sheet, ...]


def workbook(board: Board, charts: tuple[Chart, ...]) -> Workbook:
    """What both formats hold: the board's rows and the charts' values."""
    sources = [row.source for row in board.rows]
    sources += [point.source for chart in charts for point in chart.points]
    return Workbook(
        title=f"Milestone board {board.quarter} at position {board.position}",
        created=recorded_time(sources),
        sheets=(Sheet("Milestones", CSV_COLUMNS, board_rows(board)),
                Sheet("Indicators", INDICATOR_COLUMNS, indicator_rows(charts))),
    )


def board_xlsx(board: Board, charts: tuple[Chart, ...]) -> bytes:
    """The workbook as XLSX bytes."""
    import xlsxwriter

    book = workbook(board, charts)
    output = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
               "strings_to_urls": False}
    with xlsxwriter.Workbook(output, options) as target:
        target.set_properties({"title": book.title, "created": book.created})
        bold = target.add_format({"bold": True})
        for sheet in book.sheets:
            worksheet = target.add_worksheet(sheet.name)
            for column, name in enumerate(sheet.columns):
                worksheet.write_string(0, column, name, bold)
            for number, row in enumerate(sheet.rows, start=1):
                for column, value in enumerate(row):
                    if isinstance(value, str):
                        worksheet.write_string(number, column, cell_text(value))
                    else:
                        worksheet.write_number(number, column, _number(value))
            worksheet.freeze_panes(1, 0)
    return output.getvalue()


def board_ods(board: Board, charts: tuple[Chart, ...]) -> bytes:
    """The workbook as OpenDocument spreadsheet bytes."""
    from odf.dc import Title
    from odf.element import Element
    from odf.meta import CreationDate
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    book = workbook(board, charts)
    # odfpy declares, in every part it writes, each namespace any element of the process
    # has used (a class-level dict): start from none, so the bytes depend on this book alone.
    Element.namespaces.clear()
    document = OpenDocumentSpreadsheet()
    document.meta.addElement(Title(text=book.title))
    document.meta.addElement(CreationDate(text=book.created.strftime("%Y-%m-%dT%H:%M:%S")))
    for sheet in book.sheets:
        table = Table(name=sheet.name)
        header: list[Cell] = list(sheet.columns)
        for row in [header, *sheet.rows]:
            line = TableRow()
            for value in row:
                if isinstance(value, str):
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=cell_text(value)))
                else:
                    cell = TableCell(valuetype="float", value=str(value))
                    cell.addElement(P(text=str(value)))
                line.addElement(cell)
            table.addElement(line)
        document.spreadsheet.addElement(table)
    output = io.BytesIO()
    document.write(output)
    return fixed_zip(output.getvalue())


def _number(value: int | Decimal) -> float:
    return float(value)
