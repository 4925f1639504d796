"""The request log as XLSX: the same rows and columns as /export's CSV (bot/stats/export.py),
so both files always agree. Numbers stay numbers; a cell that would read as a formula keeps
the CSV's "'" prefix and is written as text (openpyxl's data type "s"), never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

from bot.stats.export import BOM, RequestLog

if TYPE_CHECKING:
    from bot.dashboard.deps import DashboardDeps

NUMERIC_COLUMNS = frozenset({0, 15, 16, 17, 20, 21})  # id, minutes, rating, events, notice


def _value(index: int, text: str) -> object:
    if index in NUMERIC_COLUMNS and text.isdigit():
        return int(text)
    return text


def _width(text: str) -> int:
    """Columns a text takes: Chinese characters are two wide."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _log(app: DashboardDeps) -> RequestLog:
    return RequestLog(
        settings=app.settings, db=app.db, texts=app.texts, estates=app.tickets.estates
    )


async def rows(
    app: DashboardDeps, start: date, end: date, scope: Collection[int] | None = None
) -> tuple[list[list[str]], int]:
    """(header and rows as /export writes them, how many tickets): the estates in `scope`."""
    content, count = await _log(app).csv_bytes(start, end, scope)
    text = content.decode("utf-8").removeprefix(BOM)
    return list(csv.reader(io.StringIO(text))), count


async def csv_bytes(
    app: DashboardDeps, start: date, end: date, scope: Collection[int] | None = None
) -> tuple[bytes, int]:
    return await _log(app).csv_bytes(start, end, scope)


def xlsx_from_rows(table: list[list[str]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for row_number, row in enumerate(table, start=1):
        for index, text in enumerate(row):
            cell: Cell = sheet.cell(row=row_number, column=index + 1)
            value = text if row_number == 1 else _value(index, text)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with "="
    if table:
        sheet.freeze_panes = "A2"
        for index in range(len(table[0])):
            longest = max(_width(r[index]) if index < len(r) else 0 for r in table[:200])
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(50, max(8, longest + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def xlsx_bytes(
    app: DashboardDeps, start: date, end: date, title: str, scope: Collection[int] | None = None
) -> tuple[bytes, int]:
    table, count = await rows(app, start, end, scope)
    return xlsx_from_rows(table, title), count
