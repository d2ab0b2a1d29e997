"""Student pages (学生) of the base: the list and its export, create, edit, delete. They parse
the request, call portal.students (the rules and transactions) and render; the student's page
with the whole record is the top layer's (college.views.records)."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.audit import actor_of
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.domain_errors import Refused
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest, Sort
from portal.queries import (
    SORT_KEYS,
    StudentFilters,
    filter_choices,
    selected_student_rows,
    student_count,
    student_rows,
)
from portal.selection import MAX_SELECTED, selected_ids
from portal.students import (
    STUDENT_FIELDS,
    StoredStudent,
    check_student_form,
    delete_student,
    save_student,
    stored_student,
    student_deletion,
)
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import GENDERS, POLITICAL_STATUSES, label
from portal.xlsx import Column


def list_choices(request: Request) -> dict[str, Any]:
    """The filters' choices (kept until the next write) and the labels of the codes shown,
    in the request's language."""
    return {
        "political_status_labels": labels(POLITICAL_STATUSES),
        "gender_labels": labels(GENDERS),
    }


async def cached_choices(request: Request) -> dict[str, list[Any]]:
    return await cached_value(request, ("student_filter_choices",), filter_choices)


@allow(Role.coordinator)
@cached_page
async def student_list(request: Request) -> Response:
    filters = StudentFilters.from_query(request.query_params)
    sort = Sort.from_query(request.query_params, SORT_KEYS, "student_no")
    page_request = PageRequest.from_query(request.query_params)
    total = await cached_value(request, ("student_count", filters), lambda: student_count(filters))
    rows = await student_rows(filters, sort, page_request.size, page_request.offset)
    return render(
        request,
        "portal/student_list.html",
        {
            "page": Page(rows=rows, request=page_request, total=total),
            "sort": sort,
            "filters": filters.as_params(),
            "options": await cached_choices(request),
            "selected": set(selected_ids(request.query_params.getlist("student"))),
            "bulk_routes": bulk_routes(request),
            "max_selected": MAX_SELECTED,
            **list_choices(request),
        },
    )


def bulk_routes(request: Request) -> dict[str, str]:
    """Where the bulk-action bar's buttons lead, for the actions this app has (the base's
    export always; enrolling and pairing when the co-education area is mounted)."""
    names = {route.name for route in request.app.routes if hasattr(route, "name")}
    return {
        name: str(request.url_for(name))
        for name in ("student_list_export", "bulk_enrol", "bulk_pair")
        if name in names
    }


def export_columns() -> list[Column]:
    """The columns of the import template, in its order, so an export can be edited and
    imported back."""
    return [
        Column(_("Student number"), "student_no", 14),
        Column(_("Name"), "name", 10),
        Column(_("Gender"), lambda row: label(GENDERS, row.gender), 6),
        Column(_("Birth date"), "birth_date", 12),
        Column(_("Department"), "department", 18),
        Column(_("Major"), "major", 20),
        Column(_("Class"), "class_name", 18),
        Column(_("Cohort"), "cohort_year", 8),
        Column(
            _("Political status"), lambda row: label(POLITICAL_STATUSES, row.political_status), 14
        ),
        Column(_("Phone"), "phone", 14),
    ]


@allow(Role.coordinator)
async def student_list_export(request: Request) -> Response:
    filters = StudentFilters.from_query(request.query_params)
    sort = Sort.from_query(request.query_params, SORT_KEYS, "student_no")
    if chosen := selected_ids(request.query_params.getlist("student")):
        # The rows ticked on the list (?student=1&student=2): exactly those, in its order (at
        # most MAX_SELECTED, far below the export's row limit).
        rows, truncated = await export_read(lambda _limit: selected_student_rows(chosen, sort))
    else:
        rows, truncated = await export_read(lambda limit: student_rows(filters, sort, limit))
    return await excel_export(
        stem=_("Student list"),
        ascii_stem="students",
        title=_("Students"),
        columns=export_columns(),
        rows=rows,
        truncated=truncated,
    )


def form_page(
    request: Request, form: FormState, student: StoredStudent | None, status_code: int = 200
) -> Response:
    return render(
        request,
        "portal/student_form.html",
        {
            **form.context(),
            "student": student,
            "political_status_options": [
                (code, label(POLITICAL_STATUSES, code)) for code in POLITICAL_STATUSES
            ],
            "gender_options": [(code, label(GENDERS, code)) for code in GENDERS],
        },
        status_code=status_code,
    )


def edit_values(student: StoredStudent) -> dict[str, str]:
    return {name: "" if value is None else str(value) for name, value in student.fields().items()}


async def submit_student_form(request: Request, student: StoredStudent | None) -> Response:
    form = FormState.from_form(await read_form(request), STUDENT_FIELDS)
    values = check_student_form(form, datetime.date.today())
    if not form.valid:
        return form_page(request, form, student, status_code=400)
    answer_refusals_with(
        request, form, lambda form, status: form_page(request, form, student, status)
    )
    student_id = await save_student(actor_of(request), values, student)
    if student is None:
        flash(request, _("Student %(name)s was added.", name=values["name"]))
    else:
        flash(request, _("The changes were saved."))
    return RedirectResponse(request.url_for("student_detail", student_id=student_id), 303)


@allow(Role.coordinator)
async def student_create(request: Request) -> Response:
    if request.method == "GET":
        return form_page(request, FormState(values={"political_status": "03"}), None)
    return await submit_student_form(request, None)


@allow(Role.coordinator)
async def student_edit(request: Request) -> Response:
    student = await stored_student(request.path_params["student_id"])
    if request.method == "GET":
        return form_page(request, FormState(values=edit_values(student)), student)
    return await submit_student_form(request, student)


@allow(Role.coordinator)
async def student_delete(request: Request) -> Response:
    student = await stored_student(request.path_params["student_id"])
    if request.method == "GET":
        deletion = await student_deletion(request.user, student)
        return render(
            request, "portal/student_delete.html", {"student": student, "deletion": deletion}
        )
    try:
        await delete_student(actor_of(request), student)
    except Refused as refused:
        # Not a form to show again: the student's page says why, where the user came from.
        for error in refused.errors:
            flash(request, error.message, "error")
        return RedirectResponse(request.url_for("student_detail", student_id=student.id), 303)
    flash(request, _("Student %(name)s was deleted.", name=student.name))
    return RedirectResponse(request.url_for("student_list"), 303)


routes = [
    Route("/students/", student_list, name="student_list"),
    Route("/students/export.xlsx", student_list_export, name="student_list_export"),
    Route("/students/new", student_create, methods=["GET", "POST"], name="student_create"),
    Route(
        "/students/{student_id:int}/edit",
        student_edit,
        methods=["GET", "POST"],
        name="student_edit",
    ),
    Route(
        "/students/{student_id:int}/delete",
        student_delete,
        methods=["GET", "POST"],
        name="student_delete",
    ),
]
