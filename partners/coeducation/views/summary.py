"""A co-education project's summary as PDF (项目总结).

Who may see it is who may see the project: a coordinator any, a partner those of its own
enterprise; anyone else gets a 404. The HTML is rendered here (translations, filters), the PDF
in a worker process, as for the organizations' annual report.
"""

from __future__ import annotations

import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partners.coeducation.projects import LIVE_STATUSES, visible_project
from partners.coeducation.summary import project_summary
from portal.auth import allow
from portal.i18n import _, labels
from portal.pdf import margin_boxes, pdf_file_name, pdf_response, render_template_pdf
from portal.tables import Role
from portal.vocabulary import (
    INTERNSHIP_KINDS,
    PARTICIPATION_KINDS,
    PARTICIPATION_STATUSES,
    PROJECT_KINDS,
    PROJECT_STATUSES,
    WORKSTATION_KINDS,
)


@allow(Role.coordinator, Role.partner)
async def project_summary_pdf(request: Request) -> Response:
    project = await visible_project(request.user, request.path_params["project_id"])
    today = datetime.date.today()
    summary = await project_summary(project)
    content = await render_template_pdf(
        request,
        "pdf/project_summary.html",
        {
            "summary": summary,
            "project": project,
            "live": summary.live_members(LIVE_STATUSES),
            "positions": project.position_list,
            "generated_on": today,
            "css": margin_boxes(f"{project.name} · {_('Project summary')}", today),
            "kind_labels": labels(PROJECT_KINDS),
            "status_labels": labels(PROJECT_STATUSES),
            "workstation_kind_labels": labels(WORKSTATION_KINDS),
            "participation_kind_labels": labels(PARTICIPATION_KINDS),
            "internship_kind_labels": labels(INTERNSHIP_KINDS),
            "participation_status_labels": labels(PARTICIPATION_STATUSES),
        },
    )
    return pdf_response(
        content,
        pdf_file_name(project.name, _("Project summary")),
        f"project-{project.id}-summary.pdf",
    )


routes = [
    Route(
        "/projects/{project_id:int}/summary.pdf", project_summary_pdf, name="project_summary_pdf"
    ),
]
