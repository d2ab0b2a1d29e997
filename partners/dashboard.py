"""Dashboard figures of the partner side: enterprises by status, joint organizations,
activities this term, agreements running out (listed and counted), overdue plan items.

Each figure is one query, scoped by partners.access: a coordinator sees the college, a
partner only its own enterprise and the organizations that enterprise belongs to.
"""

from __future__ import annotations

import datetime
from typing import Any

from piccolo.query.functions.aggregate import Count
from starlette.requests import Request

from partners.access import enterprise_scope, is_coordinator, organization_scope
from partners.organizations import WARNING_DAYS, expiring_agreements
from partners.plans import overdue_item_count
from partners.tables import (
    Activity,
    Agreement,
    Enterprise,
    JointOrganization,
    WorkPlanItem,
)

OVERDUE_SHOWN = 10


def term_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The academic term (学期) around a day: autumn from 1 September to the end of February,
    spring from 1 March to the end of August."""
    if today.month >= 9:
        return datetime.date(today.year, 9, 1), datetime.date(today.year + 1, 3, 1)
    if today.month <= 2:
        return datetime.date(today.year - 1, 9, 1), datetime.date(today.year, 3, 1)
    return datetime.date(today.year, 3, 1), datetime.date(today.year, 9, 1)


def organizations_in_scope(request: Request):
    """A subquery of the ids of the organizations the viewer may see."""
    return JointOrganization.select(JointOrganization.id).where(*organization_scope(request))


async def enterprises_by_status(request: Request) -> dict[str, int]:
    rows = (
        await Enterprise.select(Enterprise.status, Count(alias="n"))
        .where(*enterprise_scope(request))
        .group_by(Enterprise.status)
    )
    return {row["status"]: row["n"] for row in rows}


async def expiring_agreements_of(request: Request, today: datetime.date) -> list[dict[str, Any]]:
    """Agreements to renew (within 60 days or expired) of the viewer's organizations."""
    enterprise_id = None if is_coordinator(request) else request.user.enterprise_id
    rows = await expiring_agreements(today, enterprise_id=enterprise_id)
    for row in rows:
        row["days_left"] = (row["expires_on"] - today).days
    return rows


async def agreement_counts(request: Request, today: datetime.date) -> dict[str, int]:
    """How many of the viewer's active organizations' agreements have expired, and how many
    expire within 60 days (the list shows at most 50; these count them all)."""
    conditions: list[Any] = [Agreement.organization.status == "active"]
    if not is_coordinator(request):
        conditions.append(Agreement.organization.is_in(organizations_in_scope(request)))
    soon = today + datetime.timedelta(days=WARNING_DAYS)
    return {
        "expired": await Agreement.count().where(*conditions, Agreement.expires_on < today),
        "expiring": await Agreement.count().where(
            *conditions, Agreement.expires_on >= today, Agreement.expires_on <= soon
        ),
    }


async def overdue_items(request: Request, today: datetime.date) -> list[dict[str, Any]]:
    """The oldest overdue plan items, with their plan and organization."""
    return (
        await WorkPlanItem.select(
            WorkPlanItem.id,
            WorkPlanItem.content,
            WorkPlanItem.owner,
            WorkPlanItem.due_on,
            WorkPlanItem.plan.id.as_alias("plan_id"),
            WorkPlanItem.plan.title.as_alias("plan_title"),
            WorkPlanItem.plan.organization.id.as_alias("organization_id"),
            WorkPlanItem.plan.organization.name.as_alias("organization_name"),
        )
        .where(
            WorkPlanItem.done == False,  # noqa: E712 — a Piccolo condition, not a comparison
            WorkPlanItem.due_on < today,
            WorkPlanItem.plan.organization.is_in(organizations_in_scope(request)),
        )
        .order_by(WorkPlanItem.due_on)
        .limit(OVERDUE_SHOWN)
    )


async def partner_side_figures(request: Request, today: datetime.date) -> dict[str, Any]:
    """Everything the partner-side part of a dashboard shows, for this viewer."""
    term_start, term_end = term_bounds(today)
    in_scope = organizations_in_scope(request)
    return {
        "enterprises_by_status": await enterprises_by_status(request),
        "organization_count": await JointOrganization.count().where(*organization_scope(request)),
        "term_start": term_start,
        "term_end": term_end - datetime.timedelta(days=1),
        "activities_this_term": await Activity.count().where(
            Activity.held_on >= term_start,
            Activity.held_on < term_end,
            Activity.organization.is_in(in_scope),
        ),
        "expiring_agreements": await expiring_agreements_of(request, today),
        "agreement_counts": await agreement_counts(request, today),
        "overdue_item_count": await overdue_item_count(organization_scope(request), today),
        "overdue_items": await overdue_items(request, today),
    }
