"""Enterprise pages (合作企业): list, detail, create, edit, delete.

Coordinators manage every enterprise; a partner sees and edits only its own, and only the
fields its party branch keeps (contacts, party organization, head counts)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import is_coordinator
from partners.organizations.deletions import enterprise_deletion
from partners.organizations.enterprises import (
    ENTERPRISE_FIELDS,
    PARTNER_FIELDS,
    check_enterprise_form,
    delete_enterprise,
    save_enterprise,
)
from partners.organizations.queries import (
    ENTERPRISE_SORT_KEYS,
    EnterpriseFilters,
    EnterpriseRow,
    enterprise_count,
    enterprise_links,
    enterprise_rows,
    industry_choices,
    visible_enterprise,
)
from portal.audit import actor_of
from portal.auth import Viewer, allow
from portal.cache import cached_page, cached_value
from portal.domain_errors import Refused
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest, Sort
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import ENTERPRISE_STATUSES, PARTY_ORG_KINDS, label
from portal.xlsx import Column


def label_dicts() -> dict[str, Mapping[str, str]]:
    """The labels of the codes the pages show, in the request's language."""
    return {
        "status_labels": labels(ENTERPRISE_STATUSES),
        "party_org_kind_labels": labels(PARTY_ORG_KINDS),
    }


@allow(Role.coordinator, Role.partner)
@cached_page
async def enterprise_list(request: Request) -> Response:
    viewer = request.user
    filters = EnterpriseFilters.from_query(request.query_params)
    sort = Sort.from_query(request.query_params, ENTERPRISE_SORT_KEYS, "name")
    page_request = PageRequest.from_query(request.query_params)
    scope = viewer.scope_key
    total = await cached_value(
        request, ("enterprise_count", scope, filters), lambda: enterprise_count(viewer, filters)
    )
    rows = await enterprise_rows(viewer, filters, sort, page_request.size, page_request.offset)
    return render(
        request,
        "organizations/enterprise_list.html",
        {
            "page": Page(rows=rows, request=page_request, total=total),
            "sort": sort,
            "filters": filters.as_params(),
            "industries": await cached_value(
                request, ("enterprise_industries", scope), lambda: industry_choices(viewer)
            ),
            "can_manage": is_coordinator(viewer),
            **label_dicts(),
        },
    )


def export_columns() -> list[Column]:
    return [
        Column(_("Enterprise name"), "name", 30),
        Column(_("Unified social credit code"), "credit_code", 22),
        Column(_("Industry"), "industry", 14),
        Column(_("Address"), "address", 30),
        Column(_("Contact person"), "contact_person", 10),
        Column(_("Contact phone"), "contact_phone", 14),
        Column(_("Party organization name"), "party_org_name", 28),
        Column(
            _("Party organization kind"),
            lambda row: label(PARTY_ORG_KINDS, row.party_org_kind),
            12,
        ),
        Column(_("Party members"), "party_member_count", 9),
        Column(_("Employees"), "employee_count", 9),
        Column(_("Partner since"), "partner_since", 12),
        Column(_("Partnership status"), lambda row: label(ENTERPRISE_STATUSES, row.status), 10),
    ]


@allow(Role.coordinator, Role.partner)
async def enterprise_list_export(request: Request) -> Response:
    filters = EnterpriseFilters.from_query(request.query_params)
    sort = Sort.from_query(request.query_params, ENTERPRISE_SORT_KEYS, "name")
    rows, truncated = await export_read(
        lambda limit: enterprise_rows(request.user, filters, sort, limit)
    )
    return await excel_export(
        stem=_("Enterprise list"),
        ascii_stem="enterprises",
        title=_("Partner enterprises"),
        columns=export_columns(),
        rows=rows,
        truncated=truncated,
    )


def enterprise_in_path(request: Request) -> int:
    return int(request.path_params["enterprise_id"])


@allow(Role.coordinator, Role.partner)
@cached_page
async def enterprise_detail(request: Request) -> Response:
    enterprise = await visible_enterprise(request.user, enterprise_in_path(request))
    return render(
        request,
        "organizations/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "can_manage": is_coordinator(request.user),
            **await enterprise_links(enterprise.id),
            **label_dicts(),
        },
    )


def editable_fields(viewer: Viewer) -> list[str]:
    """A coordinator keeps the whole record; a partner its contacts and party organization."""
    return ENTERPRISE_FIELDS if is_coordinator(viewer) else PARTNER_FIELDS


def form_page(
    request: Request, form: FormState, enterprise: EnterpriseRow | None, status_code: int = 200
) -> Response:
    status_labels = labels(ENTERPRISE_STATUSES)
    return render(
        request,
        "organizations/enterprise_form.html",
        {
            **form.context(),
            "enterprise": enterprise,
            "full_edit": is_coordinator(request.user),
            "party_org_kind_options": list(labels(PARTY_ORG_KINDS).items()),
            "status_options": list(status_labels.items()),
            "status_labels": status_labels,
        },
        status_code=status_code,
    )


async def submit_enterprise_form(request: Request, enterprise: EnterpriseRow | None) -> Response:
    fields = editable_fields(request.user)
    form = FormState.from_form(await read_form(request), fields)

    def page(form: FormState, status_code: int) -> Response:
        return form_page(request, form, enterprise, status_code)

    answer_refusals_with(request, form, page)
    values = check_enterprise_form(form, datetime.date.today(), fields)
    if not form.valid:
        return page(form, 400)
    enterprise_id = await save_enterprise(actor_of(request), values, enterprise)
    if enterprise is None:
        flash(request, _("Enterprise %(name)s was added.", name=values["name"]))
    else:
        flash(request, _("The changes were saved."))
    return RedirectResponse(request.url_for("enterprise_detail", enterprise_id=enterprise_id), 303)


@allow(Role.coordinator)
async def enterprise_create(request: Request) -> Response:
    if request.method == "GET":
        defaults = {"party_org_kind": "none", "status": "active"}
        return form_page(request, FormState(values=defaults), None)
    return await submit_enterprise_form(request, None)


def edit_values(enterprise: EnterpriseRow) -> dict[str, str]:
    """The enterprise as its form shows it."""
    return {
        name: "" if getattr(enterprise, name) is None else str(getattr(enterprise, name))
        for name in ENTERPRISE_FIELDS
    }


@allow(Role.coordinator, Role.partner)
async def enterprise_edit(request: Request) -> Response:
    enterprise = await visible_enterprise(request.user, enterprise_in_path(request))
    if request.method == "GET":
        return form_page(request, FormState(values=edit_values(enterprise)), enterprise)
    return await submit_enterprise_form(request, enterprise)


@allow(Role.coordinator)
async def enterprise_delete(request: Request) -> Response:
    enterprise = await visible_enterprise(request.user, enterprise_in_path(request))
    if request.method == "GET":
        return render(
            request,
            "organizations/enterprise_delete.html",
            {
                "enterprise": enterprise,
                "deletion": await enterprise_deletion(request.user, enterprise),
            },
        )
    try:
        await delete_enterprise(actor_of(request), enterprise)
    except Refused as refused:
        # Not a form to show again: the user goes back to the enterprise, told why (the
        # confirmation page listed what still refers to it).
        flash(request, refused.errors[0].message, "error")
        detail_url = request.url_for("enterprise_detail", enterprise_id=enterprise.id)
        return RedirectResponse(detail_url, 303)
    flash(request, _("Enterprise %(name)s was deleted.", name=enterprise.name))
    return RedirectResponse(request.url_for("enterprise_list"), 303)


routes = [
    Route("/enterprises/", enterprise_list, name="enterprise_list"),
    Route("/enterprises/export.xlsx", enterprise_list_export, name="enterprise_list_export"),
    Route("/enterprises/new", enterprise_create, methods=["GET", "POST"], name="enterprise_create"),
    Route("/enterprises/{enterprise_id:int}", enterprise_detail, name="enterprise_detail"),
    Route(
        "/enterprises/{enterprise_id:int}/edit",
        enterprise_edit,
        methods=["GET", "POST"],
        name="enterprise_edit",
    ),
    Route(
        "/enterprises/{enterprise_id:int}/delete",
        enterprise_delete,
        methods=["GET", "POST"],
        name="enterprise_delete",
    ),
]
