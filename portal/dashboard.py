"""The dashboard's charts (数据看板): what each one counts, for the whole college or for one
enterprise.

Every chart is one or two GROUP BY queries, so the dashboard costs the same number of queries
with ten students or a hundred thousand. A partner's charts are kept to its own enterprise:
the students placed with it (portal.record.placed_with), its projects, the dual-mentor
assignments in its projects with their logs and evaluations, and the joint organizations it
is a member unit of.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from piccolo.query.functions.aggregate import Avg, Count, Sum
from starlette.requests import Request

from partners.projects import PROJECT_KINDS, PROJECT_STATUSES
from partners.tables import (
    Activity,
    AssignmentStatus,
    Evaluation,
    MemberUnit,
    MentorAssignment,
    MentoringLog,
    Project,
)
from portal.auth import Viewer
from portal.charts import (
    Chart,
    Column,
    Series,
    add_months,
    last_months,
    month_label,
    percent,
    sum_by_month,
)
from portal.i18n import _, lazy
from portal.record import DIMENSIONS, placed_with
from portal.tables import Role, Student
from talent_pool.tables import PoolEntry, PoolStatus, Stage

# The recruitment funnel (发展党员), widest first: pool students who have not applied yet,
# then the stages of the pipeline in their order.
NOT_APPLIED = "not_applied"
FUNNEL_STEPS: dict[str, str] = {
    NOT_APPLIED: lazy("In the pool, not applied"),  # 已入库未申请
    Stage.applicant.value: lazy("Applicants"),  # 入党申请人
    Stage.activist.value: lazy("Activists"),  # 入党积极分子
    Stage.development_target.value: lazy("Development targets"),  # 发展对象
    Stage.probationary.value: lazy("Probationary members"),  # 预备党员
    Stage.full_member.value: lazy("Full members"),  # 正式党员
}
MENTOR_SIDES: dict[str, str] = {
    "college": lazy("College mentors"),
    "enterprise": lazy("Enterprise mentors"),
}
MONTHS_SHOWN = 12
GREY = "#b8bec6"
STATUS_COLOURS = {"planning": "#c99a2e", "active": "#b71c1c", "closed": GREY}


@dataclass(frozen=True)
class ChartScope:
    """Whose numbers a dashboard shows: the whole college, or one enterprise's."""

    enterprise_id: int | None = None

    @classmethod
    def of(cls, viewer: Viewer) -> ChartScope:
        if viewer.role is Role.partner:
            # A partner account without an enterprise sees nothing rather than everything.
            return cls(enterprise_id=viewer.enterprise_id or -1)
        return cls()

    @property
    def college(self) -> bool:
        return self.enterprise_id is None

    def students(self) -> list[Any]:
        """Where-conditions on Student."""
        return [] if self.college else [placed_with(self.enterprise_id)]

    def projects(self) -> list[Any]:
        """Where-conditions on Project."""
        return [] if self.college else [Project.enterprise == self.enterprise_id]

    def assignments(self) -> list[Any]:
        """Where-conditions on MentorAssignment: those in the enterprise's projects."""
        if self.college:
            return []
        projects = Project.select(Project.id).where(Project.enterprise == self.enterprise_id)
        return [MentorAssignment.project.is_in(projects)]

    def assignment_ids(self) -> Any:
        return MentorAssignment.select(MentorAssignment.id).where(*self.assignments())

    def organization_ids(self) -> Any:
        """The joint organizations the enterprise is a member unit of (a subquery)."""
        return MemberUnit.select(MemberUnit.organization).where(
            MemberUnit.enterprise == self.enterprise_id
        )


def month_window(today: datetime.date) -> tuple[list[datetime.date], datetime.date, datetime.date]:
    """The last twelve months (this one included, to its end) and the date range they span."""
    months = last_months(today, MONTHS_SHOWN)
    return months, months[0], add_months(today, 1)


# --- the charts ----------------------------------------------------------------------------


async def coverage_by_department(scope: ChartScope, request: Request | None = None) -> Chart:
    """Students covered by dual mentors (双导师覆盖率): per department, the students with an
    active assignment (for a partner: in its projects) against all its students."""
    totals = (
        await Student.select(Student.department, Count(alias="n"))
        .where(*scope.students())
        .group_by(Student.department)
    )
    active = MentorAssignment.select(MentorAssignment.student).where(
        MentorAssignment.status == AssignmentStatus.active.value, *scope.assignments()
    )
    covered_rows = (
        await Student.select(Student.department, Count(alias="n"))
        .where(*scope.students(), Student.id.is_in(active))
        .group_by(Student.department)
    )
    covered = {row["department"]: row["n"] for row in covered_rows}
    totals.sort(key=lambda row: (-row["n"], row["department"]))
    departments = [row["department"] for row in totals]
    counts = [row["n"] for row in totals]
    with_mentors = [covered.get(name, 0) for name in departments]
    links = None
    if request is not None and scope.college:
        base = str(request.url_for("student_list"))
        links = [f"{base}?{_query('department', name)}" for name in departments]
    return Chart(
        key="coverage",
        title=_("Students covered by dual mentors, by department"),
        category=_("Department"),
        labels=departments,
        series=[
            Series("covered", _("With dual mentors"), with_mentors),
            Series(
                "uncovered",
                _("Without dual mentors"),
                [total - done for total, done in zip(counts, with_mentors, strict=True)],
                colour=GREY,
            ),
        ],
        stacked=True,
        horizontal=len(departments) > 6,
        unit=_("Number of students"),
        extra_columns=[
            Column(_("Students"), [str(n) for n in counts]),
            Column(
                _("Coverage"),
                [
                    _format_percent(percent(done, total))
                    for done, total in zip(with_mentors, counts, strict=True)
                ],
            ),
        ],
        links=links,
    )


async def projects_by_kind_and_status(scope: ChartScope, request: Request | None = None) -> Chart:
    rows = (
        await Project.select(Project.kind, Project.status, Count(alias="n"))
        .where(*scope.projects())
        .group_by(Project.kind, Project.status)
    )
    counts = {(row["kind"], row["status"]): row["n"] for row in rows}
    kinds = list(PROJECT_KINDS)
    series = [
        Series(
            status,
            _(label),
            [counts.get((kind, status), 0) for kind in kinds],
            colour=STATUS_COLOURS.get(status),
        )
        for status, label in PROJECT_STATUSES.items()
    ]
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(kinds))]
    links = None
    if request is not None:
        base = str(request.url_for("project_list"))
        links = [f"{base}?{_query('kind', kind)}" for kind in kinds]
    return Chart(
        key="projects",
        title=_("Projects by kind and status"),
        category=_("Kind"),
        labels=[_(PROJECT_KINDS[kind]) for kind in kinds],
        series=series,
        stacked=True,
        unit=_("Number of projects"),
        extra_columns=[Column(_("Total"), [str(n) for n in totals])],
        links=links,
    )


async def activities_per_month(scope: ChartScope, today: datetime.date) -> Chart:
    months, start, end = month_window(today)
    conditions = [Activity.held_on >= start, Activity.held_on < end]
    if not scope.college:
        conditions.append(Activity.organization.is_in(scope.organization_ids()))
    rows = (
        await Activity.select(Activity.held_on, Count(alias="n"))
        .where(*conditions)
        .group_by(Activity.held_on)
    )
    values = [int(v) for v in sum_by_month(rows, months, "held_on", "n")]
    return Chart(
        key="activities",
        title=_("Joint activities per month (last 12 months)"),
        category=_("Month"),
        labels=[month_label(month) for month in months],
        series=[Series("activities", _("Activities"), values)],
        unit=_("Number of activities"),
    )


async def mentoring_hours_per_month(scope: ChartScope, today: datetime.date) -> Chart:
    months, start, end = month_window(today)
    conditions = [MentoringLog.held_on >= start, MentoringLog.held_on < end]
    if not scope.college:
        conditions.append(MentoringLog.assignment.is_in(scope.assignment_ids()))
    return hours_chart(
        await logs_per_day(conditions),
        months,
        key="hours",
        title=_("Mentoring hours per month (last 12 months)"),
    )


async def logs_per_day(conditions: list[Any]) -> list[dict[str, Any]]:
    """Mentoring hours and sessions per day (one row a day: bucketed by month in Python)."""
    return (
        await MentoringLog.select(
            MentoringLog.held_on, Sum(MentoringLog.hours, alias="hours"), Count(alias="n")
        )
        .where(*conditions)
        .group_by(MentoringLog.held_on)
    )


def hours_chart(
    rows: list[dict[str, Any]], months: list[datetime.date], key: str, title: str
) -> Chart:
    """Mentoring hours per month as a chart, with the number of sessions in its table."""
    hours = [round(v, 1) for v in sum_by_month(rows, months, "held_on", "hours")]
    sessions = [int(v) for v in sum_by_month(rows, months, "held_on", "n")]
    return Chart(
        key=key,
        title=title,
        category=_("Month"),
        labels=[month_label(month) for month in months],
        series=[Series("hours", _("Hours"), hours)],
        unit=_("Hours"),
        decimals=1,
        extra_columns=[Column(_("Mentoring sessions"), [str(n) for n in sessions])],
    )


async def evaluation_averages(scope: ChartScope) -> Chart:
    conditions = [] if scope.college else [Evaluation.assignment.is_in(scope.assignment_ids())]
    return await evaluation_chart(conditions)


async def evaluation_chart(conditions: list[Any], key: str = "evaluations") -> Chart:
    """Average scores per dimension of the evaluations matching `conditions`, by the side of
    the mentor who scored, and over all of them (one grouped query)."""
    side = Evaluation.mentor.side
    rows = (
        await Evaluation.select(
            side.as_alias("side"),
            *(Avg(getattr(Evaluation, name), alias=name) for name in DIMENSIONS),
            Count(alias="n"),
        )
        .where(*conditions)
        .group_by(side)
    )
    by_side = {row["side"]: row for row in rows}
    total = sum(row["n"] for row in rows)
    series = [
        Series(
            code,
            _(label),
            [_rounded(by_side[code][name]) if code in by_side else None for name in DIMENSIONS],
        )
        for code, label in MENTOR_SIDES.items()
    ]
    overall = [
        _rounded(sum(float(row[name]) * row["n"] for row in rows) / total) if total else None
        for name in DIMENSIONS
    ]
    counts = ", ".join(
        f"{_(label)} {by_side[code]['n'] if code in by_side else 0}"
        for code, label in MENTOR_SIDES.items()
    )
    return Chart(
        key=key,
        title=_("Evaluation averages per dimension"),
        category=_("Dimension"),
        labels=[_(label) for label in DIMENSIONS.values()],
        series=series,
        max_value=100,
        unit=_("Score"),
        decimals=1,
        extra_columns=[Column(_("All evaluations"), [_format_number(v) for v in overall])],
        note=_("%(count)s evaluations (%(sides)s).", count=total, sides=counts),
    )


async def recruitment_funnel(scope: ChartScope) -> Chart:
    """Pool students by recruitment stage (发展党员): those accepted into the pool who have not
    applied yet, then each stage of the pipeline in order."""
    conditions = []
    if not scope.college:
        conditions.append(
            PoolEntry.student.is_in(Student.select(Student.id).where(*scope.students()))
        )
    rows = (
        await PoolEntry.select(PoolEntry.status, PoolEntry.stage, Count(alias="n"))
        .where(*conditions)
        .group_by(PoolEntry.status, PoolEntry.stage)
    )
    counts = dict.fromkeys(FUNNEL_STEPS, 0)
    for row in rows:
        if row["stage"] in counts:
            counts[row["stage"]] += row["n"]
        elif not row["stage"] and row["status"] == PoolStatus.pooled.value:
            counts[NOT_APPLIED] += row["n"]
    return Chart(
        key="funnel",
        title=_("Recruitment funnel by stage"),
        category=_("Stage"),
        labels=[_(label) for label in FUNNEL_STEPS.values()],
        series=[Series("students", _("Students"), list(counts.values()))],
        horizontal=True,
        unit=_("Number of students"),
    )


async def dashboard_charts(
    viewer: Viewer, today: datetime.date, request: Request | None = None
) -> dict[str, Chart]:
    """Every chart of the viewer's dashboard, by key, in the order the page shows them."""
    scope = ChartScope.of(viewer)
    charts = [
        await coverage_by_department(scope, request),
        await projects_by_kind_and_status(scope, request),
        await activities_per_month(scope, today),
        await mentoring_hours_per_month(scope, today),
        await evaluation_averages(scope),
        await recruitment_funnel(scope),
    ]
    return {chart.key: chart for chart in charts}


# --- helpers -------------------------------------------------------------------------------


def _query(name: str, value: str) -> str:
    return urlencode({name: value})


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _format_number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _format_percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"
