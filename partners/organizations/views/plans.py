"""Work plan pages (工作计划) of a joint organization: plans with their completion rate and
overdue items, and the items themselves. Everything is fetched through the organization the
viewer may see, so anything else is a 404."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import organization_of
from partners.organizations.plans import (
    ITEM_FIELDS,
    PLAN_FIELDS,
    check_item_form,
    check_plan_form,
    completion_rate,
    is_overdue,
    period_label,
    period_name,
)
from partners.organizations.queries import (
    PlanFilters,
    PlanRow,
    plan_count,
    plan_rows,
    plan_years,
)
from partners.organizations.tables import (
    WorkPlan,
    WorkPlanItem,
)
from partners.organizations.views.organizations import (
    visible_organization_or_404,
)
from portal.audit import actor_of, audited_write
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import PLAN_PERIODS
from portal.xlsx import Column


async def get_plan_or_404(organization: dict[str, Any], plan_id: int) -> dict[str, Any]:
    """The plan, only if it belongs to this organization (the one the viewer may see)."""
    row = (
        await WorkPlan.select()
        .where(WorkPlan.id == plan_id, WorkPlan.organization == organization["id"])
        .first()
    )
    if row is None:
        raise HTTPException(status_code=404)
    return row


async def get_item_or_404(plan: dict[str, Any], item_id: int) -> dict[str, Any]:
    row = (
        await WorkPlanItem.select()
        .where(WorkPlanItem.id == item_id, WorkPlanItem.plan == plan["id"])
        .first()
    )
    if row is None:
        raise HTTPException(status_code=404)
    return row


def plan_url(request: Request, plan: dict[str, Any]) -> str:
    return str(
        request.url_for("plan_detail", organization_id=plan["organization"], plan_id=plan["id"])
    )


# --- plan list ---------------------------------------------------------------------------------


def by_year(rows: list[PlanRow]) -> list[tuple[int, list[PlanRow]]]:
    groups: list[tuple[int, list[PlanRow]]] = []
    for row in rows:
        if not groups or groups[-1][0] != row.year:
            groups.append((row.year, []))
        groups[-1][1].append(row)
    return groups


@allow(Role.coordinator, Role.partner)
@cached_page
async def plan_list(request: Request) -> Response:
    organization = await visible_organization_or_404(request)
    filters = PlanFilters.from_query(request.query_params)
    page_request = PageRequest.from_query(request.query_params)
    total = await cached_value(
        request,
        ("plan_count", organization.id, filters),
        lambda: plan_count(filters, organization.id),
    )
    rows = await plan_rows(
        filters, organization.id, datetime.date.today(), page_request.size, page_request.offset
    )
    return render(
        request,
        "organizations/plan_list.html",
        {
            "organization": organization,
            "page": Page(rows=rows, request=page_request, total=total),
            "years_groups": by_year(rows),
            "filters": filters.as_params(),
            "years": await cached_value(
                request, ("plan_years", organization.id), lambda: plan_years(organization.id)
            ),
            "period_labels": labels(PLAN_PERIODS),
            "period_name": period_name,
        },
    )


@allow(Role.coordinator, Role.partner)
async def plan_list_export(request: Request) -> Response:
    organization = await visible_organization_or_404(request)
    filters = PlanFilters.from_query(request.query_params)
    today = datetime.date.today()
    rows, truncated = await export_read(
        lambda limit: plan_rows(filters, organization.id, today, limit)
    )
    columns = [
        Column(_("Year"), "year", 8),
        Column(_("Title"), "title", 30),
        Column(_("Period"), lambda row: period_label(row.period), 10),
        Column(
            _("Covers"),
            lambda row: period_name(row.period, row.year, row.period_number),
            16,
        ),
        Column(_("Items"), "total", 8),
        Column(_("Done"), "done", 8),
        Column(_("Overdue items"), "overdue", 10),
        Column(
            _("Completion"),
            lambda row: None if row.rate is None else row.rate / 100,
            10,
            number_format="0%",
        ),
    ]
    return await excel_export(
        stem=f"{organization.name}-{_('Work plan list')}",
        ascii_stem="work-plans",
        title=_("Work plans"),
        columns=columns,
        rows=rows,
        truncated=truncated,
    )


# --- plan detail, create, edit, delete ---------------------------------------------------------


@allow(Role.coordinator, Role.partner)
async def plan_detail(request: Request) -> Response:
    organization = await organization_of(request)
    plan = await get_plan_or_404(organization, request.path_params["plan_id"])
    items = (
        await WorkPlanItem.select()
        .where(WorkPlanItem.plan == plan["id"])
        .order_by(WorkPlanItem.due_on)
        .order_by(WorkPlanItem.id)
    )
    today = datetime.date.today()
    for item in items:
        item["overdue"] = is_overdue(item["due_on"], item["done"], today)
    done = sum(1 for item in items if item["done"])
    return render(
        request,
        "organizations/plan_detail.html",
        {
            "organization": organization,
            "plan": plan,
            "items": items,
            "done": done,
            "overdue": sum(1 for item in items if item["overdue"]),
            "rate": completion_rate(done, len(items)),
            "period_label": period_label,
            "period_name": period_name,
        },
    )


def plan_form_page(
    request: Request,
    form: FormState,
    organization: dict[str, Any],
    plan: dict[str, Any] | None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "organizations/plan_form.html",
        {
            **form.context(),
            "organization": organization,
            "plan": plan,
            "period_options": [(code, period_label(code)) for code in PLAN_PERIODS],
        },
        status_code=status_code,
    )


async def save_plan(
    request: Request,
    organization: dict[str, Any],
    values: dict[str, Any],
    plan: dict[str, Any] | None,
) -> int:
    """Creates or updates a plan in one audited transaction; returns its id."""
    async with audited_write(actor_of(request)) as audit:
        if plan is None:
            row = WorkPlan(organization=organization["id"], **values)
            plan_id = (await WorkPlan.insert(row).returning(WorkPlan.id))[0]["id"]
            created = {"organization": organization["id"], **values}
            await audit.created(WorkPlan, plan_id, created, values["title"])
            return plan_id
        await WorkPlan.update(values).where(WorkPlan.id == plan["id"])
        before = {name: plan[name] for name in PLAN_FIELDS}
        await audit.updated(WorkPlan, plan["id"], before, values, values["title"])
        return plan["id"]


async def submit_plan_form(
    request: Request, organization: dict[str, Any], plan: dict[str, Any] | None
) -> Response:
    form = FormState.from_form(await read_form(request), PLAN_FIELDS)
    values = check_plan_form(form)
    if not form.valid:
        return plan_form_page(request, form, organization, plan, status_code=400)
    plan_id = await save_plan(request, organization, values, plan)
    if plan is None:
        flash(request, _("Plan %(title)s was added.", title=values["title"]))
    else:
        flash(request, _("The changes were saved."))
    url = request.url_for("plan_detail", organization_id=organization["id"], plan_id=plan_id)
    return RedirectResponse(url, 303)


@allow(Role.coordinator, Role.partner)
async def plan_create(request: Request) -> Response:
    organization = await organization_of(request)
    if request.method == "POST":
        return await submit_plan_form(request, organization, None)
    values = {"period": "annual", "year": str(datetime.date.today().year)}
    return plan_form_page(request, FormState(values=values), organization, None)


def plan_values(plan: dict[str, Any]) -> dict[str, str]:
    return {name: "" if plan[name] is None else str(plan[name]) for name in PLAN_FIELDS}


@allow(Role.coordinator, Role.partner)
async def plan_edit(request: Request) -> Response:
    organization = await organization_of(request)
    plan = await get_plan_or_404(organization, request.path_params["plan_id"])
    if request.method == "POST":
        return await submit_plan_form(request, organization, plan)
    return plan_form_page(request, FormState(values=plan_values(plan)), organization, plan)


@allow(Role.coordinator, Role.partner)
async def plan_delete(request: Request) -> Response:
    organization = await organization_of(request)
    plan = await get_plan_or_404(organization, request.path_params["plan_id"])
    if request.method == "GET":
        item_count = await WorkPlanItem.count().where(WorkPlanItem.plan == plan["id"])
        return render(
            request,
            "organizations/plan_delete.html",
            {"organization": organization, "plan": plan, "item_count": item_count},
        )
    async with audited_write(actor_of(request)) as audit:
        await WorkPlanItem.delete().where(WorkPlanItem.plan == plan["id"])
        await WorkPlan.delete().where(WorkPlan.id == plan["id"])
        before = {name: plan[name] for name in PLAN_FIELDS}
        await audit.deleted(WorkPlan, plan["id"], before, plan["title"])
    flash(request, _("Plan %(title)s was deleted.", title=plan["title"]))
    return RedirectResponse(request.url_for("plan_list", organization_id=organization["id"]), 303)


# --- items -------------------------------------------------------------------------------------


def item_form_page(
    request: Request,
    form: FormState,
    organization: dict[str, Any],
    plan: dict[str, Any],
    item: dict[str, Any] | None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "organizations/plan_item_form.html",
        {**form.context(), "organization": organization, "plan": plan, "item": item},
        status_code=status_code,
    )


async def submit_item_form(
    request: Request,
    organization: dict[str, Any],
    plan: dict[str, Any],
    item: dict[str, Any] | None,
) -> Response:
    form = FormState.from_form(await read_form(request), ITEM_FIELDS)
    values = check_item_form(form)
    if not form.valid:
        return item_form_page(request, form, organization, plan, item, status_code=400)
    async with audited_write(actor_of(request)) as audit:
        if item is None:
            row = WorkPlanItem(plan=plan["id"], **values)
            item_id = (await WorkPlanItem.insert(row).returning(WorkPlanItem.id))[0]["id"]
            created = {"plan": plan["id"], **values}
            await audit.created(WorkPlanItem, item_id, created, values["content"][:100])
        else:
            await WorkPlanItem.update(values).where(WorkPlanItem.id == item["id"])
            before = {name: item[name] for name in ITEM_FIELDS}
            await audit.updated(WorkPlanItem, item["id"], before, values, values["content"][:100])
    flash(request, _("The item was saved."))
    return RedirectResponse(plan_url(request, plan), 303)


@allow(Role.coordinator, Role.partner)
async def plan_item_create(request: Request) -> Response:
    organization = await organization_of(request)
    plan = await get_plan_or_404(organization, request.path_params["plan_id"])
    if request.method == "POST":
        return await submit_item_form(request, organization, plan, None)
    return item_form_page(request, FormState(), organization, plan, None)


@allow(Role.coordinator, Role.partner)
async def plan_item_edit(request: Request) -> Response:
    organization = await organization_of(request)
    plan = await get_plan_or_404(organization, request.path_params["plan_id"])
    item = await get_item_or_404(plan, request.path_params["item_id"])
    if request.method == "POST":
        return await submit_item_form(request, organization, plan, item)
    values = {name: "" if item[name] is None else str(item[name]) for name in ITEM_FIELDS}
    return item_form_page(request, FormState(values=values), organization, plan, item)


@allow(Role.coordinator, Role.partner)
async def plan_item_toggle(request: Request) -> Response:
    """Marks an item done (dated today) or not done again."""
    organization = await organization_of(request)
    plan = await get_plan_or_404(organization, request.path_params["plan_id"])
    item = await get_item_or_404(plan, request.path_params["item_id"])
    done = not item["done"]
    values = {"done": done, "done_on": datetime.date.today() if done else None}
    async with audited_write(actor_of(request)) as audit:
        await WorkPlanItem.update(values).where(WorkPlanItem.id == item["id"])
        before = {"done": item["done"], "done_on": item["done_on"]}
        await audit.updated(WorkPlanItem, item["id"], before, values, item["content"][:100])
    if done:
        flash(request, _("Marked as done: %(content)s", content=item["content"]))
    else:
        flash(request, _("Marked as not done: %(content)s", content=item["content"]))
    return RedirectResponse(plan_url(request, plan), 303)


@allow(Role.coordinator, Role.partner)
async def plan_item_delete(request: Request) -> Response:
    organization = await organization_of(request)
    plan = await get_plan_or_404(organization, request.path_params["plan_id"])
    item = await get_item_or_404(plan, request.path_params["item_id"])
    if request.method == "GET":
        return render(
            request,
            "organizations/plan_item_delete.html",
            {"organization": organization, "plan": plan, "item": item},
        )
    async with audited_write(actor_of(request)) as audit:
        await WorkPlanItem.delete().where(WorkPlanItem.id == item["id"])
        before = {name: item[name] for name in (*ITEM_FIELDS, "done", "done_on")}
        await audit.deleted(WorkPlanItem, item["id"], before, item["content"][:100])
    flash(request, _("The item was deleted."))
    return RedirectResponse(plan_url(request, plan), 303)


PREFIX = "/organizations/{organization_id:int}/plans"
PLAN = PREFIX + "/{plan_id:int}"
ITEM = PLAN + "/items/{item_id:int}"
routes = [
    Route(PREFIX + "/", plan_list, name="plan_list"),
    Route(PREFIX + "/export.xlsx", plan_list_export, name="plan_list_export"),
    Route(PREFIX + "/new", plan_create, methods=["GET", "POST"], name="plan_create"),
    Route(PLAN, plan_detail, name="plan_detail"),
    Route(PLAN + "/edit", plan_edit, methods=["GET", "POST"], name="plan_edit"),
    Route(PLAN + "/delete", plan_delete, methods=["GET", "POST"], name="plan_delete"),
    Route(PLAN + "/items/new", plan_item_create, methods=["GET", "POST"], name="plan_item_create"),
    Route(ITEM + "/edit", plan_item_edit, methods=["GET", "POST"], name="plan_item_edit"),
    Route(ITEM + "/toggle", plan_item_toggle, methods=["POST"], name="plan_item_toggle"),
    Route(ITEM + "/delete", plan_item_delete, methods=["GET", "POST"], name="plan_item_delete"),
]
