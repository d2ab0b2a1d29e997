"""List exports (导出): every list page's rows — the same filters, order and visibility — as
one .xlsx sheet, through portal/xlsx.py so all exports look alike.

An export holds every matching row, not just the page, up to `EXPORT_ROW_LIMIT`; beyond it
the sheet ends with a note saying it was cut. The workbook is written in a worker thread so a
large export never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import datetime
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

from starlette.responses import Response

from portal.engine import offloaded_reads
from portal.i18n import _
from portal.xlsx import Column, export_filename, workbook_bytes, xlsx_response

EXPORT_ROW_LIMIT = 50_000
NOTE_KEY = "__export_note__"
UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
UNSAFE_SHEET_TITLE = re.compile(r"[\\*?:/\[\]]")


async def export_rows(query: Any) -> tuple[list[dict[str, Any]], bool]:
    """At most `EXPORT_ROW_LIMIT` rows of an ordered select, and whether there were more."""
    limit = EXPORT_ROW_LIMIT
    rows = await query.limit(limit + 1)
    return rows[:limit], len(rows) > limit


async def export_read(read: Callable[[int], Awaitable[list[Any]]]) -> tuple[list[Any], bool]:
    """At most `EXPORT_ROW_LIMIT` rows from a read-layer function of a row limit, and whether
    there were more; read on a worker thread (a whole list would hold up other requests)."""
    limit = EXPORT_ROW_LIMIT
    with offloaded_reads():
        rows = await read(limit + 1)
    return rows[:limit], len(rows) > limit


def _noting(column: Column, first: bool) -> Column:
    """The column, able to show the closing note row (in the first column only)."""

    def value(row: Any) -> Any:
        if isinstance(row, dict) and NOTE_KEY in row:
            return row[NOTE_KEY] if first else None
        return column.cell_value(row)

    return Column(column.header, value, column.width, column.number_format)


def _rows_with_note(rows: list[dict[str, Any]], note: str) -> Iterator[dict[str, Any]]:
    yield from rows
    yield {NOTE_KEY: note}


def safe_filename(stem: str) -> str:
    """A file name stem without characters that file systems refuse (e.g. an organization's
    name with a slash in it)."""
    return UNSAFE_FILENAME.sub("_", stem).strip(" .") or "export"


async def excel_export(
    *,
    stem: str,
    ascii_stem: str,
    title: str,
    columns: Sequence[Column],
    rows: list[dict[str, Any]],
    truncated: bool = False,
) -> Response:
    """The download: `stem`-2026-11-23.xlsx (translated, e.g. 学生名单), with an ASCII file name
    for old clients, one sheet named `title`."""
    body: Any = rows
    if truncated:
        columns = [_noting(column, index == 0) for index, column in enumerate(columns)]
        note = _(
            "Only the first %(limit)s rows were exported. Narrow the filters to export the rest.",
            limit=f"{EXPORT_ROW_LIMIT:,}",
        )
        body = _rows_with_note(rows, note)
    sheet_title = UNSAFE_SHEET_TITLE.sub(" ", title)
    content = await asyncio.to_thread(workbook_bytes, sheet_title, columns, body)
    day = datetime.date.today()
    return xlsx_response(
        content,
        export_filename(safe_filename(stem), day),
        export_filename(ascii_stem, day),
    )
