"""The read layer of the dashboard (数据看板, the home page of coordinators, partners and
mentors): the figures at the top and the numbers behind the charts, as SQL compiled once per
role and read into typed rows.

Each chart is one grouped statement (the activities and mentoring hours per day share one), so
the dashboard costs the same few statements with ten students or a hundred thousand. A
partner's numbers are kept to its own enterprise with the scopes of partners.access: the
students placed with it, its projects, the dual-mentor assignments in its projects with their
logs and evaluations, and the joint organizations it is a member unit of. A partner account
without an enterprise sees nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from partners.access import (
    assignments_visible_sql,
    organizations_visible_sql,
    students_visible_sql,
)
from partners.coeducation.charts import SideAverages
from portal import reads
from portal.auth import Viewer
from portal.sql import Shapes, Statement
from portal.tables import Role
from portal.vocabulary import DIMENSIONS
from talent_pool.consent import consented_sql

_shapes = Shapes()


def _assignment_condition(viewer: Viewer, assignment_id: str) -> tuple[str, dict[str, Any]]:
    """Condition on an assignment id column: one of the viewer's assignments."""
    if viewer.role is Role.coordinator:
        return "1 = 1", {}
    scope, params = assignments_visible_sql(viewer, "a")
    return (
        f"{assignment_id} IN (SELECT a.id FROM partners_mentor_assignment a WHERE {scope})",
        params,
    )


def _project_condition(viewer: Viewer, enterprise: str) -> tuple[str, dict[str, Any]]:
    """Condition on a project's enterprise column: all for a coordinator, a partner's own."""
    if viewer.role is Role.coordinator:
        return "1 = 1", {}
    return f"{enterprise} = :scope_enterprise", {"scope_enterprise": viewer.enterprise_id}


# --- the figures at the top ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CollegeCounts:
    """A coordinator's headline figures."""

    active_accounts: int
    enterprises: int
    mentors: int


COLLEGE_COUNTS = Statement(
    'SELECT (SELECT COUNT(*) FROM portal_profile p JOIN piccolo_user u ON u.id = p."user"'
    " WHERE u.active = :active),"
    " (SELECT COUNT(*) FROM partners_enterprise), (SELECT COUNT(*) FROM partners_mentor)"
)


async def college_counts() -> CollegeCounts:
    found = await reads.fetch(COLLEGE_COUNTS, active=True)
    return CollegeCounts(*(int(n) for n in found[0]))


@dataclass(frozen=True, slots=True)
class EnterpriseSummary:
    """The partner's own enterprise as its dashboard names it."""

    id: int
    name: str
    status: str


@dataclass(frozen=True, slots=True)
class EnterpriseCounts:
    """A partner's headline figures: its enterprise (None if it is gone), its mentors and its
    accounts."""

    enterprise: EnterpriseSummary | None
    mentors: int
    accounts: int


ENTERPRISE_COUNTS = Statement(
    "SELECT (SELECT COUNT(*) FROM partners_mentor m WHERE m.enterprise = :enterprise),"
    " (SELECT COUNT(*) FROM partners_partner_account pa WHERE pa.enterprise = :enterprise),"
    " en.id, en.name, en.status"
    " FROM (SELECT 1 AS one) AS one LEFT JOIN partners_enterprise en ON en.id = :enterprise"
)


async def enterprise_counts(enterprise_id: int | None) -> EnterpriseCounts:
    mentors, accounts, *enterprise = (
        await reads.fetch(ENTERPRISE_COUNTS, enterprise=enterprise_id)
    )[0]
    summary = EnterpriseSummary(*enterprise) if enterprise[0] is not None else None
    return EnterpriseCounts(summary, int(mentors), int(accounts))


@dataclass(frozen=True, slots=True)
class MentorSummary:
    """A mentor as their dashboard names them."""

    name: str
    side: str
    max_mentees: int


MENTOR = Statement("SELECT name, side, max_mentees FROM partners_mentor WHERE id = :mentor")


async def mentor_summary(mentor_id: int | None) -> MentorSummary | None:
    return await reads.first(MentorSummary, MENTOR, mentor=mentor_id)


# --- the numbers behind the charts -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DepartmentCoverage:
    """Students of a department, and how many of them have an active dual-mentor assignment
    (for a partner: in its projects)."""

    department: str
    students: int
    covered: int


async def coverage_by_department(viewer: Viewer) -> list[DepartmentCoverage]:
    """Per department, the viewer's students and those of them with an active assignment: two
    grouped counts in one statement, the second read from the (few) active assignments."""
    students, params = students_visible_sql(viewer, "s.id")
    covered, _params = students_visible_sql(viewer, "c.student")
    assigned, more = assignments_visible_sql(viewer, "a")
    statement = _shapes.get(
        ("coverage", viewer.role),
        lambda: (
            "SELECT 'all', s.department, COUNT(*) FROM portal_student s"
            f" WHERE {students} GROUP BY s.department"
            " UNION ALL SELECT 'covered', s.department, COUNT(*) FROM ("
            "SELECT DISTINCT a.student FROM partners_mentor_assignment a"
            f" WHERE a.status = 'active' AND {assigned}) c"
            f" LEFT JOIN portal_student s ON s.id = c.student WHERE {covered}"
            " GROUP BY s.department"
        ),
    )
    totals: dict[str, int] = {}
    with_mentors: dict[str, int] = {}
    for kind, department, n in await reads.fetch(statement, **params | more):
        (totals if kind == "all" else with_mentors)[department] = int(n)
    return [
        DepartmentCoverage(department, n, with_mentors.get(department, 0))
        for department, n in totals.items()
    ]


async def projects_by_kind_and_status(viewer: Viewer) -> dict[tuple[str, str], int]:
    """(kind, status) → number of the viewer's projects."""
    condition, params = _project_condition(viewer, "p.enterprise")
    statement = _shapes.get(
        ("projects", viewer.role),
        lambda: (
            "SELECT p.kind, p.status, COUNT(*) FROM partners_project p"
            f" WHERE {condition} GROUP BY p.kind, p.status"
        ),
    )
    return {(kind, status): int(n) for kind, status, n in await reads.fetch(statement, **params)}


@dataclass(frozen=True, slots=True)
class DayCounts:
    """Joint activities, and mentoring sessions and hours, one row a day (``held_on``,
    ``n`` and ``hours``, as portal.charts.sum_by_month reads them)."""

    activities: list[dict[str, Any]]
    logs: list[dict[str, Any]]


async def activities_and_logs_per_day(
    viewer: Viewer, start: datetime.date, end: datetime.date
) -> DayCounts:
    """Joint activities, and mentoring sessions and hours, per day from ``start`` to before
    ``end``, in one statement (rows grouped by day, at most a few hundred of them; bucketed
    by month in Python, which works the same on both engines)."""
    organizations, params = organizations_visible_sql(viewer, "x.organization")
    assigned, more = _assignment_condition(viewer, "l.assignment")
    statement = _shapes.get(
        ("days", viewer.role),
        lambda: (
            "SELECT 'activity', x.held_on, COUNT(*), 0 FROM partners_activity x"
            f" WHERE x.held_on >= :start AND x.held_on < :end AND {organizations}"
            " GROUP BY x.held_on UNION ALL"
            " SELECT 'log', l.held_on, COUNT(*), SUM(l.hours) FROM partners_mentoring_log l"
            f" WHERE l.held_on >= :start AND l.held_on < :end AND {assigned}"
            " GROUP BY l.held_on"
        ),
    )
    days = DayCounts(activities=[], logs=[])
    found = await reads.fetch(statement, **params | more, start=start, end=end)
    for kind, held_on, n, hours in found:
        row = {"held_on": held_on, "n": n, "hours": hours}
        (days.activities if kind == "activity" else days.logs).append(row)
    return days


SUMS = ", ".join(f"SUM(x.{name})" for name in DIMENSIONS)
SUMS_PER_MENTOR = ", ".join(f"SUM(v.{name}) AS {name}" for name in DIMENSIONS)


async def evaluation_averages(viewer: Viewer) -> list[SideAverages]:
    """The averages by the side of the mentor who scored, from sums per mentor (one join per
    mentor rather than per evaluation)."""
    assigned, params = _assignment_condition(viewer, "v.assignment")
    statement = _shapes.get(
        ("evaluations", viewer.role),
        lambda: (
            f"SELECT m.side, {SUMS}, SUM(x.n) FROM ("
            f"SELECT v.mentor, {SUMS_PER_MENTOR}, COUNT(*) AS n FROM partners_evaluation v"
            f" WHERE {assigned} GROUP BY v.mentor) x"
            " LEFT JOIN partners_mentor m ON m.id = x.mentor GROUP BY m.side"
        ),
    )
    averages = []
    for side, *sums, n in await reads.fetch(statement, **params):
        political, professional, practical, innovation, craftsmanship = (
            float(total) / int(n) for total in sums
        )
        averages.append(
            SideAverages(
                side, political, professional, practical, innovation, craftsmanship, int(n)
            )
        )
    return averages


async def pool_by_status_and_stage(viewer: Viewer) -> dict[tuple[str, str | None], int]:
    """(pool status, recruitment stage) → number of the viewer's students in the pool."""
    students, params = students_visible_sql(viewer, "e.student")
    if viewer.role is Role.partner:  # the stage only with consent for the partner's enterprise
        consented, consent_params = consented_sql("e.student", viewer)
        students, params = f"({students}) AND {consented}", {**params, **consent_params}
    statement = _shapes.get(
        ("funnel", viewer.role),
        lambda: (
            "SELECT e.status, e.stage, COUNT(*) FROM talent_pool_entry e"
            f" WHERE {students} GROUP BY e.status, e.stage"
        ),
    )
    return {(status, stage): int(n) for status, stage, n in await reads.fetch(statement, **params)}
