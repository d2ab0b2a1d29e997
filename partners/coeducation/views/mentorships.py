"""Dual-mentor assignment pages (双导师): list, create, detail, end; mentoring logs and their
acknowledgment by the student; evaluations.

Every assignment is read through partners.coeducation.queries with the viewer's scope, so one
outside the viewer's reach is a 404 like one that does not exist. The pages parse the request,
call the rules and transactions of partners.coeducation.mentorships and render; a refused form
comes back with its messages (portal.forms.answer_refusals_with)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import is_coordinator
from partners.coeducation.deletions import ending
from partners.coeducation.mentors import MentorLoad, suggested_mentors
from partners.coeducation.mentorships import (
    ASSIGNMENT_FIELDS,
    EVALUATION_FIELDS,
    LOG_FIELDS,
    ProjectChoice,
    acknowledge_log,
    add_evaluation,
    add_log,
    average_scores,
    check_evaluation_form,
    check_log_form,
    check_may_end,
    create_assignment,
    current_term,
    end_assignment,
    plan_assignment,
    project_choice,
    read_assignment_form,
    students_to_pair,
    writer_of,
)
from partners.coeducation.queries import (
    MENTORSHIP_DEFAULT_SORT,
    MENTORSHIP_SORT_KEYS,
    AssignmentRow,
    MentorshipFilters,
    evaluations_of,
    find_assignment,
    logs_of,
    mentorship_count,
    mentorship_projects,
    mentorship_rows,
    open_project_options,
    student_number,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.domain_errors import NotVisible, Refused
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest, Sort
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import ASSIGNMENT_STATUSES, DIMENSIONS, MENTORING_MODES, label
from portal.xlsx import Column

STAFF = (Role.coordinator, Role.partner, Role.mentor)
SUGGESTIONS_SHOWN = 5


def label_dicts() -> dict[str, Mapping[str, str]]:
    """The labels of the codes the pages show, in the request's language, looked up by the
    templates instead of a label function called per row."""
    return {
        "status_labels": labels(ASSIGNMENT_STATUSES),
        "mode_labels": labels(MENTORING_MODES),
        "score_labels": labels(DIMENSIONS),
    }


def project_url(request: Request, project_id: int | None) -> str:
    """The project page, for those who may open it (coordinators and partners)."""
    if project_id is None or request.user.role not in (Role.coordinator, Role.partner):
        return ""
    return str(request.url_for("project_detail", project_id=project_id))


def record_url(request: Request, student_id: int) -> str:
    """Where a viewer reads a student's record: the student page for coordinators, the
    record page for partners and mentors, none for the student (they are on it)."""
    role = request.user.role
    if role is Role.coordinator:
        return str(request.url_for("student_detail", student_id=student_id))
    if role in (Role.partner, Role.mentor):
        return str(request.url_for("student_record", student_id=student_id))
    return ""


# --- list ----------------------------------------------------------------------------------------


def mentorship_listing(request: Request) -> tuple[MentorshipFilters, Sort]:
    """The filters and the order of the query string: shared by the page and its export."""
    filters = MentorshipFilters.from_query(request.query_params)
    sort = Sort.from_query(request.query_params, MENTORSHIP_SORT_KEYS, MENTORSHIP_DEFAULT_SORT)
    return filters, sort


@allow(*STAFF)
@cached_page
async def mentorship_list(request: Request) -> Response:
    viewer = request.user
    filters, sort = mentorship_listing(request)
    page_request = PageRequest.from_query(request.query_params)
    scope = viewer.scope_key
    total = await cached_value(
        request, ("mentorship_count", scope, filters), lambda: mentorship_count(viewer, filters)
    )
    rows = await mentorship_rows(viewer, filters, sort, page_request.size, page_request.offset)
    projects = await cached_value(
        request, ("mentorship_projects", scope), lambda: mentorship_projects(viewer)
    )
    return render(
        request,
        "coeducation/mentorship_list.html",
        {
            "page": Page(rows=rows, request=page_request, total=total),
            "sort": sort,
            "filters": filters.as_params(),
            "projects": projects,
            "can_create": is_coordinator(request.user),
            **label_dicts(),
        },
    )


@allow(*STAFF)
async def mentorship_list_export(request: Request) -> Response:
    viewer = request.user
    filters, sort = mentorship_listing(request)
    rows, truncated = await export_read(lambda limit: mentorship_rows(viewer, filters, sort, limit))
    columns = [
        Column(_("Student"), "student_name", 10),
        Column(_("Student number"), "student_no", 14),
        Column(_("Project"), "project_name", 28),
        Column(_("College mentor"), "college_mentor_name", 10),
        Column(_("Enterprise mentor"), "enterprise_mentor_name", 10),
        Column(_("Starts on"), "starts_on", 12),
        Column(_("Ends on"), "ends_on", 12),
        Column(_("Status"), lambda row: label(ASSIGNMENT_STATUSES, row.status), 8),
        Column(_("Last log"), "last_log", 12),
        Column(_("Mentoring logs"), "logs", 9),
        Column(_("Hours"), "hours", 8, number_format="0.0"),
    ]
    return await excel_export(
        stem=_("Dual-mentor assignment list"),
        ascii_stem="mentorships",
        title=_("Dual-mentor assignments"),
        columns=columns,
        rows=rows,
        truncated=truncated,
    )


# --- detail --------------------------------------------------------------------------------------


async def assignment_of(request: Request) -> AssignmentRow:
    """The assignment named in the path, if the viewer may see it (else a 404)."""
    row = await find_assignment(request.user, request.path_params["assignment_id"])
    if row is None:
        raise NotVisible
    return row


def may_write(request: Request) -> bool:
    return request.user.role in STAFF


@allow(*STAFF, Role.student)
@cached_page
async def mentorship_detail(request: Request) -> Response:
    assignment = await assignment_of(request)
    evaluations = await evaluations_of(assignment.id)
    return render(
        request,
        "coeducation/mentorship_detail.html",
        {
            "assignment": assignment,
            "logs": await logs_of(assignment.id),
            "evaluations": evaluations,
            "averages": average_scores(row.score_map for row in evaluations),
            "can_write": may_write(request),
            "can_end": is_coordinator(request.user) and assignment.status == "active",
            "is_student": request.user.role is Role.student,
            "student_url": record_url(request, assignment.student_id),
            "project_url": project_url(request, assignment.project_id),
            **label_dicts(),
        },
    )


@allow(Role.coordinator)
async def mentorship_end(request: Request) -> Response:
    assignment = await assignment_of(request)
    target = request.url_for("mentorship_detail", assignment_id=assignment.id)
    try:
        check_may_end(assignment.status)
        if request.method == "GET":
            preview = await ending(request.user, assignment, datetime.date.today())
            return render(
                request,
                "coeducation/mentorship_end.html",
                {"assignment": assignment, "ending": preview},
            )
        await end_assignment(actor_of(request), assignment.id, datetime.date.today())
    except Refused as refusal:
        # Ending is a confirmation, not a form: an assignment that has ended goes back to its
        # page with the message, as a redirect rather than an error page.
        for error in refusal.errors:
            flash(request, error.message, "error")
        return RedirectResponse(target, 303)
    flash(request, _("The assignment was ended."))
    return RedirectResponse(target, 303)


# --- create --------------------------------------------------------------------------------------


def mentor_option(mentor: MentorLoad) -> tuple[int, str]:
    party = _("party member") if mentor.party_member else ""
    free = _("%(free)s of %(max)s places free", free=mentor.free, max=mentor.max_mentees)
    return mentor.id, " · ".join(part for part in (mentor.name, party, free) if part)


async def mentor_choices(project: ProjectChoice | None) -> dict[str, Any]:
    """The mentors the form offers and suggests: every college mentor with free places, and
    the enterprise mentors with free places — of the project's enterprise only when a project
    is chosen (the rule check_mentor_pair holds the saved assignment to) — and the project's
    students still without an assignment in it."""
    college = await suggested_mentors("college")
    enterprise = await suggested_mentors("enterprise", project.enterprise if project else None)
    return {
        "college_options": [mentor_option(m) for m in college],
        "enterprise_options": [mentor_option(m) for m in enterprise],
        "college_suggestions": college[:SUGGESTIONS_SHOWN],
        "enterprise_suggestions": enterprise[:SUGGESTIONS_SHOWN],
        "project": project,
        "project_students": await students_to_pair(project.id) if project else [],
    }


async def create_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    project = await project_choice(form.values.get("project", ""))
    return render(
        request,
        "coeducation/mentorship_form.html",
        {
            **form.context(),
            "project_options": await open_project_options(),
            **await mentor_choices(project),
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def mentorship_mentor_options(request: Request) -> Response:
    """The mentor selects of the new assignment form for the project in ``?project=`` (and,
    out of band, the suggestions and the project's students to pair), swapped in by htmx as
    soon as a project is chosen; the chosen mentors stay chosen while still offered. A project
    that does not exist or is closed (not an option of the form) is a 404."""
    raw = request.query_params.get("project", "")
    project = await project_choice(raw)
    if raw and (project is None or project.status == "closed"):
        raise NotVisible
    values = {
        name: request.query_params.get(name, "") for name in ("college_mentor", "enterprise_mentor")
    }
    return render(
        request,
        "coeducation/mentorship_mentor_options.html",
        {**FormState(values=values).context(), **await mentor_choices(project)},
    )


async def create_defaults(query: QueryParams) -> dict[str, str]:
    """The new assignment form, filled in from the project and student pages' links."""
    values = {"starts_on": datetime.date.today().isoformat()}
    if (project := query.get("project", "")).isdigit():
        values["project"] = project
    if (student := query.get("student", "")).isdigit():
        values["student_no"] = await student_number(int(student)) or ""
    return values


@allow(Role.coordinator)
async def mentorship_create(request: Request) -> Response:
    if request.method == "GET":
        values = await create_defaults(request.query_params)
        return await create_page(request, FormState(values=values))
    form = FormState.from_form(await read_form(request), ASSIGNMENT_FIELDS)
    answer_refusals_with(
        request, form, lambda refused, status: create_page(request, refused, status)
    )
    new = await plan_assignment(read_assignment_form(form))
    if new is None or not form.valid:
        return await create_page(request, form, status_code=400)
    assignment_id = await create_assignment(actor_of(request), new)
    flash(request, _("The dual-mentor assignment was created."))
    return RedirectResponse(request.url_for("mentorship_detail", assignment_id=assignment_id), 303)


# --- logs ----------------------------------------------------------------------------------------


def writer_page(
    request: Request,
    template: str,
    form: FormState,
    assignment: AssignmentRow,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        template,
        {
            **form.context(),
            "assignment": assignment,
            "writes_for_self": request.user.role is Role.mentor,
            "mentor_options": [
                (assignment.college_mentor, assignment.college_mentor_name),
                (assignment.enterprise_mentor, assignment.enterprise_mentor_name),
            ],
            "mode_options": list(labels(MENTORING_MODES).items()),
            "scores": list(labels(DIMENSIONS).items()),
        },
        status_code=status_code,
    )


def detail_redirect(request: Request, assignment_id: int) -> Response:
    return RedirectResponse(request.url_for("mentorship_detail", assignment_id=assignment_id), 303)


@allow(*STAFF)
async def log_create(request: Request) -> Response:
    assignment = await assignment_of(request)
    template = "coeducation/mentorship_log_form.html"
    if request.method == "GET":
        values = {"held_on": datetime.date.today().isoformat(), "hours": "1"}
        return writer_page(request, template, FormState(values=values), assignment)
    form = FormState.from_form(await read_form(request), LOG_FIELDS)
    answer_refusals_with(
        request,
        form,
        lambda refused, status: writer_page(request, template, refused, assignment, status),
    )
    log = check_log_form(form, datetime.date.today())
    writer = writer_of(request.user, assignment.mentors, form.values.get("mentor", ""))
    if log is None:
        return writer_page(request, template, form, assignment, status_code=400)
    await add_log(actor_of(request), assignment.id, writer, log)
    flash(request, _("The mentoring log was saved."))
    return detail_redirect(request, assignment.id)


def safe_next(raw: str) -> str:
    """Only a path on this site (no scheme, no //host)."""
    return raw if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw else ""


@allow(Role.student)
async def log_acknowledge(request: Request) -> Response:
    """The student of the assignment confirms a log, once; anyone else gets 404."""
    assignment_id = request.path_params["assignment_id"]
    now = datetime.datetime.now().replace(microsecond=0)
    log_id = request.path_params["log_id"]
    if await acknowledge_log(actor_of(request), request.user, assignment_id, log_id, now):
        flash(request, _("You acknowledged the mentoring log."))
    form = await read_form(request)
    target = safe_next(str(form.get("next", ""))) or acknowledged_landing(request, assignment_id)
    return RedirectResponse(target, 303)


def acknowledged_landing(request: Request, assignment_id: int) -> str:
    """Where an acknowledgment lands without a `next`: a student stays on their own record (at
    its logs section, the record has no per-log ids); anyone else goes to the assignment."""
    if request.user.role is Role.student:
        return str(request.url_for("my_record")) + "#logs-h"
    return str(request.url_for("mentorship_detail", assignment_id=assignment_id))


# --- evaluations ---------------------------------------------------------------------------------


@allow(*STAFF)
async def evaluation_create(request: Request) -> Response:
    assignment = await assignment_of(request)
    template = "coeducation/mentorship_evaluation_form.html"
    if request.method == "GET":
        values = {"term": current_term(datetime.date.today())}
        return writer_page(request, template, FormState(values=values), assignment)
    form = FormState.from_form(await read_form(request), EVALUATION_FIELDS)
    answer_refusals_with(
        request,
        form,
        lambda refused, status: writer_page(request, template, refused, assignment, status),
    )
    evaluation = check_evaluation_form(form)
    writer = writer_of(request.user, assignment.mentors, form.values.get("mentor", ""))
    if evaluation is None:
        return writer_page(request, template, form, assignment, status_code=400)
    await add_evaluation(
        actor_of(request), assignment.id, assignment.student_id, writer, evaluation
    )
    flash(request, _("The evaluation was saved."))
    return detail_redirect(request, assignment.id)


ASSIGNMENT = "/mentorships/{assignment_id:int}"
routes = [
    Route("/mentorships/", mentorship_list, name="mentorship_list"),
    Route("/mentorships/export.xlsx", mentorship_list_export, name="mentorship_list_export"),
    Route("/mentorships/new", mentorship_create, methods=["GET", "POST"], name="mentorship_create"),
    Route(
        "/mentorships/new/mentors",
        mentorship_mentor_options,
        name="mentorship_mentor_options",
    ),
    Route(ASSIGNMENT, mentorship_detail, name="mentorship_detail"),
    Route(ASSIGNMENT + "/end", mentorship_end, methods=["GET", "POST"], name="mentorship_end"),
    Route(ASSIGNMENT + "/logs/new", log_create, methods=["GET", "POST"], name="log_create"),
    Route(
        ASSIGNMENT + "/logs/{log_id:int}/acknowledge",
        log_acknowledge,
        methods=["POST"],
        name="log_acknowledge",
    ),
    Route(
        ASSIGNMENT + "/evaluations/new",
        evaluation_create,
        methods=["GET", "POST"],
        name="evaluation_create",
    ),
]
