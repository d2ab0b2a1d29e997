"""Reports as PDF (报告): a joint organization's annual report (年度工作报告) and a project's
summary (项目总结). This module gathers what each report shows, in a fixed number of grouped
queries whatever the year holds; partners/organizations/views/reports.py checks who may see it, renders
templates/pdf/*.html and turns them into PDF in a worker process.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from partners.coeducation.charts import evaluation_chart, hours_chart, logs_per_day
from partners.coeducation.tables import Evaluation, MentorAssignment, MentoringLog
from partners.organizations.activities import kind_label as activity_kind_label
from partners.organizations.joint_organizations import agreement_warning
from partners.organizations.plans import completion_rate, period_name
from partners.organizations.tables import (
    Activity,
    MemberAttendance,
    StudentAttendance,
    WorkPlan,
    WorkPlanItem,
)
from portal.charts import Chart, Column, Series, months_between
from portal.i18n import _
from portal.vocabulary import PLAN_PERIODS, SEATS

FIRST_YEAR, LAST_YEAR = 2000, 2100
MONTHS_AT_MOST = 60  # a project's logs per month: the chart shows at most five years


class BadYear(ValueError):
    """The ?year= of a report is not a year the portal can hold."""


def report_year(raw: str | None, today: datetime.date) -> int:
    """The year a report covers: this year when none is asked for; a number from 2000 to
    2100 otherwise (anything else is a BadYear, answered with a 400 page)."""
    if raw is None or raw.strip() == "":
        return today.year
    text = raw.strip()
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise BadYear(text)
    return int(text)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """1 January of the year and 1 January of the next (the end is excluded)."""
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


# --- a joint organization's annual report -------------------------------------------------------


@dataclass
class PlanProgress:
    """A work plan of the year with its items and how many are done."""

    plan: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item["done"])

    @property
    def rate(self) -> int | None:
        return completion_rate(self.done, len(self.items))

    @property
    def period(self) -> str:
        return period_name(self.plan["period"], self.plan["year"], self.plan["period_number"])


@dataclass
class OrganizationReport:
    organization: dict[str, Any]
    year: int
    parts: dict[str, Any]  # units, members, committee, agreement (organization_parts)
    activities: list[dict[str, Any]]
    plans: list[PlanProgress]
    activity_chart: Chart
    completion_chart: Chart
    agreement_state: str | None  # None, "expiring" or "expired"

    @property
    def member_attendance(self) -> int:
        return sum(row["members"] for row in self.activities)

    @property
    def student_attendance(self) -> int:
        return sum(row["students"] for row in self.activities)

    @property
    def item_count(self) -> int:
        return sum(len(plan.items) for plan in self.plans)

    @property
    def items_done(self) -> int:
        return sum(plan.done for plan in self.plans)

    @property
    def completion(self) -> int | None:
        return completion_rate(self.items_done, self.item_count)

    @property
    def seats(self) -> list[dict[str, Any]]:
        """The committee in the order of the seats, with each holder's name and unit."""
        members = self.parts["members"]
        units = {unit.id: unit.name for unit in self.parts["units"]}
        rows = []
        for seat, label in SEATS.items():
            member = members.get(self.parts["committee"].get(seat))
            rows.append(
                {
                    "seat": _(label),
                    "name": member.name if member else None,
                    "unit": units.get(member.member_unit) if member else None,
                }
            )
        return rows


async def activities_of_year(organization_id: int, year: int) -> list[dict[str, Any]]:
    """The organization's activities of the year, with attendance counts (three queries)."""
    start, end = year_bounds(year)
    conditions = [
        Activity.organization == organization_id,
        Activity.held_on >= start,
        Activity.held_on < end,
    ]
    rows = (
        await Activity.select(
            Activity.id,
            Activity.kind,
            Activity.title,
            Activity.held_on,
            Activity.place,
            Activity.host_unit.name.as_alias("host_name"),
        )
        .where(*conditions)
        .order_by(Activity.held_on)
        .order_by(Activity.id)
    )
    ids = Activity.select(Activity.id).where(*conditions)
    counts: dict[str, dict[int, int]] = {}
    for table, key in ((MemberAttendance, "members"), (StudentAttendance, "students")):
        grouped = (
            await table.select(table.activity, Count(alias="n"))
            .where(table.activity.is_in(ids))
            .group_by(table.activity)
        )
        counts[key] = {row["activity"]: row["n"] for row in grouped}
    for row in rows:
        row["kind_label"] = activity_kind_label(row["kind"])
        row["members"] = counts["members"].get(row["id"], 0)
        row["students"] = counts["students"].get(row["id"], 0)
    return rows


async def plans_of_year(organization_id: int, year: int) -> list[PlanProgress]:
    """The organization's plans of the year (annual first, then by quarter and month) with
    their items (two queries)."""
    condition = (WorkPlan.organization == organization_id) & (WorkPlan.year == year)
    plans = await WorkPlan.select().where(condition).order_by(WorkPlan.id)
    items = (
        await WorkPlanItem.select()
        .where(WorkPlanItem.plan.is_in(WorkPlan.select(WorkPlan.id).where(condition)))
        .order_by(WorkPlanItem.due_on)
        .order_by(WorkPlanItem.id)
    )
    order = list(PLAN_PERIODS)
    progress = {
        plan["id"]: PlanProgress(plan)
        for plan in sorted(
            plans,
            key=lambda p: (
                order.index(p["period"]) if p["period"] in order else 9,
                p["period_number"] or 0,
                p["id"],
            ),
        )
    }
    for item in items:
        progress[item["plan"]].items.append(item)
    return list(progress.values())


def activity_month_chart(activities: list[dict[str, Any]], year: int) -> Chart:
    months = months_between(datetime.date(year, 1, 1), datetime.date(year, 12, 1))
    counts = [0] * 12
    for row in activities:
        counts[row["held_on"].month - 1] += 1
    return Chart(
        key="activities",
        title=_("Activities per month, %(year)s", year=year),
        category=_("Month"),
        labels=[f"{m.month}" for m in months],
        series=[Series("activities", _("Activities"), counts)],
        unit=_("Number of activities"),
    )


def completion_chart(plans: list[PlanProgress]) -> Chart:
    return Chart(
        key="completion",
        title=_("Completion of the work plans"),
        category=_("Work plan"),
        labels=[plan.plan["title"] for plan in plans],
        series=[Series("rate", _("Completion (%)"), [plan.rate for plan in plans])],
        horizontal=True,
        max_value=100,
        unit="%",
        extra_columns=[
            Column(_("Items done"), [f"{plan.done} / {len(plan.items)}" for plan in plans])
        ],
    )


async def organization_report(
    organization: dict[str, Any], parts: dict[str, Any], year: int, today: datetime.date
) -> OrganizationReport:
    activities = await activities_of_year(organization["id"], year)
    plans = await plans_of_year(organization["id"], year)
    agreement = parts.get("agreement")
    return OrganizationReport(
        organization=organization,
        year=year,
        parts=parts,
        activities=activities,
        plans=plans,
        activity_chart=activity_month_chart(activities, year),
        completion_chart=completion_chart(plans),
        agreement_state=agreement_warning(agreement.expires_on if agreement else None, today),
    )


# --- a project's summary ------------------------------------------------------------------------


@dataclass
class ProjectSummary:
    project: dict[str, Any]
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


async def project_summary(
    project: dict[str, Any], members: list[dict[str, Any]], assignments: list[dict[str, Any]]
) -> ProjectSummary:
    """The summary of a project the viewer may see, with its members and assignments as the
    project page loads them."""
    totals = await log_totals(project["id"])
    for row in assignments:
        row["log_count"] = totals.get(row["id"], {}).get("n", 0)
        row["log_hours"] = totals.get(row["id"], {}).get("hours", Decimal("0"))
    in_project = MentorAssignment.select(MentorAssignment.id).where(
        MentorAssignment.project == project["id"]
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
