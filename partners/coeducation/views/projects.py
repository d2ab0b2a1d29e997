"""Co-education project pages (协同育人项目): list per kind, detail with members (paged and
searchable), mentors and a timeline, create/edit/delete for coordinators, and enrollments and
placements.

A partner sees only its own enterprise's projects and may add and update placements at its
training bases; everything else of other enterprises is a 404. The list and the detail page
read through partners.coeducation.queries; the forms read the project and its members as
typed records of partners.coeducation.projects and participations, whose rules and
transactions these pages call.
A refused enrollment or placement comes back as its form with the messages
(portal.forms.answer_refusals_with)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import is_coordinator
from partners.coeducation.deletions import project_deletion, withdrawal
from partners.coeducation.participations import (
    MEMBER_FORM_FIELDS,
    PARTY_FIELDS,
    PLACEMENT_RULE_KEYS,
    ParticipationRecord,
    Saved,
    add_participation,
    change_participation,
    check_may_add_members,
    check_participation_form,
    long_placement_warning,
    may_add_members,
    member_form_values,
    participation_kind_for,
    visible_participation,
    withdraw_participation,
)
from partners.coeducation.projects import (
    ALL_KIND_FIELDS,
    COMMON_FIELDS,
    LIVE_STATUSES,
    ProjectRecord,
    check_project_form,
    delete_project,
    project_form_fields,
    save_project,
    visible_project,
)
from partners.coeducation.queries import (
    FILTER_LENGTH,
    PROJECT_SORT_KEYS,
    ProjectFilters,
    enterprise_options,
    find_project,
    member_rows,
    organization_options,
    project_assignments,
    project_count,
    project_rows,
    project_timeline,
    seats_taken,
)
from partners.coeducation.tables import ParticipationKind
from portal.audit import actor_of
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.domain_errors import NotVisible, Refused
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest, Sort
from portal.rulebook import citation, default_numbers, rule
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import (
    AGREEMENT_PARTIES,
    INTERNSHIP_KINDS,
    PARTICIPATION_KINDS,
    PARTICIPATION_STATUSES,
    PROJECT_KINDS,
    PROJECT_STATUSES,
    WORK_TYPES,
    WORKSTATION_KINDS,
    label,
)
from portal.xlsx import Column

MEMBER_SIZE_DEFAULT = 20
# The first page of the project's assignments in the dual-mentor list; the rest is one link
# away, where they can be searched, sorted and exported.
ASSIGNMENT_PREVIEW = 20


def label_dicts() -> dict[str, Mapping[str, str]]:
    """Every code's label in the request's language, looked up by the templates (a label
    function called per table row costs a gettext call each)."""
    return {
        "kind_labels": labels(PROJECT_KINDS),
        "status_labels": labels(PROJECT_STATUSES),
        "workstation_kind_labels": labels(WORKSTATION_KINDS),
        "participation_kind_labels": labels(PARTICIPATION_KINDS),
        "internship_kind_labels": labels(INTERNSHIP_KINDS),
        "participation_status_labels": labels(PARTICIPATION_STATUSES),
    }


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
            "can_manage": is_coordinator(request.user),
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
        Column(_("Kind"), lambda row: label(PROJECT_KINDS, row.kind), 12),
        Column(
            _("Kind of workstation"),
            lambda row: label(WORKSTATION_KINDS, row.workstation_kind or None),
            14,
        ),
        Column(_("Enterprise"), "enterprise_name", 28),
        Column(_("Joint party organization"), "organization_name", 28),
        Column(_("Majors"), "majors", 24),
        Column(_("Starts on"), "starts_on", 12),
        Column(_("Ends on"), "ends_on", 12),
        Column(_("Places taken"), lambda row: taken.get(row.id, 0), 9),
        Column(_("Capacity"), "capacity", 8),
        Column(_("Project status"), lambda row: label(PROJECT_STATUSES, row.status), 10),
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


async def project_of(request: Request) -> ProjectRecord:
    """The project named in the path, if the viewer may see it (else a 404)."""
    return await visible_project(request.user, request.path_params["project_id"])


def route_exists(request: Request, name: str) -> bool:
    return any(getattr(route, "name", None) == name for route in request.app.routes)


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
        raise NotVisible
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
            "can_manage": is_coordinator(viewer),
            "can_add": may_add_members(viewer, project.kind),
            "link_mentorships": route_exists(request, "mentorship_detail"),
            "link_mentors": route_exists(request, "mentor_detail"),
            "live_statuses": LIVE_STATUSES,
            **label_dicts(),
        },
    )


# --- create / edit / delete ------------------------------------------------------------------


def form_page(
    request: Request,
    form: FormState,
    kind: str,
    project: ProjectRecord | None,
    options: tuple[list[tuple[int, str]], list[tuple[int, str]]],
    status_code: int = 200,
) -> Response:
    enterprises, organizations = options
    project_labels = label_dicts()
    return render(
        request,
        "coeducation/project_form.html",
        {
            **form.context(),
            "project": project,
            "kind": kind,
            "kind_options": list(project_labels["kind_labels"].items()),
            "status_options": list(project_labels["status_labels"].items()),
            "workstation_options": list(project_labels["workstation_kind_labels"].items()),
            "enterprise_options": enterprises,
            "organization_options": organizations,
            **project_labels,
        },
        status_code=status_code,
    )


async def choice_options(request: Request) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The enterprises and the joint organizations a project may belong to."""
    return await enterprise_options(request.user), await organization_options()


def edit_values(project: ProjectRecord) -> dict[str, str]:
    """The edit form's fields as the project stands."""
    values = {name: getattr(project, name) for name in [*COMMON_FIELDS, *ALL_KIND_FIELDS]}
    fields = {name: "" if value is None else str(value) for name, value in values.items()}
    fields["employment_promised"] = "on" if project.employment_promised else ""
    return fields


async def submit_project_form(request: Request, project: ProjectRecord | None) -> Response:
    form_data = await read_form(request)
    kind = project.kind if project else str(form_data.get("kind", ""))
    form = FormState.from_form(form_data, ["kind", *project_form_fields(kind)])
    if project is None:
        form.choice("kind", PROJECT_KINDS)
    options = await choice_options(request)
    enterprises, organizations = options
    values = check_project_form(
        form, kind, [i for i, _n in enterprises], [i for i, _n in organizations]
    )
    if not form.valid:
        return form_page(request, form, kind, project, options, status_code=400)
    if project is None:
        values["kind"] = kind
    project_id = await save_project(actor_of(request), values, project)
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
        form = FormState(values=defaults)
        return form_page(request, form, kind, None, await choice_options(request))
    return await submit_project_form(request, None)


@allow(Role.coordinator)
async def project_edit(request: Request) -> Response:
    project = await project_of(request)
    if request.method == "GET":
        form = FormState(values=edit_values(project))
        return form_page(request, form, project.kind, project, await choice_options(request))
    return await submit_project_form(request, project)


@allow(Role.coordinator)
async def project_delete(request: Request) -> Response:
    project = await project_of(request)
    if request.method == "GET":
        deletion = await project_deletion(request.user, project)
        return render(
            request, "coeducation/project_delete.html", {"project": project, "deletion": deletion}
        )
    try:
        await delete_project(actor_of(request), project)
    except Refused as refusal:
        # The delete page has no form to show it on: the project's page says why it stays.
        for error in refusal.errors:
            flash(request, error.message, "error")
        return RedirectResponse(request.url_for("project_detail", project_id=project.id), 303)
    flash(request, _("Project %(name)s was deleted.", name=project.name))
    return RedirectResponse(request.url_for("project_list"), 303)


# --- members: enrollments and placements -------------------------------------------------------


async def participation_of(request: Request, project: ProjectRecord) -> ParticipationRecord:
    """The member named in the path, if the viewer may see them (else a 404)."""
    return await visible_participation(
        request.user, project.id, request.path_params["participation_id"]
    )


def member_form(
    request: Request,
    form: FormState,
    project: ProjectRecord,
    participation: ParticipationRecord | None,
    status_code: int = 200,
) -> Response:
    kind = participation.kind if participation else participation_kind_for(project.kind)
    project_labels = label_dicts()
    return render(
        request,
        "coeducation/project_member_form.html",
        {
            **form.context(),
            "project": project,
            "participation": participation,
            "member_kind": kind,
            "is_placement": kind == ParticipationKind.placement.value,
            "positions": project.position_list,
            "status_options": list(project_labels["participation_status_labels"].items()),
            "internship_kind_options": list(labels(INTERNSHIP_KINDS).items()),
            "work_type_options": list(labels(WORK_TYPES).items()),
            "agreement_party_options": [
                (PARTY_FIELDS[code], text) for code, text in labels(AGREEMENT_PARTIES).items()
            ],
            "is_order_class": project.kind == "order_class",
            "post_share_percent": default_numbers()["placement.post_share"],
            "placement_rules": [
                (str(rule(key).sentence), citation(key)) for key in PLACEMENT_RULE_KEYS
            ],
            **project_labels,
        },
        status_code=status_code,
    )


def after_save(request: Request, project: ProjectRecord, saved: Saved, message: str) -> Response:
    flash(request, message)
    if saved.status == "pending":
        flash(
            request,
            _(
                "The placement stays pending until the placement agreement, the liability "
                "insurance covering its dates, a minor's guardian consent and, for a post "
                "internship, a college and an enterprise mentor are recorded."
            ),
            "warning",
        )
    for warning in saved.warnings:
        flash(request, warning, "warning")
    return RedirectResponse(request.url_for("project_detail", project_id=project.id), 303)


@allow(Role.coordinator, Role.partner)
async def participation_create(request: Request) -> Response:
    project = await project_of(request)
    check_may_add_members(request.user, project.kind)
    kind = participation_kind_for(project.kind)
    if request.method == "GET":
        return member_form(request, FormState(), project, None)
    names = ["student_no", *MEMBER_FORM_FIELDS]
    form = FormState.from_form(await read_form(request), names)
    answer_refusals_with(
        request, form, lambda refused, status: member_form(request, refused, project, None, status)
    )
    values = check_participation_form(form, kind, creating=True)
    if not form.valid:
        return member_form(request, form, project, None, status_code=400)
    saved = await add_participation(actor_of(request), project.id, values, datetime.date.today())
    return after_save(request, project, saved, _("The student was added to the project."))


@allow(Role.coordinator, Role.partner)
async def participation_edit(request: Request) -> Response:
    project = await project_of(request)
    participation = await participation_of(request, project)
    if request.method == "GET":
        form = FormState(values=member_form_values(participation))
        return member_form(request, form, project, participation)
    form = FormState.from_form(await read_form(request), [*MEMBER_FORM_FIELDS, "status"])
    answer_refusals_with(
        request,
        form,
        lambda refused, status: member_form(request, refused, project, participation, status),
    )
    values = check_participation_form(form, participation.kind, creating=False)
    if not form.valid:
        return member_form(request, form, project, participation, status_code=400)
    saved = await change_participation(actor_of(request), participation, values)
    return after_save(request, project, saved, _("The changes were saved."))


@allow(Role.coordinator, Role.partner)
async def participation_withdraw(request: Request) -> Response:
    project = await project_of(request)
    participation = await participation_of(request, project)
    if request.method == "GET":
        preview = await withdrawal(request.user, project, participation, datetime.date.today())
        return render(
            request,
            "coeducation/participation_withdraw.html",
            {"project": project, "participation": participation, "withdrawal": preview},
        )
    if await withdraw_participation(actor_of(request), participation):
        flash(
            request,
            _("%(name)s was withdrawn from the project.", name=participation.student_name),
        )
    return RedirectResponse(request.url_for("project_detail", project_id=project.id), 303)


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
        methods=["GET", "POST"],
        name="participation_withdraw",
    ),
]
