"""Dual-mentor assignments, mentoring logs and evaluations over HTTP, and who sees what."""

from __future__ import annotations

import asyncio
import datetime
import decimal
from urllib.parse import urlsplit

import pytest

from partners.coeducation.mentorships import (
    NewAssignment,
    create_assignment,
    mentor_choice,
    project_choice,
)
from partners.coeducation.tables import Evaluation, Mentor, MentorAssignment, MentoringLog
from portal.audit import Actor
from portal.domain_errors import Refused
from portal.tables import AuditEntry, Student
from tests.support import (
    Browser,
    make_assignment,
    make_log,
    make_mentor,
    make_participation,
    make_student,
    run,
)

LOG = {"held_on": "2026-10-20", "mode": "interview", "topic": "职业规划", "hours": "1.5"}
SCORES = {"political": "90", "professional": "80", "practical": "85", "innovation": "70"}
EVALUATION = {"term": "2026-2027-1", **SCORES, "craftsmanship": "95", "comment": "认真"}


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def student_no(student_id: int) -> str:
    return run(Student.select(Student.student_no).where(Student.id == student_id).first())[
        "student_no"
    ]


def placed_student(people) -> int:
    student = make_student()
    make_participation(people.mine.project, student)
    return student


def new_assignment_form(people, student: int, **changes: str) -> dict[str, str]:
    return {
        "student_no": student_no(student),
        "project": str(people.mine.project),
        "college_mentor": str(people.mentor_id),
        "enterprise_mentor": str(people.mine.enterprise_mentor),
        "starts_on": "2026-09-10",
        **changes,
    }


def listed_assignments(response) -> list[int]:
    return [row.id for row in response.context["page"].rows]


# --- creating assignments ----------------------------------------------------------------------


def test_coordinator_assigns_two_mentors(coordinator, people):
    student = placed_student(people)
    response = coordinator.post("/mentorships/new", new_assignment_form(people, student))
    assert response.status_code == 303, response.context and response.context["errors"]
    row = run(MentorAssignment.select().where(MentorAssignment.student == student).first())
    assert row["project"] == people.mine.project and row["status"] == "active"
    assert (row["college_mentor"], row["enterprise_mentor"]) == (
        people.mentor_id,
        people.mine.enterprise_mentor,
    )
    assert run(
        AuditEntry.exists().where(
            AuditEntry.table_name == "partners_mentor_assignment",
            AuditEntry.row_id == row["id"],
            AuditEntry.action == "create",
        )
    )


@pytest.mark.parametrize(
    "change,field",
    [
        ({"enterprise_mentor": "theirs"}, "enterprise_mentor"),  # another enterprise's mentor
        ({"college_mentor": "enterprise"}, "college_mentor"),  # wrong side
        ({"ends_on": "2026-09-01"}, "ends_on"),  # before the start
        ({"student_no": "999999999"}, "student_no"),
        ({"starts_on": "2026-13-01"}, "starts_on"),
    ],
)
def test_assignment_rules(coordinator, people, change, field):
    swap = {
        "theirs": str(people.theirs.enterprise_mentor),
        "enterprise": str(people.mine.enterprise_mentor),
    }
    change = {key: swap.get(value, value) for key, value in change.items()}
    student = placed_student(people)
    response = coordinator.post("/mentorships/new", new_assignment_form(people, student, **change))
    assert response.status_code == 400
    assert Browser.field_error(response, field)
    assert not run(MentorAssignment.exists().where(MentorAssignment.student == student))


def test_one_active_assignment_per_student_and_project(coordinator, people):
    response = coordinator.post("/mentorships/new", new_assignment_form(people, people.student_id))
    assert response.status_code == 400
    assert "already" in Browser.field_error(response, "student_no") or "已" in Browser.field_error(
        response, "student_no"
    )
    run(
        MentorAssignment.update({MentorAssignment.status: "ended"}).where(
            MentorAssignment.id == people.mine.assignment
        )
    )
    response = coordinator.post("/mentorships/new", new_assignment_form(people, people.student_id))
    assert response.status_code == 303


def test_the_student_must_take_part_in_the_project(coordinator, people):
    student = make_student()
    response = coordinator.post("/mentorships/new", new_assignment_form(people, student))
    assert response.status_code == 400 and Browser.field_error(response, "project")


def test_no_mentor_over_the_maximum(coordinator, people):
    run(Mentor.update({Mentor.max_mentees: 1}).where(Mentor.id == people.mentor_id))
    response = coordinator.post(
        "/mentorships/new", new_assignment_form(people, placed_student(people))
    )
    assert response.status_code == 400
    assert Browser.field_error(response, "college_mentor")


def test_two_coordinators_assigning_the_last_place_at_once(people):
    run(Mentor.update({Mentor.max_mentees: 2}).where(Mentor.id == people.mentor_id))
    students = [placed_student(people), placed_student(people)]
    college = run(mentor_choice(str(people.mentor_id)))
    enterprise = run(mentor_choice(str(people.mine.enterprise_mentor)))
    project = run(project_choice(str(people.mine.project)))
    assert college and enterprise and project
    actor = Actor(people.coordinator_user, "c")

    async def assign(student: int):
        new = NewAssignment(
            student, project, college, enterprise, datetime.date(2026, 9, 10), ends_on=None
        )
        try:
            return await create_assignment(actor, new)
        except Refused as refusal:
            return refusal

    async def both():
        return await asyncio.gather(*(assign(student) for student in students))

    results = asyncio.run(both())
    assert sum(isinstance(result, int) for result in results) == 1
    [lost] = [result for result in results if isinstance(result, Refused)]
    assert lost.errors[0].field == "college_mentor"
    active = run(
        MentorAssignment.count().where(
            MentorAssignment.college_mentor == people.mentor_id, MentorAssignment.status == "active"
        )
    )
    assert active == 2


def test_suggestions_list_mentors_with_free_places(coordinator, people):
    party = make_mentor(name="党员甲", party_member=True, max_mentees=3)
    full = make_mentor(name="满员乙", party_member=True, max_mentees=1)
    make_assignment(make_student(), full, people.mine.enterprise_mentor)
    response = coordinator.get(
        f"/mentorships/new?project={people.mine.project}&student={people.student_id}"
    )
    assert response.status_code == 200
    assert response.context["values"]["student_no"] == student_no(people.student_id)
    college = [value for value, _ in response.context["college_options"]]
    assert college[0] == party and full not in college and people.mentor_id in college
    enterprise = [value for value, _ in response.context["enterprise_options"]]
    assert enterprise == [people.mine.enterprise_mentor]  # only the project's enterprise


def test_ending_an_assignment(coordinator, people):
    assert coordinator.get(f"/mentorships/{people.mine.assignment}/end").status_code == 200
    response = coordinator.post(f"/mentorships/{people.mine.assignment}/end")
    assert response.status_code == 303
    row = run(
        MentorAssignment.select().where(MentorAssignment.id == people.mine.assignment).first()
    )
    assert row["status"] == "ended" and row["ends_on"] >= row["starts_on"]


# --- who sees what -------------------------------------------------------------------------------


def test_a_mentor_sees_only_their_own_mentees(signed_in, people):
    mentor = signed_in("mentor")
    response = mentor.get("/mentorships/")
    assert listed_assignments(response) == [people.mine.assignment]
    assert response.context["page"].rows[0].last_log == datetime.date(2026, 10, 15)
    assert mentor.get(f"/mentorships/{people.mine.assignment}").status_code == 200
    assert mentor.get(f"/mentorships/{people.theirs.assignment}").status_code == 404


def test_a_partner_sees_only_its_enterprises_assignments(signed_in, people):
    partner = signed_in("partner")
    response = partner.get("/mentorships/")
    assert listed_assignments(response) == [people.mine.assignment]
    other = run(Student.select(Student.name).where(Student.id == people.other_student_id).first())
    assert other["name"] not in response.text
    assert partner.get(f"/mentorships/{people.mine.assignment}").status_code == 200


def test_coordinator_list_search_and_filter(coordinator, people):
    assert set(listed_assignments(coordinator.get("/mentorships/"))) == {
        people.mine.assignment,
        people.theirs.assignment,
    }
    number = student_no(people.student_id)
    assert listed_assignments(coordinator.get(f"/mentorships/?q={number}")) == [
        people.mine.assignment
    ]
    assert listed_assignments(coordinator.get("/mentorships/?status=ended")) == []


def test_a_student_sees_their_own_assignment_read_only(signed_in, people):
    student = signed_in("student")
    response = student.get(f"/mentorships/{people.mine.assignment}")
    assert response.status_code == 200
    soup = Browser.soup(response)
    assert soup.select_one(f"#log-{people.mine.log} form button")
    assert not soup.select(f'a[href$="/mentorships/{people.mine.assignment}/logs/new"]')
    assert student.get(f"/mentorships/{people.mine.assignment}/logs/new").status_code == 404
    assert student.get(f"/mentorships/{people.theirs.assignment}").status_code == 404
    assert student.get("/mentorships/").status_code == 404


def acknowledged(log_id: int):
    return run(MentoringLog.select().where(MentoringLog.id == log_id).first())["acknowledged_at"]


def test_the_student_acknowledges_their_own_log_once(signed_in, people):
    student = signed_in("student")
    url = f"/mentorships/{people.mine.assignment}/logs/{people.mine.log}/acknowledge"
    response = student.post(url)
    assert response.status_code == 303
    first = acknowledged(people.mine.log)
    assert first is not None
    assert student.post(url).status_code == 303
    assert acknowledged(people.mine.log) == first
    page = student.get(f"/mentorships/{people.mine.assignment}")
    assert Browser.soup(page).select_one(f"#log-{people.mine.log} .acknowledged")
    assert student.post(url, {"next": "/me"}).headers["location"] == "/me"
    assert urlsplit(student.post(url, {"next": "//evil.example"}).headers["location"]).path == "/me"


def test_after_acknowledging_the_student_stays_on_their_record(signed_in, people):
    student = signed_in("student")
    url = f"/mentorships/{people.mine.assignment}/logs/{people.mine.log}/acknowledge"
    assert Browser.soup(student.get("/me")).select(f"form[action$='{url}'] button")
    response = student.post(url)
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert (location.path, location.fragment) == ("/me", "logs-h")
    record = student.get("/me")
    assert record.status_code == 200
    section = Browser.soup(record).select_one("#logs-h").find_parent("section")
    assert not section.select(f"form[action$='{url}'] button")


def test_acknowledging_on_the_assignment_page_stays_on_that_page(signed_in, people):
    student = signed_in("student")
    page = f"/mentorships/{people.mine.assignment}"
    url = f"{page}/logs/{people.mine.log}/acknowledge"
    form = Browser.soup(student.get(page)).select_one(f"form[action$='{url}']")
    next_field = form.select_one("input[name=next]")
    response = student.post(url, {"next": next_field["value"]})
    assert response.status_code == 303
    assert urlsplit(response.headers["location"]).path == page
    assert acknowledged(people.mine.log) is not None


def test_nobody_acknowledges_someone_elses_log(signed_in, people):
    student = signed_in("student")
    for assignment, log in (
        (people.theirs.assignment, people.theirs.log),
        (people.mine.assignment, people.theirs.log),
    ):
        url = f"/mentorships/{assignment}/logs/{log}/acknowledge"
        assert student.post(url).status_code == 404
    assert acknowledged(people.theirs.log) is None


def test_the_mentor_cannot_acknowledge_for_the_student(signed_in, people):
    mentor = signed_in("mentor")
    url = f"/mentorships/{people.mine.assignment}/logs/{people.mine.log}/acknowledge"
    assert mentor.post(url).status_code == 404
    assert acknowledged(people.mine.log) is None


# --- logs ----------------------------------------------------------------------------------------


def logs_of(assignment_id: int) -> list[dict]:
    return run(
        MentoringLog.select().where(
            MentoringLog.assignment == assignment_id, MentoringLog.topic == "职业规划"
        )
    )


def test_a_mentor_writes_a_log_for_itself(signed_in, people):
    mentor = signed_in("mentor")
    form = {**LOG, "mentor": str(people.mine.enterprise_mentor)}  # ignored: forced to itself
    response = mentor.post(f"/mentorships/{people.mine.assignment}/logs/new", form)
    assert response.status_code == 303
    [log] = logs_of(people.mine.assignment)
    assert log["mentor"] == people.mentor_id and log["on_behalf"] is False
    assert log["written_by"] == people.mentor_user and log["hours"] == decimal.Decimal("1.5")
    assert run(AuditEntry.exists().where(AuditEntry.table_name == "partners_mentoring_log"))


def test_a_partner_writes_on_behalf_of_the_enterprise_mentor(signed_in, people):
    partner = signed_in("partner")
    form = {**LOG, "mentor": str(people.mine.enterprise_mentor)}
    response = partner.post(f"/mentorships/{people.mine.assignment}/logs/new", form)
    assert response.status_code == 303
    [log] = logs_of(people.mine.assignment)
    assert log["mentor"] == people.mine.enterprise_mentor
    assert log["on_behalf"] is True and log["written_by"] == people.partner_user
    page = partner.get(f"/mentorships/{people.mine.assignment}")
    assert Browser.soup(page).select_one(f"#log-{log['id']} .on-behalf")
    assert (
        partner.post(f"/mentorships/{people.theirs.assignment}/logs/new", form).status_code == 404
    )


@pytest.mark.parametrize(
    "change,field",
    [
        ({"held_on": "2999-01-01"}, "held_on"),
        ({"mode": "phone"}, "mode"),
        ({"topic": ""}, "topic"),
        ({"hours": "0.3"}, "hours"),
        ({"hours": "25"}, "hours"),
        ({"mentor": "theirs"}, "mentor"),
    ],
)
def test_log_rules(coordinator, people, change, field):
    form = {**LOG, "mentor": str(people.mentor_id), **change}
    if form["mentor"] == "theirs":
        form["mentor"] = str(people.theirs.enterprise_mentor)
    response = coordinator.post(f"/mentorships/{people.mine.assignment}/logs/new", form)
    assert response.status_code == 400
    assert Browser.field_error(response, field)
    assert logs_of(people.mine.assignment) == []


def test_detail_shows_logs_newest_first_and_averages(coordinator, people):
    newer = make_log(people.mine.assignment, people.mentor_id, held_on=datetime.date(2026, 11, 1))
    response = coordinator.get(f"/mentorships/{people.mine.assignment}")
    rows = Browser.soup(response).select("#logs tbody tr")
    assert [row["id"] for row in rows] == [f"log-{newer}", f"log-{people.mine.log}"]
    assert response.context["averages"]["overall"] == 87.0  # 90 85 88 80 92
    assert "87.0" in Browser.soup(response).select_one("#averages").get_text()


# --- evaluations ---------------------------------------------------------------------------------


def test_a_mentor_evaluates_once_per_term(signed_in, people):
    mentor = signed_in("mentor")
    url = f"/mentorships/{people.mine.assignment}/evaluations/new"
    # mentor1 (college) already evaluated 2026-2027-1 in the fixture
    response = mentor.post(url, EVALUATION)
    assert response.status_code == 400 and Browser.field_error(response, "term")
    response = mentor.post(url, {**EVALUATION, "term": "2026-2027-2"})
    assert response.status_code == 303
    row = run(Evaluation.select().where(Evaluation.term == "2026-2027-2").first())
    assert row["mentor"] == people.mentor_id and row["craftsmanship"] == 95
    assert row["written_by"] == people.mentor_user


@pytest.mark.parametrize(
    "change,field",
    [
        ({"term": "2026-2028-1"}, "term"),
        ({"political": "101"}, "political"),
        ({"innovation": "-1"}, "innovation"),
        ({"practical": ""}, "practical"),
        ({"mentor": ""}, "mentor"),
    ],
)
def test_evaluation_rules(coordinator, people, change, field):
    form = {**EVALUATION, "term": "2027-2028-1", "mentor": str(people.mentor_id), **change}
    response = coordinator.post(f"/mentorships/{people.mine.assignment}/evaluations/new", form)
    assert response.status_code == 400
    assert Browser.field_error(response, field)


def test_a_coordinator_evaluates_on_behalf_of_the_enterprise_mentor(coordinator, people):
    form = {**EVALUATION, "mentor": str(people.mine.enterprise_mentor)}
    response = coordinator.post(f"/mentorships/{people.mine.assignment}/evaluations/new", form)
    assert response.status_code == 303
    assert run(
        Evaluation.exists().where(
            Evaluation.mentor == people.mine.enterprise_mentor,
            Evaluation.written_by == people.coordinator_user,
        )
    )
