"""Bulk actions from the student list, as a coordinator sees them: tick students, enroll them
in a project or pair them with two mentors, read who was done and who was refused and why;
export the ticked rows; choose the page size. Partners, students and mentors never see them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from partners.coeducation.participations import already_member_error
from partners.coeducation.tables import MentorAssignment, Participation
from portal.tables import AuditEntry, Student
from tests.portal.export_support import export
from tests.support import (
    Browser,
    make_enterprise,
    make_mentor,
    make_participation,
    make_project,
    make_student,
    make_students,
    run,
)


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def query(*ids: int, **more: Any) -> list[tuple[str, Any]]:
    return [("student", student_id) for student_id in ids] + list(more.items())


def number_of(student_id: int) -> str:
    row = run(Student.select(Student.student_no).where(Student.id == student_id).first())
    return str(row["student_no"])


def memberships(student_id: int) -> list[dict[str, Any]]:
    return run(Participation.select().where(Participation.student == student_id))


def test_every_row_has_a_labelled_tick_box_and_the_bar_has_the_actions(coordinator, people):
    make_student(name="张三丰")
    soup = Browser.soup(coordinator.get("/students/?q=张三丰"))
    form = soup.select_one("form#bulk-form")
    [box] = form.select('tbody input[type="checkbox"][name="student"]')
    label = soup.select_one(f'label[for="{box["id"]}"]')
    assert "张三丰" in label.get_text()
    buttons = {b["formaction"]: b.get_text(strip=True) for b in form.select("button[formaction]")}
    assert set(buttons) == {
        "http://testserver/students/bulk/enrol",
        "http://testserver/students/bulk/pair",
        "http://testserver/students/export.xlsx",
    }
    assert all(buttons.values())
    # Without JS the form still sends the ticks; the "tick all" box waits for the script.
    assert form["method"] == "get" and soup.select_one("[data-bulk-all]").has_attr("hidden")
    assert soup.select_one('script[src$="bulk.js"]') is not None


def test_a_link_back_from_an_action_page_shows_the_students_still_ticked(coordinator, people):
    kept, other = make_student(), make_student()
    soup = Browser.soup(coordinator.get("/students/", params=query(kept)))
    assert soup.select_one(f'input[value="{kept}"]').has_attr("checked")
    assert not soup.select_one(f'input[value="{other}"]').has_attr("checked")


def test_the_export_of_the_ticked_rows_holds_exactly_those(coordinator, people):
    make_students(25)
    picked = [make_student(name=name) for name in ("乙同学", "甲同学", "丙同学")]
    sheet = export(coordinator, "/students/export.xlsx", student=picked, sort="-student_no")
    assert sheet.column("学号") == [number_of(i) for i in reversed(picked)]  # the list's order
    assert sheet.column("姓名") == ["丙同学", "甲同学", "乙同学"]
    everyone = export(coordinator, "/students/export.xlsx")
    assert len(everyone.rows) == 30  # without ticks: the whole list, as before


def test_the_page_size_choice_shows_50_and_keeps_the_filters(coordinator, people):
    make_students(70, department="健康护理学院")
    first = Browser.soup(coordinator.get("/students/?department=健康护理学院"))
    assert len(first.select("tbody tr")) == 20
    choices = {a.get_text(strip=True): a["href"] for a in first.select(".page-sizes a")}
    assert set(choices) == {"50", "100"}
    assert "size=50" in choices["50"] and "department=" in choices["50"]

    fifty = coordinator.get("/students/" + choices["50"])
    soup = Browser.soup(fifty)
    assert len(soup.select("tbody tr")) == 50
    assert soup.select_one('.page-sizes [aria-current="true"]').get_text(strip=True) == "50"
    next_page = soup.select_one('.pagination a[rel="next"]')["href"]
    assert "size=50" in next_page and "department=" in next_page
    second = Browser.soup(coordinator.get("/students/" + next_page))
    assert len(second.select("tbody tr")) == 20  # 70 students: 50, then 20
    sort_link = soup.select_one("thead th a")["href"]
    assert "size=50" in sort_link
    assert len(Browser.soup(coordinator.get("/students/?size=33")).select("tbody tr")) == 20


def test_enrolling_three_ticked_students_adds_two_and_explains_the_third(coordinator, people):
    project = make_project(make_enterprise(), kind="research", name="智能制造科研合作")
    first, already, third = make_student(), make_student(name="王已在"), make_student()
    make_participation(project, already, kind="enrollment")
    ids = (first, already, third)

    chooser = Browser.soup(coordinator.get("/students/bulk/enrol", params=query(*ids)))
    assert "王已在" in chooser.select_one(".bulk-students").get_text()
    options = [o["value"] for o in chooser.select("select#f-project option")]
    assert str(project) in options
    form_page = coordinator.get("/students/bulk/enrol", params=query(*ids, project=project))
    form = Browser.soup(form_page).select_one('form.bulk-step[method="post"]')
    posted = [i["value"] for i in form.select('input[name="student"]')]
    assert posted == [str(i) for i in ids]
    before = run(AuditEntry.count().where(AuditEntry.table_name == "partners_participation"))

    response = coordinator.post(
        "/students/bulk/enrol", {"student": list(ids), "project": project, "internship_kind": ""}
    )

    assert response.status_code == 200
    soup = Browser.soup(response)
    refused = soup.select_one("#refused").get_text(" ", strip=True)
    assert "王已在" in refused and already_member_error().errors[0].message in refused
    done = soup.select_one("#done").get_text(" ", strip=True)
    assert number_of(first) in done and number_of(third) in done and "王已在" not in done
    assert len(memberships(first)) == len(memberships(third)) == 1
    assert len(memberships(already)) == 1  # the one made before; nothing new for them
    after = run(AuditEntry.count().where(AuditEntry.table_name == "partners_participation"))
    assert after - before == 2


def test_a_wrong_bulk_placement_form_keeps_what_was_typed(coordinator, people):
    base = make_project(make_enterprise())
    student = make_student()
    form_page = Browser.soup(
        coordinator.get("/students/bulk/enrol", params=query(student, project=base))
    )
    assert form_page.select_one("#f-starts_on") is not None  # a training base: placement fields
    response = coordinator.post(
        "/students/bulk/enrol",
        {"student": [student], "project": base, "position": "装配技术员", "starts_on": "soon"},
    )
    assert response.status_code == 400
    assert Browser.field_error(response, "starts_on")
    assert Browser.field_error(response, "internship_kind")
    assert Browser.soup(response).select_one("#f-position")["value"] == "装配技术员"
    assert memberships(student) == []


def test_a_bulk_form_without_students_or_project_is_refused(coordinator, people):
    project = make_project(make_enterprise(), kind="research")
    nobody = coordinator.post("/students/bulk/enrol", {"project": project})
    assert nobody.status_code == 400
    assert Browser.soup(nobody).select_one(".flash-error") is not None
    unknown = coordinator.post("/students/bulk/enrol", {"student": [people.student_id]})
    assert unknown.status_code == 400 and Browser.field_error(unknown, "project")
    empty = Browser.soup(coordinator.get("/students/bulk/enrol"))
    assert empty.select_one(".empty a")["href"] == "http://testserver/students/"


def test_pairing_ticked_students_reports_the_one_outside_the_project(coordinator, people):
    enterprise = make_enterprise()
    project = make_project(enterprise, kind="research")
    college = make_mentor()
    company = make_mentor(side="enterprise", enterprise=enterprise, department="")
    inside = [make_student() for _ in range(2)]
    for student in inside:
        make_participation(project, student, kind="enrollment")
    outsider = make_student(name="局外人")
    page = Browser.soup(coordinator.get("/students/bulk/pair", params=query(*inside, outsider)))
    assert str(company) in [o["value"] for o in page.select("#f-enterprise_mentor option")]

    response = coordinator.post(
        "/students/bulk/pair",
        {
            "student": [*inside, outsider],
            "project": project,
            "college_mentor": college,
            "enterprise_mentor": company,
            "starts_on": datetime.date.today().isoformat(),
        },
    )

    assert response.status_code == 200
    soup = Browser.soup(response)
    assert "局外人" in soup.select_one("#refused").get_text()
    rows = run(MentorAssignment.select().where(MentorAssignment.project == project))
    assert sorted(row["student"] for row in rows) == sorted(inside)

    wrong = coordinator.post(
        "/students/bulk/pair",
        {"student": inside, "college_mentor": company, "enterprise_mentor": college},
    )
    assert wrong.status_code == 400
    assert Browser.field_error(wrong, "starts_on")


@pytest.mark.parametrize("role", ["partner", "student", "mentor"])
def test_only_coordinators_act_in_bulk(signed_in, role):
    browser = signed_in(role)
    for path in ("/students/bulk/enrol", "/students/bulk/pair"):
        assert browser.get(path).status_code == 404
        assert browser.post(path, {"student": [1]}).status_code == 404


def test_a_bulk_placement_at_a_training_base_refuses_the_first_year_student(coordinator, people):
    base = make_project(make_enterprise(employee_count=500), name="精密装配实训基地")
    second_year = make_student(cohort_year=2025, name="二年级")
    freshman = make_student(cohort_year=2026, name="一年级")
    fields = {
        "starts_on": "2026-09-01",
        "ends_on": "2027-01-31",
        "position": "装配技术员",
        "internship_kind": "post",
        "agreement_signed_on": "2026-08-20",
        "party_school": "on",
        "party_enterprise": "on",
        "party_student": "on",
        "insurance_policy_no": "PICC-1",
        "insurance_starts_on": "2026-09-01",
        "insurance_ends_on": "2027-01-31",
        "post_headcount": "100",
        "monthly_pay": "4000",
        "post_wage": "5000",
        "daily_hours": "8",
        "weekly_hours": "40",
    }
    response = coordinator.post(
        "/students/bulk/enrol", {"student": [second_year, freshman], "project": base, **fields}
    )
    assert response.status_code == 200
    soup = Browser.soup(response)
    assert "一年级" in soup.select_one("#refused").get_text()
    assert "职业学校学生实习管理规定" in soup.select_one("#refused").get_text()
    assert "二年级" in soup.select_one("#done").get_text()
    # No mentors yet: pending, and the page says what it waits for (as the single form does).
    assert soup.select_one(".flash-warning") is not None
    [placed] = memberships(second_year)
    assert placed["status"] == "pending" and placed["internship_kind"] == "post"
    assert memberships(freshman) == []


def test_more_ticks_than_one_action_takes_are_announced(coordinator, people):
    ids = [make_student() for _ in range(2)]
    many = query(*ids) + [("student", n) for n in range(10_000, 10_250)]
    soup = Browser.soup(coordinator.get("/students/bulk/pair", params=many))
    assert soup.select_one(".bulk-students .flash-warning") is not None
    assert len(soup.select(".bulk-names li")) == 2
    few = Browser.soup(coordinator.get("/students/bulk/pair", params=query(*ids)))
    assert few.select_one(".bulk-students .flash-warning") is None


def test_every_paged_list_offers_the_page_sizes(coordinator, people):
    for _ in range(25):
        make_enterprise()
    first = Browser.soup(coordinator.get("/enterprises/?q=测试企业"))
    assert len(first.select("table.data tbody tr")) == 20
    link = {a.get_text(strip=True): a["href"] for a in first.select(".page-sizes a")}["50"]
    assert "q=" in link and "size=50" in link
    fifty = Browser.soup(coordinator.get("/enterprises/" + link))
    assert len(fifty.select("table.data tbody tr")) == 27  # people's two and these 25
    assert fifty.select_one(".pagination") is None
    back = {a.get_text(strip=True): a["href"] for a in fifty.select(".page-sizes a")}["20"]
    assert "size=" not in back  # the list's own default needs no parameter
