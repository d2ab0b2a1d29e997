"""The student's record (成长档案) on screen: what each viewer sees, and what never reaches them."""

from __future__ import annotations

import datetime

from college.record import gather_record
from partners.coeducation.tables import MentoringLog
from partners.organizations.tables import (
    Activity,
    StudentAttendance,
)
from partners.students import record_student, visible_student
from portal.auth import Viewer
from portal.tables import Role, Student
from tests.support import insert_id, make_evaluation, make_student, run


def set_topic(log_id: int, topic: str) -> None:
    run(MentoringLog.update({MentoringLog.topic: topic}).where(MentoringLog.id == log_id))


def attend(organization_id: int, student_id: int, title: str) -> None:
    activity = insert_id(
        Activity,
        organization=organization_id,
        kind="lecture",
        title=title,
        held_on=datetime.date(2026, 10, 20),
    )
    insert_id(StudentAttendance, activity=activity, student=student_id)


def test_the_student_sees_their_whole_record(signed_in, people):
    set_topic(people.mine.log, "我的指导主题")
    set_topic(people.theirs.log, "别人的指导主题")
    make_evaluation(people.mine.assignment, people.mine.enterprise_mentor, political=70)
    attend(people.organization_a, people.student_id, "工匠精神讲座")
    response = signed_in("student").get("/me")
    assert response.status_code == 200
    assert response.template.name == "college/my_record.html"
    record = response.context["record"]
    assert [row.id for row in record.participations] == [people.mine.participation]
    assert [row.id for row in record.assignments] == [people.mine.assignment]
    assert [row.id for row in record.logs] == [people.mine.log]
    assert [row.id for row in record.awards] == [people.mine.award]
    term = record.evaluations[0]
    assert term.college.political == 90 and term.enterprise.political == 70
    assert term.average("political") == 80.0
    page = response.text
    assert "我的指导主题" in page and "别人的指导主题" not in page
    assert "工匠精神讲座" in page
    soup = signed_in("student").soup(response)
    assert soup.select_one("svg.score-chart[role=img] title")
    assert soup.select_one("table.scores")
    ack = soup.select_one("#logs-h ~ div form")
    assert ack["action"].endswith(
        f"/mentorships/{people.mine.assignment}/logs/{people.mine.log}/acknowledge"
    )


def test_empty_sections_say_so(signed_in, people):
    run(Student.update({Student.user: None}).where(Student.id == people.student_id))
    student_id = make_student()
    response = signed_in("coordinator").get(f"/students/{student_id}")
    assert response.status_code == 200
    empties = [
        p.get_text(strip=True) for p in signed_in("coordinator").soup(response).select(".empty")
    ]
    assert len(empties) == 7


def test_a_student_never_reaches_another_students_record(signed_in, people):
    student = signed_in("student")
    for path in (
        f"/students/{people.other_student_id}/record",
        f"/students/{people.other_student_id}/record.pdf",
        f"/students/{people.student_id}/record",
        f"/students/{people.other_student_id}",
    ):
        assert student.get(path).status_code == 404, path


def test_a_partner_sees_the_record_of_students_placed_with_it(signed_in, people):
    set_topic(people.mine.log, "本企业的指导")
    partner = signed_in("partner")
    response = partner.get(f"/students/{people.student_id}/record")
    assert response.status_code == 200
    assert "本企业的指导" in response.text
    assert partner.soup(response).select_one(f"a[href$='/students/{people.student_id}/awards/new']")
    assert partner.get(f"/students/{people.other_student_id}/record").status_code == 404


def test_a_partner_sees_only_its_own_projects_on_a_shared_student(signed_in, people):
    # student1 also has a mentorship with enterprise_b: partner_a must not see it.
    from tests.support import make_mentorship

    other = make_mentorship(people.enterprise_b, people.student_id, people.theirs.enterprise_mentor)
    set_topic(other.log, "另一企业的指导")
    attend(people.organization_b, people.student_id, "另一组织的活动")
    response = signed_in("partner").get(f"/students/{people.student_id}/record")
    record = response.context["record"]
    assert [row.id for row in record.assignments] == [people.mine.assignment]
    assert [row.id for row in record.participations] == [people.mine.participation]
    assert "另一企业的指导" not in response.text
    assert "另一组织的活动" not in response.text
    coordinator_view = signed_in("coordinator").get(f"/students/{people.student_id}")
    assert "另一企业的指导" in coordinator_view.text


def test_a_partner_loses_sight_when_the_placement_is_over(signed_in, people):
    student_id = make_student()
    from tests.support import make_participation, make_project

    project = make_project(people.enterprise_a)
    make_participation(project, student_id, status="withdrawn")
    assert signed_in("partner").get(f"/students/{student_id}/record").status_code == 404


def test_a_mentor_sees_their_mentee_only(signed_in, people):
    mentor = signed_in("mentor")
    response = mentor.get(f"/students/{people.student_id}/record")
    assert response.status_code == 200
    assert [row.id for row in response.context["record"].logs] == [people.mine.log]
    assert not mentor.soup(response).select_one("a[href*='/awards/new']")
    assert mentor.get(f"/students/{people.other_student_id}/record").status_code == 404


def test_the_coordinator_sees_the_record_on_the_student_page(signed_in, people):
    set_topic(people.theirs.log, "别人的指导主题")
    response = signed_in("coordinator").get(f"/students/{people.other_student_id}")
    assert response.status_code == 200
    assert "别人的指导主题" in response.text


def test_visibility_rules_without_http(people):
    def viewer(role: Role, **links) -> Viewer:
        return Viewer(user_id=1, username="x", role=role, name="x", session_token="t", **links)

    partner = viewer(Role.partner, enterprise_id=people.enterprise_a)
    mentor = viewer(Role.mentor, mentor_id=people.mentor_id)
    assert run(visible_student(partner, people.student_id)) is not None
    assert run(visible_student(partner, people.other_student_id)) is None
    assert run(visible_student(mentor, people.student_id)) is not None
    assert run(visible_student(mentor, people.other_student_id)) is None
    student = viewer(Role.student, student_id=people.student_id)
    assert run(visible_student(student, people.other_student_id)) is None


def test_the_record_page_runs_the_same_queries_whatever_its_length(signed_in, people, monkeypatch):
    from tests.portal.test_students import count_queries
    from tests.support import make_log

    student = signed_in("student")
    queries = count_queries(monkeypatch)
    student.get("/me")
    few = len(queries)
    for _ in range(15):
        make_log(people.mine.assignment, people.mentor_id)
    attend(people.organization_a, people.student_id, "讲座")
    queries.clear()
    response = student.get("/me")
    assert len(response.context["record"].logs) == 16
    assert len(queries) == few


def test_gather_record_is_seven_queries(people, monkeypatch):
    from tests.portal.test_students import count_queries

    coordinator = Viewer(
        user_id=1, username="c", role=Role.coordinator, name="c", session_token="t"
    )
    student = run(record_student(coordinator, people.student_id))
    queries = count_queries(monkeypatch)
    run(gather_record(coordinator, student))
    assert len(queries) <= 7  # the sections, the weekly placement logs among them


def test_the_record_page_is_kept_until_a_write_changes_it(signed_in, people, monkeypatch):
    from tests.support import count_queries

    coordinator = signed_in("coordinator")
    path = f"/students/{people.student_id}"
    first = coordinator.get(path)
    queries = count_queries(monkeypatch)
    again = coordinator.get(path)
    assert again.status_code == 200 and again.text == first.text
    assert not [sql for sql in queries if "partners_mentoring_log" in sql]  # not read again
    set_topic(people.mine.log, "写入后的新主题")
    assert "写入后的新主题" in coordinator.get(path).text


def test_each_viewer_gets_their_own_part_of_a_kept_record(signed_in, people):
    from tests.support import make_mentorship

    other = make_mentorship(people.enterprise_b, people.student_id, people.theirs.enterprise_mentor)
    set_topic(other.log, "另一企业的指导")
    for _ in range(2):  # the second round is served from the page cache
        coordinator = signed_in("coordinator")
        assert "另一企业的指导" in coordinator.get(f"/students/{people.student_id}").text
        partner = signed_in("partner")
        assert "另一企业的指导" not in partner.get(f"/students/{people.student_id}/record").text
