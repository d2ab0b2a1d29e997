"""Excel exports of the partners app's lists: each role downloads exactly what its list shows —
every page, with the same filters and order — and a partner never anything of another
enterprise."""

from __future__ import annotations

import datetime

import pytest

from partners.coeducation.tables import Mentor, Project
from partners.organizations.tables import (
    Activity,
    Agreement,
    Enterprise,
    JointOrganization,
    MemberAttendance,
    OrganizationMember,
    StudentAttendance,
    WorkPlan,
    WorkPlanItem,
)
from portal.i18n import _
from portal.tables import Student
from portal.vocabulary import (
    ACTIVITY_KINDS,
    ASSIGNMENT_STATUSES,
    ENTERPRISE_STATUSES,
    MENTOR_SIDES,
    ORGANIZATION_KINDS,
    PROJECT_KINDS,
    label,
)
from tests.portal.export_support import count_queries, export, export_link, listed, today_suffix
from tests.support import (
    insert_id,
    make_assignment,
    make_enterprise,
    make_log,
    make_mentor,
    make_organization,
    make_project,
    make_student,
    run,
)

D = datetime.date


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


@pytest.fixture
def partner(signed_in):
    return signed_in("partner")


def name_of(table, row_id: int, column: str = "name") -> str:
    row = run(table.select(getattr(table, column)).where(table.id == row_id).first())
    return row[column]


def names(table, ids: list[int], column: str = "name") -> list[str]:
    return [name_of(table, row_id, column) for row_id in ids]


# --- enterprises -------------------------------------------------------------------------------


def test_a_coordinator_exports_every_enterprise_the_list_shows(coordinator, people):
    for n in range(25):
        make_enterprise(name=f"苏州精密制造{n:02d}有限公司", industry="装备制造")
    sheet = export(coordinator, "/enterprises/export.xlsx", sort="-name")
    shown = listed(coordinator, "/enterprises/", "name", sort="-name")
    assert len(shown) == 27
    assert sheet.column(_("Enterprise name")) == shown
    for header in (_("Unified social credit code"), _("Address"), _("Contact phone")):
        assert header in sheet.headers


def test_the_enterprise_export_applies_search_and_status_filters(coordinator, people):
    make_enterprise(name="无锡暂停合作有限公司", status="paused", partner_since=D(2020, 3, 1))
    make_enterprise(name="无锡合作中有限公司", status="active")
    sheet = export(coordinator, "/enterprises/export.xlsx", q="无锡", status="paused")
    assert sheet.column(_("Enterprise name")) == ["无锡暂停合作有限公司"]
    assert listed(coordinator, "/enterprises/", "name", q="无锡", status="paused") == [
        "无锡暂停合作有限公司"
    ]
    assert sheet.column(_("Partnership status")) == [label(ENTERPRISE_STATUSES, "paused")]
    (since,) = sheet.cells(_("Partner since"))
    assert since.is_date and since.value.date() == D(2020, 3, 1)
    (members,) = sheet.cells(_("Party members"))
    assert members.data_type == "n"


def test_a_partner_exports_only_its_own_enterprise(partner, people):
    sheet = export(partner, "/enterprises/export.xlsx")
    assert sheet.column(_("Enterprise name")) == [name_of(Enterprise, people.enterprise_a)]
    assert sheet.column(_("Enterprise name")) == listed(partner, "/enterprises/", "name")
    other = name_of(Enterprise, people.enterprise_b)
    assert export(partner, "/enterprises/export.xlsx", q=other).rows == []


def test_the_enterprise_list_links_to_its_export_with_the_filters(partner, people):
    href = export_link(partner, "/enterprises/", status="active", sort="-partner_since")
    assert href.startswith("http://testserver/enterprises/export.xlsx?")
    assert "status=active" in href and "sort=-partner_since" in href


# --- organizations -----------------------------------------------------------------------------


def test_organization_exports_hold_what_each_role_may_see(coordinator, signed_in, people):
    run(
        Agreement.insert(
            Agreement(
                organization=people.organization_a,
                signed_on=D(2025, 1, 1),
                expires_on=D(2027, 12, 31),
            )
        )
    )
    everything = export(coordinator, "/organizations/export.xlsx")
    assert everything.column(_("Name")) == listed(coordinator, "/organizations/", "name")
    assert len(everything.rows) == 2
    partner = signed_in("partner")
    own = export(partner, "/organizations/export.xlsx")
    assert own.column(_("Name")) == [name_of(JointOrganization, people.organization_a)]
    assert own.column(_("Name")) == listed(partner, "/organizations/", "name")
    (units,) = own.cells(_("Member units"))
    assert units.data_type == "n" and units.value == 2
    (expires,) = own.cells(_("Agreement expires"))
    assert expires.is_date and expires.value.date() == D(2027, 12, 31)


def test_the_organization_export_applies_the_kind_filter_and_the_sort(coordinator, people):
    alliance = make_organization(people.enterprise_a, kind="alliance", name="甲乙党建联盟")
    make_organization(people.enterprise_b, kind="alliance", name="丙丁党建联盟")
    sheet = export(coordinator, "/organizations/export.xlsx", kind="alliance", sort="-name")
    shown = listed(coordinator, "/organizations/", "name", kind="alliance", sort="-name")
    assert sheet.column(_("Name")) == shown
    assert sorted(shown) == sorted(["甲乙党建联盟", "丙丁党建联盟"])
    assert set(sheet.column(_("Kind"))) == {label(ORGANIZATION_KINDS, "alliance")}
    assert name_of(JointOrganization, alliance) in sheet.column(_("Name"))


# --- activities --------------------------------------------------------------------------------


def make_activities(organization_id: int, count: int, **fields) -> list[int]:
    return [
        insert_id(
            Activity,
            organization=organization_id,
            kind=fields.get("kind", "lecture"),
            title=f"{fields.get('prefix', '讲座')}{n:02d}",
            held_on=fields.get("held_on", D(2025, 5, 1)) + datetime.timedelta(days=n),
            summary="活动纪要：" + "很长的内容" * 50,
        )
        for n in range(count)
    ]


def test_activity_exports_match_the_timeline_for_coordinators_and_partners(signed_in, people):
    make_activities(people.organization_a, 24)
    path = f"/organizations/{people.organization_a}/activities/"
    for role in ("coordinator", "partner"):
        browser = signed_in(role)
        sheet = export(browser, path + "export.xlsx")
        shown = listed(browser, path, "title")
        assert len(shown) == 25  # 24 and the one every organization gets
        assert sheet.column(_("Title")) == shown
        assert all(cell.is_date for cell in sheet.cells(_("Date")))


def test_the_activity_export_counts_attendance_and_applies_the_filters(partner, people):
    (attended,) = make_activities(people.organization_a, 1, kind="volunteer", prefix="志愿服务")
    make_activities(people.organization_a, 2, kind="volunteer", held_on=D(2024, 6, 1))
    members = run(
        OrganizationMember.select(OrganizationMember.id).where(
            OrganizationMember.organization == people.organization_a
        )
    )
    for member in members:
        run(MemberAttendance.insert(MemberAttendance(activity=attended, member=member["id"])))
    run(StudentAttendance.insert(StudentAttendance(activity=attended, student=people.student_id)))
    path = f"/organizations/{people.organization_a}/activities/"
    filters = {"kind": "volunteer", "year": "2025"}
    sheet = export(partner, path + "export.xlsx", **filters)
    assert sheet.column(_("Title")) == listed(partner, path, "title", **filters) == ["志愿服务00"]
    assert sheet.column(_("Kind")) == [label(ACTIVITY_KINDS, "volunteer")]
    (members_attending,) = sheet.cells(_("Members attending"))
    assert members_attending.data_type == "n" and members_attending.value == len(members)
    assert sheet.column(_("Students attending")) == [1]
    assert sheet.column(_("Summary"))[0].startswith("活动纪要")
    searched = export(partner, path + "export.xlsx", q="志愿")
    assert searched.column(_("Title")) == listed(partner, path, "title", q="志愿")


def test_a_partner_cannot_export_another_enterprise_organization_activities(partner, people):
    other = f"/organizations/{people.organization_b}"
    assert partner.get(other + "/activities/export.xlsx").status_code == 404
    assert partner.get(other + "/plans/export.xlsx").status_code == 404
    assert partner.get("/organizations/999/activities/export.xlsx").status_code == 404


def test_the_activity_export_runs_the_same_queries_whatever_the_row_count(
    coordinator, people, monkeypatch
):
    path = f"/organizations/{people.organization_a}/activities/export.xlsx"
    queries = count_queries(monkeypatch)
    coordinator.get(path)
    few = len(queries)
    make_activities(people.organization_a, 60)
    queries.clear()
    assert len(export(coordinator, path).rows) == 61
    assert len(queries) == few


# --- plans -------------------------------------------------------------------------------------


def make_plan(organization_id: int, year: int, period: str, number: int | None, done: int, todo):
    plan = insert_id(
        WorkPlan,
        organization=organization_id,
        period=period,
        year=year,
        period_number=number,
        title=f"{year}年{period}{number or ''}计划",
    )
    for n in range(done + todo):
        insert_id(
            WorkPlanItem,
            plan=plan,
            content=f"事项{n}",
            owner="张书记",
            due_on=D(year, 12, 1),
            done=n < done,
        )
    return plan


def test_plan_exports_match_the_list_with_numbers_for_the_completion(signed_in, people):
    for year in (2024, 2025):
        make_plan(people.organization_a, year, "annual", None, 1, 3)
        for quarter in (1, 2, 3, 4):
            make_plan(people.organization_a, year, "quarterly", quarter, quarter, 4 - quarter)
    path = f"/organizations/{people.organization_a}/plans/"
    for role in ("coordinator", "partner"):
        browser = signed_in(role)
        sheet = export(browser, path + "export.xlsx")
        shown = listed(browser, path, "title")
        assert len(shown) == 11
        assert sheet.column(_("Title")) == shown
    quarterly = export(browser, path + "export.xlsx", year="2025", period="quarterly")
    shown = listed(browser, path, "title", year="2025", period="quarterly")
    assert quarterly.column(_("Title")) == shown and len(shown) == 4
    assert quarterly.column(_("Completion")) == [0.25, 0.5, 0.75, 1]
    assert all(cell.data_type == "n" for cell in quarterly.cells(_("Items")))
    assert quarterly.column(_("Items")) == [4, 4, 4, 4]
    assert set(quarterly.column(_("Year"))) == {2025}


# --- projects ----------------------------------------------------------------------------------


def test_a_partner_exports_its_own_projects_and_not_enterprise_b_s(partner, people):
    for n in range(22):
        make_project(people.enterprise_a, name=f"甲企业基地{n:02d}")
    make_project(people.enterprise_b, name="乙企业订单班", kind="order_class")
    sheet = export(partner, "/projects/export.xlsx")
    shown = listed(partner, "/projects/", "name")
    assert sheet.column(_("Project name")) == shown
    assert len(shown) == 23
    assert name_of(Project, people.theirs.project) not in shown
    assert "乙企业订单班" not in sheet.column(_("Project name"))
    assert set(sheet.column(_("Enterprise"))) == {name_of(Enterprise, people.enterprise_a)}


def test_the_project_export_applies_kind_search_and_sort(coordinator, people):
    make_project(
        people.enterprise_a,
        name="智能制造订单班",
        kind="order_class",
        cohort_year=2026,
        agreement_no="DD-2026-01",
        employment_promised=True,
        starts_on=D(2026, 9, 1),
        ends_on=None,
    )
    make_project(people.enterprise_b, name="数控订单班", kind="order_class")
    make_project(people.enterprise_b, name="数控实训基地")
    filters = {"kind": "order_class", "sort": "-name"}
    sheet = export(coordinator, "/projects/export.xlsx", **filters)
    assert sheet.column(_("Project name")) == listed(coordinator, "/projects/", "name", **filters)
    assert sorted(sheet.column(_("Project name"))) == sorted(["数控订单班", "智能制造订单班"])
    assert set(sheet.column(_("Kind"))) == {label(PROJECT_KINDS, "order_class")}
    row = sheet.rows[sheet.column(_("Project name")).index("智能制造订单班")]
    by_header = dict(zip(sheet.headers, row, strict=True))
    assert by_header[_("Starts on")].is_date
    assert by_header[_("Ends on")].value is None
    assert by_header[_("Capacity")].data_type == "n"
    assert by_header[_("Employment promised (order employment)")].value == "✓"
    assert by_header[_("Agreement number")].value == "DD-2026-01"
    searched = export(coordinator, "/projects/export.xlsx", q="数控", status="active")
    assert searched.column(_("Project name")) == listed(
        coordinator, "/projects/", "name", q="数控", status="active"
    )


def test_the_project_export_counts_places_in_a_bounded_number_of_queries(
    coordinator, people, monkeypatch
):
    queries = count_queries(monkeypatch)
    sheet = export(coordinator, "/projects/export.xlsx")
    few = len(queries)
    taken = dict(zip(sheet.column(_("Project name")), sheet.column(_("Places taken")), strict=True))
    assert taken[name_of(Project, people.mine.project)] == 1
    for n in range(40):
        make_project(people.enterprise_a, name=f"新基地{n:02d}")
    queries.clear()
    assert len(export(coordinator, "/projects/export.xlsx").rows) == 42
    assert len(queries) == few


# --- mentors -----------------------------------------------------------------------------------


def test_mentor_exports_match_the_list_for_each_role(signed_in, people):
    for n in range(21):
        make_mentor(side="enterprise", enterprise=people.enterprise_a, name=f"甲工程师{n:02d}")
    make_mentor(side="enterprise", enterprise=people.enterprise_b, name="乙工程师")
    coordinator = signed_in("coordinator")
    everything = export(coordinator, "/mentors/export.xlsx", sort="-name")
    assert everything.column(_("Name")) == listed(coordinator, "/mentors/", "name", sort="-name")
    assert "乙工程师" in everything.column(_("Name"))
    partner = signed_in("partner")
    own = export(partner, "/mentors/export.xlsx")
    assert own.column(_("Name")) == listed(partner, "/mentors/", "name")
    assert "乙工程师" not in own.column(_("Name"))
    assert len(own.rows) == 22  # and the enterprise mentor of people.mine
    assert set(own.column(_("Side"))) == {label(MENTOR_SIDES, "enterprise")}


def test_the_mentor_export_applies_side_and_party_filters_with_loads(coordinator, people):
    make_mentor(name="党员教师", party_member=True, max_mentees=5)
    make_mentor(name="普通教师", party_member=False)
    filters = {"side": "college", "party": "1"}
    sheet = export(coordinator, "/mentors/export.xlsx", **filters)
    assert sheet.column(_("Name")) == listed(coordinator, "/mentors/", "name", **filters)
    assert sheet.column(_("Name")) == ["党员教师"]
    assert sheet.column(_("Party member")) == ["✓"]
    assert sheet.column(_("Maximum active mentees")) == [5]
    college = export(coordinator, "/mentors/export.xlsx", side="college")
    loads = dict(zip(college.column(_("Name")), college.column(_("Active mentees")), strict=True))
    assert loads[name_of(Mentor, people.mentor_id)] == 1
    assert loads["普通教师"] == 0


# --- mentorships -------------------------------------------------------------------------------


def test_mentorship_exports_match_the_list_for_each_role(signed_in, people):
    college = people.mentor_id
    enterprise_mentor = people.mine.enterprise_mentor
    for n in range(21):
        student = make_student(name=f"甲学生{n:02d}")
        make_assignment(
            student,
            college,
            enterprise_mentor,
            project=people.mine.project,
            starts_on=D(2026, 1, 1) + datetime.timedelta(days=n),
        )
    for role in ("coordinator", "partner", "mentor"):
        browser = signed_in(role)
        sheet = export(browser, "/mentorships/export.xlsx")
        shown = listed(browser, "/mentorships/", "student_no")
        assert sheet.column(_("Student number")) == shown, role
        assert len(shown) == (23 if role == "coordinator" else 22)
    other = name_of(Student, people.other_student_id)
    assert other not in sheet.column(_("Student"))


def test_the_mentorship_export_applies_filters_and_sums_the_logs(coordinator, people):
    make_log(people.mine.assignment, people.mine.enterprise_mentor, held_on=D(2026, 11, 2))
    ended_student = make_student(name="已结束学生")
    make_assignment(
        ended_student,
        people.mentor_id,
        people.mine.enterprise_mentor,
        project=people.mine.project,
        status="ended",
        ends_on=D(2026, 10, 1),
    )
    active = export(coordinator, "/mentorships/export.xlsx", status="active", sort="student")
    shown = listed(coordinator, "/mentorships/", "student_no", status="active", sort="student")
    assert active.column(_("Student number")) == shown and len(shown) == 2
    assert set(active.column(_("Status"))) == {label(ASSIGNMENT_STATUSES, "active")}
    mine = export(
        coordinator,
        "/mentorships/export.xlsx",
        q=name_of(Student, people.student_id),
    )
    row = dict(zip(mine.headers, mine.rows[0], strict=True))
    assert row[_("Last log")].is_date and row[_("Last log")].value.date() == D(2026, 11, 2)
    assert row[_("Mentoring logs")].value == 2
    assert row[_("Hours")].data_type == "n" and row[_("Hours")].value == 4
    assert row[_("Starts on")].is_date
    ended = export(coordinator, "/mentorships/export.xlsx", status="ended")
    assert ended.column(_("Student")) == ["已结束学生"]
    assert ended.cells(_("Ends on"))[0].is_date


def test_students_cannot_export_mentorships_and_the_file_is_named_for_the_day(signed_in, people):
    mentor = signed_in("mentor")
    response = mentor.get("/mentorships/export.xlsx")
    assert f'filename="mentorships{today_suffix()}"' in response.headers["content-disposition"]
    assert signed_in("student").get("/mentorships/export.xlsx").status_code == 404


def test_the_mentorship_export_runs_the_same_queries_whatever_the_row_count(
    coordinator, people, monkeypatch
):
    queries = count_queries(monkeypatch)
    coordinator.get("/mentorships/export.xlsx")
    few = len(queries)
    for n in range(30):
        student = make_student(name=f"新学生{n:02d}")
        assignment = make_assignment(
            student, people.mentor_id, people.mine.enterprise_mentor, project=people.mine.project
        )
        make_log(assignment, people.mine.enterprise_mentor)
    queries.clear()
    assert len(export(coordinator, "/mentorships/export.xlsx").rows) == 32
    assert len(queries) == few
