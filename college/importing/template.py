"""The downloadable template (导入模板) of each kind: the header row and an example row on the
first sheet, and on a second sheet what each column means and which values it takes."""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from college.importing.kinds import ImportSpec
from college.importing.reading import MAX_DATA_ROWS, MAX_FILE_BYTES
from portal.i18n import _
from portal.xlsx import DATE_FORMAT, HEADER_FILL, HEADER_FONT

REQUIRED_FILL = PatternFill("solid", fgColor="FDE2E1")


def template_bytes(spec: ImportSpec) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = spec.title()[:31]
    for index, column in enumerate(spec.columns, start=1):
        header = sheet.cell(row=1, column=index, value=column.header)
        header.font = HEADER_FONT
        header.fill = REQUIRED_FILL if column.required else HEADER_FILL
        example = sheet.cell(row=2, column=index, value=column.example)
        if isinstance(column.example, datetime.date):
            example.number_format = DATE_FORMAT
        elif isinstance(column.example, str):
            example.number_format = "@"  # text: 学号 and phone numbers keep their digits
        sheet.column_dimensions[get_column_letter(index)].width = max(
            12, 2 * len(column.header) + 4
        )
    sheet.freeze_panes = "A2"

    notes = book.create_sheet(_("Column guide")[:31])
    notes.append([_("Column"), _("Required"), _("What to enter")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for column in spec.columns:
        notes.append([column.header, _("Yes") if column.required else "", _(column.note)])
    notes.append([])
    for line in general_notes():
        notes.append(["", "", line])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 8
    notes.column_dimensions["C"].width = 90
    for row in notes.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def general_notes() -> list[str]:
    """How any import file is read: shown on the upload page and in the template."""
    return [
        _(
            "Keep the header row; the columns may be in any order, and columns not listed "
            "here are ignored. A title row above the header is fine."
        ),
        _(
            "Replace the example row with your rows (left unchanged, it is skipped). Blank "
            "lines are skipped."
        ),
        _(
            "A blank cell in a listed column clears that value on update, except where the "
            "guide says it keeps the current value; a column left out keeps the current values."
        ),
        _(
            "Upload .xlsx or .csv (UTF-8 or GBK), at most %(size)s MB and %(rows)s rows.",
            size=MAX_FILE_BYTES // (1024 * 1024),
            rows=f"{MAX_DATA_ROWS:,}",
        ),
    ]
