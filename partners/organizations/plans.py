"""Work plans (工作计划) of joint party organizations: periods, form rules, completion and
overdue items, and the transactions that keep plans and their items (taking the Actor who
writes). The pure helpers are shared with the dashboards and the read layer."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from partners.organizations.tables import WorkPlan, WorkPlanItem
from portal.audit import Actor, audited_write
from portal.forms import FormState
from portal.i18n import _
from portal.vocabulary import PLAN_PERIODS

if TYPE_CHECKING:  # the read layer computes completion and overdue items with the rules here
    from partners.organizations.queries import PlanItemRow, PlanRecord

PERIOD_NUMBER_RANGES: dict[str, tuple[int, int]] = {"quarterly": (1, 4), "monthly": (1, 12)}
PLAN_FIELDS = ["period", "year", "period_number", "title"]
ITEM_FIELDS = ["content", "owner", "due_on"]
FIRST_YEAR, LAST_YEAR = 2000, 2100


def period_name(period: str, year: int, number: int | None) -> str:
    """The period a plan covers, e.g. 2026年第3季度."""
    if period == "quarterly":
        return _("Q%(quarter)s %(year)s", quarter=number, year=year)
    if period == "monthly":
        return _("%(year)s-%(month)s", year=year, month=f"{number:02d}")
    return _("Year %(year)s", year=year)


def default_title(period: str, year: int, number: int | None) -> str:
    """The title a plan gets when none is typed, e.g. 2026年第3季度工作计划."""
    if period == "quarterly":
        return _("Work plan for Q%(quarter)s %(year)s", quarter=number, year=year)
    if period == "monthly":
        return _("Work plan for %(year)s-%(month)s", year=year, month=f"{number:02d}")
    return _("Annual work plan %(year)s", year=year)


def check_plan_form(form: FormState) -> dict[str, Any]:
    """Validates a plan form in place and returns clean values: the period number is needed
    (and in range) for quarterly and monthly plans and must stay empty for annual ones."""
    period = form.choice("period", PLAN_PERIODS)
    year = form.integer("year", minimum=FIRST_YEAR, maximum=LAST_YEAR)
    number: int | None = None
    if period in PERIOD_NUMBER_RANGES:
        low, high = PERIOD_NUMBER_RANGES[period]
        number = form.integer("period_number", minimum=low, maximum=high)
        if form.errors.get("period_number") and not form.values.get("period_number"):
            form.errors["period_number"] = (
                _("Enter the quarter (1–4).")
                if period == "quarterly"
                else _("Enter the month (1–12).")
            )
    elif period == "annual" and form.values.get("period_number"):
        form.add_error("period_number", _("Leave this empty for an annual plan."))
    title = form.values.get("title", "")
    form.max_length("title", 200)
    if not title and year is not None and period in PLAN_PERIODS and form.valid:
        title = default_title(period, year, number)
    return {"period": period, "year": year, "period_number": number, "title": title}


def check_item_form(form: FormState) -> dict[str, Any]:
    """Validates a plan item form in place and returns clean values."""
    form.required("content")
    form.max_length("content", 500)
    form.required("owner")
    form.max_length("owner", 50)
    due_on = form.date("due_on")
    if due_on is not None and not FIRST_YEAR <= due_on.year <= LAST_YEAR:
        form.add_error(
            "due_on",
            _("Enter a date from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR),
        )
    return {
        "content": form.values.get("content", ""),
        "owner": form.values.get("owner", ""),
        "due_on": due_on,
    }


def completion_rate(done: int, total: int) -> int | None:
    """Done items as a whole percentage, rounded down so that 100 means all done; None when
    the plan has no items (nothing to complete is not 0 % and not 100 %)."""
    if total <= 0:
        return None
    return min(100, max(0, done * 100 // total))


def is_overdue(due_on: datetime.date | None, done: bool, today: datetime.date) -> bool:
    """An item is overdue when it is not done and its due date has passed."""
    return not done and due_on is not None and due_on < today


# --- transactions ----------------------------------------------------------------------------


def plan_values(plan: PlanRecord) -> dict[str, Any]:
    """The plan's own facts, as its form and its audit record name them."""
    return {name: getattr(plan, name) for name in PLAN_FIELDS}


async def save_plan(
    actor: Actor, organization_id: int, values: Mapping[str, Any], plan: PlanRecord | None
) -> int:
    """Records a new plan of the organization (``plan`` None) or changes one, in one audited
    transaction; returns its id."""
    async with audited_write(actor) as audit:
        if plan is None:
            row = WorkPlan(organization=organization_id, **values)
            plan_id = int((await WorkPlan.insert(row).returning(WorkPlan.id))[0]["id"])
            created = {"organization": organization_id, **values}
            await audit.created(WorkPlan, plan_id, created, values["title"])
            return plan_id
        await WorkPlan.update(**values).where(WorkPlan.id == plan.id)
        await audit.updated(WorkPlan, plan.id, plan_values(plan), values, values["title"])
        return plan.id


async def delete_plan(actor: Actor, plan: PlanRecord) -> None:
    """Deletes the plan with its items, audited."""
    async with audited_write(actor) as audit:
        await WorkPlanItem.delete().where(WorkPlanItem.plan == plan.id)
        await WorkPlan.delete().where(WorkPlan.id == plan.id)
        await audit.deleted(WorkPlan, plan.id, plan_values(plan), plan.title)


def item_summary(content: str) -> str:
    """What the audit log names an item by: the start of its content."""
    return content[:100]


async def save_item(
    actor: Actor, plan: PlanRecord, values: Mapping[str, Any], item: PlanItemRow | None
) -> None:
    """Adds an item to the plan (``item`` None) or changes one, audited."""
    async with audited_write(actor) as audit:
        if item is None:
            row = WorkPlanItem(plan=plan.id, **values)
            item_id = int((await WorkPlanItem.insert(row).returning(WorkPlanItem.id))[0]["id"])
            created = {"plan": plan.id, **values}
            await audit.created(WorkPlanItem, item_id, created, item_summary(values["content"]))
            return
        await WorkPlanItem.update(**values).where(WorkPlanItem.id == item.id)
        before = {name: getattr(item, name) for name in ITEM_FIELDS}
        await audit.updated(WorkPlanItem, item.id, before, values, item_summary(values["content"]))


async def toggle_item(actor: Actor, item: PlanItemRow, today: datetime.date) -> bool:
    """Marks an item done (dated ``today``) or not done again, audited; returns whether it is
    done now."""
    done = not item.done
    values: dict[str, Any] = {"done": done, "done_on": today if done else None}
    async with audited_write(actor) as audit:
        await WorkPlanItem.update(**values).where(WorkPlanItem.id == item.id)
        before = {"done": item.done, "done_on": item.done_on}
        await audit.updated(WorkPlanItem, item.id, before, values, item_summary(item.content))
    return done


async def delete_item(actor: Actor, item: PlanItemRow) -> None:
    """Deletes an item of a plan, audited."""
    async with audited_write(actor) as audit:
        await WorkPlanItem.delete().where(WorkPlanItem.id == item.id)
        before = {name: getattr(item, name) for name in (*ITEM_FIELDS, "done", "done_on")}
        await audit.deleted(WorkPlanItem, item.id, before, item_summary(item.content))
