"""A co-education project's summary as PDF (项目总结): this module gathers what the summary
shows — its members, its dual-mentor assignments with their mentoring logs and hours, the
evaluations and the hours per month as charts — in a fixed number of grouped queries;
partners/coeducation/views/summary.py checks who may see it and renders it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from partners.coeducation.charts import evaluation_chart, hours_chart, logs_per_day
from partners.coeducation.projects import ProjectRecord
from partners.coeducation.tables import Evaluation, MentorAssignment, MentoringLog, Participation
from portal.charts import Chart, months_between
from portal.i18n import _

MONTHS_AT_MOST = 60  # a project's logs per month: the chart shows at most five years


@dataclass
class ProjectSummary:
    """Everything the summary shows."""

    project: ProjectRecord
    members: list[dict[str, Any]]
    assignments: list[dict[str, Any]]
    evaluation_chart: Chart
    logs_chart: Chart

    @property
    def log_count(self) -> int:
        return sum(row["log_count"] for row in self.assignments)

    @property
    def log_hours(self) -> Decimal:
        return sum((row["log_hours"] for row in self.assignments), Decimal("0"))

    def live_members(self, live_statuses: tuple[str, ...]) -> int:
        return sum(1 for member in self.members if member["status"] in live_statuses)


async def summary_members(project_id: int) -> list[dict[str, Any]]:
    """Every member of the project, in the order they joined."""
    return await (
        Participation.select(
            *Participation.all_columns(),
            Participation.student.name.as_alias("student_name"),
            Participation.student.student_no.as_alias("student_no"),
            Participation.student.class_name.as_alias("class_name"),
        )
        .where(Participation.project == project_id)
        .order_by(Participation.created_at)
        .order_by(Participation.id)
    )


async def summary_assignments(project_id: int) -> list[dict[str, Any]]:
    """Every dual-mentor assignment of the project, by start."""
    return await (
        MentorAssignment.select(
            MentorAssignment.id,
            MentorAssignment.starts_on,
            MentorAssignment.ends_on,
            MentorAssignment.status,
            MentorAssignment.created_at,
            MentorAssignment.student.name.as_alias("student_name"),
            MentorAssignment.student.student_no.as_alias("student_no"),
            MentorAssignment.college_mentor.id.as_alias("college_mentor_id"),
            MentorAssignment.college_mentor.name.as_alias("college_mentor_name"),
            MentorAssignment.enterprise_mentor.id.as_alias("enterprise_mentor_id"),
            MentorAssignment.enterprise_mentor.name.as_alias("enterprise_mentor_name"),
        )
        .where(MentorAssignment.project == project_id)
        .order_by(MentorAssignment.starts_on)
        .order_by(MentorAssignment.id)
    )


async def log_totals(project_id: int) -> dict[int, dict[str, Any]]:
    """Logs and hours per assignment of the project (one grouped query)."""
    assignments = MentorAssignment.select(MentorAssignment.id).where(
        MentorAssignment.project == project_id
    )
    rows = (
        await MentoringLog.select(
            MentoringLog.assignment, Count(alias="n"), Sum(MentoringLog.hours, alias="hours")
        )
        .where(MentoringLog.assignment.is_in(assignments))
        .group_by(MentoringLog.assignment)
    )
    return {
        row["assignment"]: {"n": row["n"], "hours": Decimal(str(row["hours"] or 0))} for row in rows
    }


async def project_summary(project: ProjectRecord) -> ProjectSummary:
    """The summary of a project the viewer may see."""
    members = await summary_members(project.id)
    assignments = await summary_assignments(project.id)
    totals = await log_totals(project.id)
    for row in assignments:
        row["log_count"] = totals.get(row["id"], {}).get("n", 0)
        row["log_hours"] = totals.get(row["id"], {}).get("hours", Decimal("0"))
    in_project = MentorAssignment.select(MentorAssignment.id).where(
        MentorAssignment.project == project.id
    )
    days = await logs_per_day([MentoringLog.assignment.is_in(in_project)])
    months: list[datetime.date] = []
    if days:
        dates = [_as_date(row["held_on"]) for row in days]
        months = months_between(min(dates), max(dates))[-MONTHS_AT_MOST:]
    return ProjectSummary(
        project=project,
        members=members,
        assignments=assignments,
        evaluation_chart=await evaluation_chart([Evaluation.assignment.is_in(in_project)]),
        logs_chart=hours_chart(days, months, key="logs", title=_("Mentoring hours per month")),
    )


def _as_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])
