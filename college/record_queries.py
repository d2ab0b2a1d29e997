"""The read layer of the student record (成长档案): its sections as SQL written once per viewer
role, read into typed rows.

The record is read in eight statements whatever its length: the student (only if the viewer
may see them), then projects, mentors, mentoring logs, evaluations, activities, awards and the
weekly placement logs. The
viewer's scope is part of each statement (partners.access gives it as SQL), so a section never
holds a row the viewer may not see; the statement's text depends only on the viewer's role.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from partners.access import (
    assignments_visible_sql,
    organizations_visible_sql,
)
from portal import reads
from portal.auth import Viewer
from portal.sql import Shapes
from portal.tables import Role


@dataclass(frozen=True, slots=True)
class ParticipationRow:
    """A project the student joined (项目): enrollment or placement."""

    id: int
    project: int
    kind: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    position: str
    status: str
    project_name: str
    project_kind: str
    enterprise_name: str


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """A dual-mentor assignment (双导师): both mentors and where the enterprise one works."""

    id: int
    project: int | None
    starts_on: datetime.date
    ends_on: datetime.date | None
    status: str
    project_name: str | None
    college_name: str
    college_title: str
    college_department: str
    college_party_member: bool
    enterprise_mentor_name: str
    enterprise_position: str
    enterprise_party_member: bool
    enterprise_name: str | None


@dataclass(frozen=True, slots=True)
class LogRow:
    """A mentoring log (指导记录) and the mentor who held it."""

    id: int
    assignment: int
    held_on: datetime.date
    mode: str
    topic: str
    content: str
    hours: Decimal
    acknowledged_at: datetime.datetime | None
    mentor_name: str
    mentor_side: str


@dataclass(frozen=True, slots=True)
class WeeklyRow:
    """A week of a placement's weekly log (实习周志) and both mentors' answers."""

    id: int
    week_start: datetime.date
    hours: int
    status: str
    grade: str
    enterprise_comment: str
    college_comment: str
    reviewed_at: datetime.datetime | None
    project_name: str


@dataclass(frozen=True, slots=True)
class EvaluationRow:
    """One mentor's evaluation (考核评价) of one term: a score per dimension, 0–100."""

    id: int
    assignment: int
    term: str
    political: int
    professional: int
    practical: int
    innovation: int
    craftsmanship: int
    comment: str
    mentor_name: str
    mentor_side: str


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """A joint activity the student attended, and its joint organization."""

    activity_id: int
    title: str
    kind: str
    held_on: datetime.date
    place: str
    organization_id: int
    organization_name: str


@dataclass(frozen=True, slots=True)
class AwardRow:
    """An award (奖项), and the partner enterprise that entered it (None: the college)."""

    id: int
    kind: str
    name: str
    level: str
    rank: str
    awarded_on: datetime.date
    enterprise_id: int | None


def _scope_key(viewer: Viewer) -> tuple[Any, ...]:
    """What a statement's text depends on: the role, and which of the viewer's links are set."""
    links = (viewer.student_id, viewer.enterprise_id, viewer.mentor_id)
    return (viewer.role, *(link is not None for link in links))


def _participation_scope(viewer: Viewer) -> tuple[str, dict[str, Any]]:
    """A partner its own projects; a mentor the projects of their assignments with the
    student; everyone else the whole list."""
    if viewer.role is Role.partner:
        return "pp.enterprise = :scope_enterprise", {"scope_enterprise": viewer.enterprise_id}
    if viewer.role is Role.mentor:
        condition, params = assignments_visible_sql(viewer, "ma")
        return (
            "pa.project IN (SELECT ma.project FROM partners_mentor_assignment ma"
            f" WHERE ma.student = :student AND {condition})",
            params,
        )
    return "1 = 1", {}


def _activity_scope(viewer: Viewer) -> tuple[str, dict[str, Any]]:
    """A partner sees the activities of the joint organizations its enterprise belongs to."""
    if viewer.role is Role.partner:
        return organizations_visible_sql(viewer, "a.organization")
    return "1 = 1", {}


def _participations_sql(scope: str) -> str:
    return (
        "SELECT pa.id, pa.project, pa.kind, pa.starts_on, pa.ends_on, pa.position, pa.status,"
        " pp.name, pp.kind, pe.name"
        " FROM partners_participation pa"
        " JOIN partners_project pp ON pp.id = pa.project"
        " JOIN partners_enterprise pe ON pe.id = pp.enterprise"
        f" WHERE pa.student = :student AND {scope}"
        " ORDER BY pa.starts_on DESC, pa.id"
    )


def _assignments_sql(scope: str) -> str:
    return (
        "SELECT ma.id, ma.project, ma.starts_on, ma.ends_on, ma.status, pp.name,"
        " cm.name, cm.title, cm.department, cm.party_member,"
        " em.name, em.position, em.party_member, ee.name"
        " FROM partners_mentor_assignment ma"
        " LEFT JOIN partners_project pp ON pp.id = ma.project"
        " JOIN partners_mentor cm ON cm.id = ma.college_mentor"
        " JOIN partners_mentor em ON em.id = ma.enterprise_mentor"
        " LEFT JOIN partners_enterprise ee ON ee.id = em.enterprise"
        f" WHERE ma.student = :student AND {scope}"
        " ORDER BY ma.starts_on DESC, ma.id"
    )


def _logs_sql(assignments: str) -> str:
    return (
        "SELECT ml.id, ml.assignment, ml.held_on, ml.mode, ml.topic, ml.content, ml.hours,"
        " ml.acknowledged_at, m.name, m.side"
        " FROM partners_mentoring_log ml JOIN partners_mentor m ON m.id = ml.mentor"
        f" WHERE ml.assignment IN ({assignments})"
        " ORDER BY ml.held_on DESC, ml.id DESC"
    )


def _evaluations_sql(assignments: str) -> str:
    return (
        "SELECT e.id, e.assignment, e.term, e.political, e.professional, e.practical,"
        " e.innovation, e.craftsmanship, e.comment, m.name, m.side"
        " FROM partners_evaluation e JOIN partners_mentor m ON m.id = e.mentor"
        f" WHERE e.assignment IN ({assignments})"
        " ORDER BY e.term, e.id"
    )


def _activities_sql(scope: str) -> str:
    return (
        "SELECT a.id, a.title, a.kind, a.held_on, a.place, o.id, o.name"
        " FROM partners_student_attendance sa"
        " JOIN partners_activity a ON a.id = sa.activity"
        " JOIN partners_organization o ON o.id = a.organization"
        f" WHERE sa.student = :student AND {scope}"
        " ORDER BY a.held_on DESC, sa.id"
    )


def _weekly_sql(scope: str) -> str:
    return (
        "SELECT wl.id, wl.week_start, wl.hours, wl.status, wl.grade, wl.enterprise_comment,"
        " wl.college_comment, wl.reviewed_at, pp.name"
        " FROM partners_weekly_log wl"
        " JOIN partners_participation pa ON pa.id = wl.participation"
        " JOIN partners_project pp ON pp.id = pa.project"
        f" WHERE wl.student = :student AND {scope}"
        " ORDER BY wl.week_start DESC, wl.id DESC"
    )


AWARDS_SQL = (
    "SELECT id, kind, name, level, rank, awarded_on, enterprise_id FROM talent_pool_award"
    " WHERE student = :student ORDER BY awarded_on DESC, id DESC"
)

_shapes = Shapes()


@dataclass(frozen=True, slots=True)
class RecordRows:
    """The sections of a record as read, before evaluations are grouped by term."""

    participations: list[ParticipationRow]
    assignments: list[AssignmentRow]
    logs: list[LogRow]
    evaluations: list[EvaluationRow]
    activities: list[ActivityRow]
    awards: list[AwardRow]
    weekly: list[WeeklyRow]


async def record_rows(viewer: Viewer, student_id: int) -> RecordRows:
    """Every section of a record the viewer may see (check record_student first): six
    statements, however many rows each section has."""
    key = _scope_key(viewer)
    participation_scope, participation_params = _participation_scope(viewer)
    assignment_scope, assignment_params = assignments_visible_sql(viewer, "ma")
    assignments = (  # the ids of the student's assignments the viewer may see
        "SELECT ma.id FROM partners_mentor_assignment ma"
        f" WHERE ma.student = :student AND {assignment_scope}"
    )
    activity_scope, activity_params = _activity_scope(viewer)

    def statement(name: str, build: Any, part: str) -> Any:
        return _shapes.get((name, key), lambda: build(part))

    return RecordRows(
        participations=await reads.rows(
            ParticipationRow,
            statement("participations", _participations_sql, participation_scope),
            student=student_id,
            **participation_params,
        ),
        assignments=await reads.rows(
            AssignmentRow,
            statement("assignments", _assignments_sql, assignment_scope),
            student=student_id,
            **assignment_params,
        ),
        logs=await reads.rows(
            LogRow,
            statement("logs", _logs_sql, assignments),
            student=student_id,
            **assignment_params,
        ),
        evaluations=await reads.rows(
            EvaluationRow,
            statement("evaluations", _evaluations_sql, assignments),
            student=student_id,
            **assignment_params,
        ),
        activities=await reads.rows(
            ActivityRow,
            statement("activities", _activities_sql, activity_scope),
            student=student_id,
            **activity_params,
        ),
        awards=await reads.rows(
            AwardRow, _shapes.get(("awards",), lambda: AWARDS_SQL), student=student_id
        ),
        weekly=await reads.rows(  # the weeks of the placements the viewer may see
            WeeklyRow,
            statement("weekly", _weekly_sql, participation_scope),
            student=student_id,
            **participation_params,
        ),
    )
