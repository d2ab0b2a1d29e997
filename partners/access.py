"""What a viewer may see of the partners app: coordinators everything, a partner only its own
enterprise and the joint organizations that enterprise is a member unit of.

Every handler fetches objects through these helpers, so an object outside the viewer's reach
is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from partners.tables import (
    Enterprise,
    JointOrganization,
    MemberUnit,
    MentorAssignment,
    Participation,
    ParticipationStatus,
    Project,
)
from portal.tables import Role, Student

LIVE_PARTICIPATION = (ParticipationStatus.pending.value, ParticipationStatus.active.value)


def is_coordinator(request: Request) -> bool:
    return request.user.role is Role.coordinator


def enterprise_scope(request: Request) -> list[Any]:
    """Where-conditions on Enterprise that keep a partner to its own enterprise."""
    if is_coordinator(request):
        return []
    return [Enterprise.id == request.user.enterprise_id]


def organization_scope(request: Request) -> list[Any]:
    """Where-conditions on JointOrganization: a partner sees those its enterprise belongs to."""
    if is_coordinator(request):
        return []
    member_of = MemberUnit.select(MemberUnit.organization).where(
        MemberUnit.enterprise == request.user.enterprise_id
    )
    return [JointOrganization.id.is_in(member_of)]


async def get_enterprise_or_404(request: Request, enterprise_id: int) -> dict[str, Any]:
    row = (
        await Enterprise.select()
        .where(Enterprise.id == enterprise_id, *enterprise_scope(request))
        .first()
    )
    if row is None:
        raise HTTPException(status_code=404)
    return row


async def get_organization_or_404(request: Request, organization_id: int) -> dict[str, Any]:
    row = (
        await JointOrganization.select()
        .where(JointOrganization.id == organization_id, *organization_scope(request))
        .first()
    )
    if row is None:
        raise HTTPException(status_code=404)
    return row


async def organization_of(request: Request) -> dict[str, Any]:
    """The organization named in the path, if the viewer may see it (else 404)."""
    return await get_organization_or_404(request, request.path_params["organization_id"])


def placed_with(enterprise_id: int | None) -> Any:
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
