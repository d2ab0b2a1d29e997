"""Uploads that would hurt the server (issue 14): a workbook whose cells unpack to far more
text than a roster holds is read in a child process under a memory limit and refused with a
message; so is one that takes too long, and a cell longer than any field of the portal."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bench.hostile_upload import CONTENT_TYPES, MAIN, ROOT_RELS, WORKBOOK, XML, hostile_workbook
from college.importing.isolation import read_sheet_isolated
from college.importing.reading import MAX_CELL_CHARS, read_sheet
from portal.domain_errors import Refused
from tests.portal.import_support import upload
from tests.support import Browser


def refusal(read, *args, **kwargs) -> str:
    with pytest.raises(Refused) as refused:
        read(*args, **kwargs)
    return refused.value.errors[0].message


def test_a_workbook_that_unpacks_to_too_much_text_stops_its_reader_not_the_server(tmp_path):
    path = tmp_path / "hostile.xlsx"
    hostile_workbook(path, strings=60_000, length=900)  # ~160 MB unpacked, 600 KB sent
    message = refusal(read_sheet_isolated, path.read_bytes(), memory_mb=120)
    assert "内存" in message and "120 MB" in message
    # the same workbook within a limit it fits in is read (the limit, not the file, refused)
    assert len(read_sheet_isolated(path.read_bytes(), memory_mb=512).rows) == 11


def slow_workbook(path: Path, rows: int) -> None:
    """A plain sheet of many short rows: cheap to send, seconds of parsing."""
    cells = "".join(f'<c t="inlineStr"><is><t>{n}</t></is></c>' for n in range(8))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/sharedStrings.xml", f'{XML}<sst xmlns="{MAIN}" count="0"/>')
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',  # noqa: E501
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'{XML}<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for row in range(1, rows + 1):
                sheet.write(f'<row r="{row}">{cells}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")


def test_a_workbook_that_takes_too_long_is_refused(tmp_path):
    path = tmp_path / "slow.xlsx"
    slow_workbook(path, rows=50_000)
    message = refusal(read_sheet_isolated, path.read_bytes(), seconds=1)
    assert "耗时" in message and "1 秒" in message


def test_a_cell_longer_than_any_field_is_refused_naming_where_it_is():
    content = ("学号,姓名\n2024010101," + "长" * (MAX_CELL_CHARS + 1) + "\n").encode()
    message = refusal(read_sheet, content)
    assert "第 2 行第 2 列" in message and "1,000" in message


def test_an_upload_with_an_overlong_cell_gets_the_message_beside_the_file_field(signed_in):
    coordinator = signed_in("coordinator")
    content = ("学号,姓名\n2024010101," + "长" * (MAX_CELL_CHARS + 1) + "\n").encode()
    response = upload(coordinator, "/students/import", content, "学生.csv", "text/csv")
    assert response.status_code == 400
    assert "第 2 行第 2 列" in Browser.field_error(response, "file")


def test_a_file_of_thousands_of_bad_rows_keeps_only_the_first_problems(signed_in, monkeypatch):
    from college.importing import preview

    monkeypatch.setattr(preview, "MAX_STORED_PROBLEMS", 5)
    coordinator = signed_in("coordinator")
    rows = "".join(f"2024{n:06d},,男\n" for n in range(12))  # every row lacks its name
    content = ("学号,姓名,性别,出生日期,院系,专业,班级,年级,政治面貌\n" + rows).encode()
    response = upload(coordinator, "/students/import", content, "学生.csv", "text/csv")
    assert response.status_code == 303
    page = coordinator.get(response.headers["location"])
    soup = Browser.soup(page)
    assert len(soup.select("#problems tbody tr")) == 5
    assert page.context["problem_count"] > 12 and page.context["problems_kept"] == 5
    assert "前 5 个问题" in soup.select_one("#problems-kept").get_text()
    assert page.context["counts"]["bad_rows"] == 12
