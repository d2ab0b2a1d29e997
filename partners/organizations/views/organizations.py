"""Joint party organization pages (联合党组织): list, export, detail, create, edit, delete.

The organization's parts have pages of their own: member units (views/units.py), members
(views/members.py), the committee (views/seats.py) and the co-building agreement
(views/agreements.py). Coordinators manage everything; a partner sees the organizations its
enterprise is a member unit of, and everything else is a 404 to it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import is_coordinator
from partners.organizations.deletions import organization_deletion
from partners.organizations.joint_organizations import (
    CREATE_FIELDS,
    ORGANIZATION_FIELDS,
    agreement_warning,
    check_create_form,
    check_organization_form,
    create_organization,
    delete_organization,
    organization_values,
    update_organization,
)
from partners.organizations.queries import (
    ORGANIZATION_SORT_KEYS,
    OrganizationFilters,
    OrganizationListRow,
    OrganizationRow,
    enterprise_choices,
    listed_unit_names,
    organization_count,
    organization_parts,
    organization_rows,
    visible_organization,
    work_counts,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.domain_errors import Refused
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest, Sort
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import (
    ORGANIZATION_KINDS,
    ORGANIZATION_STATUSES,
    SEATS,
    UNIT_SIDES,
    label,
)
from portal.xlsx import Column


async def organization_in_path(request: Request) -> OrganizationRow:
    """The organization named in the path, if the viewer may see it (NotVisible, a 404,
    otherwise): every page of an organization and of its parts starts here."""
    return await visible_organization(request.user, request.path_params["organization_id"])


def to_detail(request: Request, organization_id: int) -> RedirectResponse:
    return RedirectResponse(
        request.url_for("organization_detail", organization_id=organization_id), 303
    )


def label_dicts() -> dict[str, Mapping[str, str]]:
    """The labels of the codes the pages show, in the request's language."""
    return {
        "kind_labels": labels(ORGANIZATION_KINDS),
        "status_labels": labels(ORGANIZATION_STATUSES),
        "side_labels": labels(UNIT_SIDES),
        "seat_labels": labels(SEATS),
    }


# --- List ------------------------------------------------------------------------------------


def agreement_warnings(rows: list[OrganizationListRow]) -> dict[int, str | None]:
    """Each listed organization's agreement warning ("expired", "expiring" or None)."""
    today = datetime.date.today()
    return {row.id: agreement_warning(row.expires_on, today) for row in rows}


@allow(Role.coordinator, Role.partner)
@cached_page
async def organization_list(request: Request) -> Response:
    viewer = request.user
    filters = OrganizationFilters.from_query(request.query_params)
    sort = Sort.from_query(request.query_params, ORGANIZATION_SORT_KEYS, "name")
    page_request = PageRequest.from_query(request.query_params)
    total = await cached_value(
        request,
        ("organization_count", viewer.scope_key, filters),
        lambda: organization_count(viewer, filters),
    )
    rows = await organization_rows(viewer, filters, sort, page_request.size, page_request.offset)
    return render(
        request,
        "organizations/organization_list.html",
        {
            "page": Page(rows=rows, request=page_request, total=total),
            "warnings": agreement_warnings(rows),
            "sort": sort,
            "filters": filters.as_params(),
            "can_manage": is_coordinator(viewer),
            **label_dicts(),
        },
    )


def warning_text(warning: str | None) -> str:
    if warning == "expired":
        return _("Expired")
    if warning == "expiring":
        return _("Expires within 60 days")
    return ""


@allow(Role.coordinator, Role.partner)
async def organization_list_export(request: Request) -> Response:
    viewer = request.user
    filters = OrganizationFilters.from_query(request.query_params)
    sort = Sort.from_query(request.query_params, ORGANIZATION_SORT_KEYS, "name")
    rows, truncated = await export_read(
        lambda limit: organization_rows(viewer, filters, sort, limit)
    )
    warnings = agreement_warnings(rows)
    units = await listed_unit_names(viewer, filters)
    columns = [
        Column(_("Name"), "name", 30),
        Column(_("Kind"), lambda row: label(ORGANIZATION_KINDS, row.kind), 12),
        Column(_("Founded on"), "founded_on", 12),
        Column(_("Status"), lambda row: label(ORGANIZATION_STATUSES, row.status), 8),
        Column(_("Member units"), "unit_count", 8),
        Column(_("Member unit names"), lambda row: "\n".join(units.get(row.id, [])), 40),
        Column(_("Agreement expires"), "expires_on", 12),
        Column(_("Agreement warning"), lambda row: warning_text(warnings[row.id]), 14),
        Column(_("Description"), "description", 40),
    ]
    return await excel_export(
        stem=_("Joint party organization list"),
        ascii_stem="organizations",
        title=_("Joint party organizations"),
        columns=columns,
        rows=rows,
        truncated=truncated,
    )


# --- Detail ----------------------------------------------------------------------------------


@allow(Role.coordinator, Role.partner)
@cached_page
async def organization_detail(request: Request) -> Response:
    organization = await organization_in_path(request)
    parts = await organization_parts(organization.id)
    agreement = parts.agreement
    activity_count, plan_count = await work_counts(organization.id)
    return render(
        request,
        "organizations/organization_detail.html",
        {
            "organization": organization,
            "units": parts.units,
            "members": parts.members,
            "members_by_unit": parts.members_by_unit,
            "committee": parts.committee,
            "agreement": agreement,
            "unit_names": parts.unit_names,
            "seats": SEATS,
            "warning": agreement_warning(
                agreement.expires_on if agreement else None, datetime.date.today()
            ),
            "activity_count": activity_count,
            "plan_count": plan_count,
            "can_manage": is_coordinator(request.user),
            "own_enterprise": request.user.enterprise_id,
            **label_dicts(),
        },
    )


# --- Create, edit, delete ------------------------------------------------------------------


def organization_form_page(
    request: Request,
    form: FormState,
    organization: OrganizationRow | None,
    enterprise_options: list[tuple[int, str]],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "organizations/organization_form.html",
        {
            **form.context(),
            "organization": organization,
            "kind_options": list(labels(ORGANIZATION_KINDS).items()),
            "status_options": list(labels(ORGANIZATION_STATUSES).items()),
            "enterprise_options": enterprise_options,
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def organization_create(request: Request) -> Response:
    enterprises = await enterprise_choices()
    if request.method == "GET":
        values = {"kind": "joint_branch", "status": "active"}
        return organization_form_page(request, FormState(values=values), None, enterprises)
    form = FormState.from_form(await read_form(request), CREATE_FIELDS)

    def page(form: FormState, status_code: int) -> Response:
        return organization_form_page(request, form, None, enterprises, status_code)

    answer_refusals_with(request, form, page)
    values = check_create_form(form, datetime.date.today(), [e for e, _name in enterprises])
    if not form.valid:
        return page(form, 400)
    organization_id = await create_organization(actor_of(request), values)
    flash(request, _("Organization %(name)s was created.", name=values["name"]))
    return to_detail(request, organization_id)


@allow(Role.coordinator)
async def organization_edit(request: Request) -> Response:
    organization = await organization_in_path(request)
    if request.method == "GET":
        values = {
            name: "" if value is None else str(value)
            for name, value in organization_values(organization).items()
        }
        return organization_form_page(request, FormState(values=values), organization, [])
    form = FormState.from_form(await read_form(request), ORGANIZATION_FIELDS)
    values = check_organization_form(form, datetime.date.today())
    if not form.valid:
        return organization_form_page(request, form, organization, [], status_code=400)
    await update_organization(actor_of(request), organization, values)
    flash(request, _("The changes were saved."))
    return to_detail(request, organization.id)


@allow(Role.coordinator)
async def organization_delete(request: Request) -> Response:
    organization = await organization_in_path(request)
    if request.method == "GET":
        context = {
            "organization": organization,
            "deletion": await organization_deletion(request.user, organization),
        }
        return render(request, "organizations/organization_delete.html", context)
    try:
        await delete_organization(actor_of(request), organization)
    except Refused as refused:
        # Not a form to show again: the user goes back to the organization, told why.
        flash(request, refused.errors[0].message, "error")
        return to_detail(request, organization.id)
    flash(request, _("Organization %(name)s was deleted.", name=organization.name))
    return RedirectResponse(request.url_for("organization_list"), 303)


ORG = "/organizations/{organization_id:int}"
BOTH = ["GET", "POST"]

routes = [
    Route("/organizations/", organization_list, name="organization_list"),
    Route("/organizations/export.xlsx", organization_list_export, name="organization_list_export"),
    Route("/organizations/new", organization_create, methods=BOTH, name="organization_create"),
    Route(ORG, organization_detail, name="organization_detail"),
    Route(f"{ORG}/edit", organization_edit, methods=BOTH, name="organization_edit"),
    Route(f"{ORG}/delete", organization_delete, methods=BOTH, name="organization_delete"),
]
