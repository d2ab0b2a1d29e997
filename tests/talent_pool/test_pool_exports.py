"""The pool roster (人才库名册) as xlsx and PDF: the same students as the pool page for the same
viewer and filters, in the same order, and nobody a viewer may not see."""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest

from tests.support import make_student
from tests.talent_pool.pool_factories import (
    consent,
    in_pool,
    make_flag,
    mentee_of,
    name_of,
    page_ids,
    page_rows,
    pdf_page_count,
    pdf_text,
    place,
    pool_student,
    rename,
    workbook_cells,
    workbook_rows,
)

STUDENT_NO, NAME, STATUS_SINCE, STAGE_SINCE, SCORE, REASONS = 0, 1, 9, 11, 12, 13


@pytest.fixture
def pool(people):
    """Students of every side in the pool, with Chinese names to find in the PDF."""
    rename(people.student_id, "王晓明")
    rename(people.other_student_id, "赵铁柱")
    in_pool(people.student_id, 70.0, stage="activist")
    in_pool(people.other_student_id, 90.0)
    consent(people.student_id, people.other_student_id)
    outsider = pool_student(60.0, name="孙小美")
    mentee = pool_student(65.5, name="周文华", department="健康护理学院")
    mentee_of(mentee, people.mentor_id, people.enterprise_b)
    placed = pool_student(55.0, name="吴建国")
    place(placed, people.enterprise_a)
    pool_student(99.0, name="郑退回", status="declined")
    return {
        "mine": people.student_id,
        "theirs": people.other_student_id,
        "outsider": outsider,
        "mentee": mentee,
        "placed": placed,
    }


def export_ids(response, people_by_no: dict[str, int]) -> list[int]:
    _header, rows = workbook_rows(response)
    return [people_by_no[row[STUDENT_NO]] for row in rows]


def numbers(pool) -> dict[str, int]:
    from portal.tables import Student
    from tests.support import run

    rows = run(Student.select(Student.id, Student.student_no))
    return {row["student_no"]: row["id"] for row in rows}


# --- xlsx ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,query",
    [
        ("coordinator", ""),
        ("coordinator", "?sort=name"),
        ("coordinator", "?status=declined"),
        ("coordinator", "?department=健康护理学院"),
        ("coordinator", "?stage=activist"),
        ("coordinator", "?q=王"),
        ("coordinator", "?q=晓明&sort=name"),
        ("partner", ""),
        ("partner", "?sort=score"),
        ("mentor", ""),
    ],
)
def test_the_xlsx_has_exactly_the_rows_of_the_page(signed_in, pool, role, query):
    browser = signed_in(role)
    response = browser.get("/talent-pool/export.xlsx" + query)
    assert response.status_code == 200
    assert export_ids(response, numbers(pool)) == page_ids(browser, query)


def test_a_partners_xlsx_lists_only_its_placed_students(signed_in, pool):
    ids = export_ids(signed_in("partner").get("/talent-pool/export.xlsx"), numbers(pool))
    assert ids == [pool["mine"], pool["placed"]]


def test_a_mentors_xlsx_lists_only_their_mentees(signed_in, pool):
    ids = export_ids(signed_in("mentor").get("/talent-pool/export.xlsx"), numbers(pool))
    assert ids == [pool["mine"], pool["mentee"]]


def test_the_xlsx_has_every_matching_row_not_only_one_page(signed_in):
    for score in range(45):
        pool_student(float(score))
    response = signed_in("coordinator").get("/talent-pool/export.xlsx")
    assert len(workbook_rows(response)[1]) == 45


def test_the_xlsx_cells_are_typed_and_labelled(signed_in, people, pool):
    make_flag(people.student_id, "nomination", reason="实训表现突出")
    make_flag(people.student_id, "threshold")
    browser = signed_in("coordinator")
    response = browser.get("/talent-pool/export.xlsx?q=王晓明")
    header, rows = workbook_rows(response)
    assert len(header) == 14 and header[NAME] == "姓名"  # translated headers
    (row,) = rows
    assert row[NAME] == "王晓明"
    assert row[SCORE] == 70.0
    assert isinstance(row[STATUS_SINCE], datetime.datetime)  # a date cell, not text
    assert row[STAGE_SINCE] in (None, "")
    assert "实训表现突出" in row[REASONS]
    (cells,) = workbook_cells(response)
    assert cells[SCORE].number_format == "0.0"
    assert cells[STATUS_SINCE].number_format == "yyyy-mm-dd"
    # the page's labels are the export's labels
    (page_row,) = page_rows(browser, "?q=王晓明")
    assert row[7] == page_row[5]  # political status
    assert row[8] == page_row[6]  # pool status
    assert row[10] == page_row[7]  # stage


def test_the_xlsx_file_name_is_the_roster_and_the_date(signed_in, pool):
    response = signed_in("coordinator").get("/talent-pool/export.xlsx")
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"人才库名册-{datetime.date.today().isoformat()}.xlsx"
    assert f"filename*=UTF-8''{quote(name)}" in response.headers["content-disposition"]


def test_an_empty_selection_exports_only_the_header(signed_in, pool):
    header, rows = workbook_rows(signed_in("coordinator").get("/talent-pool/export.xlsx?q=无人"))
    assert rows == [] and len(header) == 14


# --- PDF -------------------------------------------------------------------------------------


def test_the_coordinators_roster_pdf_lists_the_pool(signed_in, pool):
    response = signed_in("coordinator").get("/talent-pool/roster.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    name = f"人才库名册-{datetime.date.today().isoformat()}.pdf"
    assert f"filename*=UTF-8''{quote(name)}" in response.headers["content-disposition"]
    text = pdf_text(response)
    for key in ("mine", "theirs", "outsider", "mentee", "placed"):
        assert name_of(pool[key]) in text, key
    assert "郑退回" not in text  # declined: only when filtered for


def test_a_partners_roster_pdf_lists_only_its_students(signed_in, pool):
    text = pdf_text(signed_in("partner").get("/talent-pool/roster.pdf"))
    assert "王晓明" in text and "吴建国" in text
    for name in ("赵铁柱", "孙小美", "周文华", "郑退回"):
        assert name not in text


def test_a_mentors_roster_pdf_lists_only_their_mentees(signed_in, pool):
    text = pdf_text(signed_in("mentor").get("/talent-pool/roster.pdf"))
    assert "王晓明" in text and "周文华" in text
    for name in ("赵铁柱", "孙小美", "吴建国"):
        assert name not in text


def test_the_roster_pdf_follows_the_filters_and_names_them(signed_in, pool):
    text = pdf_text(signed_in("coordinator").get("/talent-pool/roster.pdf?department=健康护理学院"))
    assert "周文华" in text
    assert "王晓明" not in text and "孙小美" not in text
    assert "健康护理学院" in text  # the filter in the title block
    assert datetime.date.today().isoformat() in text


def test_a_long_roster_runs_over_pages_with_page_numbers(signed_in):
    for index in range(70):
        pool_student(float(index), name=f"长名单{index:02d}")
    response = signed_in("coordinator").get("/talent-pool/roster.pdf")
    pages = pdf_page_count(response)
    assert pages >= 2
    text = pdf_text(response)
    assert "长名单00" in text and "长名单69" in text
    assert f"第1页/共{pages}页" in text and f"第{pages}页/共{pages}页" in text


def test_students_cannot_export_the_pool(signed_in, pool):
    student = signed_in("student")
    assert student.get("/talent-pool/export.xlsx").status_code == 404
    assert student.get("/talent-pool/roster.pdf").status_code == 404


def test_a_student_outside_the_pool_is_not_exported(signed_in, pool):
    make_student(name="库外学生")
    text = pdf_text(signed_in("coordinator").get("/talent-pool/roster.pdf"))
    assert "库外学生" not in text
