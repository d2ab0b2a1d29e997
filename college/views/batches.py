"""Batch PDF export pages (批量导出成长档案): start a batch for a class, major, cohort or
department, watch its progress, download its ZIP. Coordinators only; the work itself is done
by the runner in college/batches.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from college.batches import (
    FINISHED,
    count_in_scope,
    failures_of,
    progress_of,
    scope_label,
    status_label,
    stored_file,
)
from portal.audit import actor_of, audited_write
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
BATCH_COLUMNS = (*PdfBatch.all_columns(), PdfBatch.requested_by.username.as_alias("requester"))


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


def target_of(scope: str, value: str) -> str:
    """The form's single choice: scope and value in one option (scope:value)."""
    return f"{scope}:{value}"


async def check_batch_form(form: FormState) -> tuple[str, str]:
    """The scope and value chosen; a message next to the field when there is no such choice
    or no student in it (an empty ZIP helps nobody)."""
    target = form.required("target")
    scope, _sep, value = target.partition(":")
    unknown = scope not in BATCH_SCOPES or not value or (scope == "cohort_year" and not value.isdigit())
    if target and unknown:
        form.add_error("target", _("Choose one of the listed options."))
    if form.valid and await count_in_scope(scope, value) == 0:
        form.add_error("target", _("No student is in this group: choose another one."))
    return scope, value


async def list_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    page_request = PageRequest.from_query(request.query_params)
    total = await PdfBatch.count()
    rows = (
        await PdfBatch.select(*BATCH_COLUMNS)
        .order_by(PdfBatch.id, ascending=False)
        .limit(page_request.size)
        .offset(page_request.offset)
        .output(load_json=True)
    )
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
    title = f"{scope_label(scope)} {value}"
    async with audited_write(actor_of(request)) as audit:
        # One unfinished batch per group: a second click opens the first one.
        existing = (
            await PdfBatch.select(PdfBatch.id)
            .where(
                PdfBatch.scope == scope,
                PdfBatch.scope_value == value,
                PdfBatch.status.is_in([JobStatus.queued.value, JobStatus.running.value]),
            )
            .first()
        )
        if existing is None:
            values = {
                "scope": scope,
                "scope_value": value,
                "title": title,
                "status": JobStatus.queued.value,
                "total": await count_in_scope(scope, value),
                "requested_by": request.user.user_id,
            }
            row = (await PdfBatch.insert(PdfBatch(**values)).returning(PdfBatch.id))[0]
            await audit.created(PdfBatch, row["id"], values, title)
            batch_id = row["id"]
    if existing is not None:
        batch_id = existing["id"]
        flash(request, _("The export of %(title)s is already under way.", title=title), "warning")
    else:
        flash(request, _("The export of %(title)s has started.", title=title))
    return RedirectResponse(request.url_for("batch_detail", batch_id=batch_id), 303)


async def batch_or_404(request: Request) -> dict[str, Any]:
    batch = (
        await PdfBatch.select(*BATCH_COLUMNS)
        .where(PdfBatch.id == request.path_params["batch_id"])
        .output(load_json=True)
        .first()
    )
    if batch is None:
        raise HTTPException(status_code=404)
    return batch


@allow(Role.coordinator)
async def batch_detail(request: Request) -> Response:
    batch = await batch_or_404(request)
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
    batch = await batch_or_404(request)
    return JSONResponse(progress_of(batch), headers={"Cache-Control": "no-store"})


@allow(Role.coordinator)
async def batch_download(request: Request) -> Response:
    batch = await batch_or_404(request)
    path = stored_file(batch["file_path"])
    if batch["status"] != JobStatus.done.value or path is None:
        raise HTTPException(status_code=404)
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
