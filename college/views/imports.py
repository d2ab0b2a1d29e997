"""Import pages (导入): upload a file, see its preview, confirm or cancel; templates per kind.

Flow: GET /students/import (and /mentors/import, /enterprises/import) shows the upload form;
POST reads and checks the file and keeps it as an ImportBatch (nothing else is written), then
redirects to /imports/{id}, the preview. Confirming writes every row in one transaction, or
none; a file with bad rows cannot be confirmed. Coordinators only.

A file that lacks a required column the kind can fill for the whole file (年级 from the 学号 or
the title row, or one typed value) is previewed with the fill; POST /imports/{id}/fill checks
the kept file again with another choice. A typed value the column refuses is shown beside its
field (400), the choice kept, the batch as it was.

The upload and confirm forms work as plain form posts; imports.js adds an upload progress bar
and a "writing" state while the confirm request runs (it asks for JSON with `Accept`).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from college.importing.applying import (
    apply_batch,
    discard_batch,
    load_batch,
    replace_preview,
    store_preview,
)
from college.importing.filling import MODES, Fill, row_note
from college.importing.kinds import SPECS, ImportSpec
from college.importing.preview import build_preview, refill_preview
from college.importing.reading import MAX_FILE_BYTES, file_refused, too_large_message
from college.importing.template import general_notes, template_bytes
from partners.organizations.tables import Enterprise
from portal.audit import actor_of
from portal.auth import allow
from portal.domain_errors import NotVisible
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _
from portal.pagination import Page, PageRequest
from portal.tables import ImportBatch, ImportStatus, Role
from portal.templating import render
from portal.vocabulary import (
    ENTERPRISE_STATUSES,
    GENDERS,
    IMPORT_STATUSES,
    MENTOR_SIDES,
    PARTY_ORG_KINDS,
    POLITICAL_STATUSES,
    label,
)
from portal.xlsx import Column, workbook_bytes, xlsx_response

MULTIPART_ALLOWANCE = 64 * 1024  # form fields and part headers around the file
PROBLEMS_SHOWN = 200
ACTIONS = ("create", "update", "unchanged")
RECENT_BATCHES = 10
# The imported fields that hold a code, and the labels the preview shows for it.
CODED_FIELDS = {
    "gender": GENDERS,
    "political_status": POLITICAL_STATUSES,
    "side": MENTOR_SIDES,
    "party_org_kind": PARTY_ORG_KINDS,
    "status": ENTERPRISE_STATUSES,
}
Endpoint = Callable[[Request], Awaitable[Response]]


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def get_spec_or_404(kind: str) -> ImportSpec:
    spec = SPECS.get(kind)
    if spec is None:
        raise NotVisible(f"import kind {kind}")
    return spec


# --- upload -------------------------------------------------------------------------------


async def recent_batches(spec: ImportSpec) -> list[dict[str, Any]]:
    return (
        await ImportBatch.select(
            ImportBatch.id,
            ImportBatch.file_name,
            ImportBatch.status,
            ImportBatch.total,
            ImportBatch.created_at,
            ImportBatch.created_by.username.as_alias("created_by_username"),
        )
        .where(ImportBatch.kind == spec.kind)
        .order_by(ImportBatch.id, ascending=False)
        .limit(RECENT_BATCHES)
    )


async def upload_page(
    request: Request, spec: ImportSpec, form: FormState | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "college/import_upload.html",
        {
            "spec": spec,
            "columns": [(column, _(column.note)) for column in spec.columns],
            "general_notes": general_notes(),
            "fill_columns": [
                column.header
                for column in spec.columns
                if column.field in spec.fillable or column.field in spec.optional_fills
            ],
            **(form or FormState()).context(),
            "max_bytes": MAX_FILE_BYTES,
            "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
            "recent": await recent_batches(spec),
            "status_label": status_label,
        },
        status_code=status_code,
    )


async def upload_form(request: Request) -> FormData:
    """The submitted form: parsed already by the CSRF middleware for a plain post, else here
    (imports.js sends the token as a header), with at most one file."""
    parsed = request.scope.get("form")
    if not isinstance(parsed, FormData):
        parsed = request.scope["form"] = await request.form(max_files=1, max_fields=20)
    return parsed


async def uploaded_content(request: Request) -> bytes:
    """The file's bytes, or Refused: none chosen, empty, or over the size cap (judged by
    Content-Length before anything is read, when the form has not been read yet)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FILE_BYTES + MULTIPART_ALLOWANCE:
        raise file_refused(too_large_message())
    upload = (await upload_form(request)).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise file_refused(_("Choose a file to upload."))
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise file_refused(too_large_message())
    content = await upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise file_refused(too_large_message())
    if not content:
        raise file_refused(_("The file is empty."))
    return content


async def close_files(request: Request) -> None:
    """Spooled upload files are closed here: the CSRF middleware's parse never closes them."""
    form = request.scope.get("form")
    if isinstance(form, FormData):
        await form.close()


def closes_uploads(endpoint: Endpoint) -> Endpoint:
    """Closes the request's uploaded files once the endpoint is done, also when its guard
    turned the request away."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        finally:
            await close_files(request)

    return wrapper


async def upload(request: Request, spec: ImportSpec) -> Response:
    if request.method == "GET":
        return await upload_page(request, spec)
    answer_refusals_with(request, FormState(), functools.partial(upload_page, request, spec))
    content = await uploaded_content(request)
    file_name = getattr((await upload_form(request)).get("file"), "filename", "") or ""
    file_name = file_name.replace("\\", "/").rsplit("/", 1)[-1]  # C:\fakepath\… → …
    preview = await build_preview(spec, content, datetime.date.today())
    batch_id = await store_preview(actor_of(request), preview, file_name)
    url = str(request.url_for("import_detail", import_id=batch_id))
    if wants_json(request):
        return JSONResponse({"location": url})
    return RedirectResponse(url, status_code=303)


@closes_uploads
@allow(Role.coordinator)
async def student_import(request: Request) -> Response:
    return await upload(request, SPECS["students"])


@closes_uploads
@allow(Role.coordinator)
async def mentor_import(request: Request) -> Response:
    return await upload(request, SPECS["mentors"])


@closes_uploads
@allow(Role.coordinator)
async def enterprise_import(request: Request) -> Response:
    return await upload(request, SPECS["enterprises"])


@allow(Role.coordinator)
async def import_template(request: Request) -> Response:
    spec = get_spec_or_404(request.path_params["kind"])
    name = _("%(kind)s import template", kind=spec.title())
    return xlsx_response(template_bytes(spec), f"{name}.xlsx", f"{spec.kind}-import-template.xlsx")


# --- preview and result -------------------------------------------------------------------


def status_label(status: str) -> str:
    return label(IMPORT_STATUSES, status)


def action_label(action: str) -> str:
    labels = {"create": _("New"), "update": _("Update"), "unchanged": _("Unchanged")}
    return labels.get(action, action)


def display_columns(spec: ImportSpec, meta: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, header) of the record fields the file sets, headed as in the file."""
    present = list(meta.get("columns", {}))
    headers = dict(meta.get("columns", {}))
    if "enterprise_name" in headers or "enterprise_code" in headers:
        headers["enterprise"] = headers.get("enterprise_name") or headers["enterprise_code"]
    result = []
    for name in spec.written_fields(present, ()):
        column = spec.column(name)
        header = headers.get(name) or (column.header if column else _("Enterprise"))
        result.append((name, header))
    return result


def format_value(name: str, value: Any, enterprises: dict[int, str]) -> str:
    if value is None or value == "":
        return ""
    if name in CODED_FIELDS:
        return label(CODED_FIELDS[name], value)
    if name == "party_member":
        return _("Yes") if value else _("No")
    if name == "enterprise":
        return enterprises.get(value, str(value))
    return str(value)


async def enterprise_names(items: list[dict[str, Any]]) -> dict[int, str]:
    """Names of the enterprises a page of mentor rows refers to (one query)."""
    ids = sorted(
        {
            value
            for item in items
            for value in [item["values"].get("enterprise")]
            + [
                change[0]
                for field, change in item.get("changes", {}).items()
                if field == "enterprise"
            ]
            if isinstance(value, int)
        }
    )
    if not ids:
        return {}
    rows = await Enterprise.select(Enterprise.id, Enterprise.name).where(Enterprise.id.is_in(ids))
    return {row["id"]: row["name"] for row in rows}


async def table_rows(
    items: list[dict[str, Any]], columns: list[tuple[str, str]], fills: dict[str, Fill]
) -> list[dict[str, Any]]:
    """The page's rows as cells: the new value, and the old one where an update changes it;
    a filled column says how its value was found."""
    names = await enterprise_names(items)
    rows = []
    for item in items:
        cells = []
        for name, _header in columns:
            change = item.get("changes", {}).get(name)
            fill = fills.get(name)
            cells.append(
                {
                    "value": format_value(name, item["values"].get(name), names),
                    "old": format_value(name, change[0], names) if change else None,
                    "changed": change is not None,
                    "note": row_note(fill, item["values"]) if fill else "",
                }
            )
        rows.append({**item, "cells": cells})
    return rows


async def get_batch_or_404(request: Request, *, with_rows: bool = True) -> dict[str, Any]:
    batch = await load_batch(request.path_params["import_id"], with_rows=with_rows)
    if batch is None:
        raise NotVisible(f"import batch {request.path_params['import_id']}")
    return batch


def fill_mode_label(mode: str, value: str) -> str:
    if mode == "title":
        return _("From the title row: %(value)s", value=value)
    if mode == "student_no":
        return _("From the first four digits of each student number")
    if mode == "blank":
        return _("Leave empty")
    return _("One value for all rows")


def fill_choices(meta: dict[str, Any], form: FormState | None) -> list[dict[str, Any]]:
    """The missing columns and their ways, as the fill form shows them: the stored choice, or
    what was just sent when it is shown again with a message."""
    choices = []
    for data in meta.get("fills", []):
        fill = Fill.from_json(data)
        mode_name, value_name = f"fill-{fill.field}", f"value-{fill.field}"
        mode, typed = fill.mode, fill.value if fill.mode == "set" else ""
        if form is not None:
            mode = form.values.get(mode_name, mode)
            typed = form.values.get(value_name, typed)
        options = [
            {"mode": way, "label": fill_mode_label(way, derived)}
            for way, derived in fill.derived.items()
        ]
        options.append({"mode": "set", "label": fill_mode_label("set", "")})
        choices.append(
            {
                "field": fill.field,
                "header": fill.header,
                "mode": mode if mode in MODES else "set",
                "value": typed,
                "options": options,
                "mode_name": mode_name,
                "value_name": value_name,
                "error": (form.errors.get(value_name, "") if form else ""),
                "waiting": fill.waiting,
            }
        )
    return choices


@allow(Role.coordinator)
async def import_detail(request: Request) -> Response:
    batch = await get_batch_or_404(request)
    return await detail_page(request, batch)


async def detail_page(
    request: Request, batch: dict[str, Any], form: FormState | None = None, status_code: int = 200
) -> Response:
    spec = SPECS[batch["kind"]]
    meta = batch["data"]
    items = meta.get("items", [])
    show = request.query_params.get("show", "")
    if show not in ACTIONS:
        show = ""
    shown = [item for item in items if not show or item["action"] == show]
    page_request = PageRequest.from_query(request.query_params, default_size=50)
    page_items = shown[page_request.offset : page_request.offset + page_request.size]
    columns = display_columns(spec, meta)
    counts = meta.get("counts", {})
    can_confirm = (
        batch["status"] == ImportStatus.previewed.value
        and not batch["problems"]
        and batch["total"] > 0
        and not meta.get("waiting")
    )
    fills = {data["field"]: Fill.from_json(data) for data in meta.get("fills", [])}
    if "enterprise_name" in fills:  # shown in the mentors' enterprise column
        fills["enterprise"] = fills["enterprise_name"]
    return render(
        request,
        "college/import_detail.html",
        {
            "batch": batch,
            "spec": spec,
            "meta": meta,
            "counts": counts,
            "columns": columns,
            "page": Page(
                rows=await table_rows(page_items, columns, fills),
                request=page_request,
                total=len(shown),
            ),
            "params": {"show": show} if show else {},
            "show": show,
            "actions": [
                (action, action_label(action), counts.get(action, 0)) for action in ACTIONS
            ],
            "problems": batch["problems"][:PROBLEMS_SHOWN],
            "problem_count": meta.get("problem_total", len(batch["problems"])),
            "problems_kept": len(batch["problems"]),
            "can_confirm": can_confirm,
            "status_label": status_label,
            "action_label": action_label,
            "fill_choices": fill_choices(meta, form),
            "revision": meta.get("revision", ""),
        },
        status_code=status_code,
    )


@allow(Role.coordinator)
async def import_fill(request: Request) -> Response:
    """Checks the kept file again with another way of filling its missing columns."""
    batch = await get_batch_or_404(request)
    meta = batch["data"]
    if batch["status"] != ImportStatus.previewed.value or "source" not in meta:
        flash(request, _("This import is no longer waiting for a confirm."), "error")
        return RedirectResponse(
            request.url_for("import_detail", import_id=batch["id"]), status_code=303
        )
    spec = SPECS[batch["kind"]]
    fields = [data["field"] for data in meta["fills"]]
    names = [f"{kind}-{name}" for name in fields for kind in ("fill", "value")]
    form = FormState.from_form(await read_form(request), names)
    choices = {name: (form.values[f"fill-{name}"], form.values[f"value-{name}"]) for name in fields}
    preview, errors = await refill_preview(spec, meta, choices, datetime.date.today())
    for name, message in errors.items():
        form.add_error(f"value-{name}", message)
    if preview is None or not form.valid:
        return await detail_page(request, batch, form, status_code=400)
    if await replace_preview(actor_of(request), batch["id"], preview, meta):
        flash(
            request, _("The rows were checked again with your choice: look at them, then confirm.")
        )
    else:
        flash(request, _("This import is no longer waiting for a confirm."), "error")
    url = request.url_for("import_detail", import_id=batch["id"])
    return RedirectResponse(f"{url}#import-fills", status_code=303)


@allow(Role.coordinator)
async def import_confirm(request: Request) -> Response:
    batch = await get_batch_or_404(request, with_rows=False)
    sent = str((await read_form(request)).get("revision", ""))
    revision = int(sent) if sent.isdigit() else None
    outcome = await apply_batch(batch["id"], actor_of(request), revision)
    if outcome.status == ImportStatus.previewed.value:  # refused: the file has bad rows
        flash(request, outcome.message, "error")
    # Written or failed: the batch's page says so, with the counts or the reason.
    url = str(request.url_for("import_detail", import_id=batch["id"]))
    if wants_json(request):
        return JSONResponse({"status": outcome.status, "location": url})
    return RedirectResponse(url, status_code=303)


@allow(Role.coordinator)
async def import_discard(request: Request) -> Response:
    batch = await get_batch_or_404(request, with_rows=False)
    if await discard_batch(batch["id"], actor_of(request)):
        flash(request, _("The import was cancelled: nothing was written."))
    spec = SPECS[batch["kind"]]
    return RedirectResponse(request.url_for(spec.upload_route), status_code=303)


@allow(Role.coordinator)
async def import_status(request: Request) -> Response:
    """The batch's state as JSON. Rows are written in one transaction, so `written` jumps
    from 0 to `total` when it commits: there is no partial progress to report."""
    batch = await get_batch_or_404(request, with_rows=False)
    return JSONResponse(
        {
            "status": batch["status"],
            "written": batch["written"],
            "total": batch["total"],
            "message": batch["message"],
        },
        headers={"Cache-Control": "no-store"},
    )


@allow(Role.coordinator)
async def import_problems(request: Request) -> Response:
    """Every bad row of a batch as a workbook, to work through beside the file."""
    batch = await get_batch_or_404(request)
    columns = [
        Column(_("Line"), "line", 8),
        Column(_("Column"), "column", 18),
        Column(_("Cell value"), "value", 24),
        Column(_("Problem"), "message", 70),
    ]
    content = workbook_bytes(_("Problems"), columns, batch["problems"])
    stem = batch["file_name"].rsplit(".", 1)[0] or "import"
    name = _("%(file)s-problems", file=stem)
    return xlsx_response(content, f"{name}.xlsx", f"import-{batch['id']}-problems.xlsx")


routes = [
    Route("/students/import", student_import, methods=["GET", "POST"], name="student_import"),
    Route("/mentors/import", mentor_import, methods=["GET", "POST"], name="mentor_import"),
    Route(
        "/enterprises/import", enterprise_import, methods=["GET", "POST"], name="enterprise_import"
    ),
    Route("/imports/templates/{kind}.xlsx", import_template, name="import_template"),
    Route("/imports/{import_id:int}", import_detail, name="import_detail"),
    Route(
        "/imports/{import_id:int}/confirm", import_confirm, methods=["POST"], name="import_confirm"
    ),
    Route(
        "/imports/{import_id:int}/discard", import_discard, methods=["POST"], name="import_discard"
    ),
    Route("/imports/{import_id:int}/fill", import_fill, methods=["POST"], name="import_fill"),
    Route("/imports/{import_id:int}/status", import_status, name="import_status"),
    Route("/imports/{import_id:int}/problems.xlsx", import_problems, name="import_problems"),
]
