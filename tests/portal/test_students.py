"""Coordinators manage students: list, search, filter, sort, create, edit, delete."""

from __future__ import annotations

import datetime

import pytest

from portal.audit import Actor
from portal.domain_errors import FORM, NotVisible, Refused
from portal.students import delete_student, save_student, stored_student
from portal.tables import Student
from tests.support import (
    Browser,
    clear_mentorships,
    count_queries,
    make_enterprise,
    make_participation,
    make_project,
    make_student,
    make_students,
    run,
    student_values,
)

OFFICE = Actor(None, "教务处")

VALID = {
    "student_no": "2025030101",
    "name": "李明",
    "gender": "M",
    "birth_date": "2006-04-12",
    "department": "电子信息学院",
    "major": "物联网应用技术",
    "class_name": "物联网2501班",
    "cohort_year": "2025",
    "political_status": "03",
    "phone": "13912345678",
}


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def test_creating_a_student(coordinator):
    response = coordinator.post("/students/new", VALID)
    assert response.status_code == 303
    student = run(Student.select().where(Student.student_no == "2025030101").first())
    assert student["name"] == "李明"
    assert student["birth_date"] == datetime.date(2006, 4, 12)
    page = coordinator.get(response.headers["location"])
    assert "李明" in page.text and "共青团员" in page.text


@pytest.mark.parametrize(
    "field,bad_value",
    [
        ("student_no", ""),
        ("student_no", "12 34"),
        ("name", ""),
        ("gender", "X"),
        ("birth_date", "2006-13-45"),
        ("birth_date", (datetime.date.today() + datetime.timedelta(days=1)).isoformat()),
        ("birth_date", "1900-01-01"),
        ("birth_date", (datetime.date.today() - datetime.timedelta(days=365 * 5)).isoformat()),
        ("cohort_year", "twenty"),
        ("cohort_year", "1800"),
        ("political_status", "99"),
        ("phone", "12345"),
        ("phone", "2381234567890"),
        ("department", ""),
    ],
)
def test_bad_input_is_explained_next_to_the_field(coordinator, field, bad_value):
    response = coordinator.post("/students/new", {**VALID, field: bad_value})
    assert response.status_code == 400
    assert Browser.field_error(response, field)
    page = Browser.soup(response)
    assert page.select_one("input[name=name]")["value"] == VALID["name"] or field == "name"
    assert response.context["values"][field] == bad_value.strip()
    assert run(Student.count().where(Student.student_no == VALID["student_no"])) == 0


def test_messages_are_in_chinese_by_default(coordinator):
    response = coordinator.post("/students/new", {**VALID, "phone": "123"})
    assert "手机号" in Browser.field_error(response, "phone")


def test_student_numbers_are_unique(coordinator):
    make_student(student_no="2025030101")
    response = coordinator.post("/students/new", VALID)
    assert response.status_code == 400
    assert Browser.field_error(response, "student_no")


def test_editing_keeps_the_number_and_changes_the_rest(coordinator):
    student_id = make_student(student_no="2025030101", name="王芳")
    page = coordinator.get(f"/students/{student_id}/edit")
    assert Browser.soup(page).select_one("input[name=name]")["value"] == "王芳"
    response = coordinator.post(f"/students/{student_id}/edit", {**VALID, "name": "王芳芳"})
    assert response.status_code == 303
    assert run(Student.select(Student.name).where(Student.id == student_id).first()) == {
        "name": "王芳芳"
    }


def test_editing_to_another_students_number_is_refused(coordinator):
    make_student(student_no="2025030101")
    other = make_student(student_no="2025030102")
    response = coordinator.post(f"/students/{other}/edit", VALID)
    assert Browser.field_error(response, "student_no")


def test_deleting_asks_first_then_deletes(coordinator):
    student_id = make_student(name="赵敏")
    confirm = coordinator.get(f"/students/{student_id}/delete")
    assert confirm.status_code == 200
    assert "赵敏" in confirm.text
    assert run(Student.exists().where(Student.id == student_id))
    assert coordinator.post(f"/students/{student_id}/delete").status_code == 303
    assert not run(Student.exists().where(Student.id == student_id))
    assert coordinator.get(f"/students/{student_id}").status_code == 404


def test_a_student_with_linked_records_is_not_deleted_and_the_page_says_why(coordinator):
    student_id = make_student(name="周杰")
    make_participation(make_project(make_enterprise()), student_id)
    response = coordinator.post(f"/students/{student_id}/delete")
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/students/{student_id}")
    page = Browser.soup(coordinator.get(response.headers["location"]))
    assert "无法删除" in page.select_one(".flash-error").get_text()
    assert run(Student.exists().where(Student.id == student_id))


def test_a_taken_student_number_is_refused_beside_its_field_without_http():
    make_student(student_no="2025030101")
    values = student_values(student_no="2025030101")
    with pytest.raises(Refused) as refused:
        run(save_student(OFFICE, values, None))
    assert [error.field for error in refused.value.errors] == ["student_no"]
    assert run(Student.count().where(Student.student_no == "2025030101")) == 1


def test_saving_a_student_changes_only_that_student_without_http():
    student = run(stored_student(make_student(name="王芳")))
    other_id = make_student(name="李雷")
    values = {**student.fields(), "name": "王芳芳"}
    assert run(save_student(OFFICE, values, student)) == student.id
    assert run(stored_student(student.id)).name == "王芳芳"
    assert run(stored_student(other_id)).name == "李雷"


def test_deleting_a_linked_student_is_refused_for_the_whole_form_without_http():
    student_id = make_student()
    make_participation(make_project(make_enterprise()), student_id)
    with pytest.raises(Refused) as refused:
        run(delete_student(OFFICE, run(stored_student(student_id))))
    assert [error.field for error in refused.value.errors] == [FORM]


def test_a_student_that_does_not_exist_is_not_visible():
    with pytest.raises(NotVisible):
        run(stored_student(999_999))


def test_search_by_name_or_number(coordinator):
    make_student(name="欧阳娜娜", student_no="2023010001")
    make_student(name="张伟", student_no="2023010002")
    by_name = coordinator.get("/students/?q=欧阳")
    assert [r.name for r in by_name.context["page"].rows] == ["欧阳娜娜"]
    by_number = coordinator.get("/students/?q=2023010002")
    assert [r.name for r in by_number.context["page"].rows] == ["张伟"]


def test_filters_combine(coordinator):
    clear_mentorships()
    run(Student.delete(force=True))
    make_student(name="甲", department="汽车工程学院", cohort_year=2023, political_status="01")
    make_student(name="乙", department="汽车工程学院", cohort_year=2024, political_status="03")
    make_student(name="丙", department="经济管理学院", cohort_year=2023, political_status="01")
    response = coordinator.get("/students/?department=汽车工程学院&cohort_year=2023")
    assert [r.name for r in response.context["page"].rows] == ["甲"]
    response = coordinator.get("/students/?political_status=01&sort=-name")
    assert [r.name for r in response.context["page"].rows] == ["甲", "丙"]
    assert response.context["options"] == {
        "department": ["汽车工程学院", "经济管理学院"],
        "major": ["工业机器人技术"],
        "cohort_year": [2024, 2023],
    }


def test_an_empty_list_says_so(coordinator):
    clear_mentorships()
    run(Student.delete(force=True))
    response = coordinator.get("/students/")
    assert Browser.soup(response).select_one("p.empty")
    filtered = coordinator.get("/students/?q=nobody")
    assert "清除" in Browser.soup(filtered).select_one("p.empty").get_text()


def test_sorting_and_pagination(coordinator):
    make_students(43)  # with the two students every test starts with: 45
    first = coordinator.get("/students/?sort=-student_no")
    rows = first.context["page"].rows
    assert len(rows) == 20
    assert rows[0].student_no > rows[-1].student_no
    third = coordinator.get("/students/?sort=-student_no&page=3")
    assert len(third.context["page"].rows) == 5
    assert third.context["page"].page_count == 3
    links = [a["href"] for a in Browser.soup(first).select(".pagination a")]
    assert any("page=2" in href and "sort=-student_no" in href for href in links)


def test_nonsense_paging_and_sorting_fall_back_safely(coordinator):
    make_students(3)
    response = coordinator.get("/students/?page=abc&sort=password&size=100000")
    assert response.status_code == 200
    assert response.context["sort"].key == "student_no"


def test_the_student_list_runs_the_same_queries_whatever_the_row_count(coordinator, monkeypatch):
    make_students(3)
    queries = count_queries(monkeypatch)
    coordinator.get("/students/")
    few = len(queries)
    make_students(150, department="健康护理学院")
    queries.clear()
    coordinator.get("/students/?page=2")
    assert len(queries) == few
    assert few <= 5
