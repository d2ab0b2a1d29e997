"""Co-education project pages (协同育人项目): list per kind, detail with members, mentors and
a timeline, create/edit/delete for coordinators, and enrollments and placements.

A partner sees only its own enterprise's projects and may add and update placements at its
training bases; everything else of other enterprises is a 404."""

from __future__ import annotations

import datetime
from typing import Any

from piccolo.query.functions.aggregate import Count
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import is_coordinator
from partners.projects import (
    ALL_KIND_FIELDS,
    COMMON_FIELDS,
    LIVE_STATUSES,
    PARTICIPATION_STATUSES,
    PLACEMENT_FIELDS,
    PROJECT_KINDS,
    PROJECT_STATUSES,
    WORKSTATION_KINDS,
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
    runs_too_long,
    withdraw_participation,
    workstation_kind_label,
)
from partners.tables import (
    Enterprise,
    JointOrganization,
    MentorAssignment,
    Participation,
    ParticipationKind,
    Project,
)
from portal.audit import actor_of, audited_write
from portal.auth import allow
from portal.db import contains, is_foreign_key_violation
from portal.exports import excel_export, export_rows
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _
from portal.listing import Listing
from portal.pagination import Page, PageRequest, Sort
from portal.tables import Role
from portal.templating import render
from portal.xlsx import Column

SORT_KEYS = ("name", "starts_on", "status")
FILTERS = ("q", "kind", "status")
LABELS = {
    "kind_label": project_kind_label,
    "status_label": project_status_label,
    "workstation_kind_label": workstation_kind_label,
    "participation_kind_label": participation_kind_label,
    "participation_status_label": participation_status_label,
}
LIST_COLUMNS = (
    Project.id,
    Project.kind,
    Project.name,
    Project.enterprise.id.as_alias("enterprise_id"),
    Project.enterprise.name.as_alias("enterprise_name"),
    Project.starts_on,
    Project.ends_on,
    Project.capacity,
    Project.status,
)


def project_scope(request: Request) -> list[Any]:
    """A partner sees the projects of its own enterprise only."""
    if is_coordinator(request):
        return []
    return [Project.enterprise == request.user.enterprise_id]


def list_conditions(request: Request, query: dict[str, str]) -> list[Any]:
    conditions: list[Any] = list(project_scope(request))
    if search := query.get("q", "").strip():
        conditions.append(
            contains(Project.name, search) | contains(Project.enterprise.name, search)
        )
    if (kind := query.get("kind", "")) in PROJECT_KINDS:
        conditions.append(Project.kind == kind)
    if (status := query.get("status", "")) in PROJECT_STATUSES:
        conditions.append(Project.status == status)
    return conditions


async def seats_taken(project_ids: list[int] | Any) -> dict[int, int]:
    """Live members per project, in one grouped query (`project_ids`: a list, or a subquery
    of the listed projects for an export)."""
    if isinstance(project_ids, list) and not project_ids:
        return {}
    rows = (
        await Participation.select(Participation.project, Count(alias="taken"))
        .where(
            Participation.project.is_in(project_ids),
            Participation.status.is_in(list(LIVE_STATUSES)),
        )
        .group_by(Participation.project)
    )
    return {row["project"]: row["taken"] for row in rows}


def project_listing(request: Request) -> Listing:
    """The projects the viewer may see that the query string selects, in its order: shared by
    the page and its export."""
    query = dict(request.query_params)
    sort = Sort.from_query(request.query_params, SORT_KEYS, "name")
    filters = {name: query.get(name, "") for name in FILTERS}
    if filters["kind"] not in PROJECT_KINDS:
        filters["kind"] = ""
    return Listing(
        conditions=list_conditions(request, query),
        order=[(getattr(Project, sort.key), not sort.descending), (Project.id, True)],
        filters=filters,
        sort=sort,
    )


@allow(Role.coordinator, Role.partner)
async def project_list(request: Request) -> Response:
    listing = project_listing(request)
    page_request = PageRequest.from_query(request.query_params)
    total = await Project.count().where(*listing.conditions)
    rows = (
        await listing.apply(Project.select(*LIST_COLUMNS))
        .limit(page_request.size)
        .offset(page_request.offset)
    )
    return render(
        request,
        "partners/project_list.html",
        {
            "page": Page(rows=rows, request=page_request, total=total),
            "taken": await seats_taken([row["id"] for row in rows]),
            "sort": listing.sort,
            "filters": listing.filters,
            "kinds": PROJECT_KINDS,
            "statuses": PROJECT_STATUSES,
            "can_manage": is_coordinator(request),
            **LABELS,
        },
    )


EXPORT_COLUMNS = (
    *LIST_COLUMNS,
    Project.organization.name.as_alias("organization_name"),
    Project.majors,
    Project.cohort_year,
    Project.agreement_no,
    Project.employment_promised,
    Project.address,
    Project.workstation_kind,
)


@allow(Role.coordinator, Role.partner)
async def project_list_export(request: Request) -> Response:
    listing = project_listing(request)
    rows, truncated = await export_rows(listing.apply(Project.select(*EXPORT_COLUMNS)))
    taken = await seats_taken(Project.select(Project.id).where(*listing.conditions))
    columns = [
        Column(_("Project name"), "name", 30),
        Column(_("Kind"), lambda row: project_kind_label(row["kind"]), 12),
        Column(
            _("Kind of workstation"),
            lambda row: (
                workstation_kind_label(row["workstation_kind"]) if row["workstation_kind"] else ""
            ),
            14,
        ),
        Column(_("Enterprise"), "enterprise_name", 28),
        Column(_("Joint organization"), "organization_name", 28),
        Column(_("Majors"), "majors", 24),
        Column(_("Starts on"), "starts_on", 12),
        Column(_("Ends on"), "ends_on", 12),
        Column(_("Places taken"), lambda row: taken.get(row["id"], 0), 9),
        Column(_("Capacity"), "capacity", 8),
        Column(_("Project status"), lambda row: project_status_label(row["status"]), 10),
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


def timeline(
    project: dict[str, Any], members: list[dict[str, Any]], assignments: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What happened, newest first, read from the rows themselves."""
    events = [{"at": project["created_at"], "text": _("Project created")}]
    for member in members:
        text = _("%(name)s joined", name=member["student_name"])
        events.append({"at": member["created_at"], "text": text})
    for assignment in assignments:
        text = _("Dual mentors assigned to %(name)s", name=assignment["student_name"])
        events.append({"at": assignment["created_at"], "text": text})
    return sorted(events, key=lambda event: event["at"], reverse=True)


def route_exists(request: Request, name: str) -> bool:
    return any(getattr(route, "name", None) == name for route in request.app.routes)


def can_add_members(request: Request, project: dict[str, Any]) -> bool:
    """Coordinators enroll and place; a partner places students at its own training bases."""
    if is_coordinator(request):
        return True
    return participation_kind_for(project["kind"]) == ParticipationKind.placement.value


@allow(Role.coordinator, Role.partner)
async def project_detail(request: Request) -> Response:
    project = await project_of(request)
    members = await members_of(project["id"])
    assignments = await assignments_of(project["id"])
    live = sum(1 for member in members if member["status"] in LIVE_STATUSES)
    long_ones = {
        member["id"]
        for member in members
        if member["kind"] == ParticipationKind.placement.value
        and member["status"] in LIVE_STATUSES
        and runs_too_long(member["starts_on"], member["ends_on"])
    }
    return render(
        request,
        "partners/project_detail.html",
        {
            "project": project,
            "members": members,
            "live": live,
            "long_ones": long_ones,
            "long_warning": long_placement_warning() if long_ones else "",
            "assignments": assignments,
            "timeline": timeline(project, members, assignments),
            "positions": [p for p in project["positions"].splitlines() if p.strip()],
            "can_manage": is_coordinator(request),
            "can_add": can_add_members(request, project),
            "link_mentorships": route_exists(request, "mentorship_detail"),
            "link_mentors": route_exists(request, "mentor_detail"),
            "live_statuses": LIVE_STATUSES,
            **LABELS,
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
        "partners/project_form.html",
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
            request, "partners/project_delete.html", {"project": project, "members": members}
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
    if not can_add_members(request, project):
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
        "partners/project_member_form.html",
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
