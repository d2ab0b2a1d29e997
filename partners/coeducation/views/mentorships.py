"""Dual-mentor assignment pages (双导师): list, create, detail, end; mentoring logs and their
acknowledgment by the student; evaluations.

Every assignment is read through partners.coeducation.queries with the viewer's scope, so one
outside the viewer's reach is a 404 like one that does not exist."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import is_coordinator
from partners.coeducation.mentorships import (
    ASSIGNMENT_FIELDS,
    EVALUATION_FIELDS,
    LOG_FIELDS,
    RuleError,
    active_counts,
    apply,
    average_scores,
    check_capacity,
    check_evaluation_form,
    check_log_form,
    check_mentor_pair,
    check_period,
    check_writer,
    current_term,
    duplicate_assignment_error,
    duplicate_evaluation_error,
    mode_label,
    no_participation_error,
    score_label,
    status_label,
    suggested_mentors,
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
)
from partners.coeducation.tables import (
    Evaluation,
    Mentor,
    MentorAssignment,
    MentoringLog,
    Participation,
    Project,
)
from portal.audit import actor_of, audited_write
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.db import is_unique_violation
from portal.events import StudentsChanged, announce
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest, Sort
from portal.tables import Role, Student
from portal.templating import render
from portal.vocabulary import ASSIGNMENT_STATUSES, DIMENSIONS, MENTORING_MODES
from portal.xlsx import Column

STAFF = (Role.coordinator, Role.partner, Role.mentor)


def label_dicts() -> dict[str, dict[str, str]]:
    """The labels of the codes the pages show, in the request's language, looked up by the
    templates instead of a label function called per row."""
    return {
        "status_labels": labels(ASSIGNMENT_STATUSES),
        "mode_labels": labels(MENTORING_MODES),
        "score_labels": {name: score_label(name) for name in DIMENSIONS},
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
            "can_create": is_coordinator(request),
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
        Column(_("Status"), lambda row: status_label(row.status), 8),
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


async def get_assignment_or_404(request: Request) -> AssignmentRow:
    row = await find_assignment(request.user, request.path_params["assignment_id"])
    if row is None:
        raise HTTPException(status_code=404)
    return row


def may_write(request: Request) -> bool:
    return request.user.role in STAFF


@allow(*STAFF, Role.student)
@cached_page
async def mentorship_detail(request: Request) -> Response:
    assignment = await get_assignment_or_404(request)
    evaluations = await evaluations_of(assignment.id)
    return render(
        request,
        "coeducation/mentorship_detail.html",
        {
            "assignment": assignment,
            "logs": await logs_of(assignment.id),
            "evaluations": evaluations,
            "averages": average_scores([row.score_map for row in evaluations]),
            "can_write": may_write(request),
            "can_end": is_coordinator(request) and assignment.status == "active",
            "is_student": request.user.role is Role.student,
            "student_url": record_url(request, assignment.student_id),
            "project_url": project_url(request, assignment.project_id),
            **label_dicts(),
        },
    )


@allow(Role.coordinator)
async def mentorship_end(request: Request) -> Response:
    assignment = await get_assignment_or_404(request)
    target = request.url_for("mentorship_detail", assignment_id=assignment.id)
    if assignment.status != "active":
        flash(request, _("This assignment has already ended."), "error")
        return RedirectResponse(target, 303)
    if request.method == "GET":
        return render(request, "coeducation/mentorship_end.html", {"assignment": assignment})
    ends_on = max(datetime.date.today(), assignment.starts_on)
    after = {"status": "ended", "ends_on": ends_on}
    async with audited_write(actor_of(request)) as audit:
        await MentorAssignment.update(after).where(MentorAssignment.id == assignment.id)
        before = {"status": assignment.status, "ends_on": assignment.ends_on}
        await audit.updated(MentorAssignment, assignment.id, before, after, assignment.student_name)
    flash(request, _("The assignment was ended."))
    return RedirectResponse(target, 303)


# --- create --------------------------------------------------------------------------------------


async def project_options() -> list[tuple[int, str]]:
    rows = (
        await Project.select(Project.id, Project.name, Project.enterprise.name.as_alias("e"))
        .where(Project.status != "closed")
        .order_by(Project.name)
    )
    return [(row["id"], f"{row['name']}（{row['e']}）") for row in rows]


async def project_of(raw: str) -> dict[str, Any] | None:
    if not raw.isdigit():
        return None
    return await Project.select().where(Project.id == int(raw)).first()


def mentor_option(mentor: dict[str, Any]) -> tuple[int, str]:
    party = _("party member") if mentor["party_member"] else ""
    free = _("%(free)s of %(max)s places free", free=mentor["free"], max=mentor["max_mentees"])
    return mentor["id"], " · ".join(part for part in (mentor["name"], party, free) if part)


async def create_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    project = await project_of(form.values.get("project", ""))
    college = await suggested_mentors("college")
    enterprise = await suggested_mentors("enterprise", project["enterprise"] if project else None)
    return render(
        request,
        "coeducation/mentorship_form.html",
        {
            **form.context(),
            "project_options": await project_options(),
            "college_options": [mentor_option(m) for m in college],
            "enterprise_options": [mentor_option(m) for m in enterprise],
            "college_suggestions": college[:5],
            "enterprise_suggestions": enterprise[:5],
            "project": project,
        },
        status_code=status_code,
    )


async def fetch_mentor(form: FormState, name: str) -> dict[str, Any] | None:
    raw = form.required(name)
    if not raw:
        return None
    mentor = await Mentor.select().where(Mentor.id == int(raw)).first() if raw.isdigit() else None
    if mentor is None:
        form.add_error(name, _("Choose one of the listed options."))
    return mentor


async def read_assignment_form(form: FormState) -> dict[str, Any] | None:
    """Checks the form's fields and the rules that need no lock; the values to insert."""
    student_no = form.required("student_no")
    student = None
    if student_no:
        student = await Student.select(Student.id).where(Student.student_no == student_no).first()
        if student is None:
            form.add_error("student_no", _("No student has this student number."))
    project = None
    if raw := form.values.get("project", ""):
        project = await project_of(raw)
        if project is None:
            form.add_error("project", _("Choose one of the listed options."))
        elif project["status"] == "closed":
            form.add_error("project", _("This project is closed."))
    college = await fetch_mentor(form, "college_mentor")
    enterprise = await fetch_mentor(form, "enterprise_mentor")
    starts_on = form.date("starts_on")
    ends_on = form.date("ends_on", required=False)
    apply(form, check_mentor_pair(college, enterprise, project))
    apply(form, check_period(starts_on, ends_on))
    if student and project and not await has_live_participation(student["id"], project["id"]):
        apply(form, [no_participation_error()])
    if not form.valid:
        return None
    return {
        "student": student["id"],
        "project": project["id"] if project else None,
        "college_mentor": college,
        "enterprise_mentor": enterprise,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


async def has_live_participation(student_id: int, project_id: int) -> bool:
    return await Participation.exists().where(
        Participation.student == student_id,
        Participation.project == project_id,
        Participation.status.is_in(["pending", "active"]),
    )


class RuleViolation(Exception):
    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__(errors)
        self.errors = errors


async def lock_mentors(mentor_ids: list[int]) -> None:
    """On PostgreSQL, two coordinators assigning the same mentor queue on the mentor rows (on
    SQLite the IMMEDIATE transaction already serializes writers)."""
    if Mentor._meta.db.engine_type == "postgres":
        await Mentor.raw(
            "SELECT id FROM partners_mentor WHERE id IN ({}, {}) ORDER BY id FOR UPDATE",
            *mentor_ids,
        )


async def insert_assignment(request: Request, values: dict[str, Any]) -> int:
    """Checks the mentors' maxima and the one-active-assignment rule and inserts, in one
    transaction holding the mentor rows."""
    college, enterprise = values["college_mentor"], values["enterprise_mentor"]
    row = {**values, "college_mentor": college["id"], "enterprise_mentor": enterprise["id"]}
    try:
        async with audited_write(actor_of(request)) as audit:
            await lock_mentors([college["id"], enterprise["id"]])
            counts = await active_counts([college["id"], enterprise["id"]])
            errors = check_capacity("college_mentor", college, counts.get(college["id"], 0))
            errors += check_capacity(
                "enterprise_mentor", enterprise, counts.get(enterprise["id"], 0)
            )
            clash = MentorAssignment.exists().where(
                MentorAssignment.student == row["student"], MentorAssignment.status == "active"
            )
            if row["project"] is None:
                clash = clash.where(MentorAssignment.project.is_null())
            else:
                clash = clash.where(MentorAssignment.project == row["project"])
            if await clash:
                errors.append(duplicate_assignment_error())
            if errors:
                raise RuleViolation(errors)
            new = await MentorAssignment.insert(MentorAssignment(**row)).returning(
                MentorAssignment.id
            )
            await audit.created(MentorAssignment, new[0]["id"], row, form_summary(values))
            return new[0]["id"]
    except Exception as error:
        if is_unique_violation(error):
            raise RuleViolation([duplicate_assignment_error()]) from error
        raise


def form_summary(values: dict[str, Any]) -> str:
    return f"{values['college_mentor']['name']} / {values['enterprise_mentor']['name']}"


@allow(Role.coordinator)
async def mentorship_create(request: Request) -> Response:
    if request.method == "GET":
        values = {"starts_on": datetime.date.today().isoformat()}
        if (project := request.query_params.get("project", "")).isdigit():
            values["project"] = project
        if (student := request.query_params.get("student", "")).isdigit():
            row = await Student.select(Student.student_no).where(Student.id == int(student)).first()
            values["student_no"] = row["student_no"] if row else ""
        return await create_page(request, FormState(values=values))
    form = FormState.from_form(await read_form(request), ASSIGNMENT_FIELDS)
    values = await read_assignment_form(form)
    if values is not None:
        try:
            assignment_id = await insert_assignment(request, values)
        except RuleViolation as violation:
            apply(form, violation.errors)
    if not form.valid:
        return await create_page(request, form, status_code=400)
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
            "mode_options": [(code, mode_label(code)) for code in MENTORING_MODES],
            "scores": [(name, score_label(name)) for name in DIMENSIONS],
        },
        status_code=status_code,
    )


@allow(*STAFF)
async def log_create(request: Request) -> Response:
    assignment = await get_assignment_or_404(request)
    template = "coeducation/mentorship_log_form.html"
    if request.method == "GET":
        values = {"held_on": datetime.date.today().isoformat(), "hours": "1"}
        return writer_page(request, template, FormState(values=values), assignment)
    form = FormState.from_form(await read_form(request), LOG_FIELDS)
    values = check_log_form(form, datetime.date.today())
    mentor_id, on_behalf, errors = check_writer(request, assignment, form.values.get("mentor", ""))
    apply(form, errors)
    if not form.valid:
        return writer_page(request, template, form, assignment, status_code=400)
    row = {
        **values,
        "assignment": assignment.id,
        "mentor": mentor_id,
        "on_behalf": on_behalf,
        "written_by": request.user.user_id,
    }
    async with audited_write(actor_of(request)) as audit:
        new = await MentoringLog.insert(MentoringLog(**row)).returning(MentoringLog.id)
        await audit.created(MentoringLog, new[0]["id"], row, values["topic"])
    flash(request, _("The mentoring log was saved."))
    return RedirectResponse(request.url_for("mentorship_detail", assignment_id=assignment.id), 303)


def safe_next(raw: str) -> str:
    """Only a path on this site (no scheme, no //host)."""
    return raw if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw else ""


@allow(Role.student)
async def log_acknowledge(request: Request) -> Response:
    """The student of the assignment confirms a log, once; anyone else gets 404."""
    log = (
        await MentoringLog.select(MentoringLog.id, MentoringLog.topic, MentoringLog.acknowledged_at)
        .where(
            MentoringLog.id == request.path_params["log_id"],
            MentoringLog.assignment == request.path_params["assignment_id"],
            MentoringLog.assignment.student == request.user.student_id,
        )
        .first()
    )
    if log is None or request.user.student_id is None:
        raise HTTPException(status_code=404)
    if log["acknowledged_at"] is None:
        now = datetime.datetime.now().replace(microsecond=0)
        async with audited_write(actor_of(request)) as audit:
            await MentoringLog.update({MentoringLog.acknowledged_at: now}).where(
                MentoringLog.id == log["id"], MentoringLog.acknowledged_at.is_null()
            )
            await audit.updated(
                MentoringLog,
                log["id"],
                {"acknowledged_at": None},
                {"acknowledged_at": now},
                log["topic"],
            )
        flash(request, _("You acknowledged the mentoring log."))
    form = await read_form(request)
    target = safe_next(str(form.get("next", ""))) or str(
        request.url_for("mentorship_detail", assignment_id=request.path_params["assignment_id"])
    )
    return RedirectResponse(target, 303)


# --- evaluations ---------------------------------------------------------------------------------


@allow(*STAFF)
async def evaluation_create(request: Request) -> Response:
    assignment = await get_assignment_or_404(request)
    template = "coeducation/mentorship_evaluation_form.html"
    if request.method == "GET":
        values = {"term": current_term(datetime.date.today())}
        return writer_page(request, template, FormState(values=values), assignment)
    form = FormState.from_form(await read_form(request), EVALUATION_FIELDS)
    values = check_evaluation_form(form)
    mentor_id, _on_behalf, errors = check_writer(request, assignment, form.values.get("mentor", ""))
    apply(form, errors)
    if form.valid:
        row = {
            **values,
            "assignment": assignment.id,
            "mentor": mentor_id,
            "written_by": request.user.user_id,
        }
        try:
            async with audited_write(actor_of(request)) as audit:
                new = await Evaluation.insert(Evaluation(**row)).returning(Evaluation.id)
                await audit.created(Evaluation, new[0]["id"], row, values["term"])
        except Exception as error:
            if not is_unique_violation(error):
                raise
            apply(form, [duplicate_evaluation_error()])
    if not form.valid:
        return writer_page(request, template, form, assignment, status_code=400)
    await announce(StudentsChanged.of([assignment.student_id], actor_of(request)))
    flash(request, _("The evaluation was saved."))
    return RedirectResponse(request.url_for("mentorship_detail", assignment_id=assignment.id), 303)


ASSIGNMENT = "/mentorships/{assignment_id:int}"
routes = [
    Route("/mentorships/", mentorship_list, name="mentorship_list"),
    Route("/mentorships/export.xlsx", mentorship_list_export, name="mentorship_list_export"),
    Route("/mentorships/new", mentorship_create, methods=["GET", "POST"], name="mentorship_create"),
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
