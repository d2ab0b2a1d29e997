"""What a viewer may see of the partners app: coordinators everything, a partner only its own
enterprise and the joint organizations that enterprise is a member unit of.

Every page reaches objects through these scopes (and the read layers' ``visible_*`` readers
built on them, which raise NotVisible), so an object outside the viewer's reach is a 404,
exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from piccolo.custom_types import Combinable

from partners.coeducation.tables import (
    MentorAssignment,
    Participation,
    ParticipationStatus,
    Project,
)
from partners.organizations.tables import Enterprise
from portal.auth import Viewer, ViewerTie, tie_viewer
from portal.tables import Role, Student

# A partner account is tied to its enterprise, a mentor's account to the mentor's record.
tie_viewer(
    ViewerTie(
        "enterprise_id",
        "pa.enterprise",
        'LEFT JOIN partners_partner_account pa ON pa."user" = u.id',
    )
)
tie_viewer(ViewerTie("mentor_id", "m.id", 'LEFT JOIN partners_mentor m ON m."user" = u.id'))

LIVE_PARTICIPATION = (ParticipationStatus.pending.value, ParticipationStatus.active.value)


def is_coordinator(viewer: Viewer) -> bool:
    return viewer.role is Role.coordinator


def enterprise_scope(viewer: Viewer) -> list[Combinable]:
    """Where-conditions on Enterprise that keep a partner to its own enterprise."""
    if is_coordinator(viewer):
        return []
    return [Enterprise.id == viewer.enterprise_id]


def placed_with(enterprise_id: int | None) -> Combinable:
    """Where-condition on Student: placed with the enterprise — a live participation in one of
    its projects, or a mentor assignment in one."""
    projects = Project.select(Project.id).where(Project.enterprise == enterprise_id)
    participating = Participation.select(Participation.student).where(
        Participation.project.is_in(projects),
        Participation.status.is_in(list(LIVE_PARTICIPATION)),
    )
    assigned = MentorAssignment.select(MentorAssignment.student).where(
        MentorAssignment.project.is_in(projects)
    )
    return Student.id.is_in(participating) | Student.id.is_in(assigned)


# --- the same scopes as SQL, for the read layer ---------------------------------------------
# Each gives a condition on an id column as a statement names it, with :scope_* parameters;
# the condition's text depends only on the viewer's role (one statement shape per role).

LIVE_PARTICIPATION_SQL = "('pending', 'active')"


def placed_with_sql(student_id: str) -> str:
    """Condition on a student id: placed with the enterprise :scope_enterprise — a live
    participation in one of its projects, or a mentor assignment in one (as placed_with)."""
    return (
        f"({student_id} IN (SELECT pa.student FROM partners_participation pa"
        " JOIN partners_project pp ON pp.id = pa.project"
        f" WHERE pp.enterprise = :scope_enterprise AND pa.status IN {LIVE_PARTICIPATION_SQL})"
        f" OR {student_id} IN (SELECT ma.student FROM partners_mentor_assignment ma"
        " JOIN partners_project pp ON pp.id = ma.project"
        " WHERE pp.enterprise = :scope_enterprise))"
    )


def mentored_by_sql(student_id: str) -> str:
    """Condition on a student id: a mentee of :scope_mentor (as college or enterprise mentor)."""
    return (
        f"{student_id} IN (SELECT ma.student FROM partners_mentor_assignment ma"
        " WHERE ma.college_mentor = :scope_mentor OR ma.enterprise_mentor = :scope_mentor)"
    )


def students_visible_sql(viewer: Viewer, student_id: str) -> tuple[str, dict[str, Any]]:
    """The students whose record a viewer may see (as college.record.student_scope): the
    condition on ``student_id`` and its parameters."""
    if viewer.role is Role.coordinator:
        return "1 = 1", {}
    if viewer.role is Role.partner:
        return placed_with_sql(student_id), {"scope_enterprise": viewer.enterprise_id}
    if viewer.role is Role.mentor:
        return mentored_by_sql(student_id), {"scope_mentor": viewer.mentor_id}
    return f"{student_id} = :scope_student", {"scope_student": viewer.student_id}


def enterprises_visible_sql(viewer: Viewer, enterprise_id: str) -> tuple[str, dict[str, Any]]:
    """The enterprises a viewer may see (as enterprise_scope): all for a coordinator, its own
    for a partner."""
    if viewer.role is Role.coordinator:
        return "1 = 1", {}
    return f"{enterprise_id} = :scope_enterprise", {"scope_enterprise": viewer.enterprise_id}


def organizations_visible_sql(viewer: Viewer, organization_id: str) -> tuple[str, dict[str, Any]]:
    """The joint organizations a viewer may see: all for a coordinator, those its enterprise
    is a member unit of for a partner."""
    if viewer.role is Role.coordinator:
        return "1 = 1", {}
    return (
        f"{organization_id} IN (SELECT mu.organization FROM partners_member_unit mu"
        " WHERE mu.enterprise = :scope_enterprise)",
        {"scope_enterprise": viewer.enterprise_id},
    )


def assignments_visible_sql(viewer: Viewer, alias: str) -> tuple[str, dict[str, Any]]:
    """The mentor assignments (table alias ``alias``) a viewer may see (as
    partners.coeducation.mentorships.viewer_assignments)."""
    if viewer.role is Role.coordinator:
        return "1 = 1", {}
    if viewer.role is Role.partner and viewer.enterprise_id is not None:
        return (
            f"{alias}.project IN (SELECT pp.id FROM partners_project pp"
            " WHERE pp.enterprise = :scope_enterprise)",
            {"scope_enterprise": viewer.enterprise_id},
        )
    if viewer.role is Role.mentor and viewer.mentor_id is not None:
        mentors = (f"{alias}.college_mentor", f"{alias}.enterprise_mentor")
        return (
            f"({mentors[0]} = :scope_mentor OR {mentors[1]} = :scope_mentor)",
            {"scope_mentor": viewer.mentor_id},
        )
    if viewer.role is Role.student and viewer.student_id is not None:
        return f"{alias}.student = :scope_student", {"scope_student": viewer.student_id}
    return "1 = 0", {}
