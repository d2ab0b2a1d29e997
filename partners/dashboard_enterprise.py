"""The partner's own dashboard (企业工作台): what an enterprise's party branch acts on — the
students placed with it now (ending soonest first, and by project), its enterprise mentors
with their mentees, the activities of the joint organizations it belongs to (coming and
recent), and the work-plan items due or overdue there.

Everything is kept to the viewer's enterprise with the scopes of partners.access (a partner
account without an enterprise sees nothing). Each list is one statement carrying its counts
(uncorrelated subqueries, computed once), so the page costs the same few statements whatever
the number of rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from partners.access import (
    LIVE_PARTICIPATION_SQL,
    enterprises_visible_sql,
    organizations_visible_sql,
)
from portal import reads
from portal.auth import Viewer
from portal.sql import Shapes

PLACEMENTS_SHOWN = 10
MENTORS_SHOWN = 10
ACTIVITIES_SHOWN = 5  # coming, and as many recent
PLAN_ITEMS_SHOWN = 8
ENDING_SOON_DAYS = 30  # a placement ending within this many days is marked
PLAN_DUE_DAYS = 30  # plan items due within this many days are listed with the overdue ones

_shapes = Shapes()


# --- the students placed with the enterprise -------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlacementRow:
    """A student on a live placement or enrollment in one of the enterprise's projects."""

    id: int
    student_id: int
    student_name: str
    student_no: str
    project_id: int
    project_name: str
    kind: str  # ParticipationKind: enrollment or placement
    internship_kind: str  # InternshipKind, "" when none was recorded
    position: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    status: str

    def days_left(self, today: datetime.date) -> int | None:
        return None if self.ends_on is None else (self.ends_on - today).days


@dataclass(frozen=True, slots=True)
class ProjectPlacements:
    """A project of the enterprise with students on it now."""

    project_id: int
    project_name: str
    project_kind: str
    students: int
    ending_first: datetime.date | None


@dataclass(frozen=True, slots=True)
class CurrentPlacements:
    """The placements ending soonest (at most ten), how many there are, how many end within
    30 days, and every project with students on it."""

    rows: list[PlacementRow]
    total: int
    ending_soon: int
    projects: list[ProjectPlacements]


def _live(alias: str) -> str:
    """Condition on a participation: live (pending or active) and not past its end."""
    return (
        f"{alias}.status IN {LIVE_PARTICIPATION_SQL}"
        f" AND ({alias}.ends_on IS NULL OR {alias}.ends_on >= :today)"
    )


async def current_placements(
    viewer: Viewer, today: datetime.date, limit: int = PLACEMENTS_SHOWN
) -> CurrentPlacements:
    """The students placed with the viewer's enterprise now, ending soonest first (open-ended
    ones last), and the same grouped by project: two statements."""
    scope, params = enterprises_visible_sql(viewer, "p.enterprise")
    counted, _params = enterprises_visible_sql(viewer, "cp.enterprise")

    def count(condition: str) -> str:
        return (
            "(SELECT COUNT(*) FROM partners_participation c"
            " JOIN partners_project cp ON cp.id = c.project"
            f" WHERE {_live('c')} AND {counted}{condition})"
        )

    rows_statement = _shapes.get(
        ("placements", viewer.role),
        lambda: (
            "SELECT pa.id, s.id, s.name, s.student_no, p.id, p.name, pa.kind,"
            " pa.internship_kind, pa.position, pa.starts_on, pa.ends_on, pa.status,"
            f" {count('')}, {count(' AND c.ends_on <= :soon')}"
            " FROM partners_participation pa JOIN partners_project p ON p.id = pa.project"
            " JOIN portal_student s ON s.id = pa.student"
            f" WHERE {_live('pa')} AND {scope}"
            " ORDER BY CASE WHEN pa.ends_on IS NULL THEN 1 ELSE 0 END, pa.ends_on,"
            " pa.starts_on, pa.id LIMIT :limit"
        ),
    )
    soon = today + datetime.timedelta(days=ENDING_SOON_DAYS)
    found = await reads.fetch(rows_statement, **params, today=today, soon=soon, limit=limit)
    projects_statement = _shapes.get(
        ("placement projects", viewer.role),
        lambda: (
            "SELECT p.id, p.name, p.kind, COUNT(*), MIN(pa.ends_on)"
            " FROM partners_participation pa JOIN partners_project p ON p.id = pa.project"
            f" WHERE {_live('pa')} AND {scope}"
            " GROUP BY p.id, p.name, p.kind ORDER BY COUNT(*) DESC, p.name, p.id"
        ),
    )
    projects = [
        ProjectPlacements(project_id, name, kind, int(n), None if ending is None else _day(ending))
        for project_id, name, kind, n, ending in await reads.fetch(
            projects_statement, **params, today=today
        )
    ]
    total, ending_soon = (int(found[0][12]), int(found[0][13])) if found else (0, 0)
    return CurrentPlacements(
        rows=[PlacementRow(*row[:12]) for row in found],
        total=total,
        ending_soon=ending_soon,
        projects=projects,
    )


# --- the enterprise's mentors ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnterpriseMentor:
    """An enterprise mentor (企业导师) and how many students they mentor now."""

    id: int
    name: str
    position: str
    party_member: bool
    max_mentees: int
    mentees: int


@dataclass(frozen=True, slots=True)
class EnterpriseMentors:
    rows: list[EnterpriseMentor]
    total: int


async def enterprise_mentors(viewer: Viewer, limit: int = MENTORS_SHOWN) -> EnterpriseMentors:
    """The enterprise's mentors, those with the most active mentees first, in one
    statement."""
    scope, params = enterprises_visible_sql(viewer, "m.enterprise")
    counted, _params = enterprises_visible_sql(viewer, "c.enterprise")
    mentees = (
        "(SELECT COUNT(*) FROM partners_mentor_assignment a"
        " WHERE a.enterprise_mentor = m.id AND a.status = 'active')"
    )
    statement = _shapes.get(
        ("mentors", viewer.role),
        lambda: (
            f"SELECT m.id, m.name, m.position, m.party_member, m.max_mentees, {mentees},"
            " (SELECT COUNT(*) FROM partners_mentor c"
            f" WHERE c.side = 'enterprise' AND {counted})"
            f" FROM partners_mentor m WHERE m.side = 'enterprise' AND {scope}"
            f" ORDER BY {mentees} DESC, m.name, m.id LIMIT :limit"
        ),
    )
    found = await reads.fetch(statement, **params, limit=limit)
    return EnterpriseMentors(
        rows=[
            EnterpriseMentor(id, name, position, bool(party), int(most), int(n))
            for id, name, position, party, most, n, _total in found
        ],
        total=int(found[0][6]) if found else 0,
    )


# --- activities of the joint organizations ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActivityRow:
    id: int
    kind: str
    title: str
    held_on: datetime.date
    place: str
    organization_id: int
    organization_name: str


@dataclass(frozen=True, slots=True)
class OrganizationActivities:
    """The next activities (soonest first) and the latest ones (newest first)."""

    coming: list[ActivityRow]
    recent: list[ActivityRow]


async def organization_activities(
    viewer: Viewer, today: datetime.date, limit: int = ACTIVITIES_SHOWN
) -> OrganizationActivities:
    """The activities of the viewer's joint organizations from today on and before today,
    ``limit`` of each, in one statement."""
    organizations, params = organizations_visible_sql(viewer, "x.organization")
    columns = "x.id, x.kind, x.title, x.held_on, x.place, o.id AS org_id, o.name AS org_name"
    source = (
        "FROM partners_activity x JOIN partners_organization o ON o.id = x.organization"
        f" WHERE {organizations}"
    )
    statement = _shapes.get(
        ("activities", viewer.role),
        lambda: (
            f"SELECT 'coming' AS side, c.* FROM (SELECT {columns} {source}"
            " AND x.held_on >= :today ORDER BY x.held_on, x.id LIMIT :limit) c"
            f" UNION ALL SELECT 'recent' AS side, r.* FROM (SELECT {columns} {source}"
            " AND x.held_on < :today ORDER BY x.held_on DESC, x.id DESC LIMIT :limit) r"
        ),
    )
    activities = OrganizationActivities(coming=[], recent=[])
    found = await reads.fetch(statement, **params, today=today, limit=limit)
    for side, id, kind, title, held_on, place, organization_id, organization_name in found:
        activity = ActivityRow(
            id, kind, title, _day(held_on), place, organization_id, organization_name
        )
        (activities.coming if side == "coming" else activities.recent).append(activity)
    return activities


# --- work-plan items due ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DuePlanItem:
    """A plan item not done, overdue or due within 30 days, with its plan and organization."""

    id: int
    content: str
    owner: str
    due_on: datetime.date
    plan_id: int
    plan_title: str
    organization_id: int
    organization_name: str

    def overdue(self, today: datetime.date) -> bool:
        return self.due_on < today


@dataclass(frozen=True, slots=True)
class DuePlanItems:
    rows: list[DuePlanItem]
    overdue: int
    due_soon: int


async def plan_items_due(
    viewer: Viewer, today: datetime.date, limit: int = PLAN_ITEMS_SHOWN
) -> DuePlanItems:
    """The viewer's organizations' plan items not done and due by 30 days from now, the
    oldest first, with how many are overdue and how many due soon, in one statement."""
    organizations, params = organizations_visible_sql(viewer, "wp.organization")
    counted, _params = organizations_visible_sql(viewer, "cp.organization")

    def count(condition: str) -> str:
        return (
            "(SELECT COUNT(*) FROM partners_work_plan_item c"
            " JOIN partners_work_plan cp ON cp.id = c.plan"
            f" WHERE c.done = :done AND {condition} AND {counted})"
        )

    statement = _shapes.get(
        ("plan items", viewer.role),
        lambda: (
            "SELECT i.id, i.content, i.owner, i.due_on, wp.id, wp.title, o.id, o.name,"
            f" {count('c.due_on < :today')},"
            f" {count('c.due_on >= :today AND c.due_on <= :soon')}"
            " FROM partners_work_plan_item i JOIN partners_work_plan wp ON wp.id = i.plan"
            " JOIN partners_organization o ON o.id = wp.organization"
            f" WHERE i.done = :done AND i.due_on <= :soon AND {organizations}"
            " ORDER BY i.due_on, i.id LIMIT :limit"
        ),
    )
    soon = today + datetime.timedelta(days=PLAN_DUE_DAYS)
    found = await reads.fetch(statement, **params, done=False, today=today, soon=soon, limit=limit)
    return DuePlanItems(
        rows=[DuePlanItem(*row[:8]) for row in found],
        overdue=int(found[0][8]) if found else 0,
        due_soon=int(found[0][9]) if found else 0,
    )


# --- all of it -------------------------------------------------------------------------------


async def enterprise_figures(viewer: Viewer, today: datetime.date) -> dict[str, Any]:
    """Everything the partner's own sections of the dashboard show (as
    templates/partners/_enterprise_dashboard.html names it): five statements."""
    return {
        "placements": await current_placements(viewer, today),
        "enterprise_mentors": await enterprise_mentors(viewer),
        "activities": await organization_activities(viewer, today),
        "plan_items": await plan_items_due(viewer, today),
        "ending_soon_days": ENDING_SOON_DAYS,
        "plan_due_days": PLAN_DUE_DAYS,
    }


def _day(value: Any) -> datetime.date:
    """A date column read through an expression (MIN(), a UNION): a date on both engines."""
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])
