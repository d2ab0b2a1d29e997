"""Recruitment pipeline pages (发展党员): recording and deleting events of a student's file,
the due list, and the file as PDF. The rules and the writes live in talent_pool.pipeline.

Coordinators write; partners and mentors read the files of the students they may see
(partners.students); students get 404 everywhere under /talent-pool/.
"""

from __future__ import annotations

import datetime
import functools

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
from portal.pagination import Page, PageRequest, Sort
from portal.pdf import margin_boxes, pdf_response, render_template_pdf
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import DUE_KINDS, EVENT_KINDS, GENDERS, POLITICAL_STATUSES, label
from talent_pool.consent import check_talent_details
from talent_pool.pipeline.rules import allowed_kinds
from talent_pool.pipeline.state import FileState
from talent_pool.pipeline.store import delete_event, file_state, record_event
from talent_pool.pipeline.view import (
    DUE_FILTERS,
    DUE_SORTS,
    EventDeletion,
    choose_context,
    due_list,
    event_deletion,
    event_from_form,
    form_context,
    form_names,
    pipeline_view,
    placements_of,
)

STAFF = (Role.coordinator, Role.partner, Role.mentor)


async def student_or_404(request: Request) -> RecordStudent:
    """The student of the path, if the viewer may see them."""
    student = await record_student(request.user, request.path_params["student_id"])
    if student is None:
        raise NotVisible(request.path_params["student_id"])
    await check_talent_details(request.user, student.id)  # partners: only with consent
    return student


def student_page(request: Request, student_id: int) -> str:
    """The talent pool's student page, where the file shows."""
    return str(request.base_url).rstrip("/") + f"/talent-pool/{student_id}"


# --- recording an event ----------------------------------------------------------------------


def choose_page(
    request: Request, student: RecordStudent, state: FileState, kind: str, status_code: int
) -> Response:
    """Which kinds may be recorded now, and why the asked-for kind may not (if one was)."""
    return render(
        request,
        "talent_pool/event_choose.html",
        {
            **choose_context(state, kind),
            "student": student,
            "student_url": student_page(request, student.id),
        },
        status_code=status_code,
    )


def form_page(
    request: Request,
    student: RecordStudent,
    state: FileState,
    kind: str,
    form: FormState,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "talent_pool/event_form.html",
        {
            **form.context(),
            **form_context(state, kind, datetime.date.today()),
            "student": student,
            "student_url": student_page(request, student.id),
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def event_create(request: Request) -> Response:
    student = await student_or_404(request)
    kind = request.query_params.get("kind", "").strip()
    state = await file_state(student.id)
    if kind not in allowed_kinds(state):
        status = 200 if request.method == "GET" and not kind else 400
        return choose_page(request, student, state, kind, status)

    def page(form: FormState, status_code: int) -> Response:
        return form_page(request, student, state, kind, form, status_code)

    today = datetime.date.today()
    if request.method == "GET":
        return page(FormState(values={"happened_on": today.isoformat()}), 200)
    form = FormState.from_form(await read_form(request), form_names(kind))
    event = event_from_form(kind, form)
    if event is None:
        return page(form, 400)
    answer_refusals_with(request, form, page)
    recorded = await record_event(actor_of(request), student.id, event, today)
    flash(request, _("%(kind)s was recorded.", kind=label(EVENT_KINDS, kind)))
    if recorded.late_talk_due_on is not None:
        flash(
            request,
            _(
                "The talk came later than one month after the application (due %(date)s); the "
                "file marks it late.",
                date=recorded.late_talk_due_on.isoformat(),
            ),
            "warning",
        )
    return RedirectResponse(student_page(request, student.id), 303)


# --- deleting the latest event ---------------------------------------------------------------


def delete_page(
    request: Request,
    student: RecordStudent,
    deletion: EventDeletion,
    error: str | None,
    status_code: int,
) -> Response:
    return render(
        request,
        "talent_pool/event_delete.html",
        {
            "student": student,
            "student_url": student_page(request, student.id),
            "entry": deletion.entry,
            "deletion": deletion,
            "error": error,
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def event_delete(request: Request) -> Response:
    student = await student_or_404(request)
    event_id = request.path_params["event_id"]
    deletion = await event_deletion(student.id, event_id, request.user, datetime.date.today())
    if request.method == "GET":
        return delete_page(request, student, deletion, deletion.refusal, 200)

    def page(form: FormState, status_code: int) -> Response:
        return delete_page(request, student, deletion, form.errors.get(FORM), status_code)

    answer_refusals_with(request, FormState(), page)
    await delete_event(actor_of(request), student.id, event_id)
    flash(request, _("%(kind)s was deleted from the file.", kind=deletion.entry.label))
    return RedirectResponse(student_page(request, student.id), 303)


# --- the due list ----------------------------------------------------------------------------


@allow(*STAFF)
async def due_list_page(request: Request) -> Response:
    """Everything due or overdue in the files the viewer may see (soonest first)."""
    today = datetime.date.today()
    query = request.query_params
    filters = {name: query.get(name, "").strip()[:50] for name in DUE_FILTERS}
    sort = Sort.from_query(query, tuple(DUE_SORTS), "due_on")
    page_request = PageRequest.from_query(query)
    rows, total = await due_list(request.user, filters, sort, page_request, today)
    params = {**filters, "sort": sort.param if sort.param != "due_on" else ""}
    return render(
        request,
        "talent_pool/due_list.html",
        {
            "page": Page(rows=rows, request=page_request, total=total),
            "filters": filters,
            "params": params,
            "sort": sort,
            "today": today,
            "kind_options": [(code, _(text)) for code, text in DUE_KINDS.items()],
        },
    )


# --- the file as PDF -------------------------------------------------------------------------


@allow(*STAFF)
async def pipeline_pdf(request: Request) -> Response:
    student = await student_or_404(request)
    today = datetime.date.today()
    state = await file_state(student.id)
    spans = (await placements_of([student.id])).get(student.id, [])
    context = {
        "request": request,
        "locale": request.scope.get("locale", "zh_CN"),
        "student": student,
        "pipeline": pipeline_view(student.id, state, None, today, spans),
        "status_label": functools.partial(label, POLITICAL_STATUSES),
        "gender_label": functools.partial(label, GENDERS),
        "generated_on": today,
        "css": margin_boxes(
            f"{_('Party recruitment file')} · {student.name} · {student.student_no}", today
        ),
        "pdf": True,
    }
    content = await render_template_pdf(request, "pdf/pipeline.html", context)
    number = student.student_no
    return pdf_response(content, f"发展党员档案-{number}.pdf", f"pipeline-{number}.pdf")


routes = [
    Route("/talent-pool/due", due_list_page, name="pipeline_due"),
    Route(
        "/talent-pool/{student_id:int}/events/new",
        event_create,
        methods=["GET", "POST"],
        name="pipeline_event_create",
    ),
    Route(
        "/talent-pool/{student_id:int}/events/{event_id:int}/delete",
        event_delete,
        methods=["GET", "POST"],
        name="pipeline_event_delete",
    ),
    Route("/talent-pool/{student_id:int}/pipeline.pdf", pipeline_pdf, name="pipeline_pdf"),
]
