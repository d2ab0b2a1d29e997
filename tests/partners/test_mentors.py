"""Mentors (导师): coordinators manage them all, a partner only its own enterprise's."""

from __future__ import annotations

import json

import pytest

from partners.coeducation.tables import Mentor
from portal.tables import AuditEntry
from tests.support import Browser, make_assignment, make_mentor, make_student, run

COLLEGE = {
    "side": "college",
    "name": "王建国",
    "department": "智能制造学院",
    "title": "副教授",
    "party_member": "1",
    "max_mentees": "6",
    "phone": "13912345678",
}


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


@pytest.fixture
def partner(signed_in):
    return signed_in("partner")


def mentor_named(name: str) -> dict | None:
    return run(Mentor.select().where(Mentor.name == name).first())


def names_in_list(response) -> list[str]:
    return [a.get_text(strip=True) for a in Browser.soup(response).select("#mentors tbody a")]


def test_coordinator_adds_a_college_mentor(coordinator):
    response = coordinator.post("/mentors/new", COLLEGE)
    assert response.status_code == 303
    row = mentor_named("王建国")
    assert row["side"] == "college" and row["enterprise"] is None
    assert row["party_member"] is True and row["max_mentees"] == 6
    assert row["title"] == "副教授"
    entry = run(
        AuditEntry.select()
        .where(AuditEntry.table_name == "partners_mentor", AuditEntry.row_id == row["id"])
        .first()
    )
    assert entry["action"] == "create"
    assert json.loads(entry["changes"])["name"] == [None, "王建国"]
    page = coordinator.get(response.headers["location"])
    assert "副教授" in Browser.soup(page).select_one("#mentor-facts").get_text()


def test_an_enterprise_mentor_needs_an_enterprise(coordinator, people):
    values = {**COLLEGE, "side": "enterprise", "name": "李工", "position": "高级工程师"}
    response = coordinator.post("/mentors/new", values)
    assert response.status_code == 400
    assert Browser.field_error(response, "enterprise")
    response = coordinator.post("/mentors/new", {**values, "enterprise": str(people.enterprise_b)})
    assert response.status_code == 303
    row = mentor_named("李工")
    assert row["enterprise"] == people.enterprise_b and row["department"] == ""


@pytest.mark.parametrize(
    "field,value", [("max_mentees", "0"), ("max_mentees", "51"), ("phone", "12345"), ("name", "")]
)
def test_wrong_mentor_fields(coordinator, field, value):
    response = coordinator.post("/mentors/new", {**COLLEGE, field: value})
    assert response.status_code == 400
    assert Browser.field_error(response, field)
    assert response.context["values"]["department"] == "智能制造学院"
    assert mentor_named(COLLEGE["name"]) is None


def test_a_partner_creates_mentors_of_its_own_enterprise_only(partner, people):
    values = {**COLLEGE, "name": "赵工", "enterprise": str(people.enterprise_b)}
    response = partner.post("/mentors/new", values)
    assert response.status_code == 303
    row = mentor_named("赵工")
    assert row["side"] == "enterprise" and row["enterprise"] == people.enterprise_a


def mentor_name(mentor_id: int) -> str:
    return run(Mentor.select(Mentor.name).where(Mentor.id == mentor_id).first())["name"]


def test_a_partner_lists_only_its_enterprises_mentors(partner, people):
    names = names_in_list(partner.get("/mentors/"))
    assert names == [mentor_name(people.mine.enterprise_mentor)]
    assert mentor_name(people.theirs.enterprise_mentor) not in partner.get("/mentors/").text
    assert partner.get(f"/mentors/{people.mine.enterprise_mentor}").status_code == 200
    assert partner.get(f"/mentors/{people.mentor_id}").status_code == 404
    assert partner.get(f"/mentors/{people.theirs.enterprise_mentor}").status_code == 404


def test_a_coordinator_lists_every_mentor(coordinator, people):
    names = set(names_in_list(coordinator.get("/mentors/")))
    ids = (people.mine.enterprise_mentor, people.theirs.enterprise_mentor, people.mentor_id)
    assert {mentor_name(mentor_id) for mentor_id in ids} <= names


def test_list_filters_and_active_counts(coordinator, people):
    make_mentor(name="党员导师", party_member=True, max_mentees=4)
    make_assignment(make_student(), people.mentor_id, people.mine.enterprise_mentor)
    response = coordinator.get("/mentors/?party=1")
    assert names_in_list(response) == ["党员导师"]
    response = coordinator.get("/mentors/?side=enterprise")
    assert len(names_in_list(response)) == 2
    response = coordinator.get("/mentors/?q=党员")
    assert names_in_list(response) == ["党员导师"]
    rows = {row.id: row for row in coordinator.get("/mentors/").context["page"].rows}
    assert rows[people.mentor_id].active == 2  # mine + the new one
    assert rows[people.mine.enterprise_mentor].active == 2
    assert "2 / 8" in Browser.soup(coordinator.get("/mentors/")).select_one("#mentors").get_text()
    empty = coordinator.get("/mentors/?q=不存在的人")
    assert Browser.soup(empty).select_one("p.empty")


def test_mentor_detail_links_current_mentees(coordinator, people):
    response = coordinator.get(f"/mentors/{people.mentor_id}")
    links = [a["href"] for a in Browser.soup(response).select("#mentees a")]
    assert links == [f"http://testserver/mentorships/{people.mine.assignment}"]


def test_the_maximum_cannot_drop_below_the_active_mentees(coordinator, people):
    make_assignment(make_student(), people.mentor_id, people.mine.enterprise_mentor)
    values = {**COLLEGE, "name": "改名", "max_mentees": "1"}
    response = coordinator.post(f"/mentors/{people.mentor_id}/edit", values)
    assert response.status_code == 400
    assert "2" in Browser.field_error(response, "max_mentees")
    response = coordinator.post(f"/mentors/{people.mentor_id}/edit", {**values, "max_mentees": "2"})
    assert response.status_code == 303
    assert run(Mentor.select().where(Mentor.id == people.mentor_id).first())["name"] == "改名"


def test_an_assigned_mentor_keeps_its_side(coordinator, people):
    values = {**COLLEGE, "side": "enterprise", "enterprise": str(people.enterprise_a)}
    response = coordinator.post(f"/mentors/{people.mentor_id}/edit", values)
    assert response.status_code == 400 and Browser.field_error(response, "side")


def test_a_partner_edits_its_own_mentors(partner, people):
    values = {"name": "新名字", "position": "车间主任", "max_mentees": "5"}
    response = partner.post(f"/mentors/{people.mine.enterprise_mentor}/edit", values)
    assert response.status_code == 303
    row = run(Mentor.select().where(Mentor.id == people.mine.enterprise_mentor).first())
    assert (row["name"], row["enterprise"]) == ("新名字", people.enterprise_a)
    response = partner.post(f"/mentors/{people.theirs.enterprise_mentor}/edit", values)
    assert response.status_code == 404


def test_a_partner_records_an_enterprise_mentors_email(partner, people):
    path = f"/mentors/{people.mine.enterprise_mentor}/edit"
    values = {"name": "钱工", "position": "车间主任", "max_mentees": "5", "email": "qian@"}
    response = partner.post(path, values)
    assert response.status_code == 400 and Browser.field_error(response, "email")
    assert 'value="qian@"' in response.text and 'value="车间主任"' in response.text
    response = partner.post(path, {**values, "email": "qian@enterprise.example"})
    assert response.status_code == 303
    page = partner.get(f"/mentors/{people.mine.enterprise_mentor}")
    assert "qian@enterprise.example" in page.text
    assert "一键确认链接" in page.text  # no account: the weekly logs go to this address
