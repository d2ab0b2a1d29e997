"""The committee page of a joint organization (支委会): who holds which seat.

Coordinators assign the seats; to anyone else the page is a 404.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partners.organizations.joint_organizations import assign_seats
from partners.organizations.queries import OrganizationParts, OrganizationRow, organization_parts
from partners.organizations.views.organizations import (
    BOTH,
    ORG,
    organization_in_path,
    to_detail,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import SEATS


def seat_form_page(
    request: Request,
    form: FormState,
    organization: OrganizationRow,
    parts: OrganizationParts,
    status_code: int = 200,
) -> Response:
    unit_names = parts.unit_names
    options = [
        (member.id, f"{member.name}（{unit_names.get(member.member_unit, '')}）")
        for member in parts.members.values()
    ]
    return render(
        request,
        "organizations/organization_seats.html",
        {
            **form.context(),
            "organization": organization,
            "seats": SEATS,
            "seat_labels": labels(SEATS),
            "member_options": options,
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def seat_assign(request: Request) -> Response:
    organization = await organization_in_path(request)
    if request.method == "GET":
        parts = await organization_parts(organization.id)
        values = {seat: str(member) for seat, member in parts.committee.items()}
        return seat_form_page(request, FormState(values=values), organization, parts)
    form = FormState.from_form(await read_form(request), list(SEATS))

    async def page(form: FormState, status_code: int) -> Response:
        parts = await organization_parts(organization.id)
        return seat_form_page(request, form, organization, parts, status_code)

    answer_refusals_with(request, form, page)
    await assign_seats(actor_of(request), organization.id, form.values)
    flash(request, _("The committee was saved."))
    return to_detail(request, organization.id)


routes = [
    Route(f"{ORG}/seats", seat_assign, methods=BOTH, name="seat_assign"),
]
