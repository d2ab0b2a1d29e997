"""Activity pages (活动) of a joint organization: timeline, create, detail, edit, delete and
attendance. Coordinators and the partners of member enterprises use them; everything is
fetched through the organization the viewer may see, so anything else is a 404."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import organization_of
from partners.organizations.activities import (
    ACTIVITY_FIELDS,
    MIN_SEARCH_LENGTH,
    SEARCH_LIMIT,
    AttendanceRefused,
    attendable_students,
    check_activity_form,
    check_attendees,
    kind_label,
    parse_ids,
)
from partners.organizations.queries import (
    ActivityFilters,
    ActivityRow,
    activity_count,
    activity_rows,
    activity_years,
)
from partners.organizations.tables import (
    Activity,
    MemberAttendance,
    MemberUnit,
    OrganizationMember,
    StudentAttendance,
)
from partners.organizations.views.organizations import (
    visible_organization_or_404,
)
from portal.audit import actor_of, audited_write
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.db import contains
from portal.events import StudentsChanged, announce
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest
from portal.tables import Role, Student
from portal.templating import render
from portal.vocabulary import ACTIVITY_KINDS
from portal.xlsx import Column

STUDENT_COLUMNS = (Student.id, Student.student_no, Student.name, Student.class_name)


async def get_activity_or_404(organization: dict[str, Any], activity_id: int) -> dict[str, Any]:
    """The activity, only if it belongs to this organization (the one the viewer may see)."""
    row = (
        await Activity.select(*Activity.all_columns(), Activity.host_unit.name)
        .where(Activity.id == activity_id, Activity.organization == organization["id"])
        .first()
    )
    if row is None:
        raise HTTPException(status_code=404)
    return row


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
    organization = await visible_organization_or_404(request)
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
    organization = await visible_organization_or_404(request)
    filters = ActivityFilters.from_query(request.query_params)
    rows, truncated = await export_read(
        lambda limit: activity_rows(filters, organization.id, limit)
    )
    columns = [
        Column(_("Date"), "held_on", 12),
        Column(_("Title"), "title", 30),
        Column(_("Kind"), lambda row: kind_label(row.kind), 12),
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
    rows = (
        await MemberUnit.select(MemberUnit.id, MemberUnit.name)
        .where(MemberUnit.organization == organization_id)
        .order_by(MemberUnit.side)
        .order_by(MemberUnit.id)
    )
    return [(row["id"], row["name"]) for row in rows]


def form_page(
    request: Request,
    form: FormState,
    organization: dict[str, Any],
    activity: dict[str, Any] | None,
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
            "kind_options": [(code, kind_label(code)) for code in ACTIVITY_KINDS],
        },
        status_code=status_code,
    )


def edit_values(activity: dict[str, Any]) -> dict[str, str]:
    return {name: "" if activity[name] is None else str(activity[name]) for name in ACTIVITY_FIELDS}


async def save_activity(
    request: Request,
    organization: dict[str, Any],
    values: dict[str, Any],
    activity: dict[str, Any] | None,
) -> int:
    """Creates or updates an activity in one audited transaction; returns its id."""
    async with audited_write(actor_of(request)) as audit:
        if activity is None:
            row = Activity(organization=organization["id"], **values)
            activity_id = (await Activity.insert(row).returning(Activity.id))[0]["id"]
            await audit.created(
                Activity,
                activity_id,
                {"organization": organization["id"], **values},
                values["title"],
            )
            return activity_id
        await Activity.update(values).where(Activity.id == activity["id"])
        before = {name: activity[name] for name in ACTIVITY_FIELDS}
        await audit.updated(Activity, activity["id"], before, values, values["title"])
        return activity["id"]


async def submit_activity_form(
    request: Request, organization: dict[str, Any], activity: dict[str, Any] | None
) -> Response:
    form = FormState.from_form(await read_form(request), ACTIVITY_FIELDS)
    units = await unit_options(organization["id"])
    values = check_activity_form(form, datetime.date.today(), [unit_id for unit_id, _name in units])
    if not form.valid:
        return form_page(request, form, organization, activity, units, status_code=400)
    activity_id = await save_activity(request, organization, values, activity)
    if activity is None:
        flash(request, _("Activity %(title)s was added.", title=values["title"]))
    else:
        flash(request, _("The changes were saved."))
    url = request.url_for(
        "activity_detail", organization_id=organization["id"], activity_id=activity_id
    )
    return RedirectResponse(url, 303)


@allow(Role.coordinator, Role.partner)
async def activity_create(request: Request) -> Response:
    organization = await organization_of(request)
    if request.method == "POST":
        return await submit_activity_form(request, organization, None)
    units = await unit_options(organization["id"])
    values = {"held_on": datetime.date.today().isoformat()}
    return form_page(request, FormState(values=values), organization, None, units)


@allow(Role.coordinator, Role.partner)
async def activity_edit(request: Request) -> Response:
    organization = await organization_of(request)
    activity = await get_activity_or_404(organization, request.path_params["activity_id"])
    if request.method == "POST":
        return await submit_activity_form(request, organization, activity)
    units = await unit_options(organization["id"])
    return form_page(
        request, FormState(values=edit_values(activity)), organization, activity, units
    )


@allow(Role.coordinator, Role.partner)
async def activity_delete(request: Request) -> Response:
    organization = await organization_of(request)
    activity = await get_activity_or_404(organization, request.path_params["activity_id"])
    if request.method == "GET":
        return render(
            request,
            "organizations/activity_delete.html",
            {"organization": organization, "activity": activity},
        )
    async with audited_write(actor_of(request)) as audit:
        await MemberAttendance.delete().where(MemberAttendance.activity == activity["id"])
        await StudentAttendance.delete().where(StudentAttendance.activity == activity["id"])
        await Activity.delete().where(Activity.id == activity["id"])
        before = {name: activity[name] for name in ACTIVITY_FIELDS}
        await audit.deleted(Activity, activity["id"], before, activity["title"])
    flash(request, _("Activity %(title)s was deleted.", title=activity["title"]))
    return RedirectResponse(
        request.url_for("activity_list", organization_id=organization["id"]), 303
    )


# --- detail and attendance ---------------------------------------------------------------------


async def organization_members(organization_id: int) -> list[dict[str, Any]]:
    return (
        await OrganizationMember.select(
            OrganizationMember.id,
            OrganizationMember.name,
            OrganizationMember.position,
            OrganizationMember.member_unit.id.as_alias("unit_id"),
            OrganizationMember.member_unit.name.as_alias("unit_name"),
        )
        .where(OrganizationMember.organization == organization_id)
        .order_by(OrganizationMember.member_unit.side)
        .order_by(OrganizationMember.member_unit.id)
        .order_by(OrganizationMember.name)
    )


def by_unit(members: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Members (sorted by unit) grouped under their member unit's name."""
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    last_unit = None
    for member in members:
        if member["unit_id"] != last_unit:
            groups.append((member["unit_name"], []))
            last_unit = member["unit_id"]
        groups[-1][1].append(member)
    return groups


async def attending_member_ids(activity_id: int) -> set[int]:
    rows = await MemberAttendance.select(MemberAttendance.member).where(
        MemberAttendance.activity == activity_id
    )
    return {row["member"] for row in rows}


async def attending_students(activity_id: int) -> list[dict[str, Any]]:
    """The activity's student attendees with 学号 and class, in one joined query."""
    student = StudentAttendance.student
    return (
        await StudentAttendance.select(
            student.id.as_alias("id"),
            student.student_no.as_alias("student_no"),
            student.name.as_alias("name"),
            student.class_name.as_alias("class_name"),
        )
        .where(StudentAttendance.activity == activity_id)
        .order_by(student.student_no)
    )


@allow(Role.coordinator, Role.partner)
async def activity_detail(request: Request) -> Response:
    organization = await organization_of(request)
    activity = await get_activity_or_404(organization, request.path_params["activity_id"])
    members = await organization_members(organization["id"])
    attending = await attending_member_ids(activity["id"])
    attendees = [member for member in members if member["id"] in attending]
    return render(
        request,
        "organizations/activity_detail.html",
        {
            "organization": organization,
            "activity": activity,
            "kind_label": kind_label,
            "member_groups": by_unit(attendees),
            "member_count": len(attendees),
            "students": await attending_students(activity["id"]),
        },
    )


def viewer_scope(request: Request, organization_id: int) -> list[Any]:
    return attendable_students(request.user.role, request.user.enterprise_id, organization_id)


async def search_students(
    request: Request, organization_id: int, query: str, exclude: set[int]
) -> list[dict[str, Any]]:
    """Up to SEARCH_LIMIT students the viewer may add, by name, 学号 or class name."""
    conditions = [
        contains(Student.name, query)
        | contains(Student.student_no, query)
        | contains(Student.class_name, query),
        *viewer_scope(request, organization_id),
    ]
    if exclude:
        conditions.append(Student.id.not_in(list(exclude)))
    return (
        await Student.select(*STUDENT_COLUMNS)
        .where(*conditions)
        .order_by(Student.student_no)
        .limit(SEARCH_LIMIT)
    )


async def attendance_page(
    request: Request,
    organization: dict[str, Any],
    activity: dict[str, Any],
    error: str = "",
    status_code: int = 200,
) -> Response:
    members = await organization_members(organization["id"])
    students = await attending_students(activity["id"])
    query = request.query_params.get("q", "").strip()
    results: list[dict[str, Any]] = []
    too_short = bool(query) and len(query) < MIN_SEARCH_LENGTH
    if query and not too_short:
        exclude = {student["id"] for student in students}
        results = await search_students(request, organization["id"], query[:50], exclude)
    return render(
        request,
        "organizations/activity_attendance.html",
        {
            "organization": organization,
            "activity": activity,
            "member_groups": by_unit(members),
            "attending": await attending_member_ids(activity["id"]),
            "students": students,
            "query": query,
            "too_short": too_short,
            "results": results,
            "search_limit": SEARCH_LIMIT,
            "min_search": MIN_SEARCH_LENGTH,
            "error": error,
        },
        status_code=status_code,
    )


async def allowed_ids(
    request: Request, organization_id: int, members: set[int], students: set[int]
) -> tuple[set[int], set[int]]:
    """Which of the submitted ids the viewer may record: members of this organization, and
    students within attendable_students()."""
    allowed_members: set[int] = set()
    allowed_students: set[int] = set()
    if members:
        rows = await OrganizationMember.select(OrganizationMember.id).where(
            OrganizationMember.id.is_in(list(members)),
            OrganizationMember.organization == organization_id,
        )
        allowed_members = {row["id"] for row in rows}
    if students:
        rows = await Student.select(Student.id).where(
            Student.id.is_in(list(students)), *viewer_scope(request, organization_id)
        )
        allowed_students = {row["id"] for row in rows}
    return allowed_members, allowed_students


async def replace_attendance(
    request: Request, activity: dict[str, Any], members: set[int], students: set[int]
) -> None:
    """Replaces both attendance sets of the activity in one audited transaction."""
    async with audited_write(actor_of(request)) as audit:
        old_members = await attending_member_ids(activity["id"])
        rows = await StudentAttendance.select(StudentAttendance.student).where(
            StudentAttendance.activity == activity["id"]
        )
        old_students = {row["student"] for row in rows}
        await replace_rows(MemberAttendance, "member", activity["id"], old_members, members)
        await replace_rows(StudentAttendance, "student", activity["id"], old_students, students)
        await audit.updated(
            Activity,
            activity["id"],
            {"member_attendance": sorted(old_members), "student_attendance": sorted(old_students)},
            {"member_attendance": sorted(members), "student_attendance": sorted(students)},
            activity["title"],
        )
    await announce(StudentsChanged.of(old_students | students, actor_of(request)))


async def replace_rows(table: Any, column: str, activity_id: int, old: set[int], new: set[int]):
    if removed := old - new:
        await table.delete().where(
            table.activity == activity_id, getattr(table, column).is_in(list(removed))
        )
    if added := new - old:
        await table.insert(*(table(activity=activity_id, **{column: i}) for i in sorted(added)))


@allow(Role.coordinator, Role.partner)
async def activity_attendance(request: Request) -> Response:
    organization = await organization_of(request)
    activity = await get_activity_or_404(organization, request.path_params["activity_id"])
    if request.method == "GET":
        return await attendance_page(request, organization, activity)
    form = await read_form(request)
    try:
        members = parse_ids(str(value) for value in form.getlist("member"))
        students = parse_ids(str(value) for value in form.getlist("student"))
        allowed = await allowed_ids(request, organization["id"], members, students)
        check_attendees(members, allowed[0], students, allowed[1])
    except AttendanceRefused as refused:
        return await attendance_page(request, organization, activity, str(refused), 400)
    await replace_attendance(request, activity, members, students)
    flash(
        request,
        _(
            "Attendance saved: %(members)s members and %(students)s students.",
            members=len(members),
            students=len(students),
        ),
    )
    url = request.url_for(
        "activity_detail", organization_id=organization["id"], activity_id=activity["id"]
    )
    return RedirectResponse(url, 303)


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
