"""Rosters the way academic systems export them: a required column left out but known for the
whole file (年级 from each 学号, or from a title row "2025级…"; 班级/专业/院系 from the title;
or one value typed for every row). The preview shows how each row's value is found, the coordinator
can switch, and confirming writes what the preview showed, all or nothing. Columns that are
facts of each person (姓名, 学号 …) are still refused, naming the columns found. A mentor list of
one enterprise may name that enterprise once for every row.
"""

from __future__ import annotations

import datetime

import pytest

from college.importing.filling import numbers_give_years, plan_fills, title_values
from college.importing.kinds import SPECS
from partners.coeducation.tables import Mentor
from portal.tables import AuditEntry, ImportBatch, Student
from tests.portal.import_support import (
    STUDENT_HEADER,
    XLSX,
    batch_id_of,
    csv_bytes,
    stored_batch,
    student_row,
    upload,
    xlsx_bytes,
)
from tests.support import make_enterprise, make_student, run

TODAY = datetime.date(2026, 11, 30)
STUDENTS = SPECS["students"]


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def without(columns: list[str], rows: list[list]) -> list[list]:
    """The roster rows (header first) without the named columns."""
    keep = [i for i, name in enumerate(rows[0]) if name not in columns]
    return [[row[i] for i in keep] for row in rows]


def roster(n: int, prefix: str = "2024", **changes) -> list:
    return student_row(n, 学号=f"{prefix}77{n:04d}", **changes)


def imported(prefix: str) -> dict[str, dict]:
    """The students of these stories (the people fixture's numbers have no 77 after the year)."""
    rows = run(Student.select().where(Student.student_no.like(f"{prefix}77%")))
    return {row["student_no"]: row for row in rows}


def file_of(engine: str, rows: list[list]) -> tuple[bytes, str, str]:
    if engine == "xlsx":
        return xlsx_bytes(rows), "名单.xlsx", XLSX
    return csv_bytes(rows), "名单.csv", "text/csv"


def preview(coordinator, rows: list[list], engine: str = "xlsx"):
    content, name, mime = file_of(engine, rows)
    batch_id = batch_id_of(upload(coordinator, "/students/import", content, name, mime))
    page = coordinator.get(f"/imports/{batch_id}")
    assert page.status_code == 200
    return batch_id, page


def cohort_cells(coordinator, page) -> list[str]:
    """The 年级 cells of the preview's rows as the coordinator reads them."""
    table = coordinator.soup(page).select_one("#import-rows")
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    column = headers.index("年级")
    return [row.select("td")[column].get_text(strip=True) for row in table.select("tbody tr")]


def checked_mode(coordinator, page, field: str) -> str:
    box = coordinator.soup(page).select_one(f"#fill-{field}")
    assert box is not None, f"no fill offered for {field}"
    return box.select_one("input[type=radio]:checked")["value"]


def confirm(coordinator, batch_id: int, page):
    revision = coordinator.soup(page).select_one("form[data-import-confirm] [name=revision]")
    return coordinator.post(f"/imports/{batch_id}/confirm", {"revision": revision["value"]})


def fill(coordinator, batch_id: int, **choices: tuple[str, str]):
    data = {}
    for name, (mode, value) in choices.items():
        data[f"fill-{name}"] = mode
        data[f"value-{name}"] = value
    return coordinator.post(f"/imports/{batch_id}/fill", data)


# --- 年级 from each 学号 --------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["csv", "xlsx"])
def test_a_roster_without_cohort_takes_it_from_each_student_number(coordinator, engine):
    rows = without(["年级"], [STUDENT_HEADER, roster(1), roster(2), roster(3, prefix="2025")])
    batch_id, page = preview(coordinator, rows, engine)
    assert checked_mode(coordinator, page, "cohort_year") == "student_no"
    assert cohort_cells(coordinator, page) == [
        "2024（取自学号 2024770001 前四位）",
        "2024（取自学号 2024770002 前四位）",
        "2025（取自学号 2025770003 前四位）",
    ]
    assert page.context["can_confirm"] is True
    assert imported("2024") == {}
    assert confirm(coordinator, batch_id, page).status_code == 303
    assert stored_batch(batch_id)["status"] == "applied"
    written = {**imported("2024"), **imported("2025")}
    assert {number: row["cohort_year"] for number, row in written.items()} == {
        "2024770001": 2024,
        "2024770002": 2024,
        "2025770003": 2025,
    }


def test_an_existing_student_gets_the_derived_cohort_shown_as_a_change(coordinator):
    make_student(student_no="2024770001", name="导入学生1", cohort_year=2023)
    batch_id, page = preview(coordinator, without(["年级"], [STUDENT_HEADER, roster(1)]))
    assert page.context["counts"]["update"] == 1
    assert cohort_cells(coordinator, page) == ["20232024（取自学号 2024770001 前四位）"]
    cohort = coordinator.soup(page).select("#import-rows tbody td")[
        2 + STUDENT_HEADER.index("年级")
    ]
    assert cohort.find("del").get_text() == "2023" and cohort.find("ins").get_text() == "2024"
    confirm(coordinator, batch_id, page)
    assert imported("2024")["2024770001"]["cohort_year"] == 2024


# --- from the title row -----------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["csv", "xlsx"])
def test_a_title_row_gives_the_cohort_class_and_major(coordinator, engine):
    rows = [
        ["信息工程学院2025级计算机应用技术1班名单"],
        *without(["年级", "班级", "专业"], [STUDENT_HEADER, roster(1, "2031"), roster(2, "2031")]),
    ]
    batch_id, page = preview(coordinator, rows, engine)
    for field in ("cohort_year", "class_name", "major"):
        assert checked_mode(coordinator, page, field) == "title"
    soup = coordinator.soup(page)
    assert "2025级计算机应用技术1班名单" in soup.select_one("#title-row").get_text()
    assert cohort_cells(coordinator, page) == ["2025（取自标题行）"] * 2
    assert "学号" not in soup.select_one("#fill-cohort_year").get_text()  # 2031… is no year
    confirm(coordinator, batch_id, page)
    written = imported("2031")
    assert {row["cohort_year"] for row in written.values()} == {2025}
    assert {row["class_name"] for row in written.values()} == {"2025级计算机应用技术1班"}
    assert {row["major"] for row in written.values()} == {"计算机应用技术"}
    assert {row["department"] for row in written.values()} == {"智能制造学院"}  # in the file


def test_the_coordinator_switches_from_the_title_to_the_student_numbers(coordinator):
    rows = [["2025级学生名单"], *without(["年级"], [STUDENT_HEADER, roster(1), roster(2)])]
    batch_id, page = preview(coordinator, rows)
    assert checked_mode(coordinator, page, "cohort_year") == "title"
    response = fill(coordinator, batch_id, cohort_year=("student_no", ""))
    assert response.status_code == 303
    page = coordinator.get(f"/imports/{batch_id}")
    assert checked_mode(coordinator, page, "cohort_year") == "student_no"
    assert cohort_cells(coordinator, page)[0] == "2024（取自学号 2024770001 前四位）"
    confirm(coordinator, batch_id, page)
    assert {row["cohort_year"] for row in imported("2024").values()} == {2024}
    entry = run(
        AuditEntry.select()
        .where(AuditEntry.table_name == ImportBatch._meta.tablename, AuditEntry.action == "update")
        .first()
    )
    assert entry is not None and "student_no" in entry["summary"]


# --- one value for all rows -------------------------------------------------------------------


def test_without_a_title_or_year_numbers_the_preview_asks_for_a_value(coordinator):
    rows = without(["年级"], [STUDENT_HEADER, roster(1, "2031"), roster(2, "2031")])
    batch_id, page = preview(coordinator, rows)
    soup = coordinator.soup(page)
    assert checked_mode(coordinator, page, "cohort_year") == "set"
    assert soup.select_one("#fills-waiting") is not None
    assert soup.select_one("#import-rows") is None
    assert soup.select_one("form[data-import-confirm]") is None
    assert page.context["can_confirm"] is False
    response = coordinator.post(f"/imports/{batch_id}/confirm", {"revision": "0"})
    assert response.status_code == 303 and imported("2031") == {}
    assert fill(coordinator, batch_id, cohort_year=("set", "2023级")).status_code == 303
    page = coordinator.get(f"/imports/{batch_id}")
    assert cohort_cells(coordinator, page) == ["2023（统一设定）"] * 2
    confirm(coordinator, batch_id, page)
    assert {row["cohort_year"] for row in imported("2031").values()} == {2023}


@pytest.mark.parametrize("typed", ["二〇二三", "1800", ""])
def test_a_bad_value_for_all_rows_is_refused_at_the_field_and_the_file_kept(coordinator, typed):
    rows = without(["年级"], [STUDENT_HEADER, roster(1, "2031")])
    batch_id, page = preview(coordinator, rows)
    before = stored_batch(batch_id)
    response = fill(coordinator, batch_id, cohort_year=("set", typed))
    assert response.status_code == 400
    assert coordinator.field_error(response, "value-cohort_year")
    soup = coordinator.soup(response)
    field = soup.select_one("#f-value-cohort_year")
    assert field["value"] == typed and field.get("aria-invalid") == "true"
    assert soup.select_one("#f-fill-cohort_year-set").has_attr("checked")  # the choice kept
    after = stored_batch(batch_id)
    assert after["rows"] == before["rows"] and after["status"] == "previewed"
    # the file is kept: a good value now checks it without a new upload
    assert fill(coordinator, batch_id, cohort_year=("set", "2024")).status_code == 303
    assert stored_batch(batch_id)["total"] == 1


def test_a_derived_choice_sent_back_with_a_bad_value_elsewhere_keeps_both(coordinator):
    rows = without(["年级", "班级"], [STUDENT_HEADER, roster(1)])
    batch_id, _page = preview(coordinator, rows)
    response = fill(
        coordinator,
        batch_id,
        cohort_year=("student_no", ""),
        class_name=("set", "班" * 201),
    )
    assert response.status_code == 400
    soup = coordinator.soup(response)
    assert soup.select_one("#f-fill-cohort_year-student_no").has_attr("checked")
    assert soup.select_one("#f-fill-class_name-set").has_attr("checked")
    assert coordinator.field_error(response, "value-class_name")


def test_a_confirm_from_a_page_shown_before_another_choice_writes_nothing(coordinator):
    rows = [["2025级学生名单"], *without(["年级"], [STUDENT_HEADER, roster(1)])]
    batch_id, old_page = preview(coordinator, rows)
    fill(coordinator, batch_id, cohort_year=("student_no", ""))
    response = confirm(coordinator, batch_id, old_page)  # revision 0, the batch is at 1
    assert response.status_code == 303
    assert imported("2024") == {}
    assert stored_batch(batch_id)["status"] == "previewed"
    page = coordinator.get(f"/imports/{batch_id}")
    confirm(coordinator, batch_id, page)
    assert imported("2024")["2024770001"]["cohort_year"] == 2024


# --- what is still refused, and what is ignored -----------------------------------------------


@pytest.mark.parametrize("engine", ["csv", "xlsx"])
def test_extra_columns_are_listed_as_ignored(coordinator, engine):
    header = [*STUDENT_HEADER, "身份证号", "备注"]
    rows = [header, [*roster(1), "350102200505010011", "走读"]]
    _batch_id, page = preview(coordinator, without(["年级"], rows), engine)
    text = coordinator.soup(page).select_one("#ignored-columns").get_text()
    assert text.startswith("已忽略的列")
    assert "身份证号" in text and "备注" in text
    assert page.context["problem_count"] == 0


@pytest.mark.parametrize("engine", ["csv", "xlsx"])
@pytest.mark.parametrize("column", ["姓名", "学号", "性别"])
def test_a_roster_without_a_personal_column_is_refused_naming_it(coordinator, engine, column):
    content, name, mime = file_of(engine, without([column, "年级"], [STUDENT_HEADER, roster(1)]))
    response = upload(coordinator, "/students/import", content, name, mime)
    assert response.status_code == 400
    message = coordinator.field_error(response, "file")
    assert column in message.split("：")[1]
    assert "找到的列：" in message and "手机号" in message.split("找到的列：")[1]
    assert run(ImportBatch.count()) == 0


# --- rules without HTTP -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, found",
    [
        (
            "2026级计算机应用技术1班名单",
            {
                "cohort_year": "2026",
                "class_name": "2026级计算机应用技术1班",
                "major": "计算机应用技术",
            },
        ),  # noqa: E501
        ("智能制造学院 2024级学生花名册", {"cohort_year": "2024", "department": "智能制造学院"}),
        ("2024届毕业生名单", {}),
        ("1999级校友名单", {}),
        ("2028级新生名单", {}),
        ("学生名单（导出时间 2026-11-01）", {}),
    ],
)
def test_what_a_title_row_says_for_the_whole_file(title, found):
    assert title_values(title, TODAY) == found


@pytest.mark.parametrize(
    "numbers, years",
    [
        (["2024010203", "2025010101"], True),
        (["2024010203", ""], True),
        (["2024010203", "1999010101"], False),
        (["2028000001"], False),
        (["A024010203"], False),
        ([""], False),
    ],
)
def test_student_numbers_give_years_only_when_every_one_does(numbers, years):
    assert numbers_give_years(numbers, TODAY) is years


def test_a_missing_column_without_a_way_waits_for_a_typed_value():
    fills = plan_fills(STUDENTS, ["department", "cohort_year"], "学生名单", ["2031000001"], TODAY)
    assert [(fill.field, fill.mode, fill.waiting) for fill in fills] == [
        ("department", "set", True),
        ("cohort_year", "set", True),
    ]


# --- mentors: one enterprise's list without an enterprise column --------------------------------


def mentor_preview(coordinator, rows: list[list], engine: str = "xlsx"):
    content, name, mime = file_of(engine, rows)
    batch_id = batch_id_of(upload(coordinator, "/mentors/import", content, name, mime))
    page = coordinator.get(f"/imports/{batch_id}")
    assert page.status_code == 200
    return batch_id, page


def mentors_named(*names: str) -> dict[str, dict]:
    return {row["name"]: row for row in run(Mentor.select().where(Mentor.name.is_in(list(names))))}


@pytest.mark.parametrize("engine", ["csv", "xlsx"])
def test_one_enterprises_mentor_list_gets_its_enterprise_for_every_row(coordinator, engine):
    enterprise = make_enterprise(name="宁波精密模具有限公司")
    rows = [["姓名", "岗位", "手机号"], ["陈工", "模具主管", "13900000011"], ["林工", "技术员", ""]]
    batch_id, page = mentor_preview(coordinator, rows, engine)
    assert checked_mode(coordinator, page, "enterprise_name") == "blank"  # as before: college
    assert checked_mode(coordinator, page, "department") == "blank"
    response = fill(
        coordinator,
        batch_id,
        enterprise_name=("set", "宁波精密模具有限公司"),
        department=("blank", ""),
    )
    assert response.status_code == 303
    page = coordinator.get(f"/imports/{batch_id}")
    assert page.context["counts"]["create"] == 2 and page.context["problem_count"] == 0
    assert (
        "宁波精密模具有限公司（统一设定）"
        in coordinator.soup(page).select_one("#import-rows").get_text()
    )
    confirm(coordinator, batch_id, page)
    mentors = mentors_named("陈工", "林工")
    assert {row["side"] for row in mentors.values()} == {"enterprise"}
    assert {row["enterprise"] for row in mentors.values()} == {enterprise}


def test_an_enterprise_name_the_portal_does_not_know_is_refused_at_the_field(coordinator):
    rows = [["姓名", "岗位"], ["陈工", "模具主管"]]
    batch_id, _page = mentor_preview(coordinator, rows)
    response = fill(
        coordinator, batch_id, enterprise_name=("set", "不存在的公司"), department=("blank", "")
    )
    assert response.status_code == 400
    assert "没有" in coordinator.field_error(response, "value-enterprise_name")
    assert mentors_named("陈工") == {}


def test_a_mentor_list_with_a_credit_code_column_is_not_asked_for_an_enterprise(coordinator):
    rows = [["姓名", "院系/部门", "企业统一社会信用代码"], ["周老师", "智能制造学院", ""]]
    _batch_id, page = mentor_preview(coordinator, rows)
    assert coordinator.soup(page).select_one("#fill-enterprise_name") is None
    assert coordinator.soup(page).select_one("#fill-department") is None


def test_the_upload_pages_say_which_columns_may_be_left_out(coordinator):
    note = coordinator.soup(coordinator.get("/students/import")).select_one("#fill-note")
    assert note is not None and "年级" in note.get_text() and "学号" in note.get_text()
    note = coordinator.soup(coordinator.get("/mentors/import")).select_one("#fill-note")
    assert note is not None and "所在企业" in note.get_text()
    assert coordinator.soup(coordinator.get("/enterprises/import")).select_one("#fill-note") is None
