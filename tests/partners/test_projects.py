"""Project pages over HTTP: lists per kind, detail, create/edit/delete, enrollments and
placements with their rules, and who may see what."""

from __future__ import annotations

import datetime

import pytest

from partners.coeducation.tables import Participation, Project
from partners.organizations.tables import Enterprise
from portal.tables import AuditEntry, Student
from tests.support import (
    Browser,
    make_assignment,
    make_mentor,
    make_participation,
    make_project,
    make_student,
    run,
)

D = datetime.date
ORDER_CLASS = {
    "kind": "order_class",
    "name": "智能制造订单班",
    "majors": "工业机器人技术、机电一体化技术",
    "starts_on": "2026-09-01",
    "ends_on": "2029-06-30",
    "capacity": "40",
    "status": "active",
    "description": "三年制订单培养",
    "cohort_year": "2026",
    "agreement_no": "DD-2026-01",
    "employment_promised": "on",
}


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


@pytest.fixture
def partner(signed_in):
    return signed_in("partner")


def project_row(project_id: int) -> dict | None:
    return run(Project.select().where(Project.id == project_id).first())


def participation(participation_id: int) -> dict:
    return run(Participation.select().where(Participation.id == participation_id).first())


def student_no(student_id: int) -> str:
    row = run(Student.select(Student.student_no).where(Student.id == student_id).first())
    return row["student_no"]


def names_in_list(response) -> list[str]:
    return [a.get_text(strip=True) for a in Browser.soup(response).select("#projects tbody a")]


def set_headcount(enterprise_id: int, count: int) -> None:
    run(Enterprise.update({Enterprise.employee_count: count}).where(Enterprise.id == enterprise_id))


# --- list ------------------------------------------------------------------------------------


def test_list_tabs_search_filter_sort_and_seats(coordinator, people):
    order = make_project(people.enterprise_a, kind="order_class", name="甲订单班", capacity=5)
    make_participation(order, make_student(), kind="enrollment")
    make_participation(order, make_student(), kind="enrollment", status="withdrawn")
    make_project(people.enterprise_b, kind="research", name="乙科研", status="planning")
    response = coordinator.get("/projects/?kind=order_class")
    assert response.template.name == "coeducation/project_list.html"
    assert names_in_list(response) == ["甲订单班"]
    row = Browser.soup(response).select_one("#projects tbody tr")
    assert row.select_one(".seats").get_text(strip=True) == "1 / 5"
    assert len(names_in_list(coordinator.get("/projects/"))) == 4  # 2 from people + 2
    enterprise_b = run(Enterprise.select().where(Enterprise.id == people.enterprise_b).first())
    by_enterprise = names_in_list(coordinator.get("/projects/", params={"q": enterprise_b["name"]}))
    assert "乙科研" in by_enterprise and "甲订单班" not in by_enterprise
    assert names_in_list(coordinator.get("/projects/?status=planning")) == ["乙科研"]
    ordered = names_in_list(coordinator.get("/projects/?sort=-name"))
    assert ordered == sorted(ordered, reverse=True)


def test_list_empty_states(coordinator, people):
    none_of_kind = coordinator.get("/projects/?kind=workstation")
    assert none_of_kind.template.name == "coeducation/project_list.html"
    assert Browser.soup(none_of_kind).select_one("p.empty")
    no_match = coordinator.get("/projects/?q=不存在的项目")
    assert "/projects/" in Browser.soup(no_match).select_one("p.empty a")["href"]


def test_list_counts_seats_in_one_query_not_per_row(coordinator, people, monkeypatch):
    for n in range(25):
        make_project(people.enterprise_a, name=f"基地{n:02d}")
    from partners.coeducation.views import projects as views

    calls = []
    original = views.seats_taken

    async def counting(ids):
        calls.append(ids)
        return await original(ids)

    monkeypatch.setattr(views, "seats_taken", counting)
    response = coordinator.get("/projects/")
    assert len(calls) == 1 and len(calls[0]) == 20
    assert len(names_in_list(response)) == 20


# --- isolation -------------------------------------------------------------------------------


def test_partner_sees_only_its_own_enterprise_projects(partner, people):
    mine = project_row(people.mine.project)["name"]
    theirs = project_row(people.theirs.project)["name"]
    listed = names_in_list(partner.get("/projects/"))
    assert mine in listed and theirs not in listed
    assert names_in_list(partner.get("/projects/", params={"q": theirs})) == []
    base = f"/projects/{people.theirs.project}"
    member = f"{base}/members/{people.theirs.participation}"
    for path in (base, f"{base}/members/new", f"{member}/edit"):
        assert partner.get(path).status_code == 404, path
    assert partner.post(f"{member}/withdraw").status_code == 404
    assert participation(people.theirs.participation)["status"] == "active"


def test_partner_sees_its_own_project_with_members_and_mentors(partner, people):
    response = partner.get(f"/projects/{people.mine.project}")
    assert response.status_code == 200
    soup = Browser.soup(response)
    student = run(Student.select().where(Student.id == people.student_id).first())
    members = soup.select_one("#members").get_text()
    assert student["name"] in members and student["student_no"] in members
    mentors = soup.select_one("#mentors").get_text()
    assert "导师" in mentors
    enterprise_link = soup.select_one("#project-facts a")["href"]
    assert enterprise_link.endswith(f"/enterprises/{people.enterprise_a}")
    assert not soup.select(f'a[href$="/projects/{people.mine.project}/edit"]')


@pytest.mark.parametrize("role", ["student", "mentor"])
def test_students_and_mentors_get_404_on_every_project_page(signed_in, people, role):
    browser = signed_in(role)
    base = f"/projects/{people.mine.project}"
    member = f"{base}/members/{people.mine.participation}"
    for path in (
        "/projects/",
        "/projects/new",
        base,
        f"{base}/edit",
        f"{base}/delete",
        f"{base}/members/new",
        f"{member}/edit",
    ):
        assert browser.get(path).status_code == 404, path
    assert browser.post(f"{member}/withdraw").status_code == 404


# --- create / edit / delete ------------------------------------------------------------------


def test_create_order_class_saves_its_fields_and_audits(coordinator, people):
    form = coordinator.get("/projects/new?kind=order_class")
    soup = Browser.soup(form)
    assert soup.select_one("#fields-order_class") and not soup.select_one("#fields-training_base")
    data = {**ORDER_CLASS, "enterprise": str(people.enterprise_a)}
    response = coordinator.post("/projects/new", data)
    assert response.status_code == 303, Browser.field_error(response, "form")
    row = run(Project.select().where(Project.name == "智能制造订单班").first())
    assert row["cohort_year"] == 2026 and row["employment_promised"] is True
    assert row["agreement_no"] == "DD-2026-01" and row["enterprise"] == people.enterprise_a
    audit = run(AuditEntry.select().where(AuditEntry.table_name == "partners_project"))
    assert [(a["action"], a["row_id"]) for a in audit] == [("create", row["id"])]
    detail = coordinator.get(response.headers["location"])
    assert "DD-2026-01" in detail.text


def test_create_rejects_bad_input_with_messages_and_keeps_values(coordinator, people):
    data = {
        **ORDER_CLASS,
        "enterprise": str(people.enterprise_a),
        "ends_on": "2026-08-01",
        "capacity": "2001",
        "cohort_year": "",
    }
    response = coordinator.post("/projects/new", data)
    assert response.status_code == 400
    assert Browser.field_error(response, "ends_on")
    assert Browser.field_error(response, "capacity")
    assert Browser.field_error(response, "cohort_year")
    assert Browser.soup(response).select_one("#f-name")["value"] == "智能制造订单班"
    assert run(Project.count().where(Project.name == "智能制造订单班")) == 0


def test_create_training_base_needs_address_and_safety_contact(coordinator, people):
    data = {
        "kind": "training_base",
        "name": "数控实训基地",
        "enterprise": str(people.enterprise_a),
        "starts_on": "2026-09-01",
        "capacity": "10",
        "status": "active",
        "positions": "数控操作工\n\n质检员\n",
    }
    response = coordinator.post("/projects/new", data)
    assert response.status_code == 400
    assert Browser.field_error(response, "address") and Browser.field_error(
        response, "safety_contact"
    )
    data.update(address="福州市仓山区", safety_contact="王安全", safety_phone="13912345678")
    assert coordinator.post("/projects/new", data).status_code == 303
    row = run(Project.select().where(Project.name == "数控实训基地").first())
    assert row["positions"] == "数控操作工\n质检员"


def test_edit_keeps_the_kind_and_audits_changes(coordinator, people):
    project = people.mine.project
    form = coordinator.get(f"/projects/{project}/edit")
    values = {tag["name"]: tag.get("value", "") for tag in Browser.soup(form).select("input[name]")}
    values.update(
        name="改名后的基地",
        address="新地址",
        safety_contact="李工",
        enterprise=str(people.enterprise_a),
        status="active",
    )
    values.pop("csrftoken", None)
    response = coordinator.post(f"/projects/{project}/edit", values)
    assert response.status_code == 303, response.text
    row = project_row(project)
    assert row["name"] == "改名后的基地" and row["kind"] == "training_base"
    audit = run(
        AuditEntry.select().where(
            AuditEntry.table_name == "partners_project", AuditEntry.action == "update"
        )
    )
    assert len(audit) == 1


def test_delete_refused_while_students_joined_then_allowed(coordinator, people):
    project = people.mine.project
    page = coordinator.get(f"/projects/{project}/delete")
    assert Browser.soup(page).select_one("#delete-blocked")
    response = coordinator.post(f"/projects/{project}/delete")
    assert response.status_code == 303 and project_row(project) is not None
    empty = make_project(people.enterprise_a)
    response = coordinator.post(f"/projects/{empty}/delete")
    assert response.headers["location"].endswith("/projects/")
    assert project_row(empty) is None
    audit = run(
        AuditEntry.select().where(
            AuditEntry.table_name == "partners_project", AuditEntry.action == "delete"
        )
    )
    assert [a["row_id"] for a in audit] == [empty]


# --- enrollments and placements --------------------------------------------------------------


def test_enroll_by_student_number(coordinator, people):
    project = make_project(people.enterprise_a, kind="order_class")
    student = make_student()
    unknown = coordinator.post(f"/projects/{project}/members/new", {"student_no": "20990001"})
    assert unknown.status_code == 400 and Browser.field_error(unknown, "student_no")
    response = coordinator.post(
        f"/projects/{project}/members/new", {"student_no": student_no(student)}
    )
    assert response.status_code == 303
    rows = run(Participation.select().where(Participation.project == project))
    assert [(r["student"], r["kind"], r["status"]) for r in rows] == [
        (student, "enrollment", "active")
    ]
    again = coordinator.post(
        f"/projects/{project}/members/new", {"student_no": student_no(student)}
    )
    assert again.status_code == 400 and "已" in Browser.field_error(again, "student_no")


def test_full_and_closed_projects_refuse_with_a_message_at_the_top(coordinator, people):
    full = make_project(people.enterprise_a, kind="order_class", capacity=1)
    make_participation(full, make_student(), kind="enrollment")
    response = coordinator.post(
        f"/projects/{full}/members/new", {"student_no": student_no(make_student())}
    )
    assert response.status_code == 400
    assert "1" in Browser.soup(response).select_one(".flash-error").get_text()
    closed = make_project(people.enterprise_a, kind="research", status="closed")
    response = coordinator.post(
        f"/projects/{closed}/members/new", {"student_no": student_no(make_student())}
    )
    assert response.status_code == 400
    assert run(Participation.count().where(Participation.project.is_in([full, closed]))) == 1


def placement_form(student_id: int, **fields: str) -> dict[str, str]:
    return {
        "student_no": student_no(student_id),
        "starts_on": "2026-09-01",
        "ends_on": "2027-01-31",
        "position": "装配技术员",
        "agreement_signed_on": "2026-08-20",
        "insurance_policy_no": "",
        "internship_kind": "post",
        "post_headcount": "50",
        "party_school": "on",
        "party_enterprise": "on",
        "party_student": "on",
        **fields,
    }


INSURED = {"insurance_starts_on": "2026-09-01", "insurance_ends_on": "2027-08-31"}


def test_partner_places_a_student_pending_then_active_after_insurance(partner, people):
    set_headcount(people.enterprise_a, 500)
    project = people.mine.project
    student = make_student()
    response = partner.post(f"/projects/{project}/members/new", placement_form(student))
    assert response.status_code == 303, Browser.soup(response).select(".error")
    row = run(Participation.select().where(Participation.student == student).first())
    assert row["kind"] == "placement" and row["status"] == "pending"
    detail = partner.get(response.headers["location"])
    assert "flash-warning" in detail.text
    edit_path = f"/projects/{project}/members/{row['id']}/edit"
    assert partner.get(edit_path).status_code == 200
    college = make_mentor()
    company = make_mentor(side="enterprise", enterprise=people.enterprise_a, department="")
    make_assignment(student, college, company)  # a post intern needs both mentors
    data = placement_form(student, insurance_policy_no="PICC-2026-77", status="pending", **INSURED)
    data.pop("student_no")
    response = partner.post(edit_path, data)
    assert response.status_code == 303
    assert participation(row["id"])["status"] == "active"
    audit = run(AuditEntry.select().where(AuditEntry.table_name == "partners_participation"))
    assert [a["action"] for a in audit] == ["create", "update"]


def test_partner_cannot_enroll_into_its_own_order_class(partner, people):
    order = make_project(people.enterprise_a, kind="order_class")
    assert partner.get(f"/projects/{order}/members/new").status_code == 404


def test_placement_rules_over_http(coordinator, people):
    set_headcount(people.enterprise_a, 500)
    project = people.mine.project
    young = make_student(birth_date=D(2011, 1, 1))
    response = coordinator.post(f"/projects/{project}/members/new", placement_form(young))
    assert response.status_code == 400 and "16" in Browser.field_error(response, "starts_on")
    busy = make_student()
    make_participation(
        make_project(people.enterprise_b), busy, starts_on=D(2026, 10, 1), ends_on=None
    )
    response = coordinator.post(f"/projects/{project}/members/new", placement_form(busy))
    assert response.status_code == 400 and Browser.field_error(response, "starts_on")
    backwards = placement_form(make_student(), ends_on="2026-08-01")
    response = coordinator.post(f"/projects/{project}/members/new", backwards)
    assert response.status_code == 400 and Browser.field_error(response, "ends_on")
    set_headcount(people.enterprise_a, 0)
    response = coordinator.post(f"/projects/{project}/members/new", placement_form(make_student()))
    assert response.status_code == 400
    assert Browser.soup(response).select_one(".flash-error")
    assert run(Participation.count().where(Participation.project == project)) == 1


def test_long_placement_warns_after_saving_and_on_the_detail_page(coordinator, people):
    set_headcount(people.enterprise_a, 500)
    project = people.mine.project
    data = placement_form(
        make_student(), ends_on="2027-06-30", insurance_policy_no="P-1", **INSURED
    )
    response = coordinator.post(f"/projects/{project}/members/new", data)
    assert response.status_code == 303
    detail = coordinator.get(response.headers["location"])
    soup = Browser.soup(detail)
    assert soup.select(".flash-warning") and soup.select_one("#long-placements")


def test_withdraw_frees_the_seat(coordinator, people):
    project = people.mine.project
    path = f"/projects/{project}/members/{people.mine.participation}/withdraw"
    assert coordinator.post(path).status_code == 303
    assert participation(people.mine.participation)["status"] == "withdrawn"
    seats = Browser.soup(coordinator.get(f"/projects/{project}")).select_one("#seats")
    assert seats.get_text(strip=True).startswith("0 /")


def test_partner_withdraws_its_own_placement(partner, people):
    path = f"/projects/{people.mine.project}/members/{people.mine.participation}/withdraw"
    assert partner.post(path).status_code == 303
    assert participation(people.mine.participation)["status"] == "withdrawn"


def test_a_refused_placement_term_shows_beside_its_field_citing_the_text(coordinator, people):
    set_headcount(people.enterprise_a, 500)
    project = people.mine.project
    data = placement_form(make_student(), fee="300")
    response = coordinator.post(f"/projects/{project}/members/new", data)
    assert response.status_code == 400
    assert "职业学校学生实习管理规定" in Browser.field_error(response, "fee")
    data = placement_form(make_student(), daily_hours="9")
    response = coordinator.post(f"/projects/{project}/members/new", data)
    assert response.status_code == 400 and Browser.field_error(response, "daily_hours")
    assert run(Participation.count().where(Participation.project == project)) == 1


def test_the_member_form_shows_the_recorded_parties_and_flags(partner, people):
    set_headcount(people.enterprise_a, 500)
    project = people.mine.project
    response = partner.post(f"/projects/{project}/members/new", placement_form(make_student()))
    assert response.status_code == 303
    row = run(Participation.select().order_by(Participation.id, ascending=False).first())
    assert row["agreement_parties"] == "school,enterprise,student"
    soup = Browser.soup(partner.get(f"/projects/{project}/members/{row['id']}/edit"))
    checked = {box["name"] for box in soup.select("input[type=checkbox][checked]")}
    assert checked == {"party_school", "party_enterprise", "party_student"}
    assert soup.select_one("select[name=internship_kind] option[selected]")["value"] == "post"
