"""Talent pool pages: nominating a student (coordinators, partners for students placed with
their enterprise, mentors for their mentees) and a coordinator's review of a flag."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.students import visible_student
from portal.audit import actor_of
from portal.auth import allow
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import DECISIONS, POOL_STATUSES
from talent_pool.flags import (
    NOMINATION_FIELDS,
    REASON_MAX_LENGTH,
    REASON_MIN_LENGTH,
    REVIEW_FIELDS,
    FlagError,
    check_reason,
    check_review_form,
    flags_of,
    label,
    nominate,
    review,
)
from talent_pool.scoring import score_context
from talent_pool.tables import PoolEntry


async def student_or_404(request: Request) -> dict[str, Any]:
    """The student in the path, if the viewer may see the student (else 404)."""
    student = await visible_student(request.user, request.path_params["student_id"])
    if student is None:
        raise HTTPException(status_code=404)
    return student


def pool_student_url(request: Request, student_id: int) -> str:
    """The student's page in the talent pool (score, flags, pipeline)."""
    return str(request.url_for("pool_student", student_id=student_id))


# --- nominations -------------------------------------------------------------------------------


def nomination_page(
    request: Request, student: dict[str, Any], form: FormState, status_code: int = 200
) -> Response:
    return render(
        request,
        "talent_pool/nominate.html",
        {
            **form.context(),
            "student": student,
            "back_url": pool_student_url(request, student["id"]),
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
    if form.valid:
        try:
            await nominate(student, request.user, reason, actor_of(request))
        except FlagError as refused:
            form.add_error("form", str(refused))
    if not form.valid:
        return nomination_page(request, student, form, status_code=400)
    flash(request, _("%(name)s was nominated for the talent pool.", name=student["name"]))
    return RedirectResponse(pool_student_url(request, student["id"]), 303)


# --- reviews -----------------------------------------------------------------------------------


async def review_page(
    request: Request,
    student: dict[str, Any],
    flag: dict[str, Any],
    form: FormState,
    status_code: int = 200,
) -> Response:
    entry = await PoolEntry.select().where(PoolEntry.student == student["id"]).first()
    return render(
        request,
        "talent_pool/review.html",
        {
            **form.context(),
            **await score_context(student["id"]),
            "student": student,
            "flag": flag,
            "pool_entry": entry,
            "pool_status_label": label(POOL_STATUSES, entry["status"]) if entry else "",
            "decision_options": [(code, label(DECISIONS, code)) for code in DECISIONS],
            "back_url": pool_student_url(request, student["id"]),
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def review_flag(request: Request) -> Response:
    student = await student_or_404(request)
    flags = await flags_of(student["id"])
    flag = next((f for f in flags if f["id"] == request.path_params["flag_id"]), None)
    if flag is None:
        raise HTTPException(status_code=404)
    if request.method == "GET" or not flag["is_open"]:
        # A reviewed flag shows its review and the message, whichever the method.
        return await review_page(
            request, student, flag, FormState(), 200 if request.method == "GET" else 409
        )
    form = FormState.from_form(await read_form(request), REVIEW_FIELDS)
    decision, reason = check_review_form(form)
    if form.valid:
        try:
            status = await review(
                student,
                flag["id"],
                decision,
                reason,
                actor_of(request),
                reviewer_name=request.user.display_name,
            )
        except FlagError as refused:  # reviewed by someone else in the meantime
            flags = await flags_of(student["id"])
            flag = next(f for f in flags if f["id"] == flag["id"])
            form.add_error("form", str(refused))
            return await review_page(request, student, flag, form, status_code=409)
    if not form.valid:
        return await review_page(request, student, flag, form, status_code=400)
    flash(
        request,
        _(
            "The flag was reviewed: %(decision)s. %(name)s is now: %(status)s.",
            decision=label(DECISIONS, decision),
            name=student["name"],
            status=label(POOL_STATUSES, status.value),
        ),
    )
    return RedirectResponse(pool_student_url(request, student["id"]), 303)


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
