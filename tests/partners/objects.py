"""Objects inside an organization for path templates of the access matrix."""

from __future__ import annotations

from partners.organizations.tables import (
    Activity,
    CommitteeSeat,
    MemberUnit,
    OrganizationMember,
    WorkPlan,
    WorkPlanItem,
)
from tests.support import run


def first_id(query) -> int:
    row = run(query.first())
    return row["id"] if row else 0


def objects_in(organization_id: int) -> dict[str, int]:
    """{unit_id}, {member_id}, {seat_id}, {activity_id}, {plan_id}, {item_id} of an
    organization (0 where there is none yet: then the page is a 404 for everyone)."""
    return {
        "unit_id": first_id(
            MemberUnit.select(MemberUnit.id).where(MemberUnit.organization == organization_id)
        ),
        "member_id": first_id(
            OrganizationMember.select(OrganizationMember.id).where(
                OrganizationMember.organization == organization_id
            )
        ),
        "seat_id": first_id(
            CommitteeSeat.select(CommitteeSeat.id).where(
                CommitteeSeat.organization == organization_id
            )
        ),
        "activity_id": first_id(
            Activity.select(Activity.id).where(Activity.organization == organization_id)
        ),
        "plan_id": first_id(
            WorkPlan.select(WorkPlan.id).where(WorkPlan.organization == organization_id)
        ),
        "item_id": first_id(
            WorkPlanItem.select(WorkPlanItem.id).where(
                WorkPlanItem.plan.organization == organization_id
            )
        ),
    }
