"""The co-building agreement of a joint organization (共建协议): its form with the uploaded
document, and the document's download.

Coordinators record the agreement; whoever may see the organization downloads its document.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partners.organizations.joint_organizations import (
    AGREEMENT_FIELDS,
    check_agreement_upload,
    save_agreement,
)
from partners.organizations.queries import (
    AgreementRow,
    OrganizationRow,
    agreement_document,
    agreement_of,
)
from partners.organizations.views.organizations import (
    BOTH,
    ORG,
    organization_in_path,
    to_detail,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.documents import document_response, read_upload
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _
from portal.tables import Role
from portal.templating import render


def agreement_form_page(
    request: Request,
    form: FormState,
    organization: OrganizationRow,
    agreement: AgreementRow | None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "organizations/organization_agreement_form.html",
        {**form.context(), "organization": organization, "agreement": agreement},
        status_code=status_code,
    )


@allow(Role.coordinator)
async def agreement_edit(request: Request) -> Response:
    organization = await organization_in_path(request)
    agreement = await agreement_of(organization.id)
    if request.method == "GET":
        values = {}
        if agreement:
            values = {
                "signed_on": str(agreement.signed_on),
                "expires_on": str(agreement.expires_on),
                "text": agreement.text,
            }
        return agreement_form_page(request, FormState(values=values), organization, agreement)
    submitted = await read_form(request)
    form = FormState.from_form(submitted, AGREEMENT_FIELDS)
    values = check_agreement_upload(form, await read_upload(submitted.get("document")))
    if not form.valid:
        return agreement_form_page(request, form, organization, agreement, status_code=400)
    await save_agreement(actor_of(request), organization, values)
    flash(request, _("The agreement was saved."))
    return to_detail(request, organization.id)


@allow(Role.coordinator, Role.partner)
async def agreement_document_download(request: Request) -> Response:
    organization = await organization_in_path(request)
    document = await agreement_document(organization.id)
    name = document.file_name or "agreement"
    return document_response(document.data, document.content_type, name, fallback="agreement")


routes = [
    Route(f"{ORG}/agreement", agreement_edit, methods=BOTH, name="agreement_edit"),
    Route(f"{ORG}/agreement/document", agreement_document_download, name="agreement_document"),
]
