"""Reading an uploaded spreadsheet (导入文件): what kind of file it is, and its rows of cells.

A file is judged by its content, not its name: an .xlsx is a ZIP holding
[Content_Types].xml and a workbook; anything else must decode as text (UTF-8 with or without
BOM, UTF-16 with BOM, or GB18030, which covers GBK) and is read as CSV. Every refusal is a
`Refused` (portal.domain_errors) whose message is shown next to the file field (`FILE_FIELD`).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from portal.domain_errors import Refused
from portal.i18n import _

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 300 * 1024 * 1024  # a 10 MB .xlsx unpacks to far less: more is a zip bomb
MAX_DATA_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 1_000  # the longest field the portal stores has 500
HEADER_SEARCH_ROWS = 5  # the header may sit below a title row or two
MAX_SHEETS_SEARCHED = 5

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc)
BINARY_MAGICS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc")


FILE_FIELD = "file"  # the upload form's file field


def file_refused(message: str) -> Refused:
    """The upload cannot be read as a spreadsheet of this kind: `message`, beside the file
    field."""
    return Refused.at(FILE_FIELD, message)


@dataclass
class Sheet:
    """The cells of a file: rows with their line numbers (as the spreadsheet shows them)."""

    rows: list[tuple[int, list[Any]]]
    file_type: str  # "xlsx" or "csv"
    encoding: str = ""  # for CSV: the encoding it was read with
    sheet_name: str = ""
    notes: list[str] = field(default_factory=list)


def clean_text(value: Any) -> str:
    """A cell as the text a person meant: numbers without a trailing .0, dates as
    YYYY-MM-DD, full-width characters folded (NFKC), stray and repeated spaces dropped."""
    if value is None:
        return ""
    if type(value) is str:  # the common case first: called for every cell
        text = value if value.isascii() else unicodedata.normalize("NFKC", value)
        return " ".join(text.split())
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def is_blank_row(cells: Iterable[Any]) -> bool:
    """No cell holds anything but spaces (full-width ones too)."""
    return all(cell is None or (type(cell) is str and not cell.strip()) for cell in cells)


def sniff_type(content: bytes) -> str:
    """ "xlsx" or "csv" from the file's first bytes, or Refused for anything else."""
    if not content:
        raise file_refused(_("The file is empty."))
    if content.startswith(ZIP_MAGIC):
        return "xlsx"
    if content.startswith(OLE2_MAGIC):
        raise file_refused(
            _(
                "This is an old-style .xls workbook: open it in Excel or WPS and save it as "
                ".xlsx (or CSV), then upload that."
            )
        )
    if content.startswith(BINARY_MAGICS):
        raise file_refused(_("This is not a spreadsheet: upload an .xlsx or .csv file."))
    return "csv"


def read_sheet(content: bytes) -> Sheet:
    """The rows of an uploaded .xlsx or .csv file, or Refused saying why not."""
    if len(content) > MAX_FILE_BYTES:
        raise file_refused(too_large_message())
    if sniff_type(content) == "xlsx":
        return read_xlsx(content)
    return read_csv(content)


def too_large_message() -> str:
    return _(
        "The file is larger than %(limit)s MB: split it into smaller files.",
        limit=MAX_FILE_BYTES // (1024 * 1024),
    )


def too_many_rows_message() -> str:
    return _(
        "The file has more than %(limit)s rows: split it into smaller files.",
        limit=f"{MAX_DATA_ROWS:,}",
    )


# --- xlsx ----------------------------------------------------------------------------------


def check_workbook_archive(content: bytes) -> None:
    """A ZIP that is really a workbook, and not one that unpacks to gigabytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise file_refused(broken_xlsx_message()) from error
    if "[Content_Types].xml" not in names:
        raise file_refused(_("This is a ZIP archive, not a spreadsheet: upload an .xlsx or .csv."))
    if not any(name.startswith("xl/") for name in names):
        raise file_refused(
            _("This is an Office file but not a workbook (a Word or PowerPoint file?).")
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise file_refused(too_large_message())


def broken_xlsx_message() -> str:
    return _(
        "The workbook could not be read: it may be damaged or only partly uploaded. Open it "
        "in Excel or WPS, save it again and upload the new file."
    )


def read_xlsx(content: bytes) -> Sheet:
    """The first sheet that has a recognisable table (usually the first sheet): its rows."""
    check_workbook_archive(content)
    try:
        return first_table(content)
    except (Refused, MemoryError):  # out of memory is not a damaged file (see isolation.py)
        raise
    except Exception as error:
        # A boundary: openpyxl reads a damaged workbook with whatever fails first. Corrupting
        # test workbooks gave BadZipFile, zlib.error, ParseError, KeyError, ValueError,
        # TypeError, EOFError, OSError, NotImplementedError and RuntimeError; every one of
        # them means the same to the user.
        raise file_refused(broken_xlsx_message()) from error


def first_table(content: bytes) -> Sheet:
    """The rows of the first visible sheet with any, of at most MAX_SHEETS_SEARCHED.

    read-only mode streams the XML; the sheet's stated size is ignored (some programs write
    it wrong), so rows are neither cut short nor padded to thousands of columns."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        for worksheet in book.worksheets[:MAX_SHEETS_SEARCHED]:
            if getattr(worksheet, "sheet_state", "visible") != "visible":
                continue
            worksheet.reset_dimensions()
            rows = list(limited_rows(worksheet.iter_rows(values_only=True)))
            if rows:  # the first sheet with content; later ones are notes and lists
                return Sheet(rows=rows, file_type="xlsx", sheet_name=worksheet.title)
    finally:
        book.close()
    raise file_refused(_("The workbook has no rows."))


def limited_rows(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, list[Any]]]:
    """Non-blank rows with their line numbers, at most MAX_DATA_ROWS of them (plus a few for
    a title and the header): more is refused rather than read to the end."""
    kept = 0
    for line, cells in enumerate(rows, start=1):
        values = list(cells[:MAX_COLUMNS])
        if is_blank_row(values):
            continue
        kept += 1
        if kept > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
            raise file_refused(too_many_rows_message())
        for column, value in enumerate(values, start=1):
            if type(value) is str and len(value) > MAX_CELL_CHARS:
                raise file_refused(too_long_cell_message(line, column))
        yield line, values


def too_long_cell_message(line: int, column: int) -> str:
    return _(
        "Row %(line)s, column %(column)s holds more than %(limit)s characters: no field of the "
        "portal is that long. Check the file.",
        line=line,
        column=column,
        limit=f"{MAX_CELL_CHARS:,}",
    )


# --- csv -------------------------------------------------------------------------------------


def decode_text(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in: UTF-8 (BOM or not), UTF-16 with a
    BOM (Excel's "Unicode text"), else GB18030 (a superset of GBK and GB2312)."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise file_refused(not_text_message()) from error
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if looks_binary(text):
            break
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise file_refused(not_text_message())


def not_text_message() -> str:
    return _(
        "This file is neither an .xlsx workbook nor a CSV text file (UTF-8 or GBK): save "
        "the sheet as .xlsx or CSV and upload that."
    )


def looks_binary(text: str) -> bool:
    """Control characters other than tab and line breaks do not occur in a CSV file."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return "\x00" in sample or controls > len(sample) // 100


def read_csv(content: bytes) -> Sheet:
    text, encoding = decode_text(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", "\t", ";"), key=first_line.count) if first_line else ","
    if first_line and first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(limited_rows(tuple(row) for row in reader))
    except csv.Error as error:
        raise file_refused(not_text_message()) from error
    if not rows:
        raise file_refused(_("The file has no rows."))
    return Sheet(rows=rows, file_type="csv", encoding=encoding)
