"""The student record (成长档案): /me for the student, /students/{id}/record for staff, partners
and mentors, both as PDF, and the awards (奖项) coordinators and partners enter on it."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from college.record import (
    AWARD_FIELDS,
    RecordDocument,
    StudentRecord,
    check_award_form,
    may_delete_award,
    may_enter_awards,
    read_record,
)
from partners.students import visible_student
from portal.audit import actor_of, audited_write
from portal.auth import allow
from portal.cache import cached_page
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, current_locale
from portal.pdf import pdf_response, render_document
from portal.students import record_page
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import AWARD_KINDS, AWARD_LEVELS, label, record_labels
from talent_pool.pipeline import pipeline_context
from talent_pool.scoring import rescore_students
from talent_pool.tables import Award

STAFF = (Role.coordinator, Role.partner, Role.mentor)


def record_context(request: Request, record: StudentRecord) -> dict[str, Any]:
    """What the record's sections on a page need: the record, its labels in the request's
    language, and what the viewer may do with its awards."""
    viewer = request.user
    return {
        "record": record,
        "student": record.student,
        "labels": record_labels(current_locale.get()),
        "may_enter_awards": may_enter_awards(viewer),
        "deletable_awards": frozenset(
            award.id for award in record.awards if may_delete_award(viewer, award.enterprise_id)
        ),
    }


async def record_or_404(request: Request, student_id: int | None) -> StudentRecord:
    record = await read_record(request.user, student_id)
    if record is None:
        raise HTTPException(status_code=404)
    return record


def record_url(request: Request, student_id: int) -> str:
    """Where a student's record lives for this viewer: coordinators keep the student page."""
    return str(request.url_for(record_page(request.user), student_id=student_id))


@allow(Role.coordinator)
@cached_page
async def student_detail(request: Request) -> Response:
    """The coordinator's student page: the student's facts and whole record, with the edit
    and delete actions."""
    record = await record_or_404(request, request.path_params["student_id"])
    return render(request, "portal/student_detail.html", record_context(request, record))


@allow(Role.student)
@cached_page
async def my_record(request: Request) -> Response:
    record = await record_or_404(request, request.user.student_id)
    context = record_context(request, record)
    today = datetime.date.today()
    context |= await pipeline_context(request.user.student_id, request.user, today)
    return render(request, "college/my_record.html", context)


@allow(*STAFF)
@cached_page
async def student_record(request: Request) -> Response:
    record = await record_or_404(request, request.path_params["student_id"])
    return render(request, "college/student_record.html", record_context(request, record))


async def record_pdf(record: StudentRecord) -> Response:
    """The record as PDF: its data goes to a worker process, which renders the HTML in the
    request's language and lays it out, so the event loop only reads the database."""
    document = RecordDocument(record, datetime.date.today())
    content = await render_document(document, current_locale.get())
    number = record.student.student_no
    return pdf_response(content, f"成长档案-{number}.pdf", f"record-{number}.pdf")


@allow(Role.student)
async def my_record_pdf(request: Request) -> Response:
    return await record_pdf(await record_or_404(request, request.user.student_id))


@allow(*STAFF)
async def student_record_pdf(request: Request) -> Response:
    return await record_pdf(await record_or_404(request, request.path_params["student_id"]))


# --- awards ----------------------------------------------------------------------------------


async def award_student_or_404(request: Request) -> dict[str, Any]:
    student = await visible_student(request.user, request.path_params["student_id"])
    if student is None:
        raise HTTPException(status_code=404)
    return student


def award_form_page(request: Request, form: FormState, student: dict, status_code=200):
    return render(
        request,
        "college/award_form.html",
        {
            **form.context(),
            "student": student,
            "record_url": record_url(request, student["id"]),
            "kind_options": [(code, label(AWARD_KINDS, code)) for code in AWARD_KINDS],
            "level_options": [(code, label(AWARD_LEVELS, code)) for code in AWARD_LEVELS],
        },
        status_code=status_code,
    )


@allow(Role.coordinator, Role.partner)
async def award_create(request: Request) -> Response:
    student = await award_student_or_404(request)
    if request.method == "GET":
        return award_form_page(request, FormState(), student)
    form = FormState.from_form(await read_form(request), AWARD_FIELDS)
    values = check_award_form(form, datetime.date.today())
    if not form.valid:
        return award_form_page(request, form, student, status_code=400)
    values = {
        **values,
        "student": student["id"],
        "entered_by": request.user.user_id,
        "enterprise_id": request.user.enterprise_id if request.user.role is Role.partner else None,
    }
    async with audited_write(actor_of(request)) as audit:
        row = (await Award.insert(Award(**values)).returning(Award.id))[0]
        await audit.created(Award, row["id"], values, f"{student['name']} {values['name']}")
    await rescore_students([student["id"]], actor_of(request))  # talent pool score
    flash(request, _("The award %(name)s was recorded.", name=values["name"]))
    return RedirectResponse(record_url(request, student["id"]), 303)


@allow(Role.coordinator, Role.partner)
async def award_delete(request: Request) -> Response:
    student = await award_student_or_404(request)
    award = (
        await Award.select()
        .where(Award.id == request.path_params["award_id"], Award.student == student["id"])
        .first()
    )
    if award is None or not may_delete_award(request.user, award["enterprise_id"]):
        raise HTTPException(status_code=404)
    if request.method == "GET":
        return render(
            request,
            "college/award_delete.html",
            {
                "student": student,
                "award": award,
                "record_url": record_url(request, student["id"]),
            },
        )
    async with audited_write(actor_of(request)) as audit:
        await Award.delete().where(Award.id == award["id"])
        before = {name: award[name] for name in (*AWARD_FIELDS, "enterprise_id")}
        await audit.deleted(Award, award["id"], before, f"{student['name']} {award['name']}")
    await rescore_students([student["id"]], actor_of(request))  # talent pool score
    flash(request, _("The award %(name)s was deleted.", name=award["name"]))
    return RedirectResponse(record_url(request, student["id"]), 303)


routes = [
    Route("/students/{student_id:int}", student_detail, name="student_detail"),
    Route("/me", my_record, name="my_record"),
    Route("/me/record.pdf", my_record_pdf, name="my_record_pdf"),
    Route("/students/{student_id:int}/record", student_record, name="student_record"),
    Route("/students/{student_id:int}/record.pdf", student_record_pdf, name="student_record_pdf"),
    Route(
        "/students/{student_id:int}/awards/new",
        award_create,
        methods=["GET", "POST"],
        name="award_create",
    ),
    Route(
        "/students/{student_id:int}/awards/{award_id:int}/delete",
        award_delete,
        methods=["GET", "POST"],
        name="award_delete",
    ),
]
