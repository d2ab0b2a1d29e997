"""Member unit pages of a joint organization (成员单位): add, edit, remove.

Coordinators keep the units; the partner of an enterprise unit edits that unit's party group
(党小组) only. Another enterprise's unit is a 404 to a partner.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partners.access import is_coordinator
from partners.organizations.deletions import unit_deletion
from partners.organizations.joint_organizations import (
    PARTY_GROUP_FIELDS,
    UNIT_FIELDS,
    add_unit,
    check_unit_change,
    check_unit_form,
    remove_unit,
    unit_for,
    unit_values,
    update_unit,
)
from partners.organizations.queries import (
    OrganizationRow,
    UnitRow,
    enterprise_choices,
    units_of,
)
from partners.organizations.views.organizations import (
    BOTH,
    ORG,
    organization_in_path,
    to_detail,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.domain_errors import Refused
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import UNIT_SIDES


def unit_form_page(
    request: Request,
    form: FormState,
    organization: OrganizationRow,
    unit: UnitRow | None,
    enterprise_options: list[tuple[int, str]],
    status_code: int = 200,
) -> Response:
    side_labels = labels(UNIT_SIDES)
    return render(
        request,
        "organizations/organization_unit_form.html",
        {
            **form.context(),
            "organization": organization,
            "unit": unit,
            "full_form": is_coordinator(request.user),
            "side_options": list(side_labels.items()),
            "side_labels": side_labels,
            "enterprise_options": enterprise_options,
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def unit_create(request: Request) -> Response:
    organization = await organization_in_path(request)
    enterprises = await enterprise_choices()
    if request.method == "GET":
        values = {"side": request.query_params.get("side", "enterprise")}
        return unit_form_page(request, FormState(values=values), organization, None, enterprises)
    form = FormState.from_form(await read_form(request), UNIT_FIELDS)

    def page(form: FormState, status_code: int) -> Response:
        return unit_form_page(request, form, organization, None, enterprises, status_code)

    answer_refusals_with(request, form, page)
    units = await units_of(organization.id)
    values = check_unit_form(form, units, [e for e, _name in enterprises])
    if not form.valid:
        return page(form, 400)
    name = await add_unit(actor_of(request), organization.id, values)
    flash(request, _("Member unit %(name)s was added.", name=name))
    return to_detail(request, organization.id)


@allow(Role.coordinator, Role.partner)
async def unit_edit(request: Request) -> Response:
    organization = await organization_in_path(request)
    units = await units_of(organization.id)
    unit = unit_for(request.user, units, request.path_params["unit_id"])
    whole_unit = is_coordinator(request.user)
    enterprises = await enterprise_choices() if whole_unit else []
    if request.method == "GET":
        fields = UNIT_FIELDS if whole_unit else PARTY_GROUP_FIELDS
        current = unit_values(unit)
        values = {name: "" if current[name] is None else str(current[name]) for name in fields}
        return unit_form_page(request, FormState(values=values), organization, unit, enterprises)
    form = FormState.from_form(
        await read_form(request), UNIT_FIELDS if whole_unit else PARTY_GROUP_FIELDS
    )
    enterprise_ids = [e for e, _name in enterprises]
    values = check_unit_change(form, unit, units, enterprise_ids, whole_unit=whole_unit)
    if not form.valid:
        return unit_form_page(request, form, organization, unit, enterprises, status_code=400)
    await update_unit(actor_of(request), unit, values)
    flash(request, _("The changes were saved."))
    return to_detail(request, organization.id)


@allow(Role.coordinator)
async def unit_delete(request: Request) -> Response:
    organization = await organization_in_path(request)
    units = await units_of(organization.id)
    unit = unit_for(request.user, units, request.path_params["unit_id"])
    if request.method == "GET":
        context = {
            "organization": organization,
            "unit": unit,
            "deletion": await unit_deletion(request.user, units, unit),
        }
        return render(request, "organizations/organization_unit_delete.html", context)
    try:
        await remove_unit(actor_of(request), unit)
    except Refused as refused:
        # The confirmation page already said why; the user goes back to the organization.
        flash(request, refused.errors[0].message, "error")
        return to_detail(request, organization.id)
    flash(request, _("Member unit %(name)s was removed.", name=unit.name))
    return to_detail(request, organization.id)


routes = [
    Route(f"{ORG}/units/new", unit_create, methods=BOTH, name="unit_create"),
    Route(f"{ORG}/units/{{unit_id:int}}/edit", unit_edit, methods=BOTH, name="unit_edit"),
    Route(f"{ORG}/units/{{unit_id:int}}/delete", unit_delete, methods=BOTH, name="unit_delete"),
]
