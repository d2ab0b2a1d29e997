"""The recruitment pipeline over HTTP: a coordinator records and corrects a student's file;
partners and mentors read the files of their own students; students see none of it."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from pypdf import PdfReader

from portal.dates import add_months
from portal.rulebook import citation
from portal.tables import AuditEntry, Student
from talent_pool.pipeline.view import pipeline_context
from talent_pool.tables import PipelineEvent
from tests.support import make_student, run
from tests.talent_pool.pipeline_support import (
    cited_article,
    due_of,
    events_of,
    file_until,
    pool,
    record,
    render_template,
    stage_of,
    story_date,
    story_start,
    viewer_of,
)
from tests.talent_pool.pool_factories import consent

TODAY = datetime.date.today()


def new_event_url(student_id: int, kind: str = "") -> str:
    return f"/talent-pool/{student_id}/events/new" + (f"?kind={kind}" if kind else "")


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def political_status(student_id: int) -> str:
    row = run(Student.select(Student.political_status).where(Student.id == student_id).first())
    return row["political_status"]


# --- recording ---------------------------------------------------------------------------------


def test_a_coordinator_records_an_application_and_the_talk_falls_due(coordinator, people):
    student = people.student_id
    pool(student)
    form = coordinator.get(new_event_url(student, "application"))
    assert form.status_code == 200
    assert form.template.name == "talent_pool/event_form.html"
    assert form.context["kind"] == "application"
    assert coordinator.soup(form).select_one(".pipeline-rule p").get_text(strip=True)
    day = TODAY - datetime.timedelta(days=3)
    response = coordinator.post(
        new_event_url(student, "application"), {"happened_on": day.isoformat(), "note": "递交"}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith(f"/talent-pool/{student}")
    assert events_of(student) == ["application"]
    assert stage_of(student) == "applicant"
    from portal.dates import add_months

    assert due_of(student) == [("talk", add_months(day, 1))]
    audit = run(
        AuditEntry.select(AuditEntry.action, AuditEntry.username).where(
            AuditEntry.table_name == "talent_pool_pipeline_event"
        )
    )
    assert audit == [{"action": "create", "username": "coord"}]


def test_an_under_age_application_is_refused_next_to_the_date_with_the_values_kept(coordinator):
    student = make_student(birth_date=TODAY.replace(year=TODAY.year - 17))
    pool(student)
    day = (TODAY - datetime.timedelta(days=1)).isoformat()
    response = coordinator.post(
        new_event_url(student, "application"), {"happened_on": day, "note": "我的备注"}
    )
    assert response.status_code == 400
    assert coordinator.field_error(response, "happened_on")
    soup = coordinator.soup(response)
    assert soup.select_one("#f-happened_on")["value"] == day
    assert soup.select_one("#f-note").get_text() == "我的备注"
    assert events_of(student) == []


def test_a_refusal_about_the_file_shows_at_the_top(coordinator, people):
    student = people.student_id
    file_until(student, "review", 1)  # one review: not yet a development target
    day = TODAY.isoformat()
    response = coordinator.post(
        new_event_url(student, "development_target"),
        {"happened_on": day, "decided_by": "支部委员会"},
    )
    assert response.status_code == 400
    assert response.template.name == "talent_pool/event_choose.html"
    shown = coordinator.soup(response).select_one("#kind-refused li").get_text(strip=True)
    assert cited_article(shown) == citation("party.target_after")


def test_an_approval_in_month_four_asks_for_the_special_case_on_the_form(coordinator, people):
    student = people.student_id
    file_until(student, "branch_meeting")
    meeting = story_date(story_start(TODAY), 16, 15)
    late = meeting + datetime.timedelta(days=120)
    values = {"happened_on": late.isoformat(), "decided_by": "学院党委"}
    response = coordinator.post(new_event_url(student, "approval"), values)
    assert response.status_code == 400
    assert citation("party.approval_latest") in response.context["errors"]["reason"]
    assert response.context["values"]["decided_by"] == "学院党委"
    response = coordinator.post(
        new_event_url(student, "approval"), {**values, "reason": "上级党委换届，审批推迟"}
    )
    assert response.status_code == 303
    assert events_of(student)[-1] == "approval"
    view = run(pipeline_context(student, viewer_of(coordinator), TODAY))["pipeline"]
    assert "conversion" in [code for code, _label in view.allowed]


def test_an_approval_after_six_months_is_refused_even_with_a_reason(coordinator, people):
    student = people.student_id
    file_until(student, "branch_meeting")
    meeting = story_date(story_start(TODAY), 16, 15)
    too_late = add_months(meeting, 6) + datetime.timedelta(days=1)
    response = coordinator.post(
        new_event_url(student, "approval"),
        {"happened_on": too_late.isoformat(), "decided_by": "学院党委", "reason": "特殊情况"},
    )
    assert response.status_code == 400
    assert add_months(meeting, 6).isoformat() in response.context["errors"]["happened_on"]
    assert events_of(student)[-1] == "branch_meeting"


def test_a_probationary_contact_is_refused_next_to_their_row(coordinator, people):
    student = people.student_id
    file_until(student, "activist")
    response = coordinator.post(
        new_event_url(student, "contacts"),
        {
            "happened_on": TODAY.isoformat(),
            "person1_name": "王建国",
            "person1_full_member": "yes",
            "person2_name": "赵小飞",
            "person2_full_member": "no",
        },
    )
    assert response.status_code == 400
    assert coordinator.field_error(response, "person2_full_member")
    assert not coordinator.field_error(response, "person1_full_member")
    soup = coordinator.soup(response)
    assert soup.select_one("#f-person2_name")["value"] == "赵小飞"
    assert soup.select_one("#f-person2_full_member option[selected]")["value"] == "no"


def test_contacts_are_recorded_with_their_membership(coordinator, people):
    student = people.student_id
    file_until(student, "activist")
    response = coordinator.post(
        new_event_url(student, "contacts"),
        {
            "happened_on": TODAY.isoformat(),
            "person1_name": "王建国",
            "person1_full_member": "yes",
        },
    )
    assert response.status_code == 303
    row = run(
        PipelineEvent.select(PipelineEvent.people)
        .where(PipelineEvent.kind == "contacts")
        .order_by(PipelineEvent.id, ascending=False)
        .first()
    )
    assert json.loads(row["people"]) == [{"name": "王建国", "full_member": True}]


def test_training_of_two_days_and_23_hours_is_refused_next_to_the_days(coordinator, people):
    student = people.student_id
    file_until(student, "political_review")
    data = {"happened_on": TODAY.isoformat(), "days": "2", "class_hours": "23"}
    response = coordinator.post(new_event_url(student, "training"), data)
    assert response.status_code == 400
    assert coordinator.field_error(response, "days")
    data["class_hours"] = "24"
    assert coordinator.post(new_event_url(student, "training"), data).status_code == 303


def test_a_bad_number_or_date_is_a_form_error_not_a_crash(coordinator, people):
    student = people.student_id
    file_until(student, "political_review")
    response = coordinator.post(
        new_event_url(student, "training"), {"happened_on": "2026-13-40", "days": "many"}
    )
    assert response.status_code == 400
    assert coordinator.field_error(response, "happened_on")
    assert coordinator.field_error(response, "days")


def test_a_late_talk_is_recorded_and_marked_late(coordinator, people):
    student = people.student_id
    pool(student)
    application = TODAY - datetime.timedelta(days=70)
    record(student, "application", application)
    response = coordinator.post(new_event_url(student, "talk"), {"happened_on": TODAY.isoformat()})
    assert response.status_code == 303
    assert events_of(student) == ["application", "talk"]
    assert due_of(student) == []
    context = run(pipeline_context(student, viewer_of(coordinator), TODAY))
    talk = context["pipeline"].timeline[-1]
    assert talk.event.kind == "talk" and talk.late


def test_a_kind_not_allowed_now_lists_the_allowed_ones(coordinator, people):
    student = people.student_id
    file_until(student, "talk")
    response = coordinator.get(new_event_url(student, "conversion"))
    assert response.status_code == 400
    assert [code for code, _ in response.context["allowed"]] == ["activist"]
    links = coordinator.soup(response).select(".pipeline-allowed a[data-kind]")
    assert [a["data-kind"] for a in links] == ["activist"]


def test_an_unknown_kind_lists_the_allowed_ones(coordinator, people):
    pool(people.student_id)
    response = coordinator.get(new_event_url(people.student_id, "party"))
    assert response.status_code == 400
    assert response.context["kind_known"] is False
    assert [code for code, _ in response.context["allowed"]] == ["application"]


def test_a_student_outside_the_pool_has_nothing_to_record(coordinator, people):
    response = coordinator.get(new_event_url(people.student_id))
    assert response.status_code == 200
    assert response.context["allowed"] == []
    assert coordinator.soup(response).select_one("#nothing-allowed")
    response = coordinator.get(new_event_url(people.student_id, "application"))
    assert response.status_code == 400
    assert response.context["blockers"]


# --- political status ------------------------------------------------------------------------


def test_the_branch_meeting_makes_a_probationary_member_and_conversion_a_full_member(
    coordinator, people
):
    student = people.student_id
    file_until(student, "volunteer_form")
    assert political_status(student) == "03"
    meeting = story_date(story_start(TODAY), 16, 15)
    votes = {"entitled": "30", "present": "25", "in_favour": "24"}
    response = coordinator.post(
        new_event_url(student, "branch_meeting"), {"happened_on": meeting.isoformat(), **votes}
    )
    assert response.status_code == 303
    assert political_status(student) == "02"
    assert stage_of(student) == "probationary"
    changes = run(
        AuditEntry.select(AuditEntry.changes).where(
            AuditEntry.table_name == "portal_student", AuditEntry.action == "update"
        )
    )
    assert [json.loads(row["changes"]) for row in changes] == [{"political_status": ["03", "02"]}]
    record(student, "approval", story_date(story_start(TODAY), 17, 15), decided_by="学院党委")
    conversion = story_date(story_start(TODAY), 28, 15)
    response = coordinator.post(
        new_event_url(student, "conversion"), {"happened_on": conversion.isoformat(), **votes}
    )
    assert response.status_code == 303
    assert political_status(student) == "01"
    assert stage_of(student) == "full_member"
    assert due_of(student) == []


# --- deleting --------------------------------------------------------------------------------


def test_the_latest_event_can_be_deleted_and_the_stage_is_worked_out_again(coordinator, people):
    student = people.student_id
    ids = file_until(student, "activist")
    url = f"/talent-pool/{student}/events/{ids[-1]}/delete"
    page = coordinator.get(url)
    assert page.status_code == 200
    assert page.template.name == "talent_pool/event_delete.html"
    assert coordinator.soup(page).select_one("form button.danger")
    response = coordinator.post(url)
    assert response.status_code == 303
    assert events_of(student) == ["application", "talk"]
    assert stage_of(student) == "applicant"
    assert due_of(student) == []  # the talk is recorded: nothing due by a date
    deleted = run(
        AuditEntry.select(AuditEntry.id).where(
            AuditEntry.table_name == "talent_pool_pipeline_event", AuditEntry.action == "delete"
        )
    )
    assert len(deleted) == 1


def test_an_earlier_event_cannot_be_deleted(coordinator, people):
    student = people.student_id
    ids = file_until(student, "activist")
    url = f"/talent-pool/{student}/events/{ids[0]}/delete"
    page = coordinator.get(url)
    assert page.status_code == 200
    assert page.context["error"] is not None
    assert not coordinator.soup(page).select("form button.danger")
    assert coordinator.post(url).status_code == 400
    assert len(events_of(student)) == 3


def test_the_branch_meeting_cannot_be_deleted_here(coordinator, people):
    student = people.student_id
    ids = file_until(student, "branch_meeting")
    response = coordinator.post(f"/talent-pool/{student}/events/{ids[-1]}/delete")
    assert response.status_code == 400
    assert coordinator.soup(response).select_one("#delete-refused")
    assert political_status(student) == "02"
    assert events_of(student)[-1] == "branch_meeting"


def test_an_event_of_another_student_is_not_found(coordinator, people):
    ids = file_until(people.student_id, "talk")
    pool(people.other_student_id)
    url = f"/talent-pool/{people.other_student_id}/events/{ids[-1]}/delete"
    assert coordinator.get(url).status_code == 404


# --- who may read and write ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partner", "mentor"])
def test_partners_and_mentors_read_their_students_files_but_never_write(signed_in, people, role):
    consent(people.student_id, people.other_student_id)
    ids = file_until(people.student_id, "talk")
    file_until(people.other_student_id, "talk")
    browser = signed_in(role)
    mine, theirs = people.student_id, people.other_student_id
    assert browser.get(f"/talent-pool/{mine}/pipeline.pdf").status_code == 200
    assert browser.get(f"/talent-pool/{theirs}/pipeline.pdf").status_code == 404
    assert browser.get(new_event_url(mine, "activist")).status_code == 404
    assert browser.post(new_event_url(mine, "activist"), {}).status_code == 404
    assert browser.get(f"/talent-pool/{mine}/events/{ids[-1]}/delete").status_code == 404
    assert browser.post(f"/talent-pool/{mine}/events/{ids[-1]}/delete").status_code == 404
    assert events_of(mine) == ["application", "talk"]


def test_a_student_sees_nothing_of_the_pipeline_not_even_their_own(signed_in, people):
    ids = file_until(people.student_id, "talk")
    student = signed_in("student")
    mine = people.student_id
    for url in (
        f"/talent-pool/{mine}/pipeline.pdf",
        new_event_url(mine, "activist"),
        f"/talent-pool/{mine}/events/{ids[-1]}/delete",
        "/talent-pool/due",
    ):
        assert student.get(url).status_code == 404, url


def test_the_pipeline_pdf_is_a_pdf_with_the_students_name(coordinator, people):
    student = people.student_id
    file_until(student, "training")
    response = coordinator.get(f"/talent-pool/{student}/pipeline.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    name = run(Student.select(Student.name).where(Student.id == student).first())["name"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert name in text
    assert "学生第一党支部委员会" in text


# --- the part of the student page ------------------------------------------------------------


def render_partial(context: dict) -> str:
    return render_template("talent_pool/_pipeline.html", **context)


def test_the_student_page_part_shows_stage_due_items_and_next_steps(coordinator, people):
    from bs4 import BeautifulSoup

    student = people.student_id
    file_until(student, "activist_filing", start=story_start(TODAY))
    context = run(pipeline_context(student, viewer_of(coordinator), TODAY))
    view = context["pipeline"]
    assert view.stage == "activist"
    assert [d.kind for d in view.due] == ["review", "development_target_eligible"]
    assert all(d.overdue for d in view.due)  # the story's activist became one years ago
    assert [code for code, _ in view.allowed] == ["contacts", "review"]
    soup = BeautifulSoup(render_partial(context), "html.parser")
    assert soup.select_one("[data-stage]")["data-stage"] == "activist"
    assert [li["data-due"] for li in soup.select(".pipeline-due li.overdue")] == [
        "review",
        "development_target_eligible",
    ]
    assert all(
        li.select_one(".overdue-mark").get_text(strip=True)
        for li in soup.select(".pipeline-due li.overdue")
    )
    assert [a["data-kind"] for a in soup.select(".pipeline-allowed a")] == ["contacts", "review"]
    assert len(soup.select(".pipeline-timeline li")) == 4
    assert len(soup.select(".pipeline-delete")) == 1
    assert soup.select_one("#pipeline-pdf")["href"].endswith(f"/talent-pool/{student}/pipeline.pdf")


def test_a_partner_sees_the_file_without_buttons(signed_in, people):
    from bs4 import BeautifulSoup

    file_until(people.student_id, "activist_filing")
    partner = signed_in("partner")
    context = run(pipeline_context(people.student_id, viewer_of(partner), TODAY))
    assert context["pipeline"].allowed == []
    soup = BeautifulSoup(render_partial(context), "html.parser")
    assert not soup.select(".pipeline-allowed a")
    assert not soup.select(".pipeline-delete")
    assert len(soup.select(".pipeline-timeline li")) == 4
