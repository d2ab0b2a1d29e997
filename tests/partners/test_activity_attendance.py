"""Recording who attended an activity, without HTTP: the members of the organization and the
students the viewer may pick, or nothing at all."""

from __future__ import annotations

import datetime

import pytest

from partners.organizations.activities import (
    check_attendees,
    delete_activity,
    parse_ids,
    record_attendance,
    save_activity,
)
from partners.organizations.queries import (
    activity_in,
    attending_member_ids,
    attending_students,
    organization_members,
    units_of,
)
from portal.audit import Actor
from portal.auth import Viewer
from portal.domain_errors import FORM, NotVisible, Refused
from portal.tables import AuditEntry, Role
from tests.support import make_organization, run

ACTOR = Actor(None, "test")


def viewer(role: Role, **links: int) -> Viewer:
    return Viewer(user_id=0, username="", role=role, name="", session_token="", **links)


def new_activity(organization_id: int) -> int:
    host = run(units_of(organization_id))[0].id
    values = {
        "kind": "lecture",
        "title": "工匠精神讲座",
        "held_on": datetime.date(2026, 3, 5),
        "place": "",
        "host_unit": host,
        "summary": "",
    }
    return run(save_activity(ACTOR, organization_id, values, None))


def refused_message(refused: pytest.ExceptionInfo[Refused]) -> tuple[str, str]:
    [error] = refused.value.errors
    return error.field, error.message


def test_ids_are_plain_numbers_or_the_form_is_refused():
    assert parse_ids(["1", "22"]) == {1, 22}
    for bad in (["abc"], ["-1"], ["1" * 13]):
        with pytest.raises(Refused) as refused:
            parse_ids(bad)
        assert refused_message(refused)[0] == FORM


def test_any_attendee_outside_what_may_be_picked_refuses_the_whole_form():
    check_attendees({1}, {1, 2}, {7}, {7})
    with pytest.raises(Refused):
        check_attendees({1, 3}, {1, 2}, set(), set())
    with pytest.raises(Refused):
        check_attendees(set(), set(), {7, 8}, {7})


def test_a_partner_records_its_placed_student_and_the_members(people):
    organization_id = people.organization_a
    activity = run(activity_in(organization_id, new_activity(organization_id)))
    members = [member.id for member in run(organization_members(organization_id))]
    partner = viewer(Role.partner, enterprise_id=people.enterprise_a)
    counts = run(
        record_attendance(ACTOR, partner, activity, map(str, members), [str(people.student_id)])
    )
    assert counts == (len(members), 1)
    assert run(attending_member_ids(activity.id)) == set(members)
    assert [s.id for s in run(attending_students(activity.id))] == [people.student_id]
    entries = run(AuditEntry.select().where(AuditEntry.table_name == "partners_activity"))
    assert [entry["action"] for entry in entries] == ["create", "update"]


def test_a_partner_cannot_record_a_student_it_may_not_pick(people):
    organization_id = people.organization_a
    activity = run(activity_in(organization_id, new_activity(organization_id)))
    partner = viewer(Role.partner, enterprise_id=people.enterprise_a)
    with pytest.raises(Refused) as refused:
        run(record_attendance(ACTOR, partner, activity, [], [str(people.other_student_id)]))
    assert refused_message(refused)[0] == FORM
    assert run(attending_students(activity.id)) == []
    coordinator = viewer(Role.coordinator)
    run(record_attendance(ACTOR, coordinator, activity, [], [str(people.other_student_id)]))
    assert [s.id for s in run(attending_students(activity.id))] == [people.other_student_id]


def test_members_of_another_organization_are_refused(people):
    organization_id = people.organization_a
    activity = run(activity_in(organization_id, new_activity(organization_id)))
    outsiders = [member.id for member in run(organization_members(people.organization_b))]
    with pytest.raises(Refused):
        run(record_attendance(ACTOR, viewer(Role.coordinator), activity, map(str, outsiders), []))
    assert run(attending_member_ids(activity.id)) == set()


def test_an_activity_is_found_in_its_own_organization_only_and_deleted_with_its_attendance():
    organization_id, other = make_organization(), make_organization()
    activity_id = new_activity(organization_id)
    with pytest.raises(NotVisible):
        run(activity_in(other, activity_id))
    activity = run(activity_in(organization_id, activity_id))
    members = [str(member.id) for member in run(organization_members(organization_id))]
    run(record_attendance(ACTOR, viewer(Role.coordinator), activity, members, []))
    run(delete_activity(ACTOR, activity))
    with pytest.raises(NotVisible):
        run(activity_in(organization_id, activity_id))
    assert run(attending_member_ids(activity_id)) == set()
