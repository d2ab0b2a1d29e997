"""The student's record (成长档案), the top layer's page that joins every area: who may see
whose, what each viewer sees of it, and the record itself gathered in a fixed number of queries
whatever its length (college.record_queries).

A coordinator and the student see the whole record. A partner sees a student placed with its
enterprise, and of the record only what belongs to its enterprise's projects; a mentor sees
their own mentees, and of the record only their own assignments. Awards are part of the
student's standing and show to everyone who may see the student; activities show to a partner
only for the joint organizations its enterprise belongs to.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from college.record_queries import (
    ActivityRow,
    AssignmentRow,
    AwardRow,
    EvaluationRow,
    LogRow,
    ParticipationRow,
    WeeklyRow,
    record_rows,
)
from partners.coeducation.weekly_reviews import WeeklySummary, summarize
from partners.students import RecordStudent, record_student
from portal.auth import Viewer
from portal.domain_errors import NotVisible
from portal.i18n import _, current_locale
from portal.pdf import margin_boxes
from portal.vocabulary import DIMENSIONS, record_labels

# --- the record ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DimensionScore:
    """One dimension of a term's evaluation: each mentor's score and their average."""

    key: str
    college: int | None
    enterprise: int | None
    average: float


@dataclass
class TermEvaluation:
    """One term of one assignment: each mentor's scores and the averages per dimension."""

    term: str
    project_name: str | None
    college: EvaluationRow | None = None
    enterprise: EvaluationRow | None = None

    @property
    def scored(self) -> list[EvaluationRow]:
        return [row for row in (self.college, self.enterprise) if row is not None]

    def average(self, dimension: str) -> float:
        scores = [getattr(row, dimension) for row in self.scored]
        return round(sum(scores) / len(scores), 1)

    @property
    def dimensions(self) -> list[DimensionScore]:
        """The five dimensions in the record's order, as the chart and the table show them."""
        college, enterprise = self.college, self.enterprise
        return [
            DimensionScore(
                key,
                getattr(college, key) if college else None,
                getattr(enterprise, key) if enterprise else None,
                self.average(key),
            )
            for key in DIMENSIONS
        ]

    @property
    def overall(self) -> float:
        return round(sum(self.average(d) for d in DIMENSIONS) / len(DIMENSIONS), 1)


@dataclass
class StudentRecord:
    """Everything the record shows of one student, as far as the viewer may see it."""

    student: RecordStudent
    participations: list[ParticipationRow] = field(default_factory=list)
    assignments: list[AssignmentRow] = field(default_factory=list)
    logs: list[LogRow] = field(default_factory=list)
    evaluations: list[TermEvaluation] = field(default_factory=list)
    activities: list[ActivityRow] = field(default_factory=list)
    awards: list[AwardRow] = field(default_factory=list)
    weekly: list[WeeklyRow] = field(default_factory=list)

    @property
    def weekly_summary(self) -> WeeklySummary:
        """Weeks written, confirmed and commented, and the average grade (实习周志)."""
        return summarize(self.weekly)

    @property
    def log_hours(self) -> Decimal:
        return sum((Decimal(row.hours) for row in self.logs), Decimal("0"))


def by_term(
    evaluations: list[EvaluationRow], assignments: list[AssignmentRow]
) -> list[TermEvaluation]:
    """Evaluations grouped per term and assignment, the college and enterprise mentor side by
    side (a mentor of the other side writing is placed by the mentor's side)."""
    projects = {a.id: a.project_name for a in assignments}
    grouped: dict[tuple[str, int], TermEvaluation] = {}
    for row in evaluations:
        key = (row.term, row.assignment)
        term = grouped.setdefault(key, TermEvaluation(row.term, projects.get(row.assignment)))
        if row.mentor_side == "enterprise":
            term.enterprise = row
        else:
            term.college = row
    return list(grouped.values())


async def gather_record(viewer: Viewer, student: RecordStudent) -> StudentRecord:
    """The record of a student the viewer may see (check with record_student first): seven
    queries, however many rows each section has."""
    rows = await record_rows(viewer, student.id)
    return StudentRecord(
        student=student,
        participations=rows.participations,
        assignments=rows.assignments,
        logs=rows.logs,
        evaluations=by_term(rows.evaluations, rows.assignments),
        activities=rows.activities,
        awards=rows.awards,
        weekly=rows.weekly,
    )


async def read_record(viewer: Viewer, student_id: int | None) -> StudentRecord | None:
    """The record of a student as the viewer may see it, or None when they may not see the
    student at all (a 404): eight queries."""
    student = await record_student(viewer, student_id)
    return None if student is None else await gather_record(viewer, student)


async def visible_record(viewer: Viewer, student_id: int | None) -> StudentRecord:
    """The record as the viewer may see it; NotVisible (404) when they may not see the
    student at all."""
    record = await read_record(viewer, student_id)
    if record is None:
        raise NotVisible(f"record of student {student_id}")
    return record


# --- the record as a document to file ---------------------------------------------------------


@dataclass(frozen=True)
class RecordDocument:
    """The record as PDF (pdf/record.html): plain data, rendered in a PDF worker process in
    the locale it is sent with (portal.pdf.render_document). Links and buttons are not part
    of it; whatever the viewer may see of the record already is."""

    record: StudentRecord
    generated_on: datetime.date
    template: str = "pdf/record.html"

    def context(self) -> dict[str, Any]:
        student = self.record.student
        heading = f"{_('Student growth record')} · {student.name} · {student.student_no}"
        return {
            "record": self.record,
            "student": student,
            "labels": record_labels(current_locale.get()),
            "generated_on": self.generated_on,
            "css": margin_boxes(heading, self.generated_on),
        }
