"""Reading Excel exports in tests, and the rows a list page shows, to compare the two."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from openpyxl import load_workbook

from portal.xlsx import XLSX_MEDIA_TYPE
from tests.support import Browser, count_queries  # noqa: F401 — re-exported for the export tests


@dataclass
class Sheet:
    """The one sheet of an export: its header row and the cells of every other row."""

    headers: list[str]
    rows: list[list[Any]]  # openpyxl cells
    filename: str

    def column(self, header: str) -> list[Any]:
        index = self.headers.index(header)
        return [row[index].value for row in self.rows]

    def cells(self, header: str) -> list[Any]:
        index = self.headers.index(header)
        return [row[index] for row in self.rows]


def read_export(response) -> Sheet:
    """The sheet of an .xlsx download, after checking it is one."""
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    filename = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 1
    sheet = book.worksheets[0]
    all_rows = [list(row) for row in sheet.iter_rows()]
    headers = [cell.value for cell in all_rows[0]]
    return Sheet(headers=headers, rows=all_rows[1:], filename=filename)


def export(browser: Browser, path: str, **params: Any) -> Sheet:
    return read_export(browser.get(path, params=params))


def field_of(row: Any, key: str) -> Any:
    """A field of a listed row: a typed row's attribute, or a dict row's key."""
    return row[key] if isinstance(row, dict) else getattr(row, key)


def listed(browser: Browser, path: str, key: str, **params: Any) -> list[Any]:
    """`key` of every row the list page shows for these filters, over all its pages, in order."""
    values: list[Any] = []
    number = 1
    while True:
        response = browser.get(path, params={**params, "page": number, "size": 20})
        assert response.status_code == 200, response.text[:500]
        page = response.context["page"]
        values.extend(field_of(row, key) for row in page.rows)
        if not page.has_next:
            return values
        number += 1


def export_link(browser: Browser, path: str, **params: Any) -> str:
    """The href of the list page's "Export Excel" link."""
    soup = Browser.soup(browser.get(path, params=params))
    link = soup.select_one(".list-export a[href]")
    assert link is not None and link.get_text(strip=True), "no export link with text"
    return link["href"]


def today_suffix() -> str:
    return f"-{datetime.date.today().isoformat()}.xlsx"
