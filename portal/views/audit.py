"""The audit log (审计日志) of every area's writes, browsable and exportable by coordinators:
part of the base, read straight from portal.tables.AuditEntry."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import vocabulary as v
from portal.auth import allow
from portal.exports import excel_export, export_rows
from portal.i18n import _, lazy
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


# A stored field → its label, where the forms already name it.
FIELD_LABELS: dict[str, str] = {
    "name": lazy("Name"),
    "student_no": lazy("Student number"),
    "gender": lazy("Gender"),
    "birth_date": lazy("Birth date"),
    "department": lazy("Department"),
    "major": lazy("Major"),
    "class_name": lazy("Class"),
    "cohort_year": lazy("Cohort year"),
    "political_status": lazy("Political status"),
    "phone": lazy("Phone"),
    "role": lazy("Role"),
    "display_name": lazy("Display name"),
    "username": lazy("Username"),
    "status": lazy("Status"),
    "kind": lazy("Kind"),
    "title": lazy("Title"),
    "topic": lazy("Topic"),
    "content": lazy("Content"),
    "term": lazy("Term"),
    "mode": lazy("Mode"),
}
# A field whose stored codes have vocabulary labels: by field name, or (table, field) where the
# same field name holds different codes in different tables.
FIELD_CHOICES: dict[str, Mapping[str, str]] = {
    "gender": v.GENDERS,
    "political_status": v.POLITICAL_STATUSES,
    "role": v.ROLES,
    "party_org_kind": v.PARTY_ORG_KINDS,
    "mode": v.MENTORING_MODES,
    "period": v.PLAN_PERIODS,
    "seat": v.SEATS,
    "decision": v.DECISIONS,
    "stage": v.STAGES,
    "level": v.AWARD_LEVELS,
}
TABLE_FIELD_CHOICES: dict[tuple[str, str], Mapping[str, str]] = {
    ("partners_enterprise", "status"): v.ENTERPRISE_STATUSES,
    ("partners_organization", "kind"): v.ORGANIZATION_KINDS,
    ("partners_organization", "status"): v.ORGANIZATION_STATUSES,
    ("partners_member_unit", "side"): v.UNIT_SIDES,
    ("partners_activity", "kind"): v.ACTIVITY_KINDS,
    ("partners_mentor", "side"): v.MENTOR_SIDES,
    ("partners_project", "kind"): v.PROJECT_KINDS,
    ("partners_project", "status"): v.PROJECT_STATUSES,
    ("partners_participation", "kind"): v.PARTICIPATION_KINDS,
    ("partners_participation", "status"): v.PARTICIPATION_STATUSES,
    ("partners_mentor_assignment", "status"): v.ASSIGNMENT_STATUSES,
    ("talent_pool_flag", "status"): v.FLAG_STATUSES,
    ("talent_pool_entry", "status"): v.POOL_STATUSES,
    ("talent_pool_pipeline_event", "kind"): v.EVENT_KINDS,
    ("talent_pool_due_item", "kind"): v.DUE_KINDS,
    ("talent_pool_award", "kind"): v.AWARD_KINDS,
    ("portal_import_batch", "kind"): v.IMPORT_KINDS,
    ("portal_import_batch", "status"): v.IMPORT_STATUSES,
}


@dataclass(frozen=True, slots=True)
class ChangeLine:
    """One changed field as people read it: 政治面貌：群众 → 共青团员."""

    field: str
    before: str | None  # None on a new record: its fields have no "before"
    after: str

    def __str__(self) -> str:
        if self.before is None:
            return _("%(label)s: ", label=self.field) + self.after
        return _(
            "%(field)s: %(before)s → %(after)s",
            field=self.field,
            before=self.before,
            after=self.after,
        )


def field_label(field: str) -> str:
    return _(FIELD_LABELS[field]) if field in FIELD_LABELS else field


def value_text(table_name: str, field: str, value: Any) -> str:
    """A stored value as people read it: a code by its vocabulary label, yes/no, or (empty)."""
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    choices = TABLE_FIELD_CHOICES.get((table_name, field)) or FIELD_CHOICES.get(field)
    if choices is not None and isinstance(value, str) and value in choices:
        return v.label(choices, value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def change_lines(
    table_name: str, changes: Mapping[str, Any], action: str = "update"
) -> list[ChangeLine]:
    """The changed fields as people read them; a new record's fields as plain values."""
    lines = []
    for field, change in changes.items():
        before, after = (
            change if isinstance(change, list | tuple) and len(change) == 2 else (None, change)
        )
        lines.append(
            ChangeLine(
                field_label(field),
                None if action == "create" else value_text(table_name, field, before),
                value_text(table_name, field, after),
            )
        )
    return lines


def table_noun(table_name: str) -> str:
    """What a row of a table is called (学生, 活动); the table's name where none is known."""
    return _(v.AUDIT_TABLES[table_name]) if table_name in v.AUDIT_TABLES else table_name


def row_named(table_name: str, summary: str) -> str:
    """The row an entry is about: 学生 张三, 活动《…》, or just the noun when nothing names it."""
    noun = table_noun(table_name)
    if not summary:
        return noun
    if table_name in v.AUDIT_PERSON_TABLES:
        return _("%(noun)s %(name)s", noun=noun, name=summary)
    return _("%(noun)s “%(name)s”", noun=noun, name=summary)


def audit_sentence(action: str, table_name: str, summary: str, changes: Mapping[str, Any]) -> str:
    """What an entry says happened, in the reader's language: 新增了活动《…》, 修改了学生 张三 的
    政治面貌：群众 → 共青团员, 登录了系统."""
    what = row_named(table_name, summary)
    if action == "create":
        return _("Added %(what)s", what=what)
    if action == "delete":
        return _("Deleted %(what)s", what=what)
    if action == "update":
        lines = change_lines(table_name, changes)
        if len(lines) == 1:
            line = lines[0]
            return _(
                "Changed the %(field)s of %(what)s: %(before)s → %(after)s",
                field=line.field,
                what=what,
                before=line.before,
                after=line.after,
            )
        return _("Changed %(what)s", what=what)
    if action in v.AUDIT_ACTIONS:
        done = _(v.AUDIT_ACTIONS[action])
        return _("%(done)s: %(summary)s", done=done, summary=summary) if summary else done
    return _("%(action)s %(what)s", action=action, what=what)


@dataclass(frozen=True, slots=True)
class AuditLine:
    """An audit entry as the page shows it: the sentence, its changes, and the raw row."""

    entry: Mapping[str, Any]
    sentence: str
    changes: list[ChangeLine]


def audit_line(entry: Mapping[str, Any]) -> AuditLine:
    changes = parsed_changes(entry["changes"])
    return AuditLine(
        entry=entry,
        sentence=audit_sentence(entry["action"], entry["table_name"], entry["summary"], changes),
        changes=change_lines(entry["table_name"], changes, entry["action"])
        if entry["action"] != "update" or len(changes) != 1
        else [],
    )


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
            "tables": [(row["table_name"], table_noun(row["table_name"])) for row in tables],
            "lines": [audit_line(row) for row in rows],
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
        Column(_("What happened"), lambda row: audit_line(row).sentence, 40),
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
