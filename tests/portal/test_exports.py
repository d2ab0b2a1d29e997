"""Excel exports of the portal's lists (students, accounts, audit log): a coordinator downloads
what the list shows — every page of it, with its filters and order — as a real .xlsx file."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from college.views.accounts import role_label
from partners.organizations.tables import Enterprise
from portal import exports
from portal.tables import AuditEntry, Student
from tests.portal.export_support import (
    count_queries,
    export,
    export_link,
    listed,
    read_export,
    today_suffix,
)
from tests.support import make_student, make_students, run


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


# --- students ----------------------------------------------------------------------------------


def test_a_coordinator_exports_every_student_the_list_shows_in_its_order(coordinator, people):
    make_students(30, department="健康护理学院", major="护理")
    make_students(5, department="电子信息学院", major="物联网应用技术")
    sheet = export(coordinator, "/students/export.xlsx", sort="-name")
    expected = listed(coordinator, "/students/", "student_no", sort="-name")
    assert len(expected) == 37  # two pages of the list, plus people's two students
    assert sheet.column("学号") == expected
    assert sheet.headers[:3] == ["学号", "姓名", "性别"]
    assert all(sheet.headers)


def test_the_student_export_applies_the_search_and_the_select_filters(coordinator, people):
    make_students(4, department="健康护理学院", major="护理", cohort_year=2025)
    make_students(3, department="健康护理学院", major="护理", cohort_year=2024)
    target = make_student(name="王小明", department="健康护理学院", cohort_year=2025)
    make_student(name="王小红", department="电子信息学院")
    filters = {"department": "健康护理学院", "cohort_year": "2025"}
    sheet = export(coordinator, "/students/export.xlsx", **filters)
    assert sheet.column("学号") == listed(coordinator, "/students/", "student_no", **filters)
    assert len(sheet.rows) == 5
    assert set(sheet.column("院系")) == {"健康护理学院"}
    assert set(sheet.column("年级")) == {2025}
    searched = export(coordinator, "/students/export.xlsx", q="王小", department="健康护理学院")
    number = run(Student.select(Student.student_no).where(Student.id == target).first())
    assert searched.column("学号") == [number["student_no"]]


def test_student_dates_are_dates_numbers_are_numbers_and_codes_are_labels(coordinator, people):
    make_student(name="李华", birth_date=datetime.date(2006, 4, 12), political_status="01")
    sheet = export(coordinator, "/students/export.xlsx", q="李华")
    (birth,) = sheet.cells("出生日期")
    assert birth.is_date and birth.value.date() == datetime.date(2006, 4, 12)
    (cohort,) = sheet.cells("年级")
    assert cohort.data_type == "n" and cohort.value == 2024
    assert sheet.column("政治面貌") == ["中共党员"]
    assert sheet.column("性别") == ["女"]


def test_the_file_is_named_by_the_list_and_the_day(coordinator, people):
    response = coordinator.get("/students/export.xlsx")
    sheet = read_export(response)
    assert sheet.filename.endswith(today_suffix())
    assert f'filename="students{today_suffix()}"' in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "private, no-store"


def test_the_list_links_to_the_export_with_its_current_filters(coordinator, people):
    make_students(3, department="健康护理学院")
    href = export_link(coordinator, "/students/", department="健康护理学院", sort="-name", page="2")
    parts = urlsplit(href)
    assert parts.path == "/students/export.xlsx"
    query = parse_qs(parts.query)
    assert query["department"] == ["健康护理学院"] and query["sort"] == ["-name"]
    assert "page" not in query
    assert read_export(coordinator.get(parts.path + "?" + parts.query)).rows


def test_an_empty_list_offers_no_export_but_the_export_still_has_its_headers(coordinator):
    response = coordinator.get("/students/", params={"q": "没有这个人"})
    assert response.status_code == 200
    assert coordinator.soup(response).select_one(".list-export") is None
    sheet = export(coordinator, "/students/export.xlsx", q="没有这个人")
    assert sheet.rows == [] and "学号" in sheet.headers


def test_a_huge_export_is_cut_with_a_note_at_the_end(coordinator, people, monkeypatch):
    make_students(6)
    monkeypatch.setattr(exports, "EXPORT_ROW_LIMIT", 5)
    sheet = export(coordinator, "/students/export.xlsx")
    numbers = sheet.column("学号")
    assert numbers[:5] == listed(coordinator, "/students/", "student_no")[:5]
    assert len(sheet.rows) == 6  # five students and the note
    assert "5" in numbers[5] and all(cell.value is None for cell in sheet.rows[5][1:])


def test_text_that_looks_like_a_formula_stays_text(coordinator, people):
    make_student(name='=HYPERLINK("http://evil")', class_name="班级\x0b一")
    sheet = export(coordinator, "/students/export.xlsx", q="HYPERLINK")
    (name,) = sheet.cells("姓名")
    assert name.data_type == "s" and name.value == '=HYPERLINK("http://evil")'
    assert sheet.column("班级") == ["班级一"]


def test_only_coordinators_export_students(signed_in, people):
    response = signed_in("anonymous").get("/students/export.xlsx?department=x")
    assert response.status_code == 303
    assert "next=%2Fstudents%2Fexport.xlsx" in response.headers["location"]
    for role in ("partner", "student", "mentor"):
        assert signed_in(role).get("/students/export.xlsx").status_code == 404


def test_the_student_export_runs_the_same_queries_whatever_the_row_count(
    coordinator, people, monkeypatch
):
    make_students(3)
    queries = count_queries(monkeypatch)
    coordinator.get("/students/export.xlsx")
    few = len(queries)
    make_students(200)
    queries.clear()
    sheet = export(coordinator, "/students/export.xlsx")
    assert len(sheet.rows) == 205
    assert len(queries) == few


# --- accounts ----------------------------------------------------------------------------------


def test_the_account_export_matches_the_list_and_says_what_each_account_is_linked_to(
    coordinator, people
):
    sheet = export(coordinator, "/accounts/export.xlsx")
    assert sheet.column("用户名") == listed(coordinator, "/accounts/", "username")
    assert sheet.column("用户名") == ["coord", "mentor1", "partner_a", "student1"]
    linked = dict(zip(sheet.column("用户名"), sheet.column(sheet.headers[3]), strict=True))
    enterprise = run(Enterprise.select().where(Enterprise.id == people.enterprise_a).first())
    assert linked["partner_a"] == enterprise["name"]
    assert linked["coord"] in ("", None)
    student = run(Student.select().where(Student.id == people.student_id).first())
    assert student["student_no"] in linked["student1"]
    (created,) = sheet.cells("创建时间")[:1]
    assert created.is_date
    last_sign_in = dict(zip(sheet.column("用户名"), sheet.cells("最近登录"), strict=True))
    assert last_sign_in["coord"].is_date


def test_the_account_export_applies_the_role_and_search_filters(coordinator, people):
    partners = export(coordinator, "/accounts/export.xlsx", role="partner")
    assert partners.column("用户名") == ["partner_a"]
    assert listed(coordinator, "/accounts/", "username", role="partner") == ["partner_a"]
    assert partners.column("角色") == [role_label("partner")]
    assert partners.column("状态") == ["已启用"]
    searched = export(coordinator, "/accounts/export.xlsx", q="mentor")
    assert searched.column("用户名") == listed(coordinator, "/accounts/", "username", q="mentor")
    assert searched.column("用户名") == ["mentor1"]


# --- audit log ---------------------------------------------------------------------------------


def test_the_audit_export_holds_the_entries_the_log_shows_newest_first(coordinator, people):
    for n in range(3):
        response = coordinator.post(
            "/students/new",
            {
                "student_no": f"20250301{n:02d}",
                "name": f"审计{n}",
                "gender": "M",
                "birth_date": "2006-04-12",
                "department": "电子信息学院",
                "major": "物联网应用技术",
                "class_name": "物联网2501班",
                "cohort_year": "2025",
                "political_status": "03",
                "phone": "13912345678",
            },
        )
        assert response.status_code == 303
    sheet = export(coordinator, "/audit/export.xlsx")
    entries = listed(coordinator, "/audit/", "id")
    summaries = {row["id"]: row["summary"] for row in run(AuditEntry.select())}
    assert sheet.column("摘要") == [summaries[entry] for entry in entries]
    filtered = export(coordinator, "/audit/export.xlsx", table_name="portal_student")
    assert filtered.column("摘要") == ["审计2", "审计1", "审计0"]
    assert set(filtered.column("操作类型")) == {"create"}
    assert all(cell.is_date for cell in filtered.cells("时间"))
    assert all(cell.data_type == "n" for cell in filtered.cells("记录编号"))
    changes = filtered.column("变更内容")[0]
    assert "name: ∅ → 审计2" in changes


def test_only_coordinators_export_accounts_and_the_audit_log(signed_in, people):
    for role in ("partner", "student", "mentor"):
        browser = signed_in(role)
        assert browser.get("/accounts/export.xlsx").status_code == 404
        assert browser.get("/audit/export.xlsx").status_code == 404
