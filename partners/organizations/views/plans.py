"""Work plan pages (工作计划) of a joint organization: plans with their completion rate and
overdue items, and the items themselves. Everything is fetched through the organization the
viewer may see, so anything else is a 404."""

from __future__ import annotations

import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.organizations.deletions import plan_deletion, plan_item_deletion
from partners.organizations.plans import (
    ITEM_FIELDS,
    PLAN_FIELDS,
    check_item_form,
    check_plan_form,
    completion_rate,
    delete_item,
    delete_plan,
    period_name,
    plan_values,
    save_item,
    save_plan,
    toggle_item,
)
from partners.organizations.queries import (
    OrganizationRow,
    PlanFilters,
    PlanItemRow,
    PlanRecord,
    PlanRow,
    plan_count,
    plan_in,
    plan_item_in,
    plan_items,
    plan_rows,
    plan_years,
)
from partners.organizations.views.organizations import organization_in_path
from portal.audit import actor_of
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import PLAN_PERIODS, label
from portal.xlsx import Column


async def plan_in_path(request: Request, organization: OrganizationRow) -> PlanRecord:
    """The plan named in the path, if it belongs to the organization (else a 404)."""
    return await plan_in(organization.id, request.path_params["plan_id"])


async def item_in_path(request: Request, plan: PlanRecord) -> PlanItemRow:
    """The item named in the path, if it belongs to the plan (else a 404)."""
    return await plan_item_in(plan.id, request.path_params["item_id"])


def to_plan(request: Request, plan: PlanRecord) -> RedirectResponse:
    url = request.url_for("plan_detail", organization_id=plan.organization, plan_id=plan.id)
    return RedirectResponse(url, 303)


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
    organization = await organization_in_path(request)
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
    organization = await organization_in_path(request)
    filters = PlanFilters.from_query(request.query_params)
    today = datetime.date.today()
    rows, truncated = await export_read(
        lambda limit: plan_rows(filters, organization.id, today, limit)
    )
    columns = [
        Column(_("Year"), "year", 8),
        Column(_("Title"), "title", 30),
        Column(_("Period"), lambda row: label(PLAN_PERIODS, row.period), 10),
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
    organization = await organization_in_path(request)
    plan = await plan_in_path(request, organization)
    items = await plan_items(plan.id, datetime.date.today())
    done = sum(1 for item in items if item.done)
    return render(
        request,
        "organizations/plan_detail.html",
        {
            "organization": organization,
            "plan": plan,
            "items": items,
            "done": done,
            "overdue": sum(1 for item in items if item.overdue),
            "rate": completion_rate(done, len(items)),
            "period_labels": labels(PLAN_PERIODS),
            "period_name": period_name,
        },
    )


def plan_form_page(
    request: Request,
    form: FormState,
    organization: OrganizationRow,
    plan: PlanRecord | None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "organizations/plan_form.html",
        {
            **form.context(),
            "organization": organization,
            "plan": plan,
            "period_options": list(labels(PLAN_PERIODS).items()),
        },
        status_code=status_code,
    )


async def submit_plan_form(
    request: Request, organization: OrganizationRow, plan: PlanRecord | None
) -> Response:
    form = FormState.from_form(await read_form(request), PLAN_FIELDS)
    values = check_plan_form(form)
    if not form.valid:
        return plan_form_page(request, form, organization, plan, status_code=400)
    plan_id = await save_plan(actor_of(request), organization.id, values, plan)
    if plan is None:
        flash(request, _("Plan %(title)s was added.", title=values["title"]))
    else:
        flash(request, _("The changes were saved."))
    url = request.url_for("plan_detail", organization_id=organization.id, plan_id=plan_id)
    return RedirectResponse(url, 303)


@allow(Role.coordinator, Role.partner)
async def plan_create(request: Request) -> Response:
    organization = await organization_in_path(request)
    if request.method == "POST":
        return await submit_plan_form(request, organization, None)
    values = {"period": "annual", "year": str(datetime.date.today().year)}
    return plan_form_page(request, FormState(values=values), organization, None)


def edit_values(plan: PlanRecord) -> dict[str, str]:
    """The plan as its form shows it."""
    return {name: "" if value is None else str(value) for name, value in plan_values(plan).items()}


@allow(Role.coordinator, Role.partner)
async def plan_edit(request: Request) -> Response:
    organization = await organization_in_path(request)
    plan = await plan_in_path(request, organization)
    if request.method == "POST":
        return await submit_plan_form(request, organization, plan)
    return plan_form_page(request, FormState(values=edit_values(plan)), organization, plan)


@allow(Role.coordinator, Role.partner)
async def plan_delete(request: Request) -> Response:
    organization = await organization_in_path(request)
    plan = await plan_in_path(request, organization)
    if request.method == "GET":
        return render(
            request,
            "organizations/plan_delete.html",
            {
                "organization": organization,
                "plan": plan,
                "deletion": await plan_deletion(request.user, plan.id),
            },
        )
    await delete_plan(actor_of(request), plan)
    flash(request, _("Plan %(title)s was deleted.", title=plan.title))
    return RedirectResponse(request.url_for("plan_list", organization_id=organization.id), 303)


# --- items -------------------------------------------------------------------------------------


def item_form_page(
    request: Request,
    form: FormState,
    organization: OrganizationRow,
    plan: PlanRecord,
    item: PlanItemRow | None,
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
    organization: OrganizationRow,
    plan: PlanRecord,
    item: PlanItemRow | None,
) -> Response:
    form = FormState.from_form(await read_form(request), ITEM_FIELDS)
    values = check_item_form(form)
    if not form.valid:
        return item_form_page(request, form, organization, plan, item, status_code=400)
    await save_item(actor_of(request), plan, values, item)
    flash(request, _("The item was saved."))
    return to_plan(request, plan)


@allow(Role.coordinator, Role.partner)
async def plan_item_create(request: Request) -> Response:
    organization = await organization_in_path(request)
    plan = await plan_in_path(request, organization)
    if request.method == "POST":
        return await submit_item_form(request, organization, plan, None)
    return item_form_page(request, FormState(), organization, plan, None)


@allow(Role.coordinator, Role.partner)
async def plan_item_edit(request: Request) -> Response:
    organization = await organization_in_path(request)
    plan = await plan_in_path(request, organization)
    item = await item_in_path(request, plan)
    if request.method == "POST":
        return await submit_item_form(request, organization, plan, item)
    values = {
        name: "" if getattr(item, name) is None else str(getattr(item, name))
        for name in ITEM_FIELDS
    }
    return item_form_page(request, FormState(values=values), organization, plan, item)


@allow(Role.coordinator, Role.partner)
async def plan_item_toggle(request: Request) -> Response:
    """Marks an item done (dated today) or not done again."""
    organization = await organization_in_path(request)
    plan = await plan_in_path(request, organization)
    item = await item_in_path(request, plan)
    if await toggle_item(actor_of(request), item, datetime.date.today()):
        flash(request, _("Marked as done: %(content)s", content=item.content))
    else:
        flash(request, _("Marked as not done: %(content)s", content=item.content))
    return to_plan(request, plan)


@allow(Role.coordinator, Role.partner)
async def plan_item_delete(request: Request) -> Response:
    organization = await organization_in_path(request)
    plan = await plan_in_path(request, organization)
    item = await item_in_path(request, plan)
    if request.method == "GET":
        return render(
            request,
            "organizations/plan_item_delete.html",
            {
                "organization": organization,
                "plan": plan,
                "item": item,
                "deletion": await plan_item_deletion(request.user, item.id),
            },
        )
    await delete_item(actor_of(request), item)
    flash(request, _("The item was deleted."))
    return to_plan(request, plan)


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
