"""The rules of reading import files, without HTTP: cell values as people type them, headers,
file types and encodings, and the limits."""

from __future__ import annotations

import codecs
import datetime
import io
import zipfile
from collections.abc import Callable

import pytest

from college.importing import reading, values
from college.importing.kinds import SPECS
from college.importing.preview import find_header, normalise_header, read_rows
from college.importing.reading import Sheet, clean_text, decode_text, read_sheet
from portal.domain_errors import Refused
from tests.portal.import_support import STUDENT_HEADER, csv_bytes, student_row, xlsx_bytes

STUDENTS = SPECS["students"]


def file_refusal(read: Callable[[], object]) -> str:
    """The message a refused file shows beside the upload form's file field."""
    with pytest.raises(Refused) as refused:
        read()
    [error] = refused.value.errors
    assert error.field == "file"
    return error.message


# --- cells ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, text",
    [
        (None, ""),
        (2024000001, "2024000001"),
        (2024000001.0, "2024000001"),
        (13812345678.0, "13812345678"),
        (2.5, "2.5"),
        (datetime.datetime(2005, 5, 1), "2005-05-01"),
        (datetime.date(2005, 5, 1), "2005-05-01"),
        ("  张\u3000三  ", "张 三"),
        ("ＡＢＣ１２３", "ABC123"),
        ("a\t\nb", "a b"),
    ],
)
def test_cells_read_as_the_text_a_person_meant(raw, text):
    assert clean_text(raw) == text


@pytest.mark.parametrize(
    "raw",
    [
        datetime.datetime(2005, 5, 1),
        datetime.date(2005, 5, 1),
        "2005-05-01",
        "2005/5/1",
        "2005.5.1",
        "2005年5月1日",
        "20050501",
        20050501,
        "2005-05-01 00:00:00",
        38473,  # an Excel day number in a cell without a date format
        " ２００５-０５-０１ ",
    ],
)
def test_dates_are_read_in_the_forms_people_use(raw):
    assert values.date(raw) == "2005-05-01"


@pytest.mark.parametrize("raw", ["2005-02-30", "2005-13-01", "01/05/2005", "昨天", "200551", 0.5])
def test_dates_that_are_not_dates_are_refused(raw):
    with pytest.raises(values.BadValue):
        values.date(raw)


def test_a_blank_date_is_left_to_the_form_rule():
    assert values.date("") == values.date(None) == ""


@pytest.mark.parametrize(
    "raw, code", [("男", "M"), ("女", "F"), (" 男性 ", "M"), ("F", "F"), ("male", "M"), (1, "M")]
)
def test_genders(raw, code):
    assert values.gender(raw) == code


def test_an_unknown_gender_is_refused():
    with pytest.raises(values.BadValue):
        values.gender("未知")


@pytest.mark.parametrize(
    "raw, code",
    [
        ("中共党员", "01"),
        ("中国共产党党员", "01"),
        ("中共预备党员", "02"),
        ("共青团员", "03"),
        ("团员", "03"),
        ("群众", "13"),
        ("无党派人士", "12"),
        ("九三学社社员", "10"),
        ("03", "03"),
        ("3", "03"),
        (3, "03"),
        (13, "13"),
        ("Communist Youth League member", "03"),
    ],
)
def test_political_status_by_name_or_gb_t_4762_code(raw, code):
    assert values.political_status(raw) == code


@pytest.mark.parametrize("raw", ["14", "0", "党外人士", "民主人士"])
def test_an_unknown_political_status_is_refused(raw):
    with pytest.raises(values.BadValue):
        values.political_status(raw)


@pytest.mark.parametrize("raw", [2024, "2024", "2024级", "2024 级", "2024届", 2024.0])
def test_cohorts(raw):
    assert values.cohort(raw) == "2024"


@pytest.mark.parametrize(
    "raw, number",
    [
        ("138 1234 5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("0591-87654321", "0591-87654321"),
    ],
)
def test_phones(raw, number):
    assert values.phone(raw) == number


@pytest.mark.parametrize(
    "raw, answer",
    [("是", True), ("否", False), ("", False), ("✓", True), ("Y", True), ("中共党员", True),
     ("中共预备党员", True), ("共青团员", False), ("群众", False), (True, True)],
)  # fmt: skip
def test_yes_or_no(raw, answer):
    assert values.yes_no(raw) is answer


def test_a_yes_no_cell_with_anything_else_is_refused():
    with pytest.raises(values.BadValue):
        values.yes_no("也许")


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "出生日期",
        " 出生日期 ",
        "* 出生日期",
        "出生日期（YYYY-MM-DD）",
        "出生日期(必填)",
        "出生\u3000日期",
    ],
)
def test_headers_compare_without_spaces_marks_and_notes(header):
    assert normalise_header(header) == normalise_header("出生日期")


def sheet_of(rows: list[list]) -> Sheet:
    return Sheet(rows=[(line, row) for line, row in enumerate(rows, start=1)], file_type="xlsx")


def test_the_header_is_found_below_title_rows():
    sheet = sheet_of([["2024级学生名单"], ["导出时间：2026-11-01"], STUDENT_HEADER, student_row(1)])
    assert find_header(STUDENTS, sheet).line == 3


def test_a_header_below_the_fifth_row_is_not_looked_for():
    sheet = sheet_of([["标题"], ["a"], ["b"], ["c"], ["d"], STUDENT_HEADER, student_row(1)])
    assert file_refusal(lambda: find_header(STUDENTS, sheet))


def test_aliases_and_the_portal_export_headers_are_understood():
    header = [
        "学生学号",
        "Name",
        "性别",
        "生日",
        "学院",
        "专业名称",
        "行政班",
        "入学年份",
        "政治面貌",
        "联系电话",
    ]
    match = find_header(STUDENTS, sheet_of([header, student_row(1)]))
    assert set(match.positions) == {column.field for column in STUDENTS.columns}


def test_a_second_column_for_the_same_field_is_ignored_not_merged():
    header = [*STUDENT_HEADER, "手机号码"]
    match = find_header(STUDENTS, sheet_of([header, [*student_row(1), "13900000000"]]))
    assert match.positions["phone"] == 9
    assert match.ignored == ["手机号码 (K)"]


def test_short_rows_are_padded_with_blank_cells():
    _header, rows = read_rows(STUDENTS, sheet_of([STUDENT_HEADER, student_row(1)[:9]]))
    assert rows[0].values["phone"] == ""


# --- files -------------------------------------------------------------------------------------


def test_csv_encodings_are_detected():
    text = "学号,姓名\n2024000001,欧阳娜\n"
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(codecs.BOM_UTF8 + text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(text.encode("gbk")) == (text, "gb18030")
    assert decode_text(text.encode("utf-16")) == (text, "utf-16")


def test_tab_and_semicolon_separated_text_is_read():
    for separator in ("\t", ";"):
        content = "\n".join(
            separator.join(str(v) for v in row) for row in [STUDENT_HEADER, student_row(1)]
        )
        sheet = read_sheet(content.encode("utf-8"))
        assert sheet.rows[0][1] == STUDENT_HEADER


def test_blank_rows_are_skipped_but_lines_keep_their_numbers():
    sheet = read_sheet(csv_bytes([STUDENT_HEADER, [], ["", ""], student_row(1)]))
    assert [line for line, _cells in sheet.rows] == [1, 4]


def test_a_word_document_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert file_refusal(lambda: read_sheet(buffer.getvalue()))


def damaged(workbook: bytes, how: str) -> bytes:
    """The workbook with one part damaged as files from the field are: cut short, its XML
    broken, or the sheet missing."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                if how == "missing sheet":
                    continue
                if how == "broken xml":
                    content = content.replace(b"<row", b"<row <", 1)
            archive.writestr(name, content)
    data = buffer.getvalue()
    return data[: len(data) * 2 // 3] if how == "cut short" else data


@pytest.mark.parametrize(
    "how, says", [("cut short", "WPS"), ("broken xml", "WPS"), ("missing sheet", "没有任何行")]
)
def test_a_damaged_workbook_is_refused_beside_the_file(how, says):
    workbook = damaged(xlsx_bytes([STUDENT_HEADER, student_row(1)]), how)
    assert says in file_refusal(lambda: read_sheet(workbook))


def test_a_workbook_that_unpacks_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 1000)
    assert file_refusal(lambda: read_sheet(xlsx_bytes([STUDENT_HEADER, student_row(1)])))


def test_binary_data_is_not_a_csv():
    assert file_refusal(lambda: read_sheet(bytes(range(256)) * 10))


def test_a_workbook_whose_first_sheet_is_empty_is_read_from_the_next():
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "封面"
    data = book.create_sheet("名单")
    for row in (STUDENT_HEADER, student_row(1)):
        data.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = read_sheet(buffer.getvalue())
    assert sheet.sheet_name == "名单" and len(sheet.rows) == 2


def test_more_rows_than_the_cap_are_refused_while_reading(monkeypatch):
    monkeypatch.setattr(reading, "MAX_DATA_ROWS", 3)
    rows = [STUDENT_HEADER, *(student_row(n) for n in range(1, 10))]
    assert file_refusal(lambda: read_sheet(xlsx_bytes(rows)))
