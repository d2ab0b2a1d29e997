"""The student's record (成长档案): who may see whose, what each viewer sees of it, and the
record itself gathered in a fixed number of queries whatever its length.

A coordinator and the student see the whole record. A partner sees a student placed with its
enterprise, and of the record only what belongs to its enterprise's projects; a mentor sees
their own mentees, and of the record only their own assignments. Awards are part of the
student's standing and show to everyone who may see the student; activities show to a partner
only for the joint organizations its enterprise belongs to.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from partners.access import placed_with as placed_with  # re-exported: the record's scopes
from partners.activities import ACTIVITY_KINDS
from partners.tables import MentorAssignment
from portal.auth import Viewer
from portal.forms import FormState
from portal.i18n import _, current_locale, labels, lazy
from portal.pdf import margin_boxes
from portal.record_queries import (
    ActivityRow,
    AssignmentRow,
    AwardRow,
    EvaluationRow,
    LogRow,
    ParticipationRow,
    RecordStudent,
    record_rows,
    record_student,
)
from portal.students import GENDERS, POLITICAL_STATUSES
from portal.tables import AwardKind, AwardLevel, Role, Student

PROJECT_KINDS: dict[str, str] = {
    "order_class": lazy("Order class"),  # 订单班
    "training_base": lazy("Training base"),  # 实训基地
    "research": lazy("Research cooperation"),  # 科研合作
    "workstation": lazy("Workstation"),  # 工作室
}
PARTICIPATION_STATUSES: dict[str, str] = {
    "pending": lazy("Pending"),
    "active": lazy("In progress"),
    "ended": lazy("Finished"),
    "withdrawn": lazy("Withdrawn"),
}
PARTICIPATION_KINDS: dict[str, str] = {
    "enrollment": lazy("Enrollment"),
    "placement": lazy("Placement"),
}
ASSIGNMENT_STATUSES: dict[str, str] = {"active": lazy("In progress"), "ended": lazy("Finished")}
MENTORING_MODES: dict[str, str] = {
    "interview": lazy("Face to face"),  # 面谈
    "online": lazy("Online"),  # 线上
    "onsite": lazy("On-site coaching"),  # 现场指导
}
AWARD_KINDS: dict[str, str] = {
    AwardKind.competition.value: lazy("Skills competition"),  # 技能竞赛
    AwardKind.scholarship.value: lazy("Scholarship"),  # 奖学金
    AwardKind.honour.value: lazy("Honour"),  # 荣誉
}
AWARD_LEVELS: dict[str, str] = {
    AwardLevel.national.value: lazy("National"),  # 国家级
    AwardLevel.provincial.value: lazy("Provincial"),  # 省级
    AwardLevel.municipal.value: lazy("Municipal"),  # 市级
    AwardLevel.school.value: lazy("School"),  # 校级
}
# The five dimensions of an evaluation (考核评价), in the order the record shows them.
DIMENSIONS: dict[str, str] = {
    "political": lazy("Political integrity"),  # 政治素养
    "professional": lazy("Professional skills"),  # 专业技能
    "practical": lazy("Practical ability"),  # 实践能力
    "innovation": lazy("Innovation"),  # 创新精神
    "craftsmanship": lazy("Craftsmanship"),  # 工匠精神
}
ACTIVITY_KIND_LABELS = ACTIVITY_KINDS  # activity kinds, as the record shows them
AWARD_FIELDS = ["kind", "name", "level", "rank", "awarded_on"]


def label(choices: dict[str, str], code: str | None) -> str:
    """The translated label of a code, or the code itself when it is unknown."""
    if code is None:
        return ""
    return _(choices[code]) if code in choices else code


@dataclass(frozen=True)
class RecordLabels:
    """Every code the record shows, translated into one locale: the templates look labels up
    in these dicts (``labels.award_levels.get(code, code)``) instead of calling gettext per
    row."""

    project_kinds: Mapping[str, str]
    participation_kinds: Mapping[str, str]
    participation_statuses: Mapping[str, str]
    assignment_statuses: Mapping[str, str]
    mentoring_modes: Mapping[str, str]
    activity_kinds: Mapping[str, str]
    award_kinds: Mapping[str, str]
    award_levels: Mapping[str, str]
    dimensions: Mapping[str, str]
    genders: Mapping[str, str]
    political_statuses: Mapping[str, str]


@functools.cache
def record_labels(locale: str) -> RecordLabels:
    """The record's labels in a locale, translated once per process."""
    return RecordLabels(
        project_kinds=labels(PROJECT_KINDS, locale),
        participation_kinds=labels(PARTICIPATION_KINDS, locale),
        participation_statuses=labels(PARTICIPATION_STATUSES, locale),
        assignment_statuses=labels(ASSIGNMENT_STATUSES, locale),
        mentoring_modes=labels(MENTORING_MODES, locale),
        activity_kinds=labels(ACTIVITY_KIND_LABELS, locale),
        award_kinds=labels(AWARD_KINDS, locale),
        award_levels=labels(AWARD_LEVELS, locale),
        dimensions=labels(DIMENSIONS, locale),
        genders=labels(GENDERS, locale),
        political_statuses=labels(POLITICAL_STATUSES, locale),
    )


# --- who may see whose record --------------------------------------------------------------


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
    """The record of a student the viewer may see (check with record_student first): six
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
    )


async def read_record(viewer: Viewer, student_id: int | None) -> StudentRecord | None:
    """The record of a student as the viewer may see it, or None when they may not see the
    student at all (a 404): seven queries."""
    student = await record_student(viewer, student_id)
    return None if student is None else await gather_record(viewer, student)


# --- awards ----------------------------------------------------------------------------------


def may_enter_awards(viewer: Viewer) -> bool:
    """Coordinators and partners enter awards (for students they may see)."""
    return viewer.role in (Role.coordinator, Role.partner)


def may_delete_award(viewer: Viewer, entered_by_enterprise: int | None) -> bool:
    """A coordinator any award; a partner only those its own enterprise entered (an award's
    enterprise_id; None for the college's)."""
    if viewer.role is Role.coordinator:
        return True
    return viewer.role is Role.partner and entered_by_enterprise == viewer.enterprise_id


def check_award_form(form: FormState, today: datetime.date) -> dict[str, Any]:
    """Validates an award form in place (errors go on `form`) and returns the cleaned values."""
    form.choice("kind", AWARD_KINDS)
    form.required("name")
    form.max_length("name", 200)
    form.choice("level", AWARD_LEVELS)
    form.max_length("rank", 50)
    awarded_on = form.date("awarded_on")
    if awarded_on is not None and awarded_on > today:
        form.add_error("awarded_on", _("The award date cannot be in the future."))
    return {
        "kind": form.values.get("kind", ""),
        "name": form.values.get("name", ""),
        "level": form.values.get("level", ""),
        "rank": form.values.get("rank", ""),
        "awarded_on": awarded_on,
    }


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
