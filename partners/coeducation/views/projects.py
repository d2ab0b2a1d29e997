"""Co-education project pages (协同育人项目): list per kind, detail with members (paged and
searchable), mentors and a timeline, create/edit/delete for coordinators, and enrollments and
placements.

A partner sees only its own enterprise's projects and may add and update placements at its
training bases; everything else of other enterprises is a 404. The list and the detail page
read through partners.coeducation.queries; the forms and the summary PDF read the project as
a mapping through Piccolo."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import is_coordinator
from partners.coeducation.projects import (
    ALL_KIND_FIELDS,
    COMMON_FIELDS,
    LIVE_STATUSES,
    PLACEMENT_FIELDS,
    ParticipationRefused,
    add_participation,
    change_participation,
    check_participation_form,
    check_project_form,
    long_placement_warning,
    participation_kind_for,
    participation_kind_label,
    participation_status_label,
    project_form_fields,
    project_kind_label,
    project_status_label,
    withdraw_participation,
    workstation_kind_label,
)
from partners.coeducation.queries import (
    FILTER_LENGTH,
    PROJECT_SORT_KEYS,
    ProjectFilters,
    find_project,
    member_rows,
    project_assignments,
    project_count,
    project_rows,
    project_timeline,
    seats_taken,
)
from partners.coeducation.tables import MentorAssignment, Participation, ParticipationKind, Project
from partners.organizations.tables import (
    Enterprise,
    JointOrganization,
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
from portal.vocabulary import (
    PARTICIPATION_KINDS,
    PARTICIPATION_STATUSES,
    PROJECT_KINDS,
    PROJECT_STATUSES,
    WORKSTATION_KINDS,
)
from portal.xlsx import Column

LABELS = {
    "kind_label": project_kind_label,
    "status_label": project_status_label,
    "workstation_kind_label": workstation_kind_label,
    "participation_kind_label": participation_kind_label,
    "participation_status_label": participation_status_label,
}
MEMBER_SIZE_DEFAULT = 20
# The first page of the project's assignments in the dual-mentor list; the rest is one link
# away, where they can be searched, sorted and exported.
ASSIGNMENT_PREVIEW = 20


def label_dicts() -> dict[str, dict[str, str]]:
    """Every code's label in the request's language, looked up by the templates (a label
    function called per table row costs a gettext call each)."""
    return {
        "kind_labels": labels(PROJECT_KINDS),
        "status_labels": labels(PROJECT_STATUSES),
        "workstation_kind_labels": {
            code: workstation_kind_label(code) for code in WORKSTATION_KINDS
        },
        "participation_kind_labels": {
            code: participation_kind_label(code) for code in PARTICIPATION_KINDS
        },
        "participation_status_labels": {
            code: participation_status_label(code) for code in PARTICIPATION_STATUSES
        },
    }


def project_scope(request: Request) -> list[Any]:
    """A partner sees the projects of its own enterprise only."""
    if is_coordinator(request):
        return []
    return [Project.enterprise == request.user.enterprise_id]


@allow(Role.coordinator, Role.partner)
@cached_page
async def project_list(request: Request) -> Response:
    viewer = request.user
    filters = ProjectFilters.from_query(request.query_params)
    sort = Sort.from_query(request.query_params, PROJECT_SORT_KEYS, "name")
    page_request = PageRequest.from_query(request.query_params)
    total = await cached_value(
        request,
        ("project_count", viewer.scope_key, filters),
        lambda: project_count(viewer, filters),
    )
    rows = await project_rows(viewer, filters, sort, page_request.size, page_request.offset)
    return render(
        request,
        "coeducation/project_list.html",
        {
            "page": Page(rows=rows, request=page_request, total=total),
            "taken": await seats_taken([row.id for row in rows]),
            "sort": sort,
            "filters": filters.as_params(),
            "can_manage": is_coordinator(request),
            **label_dicts(),
        },
    )


@allow(Role.coordinator, Role.partner)
async def project_list_export(request: Request) -> Response:
    viewer = request.user
    filters = ProjectFilters.from_query(request.query_params)
    sort = Sort.from_query(request.query_params, PROJECT_SORT_KEYS, "name")
    rows, truncated = await export_read(lambda limit: project_rows(viewer, filters, sort, limit))
    taken = await seats_taken(None)
    columns = [
        Column(_("Project name"), "name", 30),
        Column(_("Kind"), lambda row: project_kind_label(row.kind), 12),
        Column(
            _("Kind of workstation"),
            lambda row: (
                workstation_kind_label(row.workstation_kind) if row.workstation_kind else ""
            ),
            14,
        ),
        Column(_("Enterprise"), "enterprise_name", 28),
        Column(_("Joint organization"), "organization_name", 28),
        Column(_("Majors"), "majors", 24),
        Column(_("Starts on"), "starts_on", 12),
        Column(_("Ends on"), "ends_on", 12),
        Column(_("Places taken"), lambda row: taken.get(row.id, 0), 9),
        Column(_("Capacity"), "capacity", 8),
        Column(_("Project status"), lambda row: project_status_label(row.status), 10),
        Column(_("Cohort year"), "cohort_year", 8),
        Column(_("Agreement number"), "agreement_no", 16),
        Column(_("Employment promised (order employment)"), "employment_promised", 12),
        Column(_("Address"), "address", 28),
    ]
    return await excel_export(
        stem=_("Project list"),
        ascii_stem="projects",
        title=_("Co-education projects"),
        columns=columns,
        rows=rows,
        truncated=truncated,
    )


async def get_project_or_404(request: Request, project_id: int) -> dict[str, Any]:
    """Every column of the project, if the viewer may see it (its forms and its summary PDF
    read it as a mapping)."""
    row = (
        await Project.select(
            *Project.all_columns(),
            Project.enterprise.name.as_alias("enterprise_name"),
            Project.enterprise.employee_count.as_alias("employee_count"),
            Project.organization.name.as_alias("organization_name"),
        )
        .where(Project.id == project_id, *project_scope(request))
        .first()
    )
    if row is None:
        raise HTTPException(status_code=404)
    return row


async def project_of(request: Request) -> dict[str, Any]:
    return await get_project_or_404(request, request.path_params["project_id"])


async def members_of(project_id: int) -> list[dict[str, Any]]:
    """Every member of the project, for its summary PDF."""
    return (
        await Participation.select(
            *Participation.all_columns(),
            Participation.student.name.as_alias("student_name"),
            Participation.student.student_no.as_alias("student_no"),
            Participation.student.class_name.as_alias("class_name"),
        )
        .where(Participation.project == project_id)
        .order_by(Participation.created_at)
        .order_by(Participation.id)
    )


async def assignments_of(project_id: int) -> list[dict[str, Any]]:
    """Every dual-mentor assignment of the project, for its summary PDF."""
    return (
        await MentorAssignment.select(
            MentorAssignment.id,
            MentorAssignment.starts_on,
            MentorAssignment.ends_on,
            MentorAssignment.status,
            MentorAssignment.created_at,
            MentorAssignment.student.name.as_alias("student_name"),
            MentorAssignment.student.student_no.as_alias("student_no"),
            MentorAssignment.college_mentor.id.as_alias("college_mentor_id"),
            MentorAssignment.college_mentor.name.as_alias("college_mentor_name"),
            MentorAssignment.enterprise_mentor.id.as_alias("enterprise_mentor_id"),
            MentorAssignment.enterprise_mentor.name.as_alias("enterprise_mentor_name"),
        )
        .where(MentorAssignment.project == project_id)
        .order_by(MentorAssignment.starts_on)
        .order_by(MentorAssignment.id)
    )


def route_exists(request: Request, name: str) -> bool:
    return any(getattr(route, "name", None) == name for route in request.app.routes)


def can_add_members(request: Request, project_kind: str) -> bool:
    """Coordinators enroll and place; a partner places students at its own training bases."""
    if is_coordinator(request):
        return True
    return participation_kind_for(project_kind) == ParticipationKind.placement.value


def member_paging(query: QueryParams) -> tuple[str, PageRequest, dict[str, str]]:
    """The members table's search and page (``?members_q=``, ``?members_page=``,
    ``?members_size=`` — the list page sizes), and the parameters its links keep."""
    page_request = PageRequest.from_query(
        QueryParams(
            {"page": query.get("members_page", "1"), "size": query.get("members_size", "")}
        ),
        default_size=MEMBER_SIZE_DEFAULT,
    )
    search = query.get("members_q", "").strip()[:FILTER_LENGTH]
    size = "" if page_request.size == MEMBER_SIZE_DEFAULT else str(page_request.size)
    return search, page_request, {"members_q": search, "members_size": size}


@allow(Role.coordinator, Role.partner)
@cached_page
async def project_detail(request: Request) -> Response:
    viewer = request.user
    search, page_request, member_params = member_paging(request.query_params)
    project = await find_project(viewer, request.path_params["project_id"], search)
    if project is None:
        raise HTTPException(status_code=404)
    members = await member_rows(project.id, search, page_request.size, page_request.offset)
    assignments = await project_assignments(viewer, project.id, ASSIGNMENT_PREVIEW)
    return render(
        request,
        "coeducation/project_detail.html",
        {
            "project": project,
            "members_page": Page(rows=members, request=page_request, total=project.matching),
            "member_query": search,
            "member_params": member_params,
            "long_warning": long_placement_warning() if project.long_placements else "",
            "assignments": assignments,
            "timeline": await project_timeline(project.id),
            "can_manage": is_coordinator(request),
            "can_add": can_add_members(request, project.kind),
            "link_mentorships": route_exists(request, "mentorship_detail"),
            "link_mentors": route_exists(request, "mentor_detail"),
            "live_statuses": LIVE_STATUSES,
            **label_dicts(),
        },
    )


# --- create / edit / delete ------------------------------------------------------------------


async def choice_options() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    enterprises = await Enterprise.select(Enterprise.id, Enterprise.name).order_by(Enterprise.name)
    organizations = await JointOrganization.select(
        JointOrganization.id, JointOrganization.name
    ).order_by(JointOrganization.name)
    return (
        [(row["id"], row["name"]) for row in enterprises],
        [(row["id"], row["name"]) for row in organizations],
    )


async def form_page(
    request: Request, form: FormState, kind: str, project: dict | None, status_code: int = 200
) -> Response:
    enterprises, organizations = await choice_options()
    return render(
        request,
        "coeducation/project_form.html",
        {
            **form.context(),
            "project": project,
            "kind": kind,
            "kind_options": [(code, project_kind_label(code)) for code in PROJECT_KINDS],
            "status_options": [(code, project_status_label(code)) for code in PROJECT_STATUSES],
            "workstation_options": [
                (code, workstation_kind_label(code)) for code in WORKSTATION_KINDS
            ],
            "enterprise_options": enterprises,
            "organization_options": organizations,
            **LABELS,
        },
        status_code=status_code,
    )


def edit_values(project: dict[str, Any]) -> dict[str, str]:
    values = {}
    for name in [*COMMON_FIELDS, *ALL_KIND_FIELDS]:
        value = project[name]
        values[name] = "" if value is None else str(value)
    values["employment_promised"] = "on" if project["employment_promised"] else ""
    return values


async def save_project(request: Request, values: dict[str, Any], project: dict | None) -> int:
    """Creates or updates a project in one audited transaction; returns its id."""
    async with audited_write(actor_of(request)) as audit:
        if project is None:
            row = (await Project.insert(Project(**values)).returning(Project.id))[0]
            await audit.created(Project, row["id"], values, values["name"])
            return row["id"]
        await Project.update(values).where(Project.id == project["id"])
        before = {name: project[name] for name in values}
        await audit.updated(Project, project["id"], before, values, values["name"])
        return project["id"]


async def submit_project_form(request: Request, project: dict | None) -> Response:
    form_data = await read_form(request)
    kind = project["kind"] if project else str(form_data.get("kind", ""))
    form = FormState.from_form(form_data, ["kind", *project_form_fields(kind)])
    if project is None:
        form.choice("kind", PROJECT_KINDS)
    enterprises, organizations = await choice_options()
    values = check_project_form(
        form, kind, [i for i, _n in enterprises], [i for i, _n in organizations]
    )
    if not form.valid:
        return await form_page(request, form, kind, project, status_code=400)
    if project is None:
        values["kind"] = kind
    project_id = await save_project(request, values, project)
    if project is None:
        flash(request, _("Project %(name)s was added.", name=values["name"]))
    else:
        flash(request, _("The changes were saved."))
    return RedirectResponse(request.url_for("project_detail", project_id=project_id), 303)


@allow(Role.coordinator)
async def project_create(request: Request) -> Response:
    if request.method == "GET":
        kind = request.query_params.get("kind", "")
        kind = kind if kind in PROJECT_KINDS else ""
        defaults = {"kind": kind, "status": "planning"}
        return await form_page(request, FormState(values=defaults), kind, None)
    return await submit_project_form(request, None)


@allow(Role.coordinator)
async def project_edit(request: Request) -> Response:
    project = await project_of(request)
    if request.method == "GET":
        form = FormState(values=edit_values(project))
        return await form_page(request, form, project["kind"], project)
    return await submit_project_form(request, project)


class HasParticipations(Exception):
    """Students joined the project: it stays, for their records (close it instead)."""


async def delete_project(request: Request, project: dict[str, Any]) -> None:
    async with audited_write(actor_of(request)) as audit:
        if await Participation.exists().where(Participation.project == project["id"]):
            raise HasParticipations
        await Project.delete().where(Project.id == project["id"])
        before = {name: project[name] for name in [*COMMON_FIELDS, "kind"]}
        await audit.deleted(Project, project["id"], before, project["name"])


@allow(Role.coordinator)
async def project_delete(request: Request) -> Response:
    project = await project_of(request)
    members = await Participation.count().where(Participation.project == project["id"])
    if request.method == "GET":
        return render(
            request, "coeducation/project_delete.html", {"project": project, "members": members}
        )
    detail_url = request.url_for("project_detail", project_id=project["id"])
    try:
        await delete_project(request, project)
    except HasParticipations:
        flash(
            request,
            _(
                "Students have joined this project, so it cannot be deleted. To end it, set "
                "its status to Closed."
            ),
            "error",
        )
        return RedirectResponse(detail_url, 303)
    except Exception as error:
        if not is_foreign_key_violation(error):
            raise
        flash(
            request,
            _("This project still has dual-mentor assignments and cannot be deleted."),
            "error",
        )
        return RedirectResponse(detail_url, 303)
    flash(request, _("Project %(name)s was deleted.", name=project["name"]))
    return RedirectResponse(request.url_for("project_list"), 303)


# --- members: enrollments and placements -------------------------------------------------------


def check_may_add(request: Request, project: dict[str, Any]) -> None:
    if not can_add_members(request, project["kind"]):
        raise HTTPException(status_code=404)


async def get_participation_or_404(request: Request, project: dict[str, Any]) -> dict[str, Any]:
    row = (
        await Participation.select(
            *Participation.all_columns(),
            Participation.student.name.as_alias("student_name"),
            Participation.student.student_no.as_alias("student_no"),
        )
        .where(
            Participation.id == request.path_params["participation_id"],
            Participation.project == project["id"],
        )
        .first()
    )
    if row is None:
        raise HTTPException(status_code=404)
    if not is_coordinator(request) and row["kind"] != ParticipationKind.placement.value:
        raise HTTPException(status_code=404)
    return row


def member_form(
    request: Request,
    form: FormState,
    project: dict[str, Any],
    participation: dict | None,
    status_code: int = 200,
) -> Response:
    kind = participation["kind"] if participation else participation_kind_for(project["kind"])
    return render(
        request,
        "coeducation/project_member_form.html",
        {
            **form.context(),
            "project": project,
            "participation": participation,
            "member_kind": kind,
            "is_placement": kind == ParticipationKind.placement.value,
            "positions": [p for p in project["positions"].splitlines() if p.strip()],
            "status_options": [
                (code, participation_status_label(code)) for code in PARTICIPATION_STATUSES
            ],
            **LABELS,
        },
        status_code=status_code,
    )


def after_save(request: Request, project: dict[str, Any], saved, message: str) -> Response:
    flash(request, message)
    if saved.status == "pending":
        flash(
            request,
            _(
                "The placement stays pending until both the placement agreement and the "
                "liability insurance are recorded."
            ),
            "warning",
        )
    for warning in saved.warnings:
        flash(request, warning, "warning")
    return RedirectResponse(request.url_for("project_detail", project_id=project["id"]), 303)


@allow(Role.coordinator, Role.partner)
async def participation_create(request: Request) -> Response:
    project = await project_of(request)
    check_may_add(request, project)
    kind = participation_kind_for(project["kind"])
    if request.method == "GET":
        return member_form(request, FormState(), project, None)
    names = ["student_no", *PLACEMENT_FIELDS]
    form = FormState.from_form(await read_form(request), names)
    values = check_participation_form(form, kind, creating=True)
    if form.valid:
        try:
            saved = await add_participation(
                actor_of(request), project["id"], values, datetime.date.today()
            )
        except ParticipationRefused as refused:
            form.add_error(refused.field, refused.message)
    if not form.valid:
        return member_form(request, form, project, None, status_code=400)
    return after_save(request, project, saved, _("The student was added to the project."))


def member_values(participation: dict[str, Any]) -> dict[str, str]:
    names = [*PLACEMENT_FIELDS, "status"]
    return {name: "" if participation[name] is None else str(participation[name]) for name in names}


@allow(Role.coordinator, Role.partner)
async def participation_edit(request: Request) -> Response:
    project = await project_of(request)
    participation = await get_participation_or_404(request, project)
    if request.method == "GET":
        return member_form(
            request, FormState(values=member_values(participation)), project, participation
        )
    form = FormState.from_form(await read_form(request), [*PLACEMENT_FIELDS, "status"])
    values = check_participation_form(form, participation["kind"], creating=False)
    if form.valid:
        try:
            saved = await change_participation(actor_of(request), participation, values)
        except ParticipationRefused as refused:
            form.add_error(refused.field, refused.message)
    if not form.valid:
        return member_form(request, form, project, participation, status_code=400)
    return after_save(request, project, saved, _("The changes were saved."))


@allow(Role.coordinator, Role.partner)
async def participation_withdraw(request: Request) -> Response:
    project = await project_of(request)
    participation = await get_participation_or_404(request, project)
    if participation["status"] in LIVE_STATUSES:
        await withdraw_participation(actor_of(request), participation)
        flash(
            request,
            _("%(name)s was withdrawn from the project.", name=participation["student_name"]),
        )
    return RedirectResponse(request.url_for("project_detail", project_id=project["id"]), 303)


MEMBER_PATH = "/projects/{project_id:int}/members/{participation_id:int}"

routes = [
    Route("/projects/", project_list, name="project_list"),
    Route("/projects/export.xlsx", project_list_export, name="project_list_export"),
    Route("/projects/new", project_create, methods=["GET", "POST"], name="project_create"),
    Route("/projects/{project_id:int}", project_detail, name="project_detail"),
    Route(
        "/projects/{project_id:int}/edit",
        project_edit,
        methods=["GET", "POST"],
        name="project_edit",
    ),
    Route(
        "/projects/{project_id:int}/delete",
        project_delete,
        methods=["GET", "POST"],
        name="project_delete",
    ),
    Route(
        "/projects/{project_id:int}/members/new",
        participation_create,
        methods=["GET", "POST"],
        name="participation_create",
    ),
    Route(
        MEMBER_PATH + "/edit",
        participation_edit,
        methods=["GET", "POST"],
        name="participation_edit",
    ),
    Route(
        MEMBER_PATH + "/withdraw",
        participation_withdraw,
        methods=["POST"],
        name="participation_withdraw",
    ),
]
