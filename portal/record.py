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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from partners.access import placed_with
from partners.activities import ACTIVITY_KINDS
from partners.mentorships import viewer_assignments
from partners.tables import (
    Evaluation,
    MemberUnit,
    MentorAssignment,
    MentoringLog,
    Participation,
    StudentAttendance,
)
from portal.auth import Viewer
from portal.forms import FormState
from portal.i18n import _, lazy
from portal.tables import Award, AwardKind, AwardLevel, Role, Student

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
    """The student row if the viewer may see this student's record, else None."""
    if student_id is None:
        return None
    return await Student.select().where(Student.id == student_id, *student_scope(viewer)).first()


# --- the record ------------------------------------------------------------------------------


@dataclass
class TermEvaluation:
    """One term of one assignment: each mentor's scores and the averages per dimension."""

    term: str
    project_name: str | None
    college: dict[str, Any] | None = None
    enterprise: dict[str, Any] | None = None

    @property
    def scored(self) -> list[dict[str, Any]]:
        return [row for row in (self.college, self.enterprise) if row is not None]

    def average(self, dimension: str) -> float:
        scores = [row[dimension] for row in self.scored]
        return round(sum(scores) / len(scores), 1)

    @property
    def overall(self) -> float:
        return round(sum(self.average(d) for d in DIMENSIONS) / len(DIMENSIONS), 1)


@dataclass
class StudentRecord:
    """Everything the record shows of one student, as far as the viewer may see it."""

    student: dict[str, Any]
    participations: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    evaluations: list[TermEvaluation] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    awards: list[dict[str, Any]] = field(default_factory=list)

    @property
    def log_hours(self) -> Decimal:
        return sum((Decimal(row["hours"]) for row in self.logs), Decimal("0"))


def participation_scope(viewer: Viewer, student_id: int) -> list[Any]:
    """Where-conditions on Participation: a partner its own projects, a mentor the projects of
    their assignments with the student."""
    if viewer.role is Role.partner:
        return [Participation.project.enterprise == viewer.enterprise_id]
    if viewer.role is Role.mentor:
        projects = MentorAssignment.select(MentorAssignment.project).where(
            MentorAssignment.student == student_id, *viewer_assignments(viewer)
        )
        return [Participation.project.is_in(projects)]
    return []


def activity_scope(viewer: Viewer) -> list[Any]:
    if viewer.role is Role.partner:
        organizations = MemberUnit.select(MemberUnit.organization).where(
            MemberUnit.enterprise == viewer.enterprise_id
        )
        return [StudentAttendance.activity.organization.is_in(organizations)]
    return []


async def participations_of(viewer: Viewer, student_id: int) -> list[dict[str, Any]]:
    return (
        await Participation.select(
            *Participation.all_columns(),
            Participation.project.name.as_alias("project_name"),
            Participation.project.kind.as_alias("project_kind"),
            Participation.project.enterprise.name.as_alias("enterprise_name"),
        )
        .where(Participation.student == student_id, *participation_scope(viewer, student_id))
        .order_by(Participation.starts_on, ascending=False)
        .order_by(Participation.id)
    )


async def assignments_of(viewer: Viewer, student_id: int) -> list[dict[str, Any]]:
    college, enterprise = MentorAssignment.college_mentor, MentorAssignment.enterprise_mentor
    return (
        await MentorAssignment.select(
            *MentorAssignment.all_columns(),
            MentorAssignment.project.name.as_alias("project_name"),
            college.name.as_alias("college_name"),
            college.title.as_alias("college_title"),
            college.department.as_alias("college_department"),
            college.party_member.as_alias("college_party_member"),
            enterprise.name.as_alias("enterprise_mentor_name"),
            enterprise.position.as_alias("enterprise_position"),
            enterprise.party_member.as_alias("enterprise_party_member"),
            enterprise.enterprise.name.as_alias("enterprise_name"),
        )
        .where(MentorAssignment.student == student_id, *viewer_assignments(viewer))
        .order_by(MentorAssignment.starts_on, ascending=False)
        .order_by(MentorAssignment.id)
    )


async def logs_of(assignment_ids: list[int]) -> list[dict[str, Any]]:
    if not assignment_ids:
        return []
    return (
        await MentoringLog.select(
            *MentoringLog.all_columns(),
            MentoringLog.mentor.name.as_alias("mentor_name"),
            MentoringLog.mentor.side.as_alias("mentor_side"),
        )
        .where(MentoringLog.assignment.is_in(assignment_ids))
        .order_by(MentoringLog.held_on, ascending=False)
        .order_by(MentoringLog.id, ascending=False)
    )


async def evaluations_of(assignments: list[dict[str, Any]]) -> list[TermEvaluation]:
    """Evaluations grouped per term and assignment, the college and enterprise mentor side by
    side (a mentor of the other side writing is placed by the mentor's side)."""
    if not assignments:
        return []
    rows = (
        await Evaluation.select(
            *Evaluation.all_columns(),
            Evaluation.mentor.name.as_alias("mentor_name"),
            Evaluation.mentor.side.as_alias("mentor_side"),
        )
        .where(Evaluation.assignment.is_in([a["id"] for a in assignments]))
        .order_by(Evaluation.term)
        .order_by(Evaluation.id)
    )
    projects = {a["id"]: a["project_name"] for a in assignments}
    grouped: dict[tuple[str, int], TermEvaluation] = {}
    for row in rows:
        key = (row["term"], row["assignment"])
        term = grouped.setdefault(key, TermEvaluation(row["term"], projects.get(row["assignment"])))
        side = "enterprise" if row["mentor_side"] == "enterprise" else "college"
        setattr(term, side, row)
    return list(grouped.values())


async def activities_of(viewer: Viewer, student_id: int) -> list[dict[str, Any]]:
    activity = StudentAttendance.activity
    return (
        await StudentAttendance.select(
            activity.id.as_alias("activity_id"),
            activity.title.as_alias("title"),
            activity.kind.as_alias("kind"),
            activity.held_on.as_alias("held_on"),
            activity.place.as_alias("place"),
            activity.organization.id.as_alias("organization_id"),
            activity.organization.name.as_alias("organization_name"),
        )
        .where(StudentAttendance.student == student_id, *activity_scope(viewer))
        .order_by(activity.held_on, ascending=False)
    )


async def awards_of(student_id: int) -> list[dict[str, Any]]:
    return (
        await Award.select()
        .where(Award.student == student_id)
        .order_by(Award.awarded_on, ascending=False)
        .order_by(Award.id, ascending=False)
    )


async def gather_record(viewer: Viewer, student: dict[str, Any]) -> StudentRecord:
    """The record of a student the viewer may see (check with visible_student first): six
    queries, however many rows each section has."""
    student_id = student["id"]
    assignments = await assignments_of(viewer, student_id)
    return StudentRecord(
        student=student,
        participations=await participations_of(viewer, student_id),
        assignments=assignments,
        logs=await logs_of([a["id"] for a in assignments]),
        evaluations=await evaluations_of(assignments),
        activities=await activities_of(viewer, student_id),
        awards=await awards_of(student_id),
    )


# --- awards ----------------------------------------------------------------------------------


def may_enter_awards(viewer: Viewer) -> bool:
    """Coordinators and partners enter awards (for students they may see)."""
    return viewer.role in (Role.coordinator, Role.partner)


def may_delete_award(viewer: Viewer, award: dict[str, Any]) -> bool:
    """A coordinator any award; a partner only those its own enterprise entered."""
    if viewer.role is Role.coordinator:
        return True
    return viewer.role is Role.partner and award["enterprise_id"] == viewer.enterprise_id


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
