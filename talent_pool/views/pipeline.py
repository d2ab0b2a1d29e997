"""Recruitment pipeline pages (发展党员): recording and deleting events of a student's file,
the due list, and the file as PDF. The rules live in talent_pool/pipeline.py.

Coordinators write; partners and mentors read the files of the students they may see
(`college.record.student_scope`); students get 404 everywhere under /talent-pool/.
"""

from __future__ import annotations

import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.students import visible_student
from portal.audit import actor_of, audited_write
from portal.auth import allow
from portal.db import contains
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _
from portal.pagination import Page, PageRequest, Sort
from portal.pdf import margin_boxes, pdf_response, render_pdf
from portal.students import gender_label, political_status_label
from portal.tables import Role
from portal.templating import render, templates
from portal.vocabulary import DUE_KINDS, EVENT_KINDS, RECOMMENDATIONS
from talent_pool.pipeline import (
    ARTICLE_OF_KIND,
    ARTICLES,
    KIND_FIELDS,
    PEOPLE_ROWS,
    RULE_TEXTS,
    FileState,
    RuleError,
    allowed_kinds,
    delete_event,
    deletion_error,
    due_conditions,
    due_label,
    earliest_date,
    event_from_form,
    file_errors,
    form_names,
    is_late_talk,
    kind_label,
    latest_date,
    load_file,
    pipeline_view,
    record_event,
    stage_label,
)
from talent_pool.tables import DueItem, PoolEntry

STAFF = (Role.coordinator, Role.partner, Role.mentor)
DUE_SORTS = {"due_on": DueItem.due_on, "name": DueItem.student.name}
DUE_FILTERS = ("q", "kind", "overdue")


async def student_or_404(request: Request) -> dict[str, Any]:
    """The student of the path, if the viewer may see them."""
    student = await visible_student(request.user, request.path_params["student_id"])
    if student is None:
        raise HTTPException(status_code=404)
    return student


def student_page(request: Request, student_id: int) -> str:
    """The talent pool's student page, where the file shows."""
    return str(request.base_url).rstrip("/") + f"/talent-pool/{student_id}"


def apply(form: FormState, errors: list[RuleError]) -> None:
    for error in errors:
        form.add_error(error.field, error.message)


# --- recording an event ----------------------------------------------------------------------


def choose_page(
    request: Request,
    student: dict[str, Any],
    state: FileState,
    kind: str,
    status_code: int,
) -> Response:
    """Which kinds may be recorded now, and why the asked-for kind may not (if one was)."""
    blockers = file_errors(state, kind) if kind in EVENT_KINDS else []
    return render(
        request,
        "talent_pool/event_choose.html",
        {
            "student": student,
            "student_url": student_page(request, student["id"]),
            "stage_label": stage_label(state.stage),
            "kind": kind,
            "kind_known": kind in EVENT_KINDS,
            "kind_label": kind_label(kind) if kind in EVENT_KINDS else kind,
            "blockers": blockers,
            "allowed": [(k, kind_label(k)) for k in allowed_kinds(state)],
        },
        status_code=status_code,
    )


def form_page(
    request: Request,
    student: dict[str, Any],
    state: FileState,
    kind: str,
    form: FormState,
    status_code: int = 200,
) -> Response:
    earliest, latest = earliest_date(state, kind), latest_date(state, kind)
    return render(
        request,
        "talent_pool/event_form.html",
        {
            **form.context(),
            "student": student,
            "student_url": student_page(request, student["id"]),
            "stage_label": stage_label(state.stage),
            "kind": kind,
            "kind_label": kind_label(kind),
            "rule_text": _(RULE_TEXTS[kind]),
            "article": _(ARTICLES[ARTICLE_OF_KIND[kind]]),
            "fields": KIND_FIELDS[kind],
            "people_rows": range(1, PEOPLE_ROWS + 1),
            "recommendation_options": [(code, _(text)) for code, text in RECOMMENDATIONS.items()],
            "membership_options": [
                ("yes", _("Full party member")),
                ("no", _("Probationary member (not full)")),
            ],
            "earliest": earliest,
            "latest": latest,
            "today": datetime.date.today(),
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def event_create(request: Request) -> Response:
    student = await student_or_404(request)
    kind = request.query_params.get("kind", "").strip()
    _student, state = await load_file(student["id"])
    if kind not in allowed_kinds(state):
        status = 200 if request.method == "GET" and not kind else 400
        return choose_page(request, student, state, kind, status)
    if request.method == "GET":
        values = {"happened_on": datetime.date.today().isoformat()}
        return form_page(request, student, state, kind, FormState(values=values))
    form = FormState.from_form(await read_form(request), form_names(kind))
    event = event_from_form(kind, form)
    if event is None:
        return form_page(request, student, state, kind, form, status_code=400)
    today = datetime.date.today()
    async with audited_write(actor_of(request)) as audit:
        _event_id, errors = await record_event(
            audit, student["id"], event, today, recorded_by=request.user.user_id
        )
    if errors:
        apply(form, errors)
        return form_page(request, student, state, kind, form, status_code=400)
    flash(request, _("%(kind)s was recorded.", kind=kind_label(kind)))
    if kind == "talk" and is_late_talk(state, event.happened_on):
        flash(
            request,
            _(
                "The talk came later than one month after the application (due %(date)s); the "
                "file marks it late.",
                date=(state.talk_due_on or event.happened_on).isoformat(),
            ),
            "warning",
        )
    return RedirectResponse(student_page(request, student["id"]), 303)


# --- deleting the latest event ---------------------------------------------------------------


@allow(Role.coordinator)
async def event_delete(request: Request) -> Response:
    student = await student_or_404(request)
    event_id = request.path_params["event_id"]
    _student, state = await load_file(student["id"])
    view = pipeline_view(student["id"], state, request.user, datetime.date.today())
    entry = next((e for e in view.timeline if e.event.id == event_id), None)
    if entry is None:
        raise HTTPException(status_code=404)
    error = deletion_error(state, event_id)
    if request.method == "POST" and error is None:
        async with audited_write(actor_of(request)) as audit:
            error = await delete_event(audit, student["id"], event_id)
        if error is None:
            flash(request, _("%(kind)s was deleted from the file.", kind=entry.label))
            return RedirectResponse(student_page(request, student["id"]), 303)
    return render(
        request,
        "talent_pool/event_delete.html",
        {
            "student": student,
            "student_url": student_page(request, student["id"]),
            "entry": entry,
            "error": error,
        },
        status_code=400 if request.method == "POST" else 200,
    )


# --- the due list ----------------------------------------------------------------------------


def due_filter_conditions(filters: dict[str, str], today: datetime.date) -> list[Any]:
    conditions: list[Any] = []
    if filters["kind"] in DUE_KINDS:
        conditions.append(DueItem.kind == filters["kind"])
    if filters["overdue"] == "1":
        conditions.append(DueItem.due_on < today)
    if filters["q"]:
        conditions.append(
            contains(DueItem.student.name, filters["q"])
            | contains(DueItem.student.student_no, filters["q"])
        )
    return conditions


async def stages_of(student_ids: list[int]) -> dict[int, str | None]:
    if not student_ids:
        return {}
    rows = await PoolEntry.select(PoolEntry.student, PoolEntry.stage).where(
        PoolEntry.student.is_in(student_ids)
    )
    return {row["student"]: row["stage"] for row in rows}


@allow(*STAFF)
async def due_list(request: Request) -> Response:
    """Everything due or overdue in the files the viewer may see (soonest first)."""
    today = datetime.date.today()
    query = request.query_params
    filters = {name: query.get(name, "").strip()[:50] for name in DUE_FILTERS}
    sort = Sort.from_query(query, tuple(DUE_SORTS), "due_on")
    page_request = PageRequest.from_query(query)
    conditions = [*due_conditions(request.user), *due_filter_conditions(filters, today)]
    total = await DueItem.count().where(*conditions)
    rows = (
        await DueItem.select(
            DueItem.id,
            DueItem.kind,
            DueItem.due_on,
            DueItem.student.id.as_alias("student_id"),
            DueItem.student.name.as_alias("student_name"),
            DueItem.student.student_no.as_alias("student_no"),
            DueItem.student.department.as_alias("department"),
        )
        .where(*conditions)
        .order_by(DUE_SORTS[sort.key], ascending=not sort.descending)
        .order_by(DueItem.due_on if sort.key == "name" else DueItem.student.name)
        .order_by(DueItem.id)
        .limit(page_request.size)
        .offset(page_request.offset)
    )
    stages = await stages_of(list({row["student_id"] for row in rows}))
    for row in rows:
        row["label"] = due_label(row["kind"])
        row["overdue"] = row["due_on"] < today
        row["days"] = (row["due_on"] - today).days
        row["stage_label"] = stage_label(stages.get(row["student_id"]))
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
    _student, state = await load_file(student["id"])
    context = {
        "request": request,
        "locale": request.scope.get("locale", "zh_CN"),
        "student": student,
        "pipeline": pipeline_view(student["id"], state, None, today),
        "status_label": political_status_label,
        "gender_label": gender_label,
        "generated_on": today,
        "css": margin_boxes(
            f"{_('Party recruitment file')} · {student['name']} · {student['student_no']}", today
        ),
        "pdf": True,
    }
    html = templates.env.get_template("pdf/pipeline.html").render(context)
    content = await render_pdf(html)
    number = student["student_no"]
    return pdf_response(content, f"发展党员档案-{number}.pdf", f"pipeline-{number}.pdf")


routes = [
    Route("/talent-pool/due", due_list, name="pipeline_due"),
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
