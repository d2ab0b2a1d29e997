"""A joint organization's annual report as PDF, and the way every report PDF is rendered.

Who may see the report is who may see the organization: a coordinator any, a partner those
its enterprise is a member unit of; anyone else gets a 404. The HTML is rendered here
(translations, filters), the PDF in a worker process.
"""

from __future__ import annotations

import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partners.organizations.queries import organization_parts
from partners.organizations.reports import organization_report, report_year
from partners.organizations.views.organizations import organization_in_path
from portal.auth import allow
from portal.i18n import _, labels
from portal.pdf import margin_boxes, pdf_file_name, pdf_response, render_template_pdf
from portal.tables import Role
from portal.vocabulary import ORGANIZATION_KINDS, ORGANIZATION_STATUSES, UNIT_SIDES


@allow(Role.coordinator, Role.partner)
async def organization_report_pdf(request: Request) -> Response:
    organization = await organization_in_path(request)
    today = datetime.date.today()
    year = report_year(request.query_params.get("year"), today)
    parts = await organization_parts(organization.id)
    report = await organization_report(organization, parts, year, today)
    title = _("Annual report %(year)s", year=year)
    content = await render_template_pdf(
        request,
        "pdf/organization_report.html",
        {
            "report": report,
            "organization": organization,
            "generated_on": today,
            "css": margin_boxes(f"{organization.name} · {title}", today),
            "kind_labels": labels(ORGANIZATION_KINDS),
            "status_labels": labels(ORGANIZATION_STATUSES),
            "side_labels": labels(UNIT_SIDES),
        },
    )
    return pdf_response(
        content,
        pdf_file_name(organization.name, title),
        f"organization-{organization.id}-report-{year}.pdf",
    )


routes = [
    Route(
        "/organizations/{organization_id:int}/report.pdf",
        organization_report_pdf,
        name="organization_report_pdf",
    ),
]
