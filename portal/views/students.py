"""Student pages (学生): list, detail, create, edit, delete."""

from __future__ import annotations

import datetime
from typing import Any

from piccolo.apps.user.tables import BaseUser
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.audit import actor_of, audited_write
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.db import is_foreign_key_violation, is_unique_violation
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest, Sort
from portal.queries import (
    SORT_KEYS,
    StudentFilters,
    filter_choices,
    student_count,
    student_rows,
)
from portal.students import STUDENT_FIELDS, check_student_form, gender_label, political_status_label
from portal.tables import Role, Student
from portal.templating import render
from portal.vocabulary import GENDERS, POLITICAL_STATUSES
from portal.xlsx import Column


def list_choices(request: Request) -> dict[str, Any]:
    """The filters' choices (kept until the next write) and the labels of the codes shown,
    in the request's language."""
    return {
        "political_status_labels": {
            code: political_status_label(code) for code in POLITICAL_STATUSES
        },
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
            **list_choices(request),
        },
    )


def export_columns() -> list[Column]:
    """The columns of the import template, in its order, so an export can be edited and
    imported back."""
    return [
        Column(_("Student number"), "student_no", 14),
        Column(_("Name"), "name", 10),
        Column(_("Gender"), lambda row: gender_label(row.gender), 6),
        Column(_("Birth date"), "birth_date", 12),
        Column(_("Department"), "department", 18),
        Column(_("Major"), "major", 20),
        Column(_("Class"), "class_name", 18),
        Column(_("Cohort"), "cohort_year", 8),
        Column(_("Political status"), lambda row: political_status_label(row.political_status), 14),
        Column(_("Phone"), "phone", 14),
    ]


@allow(Role.coordinator)
async def student_list_export(request: Request) -> Response:
    filters = StudentFilters.from_query(request.query_params)
    sort = Sort.from_query(request.query_params, SORT_KEYS, "student_no")
    rows, truncated = await export_read(lambda limit: student_rows(filters, sort, limit))
    return await excel_export(
        stem=_("Student list"),
        ascii_stem="students",
        title=_("Students"),
        columns=export_columns(),
        rows=rows,
        truncated=truncated,
    )


async def get_student_or_404(student_id: int) -> dict[str, Any]:
    row = (
        await Student.select(*Student.all_columns(), Student.user.username)
        .where(Student.id == student_id)
        .first()
    )
    if row is None:
        raise HTTPException(status_code=404)
    return row


def form_page(request: Request, form: FormState, student: dict | None, status_code=200):
    return render(
        request,
        "portal/student_form.html",
        {
            **form.context(),
            "student": student,
            "political_status_options": [
                (code, political_status_label(code)) for code in POLITICAL_STATUSES
            ],
            "gender_options": [(code, gender_label(code)) for code in GENDERS],
        },
        status_code=status_code,
    )


def edit_values(student: dict[str, Any]) -> dict[str, str]:
    return {name: "" if student[name] is None else str(student[name]) for name in STUDENT_FIELDS}


class DuplicateStudentNo(Exception):
    """Another student already has this student number (学号)."""


async def save_student(request: Request, values: dict[str, Any], student: dict | None) -> int:
    """Creates or updates a student in one audited transaction; returns its id."""
    try:
        async with audited_write(actor_of(request)) as audit:
            clash = Student.exists().where(Student.student_no == values["student_no"])
            if student is not None:
                clash = clash.where(Student.id != student["id"])
            if await clash:
                raise DuplicateStudentNo
            if student is None:
                row = (await Student.insert(Student(**values)).returning(Student.id))[0]
                await audit.created(Student, row["id"], values, values["name"])
                return row["id"]
            await Student.update({**values, "updated_at": datetime.datetime.now()}).where(
                Student.id == student["id"]
            )
            before = {name: student[name] for name in STUDENT_FIELDS}
            await audit.updated(Student, student["id"], before, values, values["name"])
            return student["id"]
    except Exception as error:
        if is_unique_violation(error):
            raise DuplicateStudentNo from error
        raise


async def submit_student_form(request: Request, student: dict | None) -> Response:
    form = FormState.from_form(await read_form(request), STUDENT_FIELDS)
    values = check_student_form(form, datetime.date.today())
    if form.valid:
        try:
            student_id = await save_student(request, values, student)
        except DuplicateStudentNo:
            form.add_error("student_no", _("This student number is already taken."))
    if not form.valid:
        return form_page(request, form, student, status_code=400)
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
    student = await get_student_or_404(request.path_params["student_id"])
    if request.method == "GET":
        return form_page(request, FormState(values=edit_values(student)), student)
    return await submit_student_form(request, student)


@allow(Role.coordinator)
async def student_delete(request: Request) -> Response:
    student = await get_student_or_404(request.path_params["student_id"])
    if request.method == "GET":
        return render(request, "portal/student_delete.html", {"student": student})
    try:
        async with audited_write(actor_of(request)) as audit:
            await Student.delete().where(Student.id == student["id"])
            if student["user"]:
                await BaseUser.update({BaseUser.active: False}).where(
                    BaseUser.id == student["user"]
                )
            before = {name: student[name] for name in STUDENT_FIELDS}
            await audit.deleted(Student, student["id"], before, student["name"])
    except Exception as error:
        if not is_foreign_key_violation(error):
            raise
        flash(request, _("This student still has linked records and cannot be deleted."), "error")
        return RedirectResponse(request.url_for("student_detail", student_id=student["id"]), 303)
    flash(request, _("Student %(name)s was deleted.", name=student["name"]))
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
