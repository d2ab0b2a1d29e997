"""Batch PDF export pages (批量导出成长档案), in the top layer: start a batch for a class, major,
cohort or department, watch its progress, download its ZIP. Coordinators only. They parse the
request, call college.batches (the rule, the queueing transaction and the reads) and render;
the work itself is a background job (college.jobs)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from college.batches import (
    FINISHED,
    check_batch_form,
    failures_of,
    finished_file,
    progress_of,
    progress_text,
    queue_batch,
    scope_label,
    shown_batch,
    shown_batches,
    status_label,
    stored_file,
    target_of,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _
from portal.pagination import Page, PageRequest
from portal.queries import filter_choices
from portal.tables import JobStatus, PdfBatch, Role, Student
from portal.templating import render
from portal.vocabulary import BATCH_SCOPES

FIELDS = ["target"]


async def scope_options() -> dict[str, list[str]]:
    """The values each scope can take, from the students there are: two queries (the
    department, major and cohort filters of the student list, and the distinct classes)."""
    options = await filter_choices()
    classes = (
        await Student.select(Student.class_name)
        .distinct()
        .where(Student.class_name != "")
        .order_by(Student.class_name)
    )
    return {
        "class_name": [row["class_name"] for row in classes],
        "major": options["major"],
        "cohort_year": [str(year) for year in options["cohort_year"]],
        "department": options["department"],
    }


async def list_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    page_request = PageRequest.from_query(request.query_params)
    total = await PdfBatch.count()
    rows = await shown_batches(page_request.size, page_request.offset)
    options = await scope_options()
    return render(
        request,
        "college/batch_list.html",
        {
            **form.context(),
            "page": Page(rows=rows, request=page_request, total=total),
            "groups": [
                (scope_label(scope), [(target_of(scope, v), v) for v in options[scope]])
                for scope in BATCH_SCOPES
            ],
            "scope_label": scope_label,
            "status_label": status_label,
            "failures_of": failures_of,
            "progress_text": progress_text,
            "finished": FINISHED,
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def batch_list(request: Request) -> Response:
    if request.method == "GET":
        return await list_page(request, FormState())
    form = FormState.from_form(await read_form(request), FIELDS)
    scope, value = await check_batch_form(form)
    if not form.valid:
        return await list_page(request, form, status_code=400)
    batch = await queue_batch(actor_of(request), scope, value)
    if batch.already_under_way:
        message = _("The export of %(title)s is already under way.", title=batch.title)
        flash(request, message, "warning")
    else:
        flash(request, _("The export of %(title)s has started.", title=batch.title))
    return RedirectResponse(request.url_for("batch_detail", batch_id=batch.id), 303)


@allow(Role.coordinator)
async def batch_detail(request: Request) -> Response:
    batch = await shown_batch(request.path_params["batch_id"])
    return render(
        request,
        "college/batch_detail.html",
        {
            "batch": batch,
            "progress": progress_of(batch),
            "failures": failures_of(batch),
            "scope_label": scope_label,
            "status_label": status_label,
            "downloadable": stored_file(batch["file_path"]) is not None
            and batch["status"] == JobStatus.done.value,
        },
    )


@allow(Role.coordinator)
async def batch_progress(request: Request) -> Response:
    """The progress page polls this every second."""
    batch = await shown_batch(request.path_params["batch_id"])
    return JSONResponse(progress_of(batch), headers={"Cache-Control": "no-store"})


@allow(Role.coordinator)
async def batch_download(request: Request) -> Response:
    batch = await shown_batch(request.path_params["batch_id"])
    path = finished_file(batch)
    filename = f"成长档案-{batch['scope_value']}.zip"
    fallback = f"records-batch-{batch['id']}.zip"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return FileResponse(
        path,
        media_type="application/zip",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


routes = [
    Route("/records/batches/", batch_list, methods=["GET", "POST"], name="batch_list"),
    Route("/records/batches/{batch_id:int}", batch_detail, name="batch_detail"),
    Route("/records/batches/{batch_id:int}/progress", batch_progress, name="batch_progress"),
    Route("/records/batches/{batch_id:int}/download", batch_download, name="batch_download"),
]
