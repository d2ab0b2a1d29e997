"""Member pages of a joint organization's units: add a member, remove one.

A coordinator keeps every unit's members, the partner of an enterprise unit that unit's own;
another enterprise's unit and its members are a 404 to a partner.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partners.organizations.deletions import member_deletion
from partners.organizations.joint_organizations import (
    MEMBER_FIELDS,
    add_member,
    check_member_form,
    remove_member,
    unit_for,
)
from partners.organizations.queries import member_of, seat_held_by, units_of
from partners.organizations.views.organizations import (
    BOTH,
    ORG,
    organization_in_path,
    to_detail,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, labels
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import SEATS


@allow(Role.coordinator, Role.partner)
async def member_create(request: Request) -> Response:
    organization = await organization_in_path(request)
    units = await units_of(organization.id)
    unit = unit_for(request.user, units, request.path_params["unit_id"])
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
    await add_member(actor_of(request), unit, values)
    flash(request, _("%(name)s was added to %(unit)s.", name=values["name"], unit=unit.name))
    return to_detail(request, organization.id)


@allow(Role.coordinator, Role.partner)
async def member_delete(request: Request) -> Response:
    organization = await organization_in_path(request)
    member = await member_of(organization.id, request.path_params["member_id"])
    unit = unit_for(request.user, await units_of(organization.id), member.member_unit)
    if request.method == "GET":
        context = {
            "organization": organization,
            "unit": unit,
            "member": member,
            "seat": await seat_held_by(member.id),
            "seat_labels": labels(SEATS),
            "deletion": await member_deletion(request.user, member.id),
        }
        return render(request, "organizations/organization_member_delete.html", context)
    await remove_member(actor_of(request), member)
    flash(request, _("%(name)s was removed.", name=member.name))
    return to_detail(request, organization.id)


routes = [
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
]
