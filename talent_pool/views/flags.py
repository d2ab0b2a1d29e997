"""Talent pool pages: nominating a student (coordinators, partners for students placed with
their enterprise, mentors for their mentees) and a coordinator's review of a flag."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.students import RecordStudent, record_student
from portal.audit import actor_of
from portal.auth import allow
from portal.domain_errors import FORM, NotVisible
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _
from portal.students import record_page
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import DECISIONS, POOL_STATUSES, label
from talent_pool.consent import may_see_talent_details
from talent_pool.flags import (
    NOMINATION_FIELDS,
    REASON_MAX_LENGTH,
    REASON_MIN_LENGTH,
    REVIEW_FIELDS,
    AlreadyReviewed,
    check_reason,
    check_review_form,
    flags_of,
    nominate,
    pool_entry,
    review,
)
from talent_pool.scoring import score_context


async def student_or_404(request: Request) -> RecordStudent:
    """The student in the path, if the viewer may see the student (else 404)."""
    student = await record_student(request.user, request.path_params["student_id"])
    if student is None:
        raise NotVisible(request.path_params["student_id"])
    return student


def pool_student_url(request: Request, student_id: int) -> str:
    """The student's page in the talent pool (score, flags, pipeline)."""
    return str(request.url_for("pool_student", student_id=student_id))


# --- nominations -------------------------------------------------------------------------------


def nomination_page(
    request: Request, student: RecordStudent, form: FormState, status_code: int = 200
) -> Response:
    return render(
        request,
        "talent_pool/nominate.html",
        {
            **form.context(),
            "student": student,
            "back_url": pool_student_url(request, student.id),
            "reason_min": REASON_MIN_LENGTH,
            "reason_max": REASON_MAX_LENGTH,
        },
        status_code=status_code,
    )


@allow(Role.coordinator, Role.partner, Role.mentor)
async def nominate_student(request: Request) -> Response:
    student = await student_or_404(request)
    if request.method == "GET":
        return nomination_page(request, student, FormState())
    form = FormState.from_form(await read_form(request), NOMINATION_FIELDS)
    reason = check_reason(form)
    if not form.valid:
        return nomination_page(request, student, form, status_code=400)

    def page(form: FormState, status_code: int) -> Response:
        return nomination_page(request, student, form, status_code)

    answer_refusals_with(request, form, page)
    await nominate(student, request.user, reason, actor_of(request))
    flash(request, _("%(name)s was nominated for the talent pool.", name=student.name))
    if not await may_see_talent_details(request.user, student.id):
        # a partner without the student's consent goes back to the record (the placement)
        return RedirectResponse(
            str(request.url_for(record_page(request.user), student_id=student.id)), 303
        )
    return RedirectResponse(pool_student_url(request, student.id), 303)


# --- reviews -----------------------------------------------------------------------------------


async def review_page(
    request: Request,
    student: RecordStudent,
    flag: dict[str, Any],
    form: FormState,
    status_code: int = 200,
) -> Response:
    entry = await pool_entry(student.id)
    return render(
        request,
        "talent_pool/review.html",
        {
            **form.context(),
            **await score_context(student.id),
            "student": student,
            "flag": flag,
            "pool_entry": entry,
            "pool_status_label": label(POOL_STATUSES, entry["status"]) if entry else "",
            "decision_options": [(code, label(DECISIONS, code)) for code in DECISIONS],
            "back_url": pool_student_url(request, student.id),
        },
        status_code=status_code,
    )


async def flag_or_404(student: RecordStudent, flag_id: int) -> dict[str, Any]:
    """The student's flag of that id, with its reviews."""
    flag = next((f for f in await flags_of(student.id) if f["id"] == flag_id), None)
    if flag is None:
        raise NotVisible(flag_id)
    return flag


@allow(Role.coordinator)
async def review_flag(request: Request) -> Response:
    student = await student_or_404(request)
    flag = await flag_or_404(student, request.path_params["flag_id"])
    if request.method == "GET" or not flag["is_open"]:
        # A reviewed flag shows its review and the message, whichever the method.
        return await review_page(
            request, student, flag, FormState(), 200 if request.method == "GET" else 409
        )
    form = FormState.from_form(await read_form(request), REVIEW_FIELDS)
    decision, reason = check_review_form(form)
    if not form.valid:
        return await review_page(request, student, flag, form, status_code=400)
    try:
        status = await review(
            student,
            flag["id"],
            decision,
            reason,
            actor_of(request),
            reviewer_name=request.user.display_name,
        )
    except AlreadyReviewed as conflict:
        # Caught here rather than by the one handler: the page goes on to show the review
        # someone else made meanwhile, beside the form the coordinator sent (409).
        form.add_error(FORM, str(conflict))
        flag = await flag_or_404(student, flag["id"])
        return await review_page(request, student, flag, form, status_code=409)
    flash(
        request,
        _(
            "The flag was reviewed: %(decision)s. %(name)s is now: %(status)s.",
            decision=label(DECISIONS, decision),
            name=student.name,
            status=label(POOL_STATUSES, status.value),
        ),
    )
    return RedirectResponse(pool_student_url(request, student.id), 303)


STUDENT = "/talent-pool/{student_id:int}"
routes = [
    Route(STUDENT + "/nominate", nominate_student, methods=["GET", "POST"], name="nominate"),
    Route(
        STUDENT + "/flags/{flag_id:int}/review",
        review_flag,
        methods=["GET", "POST"],
        name="flag_review",
    ),
]
