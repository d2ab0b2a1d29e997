"""The students a viewer may see (学生的可见范围): a coordinator every student, a partner the
students placed with its enterprise (a live participation in one of its projects, or a mentor
assignment in one), a mentor their own mentees, a student themselves. The record, the talent
pool and the pipeline all ask here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from partners.access import placed_with, students_visible_sql
from partners.coeducation.tables import MentorAssignment
from portal import reads
from portal.auth import Viewer
from portal.sql import Shapes
from portal.students import StoredStudent
from portal.tables import Role, Student

# The columns of portal_student, in table order (what Student.select() gives).
STUDENT_COLUMNS = (
    "id",
    "student_no",
    "name",
    "gender",
    "birth_date",
    "department",
    "major",
    "class_name",
    "cohort_year",
    "political_status",
    "phone",
    "user",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class RecordStudent(StoredStudent):
    """The student whose record is shown: as stored, with when the row was written and the
    username of their account (if any)."""

    created_at: datetime.datetime
    updated_at: datetime.datetime
    username: str | None

    def as_dict(self) -> dict[str, Any]:
        """The student as a Piccolo select of portal_student gives it (for rules and pages
        that take a dict)."""
        return {name: getattr(self, name) for name in STUDENT_COLUMNS}


def mentored_by(mentor_id: int | None) -> Any:
    """Where-condition on Student: the mentor's mentees (as college or enterprise mentor)."""
    assigned = MentorAssignment.select(MentorAssignment.student).where(
        (MentorAssignment.college_mentor == mentor_id)
        | (MentorAssignment.enterprise_mentor == mentor_id)
    )
    return Student.id.is_in(assigned)


def student_scope(viewer: Viewer) -> list[Any]:
    """Where-conditions on Student for the students whose record the viewer may see."""
    if viewer.role is Role.coordinator:
        return []
    if viewer.role is Role.partner:
        return [placed_with(viewer.enterprise_id)]
    if viewer.role is Role.mentor:
        return [mentored_by(viewer.mentor_id)]
    return [Student.id == viewer.student_id]


async def visible_student(viewer: Viewer, student_id: int | None) -> dict[str, Any] | None:
    """The student row (as Student.select() gives it) if the viewer may see this student's
    record, else None."""
    student = await record_student(viewer, student_id)
    return None if student is None else student.as_dict()


def _student_sql(where: str) -> str:
    columns = ", ".join(f's."{name}"' for name in STUDENT_COLUMNS)
    return (
        f"SELECT {columns}, u.username FROM portal_student s"
        f' LEFT JOIN piccolo_user u ON u.id = s."user" WHERE {where}'
    )


_shapes = Shapes()


def _scope_key(viewer: Viewer) -> tuple[Any, ...]:
    """What a statement's text depends on: the role, and which of the viewer's links are set."""
    links = (viewer.student_id, viewer.enterprise_id, viewer.mentor_id)
    return (viewer.role, *(link is not None for link in links))


async def record_student(viewer: Viewer, student_id: int | None) -> RecordStudent | None:
    """The student if the viewer may see their record, else None (a 404 for the caller)."""
    if student_id is None:
        return None
    scope, params = students_visible_sql(viewer, "s.id")
    statement = _shapes.get(
        ("student", _scope_key(viewer)), lambda: _student_sql(f"s.id = :student AND {scope}")
    )
    return await reads.first(RecordStudent, statement, student=student_id, **params)


async def students_where(column: str, value: Any) -> list[RecordStudent]:
    """Every student whose ``column`` equals ``value``, by student number (a batch's
    students; the caller names a column of portal_student it has checked)."""
    statement = _shapes.get(
        ("students where", column),
        lambda: _student_sql(f's."{column}" = :value ORDER BY s.student_no'),
    )
    return await reads.rows(RecordStudent, statement, value=value)
