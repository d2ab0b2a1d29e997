"""Activities of joint organizations: the rules, the timeline, the forms and attendance, and
a partner kept to the organizations its enterprise is a member unit of."""

from __future__ import annotations

import datetime

import pytest

from partners.organizations.activities import (
    attendable_students,
    check_activity_form,
    latest_allowed_date,
)
from partners.organizations.tables import (
    Activity,
    MemberAttendance,
    MemberUnit,
    OrganizationMember,
    StudentAttendance,
)
from portal.auth import Viewer
from portal.forms import FormState
from portal.tables import AuditEntry, Role, Student
from tests.support import Browser, make_student, run

TODAY = datetime.date(2026, 5, 10)


def viewer_as(role: Role, **links: int) -> Viewer:
    return Viewer(user_id=0, username="", role=role, name="", session_token="", **links)


def form_of(**values: str) -> FormState:
    base = {"kind": "theme_day", "title": "主题党日", "held_on": "2026-05-01", "host_unit": "7"}
    return FormState(values={**base, **values})


# --- rules -------------------------------------------------------------------------------------


def test_a_valid_activity_form_gives_clean_values():
    form = form_of(place="实训楼", summary="学习")
    values = check_activity_form(form, TODAY, [7, 8])
    assert form.valid
    assert values["held_on"] == datetime.date(2026, 5, 1) and values["host_unit"] == 7


@pytest.mark.parametrize(
    "field,value",
    [
        ("held_on", ""),
        ("held_on", "2026-02-30"),
        ("held_on", "2027-05-11"),  # a year and a day ahead
        ("held_on", "1999-12-31"),
        ("title", ""),
        ("title", "长" * 201),
        ("kind", "party"),
        ("kind", ""),
        ("host_unit", ""),
        ("host_unit", "9"),  # a unit of another organization
        ("host_unit", "x"),
    ],
)
def test_activity_rules(field, value):
    form = form_of(**{field: value})
    check_activity_form(form, TODAY, [7, 8])
    assert field in form.errors


def test_exactly_a_year_ahead_is_allowed():
    form = form_of(held_on="2027-05-10")
    check_activity_form(form, TODAY, [7])
    assert form.valid
    assert latest_allowed_date(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)


def test_a_coordinator_may_pick_any_student_a_partner_its_placed_students_and_past_attendees():
    assert attendable_students(viewer_as(Role.coordinator), 1) == []
    assert len(attendable_students(viewer_as(Role.partner, enterprise_id=5), 1)) == 1


# --- helpers -----------------------------------------------------------------------------------


def units_of(organization_id: int) -> list[int]:
    rows = run(MemberUnit.select(MemberUnit.id).where(MemberUnit.organization == organization_id))
    return [row["id"] for row in rows]


def members_of(organization_id: int) -> list[int]:
    rows = run(
        OrganizationMember.select(OrganizationMember.id).where(
            OrganizationMember.organization == organization_id
        )
    )
    return [row["id"] for row in rows]


def activity_of(organization_id: int) -> int:
    row = run(Activity.select(Activity.id).where(Activity.organization == organization_id).first())
    return row["id"]


def make_activity(organization_id: int, **fields) -> int:
    values = {
        "organization": organization_id,
        "kind": "lecture",
        "title": "工匠精神讲座",
        "held_on": datetime.date(2026, 3, 5),
        **fields,
    }
    return run(Activity.insert(Activity(**values)).returning(Activity.id))[0]["id"]


def valid_form(organization_id: int, **changes: str) -> dict[str, str]:
    return {
        "kind": "joint_study",
        "title": "联学联建：智能制造",
        "held_on": datetime.date.today().isoformat(),
        "place": "实训中心",
        "host_unit": str(units_of(organization_id)[-1]),
        "summary": "共同学习。",
        **changes,
    }


def student_attendees(activity_id: int) -> set[int]:
    rows = run(
        StudentAttendance.select(StudentAttendance.student).where(
            StudentAttendance.activity == activity_id
        )
    )
    return {row["student"] for row in rows}


def member_attendees(activity_id: int) -> set[int]:
    rows = run(
        MemberAttendance.select(MemberAttendance.member).where(
            MemberAttendance.activity == activity_id
        )
    )
    return {row["member"] for row in rows}


@pytest.fixture
def partner(signed_in):
    return signed_in("partner")


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


# --- a partner logs activities of its own organization -----------------------------------------


def test_a_partner_logs_an_activity_for_its_organization(partner, people):
    org = people.organization_a
    form = partner.get(f"/organizations/{org}/activities/new")
    assert Browser.soup(form).select_one("h1").get_text(strip=True) == "登记活动"
    options = Browser.soup(form).select("select[name=host_unit] option[value!='']")
    assert {int(option["value"]) for option in options} == set(units_of(org))
    response = partner.post(f"/organizations/{org}/activities/new", valid_form(org))
    assert response.status_code == 303
    row = run(Activity.select().where(Activity.title == "联学联建：智能制造").first())
    assert row["organization"] == org and row["place"] == "实训中心"
    assert response.headers["location"].endswith(f"/organizations/{org}/activities/{row['id']}")
    audit = run(AuditEntry.select().where(AuditEntry.table_name == "partners_activity").first())
    assert audit["action"] == "create" and audit["row_id"] == row["id"]
    page = partner.get(response.headers["location"])
    assert "联学联建：智能制造" in page.text and "实训中心" in page.text


def test_a_host_unit_of_another_organization_is_refused(partner, people):
    org = people.organization_a
    other_unit = str(units_of(people.organization_b)[0])
    response = partner.post(
        f"/organizations/{org}/activities/new", valid_form(org, host_unit=other_unit)
    )
    assert response.status_code == 400
    assert Browser.field_error(response, "host_unit")
    assert response.context["values"]["title"] == "联学联建：智能制造"
    assert not run(Activity.exists().where(Activity.title == "联学联建：智能制造"))


def test_a_date_too_far_ahead_is_explained(partner, people):
    org = people.organization_a
    far = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    response = partner.post(f"/organizations/{org}/activities/new", valid_form(org, held_on=far))
    assert response.status_code == 400
    assert "一年" in Browser.field_error(response, "held_on")


def test_editing_and_deleting_an_activity(partner, people):
    org = people.organization_a
    activity_id = activity_of(org)
    base = f"/organizations/{org}/activities/{activity_id}"
    form = partner.get(base + "/edit")
    assert Browser.soup(form).select_one("input[name=title]")["value"] == "主题党日"
    response = partner.post(base + "/edit", valid_form(org, title="五月主题党日"))
    assert response.status_code == 303
    assert run(Activity.select(Activity.title).where(Activity.id == activity_id).first()) == {
        "title": "五月主题党日"
    }
    partner.post(base + "/attendance", {"member": members_of(org)})
    assert "五月主题党日" in partner.get(base + "/delete").text
    assert partner.post(base + "/delete").status_code == 303
    assert not run(Activity.exists().where(Activity.id == activity_id))
    assert not member_attendees(activity_id)
    assert partner.get(base).status_code == 404


def test_a_partner_records_attendance_from_lists(partner, people):
    org = people.organization_a
    activity_id = activity_of(org)
    earlier = make_activity(org)
    run(StudentAttendance.insert(StudentAttendance(activity=earlier, student=people.student_id)))
    url = f"/organizations/{org}/activities/{activity_id}/attendance"
    page = partner.get(url)
    boxes = Browser.soup(page).select("input[type=checkbox][name=member]")
    assert {int(box["value"]) for box in boxes} == set(members_of(org))
    found = partner.get(url + "?q=" + people_student_no(people.student_id))
    results = Browser.soup(found).select(".search-results input[name=student]")
    assert [int(box["value"]) for box in results] == [people.student_id]
    assert not results[0].has_attr("checked")
    response = partner.post(url, {"member": members_of(org), "student": [people.student_id]})
    assert response.status_code == 303
    assert member_attendees(activity_id) == set(members_of(org))
    assert student_attendees(activity_id) == {people.student_id}
    detail = partner.get(f"/organizations/{org}/activities/{activity_id}")
    table = Browser.soup(detail).select_one("table.students").get_text()
    assert people_student_no(people.student_id) in table and "工业机器人2401班" in table
    audit = run(
        AuditEntry.select(AuditEntry.changes)
        .where(AuditEntry.table_name == "partners_activity", AuditEntry.action == "update")
        .first()
    )
    assert "student_attendance" in audit["changes"]
    # unchecking replaces the set
    assert partner.post(url, {"member": members_of(org)[:1]}).status_code == 303
    assert member_attendees(activity_id) == set(members_of(org)[:1])
    assert student_attendees(activity_id) == set()


def people_student_no(student_id: int) -> str:
    return run(Student.select(Student.student_no).where(Student.id == student_id).first())[
        "student_no"
    ]


def test_a_partner_marks_a_student_placed_with_its_enterprise(partner, people):
    org = people.organization_a
    activity_id = activity_of(org)
    url = f"/organizations/{org}/activities/{activity_id}/attendance"
    found = partner.get(url + "?q=" + people_student_no(people.student_id))
    results = Browser.soup(found).select(".search-results input[name=student]")
    assert [int(box["value"]) for box in results] == [people.student_id]
    response = partner.post(url, {"member": members_of(org), "student": [people.student_id]})
    assert response.status_code == 303
    assert student_attendees(activity_id) == {people.student_id}


def test_a_partner_cannot_add_a_student_it_may_not_pick(partner, people):
    org = people.organization_a
    activity_id = activity_of(org)
    url = f"/organizations/{org}/activities/{activity_id}/attendance"
    found = partner.get(url + "?q=" + people_student_no(people.other_student_id))
    assert not Browser.soup(found).select(".search-results input[name=student]")
    response = partner.post(url, {"member": members_of(org), "student": [people.other_student_id]})
    assert response.status_code == 400
    assert Browser.soup(response).select_one(".flash-error")
    assert student_attendees(activity_id) == set() and member_attendees(activity_id) == set()


def test_members_of_another_organization_are_refused(coordinator, people):
    org = people.organization_a
    activity_id = activity_of(org)
    url = f"/organizations/{org}/activities/{activity_id}/attendance"
    response = coordinator.post(url, {"member": members_of(people.organization_b)})
    assert response.status_code == 400
    assert member_attendees(activity_id) == set()
    assert coordinator.post(url, {"member": "abc"}).status_code == 400


def test_a_coordinator_searches_any_student(coordinator, people):
    org = people.organization_a
    activity_id = activity_of(org)
    make_student(name="欧阳娜娜", class_name="数控2402班")
    url = f"/organizations/{org}/activities/{activity_id}/attendance"
    by_class = coordinator.get(url + "?q=数控2402")
    names = [r.name for r in by_class.context["results"]]
    assert names == ["欧阳娜娜"]
    short = coordinator.get(url + "?q=欧")
    assert short.context["too_short"] and short.context["results"] == []
    response = coordinator.post(url, {"student": [people.other_student_id]})
    assert response.status_code == 303
    assert student_attendees(activity_id) == {people.other_student_id}
    again = coordinator.get(url + "?q=" + people_student_no(people.other_student_id))
    assert again.context["results"] == []  # already attending: shown checked, not as a result


# --- the timeline ------------------------------------------------------------------------------


def test_the_timeline_filters_searches_and_counts(coordinator, people):
    org = people.organization_a
    lecture = make_activity(org, title="安全生产讲座", held_on=datetime.date(2025, 6, 1))
    make_activity(org, kind="volunteer", title="社区志愿服务", held_on=datetime.date(2025, 7, 1))
    run(
        StudentAttendance.insert(
            StudentAttendance(activity=lecture, student=people.student_id),
            StudentAttendance(activity=lecture, student=people.other_student_id),
        )
    )
    base = f"/organizations/{org}/activities/"
    page = coordinator.get(base)
    titles = [row.title for row in page.context["page"].rows]
    assert titles == ["主题党日", "社区志愿服务", "安全生产讲座"]  # newest first
    assert [month for month, _ in page.context["months"]] == ["2026-10", "2025-07", "2025-06"]
    counted = next(row for row in page.context["page"].rows if row.id == lecture)
    assert (counted.members, counted.students) == (0, 2)
    assert page.context["years"] == [2026, 2025]
    assert "2025-06-01" in page.text
    by_kind = coordinator.get(base + "?kind=volunteer")
    assert [r.title for r in by_kind.context["page"].rows] == ["社区志愿服务"]
    by_year = coordinator.get(base + "?year=2025&q=讲座")
    assert [r.title for r in by_year.context["page"].rows] == ["安全生产讲座"]
    nothing = coordinator.get(base + "?q=不存在")
    assert "清除" in Browser.soup(nothing).select_one("p.empty").get_text()


def test_an_empty_timeline_says_so(coordinator, people):
    run(Activity.delete().where(Activity.organization == people.organization_a))
    page = coordinator.get(f"/organizations/{people.organization_a}/activities/")
    assert Browser.soup(page).select_one("p.empty")
    assert page.context["years"] == []


def test_the_timeline_runs_the_same_queries_whatever_the_row_count(
    coordinator, people, monkeypatch
):
    from tests.portal.test_students import count_queries

    org = people.organization_a
    queries = count_queries(monkeypatch)
    coordinator.get(f"/organizations/{org}/activities/")
    few = len(queries)
    for day in range(1, 30):
        activity_id = make_activity(org, held_on=datetime.date(2025, 1, day))
        run(
            StudentAttendance.insert(
                StudentAttendance(activity=activity_id, student=people.student_id)
            )
        )
    queries.clear()
    page = coordinator.get(f"/organizations/{org}/activities/")
    assert len(page.context["page"].rows) == 20
    assert len(queries) == few


# --- a partner never reaches another organization's activities ---------------------------------


def test_a_partner_gets_404_on_everything_of_another_organization(partner, people):
    org_b = people.organization_b
    activity_b = activity_of(org_b)
    base = f"/organizations/{org_b}/activities"
    for path in (
        base + "/",
        base + "/new",
        f"{base}/{activity_b}",
        f"{base}/{activity_b}/edit",
        f"{base}/{activity_b}/attendance",
        f"{base}/{activity_b}/delete",
    ):
        assert partner.get(path).status_code == 404, path
    for path in (
        base + "/new",
        f"{base}/{activity_b}/edit",
        f"{base}/{activity_b}/attendance",
        f"{base}/{activity_b}/delete",
    ):
        assert partner.post(path, valid_form(org_b)).status_code == 404, path
    assert run(Activity.count().where(Activity.organization == org_b)) == 1
    # organization_b's activity under organization_a's address is not found either
    own = f"/organizations/{people.organization_a}/activities/{activity_b}"
    assert partner.get(own).status_code == 404
    assert partner.post(own + "/attendance", {}).status_code == 404


def test_a_partner_never_sees_another_organizations_activities(partner, people):
    run(
        Activity.update({Activity.title: "乙方专属活动"}).where(
            Activity.organization == people.organization_b
        )
    )
    page = partner.get(f"/organizations/{people.organization_a}/activities/")
    assert page.status_code == 200
    assert "乙方专属活动" not in page.text
    assert all(row.title != "乙方专属活动" for row in page.context["page"].rows)


def test_students_and_mentors_get_404(signed_in, people):
    for role in ("student", "mentor"):
        browser = signed_in(role)
        assert browser.get(f"/organizations/{people.organization_a}/activities/").status_code == 404
