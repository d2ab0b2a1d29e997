"""Activities (活动) of joint party organizations: the form rules, who may be marked as
attending, and the transactions that record activities and their attendance (taking the
Actor who writes and, for attendance, the Viewer whose reach decides whom they may add)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from piccolo.columns import ForeignKey
from piccolo.custom_types import Combinable
from piccolo.table import Table

from partners.access import is_coordinator, placed_with
from partners.organizations.queries import (
    ActivityRecord,
    AttendeeMemberRow,
    AttendeeStudentRow,
    attending_member_ids,
)
from partners.organizations.tables import (
    Activity,
    MemberAttendance,
    OrganizationMember,
    StudentAttendance,
)
from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.db import contains
from portal.domain_errors import FORM, Refused
from portal.events import StudentsChanged, announce
from portal.forms import FormState
from portal.i18n import _
from portal.tables import Student
from portal.vocabulary import ACTIVITY_KINDS

ACTIVITY_FIELDS = ["kind", "title", "held_on", "place", "host_unit", "summary"]
TITLE_LIMIT = 200
PLACE_LIMIT = 200
SUMMARY_LIMIT = 5000
MIN_SEARCH_LENGTH = 2
SEARCH_LIMIT = 50


def latest_allowed_date(today: datetime.date) -> datetime.date:
    """One year from today (28 February when today is 29 February): activities are logged
    after the fact or planned shortly ahead, never years ahead by a typo."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def check_activity_form(
    form: FormState, today: datetime.date, unit_ids: Iterable[int]
) -> dict[str, Any]:
    """Validates an activity form in place (errors go on `form`) and returns clean values.

    `unit_ids` are the member units of the activity's organization: a host unit from
    another organization is refused, whatever id the browser sends."""
    kind = form.choice("kind", ACTIVITY_KINDS)
    title = form.required("title")
    form.max_length("title", TITLE_LIMIT)
    held_on = form.date("held_on")
    if held_on is not None:
        if held_on.year < 2000:
            form.add_error("held_on", _("Enter a date from the year 2000 on."))
        elif held_on > latest_allowed_date(today):
            form.add_error("held_on", _("The date can be at most a year in the future."))
    form.max_length("place", PLACE_LIMIT)
    host_unit = check_host_unit(form, set(unit_ids))
    form.max_length("summary", SUMMARY_LIMIT)
    return {
        "kind": kind,
        "title": title,
        "held_on": held_on,
        "place": form.values.get("place", ""),
        "host_unit": host_unit,
        "summary": form.values.get("summary", ""),
    }


def check_host_unit(form: FormState, unit_ids: set[int]) -> int | None:
    raw = form.required("host_unit")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) not in unit_ids:
        form.add_error("host_unit", _("Choose one of this organization's member units."))
        return None
    return int(raw)


def activity_values(activity: ActivityRecord) -> dict[str, Any]:
    """The activity's own facts, as its form and its audit record name them."""
    return {name: getattr(activity, name) for name in ACTIVITY_FIELDS}


async def save_activity(
    actor: Actor,
    organization_id: int,
    values: Mapping[str, Any],
    activity: ActivityRecord | None,
) -> int:
    """Records a new activity of the organization (``activity`` None) or changes one, in one
    audited transaction; returns its id."""
    async with audited_write(actor) as audit:
        if activity is None:
            row = Activity(organization=organization_id, **values)
            activity_id = int((await Activity.insert(row).returning(Activity.id))[0]["id"])
            created = {"organization": organization_id, **values}
            await audit.created(Activity, activity_id, created, values["title"])
            return activity_id
        await Activity.update(**values).where(Activity.id == activity.id)
        before = activity_values(activity)
        await audit.updated(Activity, activity.id, before, values, values["title"])
        return activity.id


async def delete_activity(actor: Actor, activity: ActivityRecord) -> None:
    """Deletes the activity with its attendance, audited."""
    async with audited_write(actor) as audit:
        await MemberAttendance.delete().where(MemberAttendance.activity == activity.id)
        await StudentAttendance.delete().where(StudentAttendance.activity == activity.id)
        await Activity.delete().where(Activity.id == activity.id)
        await audit.deleted(Activity, activity.id, activity_values(activity), activity.title)


# --- attendance ------------------------------------------------------------------------------


def parse_ids(raw_values: Iterable[str]) -> set[int]:
    """Ids from checkbox values; anything that is not a plain number is refused."""
    ids: set[int] = set()
    for raw in raw_values:
        if not raw.isdigit() or len(raw) > 12:
            raise Refused.at(FORM, _("The attendance form was not valid. Reload and try again."))
        ids.add(int(raw))
    return ids


def check_attendees(
    members: set[int], allowed_members: set[int], students: set[int], allowed_students: set[int]
) -> None:
    """Refuses the whole submission when any attendee is outside what the user may pick."""
    if members - allowed_members:
        raise Refused.at(
            FORM,
            _("Some of the chosen members do not belong to this organization. Nothing was saved."),
        )
    if students - allowed_students:
        raise Refused.at(
            FORM, _("Some of the chosen students cannot be added by you. Nothing was saved.")
        )


def attendable_students(viewer: Viewer, organization_id: int) -> list[Combinable]:
    """Where-conditions on Student: whom a viewer may mark as attending this organization's
    activities. A coordinator may pick any student; a partner the students placed with its
    enterprise, and those who already attended an activity of this organization."""
    if is_coordinator(viewer):
        return []
    activities = Activity.select(Activity.id).where(Activity.organization == organization_id)
    attended = StudentAttendance.select(StudentAttendance.student).where(
        StudentAttendance.activity.is_in(activities)
    )
    return [Student.id.is_in(attended) | placed_with(viewer.enterprise_id)]


async def search_students(
    viewer: Viewer, organization_id: int, query: str, exclude: set[int]
) -> list[AttendeeStudentRow]:
    """Up to SEARCH_LIMIT students the viewer may add, by name, 学号 or class name."""
    conditions = [
        contains(Student.name, query)
        | contains(Student.student_no, query)
        | contains(Student.class_name, query),
        *attendable_students(viewer, organization_id),
    ]
    if exclude:
        conditions.append(Student.id.not_in(list(exclude)))
    rows = (
        await Student.select(Student.id, Student.student_no, Student.name, Student.class_name)
        .where(*conditions)
        .order_by(Student.student_no)
        .limit(SEARCH_LIMIT)
    )
    return [AttendeeStudentRow(**row) for row in rows]


async def allowed_attendees(
    viewer: Viewer, organization_id: int, members: set[int], students: set[int]
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
            Student.id.is_in(list(students)), *attendable_students(viewer, organization_id)
        )
        allowed_students = {row["id"] for row in rows}
    return allowed_members, allowed_students


async def record_attendance(
    actor: Actor,
    viewer: Viewer,
    activity: ActivityRecord,
    member_values: Iterable[str],
    student_values: Iterable[str],
) -> tuple[int, int]:
    """Replaces both attendance sets of the activity with the submitted ones (checkbox
    values), in one audited transaction, and announces the students whose record changed.
    Refused, with nothing saved, when a value is not an id or an attendee is outside what the
    viewer may pick. Returns how many members and students now attend."""
    members, students = parse_ids(member_values), parse_ids(student_values)
    allowed = await allowed_attendees(viewer, activity.organization, members, students)
    check_attendees(members, allowed[0], students, allowed[1])
    async with audited_write(actor) as audit:
        old_members = await attending_member_ids(activity.id)
        rows = await StudentAttendance.select(StudentAttendance.student).where(
            StudentAttendance.activity == activity.id
        )
        old_students = {row["student"] for row in rows}
        await replace_rows(
            MemberAttendance,
            MemberAttendance.activity,
            MemberAttendance.member,
            activity.id,
            old_members,
            members,
        )
        await replace_rows(
            StudentAttendance,
            StudentAttendance.activity,
            StudentAttendance.student,
            activity.id,
            old_students,
            students,
        )
        await audit.updated(
            Activity,
            activity.id,
            {"member_attendance": sorted(old_members), "student_attendance": sorted(old_students)},
            {"member_attendance": sorted(members), "student_attendance": sorted(students)},
            activity.title,
        )
    await announce(StudentsChanged.of(old_students | students, actor))
    return len(members), len(students)


async def replace_rows(
    table: type[Table],
    activity_column: ForeignKey[Any],
    attendee_column: ForeignKey[Any],
    activity_id: int,
    old: set[int],
    new: set[int],
) -> None:
    """Deletes the attendance rows (of ``table``) no longer wanted and inserts the new ones."""
    if removed := old - new:
        await table.delete().where(
            activity_column == activity_id, attendee_column.is_in(list(removed))
        )
    if added := new - old:
        await table.insert(
            *(table({activity_column: activity_id, attendee_column: i}) for i in sorted(added))
        )


# --- the attendance sheet: ticks kept across searches, pages and group marks -------------------

MEMBER_PAGE_SIZE = 30
CLASS_LIMIT = 200
CLASS_OPTIONS_LIMIT = 500
SHEET_ACTIONS = frozenset(
    {"search", "tick_shown", "clear_shown", "mark_unit", "tick_results", "mark_class"}
)


@dataclass(frozen=True)
class AttendanceSheet:
    """The attendance form between two saves: who is ticked (members and students, whether
    shown or not), the member filter and page, the student search, and the unit or class the
    user chose to mark present. Every re-render of the form carries it whole, so a tick made
    on one page or before a search is still there when the form is saved."""

    members: frozenset[int]
    students: frozenset[int]
    member_query: str = ""
    member_page: int = 1
    student_query: str = ""
    unit: str = ""
    class_name: str = ""


def page_number(raw: str) -> int:
    """A page number from the form; 1 for anything else."""
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 6 and int(raw) > 0 else 1


def read_sheet(get: Callable[[str], str], get_all: Callable[[str], list[str]]) -> AttendanceSheet:
    """The sheet a submitted attendance form describes (``get``: one field's value, ``get_all``:
    every value of a field). Refused when a ticked value is not an id."""
    return AttendanceSheet(
        members=frozenset(parse_ids(get_all("member"))),
        students=frozenset(parse_ids(get_all("student"))),
        member_query=get("member_q").strip()[:50],
        member_page=page_number(get("member_page")),
        student_query=get("q").strip()[:50],
        unit=get("unit"),
        class_name=get("class_name").strip()[:100],
    )


def member_matches(member: AttendeeMemberRow, query: str) -> bool:
    """Whether the member's name, position, unit or party group contains the query, in any
    case."""
    needle = query.casefold()
    return any(
        needle in text.casefold()
        for text in (member.name, member.position, member.unit_name, member.party_group)
    )


@dataclass(frozen=True)
class MemberWindow:
    """The members the sheet shows: one page of those matching its filter."""

    rows: list[AttendeeMemberRow]
    page: int
    pages: int
    matching: int

    @property
    def ids(self) -> set[int]:
        return {row.id for row in self.rows}


def member_window(
    members: Sequence[AttendeeMemberRow], query: str, page: int, size: int = MEMBER_PAGE_SIZE
) -> MemberWindow:
    """The page of members matching the filter (the last page when ``page`` is past it)."""
    matching = [m for m in members if member_matches(m, query)] if query else list(members)
    pages = max(1, -(-len(matching) // size))
    page = min(max(page, 1), pages)
    rows = matching[(page - 1) * size : page * size]
    return MemberWindow(rows=rows, page=page, pages=pages, matching=len(matching))


def unit_members(members: Iterable[AttendeeMemberRow], unit: str) -> set[int]:
    """The members of one member unit (and so of its party group), named by the unit's id.
    Refused when the organization has no such unit (or it has no members)."""
    chosen = {m.id for m in members if unit.isdigit() and m.unit_id == int(unit)}
    if not chosen:
        raise Refused.at("unit", _("Choose one of this organization's member units."))
    return chosen


def check_sheet_members(sheet: AttendanceSheet, members: Iterable[AttendeeMemberRow]) -> None:
    """Refuses a sheet ticking anyone who is not a member of the organization."""
    check_attendees(set(sheet.members), {m.id for m in members}, set(), set())


async def sheet_students(
    viewer: Viewer, organization_id: int, ids: Iterable[int]
) -> list[AttendeeStudentRow]:
    """The ticked students as the sheet lists them, by 学号. Refused when any of them is
    outside what the viewer may pick: the sheet never shows a student the viewer may not add."""
    wanted = set(ids)
    if not wanted:
        return []
    rows = (
        await Student.select(Student.id, Student.student_no, Student.name, Student.class_name)
        .where(Student.id.is_in(list(wanted)), *attendable_students(viewer, organization_id))
        .order_by(Student.student_no)
    )
    found = [AttendeeStudentRow(**row) for row in rows]
    check_attendees(set(), set(), wanted, {row.id for row in found})
    return found


async def class_students(viewer: Viewer, organization_id: int, class_name: str) -> set[int]:
    """The students of one class (班级, the exact name) the viewer may mark as attending,
    to tick them all at once. Refused when there are none, or more than CLASS_LIMIT."""
    if not class_name:
        raise Refused.at("class_name", _("Enter the class to mark present."))
    rows = (
        await Student.select(Student.id)
        .where(Student.class_name == class_name, *attendable_students(viewer, organization_id))
        .limit(CLASS_LIMIT + 1)
    )
    if not rows:
        raise Refused.at(
            "class_name", _("No student you may add is in class %(name)s.", name=class_name)
        )
    if len(rows) > CLASS_LIMIT:
        raise Refused.at(
            "class_name",
            _(
                "Class %(name)s has more than %(limit)s students.",
                name=class_name,
                limit=CLASS_LIMIT,
            ),
        )
    return {row["id"] for row in rows}


async def attendable_classes(viewer: Viewer, organization_id: int) -> list[str]:
    """The classes of the students the viewer may mark as attending (up to
    CLASS_OPTIONS_LIMIT), offered when marking a whole class present."""
    rows = (
        await Student.select(Student.class_name)
        .distinct()
        .where(Student.class_name != "", *attendable_students(viewer, organization_id))
        .order_by(Student.class_name)
        .limit(CLASS_OPTIONS_LIMIT)
    )
    return [row["class_name"] for row in rows]


async def apply_sheet_action(
    viewer: Viewer,
    organization_id: int,
    sheet: AttendanceSheet,
    action: str,
    members: Sequence[AttendeeMemberRow],
    results: Iterable[AttendeeStudentRow] = (),
) -> AttendanceSheet:
    """The sheet after one of its buttons (nothing is saved): a new search starts the members
    at their first page; "tick all shown" / "untick all shown" change the members on the
    page; "mark unit" ticks every member of a unit; "tick all results" ticks the students
    found; "mark class" ticks every student of a class the viewer may add. Refused (beside
    the field) when the unit or class does not fit; the sheet's own ticks must already have
    passed check_sheet_members / sheet_students."""
    if action == "search":
        return replace(sheet, member_page=1)
    if action in ("tick_shown", "clear_shown"):
        shown = member_window(members, sheet.member_query, sheet.member_page).ids
        ticked = sheet.members | shown if action == "tick_shown" else sheet.members - shown
        return replace(sheet, members=frozenset(ticked))
    if action == "mark_unit":
        return replace(sheet, members=sheet.members | unit_members(members, sheet.unit))
    if action == "tick_results":
        return replace(sheet, students=sheet.students | {row.id for row in results})
    if action == "mark_class":
        found = await class_students(viewer, organization_id, sheet.class_name)
        return replace(sheet, students=sheet.students | found)
    if action.startswith("page:"):
        return replace(sheet, member_page=page_number(action.removeprefix("page:")))
    return sheet
