"""Factories for the pool pages' tests: pool entries, scores and flags written straight into
their tables (the tests of the pool pages do not depend on how scores or flags are made), and
helpers that read the pool page and its exports back as lists of students."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

from openpyxl import load_workbook
from pypdf import PdfReader

from portal.tables import Student
from talent_pool.tables import Flag, PoolEntry, SharingConsent, StudentScore
from tests.support import (
    Browser,
    insert_id,
    make_assignment,
    make_mentor,
    make_participation,
    make_project,
    make_student,
    run,
)

SINCE = datetime.date(2026, 9, 1)


def make_entry(student_id: int, status: str = "pooled", **fields: Any) -> int:
    values = {"student": student_id, "status": status, "status_since": SINCE, **fields}
    return insert_id(PoolEntry, **values)


def make_score(student_id: int, total: float, **fields: Any) -> int:
    values = {
        "student": student_id,
        "total": total,
        "evaluation_part": total,
        "evaluation_count": 1,
        **fields,
    }
    return insert_id(StudentScore, **values)


def make_flag(student_id: int, source: str = "threshold", reason: str = "", **fields: Any) -> int:
    values = {
        "student": student_id,
        "source": source,
        "reason": reason,
        "score_parts": json.dumps({"total": 85.0}),
        **fields,
    }
    return insert_id(Flag, **values)


def in_pool(
    student_id: int, total: float | None = 80.0, status: str = "pooled", **entry: Any
) -> int:
    """Puts an existing student into the pool with a score (None: no score computed yet)."""
    if total is not None:
        make_score(student_id, total)
    return make_entry(student_id, status, **entry)


def pool_student(
    total: float | None = 80.0, status: str = "pooled", entry: dict | None = None, **fields: Any
) -> int:
    """A new student in the pool with a score."""
    student_id = make_student(**fields)
    in_pool(student_id, total, status, **(entry or {}))
    return student_id


def consent(*student_ids: int) -> None:
    """The students agree to share their talent-pool details with partner enterprises (without
    it a partner sees none of their pool details)."""
    for student_id in student_ids:
        run(SharingConsent.insert(SharingConsent(student=student_id, decision="given")))


def place(student_id: int, enterprise_id: int, consenting: bool = True, **project: Any) -> int:
    """Places the student in a new project of the enterprise (the student consenting to share
    their pool details with it unless told otherwise); returns the project's id."""
    if consenting:
        consent(student_id)
    project_id = make_project(enterprise_id, **project)
    make_participation(project_id, student_id)
    return project_id


def mentee_of(student_id: int, college_mentor: int, enterprise_id: int) -> int:
    """Makes the student a mentee of the college mentor (in a project of the enterprise)."""
    project_id = make_project(enterprise_id)
    enterprise_mentor = make_mentor(side="enterprise", enterprise=enterprise_id, department="")
    return make_assignment(student_id, college_mentor, enterprise_mentor, project=project_id)


def name_of(student_id: int) -> str:
    return run(Student.select(Student.name).where(Student.id == student_id).first())["name"]


def rename(student_id: int, name: str) -> None:
    run(Student.update({Student.name: name}).where(Student.id == student_id))


# --- reading the page and the exports back --------------------------------------------------


def page_ids(browser: Browser, query: str = "") -> list[int]:
    """The student ids the pool page lists, in order (one page)."""
    response = browser.get("/talent-pool/" + query)
    assert response.status_code == 200, response.text
    return [int(row["data-student-id"]) for row in browser.soup(response).select("#pool tbody tr")]


def page_rows(browser: Browser, query: str = "") -> list[list[str]]:
    response = browser.get("/talent-pool/" + query)
    assert response.status_code == 200
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in browser.soup(response).select("#pool tbody tr")
    ]


def workbook_rows(response) -> tuple[list[str], list[list[Any]]]:
    """The header and the data rows of an xlsx download."""
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [str(cell) for cell in rows[0]], rows[1:]


def workbook_cells(response) -> list[list[Any]]:
    """The data rows of an xlsx download as cells (for number formats)."""
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(min_row=2)]


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "")


def pdf_page_count(response) -> int:
    return len(PdfReader(io.BytesIO(response.content)).pages)
