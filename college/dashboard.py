"""The dashboard's charts (数据看板), in the top layer as they count across areas: what each
one counts, for the whole college or for one enterprise, built from the numbers
college.dashboard_queries reads (one grouped statement per chart), so the dashboard costs the
same few statements with ten students or a hundred thousand. A partner's charts are kept to its
own enterprise (see college.dashboard_queries).

The project summary PDF (partners.coeducation.summary) draws its evaluation and mentoring-hours
charts with the same builders, from its own Piccolo queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from college import dashboard_queries as queries
from college.dashboard_queries import DepartmentCoverage
from partners.coeducation.charts import evaluation_averages_chart, hours_chart
from portal.auth import Viewer
from portal.charts import Chart, Column, Series, last_months, month_label, percent, sum_by_month
from portal.dates import month_start
from portal.i18n import _, lazy
from portal.tables import Role
from portal.vocabulary import PROJECT_KINDS, PROJECT_STATUSES, STAGES
from talent_pool.tables import PoolStatus

# The recruitment funnel (发展党员), widest first: pool students who have not applied yet,
# then the stages of the pipeline in their order (a cancelled probation has left the funnel).
NOT_APPLIED = "not_applied"
FUNNEL_STEPS: dict[str, str] = {
    NOT_APPLIED: lazy("In the pool, not applied"),
    **{code: text for code, text in STAGES.items() if code != "cancelled"},
}
MONTHS_SHOWN = 12
GREY = "#b8bec6"
STATUS_COLOURS = {"planning": "#c99a2e", "active": "#b71c1c", "closed": GREY}


@dataclass(frozen=True)
class ChartLinks:
    """Where the charts' categories link to (absolute, as url_for gives them): the student
    list by department (for coordinators only) and the project list by kind."""

    students: str
    projects: str


def month_window(today: datetime.date) -> tuple[list[datetime.date], datetime.date, datetime.date]:
    """The last twelve months (this one included, to its end) and the date range they span."""
    months = last_months(today, MONTHS_SHOWN)
    return months, months[0], month_start(today, 1)


# --- the charts ----------------------------------------------------------------------------


def coverage_chart(rows: list[DepartmentCoverage], student_list: str | None) -> Chart:
    """Students covered by dual mentors (双导师覆盖率): per department, the students with an
    active assignment (for a partner: in its projects) against all its students."""
    rows = sorted(rows, key=lambda row: (-row.students, row.department))
    departments = [row.department for row in rows]
    counts = [row.students for row in rows]
    with_mentors = [row.covered for row in rows]
    links = None
    if student_list is not None:
        links = [f"{student_list}?{_query('department', name)}" for name in departments]
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


def projects_chart(counts: Mapping[tuple[str, str], int], project_list: str) -> Chart:
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
    return Chart(
        key="projects",
        title=_("Projects by kind and status"),
        category=_("Kind"),
        labels=[_(PROJECT_KINDS[kind]) for kind in kinds],
        series=series,
        stacked=True,
        unit=_("Number of projects"),
        extra_columns=[Column(_("Total"), [str(n) for n in totals])],
        links=[f"{project_list}?{_query('kind', kind)}" for kind in kinds],
    )


def activities_chart(rows: list[dict[str, Any]], months: list[datetime.date]) -> Chart:
    values = [int(v) for v in sum_by_month(rows, months, "held_on", "n")]
    return Chart(
        key="activities",
        title=_("Joint activities per month (last 12 months)"),
        category=_("Month"),
        labels=[month_label(month) for month in months],
        series=[Series("activities", _("Activities"), values)],
        unit=_("Number of activities"),
    )


def funnel_chart(counts: Mapping[tuple[str, str | None], int]) -> Chart:
    """Pool students by recruitment stage (发展党员): those accepted into the pool who have not
    applied yet, then each stage of the pipeline in order."""
    steps = dict.fromkeys(FUNNEL_STEPS, 0)
    for (status, stage), n in counts.items():
        if stage in steps:
            steps[stage] += n
        elif not stage and status == PoolStatus.pooled.value:
            steps[NOT_APPLIED] += n
    return Chart(
        key="funnel",
        title=_("Recruitment funnel by stage"),
        category=_("Stage"),
        labels=[_(label) for label in FUNNEL_STEPS.values()],
        series=[Series("students", _("Students"), list(steps.values()))],
        horizontal=True,
        unit=_("Number of students"),
    )


async def dashboard_charts(
    viewer: Viewer, today: datetime.date, links: ChartLinks
) -> dict[str, Chart]:
    """Every chart of the viewer's dashboard, by key, in the order the page shows them."""
    months, start, end = month_window(today)
    days = await queries.activities_and_logs_per_day(viewer, start, end)
    student_list = links.students if viewer.role is Role.coordinator else None
    charts = [
        coverage_chart(await queries.coverage_by_department(viewer), student_list),
        projects_chart(await queries.projects_by_kind_and_status(viewer), links.projects),
        activities_chart(days.activities, months),
        hours_chart(
            days.logs,
            months,
            key="hours",
            title=_("Mentoring hours per month (last 12 months)"),
        ),
        evaluation_averages_chart(await queries.evaluation_averages(viewer)),
        funnel_chart(await queries.pool_by_status_and_stage(viewer)),
    ]
    return {chart.key: chart for chart in charts}


# --- helpers -------------------------------------------------------------------------------


def _query(name: str, value: str) -> str:
    return urlencode({name: value})


def _format_percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"
