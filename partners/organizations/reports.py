"""A joint organization's annual report as PDF (年度工作报告): this module gathers what the
report shows, in a fixed number of grouped queries whatever the year holds;
partners/organizations/views/reports.py checks who may see it, renders
templates/pdf/organization_report.html and turns it into PDF in a worker process.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from piccolo.query.functions.aggregate import Count

from partners.organizations.joint_organizations import agreement_warning
from partners.organizations.plans import completion_rate, period_name
from partners.organizations.queries import OrganizationParts, OrganizationRow
from partners.organizations.tables import (
    Activity,
    MemberAttendance,
    StudentAttendance,
    WorkPlan,
    WorkPlanItem,
)
from portal.charts import Chart, Column, Number, Series, months_between
from portal.domain_errors import Refused
from portal.i18n import _
from portal.vocabulary import ACTIVITY_KINDS, PLAN_PERIODS, SEATS, label

FIRST_YEAR, LAST_YEAR = 2000, 2100


def report_year(raw: str | None, today: datetime.date) -> int:
    """The year a report covers: this year when none is asked for; a number from 2000 to
    2100 otherwise (anything else is refused, answered with a 400 page)."""
    if raw is None or raw.strip() == "":
        return today.year
    text = raw.strip()
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise Refused.at("year", _("Choose a year from 2000 to 2100 for the report."))
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
    """Everything the annual report shows."""

    organization: OrganizationRow
    year: int
    parts: OrganizationParts
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
        members = self.parts.members
        units = self.parts.unit_names
        rows = []
        for seat in SEATS:
            holder = self.parts.committee.get(seat)
            member = members.get(holder) if holder is not None else None
            rows.append(
                {
                    "seat": label(SEATS, seat),
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
        row["kind_label"] = label(ACTIVITY_KINDS, row["kind"])
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
    counts: list[Number] = [0] * 12
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
    organization: OrganizationRow, parts: OrganizationParts, year: int, today: datetime.date
) -> OrganizationReport:
    """The annual report of an organization the viewer may see, for a year."""
    activities = await activities_of_year(organization.id, year)
    plans = await plans_of_year(organization.id, year)
    agreement = parts.agreement
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
