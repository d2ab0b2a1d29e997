"""Enterprise pages (合作企业): list, detail, create, edit, delete.

Coordinators manage every enterprise; a partner sees and edits only its own, and only the
fields its party branch keeps (contacts, party organization, head counts)."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import get_enterprise_or_404, is_coordinator
from partners.coeducation.tables import Mentor
from partners.organizations.enterprises import (
    ENTERPRISE_FIELDS,
    PARTNER_FIELDS,
    check_enterprise_form,
    enterprise_status_label,
    party_org_kind_label,
)
from partners.organizations.queries import (
    ENTERPRISE_SORT_KEYS,
    EnterpriseFilters,
    enterprise_count,
    enterprise_links,
    enterprise_rows,
    industry_choices,
    visible_enterprise,
)
from partners.organizations.tables import (
    Enterprise,
    MemberUnit,
    PartnerAccount,
)
from portal.audit import actor_of, audited_write
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.db import is_foreign_key_violation, is_unique_violation
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest, Sort
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import ENTERPRISE_STATUSES, PARTY_ORG_KINDS
from portal.xlsx import Column

LABELS = {"status_label": enterprise_status_label, "party_org_kind_label": party_org_kind_label}


def label_dicts() -> dict[str, dict[str, str]]:
    """The labels of the codes a list or detail page shows, in the request's language."""
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
            "can_manage": is_coordinator(request),
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
            lambda row: party_org_kind_label(row.party_org_kind),
            12,
        ),
        Column(_("Party members"), "party_member_count", 9),
        Column(_("Employees"), "employee_count", 9),
        Column(_("Partner since"), "partner_since", 12),
        Column(_("Partnership status"), lambda row: enterprise_status_label(row.status), 10),
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


@allow(Role.coordinator, Role.partner)
@cached_page
async def enterprise_detail(request: Request) -> Response:
    enterprise = await visible_enterprise(request.user, request.path_params["enterprise_id"])
    if enterprise is None:
        raise HTTPException(status_code=404)
    return render(
        request,
        "organizations/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "can_manage": is_coordinator(request),
            **await enterprise_links(enterprise.id),
            **label_dicts(),
        },
    )


def editable_fields(request: Request) -> list[str]:
    return ENTERPRISE_FIELDS if is_coordinator(request) else PARTNER_FIELDS


def form_page(
    request: Request, form: FormState, enterprise: dict | None, status_code: int = 200
) -> Response:
    return render(
        request,
        "organizations/enterprise_form.html",
        {
            **form.context(),
            "enterprise": enterprise,
            "full_edit": is_coordinator(request),
            "party_org_kind_options": [
                (code, party_org_kind_label(code)) for code in PARTY_ORG_KINDS
            ],
            "status_options": [
                (code, enterprise_status_label(code)) for code in ENTERPRISE_STATUSES
            ],
            **LABELS,
        },
        status_code=status_code,
    )


def edit_values(enterprise: dict[str, Any], fields: list[str]) -> dict[str, str]:
    return {name: "" if enterprise[name] is None else str(enterprise[name]) for name in fields}


class DuplicateCreditCode(Exception):
    """Another enterprise already has this credit code."""


async def credit_code_taken(code: str, enterprise_id: int | None) -> bool:
    clash = Enterprise.exists().where(Enterprise.credit_code == code)
    if enterprise_id is not None:
        clash = clash.where(Enterprise.id != enterprise_id)
    return await clash


async def save_enterprise(request: Request, values: dict[str, Any], enterprise: dict | None) -> int:
    """Creates or updates an enterprise in one audited transaction; returns its id. Only the
    keys of `values` are written, so a partner's save never touches the other columns."""
    try:
        async with audited_write(actor_of(request)) as audit:
            if "credit_code" in values and await credit_code_taken(
                values["credit_code"], enterprise["id"] if enterprise else None
            ):
                raise DuplicateCreditCode
            if enterprise is None:
                row = (await Enterprise.insert(Enterprise(**values)).returning(Enterprise.id))[0]
                await audit.created(Enterprise, row["id"], values, values["name"])
                return row["id"]
            await Enterprise.update(values).where(Enterprise.id == enterprise["id"])
            before = {name: enterprise[name] for name in values}
            name = values.get("name", enterprise["name"])
            await audit.updated(Enterprise, enterprise["id"], before, values, name)
            return enterprise["id"]
    except Exception as error:
        if is_unique_violation(error):
            raise DuplicateCreditCode from error
        raise


async def submit_enterprise_form(request: Request, enterprise: dict | None) -> Response:
    fields = editable_fields(request)
    form = FormState.from_form(await read_form(request), fields)
    values = check_enterprise_form(form, datetime.date.today(), fields)
    if form.valid:
        try:
            enterprise_id = await save_enterprise(request, values, enterprise)
        except DuplicateCreditCode:
            form.add_error("credit_code", _("Another enterprise already has this credit code."))
    if not form.valid:
        return form_page(request, form, enterprise, status_code=400)
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


@allow(Role.coordinator, Role.partner)
async def enterprise_edit(request: Request) -> Response:
    enterprise = await get_enterprise_or_404(request, request.path_params["enterprise_id"])
    if request.method == "GET":
        return form_page(
            request, FormState(values=edit_values(enterprise, ENTERPRISE_FIELDS)), enterprise
        )
    return await submit_enterprise_form(request, enterprise)


async def blocking_counts(enterprise_id: int) -> dict[str, int]:
    """What still points at the enterprise and keeps it from being deleted."""
    return {
        "accounts": await PartnerAccount.count().where(PartnerAccount.enterprise == enterprise_id),
        "units": await MemberUnit.count().where(MemberUnit.enterprise == enterprise_id),
        "mentors": await Mentor.count().where(Mentor.enterprise == enterprise_id),
    }


class HasPartnerAccounts(Exception):
    """Partner accounts would be deleted with the enterprise (cascade): refuse instead."""


async def delete_enterprise(request: Request, enterprise: dict[str, Any]) -> None:
    async with audited_write(actor_of(request)) as audit:
        if await PartnerAccount.exists().where(PartnerAccount.enterprise == enterprise["id"]):
            raise HasPartnerAccounts
        await Enterprise.delete().where(Enterprise.id == enterprise["id"])
        before = {name: enterprise[name] for name in ENTERPRISE_FIELDS}
        await audit.deleted(Enterprise, enterprise["id"], before, enterprise["name"])


@allow(Role.coordinator)
async def enterprise_delete(request: Request) -> Response:
    enterprise = await get_enterprise_or_404(request, request.path_params["enterprise_id"])
    if request.method == "GET":
        return render(
            request,
            "organizations/enterprise_delete.html",
            {"enterprise": enterprise, "blocking": await blocking_counts(enterprise["id"])},
        )
    detail_url = request.url_for("enterprise_detail", enterprise_id=enterprise["id"])
    try:
        await delete_enterprise(request, enterprise)
    except HasPartnerAccounts:
        flash(
            request,
            _(
                "This enterprise still has partner accounts and cannot be deleted. To end "
                "the partnership, set its status to Ended."
            ),
            "error",
        )
        return RedirectResponse(detail_url, 303)
    except Exception as error:
        if not is_foreign_key_violation(error):
            raise
        flash(
            request,
            _(
                "This enterprise is still linked to member units, mentors or projects and "
                "cannot be deleted. To end the partnership, set its status to Ended."
            ),
            "error",
        )
        return RedirectResponse(detail_url, 303)
    flash(request, _("Enterprise %(name)s was deleted.", name=enterprise["name"]))
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
