"""Reports as PDF: a joint organization's annual report and a project's summary.

Who may see them is who may see the organization or the project: a coordinator any, a partner
those of its own enterprise (partners.access, the projects' scope); anyone else gets a 404.
The HTML is rendered here (translations, filters), the PDF in a worker process.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partners.access import get_organization_or_404
from partners.coeducation.projects import LIVE_STATUSES
from partners.coeducation.views.projects import LABELS as PROJECT_LABELS
from partners.coeducation.views.projects import assignments_of, get_project_or_404, members_of
from partners.organizations.joint_organizations import (
    kind_label as organization_kind_label,
)
from partners.organizations.joint_organizations import side_label
from partners.organizations.joint_organizations import (
    status_label as organization_status_label,
)
from partners.organizations.reports import (
    BadYear,
    organization_report,
    project_summary,
    report_year,
)
from partners.organizations.views.organizations import organization_parts
from portal.auth import allow
from portal.charts import svg_chart
from portal.i18n import _
from portal.pdf import margin_boxes, pdf_response, render_pdf
from portal.tables import Role
from portal.templating import render, templates

UNSAFE_IN_FILENAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_name(*parts: Any) -> str:
    """A download name from its parts, without characters file systems refuse."""
    return UNSAFE_IN_FILENAMES.sub("_", "-".join(str(part) for part in parts)) + ".pdf"


async def render_report(request: Request, template: str, context: dict[str, Any]) -> bytes:
    html = templates.env.get_template(template).render(
        {
            **context,
            "request": request,
            "viewer": request.user,
            "locale": request.scope.get("locale", "zh_CN"),
            "svg_chart": svg_chart,
            "pdf": True,
        }
    )
    return await render_pdf(html)


@allow(Role.coordinator, Role.partner)
async def organization_report_pdf(request: Request) -> Response:
    organization = await get_organization_or_404(request, request.path_params["organization_id"])
    today = datetime.date.today()
    try:
        year = report_year(request.query_params.get("year"), today)
    except BadYear:
        return render(
            request,
            "error.html",
            {
                "status_code": 400,
                "title": _("Bad request"),
                "message": _("Choose a year from 2000 to 2100 for the report."),
            },
            status_code=400,
        )
    parts = await organization_parts(organization["id"])
    report = await organization_report(organization, parts, year, today)
    title = _("Annual report %(year)s", year=year)
    content = await render_report(
        request,
        "pdf/organization_report.html",
        {
            "report": report,
            "organization": organization,
            "generated_on": today,
            "css": margin_boxes(f"{organization['name']} · {title}", today),
            "kind_label": organization_kind_label,
            "status_label": organization_status_label,
            "side_label": side_label,
        },
    )
    return pdf_response(
        content,
        file_name(organization["name"], title),
        f"organization-{organization['id']}-report-{year}.pdf",
    )


@allow(Role.coordinator, Role.partner)
async def project_summary_pdf(request: Request) -> Response:
    project = await get_project_or_404(request, request.path_params["project_id"])
    today = datetime.date.today()
    summary = await project_summary(
        project, await members_of(project["id"]), await assignments_of(project["id"])
    )
    content = await render_report(
        request,
        "pdf/project_summary.html",
        {
            "summary": summary,
            "project": project,
            "live": summary.live_members(LIVE_STATUSES),
            "positions": [p for p in project["positions"].splitlines() if p.strip()],
            "generated_on": today,
            "css": margin_boxes(f"{project['name']} · {_('Project summary')}", today),
            **PROJECT_LABELS,
        },
    )
    return pdf_response(
        content,
        file_name(project["name"], _("Project summary")),
        f"project-{project['id']}-summary.pdf",
    )


routes = [
    Route(
        "/organizations/{organization_id:int}/report.pdf",
        organization_report_pdf,
        name="organization_report_pdf",
    ),
    Route(
        "/projects/{project_id:int}/summary.pdf", project_summary_pdf, name="project_summary_pdf"
    ),
]
