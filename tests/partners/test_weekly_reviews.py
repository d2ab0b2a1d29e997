"""The college mentor's review of the weekly placement logs (实习周志): the rules without HTTP,
the queue, "save and next", bulk "mark as seen", each role over HTTP, the record section (page
and PDF) and the completion figures with overdue weeks."""

from __future__ import annotations

import datetime

import pytest

from partners.coeducation.tables import WeeklyLog
from partners.coeducation.weekly_reviews import (
    average_grade,
    check_review,
    completion,
    due_weeks,
    mark_seen,
    review,
    review_queue,
    seen_refusal,
)
from portal.audit import Actor
from portal.auth import Viewer
from portal.domain_errors import NotVisible, Refused
from portal.tables import AuditEntry, Role
from tests.support import (
    Browser,
    insert_id,
    make_assignment,
    make_mentor,
    make_participation,
    make_project,
    make_student,
    run,
)

TODAY = datetime.date.today()
NOW = datetime.datetime.now().replace(microsecond=0)
MONDAY = TODAY - datetime.timedelta(days=TODAY.weekday())


def weeks_ago(n: int) -> datetime.date:
    return MONDAY - datetime.timedelta(days=7 * n)


def make_week(participation: int, student: int, week_start: datetime.date, **fields) -> int:
    values = {
        "participation": participation,
        "student": student,
        "week_start": week_start,
        "work_done": "数控机床上下料与首件检验",
        "hours": 40,
        **fields,
    }
    return insert_id(WeeklyLog, **values)


def confirmed(**fields) -> dict:
    return {"status": "confirmed", "confirmed_at": NOW, "confirmed_by": "王工", **fields}


def viewer(role: Role, **links) -> Viewer:
    return Viewer(user_id=None, username="x", role=role, name="李老师", session_token="t", **links)


def log_of(log_id: int) -> dict:
    return run(WeeklyLog.select().where(WeeklyLog.id == log_id).first())


def audits_of(log_id: int) -> list[dict]:
    return run(
        AuditEntry.select().where(
            AuditEntry.table_name == "partners_weekly_log", AuditEntry.row_id == log_id
        )
    )


ACTOR = Actor(None, "李老师")


# --- rules ---------------------------------------------------------------------------------------


def test_a_review_needs_a_comment_and_at_most_a_grade_from_a_to_d():
    assert check_review("很好，继续保持。", "") == []
    assert check_review("很好", "A") == [] and check_review("一般", "D") == []
    assert [e.field for e in check_review("", "A")] == ["comment"]
    assert [e.field for e in check_review("   ", "")] == ["comment"]
    assert [e.field for e in check_review("好", "E")] == ["grade"]
    assert [e.field for e in check_review("好", "a")] == ["grade"]
    assert [e.field for e in check_review("长" * 2001, "B")] == ["comment"]


def test_only_confirmed_entries_without_problems_are_seen_in_bulk():
    assert seen_refusal("confirmed", "") == ""
    assert seen_refusal("confirmed", "夹具松动，不知如何处理")
    assert seen_refusal("submitted", "")
    assert seen_refusal("returned", "")


def test_the_average_grade_is_the_nearest_letter():
    assert average_grade([]) == ""
    assert average_grade(["", ""]) == ""
    assert average_grade(["B", "C", "C"]) == "C"
    assert average_grade(["A", "A", "B", ""]) == "A"


def test_a_week_is_overdue_after_the_monday_that_follows_it():
    start = datetime.date(2026, 11, 2)  # a Monday
    assert due_weeks(start, None, datetime.date(2026, 11, 9)) == []  # due today
    assert due_weeks(start, None, datetime.date(2026, 11, 10)) == [start]
    assert due_weeks(datetime.date(2026, 11, 4), None, datetime.date(2026, 11, 18)) == [
        start,
        datetime.date(2026, 11, 9),
    ]
    # not past the placement's end
    assert due_weeks(start, datetime.date(2026, 11, 6), datetime.date(2026, 12, 30)) == [start]


# --- transactions --------------------------------------------------------------------------------


def test_the_college_mentor_comments_and_grades_a_week(people):
    log_id = make_week(people.mine.participation, people.student_id, weeks_ago(1))
    mentor = viewer(Role.mentor, mentor_id=people.mentor_id)
    run(review(ACTOR, mentor, log_id, " 数据记录规范，继续保持。 ", "B", NOW))
    row = log_of(log_id)
    assert row["college_comment"] == "数据记录规范，继续保持。" and row["grade"] == "B"
    assert row["reviewed_at"] is not None and row["reviewed_by"] == "李老师"
    assert len(audits_of(log_id)) == 1
    with pytest.raises(Refused) as refused:
        run(review(ACTOR, mentor, log_id, "好", "F", NOW))
    assert [e.field for e in refused.value.errors] == ["grade"]
    assert log_of(log_id)["grade"] == "B"


def test_nobody_else_reviews_the_week(people):
    theirs = make_week(people.theirs.participation, people.other_student_id, weeks_ago(1))
    mine = make_week(people.mine.participation, people.student_id, weeks_ago(1))
    mentor = viewer(Role.mentor, mentor_id=people.mentor_id)
    with pytest.raises(NotVisible):
        run(review(ACTOR, mentor, theirs, "好", "", NOW))
    for other in (
        viewer(Role.partner, enterprise_id=people.enterprise_a),
        viewer(Role.student, student_id=people.student_id),
        viewer(Role.mentor, mentor_id=people.mine.enterprise_mentor),  # enterprise side
    ):
        with pytest.raises(NotVisible):
            run(review(ACTOR, other, mine, "好", "", NOW))
    run(review(ACTOR, viewer(Role.coordinator), theirs, "已阅", "", NOW))
    assert log_of(theirs)["college_comment"] == "已阅"


def test_bulk_seen_refuses_entries_with_problems_or_not_confirmed(people):
    p, s = people.mine.participation, people.student_id
    fine = make_week(p, s, weeks_ago(4), **confirmed())
    problem = make_week(p, s, weeks_ago(3), problems="夹具松动", **confirmed())
    waiting = make_week(p, s, weeks_ago(2))
    mentor = viewer(Role.mentor, mentor_id=people.mentor_id)
    for batch in ([fine, problem], [fine, waiting]):
        with pytest.raises(Refused) as refused:
            run(mark_seen(ACTOR, mentor, batch, NOW))
        assert len(refused.value.errors) == 2  # "nothing was marked", and the one entry
        assert log_of(fine)["reviewed_at"] is None
    with pytest.raises(NotVisible):
        other = make_week(people.theirs.participation, people.other_student_id, weeks_ago(4))
        run(mark_seen(ACTOR, mentor, [fine, other], NOW))
    assert run(mark_seen(ACTOR, mentor, [fine], NOW)) == 1
    row = log_of(fine)
    assert row["reviewed_at"] is not None and row["college_comment"] == ""
    assert len(audits_of(fine)) == 1


def test_the_queue_is_the_unreviewed_weeks_oldest_first(people):
    p, s = people.mine.participation, people.student_id
    newer = make_week(p, s, weeks_ago(1))
    older = make_week(p, s, weeks_ago(3))
    make_week(p, s, weeks_ago(2), reviewed_at=NOW, college_comment="已阅")
    make_week(people.theirs.participation, people.other_student_id, weeks_ago(5))
    mentor = viewer(Role.mentor, mentor_id=people.mentor_id)
    assert [row.id for row in run(review_queue(mentor))] == [older, newer]
    assert len(run(review_queue(viewer(Role.coordinator)))) == 3
    with pytest.raises(NotVisible):
        run(review_queue(viewer(Role.partner, enterprise_id=people.enterprise_a)))


def test_completion_counts_written_confirmed_commented_and_overdue(people):
    enterprise = people.enterprise_a
    project = make_project(enterprise, name="周志统计基地")
    student = make_student(class_name="数控2301")
    start = weeks_ago(5)
    placement = make_participation(
        project, student, starts_on=start, ends_on=TODAY + datetime.timedelta(days=60),
        internship_kind="post",
    )
    college = make_mentor(name="周志导师")
    make_assignment(student, college, people.mine.enterprise_mentor, project=project)
    make_week(placement, student, weeks_ago(5), reviewed_at=NOW, **confirmed())
    make_week(placement, student, weeks_ago(4), **confirmed())
    make_week(placement, student, weeks_ago(2))
    # due: the weeks 5 to 2 ago, and last week unless today is the Monday it is due on;
    # written: 5, 4 and 2 weeks ago
    overdue = 1 if TODAY.weekday() == 0 else 2
    ended = make_participation(
        project, make_student(), starts_on=weeks_ago(20), ends_on=weeks_ago(10),
        internship_kind="post",
    )
    make_week(ended, student, weeks_ago(15))  # an ended placement counts nothing
    figures = run(completion(viewer(Role.coordinator), TODAY))
    row = next(r for r in figures.projects if r.label == "周志统计基地")
    assert (row.students, row.written, row.confirmed, row.commented, row.overdue) == (
        1, 3, 2, 1, overdue
    )
    by_class = next(r for r in figures.classes if r.label == "数控2301")
    assert by_class.written == 3
    by_mentor = next(r for r in figures.mentors if r.label == "周志导师")
    assert by_mentor.confirmed == 2
    # a partner of another enterprise sees none of it
    other = run(completion(viewer(Role.partner, enterprise_id=people.enterprise_b), TODAY))
    assert not [r for r in other.projects if r.label == "周志统计基地"]


# --- over HTTP -----------------------------------------------------------------------------------


def test_the_mentor_works_through_the_queue_with_save_and_next(signed_in, people):
    p, s = people.mine.participation, people.student_id
    first = make_week(p, s, weeks_ago(3), problems="不会使用三坐标测量仪")
    second = make_week(p, s, weeks_ago(2), **confirmed())
    theirs = make_week(people.theirs.participation, people.other_student_id, weeks_ago(4))
    mentor = signed_in("mentor")
    page = mentor.get("/weekly-reviews/")
    assert page.status_code == 200
    soup = Browser.soup(page)
    rows = [tr["id"] for tr in soup.select("table.weekly-review-queue tbody tr")]
    assert rows == [f"entry-{first}", f"entry-{second}"]  # oldest first, only their mentee's
    assert soup.select_one(f"#entry-{first} .weekly-problem")
    assert not soup.select_one(f"#seen-{first}")  # a problem: no checkbox
    assert soup.select_one(f"#seen-{second}")
    assert mentor.get(f"/weekly-reviews/{theirs}").status_code == 404

    entry = mentor.get(f"/weekly-reviews/{first}")
    assert "不会使用三坐标测量仪" in entry.text
    bad = mentor.post(f"/weekly-reviews/{first}", {"comment": "先看操作手册", "grade": "Z"})
    assert bad.status_code == 400
    assert Browser.field_error(bad, "grade")
    assert "先看操作手册" in Browser.soup(bad).select_one("#f-comment").text
    answer = {"comment": "先看操作手册，周三现场示范。", "grade": "B", "next": "1"}
    done = mentor.post(f"/weekly-reviews/{first}", answer)
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"/weekly-reviews/{second}")
    assert log_of(first)["grade"] == "B"
    last = mentor.post(f"/weekly-reviews/{second}", {"comment": "很好", "grade": "", "next": "1"})
    assert last.headers["location"].endswith("/weekly-reviews/")
    assert Browser.soup(mentor.get("/weekly-reviews/")).select_one("p.empty")


def test_bulk_seen_over_http(signed_in, people):
    p, s = people.mine.participation, people.student_id
    fine = make_week(p, s, weeks_ago(3), **confirmed())
    problem = make_week(p, s, weeks_ago(2), problems="加班太多", **confirmed())
    mentor = signed_in("mentor")
    refused = mentor.post("/weekly-reviews/seen", {"log": [str(fine), str(problem)]})
    assert refused.status_code == 400
    alert = Browser.soup(refused).select_one(".flash-error").text
    assert weeks_ago(2).isoformat() in alert
    assert log_of(fine)["reviewed_at"] is None
    assert Browser.soup(refused).select_one(f"#seen-{fine}").has_attr("checked")
    form_token = Browser.soup(refused).select_one("#review-queue input[name=csrftoken]")["value"]
    assert form_token and form_token == mentor.csrf_token()  # the form itself can be sent
    marked = mentor.post("/weekly-reviews/seen", {"log": [str(fine)]})
    assert marked.status_code == 303
    assert log_of(fine)["reviewed_at"] is not None
    assert log_of(problem)["reviewed_at"] is None


def test_partners_and_students_do_not_review(signed_in, people):
    log_id = make_week(people.mine.participation, people.student_id, weeks_ago(1))
    for role in ("partner", "student"):
        browser = signed_in(role)
        assert browser.get("/weekly-reviews/").status_code == 404
        assert browser.get(f"/weekly-reviews/{log_id}").status_code == 404
        assert browser.post(f"/weekly-reviews/{log_id}", {"comment": "好"}).status_code == 404
    assert log_of(log_id)["reviewed_at"] is None


def weekly_section(response):
    return Browser.soup(response).find(id="weekly-h").find_parent("section")


def test_the_record_shows_the_weekly_logs(signed_in, people):
    p, s = people.mine.participation, people.student_id
    make_week(p, s, weeks_ago(3), grade="A", reviewed_at=NOW, college_comment="记录详实",
              **confirmed(enterprise_comment="按时完成"))
    make_week(p, s, weeks_ago(2), grade="B", reviewed_at=NOW, **confirmed())
    make_week(p, s, weeks_ago(1), hours=36)
    make_week(people.theirs.participation, people.other_student_id, weeks_ago(1),
              college_comment="别人的周志")
    for role, path in (
        ("student", "/me"),
        ("partner", f"/students/{s}/record"),
        ("mentor", f"/students/{s}/record"),
        ("coordinator", f"/students/{s}"),
    ):
        page = signed_in(role).get(path)
        assert page.status_code == 200, (role, path)
        section = weekly_section(page)
        assert len(section.select("tbody tr")) == 3
        text = section.get_text(" ")
        assert "记录详实" in text and "按时完成" in text and "别人的周志" not in text
        assert weeks_ago(3).isoformat() in text


def test_the_record_pdf_has_the_weekly_logs(signed_in, people):
    from tests.portal.test_record_pdf import pdf_text

    make_week(people.mine.participation, people.student_id, weeks_ago(2), grade="A",
              reviewed_at=NOW, college_comment="工艺卡填写规范", **confirmed())
    text, _ = pdf_text(signed_in("student").get("/me/record.pdf"))
    assert "实习周志" in text
    assert "工艺卡填写规范" in text
    assert weeks_ago(2).isoformat() in text


def test_the_dashboards_show_the_completion(signed_in, people):
    make_week(people.mine.participation, people.student_id, weeks_ago(2))
    for role in ("coordinator", "mentor"):
        page = signed_in(role).get("/")
        soup = Browser.soup(page)
        assert soup.select_one("#weekly-queue-count").text == "1", role
        assert soup.select_one("#weekly-completion")
    full = signed_in("coordinator").get("/weekly-reviews/completion")
    assert full.status_code == 200
    assert len(Browser.soup(full).select("table.weekly-completion")) == 3


def test_the_dashboard_reads_the_same_queries_whatever_the_number_of_weeks(
    signed_in, people, monkeypatch
):
    from tests.support import count_queries

    coordinator = signed_in("coordinator")
    queries = count_queries(monkeypatch)
    coordinator.get("/weekly-reviews/completion")
    few = len(queries)
    for n in range(1, 9):
        make_week(people.mine.participation, people.student_id, weeks_ago(n))
    queries.clear()
    coordinator.get("/weekly-reviews/completion")
    assert len(queries) == few


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_has_a_term_of_weekly_logs_and_seeding_again_adds_nothing():
    from college.demo.seed import seed_demo

    run(seed_demo(student_count=200))
    logs = run(WeeklyLog.select(WeeklyLog.status, WeeklyLog.reviewed_at, WeeklyLog.college_comment))
    statuses = [row["status"] for row in logs]
    assert statuses.count("confirmed") > len(logs) / 2
    assert statuses.count("submitted") >= 1 and 1 <= statuses.count("returned") <= 2
    assert any(row["college_comment"] for row in logs)
    assert any(row["reviewed_at"] is None and row["status"] == "confirmed" for row in logs)
    figures = run(completion(viewer(Role.coordinator), TODAY))
    assert figures.total.written == len(logs) and figures.total.overdue >= 1
    lines = run(seed_demo(student_count=200))
    assert run(WeeklyLog.count()) == len(logs)
    # the demo's weekly-log accounts: a student on a 岗位实习 and both of their mentors
    assert [line.split()[0] for line in lines[-3:]] == ["intern1", "mentor3", "mentor4"]


def test_the_demo_weekly_log_accounts_each_have_work_waiting(client):
    from college.demo.seed import DEMO_PASSWORD, seed_demo

    run(seed_demo(student_count=200))
    waiting = {
        "intern1": ("/me/weekly-logs", lambda soup: "待企业导师确认" in soup.get_text()),
        "mentor4": ("/weekly-logs/queue", lambda soup: "等待您确认" in soup.get_text()),
        "mentor3": ("/weekly-reviews/", lambda soup: len(soup.select("main tbody tr")) > 0),
    }
    for username, (path, has_work) in waiting.items():
        browser = Browser(client)
        assert browser.sign_in(username, DEMO_PASSWORD).status_code == 303, username
        page = browser.get(path)
        assert page.status_code == 200 and has_work(Browser.soup(page)), username
        client.cookies.clear()
