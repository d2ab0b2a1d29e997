"""Activity pages (活动) of a joint organization: timeline, create, detail, edit, delete and
attendance. Coordinators and the partners of member enterprises use them; everything is
fetched through the organization the viewer may see, so anything else is a 404."""

from __future__ import annotations

import datetime

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.organizations.activities import (
    ACTIVITY_FIELDS,
    MIN_SEARCH_LENGTH,
    SEARCH_LIMIT,
    AttendanceSheet,
    activity_values,
    apply_sheet_action,
    attendable_classes,
    check_activity_form,
    check_sheet_members,
    delete_activity,
    member_window,
    page_number,
    read_sheet,
    record_attendance,
    save_activity,
    search_students,
    sheet_students,
)
from partners.organizations.deletions import activity_deletion
from partners.organizations.queries import (
    ActivityFilters,
    ActivityRecord,
    ActivityRow,
    AttendeeMemberRow,
    AttendeeStudentRow,
    OrganizationRow,
    activity_count,
    activity_in,
    activity_rows,
    activity_years,
    attending_member_ids,
    attending_students,
    organization_members,
    units_of,
)
from partners.organizations.views.organizations import organization_in_path
from portal.audit import actor_of
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.domain_errors import FORM, Refused
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels, ngettext
from portal.pagination import Page, PageRequest
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import ACTIVITY_KINDS, label
from portal.xlsx import Column


async def activity_in_path(request: Request, organization: OrganizationRow) -> ActivityRecord:
    """The activity named in the path, if it belongs to the organization (else a 404)."""
    return await activity_in(organization.id, request.path_params["activity_id"])


def to_activity(request: Request, organization_id: int, activity_id: int) -> RedirectResponse:
    url = request.url_for(
        "activity_detail", organization_id=organization_id, activity_id=activity_id
    )
    return RedirectResponse(url, 303)


# --- the timeline ------------------------------------------------------------------------------


def by_month(rows: list[ActivityRow]) -> list[tuple[str, list[ActivityRow]]]:
    """Rows (newest first) grouped under their month, e.g. 2026-10."""
    groups: list[tuple[str, list[ActivityRow]]] = []
    for row in rows:
        month = row.held_on.strftime("%Y-%m")
        if not groups or groups[-1][0] != month:
            groups.append((month, []))
        groups[-1][1].append(row)
    return groups


@allow(Role.coordinator, Role.partner)
@cached_page
async def activity_list(request: Request) -> Response:
    organization = await organization_in_path(request)
    filters = ActivityFilters.from_query(request.query_params)
    page_request = PageRequest.from_query(request.query_params)
    total = await cached_value(
        request,
        ("activity_count", organization.id, filters),
        lambda: activity_count(filters, organization.id),
    )
    rows = await activity_rows(filters, organization.id, page_request.size, page_request.offset)
    return render(
        request,
        "organizations/activity_list.html",
        {
            "organization": organization,
            "page": Page(rows=rows, request=page_request, total=total),
            "months": by_month(rows),
            "filters": filters.as_params(),
            "years": await cached_value(
                request,
                ("activity_years", organization.id),
                lambda: activity_years(organization.id),
            ),
            "kind_labels": labels(ACTIVITY_KINDS),
        },
    )


@allow(Role.coordinator, Role.partner)
async def activity_list_export(request: Request) -> Response:
    organization = await organization_in_path(request)
    filters = ActivityFilters.from_query(request.query_params)
    rows, truncated = await export_read(
        lambda limit: activity_rows(filters, organization.id, limit)
    )
    columns = [
        Column(_("Date"), "held_on", 12),
        Column(_("Title"), "title", 30),
        Column(_("Kind"), lambda row: label(ACTIVITY_KINDS, row.kind), 12),
        Column(_("Host unit"), "host_name", 24),
        Column(_("Place"), "place", 20),
        Column(_("Members attending"), "members", 10),
        Column(_("Students attending"), "students", 10),
        Column(_("Summary"), "summary", 50),
    ]
    return await excel_export(
        stem=f"{organization.name}-{_('Activity list')}",
        ascii_stem="activities",
        title=_("Activities"),
        columns=columns,
        rows=rows,
        truncated=truncated,
    )


# --- create, edit, delete ----------------------------------------------------------------------


async def unit_options(organization_id: int) -> list[tuple[int, str]]:
    """The organization's member units a host can be chosen from, college side first."""
    return [(unit.id, unit.name) for unit in await units_of(organization_id)]


def form_page(
    request: Request,
    form: FormState,
    organization: OrganizationRow,
    activity: ActivityRecord | None,
    units: list[tuple[int, str]],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "organizations/activity_form.html",
        {
            **form.context(),
            "organization": organization,
            "activity": activity,
            "unit_options": units,
            "kind_options": list(labels(ACTIVITY_KINDS).items()),
        },
        status_code=status_code,
    )


def edit_values(activity: ActivityRecord) -> dict[str, str]:
    """The activity as its form shows it."""
    return {
        name: "" if value is None else str(value)
        for name, value in activity_values(activity).items()
    }


async def submit_activity_form(
    request: Request, organization: OrganizationRow, activity: ActivityRecord | None
) -> Response:
    form = FormState.from_form(await read_form(request), ACTIVITY_FIELDS)
    units = await unit_options(organization.id)
    values = check_activity_form(form, datetime.date.today(), [unit_id for unit_id, _name in units])
    if not form.valid:
        return form_page(request, form, organization, activity, units, status_code=400)
    activity_id = await save_activity(actor_of(request), organization.id, values, activity)
    if activity is None:
        flash(request, _("Activity %(title)s was added.", title=values["title"]))
    else:
        flash(request, _("The changes were saved."))
    url = request.url_for(
        "activity_detail", organization_id=organization.id, activity_id=activity_id
    )
    return RedirectResponse(url, 303)


@allow(Role.coordinator, Role.partner)
async def activity_create(request: Request) -> Response:
    organization = await organization_in_path(request)
    if request.method == "POST":
        return await submit_activity_form(request, organization, None)
    units = await unit_options(organization.id)
    values = {"held_on": datetime.date.today().isoformat()}
    return form_page(request, FormState(values=values), organization, None, units)


@allow(Role.coordinator, Role.partner)
async def activity_edit(request: Request) -> Response:
    organization = await organization_in_path(request)
    activity = await activity_in_path(request, organization)
    if request.method == "POST":
        return await submit_activity_form(request, organization, activity)
    units = await unit_options(organization.id)
    return form_page(
        request, FormState(values=edit_values(activity)), organization, activity, units
    )


@allow(Role.coordinator, Role.partner)
async def activity_delete(request: Request) -> Response:
    organization = await organization_in_path(request)
    activity = await activity_in_path(request, organization)
    if request.method == "GET":
        return render(
            request,
            "organizations/activity_delete.html",
            {
                "organization": organization,
                "activity": activity,
                "deletion": await activity_deletion(request.user, activity.id),
            },
        )
    await delete_activity(actor_of(request), activity)
    flash(request, _("Activity %(title)s was deleted.", title=activity.title))
    return RedirectResponse(request.url_for("activity_list", organization_id=organization.id), 303)


# --- detail and attendance ---------------------------------------------------------------------


def by_unit(members: list[AttendeeMemberRow]) -> list[tuple[str, list[AttendeeMemberRow]]]:
    """Members (sorted by unit) grouped under their member unit's name."""
    groups: list[tuple[str, list[AttendeeMemberRow]]] = []
    last_unit = None
    for member in members:
        if member.unit_id != last_unit:
            groups.append((member.unit_name, []))
            last_unit = member.unit_id
        groups[-1][1].append(member)
    return groups


@allow(Role.coordinator, Role.partner)
async def activity_detail(request: Request) -> Response:
    organization = await organization_in_path(request)
    activity = await activity_in_path(request, organization)
    members = await organization_members(organization.id)
    attending = await attending_member_ids(activity.id)
    attendees = [member for member in members if member.id in attending]
    return render(
        request,
        "organizations/activity_detail.html",
        {
            "organization": organization,
            "activity": activity,
            "kind_labels": labels(ACTIVITY_KINDS),
            "member_groups": by_unit(attendees),
            "member_count": len(attendees),
            "students": await attending_students(activity.id),
        },
    )


def unit_choices(members: list[AttendeeMemberRow]) -> list[tuple[int, str]]:
    """The member units (with their party group) a whole group can be marked present from."""
    counts: dict[int, int] = {}
    names: dict[int, str] = {}
    for member in members:
        counts[member.unit_id] = counts.get(member.unit_id, 0) + 1
        group = _("(%(text)s)", text=member.party_group) if member.party_group else ""
        names[member.unit_id] = f"{member.unit_name}{group}"
    return [
        (
            unit_id,
            ngettext(
                "%(name)s · %(num)s member",
                "%(name)s · %(num)s members",
                count,
                name=names[unit_id],
            ),
        )
        for unit_id, count in counts.items()
    ]


async def attendance_page(
    request: Request,
    organization: OrganizationRow,
    activity: ActivityRecord,
    sheet: AttendanceSheet | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The attendance form: the saved attendance (``sheet`` None) or the sheet being edited.
    Every ticked member not on the page shown travels as a hidden input, so the form always
    submits the whole sheet."""
    members = await organization_members(organization.id)
    if sheet is None:
        students = await attending_students(activity.id)
        query = request.query_params
        sheet = AttendanceSheet(
            members=frozenset(await attending_member_ids(activity.id)),
            students=frozenset(student.id for student in students),
            member_query=query.get("member_q", "").strip()[:50],
            member_page=page_number(query.get("member_page", "")),
            student_query=query.get("q", "").strip()[:50],
        )
    else:
        students = await sheet_students(request.user, organization.id, sheet.students)
    window = member_window(members, sheet.member_query, sheet.member_page)
    query_text = sheet.student_query
    results = await student_results(request, organization.id, query_text, sheet.students)
    errors = errors or {}
    return render(
        request,
        "organizations/activity_attendance.html",
        {
            "organization": organization,
            "activity": activity,
            "sheet": sheet,
            "window": window,
            "member_groups": by_unit(window.rows),
            "member_total": len(members),
            "hidden_members": sorted(sheet.members - window.ids),
            "attending": sheet.members,
            "unit_options": unit_choices(members),
            "class_options": await attendable_classes(request.user, organization.id),
            "students": students,
            "query": query_text,
            "too_short": bool(query_text) and len(query_text) < MIN_SEARCH_LENGTH,
            "results": results,
            "search_limit": SEARCH_LIMIT,
            "min_search": MIN_SEARCH_LENGTH,
            "errors": errors,
            "error": errors.get(FORM, ""),
        },
        status_code=status_code,
    )


async def student_results(
    request: Request, organization_id: int, query: str, ticked: frozenset[int]
) -> list[AttendeeStudentRow]:
    """The students found by the search the viewer may add, but not those already ticked."""
    if len(query) < MIN_SEARCH_LENGTH:
        return []
    return await search_students(request.user, organization_id, query, set(ticked))


@allow(Role.coordinator, Role.partner)
async def activity_attendance(request: Request) -> Response:
    """The attendance form. Saving (the "Save" button, or a form without ``action``) records
    exactly the ticked members and students; every other button (search, page, tick all
    shown, mark a unit or class present) comes back with the sheet changed and nothing saved.
    htmx swaps the form in place; without scripts the whole page reloads the same way."""
    organization = await organization_in_path(request)
    activity = await activity_in_path(request, organization)
    if request.method == "GET":
        return await attendance_page(request, organization, activity)
    submitted = await read_form(request)

    async def page(form: FormState, status_code: int) -> Response:
        error = form.errors.get(FORM, "")
        return await attendance_page(request, organization, activity, None, {FORM: error}, 400)

    answer_refusals_with(request, FormState(), page)
    action = str(submitted.get("action") or "save")
    if action != "save":
        return await edit_sheet(request, organization, activity, submitted, action)
    members, students = await record_attendance(
        actor_of(request),
        request.user,
        activity,
        (str(value) for value in submitted.getlist("member")),
        (str(value) for value in submitted.getlist("student")),
    )
    flash(
        request,
        _(
            "Attendance saved: %(members)s members and %(students)s students.",
            members=members,
            students=students,
        ),
    )
    url = request.url_for(
        "activity_detail", organization_id=organization.id, activity_id=activity.id
    )
    return RedirectResponse(url, 303)


async def edit_sheet(
    request: Request,
    organization: OrganizationRow,
    activity: ActivityRecord,
    submitted: FormData,
    action: str,
) -> Response:
    """One of the sheet's buttons other than "Save": the sheet changed, nothing saved. A
    ticked id the viewer may not pick is refused as on saving (the saved attendance comes
    back, with the message)."""
    sheet = read_sheet(
        lambda name: str(submitted.get(name) or ""),
        lambda name: [str(value) for value in submitted.getlist(name)],
    )
    members = await organization_members(organization.id)
    check_sheet_members(sheet, members)
    await sheet_students(request.user, organization.id, sheet.students)
    results = await student_results(request, organization.id, sheet.student_query, sheet.students)
    try:
        changed = await apply_sheet_action(
            request.user, organization.id, sheet, action, members, results
        )
    except Refused as refusal:
        errors = {error.field: error.message for error in refusal.errors}
        return await attendance_page(request, organization, activity, sheet, errors, 400)
    return await attendance_page(request, organization, activity, changed)


PREFIX = "/organizations/{organization_id:int}/activities"
ACTIVITY = PREFIX + "/{activity_id:int}"
routes = [
    Route(PREFIX + "/", activity_list, name="activity_list"),
    Route(PREFIX + "/export.xlsx", activity_list_export, name="activity_list_export"),
    Route(PREFIX + "/new", activity_create, methods=["GET", "POST"], name="activity_create"),
    Route(ACTIVITY, activity_detail, name="activity_detail"),
    Route(ACTIVITY + "/edit", activity_edit, methods=["GET", "POST"], name="activity_edit"),
    Route(ACTIVITY + "/delete", activity_delete, methods=["GET", "POST"], name="activity_delete"),
    Route(
        ACTIVITY + "/attendance",
        activity_attendance,
        methods=["GET", "POST"],
        name="activity_attendance",
    ),
]
