"""Filing exports (报送导出): saved, editable export profiles — column order, headers, value
mappings, and for the 发展党员 statistics how the rows are grouped — for the placements of a
term (实习备案) and the party statistics of a year, as xlsx. Profiles are created, edited,
copied and deleted (after a confirmation page). Coordinators only; every write audited."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from openpyxl import load_workbook

from college.filings import (
    GROUPINGS,
    NUMBER_SOURCES,
    TOTAL,
    PartyGrouping,
    academic_term,
    check_grouping,
    check_profile_form,
    default_columns,
    delete_profile,
    ensure_defaults,
    party_rows,
    profile,
    rearranged,
    settings_of,
)
from portal.audit import Actor
from portal.domain_errors import NotVisible
from portal.forms import FormState
from portal.tables import AuditEntry, ExportProfile
from talent_pool.tables import PipelineEvent, PoolEntry
from tests.portal.filing_support import make_party_profile, make_profile
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
    """The stored profiles, their columns JSON read: `columns` the list, `group_by` the
    grouping when one is stored with them (party statistics)."""
    rows = run(ExportProfile.select().order_by(ExportProfile.id))
    for row in rows:
        if isinstance(row["columns"], str):
            row["columns"] = json.loads(row["columns"])
        if isinstance(row["columns"], dict):
            row["group_by"] = row["columns"]["group_by"]
            row["columns"] = row["columns"]["columns"]
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

PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
MACHINES, ELECTRONICS = "智能制造学院", "电子信息学院"


def party_data() -> None:
    """2024 cohort: two women of 智能制造学院 (an activist who applied 2026-02; a probationary
    member aged 21 admitted 2026-06), a man of 电子信息学院 (a full member admitted 2025,
    converted 2026-03); 2023 cohort: a woman applicant of 电子信息学院 (applied 2025), and a
    man of 智能制造学院 born 1988, admitted 2026-05 at 38."""
    woman_activist = make_student(cohort_year=2024, gender="F", department=MACHINES)
    woman_probationary = make_student(
        cohort_year=2024, gender="F", department=MACHINES, birth_date=datetime.date(2005, 5, 1)
    )
    man_full = make_student(cohort_year=2024, gender="M", department=ELECTRONICS)
    applicant = make_student(cohort_year=2023, gender="F", department=ELECTRONICS)
    mature = make_student(
        cohort_year=2023, gender="M", department=MACHINES, birth_date=datetime.date(1988, 1, 1)
    )
    since = datetime.date(2026, 1, 1)
    for student, stage in (
        (woman_activist, "activist"),
        (woman_probationary, "probationary"),
        (man_full, "full_member"),
        (applicant, "applicant"),
        (mature, "probationary"),
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
        (mature, "approval", datetime.date(2026, 5, 1)),
    ):
        insert_id(PipelineEvent, student=student, kind=kind, happened_on=day)


def test_party_statistics_count_stages_by_cohort_and_gender_and_the_year_s_new_members():
    party_data()
    rows = run(party_rows(*PERIOD))
    assert [(row.get("cohort_year"), row.get("gender")) for row in rows] == [
        (2024, "F"),
        (2024, "M"),
        (2023, "F"),
        (2023, "M"),
        (None, None),
    ]
    assert [bool(row.get(TOTAL)) for row in rows] == [False, False, False, False, True]
    women_2024, men_2024, women_2023, men_2023, total = rows
    assert (women_2024["activists"], women_2024["probationary"]) == (1, 1)
    assert (women_2024["applications"], women_2024["new_probationary"]) == (1, 1)
    assert (men_2024["full_members"], men_2024["new_full"], men_2024["new_probationary"]) == (
        1,
        1,
        0,
    )
    assert (women_2023["applicants"], women_2023["applications"]) == (1, 0)
    assert (men_2023["probationary"], men_2023["new_probationary"]) == (1, 1)
    assert (
        total["applicants"],
        total["activists"],
        total["probationary"],
        total["full_members"],
    ) == (1, 1, 2, 1)
    assert (total["applications"], total["new_probationary"], total["new_full"]) == (1, 2, 1)


def test_of_the_new_members_the_women_and_those_aged_35_or_under_are_counted():
    """The woman admitted at 21 counts in both; the man admitted at 38 in neither; the man
    admitted in 2025 is outside the period."""
    party_data()
    total = run(party_rows(*PERIOD))[-1]
    assert (total["new_probationary"], total["new_probationary_women"]) == (2, 1)
    assert total["new_probationary_under_35"] == 1
    by_cohort = run(party_rows(*PERIOD, PartyGrouping.cohort.value))
    assert [(row.get("cohort_year"), row["new_probationary_under_35"]) for row in by_cohort] == [
        (2024, 1),
        (2023, 0),
        (None, 1),
    ]


def test_an_admission_without_a_birth_date_is_not_counted_as_35_or_under():
    student = make_student(gender="M", birth_date=None)
    insert_id(
        PipelineEvent, student=student, kind="approval", happened_on=datetime.date(2026, 4, 1)
    )
    total = run(party_rows(*PERIOD))[-1]
    assert (total["new_probationary"], total["new_probationary_under_35"]) == (1, 0)


@pytest.mark.parametrize(
    "group_by,expected",
    [
        ("cohort", [{"cohort_year": 2024}, {"cohort_year": 2023}]),
        ("gender", [{"gender": "F"}, {"gender": "M"}]),
        ("department", [{"department": MACHINES}, {"department": ELECTRONICS}]),
        ("total", []),
    ],
)
def test_the_rows_follow_the_grouping_and_the_total_row_stays_last(group_by, expected):
    party_data()
    rows = run(party_rows(*PERIOD, group_by))
    keys = {"cohort_year", "gender", "department", "major", "class_name"}
    assert [{k: v for k, v in row.items() if k in keys} for row in rows[:-1]] == expected
    assert rows[-1][TOTAL] is True and not any(row.get(TOTAL) for row in rows[:-1])


def test_counts_per_department_and_by_gender():
    party_data()
    machines, electronics, _total = run(party_rows(*PERIOD, "department"))
    assert machines["department"] == MACHINES
    assert (machines["activists"], machines["probationary"], machines["new_probationary"]) == (
        1,
        2,
        2,
    )
    assert (machines["new_probationary_women"], machines["new_probationary_under_35"]) == (1, 1)
    assert (electronics["applicants"], electronics["full_members"], electronics["new_full"]) == (
        1,
        1,
        1,
    )
    women, men, _total = run(party_rows(*PERIOD, "gender"))
    assert (women["activists"], women["probationary"], women["applicants"]) == (1, 1, 1)
    assert (men["probationary"], men["full_members"], men["new_probationary_women"]) == (1, 1, 0)


def test_every_grouping_adds_up_to_the_same_total():
    party_data()
    totals = {}
    for group_by in GROUPINGS:
        rows = run(party_rows(*PERIOD, group_by))
        total = rows[-1]
        if group_by != "total":
            for source in NUMBER_SOURCES:  # the groups add up to their total
                assert sum(row[source] for row in rows[:-1]) == total[source], group_by
        totals[group_by] = {source: total[source] for source in NUMBER_SOURCES}
    assert len({tuple(sorted(total.items())) for total in totals.values()}) == 1
    assert len(run(party_rows(*PERIOD, "total"))) == 1


def test_the_grouping_is_read_from_the_columns_json_and_older_profiles_keep_the_default():
    columns = default_columns("party_statistics")
    assert settings_of(json.dumps(columns)) == (columns, "cohort_gender")
    stored = {"columns": columns, "group_by": "department"}
    assert settings_of(json.dumps(stored)) == (columns, "department")
    assert settings_of({"columns": columns, "group_by": "by_star_sign"})[1] == "cohort_gender"
    older = make_profile(kind="party_statistics", columns=columns)
    assert run(profile(older)).group_by == "cohort_gender"


def grouping_form(group_by: str, sources: list[str]) -> FormState:
    values = {"name": "方案", "group_by": group_by}
    for index, source in enumerate(sources):
        values |= {f"header_{index}": f"列{index}", f"source_{index}": source, f"map_{index}": ""}
    return FormState(values=values)


def checked(group_by: str, sources: list[str], kind: str = "party_statistics") -> FormState:
    form = grouping_form(group_by, sources)
    _name, columns = check_profile_form(form, kind, len(sources))
    check_grouping(form, kind, columns)
    return form


def test_a_grouping_is_checked_beside_its_field_without_http():
    assert checked("department", ["department", "activists"]).valid
    assert checked("total", ["cohort_year", "activists"]).valid  # the column says 合计
    assert checked("total", ["activists"]).valid
    unknown = checked("by_star_sign", ["cohort_year", "gender", "activists"])
    assert set(unknown.errors) == {"group_by"}
    missing = checked("cohort_gender", ["cohort_year", "activists"])
    assert set(missing.errors) == {"group_by"}
    assert "性别" in missing.errors["group_by"]
    empty_column = checked("department", ["department", "gender", "activists"])
    assert set(empty_column.errors) == {"source_1"}
    placements = grouping_form("", ["student_name"])
    assert check_grouping(placements, "placements", []) == "cohort_gender"
    assert placements.valid


# --- deleting, and the defaults -------------------------------------------------------------

OPERATOR = Actor(None, "operator")


def test_a_deleted_profile_is_gone_audited_and_an_unknown_one_is_not_visible():
    profile_id = make_party_profile("department", default_columns("party_statistics")[:1])
    gone = run(delete_profile(OPERATOR, profile_id))
    assert gone.group_by == "department" and stored_profiles() == []
    (entry,) = audit_rows("delete")
    changes = (
        json.loads(entry["changes"]) if isinstance(entry["changes"], str) else entry["changes"]
    )
    assert entry["row_id"] == profile_id and entry["username"] == "operator"
    assert changes["kind"] == ["party_statistics", None]
    assert changes["group_by"] == ["department", None]
    with pytest.raises(NotVisible):
        run(delete_profile(OPERATOR, profile_id))
    with pytest.raises(NotVisible):
        run(profile(profile_id))


def test_a_deleted_default_is_not_made_again_but_the_other_kind_still_is():
    run(ensure_defaults(OPERATOR))
    placements, party = stored_profiles()
    run(delete_profile(OPERATOR, party["id"]))
    run(ensure_defaults(OPERATOR))
    run(ensure_defaults(OPERATOR))
    assert [row["kind"] for row in stored_profiles()] == ["placements"]
    run(delete_profile(OPERATOR, placements["id"]))
    run(ensure_defaults(OPERATOR))
    assert stored_profiles() == []
    assert len(audit_rows("create")) == 2


def test_defaults_are_made_on_first_use_for_a_kind_that_never_had_one():
    make_profile(columns=default_columns("placements"))  # a placements profile, no party one
    run(ensure_defaults(OPERATOR))
    assert [row["kind"] for row in stored_profiles()] == ["placements", "party_statistics"]
    assert stored_profiles()[1]["group_by"] == "cohort_gender"


# --- the party statistics pages ------------------------------------------------------------


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
    assert rows[-1][:2] == ["合计", None]
    header = rows[0]
    assert rows[-1][header.index("本期发展党员（接收预备党员）")] == 2
    assert rows[-1][header.index("其中：女性")] == 1
    assert rows[-1][header.index("其中：35岁及以下")] == 1
    assert rows[-1][header.index("本期预备党员转正")] == 1
    assert not any("少数民族" in str(cell) for cell in header)  # no ethnicity is stored


def party_form(group_by: str, columns: list[tuple[str, str]], name: str = "上级党委统计") -> dict:
    form = {"rows": str(len(columns)), "name": name, "group_by": group_by, "action": "save"}
    for index, (header, source) in enumerate(columns):
        form |= {f"header_{index}": header, f"source_{index}": source, f"map_{index}": ""}
    return form


def test_a_grouping_is_saved_with_the_profile_and_used_by_the_export(coordinator):
    party_data()
    profile_id = make_party_profile("cohort_gender", default_columns("party_statistics"))
    edit = f"/filings/{profile_id}"
    page = coordinator.soup(coordinator.get(edit))
    assert page.select_one("label[for=f-group_by]").get_text(strip=True) == "行的分组"
    assert page.select_one("#f-group_by option[selected]")["value"] == "cohort_gender"
    columns = [
        ("院系", "department"),
        ("入党积极分子", "activists"),
        ("预备党员", "probationary"),
        ("本期发展党员", "new_probationary"),
        ("其中：女性", "new_probationary_women"),
        ("其中：35岁及以下", "new_probationary_under_35"),
    ]
    saved = coordinator.post(edit, party_form("department", columns))
    assert saved.status_code == 303
    (stored,) = stored_profiles()
    assert stored["group_by"] == "department" and len(stored["columns"]) == 6
    (updated,) = audit_rows("update")
    assert json.loads(updated["changes"])["group_by"] == ["cohort_gender", "department"]
    page = coordinator.soup(coordinator.get(edit))
    assert page.select_one("#f-group_by option[selected]")["value"] == "department"
    export_page = coordinator.soup(coordinator.get(f"{edit}/export"))
    assert "按院系" in export_page.select_one("main p").get_text()
    rows = sheet(
        coordinator.post(f"{edit}/export", {"starts_on": "2026-01-01", "ends_on": "2026-12-31"})
    )
    assert rows == [
        ["院系", "入党积极分子", "预备党员", "本期发展党员", "其中：女性", "其中：35岁及以下"],
        [MACHINES, 1, 2, 2, 1, 1],
        [ELECTRONICS, 0, 0, 0, 0, 0],
        ["合计", 1, 2, 2, 1, 1],
    ]
    coordinator.post(edit, party_form("total", columns[1:]))
    only_total = sheet(
        coordinator.post(f"{edit}/export", {"starts_on": "2026-01-01", "ends_on": "2026-12-31"})
    )
    assert only_total == [
        ["入党积极分子", "预备党员", "本期发展党员", "其中：女性", "其中：35岁及以下"],
        [1, 2, 2, 1, 1],
    ]


def test_a_wrong_grouping_is_told_beside_its_field_and_nothing_is_saved(coordinator):
    profile_id = make_party_profile("cohort_gender", default_columns("party_statistics"))
    columns = [("年级", "cohort_year"), ("入党积极分子", "activists")]
    response = coordinator.post(
        f"/filings/{profile_id}", party_form("by_star_sign", columns, name="改名")
    )
    assert response.status_code == 400
    assert coordinator.field_error(response, "group_by") == "请从列表中选择一项。"
    page = coordinator.soup(response)
    assert page.select_one("#f-name")["value"] == "改名"
    assert page.select_one("#f-header_1")["value"] == "入党积极分子"
    unnamed = coordinator.post(f"/filings/{profile_id}", party_form("department", columns))
    assert unnamed.status_code == 400
    assert "院系" in coordinator.field_error(unnamed, "group_by")
    assert coordinator.field_error(unnamed, "source_0")  # a cohort column would stay empty
    assert coordinator.soup(unnamed).select_one("#f-group_by option[selected]")["value"] == (
        "department"
    )
    (stored,) = stored_profiles()
    assert stored["name"] == "测试方案" and stored["group_by"] == "cohort_gender"
    assert audit_rows("update") == []


def test_rearranging_columns_keeps_the_chosen_grouping(coordinator):
    form = party_form("gender", [("性别", "gender"), ("入党申请人", "applicants")])
    page = coordinator.soup(
        coordinator.post("/filings/new?kind=party_statistics", {**form, "action": "add"})
    )
    assert page.select_one("#f-group_by option[selected]")["value"] == "gender"
    created = coordinator.post("/filings/new?kind=party_statistics", form)
    assert created.status_code == 303
    assert stored_profiles()[0]["group_by"] == "gender"


def test_placement_profiles_have_no_grouping(coordinator):
    profile_id = make_profile(columns=default_columns("placements"))
    assert coordinator.soup(coordinator.get(f"/filings/{profile_id}")).select("#f-group_by") == []


def test_a_copy_keeps_the_grouping(coordinator):
    profile_id = make_party_profile("major", [{"header": "专业", "source": "major"}])
    assert coordinator.post(f"/filings/{profile_id}/copy").status_code == 303
    assert [row["group_by"] for row in stored_profiles()] == ["major", "major"]


# --- the list and deleting through the pages -----------------------------------------------


def test_the_list_shows_each_profile_with_its_kind_columns_change_and_actions(coordinator):
    coordinator.get("/filings/")
    page = coordinator.soup(coordinator.get("/filings/"))
    rows = page.select("table.filing-table tbody tr")
    assert len(rows) == 2
    for row, profile_row in zip(rows, stored_profiles(), strict=True):
        cells = row.select("td")
        assert cells[1].get_text(strip=True) == str(len(profile_row["columns"]))
        assert cells[2].get_text(strip=True).startswith(str(datetime.date.today()))
        assert "coord" in cells[2].get_text()
        base = f"/filings/{profile_row['id']}"
        assert row.select_one(f'a[href$="{base}"]')  # edit
        assert row.select_one(f'form[action$="{base}/copy"] button')
        assert row.select_one(f'a[href$="{base}/export"]')
        assert row.select_one(f'a[href$="{base}/delete"]')
    assert rows[0].select("td")[0].get_text(strip=True) == "实习备案"
    assert rows[1].select("td")[0].get_text(strip=True) == "发展党员统计按年级和性别"


def test_a_profile_is_deleted_after_its_confirmation_page_and_is_then_not_found(coordinator):
    coordinator.get("/filings/")
    placements, party = stored_profiles()
    delete = f"/filings/{party['id']}/delete"
    confirm = coordinator.get(delete)
    assert confirm.status_code == 200
    assert confirm.template.name == "college/filing_delete.html"
    page = coordinator.soup(confirm)
    assert page.select_one("#confirm-last-of-kind")  # the last party statistics profile
    assert page.select_one("form.confirm-actions input[name=csrftoken]")
    assert stored_profiles()[1]["id"] == party["id"]  # the page deletes nothing
    refused = coordinator.client.post(delete, data={}, follow_redirects=False)
    assert refused.status_code == 403 and len(stored_profiles()) == 2  # no CSRF token
    response = coordinator.post(delete)
    assert response.status_code == 303 and response.headers["location"].endswith("/filings/")
    assert [row["id"] for row in stored_profiles()] == [placements["id"]]
    listing = coordinator.soup(coordinator.get("/filings/"))
    assert "发展党员统计（默认）" in listing.select_one(".flash").get_text()
    (entry,) = audit_rows("delete")
    assert entry["username"] == "coord" and entry["row_id"] == party["id"]
    for url in (f"/filings/{party['id']}", delete, f"/filings/{party['id']}/export"):
        assert coordinator.get(url).status_code == 404, url
    assert coordinator.post(delete).status_code == 404
    assert coordinator.post(f"/filings/{party['id']}/copy").status_code == 404
    listing = coordinator.soup(coordinator.get("/filings/"))
    assert len(stored_profiles()) == 1  # the deleted default is not made again
    empty = listing.select_one('tr.filing-empty[data-kind="party_statistics"]')
    assert empty.select_one('a[href$="/filings/new?kind=party_statistics"]')
    form = coordinator.soup(coordinator.get("/filings/new?kind=party_statistics"))
    assert [i["value"] for i in form.select("input[name^=header_]")] == [
        column["header"] for column in default_columns("party_statistics")
    ]


def test_a_profile_that_is_not_the_last_of_its_kind_says_nothing_of_the_defaults(coordinator):
    first = make_profile(columns=default_columns("placements"))
    make_profile(columns=default_columns("placements"))
    page = coordinator.soup(coordinator.get(f"/filings/{first}/delete"))
    assert page.select_one("#confirm-last-of-kind") is None
    assert page.select_one("h1").get_text(strip=True) == "删除导出方案"


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
    assert browser.get(f"/filings/{profile_id}/delete").status_code == 404
    assert browser.post(f"/filings/{profile_id}/delete").status_code == 404
    assert len(stored_profiles()) == 1
    home = browser.soup(browser.get("/"))
    assert not home.select('a[href$="/filings/"]')


def test_the_coordinator_menu_links_the_filing_exports(coordinator):
    page = coordinator.soup(coordinator.get("/filings/"))
    assert page.select_one('nav a[href$="/filings/"]').get_text(strip=True) == "报送导出"


def test_an_unknown_profile_is_not_found(coordinator):
    assert coordinator.get("/filings/999").status_code == 404
    assert coordinator.post("/filings/999/copy").status_code == 404
    assert coordinator.get("/filings/999/delete").status_code == 404
    assert coordinator.post("/filings/999/delete").status_code == 404
