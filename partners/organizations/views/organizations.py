"""Joint party organization pages (联合党组织): list, detail, create, edit, delete; member
units with their party groups and members; the committee; the co-building agreement.

Coordinators manage everything. A partner sees the organizations its enterprise is a member
unit of, and keeps its own unit's party group and members; everything else is a 404 to it.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import get_organization_or_404, is_coordinator
from partners.organizations.joint_organizations import (
    AGREEMENT_FIELDS,
    CREATE_FIELDS,
    MAX_DOCUMENT_BYTES,
    MEMBER_FIELDS,
    ORGANIZATION_FIELDS,
    PARTY_GROUP_FIELDS,
    UNIT_FIELDS,
    agreement_warning,
    check_agreement_form,
    check_committee,
    check_create_form,
    check_document,
    check_member_form,
    check_organization_form,
    check_party_group_form,
    check_unit_form,
    committee_changes,
    enterprise_unit_name,
    kind_label,
    seat_label,
    side_label,
    status_label,
    unit_removal_error,
)
from partners.organizations.queries import (
    ORGANIZATION_SORT_KEYS,
    OrganizationFilters,
    OrganizationListRow,
    OrganizationRow,
    listed_unit_names,
    organization_count,
    organization_parts,
    organization_rows,
    visible_organization,
    work_counts,
)
from partners.organizations.tables import (
    Activity,
    Agreement,
    CommitteeSeat,
    Enterprise,
    JointOrganization,
    MemberUnit,
    OrganizationMember,
    WorkPlan,
)
from portal.audit import actor_of, audited_write
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.db import is_foreign_key_violation
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest, Sort
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import ORGANIZATION_KINDS, ORGANIZATION_STATUSES, SEATS, UNIT_SIDES
from portal.xlsx import Column

LABELS = {
    "kind_label": kind_label,
    "status_label": status_label,
    "side_label": side_label,
    "seat_label": seat_label,
}
AGREEMENT_COLUMNS = (
    Agreement.id,
    Agreement.signed_on,
    Agreement.expires_on,
    Agreement.text,
    Agreement.file_name,
    Agreement.content_type,
    Agreement.file_size,
    Agreement.updated_at,
)


def to_detail(request: Request, organization_id: int) -> RedirectResponse:
    return RedirectResponse(
        request.url_for("organization_detail", organization_id=organization_id), 303
    )


def require_coordinator(request: Request) -> None:
    """Structure is the college's to keep: other viewers get a 404 as for a missing page."""
    if not is_coordinator(request):
        raise HTTPException(status_code=404)


async def enterprise_options() -> list[tuple[int, str]]:
    rows = await Enterprise.select(Enterprise.id, Enterprise.name).order_by(Enterprise.name)
    return [(row["id"], row["name"]) for row in rows]


# --- List ------------------------------------------------------------------------------------


def label_dicts() -> dict[str, dict[str, str]]:
    """The labels of the codes the pages show, in the request's language."""
    return {
        "kind_labels": labels(ORGANIZATION_KINDS),
        "status_labels": labels(ORGANIZATION_STATUSES),
        "side_labels": labels(UNIT_SIDES),
        "seat_labels": labels(SEATS),
    }


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
            "can_manage": is_coordinator(request),
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
        Column(_("Kind"), lambda row: kind_label(row.kind), 12),
        Column(_("Founded on"), "founded_on", 12),
        Column(_("Status"), lambda row: status_label(row.status), 8),
        Column(_("Member units"), "unit_count", 8),
        Column(_("Member unit names"), lambda row: "\n".join(units.get(row.id, [])), 40),
        Column(_("Agreement expires"), "expires_on", 12),
        Column(_("Agreement warning"), lambda row: warning_text(warnings[row.id]), 14),
        Column(_("Description"), "description", 40),
    ]
    return await excel_export(
        stem=_("Joint organization list"),
        ascii_stem="organizations",
        title=_("Joint party organizations"),
        columns=columns,
        rows=rows,
        truncated=truncated,
    )


# --- Detail ----------------------------------------------------------------------------------


async def visible_organization_or_404(request: Request) -> OrganizationRow:
    """The organization named in the path, read for its page, if the viewer may see it (else
    404)."""
    organization = await visible_organization(request.user, request.path_params["organization_id"])
    if organization is None:
        raise HTTPException(status_code=404)
    return organization


@allow(Role.coordinator, Role.partner)
@cached_page
async def organization_detail(request: Request) -> Response:
    organization = await visible_organization_or_404(request)
    parts = await organization_parts(organization.id)
    agreement = parts["agreement"]
    activity_count, plan_count = await work_counts(organization.id)
    return render(
        request,
        "organizations/organization_detail.html",
        {
            "organization": organization,
            **parts,
            "unit_names": {unit.id: unit.name for unit in parts["units"]},
            "seats": SEATS,
            "warning": agreement_warning(
                agreement.expires_on if agreement else None, datetime.date.today()
            ),
            "activity_count": activity_count,
            "plan_count": plan_count,
            "can_manage": is_coordinator(request),
            "own_enterprise": request.user.enterprise_id,
            **label_dicts(),
        },
    )


# --- Create, edit, delete ------------------------------------------------------------------


async def organization_form_page(
    request: Request, form: FormState, organization: dict | None, status_code: int = 200
) -> Response:
    return render(
        request,
        "organizations/organization_form.html",
        {
            **form.context(),
            "organization": organization,
            "kind_options": [(code, kind_label(code)) for code in ORGANIZATION_KINDS],
            "status_options": [(code, status_label(code)) for code in ORGANIZATION_STATUSES],
            "enterprise_options": await enterprise_options() if organization is None else [],
        },
        status_code=status_code,
    )


async def create_organization(request: Request, values: dict[str, Any]) -> int:
    """The organization and its first unit of each side, in one audited transaction."""
    own = {name: values[name] for name in ORGANIZATION_FIELDS}
    async with audited_write(actor_of(request)) as audit:
        enterprise = (
            await Enterprise.select(Enterprise.name, Enterprise.party_org_name)
            .where(Enterprise.id == values["enterprise"])
            .first()
        )
        row = (
            await JointOrganization.insert(JointOrganization(**own)).returning(JointOrganization.id)
        )[0]
        await audit.created(JointOrganization, row["id"], own, own["name"])
        for unit in (
            {"side": "college", "name": values["college_unit_name"], "enterprise": None},
            {
                "side": "enterprise",
                "name": enterprise_unit_name(enterprise),
                "enterprise": values["enterprise"],
            },
        ):
            unit = {**unit, "organization": row["id"]}
            created = (await MemberUnit.insert(MemberUnit(**unit)).returning(MemberUnit.id))[0]
            await audit.created(MemberUnit, created["id"], unit, unit["name"])
        return row["id"]


@allow(Role.coordinator)
async def organization_create(request: Request) -> Response:
    if request.method == "GET":
        values = {"kind": "joint_branch", "status": "active"}
        return await organization_form_page(request, FormState(values=values), None)
    form = FormState.from_form(await read_form(request), CREATE_FIELDS)
    enterprises = await enterprise_options()
    values = check_create_form(form, datetime.date.today(), [e for e, _name in enterprises])
    if not form.valid:
        return await organization_form_page(request, form, None, status_code=400)
    organization_id = await create_organization(request, values)
    flash(request, _("Organization %(name)s was created.", name=values["name"]))
    return to_detail(request, organization_id)


@allow(Role.coordinator)
async def organization_edit(request: Request) -> Response:
    organization = await get_organization_or_404(request, request.path_params["organization_id"])
    if request.method == "GET":
        values = {
            name: "" if organization[name] is None else str(organization[name])
            for name in ORGANIZATION_FIELDS
        }
        return await organization_form_page(request, FormState(values=values), organization)
    form = FormState.from_form(await read_form(request), ORGANIZATION_FIELDS)
    values = check_organization_form(form, datetime.date.today())
    if not form.valid:
        return await organization_form_page(request, form, organization, status_code=400)
    async with audited_write(actor_of(request)) as audit:
        await JointOrganization.update(values).where(JointOrganization.id == organization["id"])
        before = {name: organization[name] for name in ORGANIZATION_FIELDS}
        await audit.updated(JointOrganization, organization["id"], before, values, values["name"])
    flash(request, _("The changes were saved."))
    return to_detail(request, organization["id"])


@allow(Role.coordinator)
async def organization_delete(request: Request) -> Response:
    organization = await get_organization_or_404(request, request.path_params["organization_id"])
    if request.method == "GET":
        counts = {
            "units": await MemberUnit.count().where(MemberUnit.organization == organization["id"]),
            "activities": await Activity.count().where(Activity.organization == organization["id"]),
            "plans": await WorkPlan.count().where(WorkPlan.organization == organization["id"]),
        }
        context = {"organization": organization, "counts": counts}
        return render(request, "organizations/organization_delete.html", context)
    try:
        async with audited_write(actor_of(request)) as audit:
            await JointOrganization.delete().where(JointOrganization.id == organization["id"])
            before = {name: organization[name] for name in ORGANIZATION_FIELDS}
            await audit.deleted(JointOrganization, organization["id"], before, organization["name"])
    except Exception as error:
        if not is_foreign_key_violation(error):
            raise
        message = _("This organization still has linked records and cannot be deleted.")
        flash(request, message, "error")
        return to_detail(request, organization["id"])
    flash(request, _("Organization %(name)s was deleted.", name=organization["name"]))
    return RedirectResponse(request.url_for("organization_list"), 303)


# --- Member units ----------------------------------------------------------------------------


async def units_of(organization_id: int) -> list[dict[str, Any]]:
    return (
        await MemberUnit.select(
            *MemberUnit.all_columns(), MemberUnit.enterprise.name.as_alias("enterprise_name")
        )
        .where(MemberUnit.organization == organization_id)
        .order_by(MemberUnit.id)
    )


def find_unit(request: Request, units: list[dict[str, Any]], unit_id: int) -> dict[str, Any]:
    """The unit of this organization; a partner reaches only its own enterprise's unit."""
    unit = next((u for u in units if u["id"] == unit_id), None)
    if unit is None:
        raise HTTPException(status_code=404)
    if not is_coordinator(request) and unit["enterprise"] != request.user.enterprise_id:
        raise HTTPException(status_code=404)
    return unit


async def unit_form_page(
    request: Request,
    form: FormState,
    organization: dict,
    unit: dict | None,
    status_code: int = 200,
) -> Response:
    coordinator = is_coordinator(request)
    return render(
        request,
        "organizations/organization_unit_form.html",
        {
            **form.context(),
            "organization": organization,
            "unit": unit,
            "full_form": coordinator,
            "side_options": [(code, side_label(code)) for code in UNIT_SIDES],
            "enterprise_options": await enterprise_options() if coordinator else [],
            **LABELS,
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def unit_create(request: Request) -> Response:
    organization = await get_organization_or_404(request, request.path_params["organization_id"])
    if request.method == "GET":
        values = {"side": request.query_params.get("side", "enterprise")}
        return await unit_form_page(request, FormState(values=values), organization, None)
    form = FormState.from_form(await read_form(request), UNIT_FIELDS)
    units = await units_of(organization["id"])
    enterprises = await enterprise_options()
    values = check_unit_form(form, units, [e for e, _name in enterprises])
    if not form.valid:
        return await unit_form_page(request, form, organization, None, status_code=400)
    if values["side"] == "enterprise" and not values["name"]:
        enterprise = await Enterprise.select().where(Enterprise.id == values["enterprise"]).first()
        values["name"] = enterprise_unit_name(enterprise)
    values["organization"] = organization["id"]
    async with audited_write(actor_of(request)) as audit:
        row = (await MemberUnit.insert(MemberUnit(**values)).returning(MemberUnit.id))[0]
        await audit.created(MemberUnit, row["id"], values, values["name"])
    flash(request, _("Member unit %(name)s was added.", name=values["name"]))
    return to_detail(request, organization["id"])


@allow(Role.coordinator, Role.partner)
async def unit_edit(request: Request) -> Response:
    organization = await get_organization_or_404(request, request.path_params["organization_id"])
    units = await units_of(organization["id"])
    unit = find_unit(request, units, request.path_params["unit_id"])
    fields = UNIT_FIELDS if is_coordinator(request) else PARTY_GROUP_FIELDS
    if request.method == "GET":
        values = {name: "" if unit[name] is None else str(unit[name]) for name in fields}
        return await unit_form_page(request, FormState(values=values), organization, unit)
    form = FormState.from_form(await read_form(request), fields)
    if is_coordinator(request):
        enterprises = await enterprise_options()
        values = check_unit_form(form, units, [e for e, _name in enterprises], unit)
        values.pop("side")
        if unit["side"] == "enterprise" and not values["name"]:
            values["name"] = unit["name"]
    else:
        values = check_party_group_form(form)
    if not form.valid:
        return await unit_form_page(request, form, organization, unit, status_code=400)
    async with audited_write(actor_of(request)) as audit:
        await MemberUnit.update(values).where(MemberUnit.id == unit["id"])
        before = {name: unit[name] for name in values}
        await audit.updated(MemberUnit, unit["id"], before, values, unit["name"])
    flash(request, _("The changes were saved."))
    return to_detail(request, organization["id"])


@allow(Role.coordinator)
async def unit_delete(request: Request) -> Response:
    organization = await get_organization_or_404(request, request.path_params["organization_id"])
    units = await units_of(organization["id"])
    unit = find_unit(request, units, request.path_params["unit_id"])
    refusal = unit_removal_error(units, unit["id"])
    if request.method == "GET":
        member_count = await OrganizationMember.count().where(
            OrganizationMember.member_unit == unit["id"]
        )
        context = {
            "organization": organization,
            "unit": unit,
            "refusal": refusal,
            "member_count": member_count,
        }
        return render(request, "organizations/organization_unit_delete.html", context)
    if refusal:
        flash(request, refusal, "error")
        return to_detail(request, organization["id"])
    async with audited_write(actor_of(request)) as audit:
        await MemberUnit.delete().where(MemberUnit.id == unit["id"])
        before = {name: unit[name] for name in UNIT_FIELDS}
        await audit.deleted(MemberUnit, unit["id"], before, unit["name"])
    flash(request, _("Member unit %(name)s was removed.", name=unit["name"]))
    return to_detail(request, organization["id"])


# --- Members ---------------------------------------------------------------------------------


@allow(Role.coordinator, Role.partner)
async def member_create(request: Request) -> Response:
    organization = await get_organization_or_404(request, request.path_params["organization_id"])
    unit = find_unit(request, await units_of(organization["id"]), request.path_params["unit_id"])
    context = {"organization": organization, "unit": unit}
    if request.method == "GET":
        form = FormState(values={"party_member": "1"})
        return render(
            request, "organizations/organization_member_form.html", {**context, **form.context()}
        )
    form = FormState.from_form(await read_form(request), MEMBER_FIELDS)
    values = check_member_form(form)
    if not form.valid:
        return render(
            request,
            "organizations/organization_member_form.html",
            {**context, **form.context()},
            status_code=400,
        )
    values.update(organization=organization["id"], member_unit=unit["id"])
    async with audited_write(actor_of(request)) as audit:
        row = (
            await OrganizationMember.insert(OrganizationMember(**values)).returning(
                OrganizationMember.id
            )
        )[0]
        await audit.created(OrganizationMember, row["id"], values, values["name"])
    flash(request, _("%(name)s was added to %(unit)s.", name=values["name"], unit=unit["name"]))
    return to_detail(request, organization["id"])


@allow(Role.coordinator, Role.partner)
async def member_delete(request: Request) -> Response:
    organization = await get_organization_or_404(request, request.path_params["organization_id"])
    member = (
        await OrganizationMember.select()
        .where(
            OrganizationMember.id == request.path_params["member_id"],
            OrganizationMember.organization == organization["id"],
        )
        .first()
    )
    if member is None:
        raise HTTPException(status_code=404)
    unit = find_unit(request, await units_of(organization["id"]), member["member_unit"])
    seat = (
        await CommitteeSeat.select(CommitteeSeat.seat)
        .where(CommitteeSeat.member == member["id"])
        .first()
    )
    if request.method == "GET":
        context = {"organization": organization, "unit": unit, "member": member, "seat": seat}
        return render(request, "organizations/organization_member_delete.html", {**context, **LABELS})
    async with audited_write(actor_of(request)) as audit:
        await OrganizationMember.delete().where(OrganizationMember.id == member["id"])
        before = {name: member[name] for name in MEMBER_FIELDS}
        await audit.deleted(OrganizationMember, member["id"], before, member["name"])
    flash(request, _("%(name)s was removed.", name=member["name"]))
    return to_detail(request, organization["id"])


# --- Committee -----------------------------------------------------------------------------


async def seat_form_page(
    request: Request, form: FormState, organization: dict, status_code: int = 200
) -> Response:
    parts = await organization_parts(organization["id"])
    unit_names = {unit.id: unit.name for unit in parts["units"]}
    options = [
        (member.id, f"{member.name}（{unit_names.get(member.member_unit, '')}）")
        for member in parts["members"].values()
    ]
    return render(
        request,
        "organizations/organization_seats.html",
        {
            **form.context(),
            "organization": organization,
            "seats": SEATS,
            "member_options": options,
            **LABELS,
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def seat_assign(request: Request) -> Response:
    organization = await get_organization_or_404(request, request.path_params["organization_id"])
    current_rows = await CommitteeSeat.select().where(
        CommitteeSeat.organization == organization["id"]
    )
    current = {row["seat"]: row["member"] for row in current_rows}
    if request.method == "GET":
        values = {seat: str(member) for seat, member in current.items()}
        return await seat_form_page(request, FormState(values=values), organization)
    form = FormState.from_form(await read_form(request), list(SEATS))
    member_ids = await OrganizationMember.select(OrganizationMember.id).where(
        OrganizationMember.organization == organization["id"]
    )
    committee, errors = check_committee(form.values, [row["id"] for row in member_ids])
    for seat, message in errors.items():
        form.add_error(seat, message)
    if not form.valid:
        return await seat_form_page(request, form, organization, status_code=400)
    await save_committee(request, organization["id"], current_rows, committee)
    flash(request, _("The committee was saved."))
    return to_detail(request, organization["id"])


async def save_committee(
    request: Request,
    organization_id: int,
    current_rows: list[dict[str, Any]],
    committee: dict[str, int | None],
) -> None:
    """Writes only the seats that change, each recorded in the audit log."""
    current = {row["seat"]: row["member"] for row in current_rows}
    ids = {row["seat"]: row["id"] for row in current_rows}
    added, changed, vacated = committee_changes(current, committee)
    async with audited_write(actor_of(request)) as audit:
        for seat in vacated:
            await CommitteeSeat.delete().where(CommitteeSeat.id == ids[seat])
            await audit.deleted(CommitteeSeat, ids[seat], {"member": current[seat]}, seat)
        for seat, member in changed.items():
            await CommitteeSeat.update({CommitteeSeat.member: member}).where(
                CommitteeSeat.id == ids[seat]
            )
            before, after = {"member": current[seat]}, {"member": member}
            await audit.updated(CommitteeSeat, ids[seat], before, after, seat)
        for seat, member in added.items():
            values = {"organization": organization_id, "seat": seat, "member": member}
            row = (await CommitteeSeat.insert(CommitteeSeat(**values)).returning(CommitteeSeat.id))[
                0
            ]
            await audit.created(CommitteeSeat, row["id"], values, seat)


# --- Agreement -----------------------------------------------------------------------------


async def agreement_form_page(
    request: Request,
    form: FormState,
    organization: dict,
    agreement: dict | None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "organizations/organization_agreement_form.html",
        {**form.context(), "organization": organization, "agreement": agreement},
        status_code=status_code,
    )


async def read_upload(upload: Any) -> tuple[str, bytes] | None:
    """The uploaded file's name and bytes (at most the limit plus one byte), None if none."""
    if not isinstance(upload, UploadFile):
        return None
    data = await upload.read(MAX_DOCUMENT_BYTES + 1)
    await upload.close()
    if not upload.filename and not data:
        return None
    return upload.filename or "", data


@allow(Role.coordinator)
async def agreement_edit(request: Request) -> Response:
    organization = await get_organization_or_404(request, request.path_params["organization_id"])
    agreement = (
        await Agreement.select(*AGREEMENT_COLUMNS)
        .where(Agreement.organization == organization["id"])
        .first()
    )
    if request.method == "GET":
        values = {}
        if agreement:
            values = {
                "signed_on": str(agreement["signed_on"]),
                "expires_on": str(agreement["expires_on"]),
                "text": agreement["text"],
            }
        return await agreement_form_page(request, FormState(values=values), organization, agreement)
    submitted = await read_form(request)
    form = FormState.from_form(submitted, AGREEMENT_FIELDS)
    values = check_agreement_form(form)
    upload = await read_upload(submitted.get("document"))
    if upload is not None:
        document, problem = check_document(*upload)
        if problem:
            form.add_error("document", problem)
        else:
            values.update(document)
    elif form.values.get("remove_document"):
        values.update(file_name="", content_type="", file_size=0, file_data=None)
    if not form.valid:
        return await agreement_form_page(request, form, organization, agreement, status_code=400)
    await save_agreement(request, organization, agreement, values)
    flash(request, _("The agreement was saved."))
    return to_detail(request, organization["id"])


async def save_agreement(
    request: Request, organization: dict, agreement: dict | None, values: dict[str, Any]
) -> None:
    """Inserts or updates the one agreement; the audit records the facts, not the bytes."""
    shown = {name: value for name, value in values.items() if name != "file_data"}
    async with audited_write(actor_of(request)) as audit:
        if agreement is None:
            values["organization"] = organization["id"]
            row = (await Agreement.insert(Agreement(**values)).returning(Agreement.id))[0]
            await audit.created(Agreement, row["id"], shown, organization["name"])
            return
        values["updated_at"] = datetime.datetime.now()
        await Agreement.update(values).where(Agreement.id == agreement["id"])
        before = {name: agreement.get(name) for name in shown}
        await audit.updated(Agreement, agreement["id"], before, shown, organization["name"])


@allow(Role.coordinator, Role.partner)
async def agreement_document(request: Request) -> Response:
    organization = await get_organization_or_404(request, request.path_params["organization_id"])
    row = (
        await Agreement.select(Agreement.file_name, Agreement.content_type, Agreement.file_data)
        .where(Agreement.organization == organization["id"])
        .first()
    )
    if row is None or not row["file_data"]:
        raise HTTPException(status_code=404)
    name = row["file_name"] or "agreement"
    ascii_name = name.encode("ascii", "ignore").decode() or "agreement"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        bytes(row["file_data"]),
        media_type=row["content_type"],
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


ORG = "/organizations/{organization_id:int}"
BOTH = ["GET", "POST"]

routes = [
    Route("/organizations/", organization_list, name="organization_list"),
    Route("/organizations/export.xlsx", organization_list_export, name="organization_list_export"),
    Route("/organizations/new", organization_create, methods=BOTH, name="organization_create"),
    Route(ORG, organization_detail, name="organization_detail"),
    Route(f"{ORG}/edit", organization_edit, methods=BOTH, name="organization_edit"),
    Route(f"{ORG}/delete", organization_delete, methods=BOTH, name="organization_delete"),
    Route(f"{ORG}/units/new", unit_create, methods=BOTH, name="unit_create"),
    Route(f"{ORG}/units/{{unit_id:int}}/edit", unit_edit, methods=BOTH, name="unit_edit"),
    Route(f"{ORG}/units/{{unit_id:int}}/delete", unit_delete, methods=BOTH, name="unit_delete"),
    Route(
        f"{ORG}/units/{{unit_id:int}}/members/new",
        member_create,
        methods=BOTH,
        name="member_create",
    ),
    Route(
        f"{ORG}/members/{{member_id:int}}/delete",
        member_delete,
        methods=BOTH,
        name="member_delete",
    ),
    Route(f"{ORG}/seats", seat_assign, methods=BOTH, name="seat_assign"),
    Route(f"{ORG}/agreement", agreement_edit, methods=BOTH, name="agreement_edit"),
    Route(f"{ORG}/agreement/document", agreement_document, name="agreement_document"),
]
