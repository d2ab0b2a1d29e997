"""Activities (活动) of joint party organizations: the kinds, the form rules, and who may be
marked as attending."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from partners.access import placed_with
from partners.organizations.tables import (
    Activity,
    StudentAttendance,
)
from portal.forms import FormState
from portal.i18n import _
from portal.tables import Role, Student
from portal.vocabulary import ACTIVITY_KINDS

ACTIVITY_FIELDS = ["kind", "title", "held_on", "place", "host_unit", "summary"]
TITLE_LIMIT = 200
PLACE_LIMIT = 200
SUMMARY_LIMIT = 5000
MIN_SEARCH_LENGTH = 2
SEARCH_LIMIT = 50


def kind_label(code: str) -> str:
    return _(ACTIVITY_KINDS[code]) if code in ACTIVITY_KINDS else code


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


class AttendanceRefused(Exception):
    """A submitted attendee is not one the user may record for this activity."""


def parse_ids(raw_values: Iterable[str]) -> set[int]:
    """Ids from checkbox values; anything that is not a plain number is refused."""
    ids: set[int] = set()
    for raw in raw_values:
        if not raw.isdigit() or len(raw) > 12:
            raise AttendanceRefused(_("The attendance form was not valid. Reload and try again."))
        ids.add(int(raw))
    return ids


def check_attendees(
    members: set[int], allowed_members: set[int], students: set[int], allowed_students: set[int]
) -> None:
    """Refuses the whole submission when any attendee is outside what the user may pick."""
    if members - allowed_members:
        raise AttendanceRefused(
            _("Some of the chosen members do not belong to this organization. Nothing was saved.")
        )
    if students - allowed_students:
        raise AttendanceRefused(
            _("Some of the chosen students cannot be added by you. Nothing was saved.")
        )


def attendable_students(role: Role, enterprise_id: int | None, organization_id: int) -> list[Any]:
    """Where-conditions on Student: whom a user may mark as attending this organization's
    activities. A coordinator may pick any student; a partner the students placed with its
    enterprise, and those who already attended an activity of this organization."""
    if role is Role.coordinator:
        return []
    activities = Activity.select(Activity.id).where(Activity.organization == organization_id)
    attended = StudentAttendance.select(StudentAttendance.student).where(
        StudentAttendance.activity.is_in(activities)
    )
    return [Student.id.is_in(attended) | placed_with(enterprise_id)]
