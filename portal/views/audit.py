"""The audit log, browsable by coordinators."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.auth import allow
from portal.pagination import Page, PageRequest
from portal.tables import AuditEntry, Role
from portal.templating import render


def parsed_changes(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        return json.loads(raw or "{}")
    except ValueError:
        return {}


@allow(Role.coordinator)
async def audit_list(request: Request) -> Response:
    query = request.query_params
    page_request = PageRequest.from_query(query, default_size=50)
    conditions: list[Any] = []
    for name in ("table_name", "action", "username"):
        if value := query.get(name, "").strip():
            conditions.append(getattr(AuditEntry, name) == value)
    if (row_id := query.get("row_id", "")).isdigit():
        conditions.append(AuditEntry.row_id == int(row_id))
    total = await AuditEntry.count().where(*conditions)
    rows = (
        await AuditEntry.select()
        .where(*conditions)
        .order_by(AuditEntry.id, ascending=False)
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
            "filters": {
                n: query.get(n, "") for n in ("table_name", "action", "username", "row_id")
            },
            "tables": [row["table_name"] for row in tables],
        },
    )


routes = [Route("/audit/", audit_list, name="audit_list")]
