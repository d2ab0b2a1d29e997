"""Filing exports (报送导出): saved, editable export profiles — column order, headers, value
mappings — for the placements of a term (实习备案) and the 发展党员 statistics of a year, as
xlsx. Coordinators only; every write audited."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from openpyxl import load_workbook

from college.filings import (
    academic_term,
    check_profile_form,
    default_columns,
    party_rows,
    rearranged,
)
from portal.forms import FormState
from portal.tables import AuditEntry, ExportProfile
from talent_pool.tables import PipelineEvent, PoolEntry
from tests.portal.filing_support import make_profile
from tests.support import (
    insert_id,
    make_assignment,
    make_enterprise,
    make_mentor,
    make_participation,
    make_project,
    make_student,
    run,
)


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def stored_profiles() -> list[dict]:
    rows = run(ExportProfile.select().order_by(ExportProfile.id))
    for row in rows:
        if isinstance(row["columns"], str):
            row["columns"] = json.loads(row["columns"])
    return rows


def audit_rows(action: str) -> list[dict]:
    return run(
        AuditEntry.select()
        .where(AuditEntry.table_name == "portal_export_profile")
        .where(AuditEntry.action == action)
        .order_by(AuditEntry.id)
    )


def sheet(response) -> list[list]:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


# --- profiles ------------------------------------------------------------------------------


def test_the_list_seeds_one_default_profile_per_kind_once_and_audits_it(coordinator):
    page = coordinator.soup(coordinator.get("/filings/"))
    names = [a.get_text(strip=True) for a in page.select("table.filing-table th[scope=row] a")]
    assert names == ["实习备案（默认）", "发展党员统计（默认）"]
    coordinator.get("/filings/")
    assert [row["kind"] for row in stored_profiles()] == ["placements", "party_statistics"]
    created = audit_rows("create")
    assert len(created) == 2 and created[0]["username"] == "coord"
    headers = [column["header"] for column in stored_profiles()[0]["columns"]]
    for required in ("学生姓名", "学号", "实习类型", "统一社会信用代码", "保险单号"):
        assert any(required in header for header in headers), required


def test_a_wrong_profile_is_refused_beside_its_fields_and_nothing_typed_is_lost(coordinator):
    response = coordinator.post(
        "/filings/new?kind=placements",
        {
            "rows": "3",
            "name": "",
            "header_0": "",
            "source_0": "salary_of_the_ceo",
            "map_0": "post",
            "header_1": "实习类型代码",
            "source_1": "internship_kind",
            "map_1": "post=2\nvolunteering=9",
            "header_2": "实习类型代码",
            "source_2": "student_name",
            "map_2": "",
            "action": "save",
        },
    )
    assert response.status_code == 400
    assert coordinator.field_error(response, "name") == "此项为必填项。"
    assert coordinator.field_error(response, "header_0")
    assert coordinator.field_error(response, "source_0")
    assert "post=2" in coordinator.field_error(response, "map_0")  # the expected format
    assert "volunteering" in coordinator.field_error(response, "map_1")
    assert coordinator.field_error(response, "header_2")  # the same header twice
    page = coordinator.soup(response)
    assert page.select_one("#f-header_1")["value"] == "实习类型代码"
    assert page.select_one("#f-map_1").get_text() == "post=2\nvolunteering=9"
    assert page.select_one("#f-source_2 option[selected]")["value"] == "student_name"
    assert page.select_one("#f-source_1 option[selected]").get_text() == "实习类型"
    assert stored_profiles() == [] and audit_rows("create") == []


def test_moving_adding_and_removing_columns_redraws_the_form_without_saving(coordinator):
    form = {
        "rows": "2",
        "name": "江苏省实习备案",
        "header_0": "姓名",
        "source_0": "student_name",
        "map_0": "",
        "header_1": "学号",
        "source_1": "student_no",
        "map_1": "",
    }
    moved = coordinator.post("/filings/new?kind=placements", {**form, "action": "down-0"})
    assert moved.status_code == 200
    page = coordinator.soup(moved)
    assert [page.select_one(f"#f-header_{i}")["value"] for i in (0, 1)] == ["学号", "姓名"]
    assert page.select_one("#f-name")["value"] == "江苏省实习备案"
    added = coordinator.soup(
        coordinator.post("/filings/new?kind=placements", {**form, "action": "add"})
    )
    assert len(added.select("li.filing-column")) == 3
    removed = coordinator.soup(
        coordinator.post("/filings/new?kind=placements", {**form, "action": "remove-0"})
    )
    assert [i["value"] for i in removed.select("input[name^=header_]")] == ["学号"]
    assert stored_profiles() == []


def test_a_profile_is_created_edited_and_copied_with_audit_entries(coordinator):
    response = coordinator.post(
        "/filings/new?kind=placements",
        {
            "rows": "2",
            "name": "浙江省实习备案",
            "header_0": "实习类型",
            "source_0": "internship_kind",
            "map_0": "post＝2\ncognitive=1",
            "header_1": "姓名",
            "source_1": "student_name",
            "map_1": "",
            "action": "save",
        },
    )
    assert response.status_code == 303
    (stored,) = stored_profiles()
    assert stored["columns"] == [
        {
            "header": "实习类型",
            "source": "internship_kind",
            "value_map": {"post": "2", "cognitive": "1"},
        },
        {"header": "姓名", "source": "student_name", "value_map": {}},
    ]
    assert stored["created_by"] == stored["updated_by"] is not None
    edit = f"/filings/{stored['id']}"
    page = coordinator.soup(coordinator.get(edit))
    assert page.select_one("#f-map_0").get_text() == "post=2\ncognitive=1"
    saved = coordinator.post(
        edit,
        {
            "rows": "1",
            "name": "浙江省实习备案（2027版）",
            "header_0": "学生姓名",
            "source_0": "student_name",
            "map_0": "",
            "action": "save",
        },
    )
    assert saved.status_code == 303
    (updated,) = audit_rows("update")
    assert json.loads(updated["changes"])["name"] == ["浙江省实习备案", "浙江省实习备案（2027版）"]
    copied = coordinator.post(f"{edit}/copy")
    assert copied.status_code == 303
    copy = stored_profiles()[1]
    assert copy["name"] == "浙江省实习备案（2027版）（副本）"
    assert copy["columns"] == stored_profiles()[0]["columns"]
    assert len(audit_rows("create")) == 2


def test_a_profile_of_no_column_is_refused_without_http():
    form = FormState(values={"name": "空方案"})
    check_profile_form(form, "placements", 0)
    assert "columns" in form.errors


def test_rearranging_stays_within_the_rows():
    rows = [{"header": "a", "source": "x", "map": ""}, {"header": "b", "source": "y", "map": ""}]
    assert rearranged(rows, "up-0", "placements") == rows
    assert rearranged(rows, "down-1", "placements") == rows
    assert rearranged(rows, "remove-7", "placements") == rows
    assert rearranged(rows, "save", "placements") is None


def test_the_default_period_is_the_academic_term():
    assert academic_term(datetime.date(2026, 11, 30)) == (
        datetime.date(2026, 9, 1),
        datetime.date(2027, 1, 31),
    )
    assert academic_term(datetime.date(2027, 1, 10))[0] == datetime.date(2026, 9, 1)
    assert academic_term(datetime.date(2027, 3, 1)) == (
        datetime.date(2027, 2, 1),
        datetime.date(2027, 8, 31),
    )


# --- the placement export ------------------------------------------------------------------


def test_the_export_has_the_profile_headers_in_order_and_mapped_values_of_the_term(
    coordinator, people
):
    enterprise = make_enterprise(name="苏州精工机械有限公司")
    project = make_project(enterprise, address="苏州工业园区星湖街1号")
    college_mentor = make_mentor(name="王老师")
    enterprise_mentor = make_mentor(side="enterprise", enterprise=enterprise, name="李工")
    minor = make_student(name="未成年甲", birth_date=datetime.date(2009, 12, 1), gender="M")
    make_participation(
        project, minor, internship_kind="post", guardian_consent_on=datetime.date(2026, 8, 25)
    )
    make_assignment(minor, college_mentor, enterprise_mentor, project=project)
    cognitive = make_student(name="认识乙")
    make_participation(
        project, cognitive, internship_kind="cognitive", ends_on=datetime.date(2026, 9, 5)
    )
    earlier = make_student(name="上学期丙")
    make_participation(
        project,
        earlier,
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 6, 30),
    )
    withdrawn = make_student(name="退出丁")
    make_participation(project, withdrawn, status="withdrawn")
    profile_id = make_profile(
        columns=[
            {"header": "实习类型代码", "source": "internship_kind", "value_map": {"post": "2"}},
            {"header": "姓名", "source": "student_name", "value_map": {}},
            {"header": "性别", "source": "gender", "value_map": {}},
            {"header": "是否未成年", "source": "minor", "value_map": {"yes": "Y", "no": "N"}},
            {"header": "企业指导教师", "source": "enterprise_mentor", "value_map": {}},
            {"header": "校内指导教师", "source": "college_mentor", "value_map": {}},
            {"header": "实习开始日期", "source": "starts_on", "value_map": {}},
            {"header": "统一社会信用代码", "source": "credit_code", "value_map": {}},
        ]
    )
    response = coordinator.post(
        f"/filings/{profile_id}/export", {"starts_on": "2026-09-01", "ends_on": "2027-01-31"}
    )
    rows = sheet(response)
    assert rows[0] == [
        "实习类型代码",
        "姓名",
        "性别",
        "是否未成年",
        "企业指导教师",
        "校内指导教师",
        "实习开始日期",
        "统一社会信用代码",
    ]
    by_name = {row[1]: row for row in rows[1:]}
    assert "上学期丙" not in by_name and "退出丁" not in by_name
    assert by_name["未成年甲"][:6] == ["2", "未成年甲", "男", "Y", "李工", "王老师"]
    assert by_name["未成年甲"][6] == datetime.datetime(2026, 9, 1)
    assert len(by_name["未成年甲"][7]) == 18
    # a stored value the mapping does not name shows as its label
    assert by_name["认识乙"][:4] == ["认识实习", "认识乙", "女", "N"]
    spring = sheet(
        coordinator.post(
            f"/filings/{profile_id}/export", {"starts_on": "2026-02-01", "ends_on": "2026-08-31"}
        )
    )
    assert [row[1] for row in spring[1:]] == ["上学期丙"]


def test_the_export_form_defaults_to_the_term_and_refuses_a_reversed_period(coordinator):
    profile_id = make_profile(columns=default_columns("placements"))
    page = coordinator.soup(coordinator.get(f"/filings/{profile_id}/export"))
    start, end = academic_term(datetime.date.today())
    assert page.select_one("#f-starts_on")["value"] == start.isoformat()
    assert page.select_one("#f-ends_on")["value"] == end.isoformat()
    response = coordinator.post(
        f"/filings/{profile_id}/export", {"starts_on": "2027-01-31", "ends_on": "2026-09-01"}
    )
    assert response.status_code == 400
    assert coordinator.field_error(response, "ends_on")
    assert coordinator.soup(response).select_one("#f-starts_on")["value"] == "2027-01-31"


# --- party statistics ----------------------------------------------------------------------


def party_data() -> None:
    """2024 cohort: two women (an activist; a probationary member admitted 2026-06), one man
    (a full member converted 2026-03); 2023 cohort: one woman applicant (applied 2025)."""
    woman_activist = make_student(cohort_year=2024, gender="F")
    woman_probationary = make_student(cohort_year=2024, gender="F")
    man_full = make_student(cohort_year=2024, gender="M")
    applicant = make_student(cohort_year=2023, gender="F")
    since = datetime.date(2026, 1, 1)
    for student, stage in (
        (woman_activist, "activist"),
        (woman_probationary, "probationary"),
        (man_full, "full_member"),
        (applicant, "applicant"),
    ):
        insert_id(
            PoolEntry,
            student=student,
            status="pooled",
            status_since=since,
            stage=stage,
            stage_since=since,
        )
    for student, kind, day in (
        (woman_activist, "application", datetime.date(2026, 2, 1)),
        (woman_probationary, "approval", datetime.date(2026, 6, 20)),
        (man_full, "approval", datetime.date(2025, 2, 1)),
        (man_full, "conversion", datetime.date(2026, 3, 1)),
        (applicant, "application", datetime.date(2025, 10, 1)),
    ):
        insert_id(PipelineEvent, student=student, kind=kind, happened_on=day)


def test_party_statistics_count_stages_by_cohort_and_gender_and_the_year_s_new_members():
    party_data()
    rows = run(party_rows(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)))
    assert [(row["cohort_year"], row["gender"]) for row in rows] == [
        (2024, "F"),
        (2024, "M"),
        (2023, "F"),
        ("total", ""),
    ]
    women_2024, men_2024, women_2023, total = rows
    assert (women_2024["activists"], women_2024["probationary"]) == (1, 1)
    assert (women_2024["applications"], women_2024["new_probationary"]) == (1, 1)
    assert (men_2024["full_members"], men_2024["new_full"], men_2024["new_probationary"]) == (
        1,
        1,
        0,
    )
    assert (women_2023["applicants"], women_2023["applications"]) == (1, 0)
    assert (
        total["applicants"],
        total["activists"],
        total["probationary"],
        total["full_members"],
    ) == (1, 1, 1, 1)
    assert (total["applications"], total["new_probationary"], total["new_full"]) == (1, 1, 1)


def test_the_party_statistics_sheet_follows_its_profile(coordinator):
    party_data()
    coordinator.get("/filings/")  # the default profiles
    party = next(row for row in stored_profiles() if row["kind"] == "party_statistics")
    page = coordinator.soup(coordinator.get(f"/filings/{party['id']}/export"))
    assert page.select_one("#f-starts_on")["value"] == f"{datetime.date.today().year}-01-01"
    rows = sheet(
        coordinator.post(
            f"/filings/{party['id']}/export", {"starts_on": "2026-01-01", "ends_on": "2026-12-31"}
        )
    )
    assert rows[0][:3] == ["年级", "性别", "入党申请人"]
    assert rows[1][:2] == [2024, "女"]
    assert rows[-1][0] == "合计"
    header = rows[0]
    assert rows[-1][header.index("本期发展党员（接收预备党员）")] == 1
    assert rows[-1][header.index("本期预备党员转正")] == 1


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partner", "student", "mentor"])
def test_only_coordinators_see_filing_exports(signed_in, role):
    profile_id = make_profile(columns=default_columns("placements"))
    browser = signed_in(role)
    assert browser.get("/filings/").status_code == 404
    assert browser.get(f"/filings/{profile_id}").status_code == 404
    assert (
        browser.post(
            f"/filings/{profile_id}/export", {"starts_on": "2026-09-01", "ends_on": "2027-01-31"}
        ).status_code
        == 404
    )
    assert browser.post(f"/filings/{profile_id}/copy").status_code == 404
    assert len(stored_profiles()) == 1
    home = browser.soup(browser.get("/"))
    assert not home.select('a[href$="/filings/"]')


def test_the_coordinator_menu_links_the_filing_exports(coordinator):
    page = coordinator.soup(coordinator.get("/filings/"))
    assert page.select_one('nav a[href$="/filings/"]').get_text(strip=True) == "报送导出"


def test_an_unknown_profile_is_not_found(coordinator):
    assert coordinator.get("/filings/999").status_code == 404
    assert coordinator.post("/filings/999/copy").status_code == 404
