"""Every kind of write leaves an audit row that says who, when, which row and what changed."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup

from portal.tables import AuditEntry, Student
from portal.views.audit import audit_sentence
from tests.portal.test_students import VALID
from tests.support import PASSWORD, make_student, run


def entries(**where) -> list[dict]:
    query = AuditEntry.select().order_by(AuditEntry.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    rows = run(query)
    for row in rows:
        row["changes"] = (
            json.loads(row["changes"]) if isinstance(row["changes"], str) else row["changes"]
        )
    return rows


def test_creating_updating_and_deleting_a_student_are_audited(signed_in, people):
    coordinator = signed_in("coordinator")
    coordinator.post("/students/new", VALID)
    student_id = run(Student.select(Student.id).where(Student.student_no == VALID["student_no"]))[
        0
    ]["id"]
    coordinator.post(f"/students/{student_id}/edit", {**VALID, "major": "智能控制技术"})
    coordinator.post(f"/students/{student_id}/delete")

    rows = entries(table_name="portal_student", row_id=student_id)
    assert [row["action"] for row in rows] == ["create", "update", "delete"]
    assert all(
        row["username"] == "coord" and row["user"] == people.coordinator_user for row in rows
    )
    assert rows[0]["changes"]["name"] == [None, "李明"]
    assert rows[1]["changes"] == {"major": ["物联网应用技术", "智能控制技术"]}
    assert rows[2]["changes"]["student_no"] == [VALID["student_no"], None]


def test_account_writes_are_audited(signed_in, people):
    coordinator = signed_in("coordinator")
    coordinator.post(
        "/accounts/new",
        {"username": "newcoord", "password": "long-enough-1", "role": "coordinator"},
    )
    coordinator.post(f"/accounts/{people.mentor_user}/active", {"active": "0"})
    actions = [row["action"] for row in entries(table_name="piccolo_user", username="coord")]
    assert actions[-2:] == ["create", "update"]
    disable = entries(table_name="piccolo_user", row_id=people.mentor_user)[-1]
    assert disable["changes"] == {"active": [True, False]}


def test_sign_in_sign_out_and_password_changes_are_audited(signed_in, browser, people):
    browser.sign_in("student1", "wrong-password")
    student = signed_in("student")
    student.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "next-pass-77", "confirm": "next-pass-77"},
    )
    student.post("/logout")
    actions = [row["action"] for row in entries(username="student1")]
    assert actions[-4:] == ["login_failed", "login", "password", "logout"]
    assert "next-pass-77" not in json.dumps(entries(username="student1"), default=str)


def test_coordinators_can_browse_and_filter_the_audit_log(signed_in, people):
    coordinator = signed_in("coordinator")
    student_id = make_student()
    coordinator.post(f"/students/{student_id}/delete")
    response = coordinator.get(f"/audit/?table_name=portal_student&row_id={student_id}")
    rows = response.context["page"].rows
    assert [row["action"] for row in rows] == ["delete"]
    assert "portal_student" in response.text


def sentences(response) -> list[str]:
    return [
        " ".join(cell.get_text(" ", strip=True).split())
        for cell in BeautifulSoup(response.text, "html.parser").select("td.audit-sentence")
    ]


def test_the_audit_log_says_what_happened_in_words_people_use(signed_in, people):
    coordinator = signed_in("coordinator")
    coordinator.post("/students/new", {**VALID, "political_status": "13"})
    student_id = run(Student.select(Student.id).where(Student.student_no == VALID["student_no"]))[
        0
    ]["id"]
    coordinator.post(f"/students/{student_id}/edit", {**VALID, "political_status": "03"})

    response = coordinator.get(f"/audit/?table_name=portal_student&row_id={student_id}")

    assert response.status_code == 200
    assert sentences(response) == [
        "修改了学生 李明 的 政治面貌：群众 → 共青团员",
        "新增了学生 李明",
    ]
    raw = BeautifulSoup(response.text, "html.parser").select("details.audit-raw")
    assert "portal_student" in raw[0].get_text() and "update" in raw[0].get_text()
    table = BeautifulSoup(response.text, "html.parser").select_one("table.data")
    visible = table.get_text(" ") if table else ""
    for detail in raw:
        visible = visible.replace(detail.get_text(" "), "")
    assert "portal_student" not in visible and "update" not in visible


def test_a_new_records_fields_read_as_values_not_as_changes_from_empty(signed_in, people):
    coordinator = signed_in("coordinator")
    coordinator.post("/students/new", {**VALID, "political_status": "13"})

    response = coordinator.get("/audit/?table_name=portal_student&action=create")

    rows = BeautifulSoup(response.text, "html.parser").select("table.data tbody tr")
    changes = [item.get_text() for item in rows[0].select("td > ul.changes li")]
    assert "政治面貌：群众" in changes
    assert not any("→" in change or "（空）" in change for change in changes)


def test_sign_ins_and_titled_rows_read_as_sentences(signed_in, people):
    coordinator = signed_in("coordinator")
    response = coordinator.get("/audit/?action=login")
    assert "登录了系统" in " ".join(sentences(response))

    assert audit_sentence("create", "partners_activity", "主题党日", {}) == "新增了活动《主题党日》"
    assert (
        audit_sentence("update", "partners_project", "智能产线", {"status": ["planning", "active"]})
        == "修改了协同育人项目《智能产线》 的 状态：筹备中 → 进行中"
    )
