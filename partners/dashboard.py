"""Dashboard figures of the partner side: enterprises by status, joint organizations,
activities this term, agreements running out (listed and counted), overdue plan items.

The SQL is in partners.dashboard_queries, scoped like every partners page: a coordinator sees
the college, a partner only its own enterprise and the organizations that enterprise belongs
to.
"""

from __future__ import annotations

import datetime
from typing import Any

from partners.dashboard_queries import agreements_to_renew, overdue_items, partner_counts
from portal.auth import Viewer
from portal.tables import Role


def term_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The academic term (学期) around a day: autumn from 1 September to the end of February,
    spring from 1 March to the end of August."""
    if today.month >= 9:
        return datetime.date(today.year, 9, 1), datetime.date(today.year + 1, 3, 1)
    if today.month <= 2:
        return datetime.date(today.year - 1, 9, 1), datetime.date(today.year, 3, 1)
    return datetime.date(today.year, 3, 1), datetime.date(today.year, 9, 1)


async def partner_side_figures(viewer: Viewer, today: datetime.date) -> dict[str, Any]:
    """Everything the partner-side part of a dashboard shows, for this viewer (as the
    templates partners/_dashboard.html, _agreements.html and _overdue_items.html name it).
    A partner's own dashboard lists its plan items due instead of the overdue ones
    (partners.dashboard_enterprise)."""
    term_start, term_end = term_bounds(today)
    counts = await partner_counts(viewer, term_start, term_end)
    agreements = await agreements_to_renew(viewer, today)
    figures = {
        "enterprises_by_status": counts.enterprises_by_status,
        "organization_count": counts.organizations,
        "term_start": term_start,
        "term_end": term_end - datetime.timedelta(days=1),
        "activities_this_term": counts.activities_this_term,
        "expiring_agreements": agreements.rows,
        "agreement_counts": {"expired": agreements.expired, "expiring": agreements.expiring},
    }
    if viewer.role is Role.coordinator:
        overdue = await overdue_items(viewer, today)
        figures |= {"overdue_item_count": overdue.total, "overdue_items": overdue.rows}
    return figures
