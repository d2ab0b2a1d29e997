"""Importing mentors (导师) and enterprises (合作企业): keys, look-ups of enterprises, the form
rules of each, updates that keep what the file leaves out."""

from __future__ import annotations

import datetime

import pytest

from partners.coeducation.tables import Mentor
from partners.organizations.enterprises import credit_code_check_character
from partners.organizations.tables import Enterprise
from tests.portal.import_support import batch_id_of, stored_batch, upload, xlsx_bytes
from tests.support import make_assignment, make_enterprise, make_mentor, run

MENTOR_HEADER = [
    "导师类型",
    "姓名",
    "院系/部门",
    "职称",
    "所在企业",
    "企业统一社会信用代码",
    "岗位",
    "是否党员",
    "最多指导学生数",
    "手机号",
]
ENTERPRISE_HEADER = [
    "企业名称",
    "统一社会信用代码",
    "所属行业",
    "联系人",
    "联系电话",
    "党组织类型",
    "党员人数",
    "员工人数",
    "合作起始日期",
    "合作状态",
]


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def code(n: int) -> str:
    first17 = f"91330100MA{n:07d}"
    return first17 + credit_code_check_character(first17)


def wrong_check(valid: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return valid[:-1] + alphabet[(alphabet.index(valid[-1]) + 1) % len(alphabet)]


def preview(coordinator, path: str, rows: list[list]):
    batch_id = batch_id_of(upload(coordinator, path, xlsx_bytes(rows), "导入.xlsx"))
    page = coordinator.get(f"/imports/{batch_id}")
    assert page.status_code == 200
    return batch_id, page


def problem_cells(page) -> list[tuple[int, str]]:
    return [(p["line"], p["column"]) for p in page.context["batch"]["problems"]]


def mentors_named(*names: str) -> dict[str, dict]:
    return {row["name"]: row for row in run(Mentor.select().where(Mentor.name.is_in(list(names))))}


# --- mentors -------------------------------------------------------------------------------------


def test_college_and_enterprise_mentors_are_imported(coordinator):
    enterprise = make_enterprise(name="杭州新锐科技有限公司", credit_code=code(1))
    rows = [
        MENTOR_HEADER,
        ["校内导师", "周明", "智能制造学院", "副教授", "", "", "", "是", 6, "13900000001"],
        ["企业导师", "钱工", "", "", "", code(1), "高级工程师", "否", "", ""],
        ["企业", "孙工", "", "", "杭州新锐科技有限公司", "", "车间主任", "中共党员", 3, ""],
    ]
    batch_id, page = preview(coordinator, "/mentors/import", rows)
    assert problem_cells(page) == []
    assert page.context["counts"]["create"] == 3
    coordinator.post(f"/imports/{batch_id}/confirm")
    mentors = mentors_named("周明", "钱工", "孙工")
    assert mentors["周明"]["side"] == "college" and mentors["周明"]["title"] == "副教授"
    assert mentors["周明"]["party_member"] is True and mentors["周明"]["max_mentees"] == 6
    assert mentors["钱工"]["enterprise"] == enterprise and mentors["钱工"]["max_mentees"] == 8
    assert mentors["钱工"]["party_member"] is False
    assert mentors["孙工"]["enterprise"] == enterprise and mentors["孙工"]["party_member"] is True


def test_an_enterprise_mentors_email_is_imported_and_a_blank_one_keeps_it(coordinator):
    enterprise = make_enterprise(credit_code=code(5))
    kept = make_mentor(
        side="enterprise", name="严工", department="", enterprise=enterprise, email="yan@a.cn"
    )
    rows = [
        [*MENTOR_HEADER, "电子邮箱"],
        ["企业导师", "褚工", "", "", "", code(5), "", "", "", "", "chu@enterprise.example"],
        ["企业导师", "严工", "", "", "", code(5), "", "", "", "", ""],
        ["企业导师", "卫工", "", "", "", code(5), "", "", "", "", "wei@"],
    ]
    batch_id, page = preview(coordinator, "/mentors/import", rows)
    assert problem_cells(page) == [(4, "电子邮箱")]
    rows.pop()
    batch_id, page = preview(coordinator, "/mentors/import", rows)
    assert problem_cells(page) == []
    coordinator.post(f"/imports/{batch_id}/confirm")
    assert mentors_named("褚工")["褚工"]["email"] == "chu@enterprise.example"
    assert run(Mentor.select(Mentor.email).where(Mentor.id == kept).first())["email"] == "yan@a.cn"


def test_a_teacher_list_without_a_side_column_imports_college_mentors(coordinator):
    rows = [["姓名", "部门", "职称", "政治面貌"], ["吴芳", "信息工程学院", "讲师", "群众"]]
    batch_id, page = preview(coordinator, "/mentors/import", rows)
    assert problem_cells(page) == []
    coordinator.post(f"/imports/{batch_id}/confirm")
    mentor = mentors_named("吴芳")["吴芳"]
    assert mentor["side"] == "college" and mentor["department"] == "信息工程学院"
    assert mentor["party_member"] is False


def test_existing_mentors_are_found_by_name_and_department_or_enterprise(coordinator):
    enterprise = make_enterprise(credit_code=code(2))
    teacher = make_mentor(name="郑老师", department="机电工程学院", title="讲师", max_mentees=5)
    engineer = make_mentor(
        side="enterprise", name="冯工", department="", enterprise=enterprise, max_mentees=4
    )
    namesake = make_mentor(name="郑老师", department="信息工程学院", title="教授")
    rows = [
        MENTOR_HEADER,
        ["校内导师", "郑老师", "机电工程学院", "副教授", "", "", "", "", "", ""],
        ["企业导师", "冯工", "", "", "", code(2), "技术总监", "是", 2, ""],
    ]
    batch_id, page = preview(coordinator, "/mentors/import", rows)
    assert page.context["counts"]["update"] == 2 and page.context["counts"]["create"] == 0
    coordinator.post(f"/imports/{batch_id}/confirm")
    after = {row["id"]: row for row in run(Mentor.select())}
    assert after[teacher]["title"] == "副教授" and after[teacher]["max_mentees"] == 5
    assert after[engineer]["position"] == "技术总监" and after[engineer]["max_mentees"] == 2
    assert after[namesake]["title"] == "教授"


def test_bad_mentor_rows_are_reported(coordinator, people):
    make_enterprise(name="同名企业", credit_code=code(3))
    make_enterprise(name="同名企业", credit_code=code(4))
    make_mentor(name="重名", department="汽车工程学院")
    make_mentor(name="重名", department="汽车工程学院")
    rows = [
        MENTOR_HEADER,
        ["企业导师", "甲", "", "", "", code(99), "", "", "", ""],  # no such enterprise
        ["企业导师", "乙", "", "", "", wrong_check(code(3)), "", "", "", ""],  # check char
        ["企业导师", "丙", "", "", "同名企业", "", "", "", "", ""],  # ambiguous name
        ["企业导师", "丁", "", "", "", "", "", "", "", ""],  # no enterprise
        ["校内导师", "戊", "学院", "", "", "", "", "", 0, ""],  # max below 1
        ["外聘", "己", "学院", "", "", "", "", "", "", ""],  # unknown side
        ["校内导师", "庚", "学院", "", "", "", "", "也许", "", ""],  # not a yes/no
        ["校内导师", "辛", "学院", "", "", "", "", "", "", "123"],  # phone
        ["校内导师", "壬", "学院", "", "", "", "", "", "", ""],
        ["校内导师", "壬", "学院", "", "", "", "", "", "", ""],  # twice in the file
        ["校内导师", "重名", "汽车工程学院", "", "", "", "", "", "", ""],  # two in the portal
    ]
    _batch_id, page = preview(coordinator, "/mentors/import", rows)
    assert problem_cells(page) == [
        (2, "企业统一社会信用代码"),
        (3, "企业统一社会信用代码"),
        (4, "所在企业"),
        (5, "所在企业"),
        (6, "最多指导学生数"),
        (7, "导师类型"),
        (8, "是否党员"),
        (9, "手机号"),
        (11, "姓名"),
        (12, "姓名"),
    ]
    assert page.context["can_confirm"] is False


def test_a_mentor_maximum_below_the_active_mentees_is_a_bad_row(coordinator, people):
    make_assignment(people.other_student_id, people.mentor_id, people.mine.enterprise_mentor)
    mentor = run(Mentor.select().where(Mentor.id == people.mentor_id).first())
    rows = [
        MENTOR_HEADER,
        ["校内导师", mentor["name"], mentor["department"], "", "", "", "", "", 1, ""],
    ]
    _batch_id, page = preview(coordinator, "/mentors/import", rows)
    assert problem_cells(page) == [(2, "最多指导学生数")]


def test_a_maximum_that_mentees_added_meanwhile_exceed_fails_the_whole_import(coordinator, people):
    mentor = run(Mentor.select().where(Mentor.id == people.mentor_id).first())
    rows = [
        MENTOR_HEADER,
        ["校内导师", mentor["name"], mentor["department"], "教授", "", "", "", "", 1, ""],
    ]
    batch_id, page = preview(coordinator, "/mentors/import", rows)
    assert problem_cells(page) == []
    make_assignment(people.other_student_id, people.mentor_id, people.mine.enterprise_mentor)
    assert coordinator.post(f"/imports/{batch_id}/confirm").status_code == 303
    batch = stored_batch(batch_id)
    assert batch["status"] == "failed" and batch["message"].startswith("第 2 行已不再通过校验")
    after = run(Mentor.select().where(Mentor.id == people.mentor_id).first())
    assert after["title"] == mentor["title"] and after["max_mentees"] == mentor["max_mentees"]


def test_mentors_left_blank_in_the_maximum_keep_it(coordinator, people):
    make_assignment(people.other_student_id, people.mentor_id, people.mine.enterprise_mentor)
    run(Mentor.update({Mentor.max_mentees: 9}).where(Mentor.id == people.mentor_id))
    mentor = run(Mentor.select().where(Mentor.id == people.mentor_id).first())
    rows = [
        MENTOR_HEADER,
        ["", mentor["name"], mentor["department"], "教授", "", "", "", "", "", ""],
    ]
    batch_id, page = preview(coordinator, "/mentors/import", rows)
    assert problem_cells(page) == []
    coordinator.post(f"/imports/{batch_id}/confirm")
    after = run(Mentor.select().where(Mentor.id == people.mentor_id).first())
    assert after["title"] == "教授" and after["max_mentees"] == 9


# --- enterprises -------------------------------------------------------------------------------


def test_enterprises_are_created_and_updated_by_credit_code(coordinator):
    existing = make_enterprise(
        name="旧名称有限公司", credit_code=code(10), status="paused", party_org_kind="committee"
    )
    rows = [
        ENTERPRISE_HEADER,
        [
            "新名称有限公司",
            code(10).lower(),
            "智能制造",
            "李经理",
            "0571-88776655",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "宁波港航物流有限公司",
            f"{code(11)[:6]} {code(11)[6:]}",
            "物流",
            "王主任",
            "13900001234",
            "党支部",
            "35人",
            1200,
            datetime.date(2022, 9, 1),
            "合作中",
        ],
    ]
    batch_id, page = preview(coordinator, "/enterprises/import", rows)
    assert problem_cells(page) == []
    counts = page.context["counts"]
    assert (counts["create"], counts["update"]) == (1, 1)
    coordinator.post(f"/imports/{batch_id}/confirm")
    updated = run(Enterprise.select().where(Enterprise.id == existing).first())
    assert updated["name"] == "新名称有限公司" and updated["contact_phone"] == "0571-88776655"
    assert updated["status"] == "paused" and updated["party_org_kind"] == "committee"
    created = run(Enterprise.select().where(Enterprise.credit_code == code(11)).first())
    assert created["party_org_kind"] == "branch" and created["party_member_count"] == 35
    assert created["employee_count"] == 1200 and created["status"] == "active"
    assert created["partner_since"] == datetime.date(2022, 9, 1)


def test_bad_enterprise_rows_are_reported(coordinator):
    future = datetime.date.today() + datetime.timedelta(days=30)
    rows = [
        ENTERPRISE_HEADER,
        ["甲公司", wrong_check(code(20)), "", "", "", "", "", "", "", ""],  # check character
        ["乙公司", code(21)[:17], "", "", "", "", "", "", "", ""],  # 17 characters
        ["", code(22), "", "", "", "", "", "", "", ""],  # no name
        ["丁公司", code(23), "", "", "", "党小组", "", "", "", ""],  # unknown kind
        ["戊公司", code(24), "", "", "", "", 50, 10, "", ""],  # members > employees
        ["己公司", code(25), "", "", "", "", "", "", future, ""],  # partnership in the future
        ["庚公司", code(26), "", "", "", "", "", "", "", "破产"],  # unknown status
        ["辛公司", code(27), "", "", "", "", "", "", "", ""],
        ["辛公司二", code(27), "", "", "", "", "", "", "", ""],  # code twice
    ]
    _batch_id, page = preview(coordinator, "/enterprises/import", rows)
    assert problem_cells(page) == [
        (2, "统一社会信用代码"),
        (3, "统一社会信用代码"),
        (4, "企业名称"),
        (5, "党组织类型"),
        (6, "党员人数"),
        (7, "合作起始日期"),
        (8, "合作状态"),
        (10, "统一社会信用代码"),
    ]


def test_an_enterprise_export_imports_back_unchanged(coordinator):
    make_enterprise(name="回环测试有限公司", credit_code=code(30), industry="化工")
    exported = coordinator.get("/enterprises/export.xlsx")
    assert exported.status_code == 200
    batch_id = batch_id_of(
        upload(coordinator, "/enterprises/import", exported.content, "enterprises.xlsx")
    )
    batch = stored_batch(batch_id)
    assert batch["problems"] == []
    assert batch["rows"]["counts"]["create"] == 0
    assert batch["rows"]["counts"]["update"] == 0


def test_a_mentor_export_imports_back_unchanged(coordinator, people):
    exported = coordinator.get("/mentors/export.xlsx")
    assert exported.status_code == 200
    batch_id = batch_id_of(upload(coordinator, "/mentors/import", exported.content, "m.xlsx"))
    batch = stored_batch(batch_id)
    assert batch["problems"] == []
    counts = batch["rows"]["counts"]
    assert counts["unchanged"] == run(Mentor.count()) and counts["update"] == 0
