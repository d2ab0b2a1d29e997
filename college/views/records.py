"""Pages of the student record (成长档案), the top layer's page that joins every area: /me for
the student, /students/{id}/record for staff, partners and mentors, both as PDF, and the awards
(奖项) coordinators and partners enter on it. They parse the request, call college.record and
college.awards (the reads, rules and transactions) and render."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from college.awards import (
    AWARD_FIELDS,
    award_deletion,
    award_student,
    check_award_form,
    deletable_award,
    delete_award,
    may_delete_award,
    may_enter_awards,
    record_award,
)
from college.record import RecordDocument, StudentRecord, visible_record
from partners.coeducation.weekly_logs import next_week_to_write
from partners.students import RecordStudent
from portal.audit import actor_of
from portal.auth import allow
from portal.cache import cached_page
from portal.domain_errors import NotVisible
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, current_locale
from portal.pdf import pdf_response, render_document
from portal.students import record_page
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import AWARD_KINDS, AWARD_LEVELS, label, record_labels
from talent_pool.consent import (
    consent_enterprises,
    consent_history,
    give_consent,
    withdraw_consent,
)
from talent_pool.pipeline import pipeline_context

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


def record_url(request: Request, student_id: int) -> str:
    """Where a student's record lives for this viewer: coordinators keep the student page."""
    return str(request.url_for(record_page(request.user), student_id=student_id))


@allow(Role.coordinator)
@cached_page
async def student_detail(request: Request) -> Response:
    """The coordinator's student page: the student's facts and whole record, with the edit
    and delete actions."""
    record = await visible_record(request.user, request.path_params["student_id"])
    return render(request, "portal/student_detail.html", record_context(request, record))


@allow(Role.student)
@cached_page
async def my_record(request: Request) -> Response:
    record = await visible_record(request.user, request.user.student_id)
    context = record_context(request, record)
    today = datetime.date.today()
    context |= await pipeline_context(request.user.student_id, request.user, today)
    context["consent_enterprises"] = await consent_enterprises(request.user.student_id)
    context["consent_history"] = await consent_history(request.user.student_id)
    context["week_to_write"] = await next_week_to_write(request.user.student_id, today)
    return render(request, "college/my_record.html", context)


@allow(Role.student)
async def my_consent(request: Request) -> Response:
    """The student gives or withdraws consent to share talent-pool details with one partner
    enterprise (POST only; the form's ``enterprise``). An enterprise the student may not
    decide for — unknown, another's, not a number — is a 404."""
    form = await read_form(request)
    action = form.get("action", "")
    if action not in ("give", "withdraw"):
        return Response(_("Unknown action."), status_code=400)
    enterprise = str(form.get("enterprise", "")).strip()
    if not (enterprise.isascii() and enterprise.isdigit() and len(enterprise) <= 9):
        raise NotVisible(f"enterprise {enterprise!r}")  # ids are 32-bit: 9 digits always fit
    enterprise_id = int(enterprise)
    if action == "give":
        decided = await give_consent(request.user, enterprise_id)
        message = _(
            "You agreed to share your talent-pool details with %(enterprise)s.",
            enterprise=decided.enterprise_name,
        )
    else:
        decided = await withdraw_consent(request.user, enterprise_id)
        message = _(
            "You withdrew your consent: %(enterprise)s sees only your placements again.",
            enterprise=decided.enterprise_name,
        )
    if decided.changed:
        flash(request, message)
    return RedirectResponse(str(request.url_for("my_record")) + f"#consent-{enterprise_id}", 303)


@allow(*STAFF)
@cached_page
async def student_record(request: Request) -> Response:
    record = await visible_record(request.user, request.path_params["student_id"])
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
    return await record_pdf(await visible_record(request.user, request.user.student_id))


@allow(*STAFF)
async def student_record_pdf(request: Request) -> Response:
    return await record_pdf(await visible_record(request.user, request.path_params["student_id"]))


# --- awards ----------------------------------------------------------------------------------


def award_form_page(
    request: Request, form: FormState, student: RecordStudent, status_code: int = 200
) -> Response:
    return render(
        request,
        "college/award_form.html",
        {
            **form.context(),
            "student": student,
            "record_url": record_url(request, student.id),
            "kind_options": [(code, label(AWARD_KINDS, code)) for code in AWARD_KINDS],
            "level_options": [(code, label(AWARD_LEVELS, code)) for code in AWARD_LEVELS],
        },
        status_code=status_code,
    )


@allow(Role.coordinator, Role.partner)
async def award_create(request: Request) -> Response:
    student = await award_student(request.user, request.path_params["student_id"])
    if request.method == "GET":
        return award_form_page(request, FormState(), student)
    form = FormState.from_form(await read_form(request), AWARD_FIELDS)
    values = check_award_form(form, datetime.date.today())
    if not form.valid:
        return award_form_page(request, form, student, status_code=400)
    await record_award(request.user, actor_of(request), student, values)
    flash(request, _("The award %(name)s was recorded.", name=values["name"]))
    return RedirectResponse(record_url(request, student.id), 303)


@allow(Role.coordinator, Role.partner)
async def award_delete(request: Request) -> Response:
    student = await award_student(request.user, request.path_params["student_id"])
    award = await deletable_award(request.user, student, request.path_params["award_id"])
    if request.method == "GET":
        return render(
            request,
            "college/award_delete.html",
            {
                "student": student,
                "award": award,
                "impact": await award_deletion(request.user, award),
                "record_url": record_url(request, student.id),
            },
        )
    await delete_award(actor_of(request), student, award)
    flash(request, _("The award %(name)s was deleted.", name=award.name))
    return RedirectResponse(record_url(request, student.id), 303)


routes = [
    Route("/students/{student_id:int}", student_detail, name="student_detail"),
    Route("/me", my_record, name="my_record"),
    Route("/me/record.pdf", my_record_pdf, name="my_record_pdf"),
    Route("/me/consent", my_consent, methods=["POST"], name="my_consent"),
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
