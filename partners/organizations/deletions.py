"""What the organization confirmation pages show before a delete: an enterprise (合作企业), a
joint party organization (联合党组织), a member unit, an organization member (组织成员), an
activity, a work plan and its items.

Each function takes the viewer and the record the viewer was already allowed to reach (its
page found it through a viewer-scoped read) and counts, from the tables' foreign keys
(portal.deletion), what is deleted with it, what refuses the delete and what stays but loses
its link — the same rows the delete's transaction reaches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from partners.organizations.joint_organizations import unit_removal_error
from partners.organizations.queries import EnterpriseRow, OrganizationRow, UnitRow
from portal.auth import Viewer
from portal.deletion import Impact, deletion_impact


@dataclass(frozen=True, slots=True)
class Deletion:
    """What a delete changes, and why it is refused (None: it may be done)."""

    impact: Impact
    refusal: str | None = None


async def enterprise_deletion(viewer: Viewer, enterprise: EnterpriseRow) -> Deletion:
    """Partner accounts would go with the enterprise (their key cascades), so delete_enterprise
    refuses while it has any: they are listed with what refuses it."""
    impact = (await deletion_impact("partners_enterprise", enterprise.id)).refused_by(
        "partners_partner_account"
    )
    return Deletion(impact)


async def organization_deletion(viewer: Viewer, organization: OrganizationRow) -> Deletion:
    return Deletion(await deletion_impact("partners_organization", organization.id))


async def unit_deletion(viewer: Viewer, units: Iterable[UnitRow], unit: UnitRow) -> Deletion:
    """An organization keeps a unit of each side (unit_removal_error, as remove_unit checks)."""
    return Deletion(
        await deletion_impact("partners_member_unit", unit.id), unit_removal_error(units, unit.id)
    )


async def member_deletion(viewer: Viewer, member_id: int) -> Deletion:
    return Deletion(await deletion_impact("partners_organization_member", member_id))


async def activity_deletion(viewer: Viewer, activity_id: int) -> Deletion:
    return Deletion(await deletion_impact("partners_activity", activity_id))


async def plan_deletion(viewer: Viewer, plan_id: int) -> Deletion:
    return Deletion(await deletion_impact("partners_work_plan", plan_id))


async def plan_item_deletion(viewer: Viewer, item_id: int) -> Deletion:
    return Deletion(await deletion_impact("partners_work_plan_item", item_id))
