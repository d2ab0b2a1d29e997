"""What a delete would change (portal.deletion), read from the tables' foreign keys, checked
against what the delete then really does — without HTTP."""

from __future__ import annotations

import datetime

from piccolo.columns import OnDelete
from piccolo.conf.apps import Finder

from partners.coeducation.tables import Project
from partners.organizations.joint_organizations import delete_organization
from partners.organizations.queries import visible_organization
from partners.organizations.tables import (
    Activity,
    MemberAttendance,
    OrganizationMember,
    StudentAttendance,
)
from portal.audit import Actor
from portal.auth import Viewer
from portal.deletion import Edge, deletion_impact, reach
from portal.i18n import current_locale
from portal.students import delete_student, stored_student, student_deletion
from portal.tables import Role
from talent_pool.tables import PipelineEvent
from tests.support import (
    make_award,
    make_enterprise,
    make_organization,
    make_participation,
    make_project,
    make_student,
    run,
)

COORDINATOR = Viewer(user_id=1, username="coord", role=Role.coordinator, name="", session_token="")
ACTOR = Actor(None, "test")


def table_counts() -> dict[str, int]:
    tables = Finder().get_table_classes()
    return {table._meta.tablename: run(table.count()) for table in tables}


def removed(impact) -> dict[str, int]:
    return {row.table: row.count for row in impact.removed}


def test_a_cascade_is_followed_through_every_level_and_each_path():
    edges = (
        Edge("unit", "org", "org", OnDelete.cascade),
        Edge("member", "org", "org", OnDelete.cascade),
        Edge("member", "unit", "unit", OnDelete.cascade),
        Edge("seat", "member", "member", OnDelete.cascade),
        Edge("project", "org", "org", OnDelete.set_null),
    )
    conditions = reach("org", edges)
    assert conditions["org"] == "id = :id"
    assert set(conditions) == {"org", "unit", "member", "seat"}  # the project only unlinks
    # a member goes with the organization directly or through its unit
    assert '"org" = :id' in conditions["member"] and '"unit" IN' in conditions["member"]
    assert '"member" IN (SELECT id FROM "member"' in conditions["seat"]


def organization_with_attendance() -> tuple[int, int]:
    """organization_a-like: two units with a member each, a seat, an activity attended by
    two students and one member, a plan with an item, and a project linked to it."""
    enterprise = make_enterprise()
    org = make_organization(enterprise)
    activity = run(Activity.select(Activity.id).where(Activity.organization == org).first())["id"]
    member = run(
        OrganizationMember.select(OrganizationMember.id)
        .where(OrganizationMember.organization == org)
        .first()
    )["id"]
    for student in (make_student(), make_student()):
        run(StudentAttendance.insert(StudentAttendance(activity=activity, student=student)))
    run(MemberAttendance.insert(MemberAttendance(activity=activity, member=member)))
    project = make_project(enterprise)
    run(Project.update({Project.organization: org}).where(Project.id == project))
    return org, project


def test_the_counts_of_an_organization_are_what_its_delete_removes():
    org, project = organization_with_attendance()
    impact = run(deletion_impact("partners_organization", org))
    assert removed(impact) == {
        "partners_member_unit": 2,
        "partners_organization_member": 2,
        "partners_committee_seat": 1,
        "partners_activity": 1,
        "partners_member_attendance": 1,
        "partners_student_attendance": 2,
        "partners_work_plan": 1,
        "partners_work_plan_item": 1,
    }
    assert [(row.table, row.count) for row in impact.unlinked] == [("partners_project", 1)]
    assert impact.blocking == ()

    before = table_counts()
    run(delete_organization(ACTOR, run(visible_organization(COORDINATOR, org))))
    after = table_counts()
    gone = {name: before[name] - after[name] for name in before if before[name] > after[name]}
    assert gone == {"partners_organization": 1, **removed(impact)}
    assert run(Project.select(Project.organization).where(Project.id == project).first()) == {
        "organization": None
    }


def test_a_student_in_a_project_is_refused_and_one_without_is_deleted_with_their_records():
    enterprise = make_enterprise()
    placed = make_student()
    make_participation(make_project(enterprise), placed)
    refused = run(student_deletion(COORDINATOR, run(stored_student(placed))))
    assert refused.refusal
    assert [(row.table, row.count) for row in refused.impact.blocking] == [
        ("partners_participation", 1)
    ]

    free = make_student()
    make_award(free)
    make_award(free)
    run(
        PipelineEvent.insert(
            PipelineEvent(student=free, kind="application", happened_on=datetime.date(2026, 3, 1))
        )
    )
    deletion = run(student_deletion(COORDINATOR, run(stored_student(free))))
    assert deletion.refusal is None
    assert removed(deletion.impact) == {"talent_pool_award": 2, "talent_pool_pipeline_event": 1}
    before = table_counts()
    run(delete_student(ACTOR, run(stored_student(free))))
    after = table_counts()
    gone = {name: before[name] - after[name] for name in before if before[name] > after[name]}
    assert gone == {"portal_student": 1, **removed(deletion.impact)}


def test_counts_are_said_in_the_request_language():
    org, _project = organization_with_attendance()
    impact = run(deletion_impact("partners_organization", org))

    def texts(locale: str) -> dict[str, str]:
        token = current_locale.set(locale)
        try:
            return {row.table: row.text for row in impact.removed}
        finally:
            current_locale.reset(token)

    assert texts("zh_CN")["partners_student_attendance"] == "2条学生考勤记录"
    assert texts("en")["partners_student_attendance"] == "2 student attendance records"
    assert texts("en")["partners_activity"] == "1 activity"
