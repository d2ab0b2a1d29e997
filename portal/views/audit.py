"""The audit log (审计日志) of every area's writes, browsable and exportable by coordinators:
part of the base, read straight from portal.tables.AuditEntry."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.auth import allow
from portal.exports import excel_export, export_rows
from portal.i18n import _
from portal.listing import Listing
from portal.pagination import Page, PageRequest
from portal.tables import AuditEntry, Role
from portal.templating import render
from portal.xlsx import Column


def parsed_changes(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        return json.loads(raw or "{}")
    except ValueError:
        return {}


FILTERS = ("table_name", "action", "username", "row_id")


def audit_listing(request: Request) -> Listing:
    """The entries the query string selects, newest first: shared by the page and export."""
    query = request.query_params
    conditions: list[Any] = []
    for name in ("table_name", "action", "username"):
        if value := query.get(name, "").strip():
            conditions.append(getattr(AuditEntry, name) == value)
    if (row_id := query.get("row_id", "")).isdigit():
        conditions.append(AuditEntry.row_id == int(row_id))
    return Listing(
        conditions=conditions,
        order=[(AuditEntry.id, False)],
        filters={name: query.get(name, "") for name in FILTERS},
    )


@allow(Role.coordinator)
async def audit_list(request: Request) -> Response:
    listing = audit_listing(request)
    page_request = PageRequest.from_query(request.query_params, default_size=50)
    total = await AuditEntry.count().where(*listing.conditions)
    rows = (
        await listing.apply(AuditEntry.select())
        .limit(page_request.size)
        .offset(page_request.offset)
    )
    for row in rows:
        row["changes"] = parsed_changes(row["changes"])
    tables = (
        await AuditEntry.select(AuditEntry.table_name).distinct().order_by(AuditEntry.table_name)
    )
    return render(
        request,
        "portal/audit_list.html",
        {
            "page": Page(rows=rows, request=page_request, total=total),
            "filters": listing.filters,
            "tables": [row["table_name"] for row in tables],
        },
    )


def changes_text(raw: Any) -> str:
    """The changes of an entry as the page lists them, one "field: before → after" a line."""

    def shown(value: Any) -> str:
        return "∅" if value is None else str(value)

    lines = []
    for field, change in parsed_changes(raw).items():
        if isinstance(change, list | tuple) and len(change) == 2:
            lines.append(f"{field}: {shown(change[0])} → {shown(change[1])}")
        else:
            lines.append(f"{field}: {shown(change)}")
    return "\n".join(lines)


@allow(Role.coordinator)
async def audit_list_export(request: Request) -> Response:
    listing = audit_listing(request)
    rows, truncated = await export_rows(listing.apply(AuditEntry.select()))
    columns = [
        Column(_("When"), "at", 17),
        Column(_("User"), "username", 14),
        Column(_("Action"), "action", 10),
        Column(_("Table"), "table_name", 24),
        Column(_("Row"), "row_id", 8),
        Column(_("Summary"), "summary", 30),
        Column(_("Changes"), lambda row: changes_text(row["changes"]), 60),
    ]
    return await excel_export(
        stem=_("Audit log"),
        ascii_stem="audit-log",
        title=_("Audit log"),
        columns=columns,
        rows=rows,
        truncated=truncated,
    )


routes = [
    Route("/audit/", audit_list, name="audit_list"),
    Route("/audit/export.xlsx", audit_list_export, name="audit_list_export"),
]
