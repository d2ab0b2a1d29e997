"""The read layer of the dashboards' partner side (数据看板): enterprises by status, joint
organizations, activities this term, co-building agreements to renew, overdue plan items, and
the dual-mentor assignments that need attention (双导师 指导记录 待跟进).

Scoped by partners.access: a coordinator sees the college, a partner its own enterprise and
the organizations that enterprise is a member unit of, a mentor their own assignments. Each
list carries its counts in the same statement (uncorrelated subqueries, computed once; when
there is no row to list, the counts are zero anyway), so the partner side costs three
statements and the attention list one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from partners.access import assignments_visible_sql, organizations_visible_sql
from partners.coeducation.mentorships import ATTENTION_DAYS, as_date
from partners.organizations.joint_organizations import (
    WARNING_DAYS,
    agreement_warning,
)
from portal import reads
from portal.auth import Viewer
from portal.sql import Shapes
from portal.tables import Role

AGREEMENTS_SHOWN = 50
OVERDUE_SHOWN = 10
ATTENTION_SHOWN = 50
ATTENTION_ON_DASHBOARD = 10

_shapes = Shapes()


@dataclass(frozen=True, slots=True)
class PartnerCounts:
    """The partner side's headline figures for a viewer."""

    enterprises_by_status: dict[str, int]
    organizations: int
    activities_this_term: int


ENTERPRISE_STATUSES = ("active", "paused", "ended")


async def partner_counts(
    viewer: Viewer, term_start: datetime.date, term_end: datetime.date
) -> PartnerCounts:
    """Enterprises by status (a partner: its own), joint organizations, and their activities
    from ``term_start`` to before ``term_end``, in one statement."""
    organizations, params = organizations_visible_sql(viewer, "o.id")
    coordinator = viewer.role is Role.coordinator
    if not coordinator:
        params["scope_enterprise"] = viewer.enterprise_id

    def build() -> str:
        own = "" if coordinator else " AND en.id = :scope_enterprise"
        statuses = ", ".join(
            f"(SELECT COUNT(*) FROM partners_enterprise en WHERE en.status = '{status}'{own})"
            for status in ENTERPRISE_STATUSES
        )
        return (
            f"SELECT {statuses},"
            f" (SELECT COUNT(*) FROM partners_organization o WHERE {organizations}),"
            " (SELECT COUNT(*) FROM partners_activity x"
            " WHERE x.held_on >= :term_start AND x.held_on < :term_end"
            f" AND x.organization IN (SELECT o.id FROM partners_organization o"
            f" WHERE {organizations}))"
        )

    statement = _shapes.get(("counts", viewer.role), build)
    found = await reads.fetch(statement, **params, term_start=term_start, term_end=term_end)
    *by_status, organization_count, activities = (int(n) for n in found[0])
    return PartnerCounts(
        enterprises_by_status={
            status: n for status, n in zip(ENTERPRISE_STATUSES, by_status, strict=True) if n
        },
        organizations=organization_count,
        activities_this_term=activities,
    )


@dataclass(frozen=True, slots=True)
class ExpiringAgreement:
    """A co-building agreement to renew: expired, or expiring within 60 days."""

    organization_id: int
    organization_name: str
    signed_on: datetime.date
    expires_on: datetime.date
    warning: str | None  # "expired" or "expiring"
    days_left: int  # negative once expired


@dataclass(frozen=True, slots=True)
class AgreementsToRenew:
    """The soonest agreements to renew (at most 50) and how many there are of each kind."""

    rows: list[ExpiringAgreement]
    expired: int
    expiring: int


async def agreements_to_renew(
    viewer: Viewer, today: datetime.date, limit: int = AGREEMENTS_SHOWN
) -> AgreementsToRenew:
    """The agreements of the viewer's active organizations that have expired or expire
    within 60 days, soonest first (dissolved organizations need no renewal)."""
    organizations, params = organizations_visible_sql(viewer, "a.organization")
    counted, _params = organizations_visible_sql(viewer, "c.organization")

    def count(condition: str) -> str:
        return (
            "(SELECT COUNT(*) FROM partners_agreement c"
            " JOIN partners_organization co ON co.id = c.organization"
            f" WHERE {condition} AND co.status = 'active' AND {counted})"
        )

    statement = _shapes.get(
        ("agreements", viewer.role),
        lambda: (
            "SELECT a.organization, o.name, a.signed_on, a.expires_on,"
            f" {count('c.expires_on < :today')},"
            f" {count('c.expires_on >= :today AND c.expires_on <= :soon')}"
            " FROM partners_agreement a JOIN partners_organization o ON o.id = a.organization"
            f" WHERE a.expires_on <= :soon AND o.status = 'active' AND {organizations}"
            " ORDER BY a.expires_on, a.id LIMIT :limit"
        ),
    )
    soon = today + datetime.timedelta(days=WARNING_DAYS)
    found = await reads.fetch(statement, **params, today=today, soon=soon, limit=limit)
    expired, expiring = (int(found[0][4]), int(found[0][5])) if found else (0, 0)
    rows = [
        ExpiringAgreement(
            organization_id,
            name,
            signed_on,
            expires_on,
            agreement_warning(expires_on, today),
            (expires_on - today).days,
        )
        for organization_id, name, signed_on, expires_on, _expired, _expiring in found
    ]
    return AgreementsToRenew(rows=rows, expired=expired, expiring=expiring)


@dataclass(frozen=True, slots=True)
class OverdueItem:
    """A work plan item past its due date and not done, with its plan and organization."""

    id: int
    content: str
    owner: str
    due_on: datetime.date
    plan_id: int
    plan_title: str
    organization_id: int
    organization_name: str


@dataclass(frozen=True, slots=True)
class OverdueItems:
    """The oldest overdue items (at most 10) and how many there are."""

    rows: list[OverdueItem]
    total: int


async def overdue_items(
    viewer: Viewer, today: datetime.date, limit: int = OVERDUE_SHOWN
) -> OverdueItems:
    organizations, params = organizations_visible_sql(viewer, "o.id")
    counted, _params = organizations_visible_sql(viewer, "cp.organization")
    statement = _shapes.get(
        ("overdue", viewer.role),
        lambda: (
            "SELECT i.id, i.content, i.owner, i.due_on, wp.id, wp.title, o.id, o.name,"
            " (SELECT COUNT(*) FROM partners_work_plan_item c"
            " WHERE c.done = :done AND c.due_on < :today AND c.plan IN ("
            f"SELECT cp.id FROM partners_work_plan cp WHERE {counted}))"
            " FROM partners_work_plan_item i JOIN partners_work_plan wp ON wp.id = i.plan"
            " JOIN partners_organization o ON o.id = wp.organization"
            f" WHERE i.done = :done AND i.due_on < :today AND {organizations}"
            " ORDER BY i.due_on, i.id LIMIT :limit"
        ),
    )
    found = await reads.fetch(statement, **params, done=False, today=today, limit=limit)
    return OverdueItems(
        rows=[OverdueItem(*row[:8]) for row in found], total=int(found[0][8]) if found else 0
    )


@dataclass(frozen=True, slots=True)
class AttentionRow:
    """An active assignment whose mentors have logged nothing for a while."""

    id: int
    starts_on: datetime.date
    student_id: int
    student_name: str
    student_no: str
    project_id: int | None
    project_name: str | None
    last_log: datetime.date | None
    college_mentor: str = ""
    enterprise_mentor: str = ""

    @property
    def since(self) -> datetime.date:
        """The day the wait began: the last log, or the start when there is none."""
        return self.last_log or self.starts_on


@dataclass(frozen=True, slots=True)
class AttentionList:
    """Some of the assignments needing attention, and how many there are in all."""

    rows: list[AttentionRow]
    total: int


# The orders the full list offers (?sort=): the wait (longest first unless reversed), the
# student's name, the project's name; each ends on the assignment's id so pages never overlap.
LAST_LOG = "(SELECT MAX(l.held_on) FROM partners_mentoring_log l WHERE l.assignment = a.id)"
ATTENTION_SORTS: dict[str, str] = {
    "days": f"COALESCE({LAST_LOG}, a.starts_on)",
    "name": "s.name",
    "project": "COALESCE(p.name, '')",
}


async def needing_attention(
    viewer: Viewer,
    today: datetime.date,
    days: int = ATTENTION_DAYS,
    limit: int = ATTENTION_SHOWN,
) -> list[AttentionRow]:
    """The viewer's active assignments (started more than ``days`` days ago) without a log
    in the last ``days`` days, longest waiting first, with their last log, in one statement."""
    return (await attention_list(viewer, today, days=days, limit=limit)).rows


async def attention_list(
    viewer: Viewer,
    today: datetime.date,
    *,
    days: int = ATTENTION_DAYS,
    limit: int = ATTENTION_SHOWN,
    offset: int = 0,
    sort: str = "days",
    descending: bool = True,
) -> AttentionList:
    """A page of the viewer's assignments needing attention (as needing_attention; longest
    waiting first unless ``sort`` names another of ATTENTION_SORTS) with both mentors' names
    and the number of them in all: one statement (two past the last page)."""
    assignments, params = assignments_visible_sql(viewer, "a")
    counted, _params = assignments_visible_sql(viewer, "c")
    sort = sort if sort in ATTENTION_SORTS else "days"
    # More days without a log is an earlier day the wait began.
    ascending = descending if sort == "days" else not descending
    direction = "ASC" if ascending else "DESC"
    waiting = (
        " AND {a}.status = 'active' AND {a}.starts_on < :cutoff AND {a}.id NOT IN ("
        "SELECT l.assignment FROM partners_mentoring_log l WHERE l.held_on >= :cutoff)"
    )
    count = (
        f"SELECT COUNT(*) FROM partners_mentor_assignment c WHERE {counted}{waiting.format(a='c')}"
    )
    statement = _shapes.get(
        ("attention", viewer.role, sort, direction),
        lambda: (
            f"SELECT a.id, a.starts_on, s.id, s.name, s.student_no, p.id, p.name, {LAST_LOG},"
            f" cm.name, em.name, ({count})"
            " FROM partners_mentor_assignment a LEFT JOIN portal_student s ON s.id = a.student"
            " LEFT JOIN partners_project p ON p.id = a.project"
            " LEFT JOIN partners_mentor cm ON cm.id = a.college_mentor"
            " LEFT JOIN partners_mentor em ON em.id = a.enterprise_mentor"
            f" WHERE {assignments}{waiting.format(a='a')}"
            f" ORDER BY {ATTENTION_SORTS[sort]} {direction}, a.id {direction}"
            " LIMIT :limit OFFSET :offset"
        ),
    )
    cutoff = today - datetime.timedelta(days=days)
    found = await reads.fetch(statement, **params, cutoff=cutoff, limit=limit, offset=offset)
    if found:
        total = int(found[0][-1])
    elif offset:  # past the last page: count them on their own
        statement = _shapes.get(("attention count", viewer.role), lambda: count)
        total = int(await reads.value(statement, **params, cutoff=cutoff) or 0)
    else:
        total = 0
    return AttentionList(rows=[attention_row(*row[:-1]) for row in found], total=total)


def attention_row(
    assignment_id: int,
    starts_on: datetime.date,
    student_id: int,
    student_name: str,
    student_no: str,
    project_id: int | None,
    project_name: str | None,
    last_log: Any,
    college_mentor: str | None = None,
    enterprise_mentor: str | None = None,
) -> AttentionRow:
    """A row of attention_list's statement (its last log, a MAX(), as a date on both
    engines)."""
    return AttentionRow(
        assignment_id,
        starts_on,
        student_id,
        student_name,
        student_no,
        project_id,
        project_name,
        as_date(last_log) if last_log is not None else None,
        college_mentor or "",
        enterprise_mentor or "",
    )
