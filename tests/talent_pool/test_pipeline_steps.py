"""The steps of 发展党员 issue 12 added, as a coordinator records them: an approval in months
four to six with its special case, one extension only, a cancelled probation that closes the
file and gives back the political status, the oath in the timeline and the PDF, the vote of
a branch meeting, and the recommendation channels a coordinator edits."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from pypdf import PdfReader

from partners.coeducation.tables import Participation
from portal.dates import add_months
from portal.domain_errors import Refused
from portal.rulebook import citation
from portal.tables import AuditEntry, Student
from talent_pool.pipeline.state import Event
from talent_pool.pipeline.store import current_channels, record_event
from talent_pool.pipeline.view import PlacementNote, PlacementSpan, pipeline_context, placement_on
from talent_pool.tables import PipelineEvent
from tests.support import (
    make_assignment,
    make_enterprise,
    make_mentor,
    make_participation,
    make_project,
    run,
)
from tests.talent_pool.pipeline_support import (
    TEST_ACTOR,
    due_of,
    events_of,
    file_until,
    record,
    stage_of,
    story_date,
    story_start,
    viewer_of,
)

TODAY = datetime.date.today()
VOTES = {"entitled": "30", "present": "25", "in_favour": "24"}


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def new_event_url(student_id: int, kind: str) -> str:
    return f"/talent-pool/{student_id}/events/new?kind={kind}"


def political_status(student_id: int) -> str:
    row = run(Student.select(Student.political_status).where(Student.id == student_id).first())
    return row["political_status"]


def meeting_day() -> datetime.date:
    return story_date(story_start(TODAY), 16, 15)


# --- extension: once ---------------------------------------------------------------------------


def test_a_second_extension_is_refused_and_nothing_is_written(people):
    student = people.student_id
    file_until(student, "approval")
    end = add_months(meeting_day(), 12)
    record(student, "extension", end, months=6, decided_by="支部大会")
    with pytest.raises(Refused) as refused:
        second = Event("extension", add_months(end, 6), months=6, decided_by="支部大会")
        run(record_event(TEST_ACTOR, student, second, TODAY))
    assert {error.field for error in refused.value.errors} == {"form"}
    assert citation("party.extension_once") in refused.value.errors[0].message
    assert events_of(student).count("extension") == 1


# --- cancelling probationary membership --------------------------------------------------------


def test_a_cancelled_probation_closes_the_file_and_gives_back_the_status(coordinator, people):
    student = people.student_id
    before = political_status(student)
    file_until(student, "approval")
    assert political_status(student) == "02"
    branch_meeting = run(
        PipelineEvent.select(PipelineEvent.status_before)
        .where(PipelineEvent.student == student, PipelineEvent.kind == "branch_meeting")
        .first()
    )
    assert branch_meeting["status_before"] == before
    end = add_months(meeting_day(), 12)
    response = coordinator.post(
        new_event_url(student, "cancellation"),
        {"happened_on": end.isoformat(), "decided_by": "学生第一党支部大会"},
    )
    assert response.status_code == 303
    assert stage_of(student) == "cancelled"
    assert political_status(student) == before
    assert due_of(student) == []
    due_page = coordinator.get("/talent-pool/due")
    assert not coordinator.soup(due_page).select(f'#due-table tr[data-student="{student}"]')
    changes = [
        json.loads(row["changes"])
        for row in run(
            AuditEntry.select(AuditEntry.changes)
            .where(AuditEntry.table_name == "portal_student", AuditEntry.action == "update")
            .order_by(AuditEntry.id)
        )
    ]
    assert changes[-1] == {"political_status": ["02", before]}
    view = run(pipeline_context(student, viewer_of(coordinator), TODAY))["pipeline"]
    assert view.allowed == [] and not view.timeline[-1].deletable


def test_a_cancellation_before_probation_ends_is_refused(coordinator, people):
    student = people.student_id
    file_until(student, "approval")
    day_before = add_months(meeting_day(), 12) - datetime.timedelta(days=1)
    response = coordinator.post(
        new_event_url(student, "cancellation"),
        {"happened_on": day_before.isoformat(), "decided_by": "学生第一党支部大会"},
    )
    assert response.status_code == 400
    assert response.context["errors"]["happened_on"]
    assert stage_of(student) == "probationary"


# --- the oath ----------------------------------------------------------------------------------


def test_the_oath_shows_in_the_timeline_and_the_pdf(coordinator, people):
    student = people.student_id
    file_until(student, "approval")
    sworn = story_date(story_start(TODAY), 17, 20)
    response = coordinator.post(
        new_event_url(student, "oath"),
        {"happened_on": sworn.isoformat(), "note": "在党旗下庄严宣誓"},
    )
    assert response.status_code == 303
    view = run(pipeline_context(student, viewer_of(coordinator), TODAY))["pipeline"]
    assert view.timeline[-1].event.kind == "oath"
    assert "oath" not in [code for code, _label in view.allowed]
    page = coordinator.get(f"/talent-pool/{student}")
    assert coordinator.soup(page).select_one('.pipeline-timeline li[data-kind="oath"]')
    pdf = coordinator.get(f"/talent-pool/{student}/pipeline.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "在党旗下庄严宣誓" in text


# --- the vote of a branch meeting --------------------------------------------------------------


def test_a_branch_meeting_without_a_majority_in_favour_is_refused_beside_the_field(
    coordinator, people
):
    student = people.student_id
    file_until(student, "volunteer_form")
    response = coordinator.post(
        new_event_url(student, "branch_meeting"),
        {
            "happened_on": meeting_day().isoformat(),
            **VOTES,
            "in_favour": "15",
        },
    )
    assert response.status_code == 400
    assert citation("party.vote_in_favour") in response.context["errors"]["in_favour"]
    assert stage_of(student) == "development_target"
    response = coordinator.post(
        new_event_url(student, "branch_meeting"),
        {"happened_on": meeting_day().isoformat(), **VOTES},
    )
    assert response.status_code == 303
    view = run(pipeline_context(student, viewer_of(coordinator), TODAY))["pipeline"]
    values = [value for _name, value in view.timeline[-1].details]
    assert any(all(n in value for n in ("30", "25", "24")) for value in values)


# --- recommendation channels -------------------------------------------------------------------


def test_a_coordinator_edits_the_channels_and_the_activist_form_offers_them(coordinator, people):
    assert run(current_channels()) == ("party_members", "league")
    settings = coordinator.get("/talent-pool/settings")
    text = coordinator.soup(settings).select_one("#f-channels").get_text()
    assert len(text.splitlines()) == 2
    lines = text.strip() + "\n职工代表推荐\n"
    response = coordinator.post(
        "/talent-pool/settings/channels", {"channels": lines, "note": "省委组织部通知"}
    )
    assert response.status_code == 303
    assert run(current_channels()) == ("party_members", "league", "职工代表推荐")
    page = coordinator.get("/talent-pool/settings")
    history = coordinator.soup(page).select("#channels-history tbody tr")
    assert len(history) == 1 and "职工代表推荐" in history[0].get_text()
    assert run(AuditEntry.count().where(AuditEntry.table_name == "talent_pool_channel_settings"))
    student = people.student_id
    file_until(student, "talk")
    form = coordinator.get(new_event_url(student, "activist"))
    assert ("职工代表推荐", "职工代表推荐") in form.context["recommendation_options"]
    response = coordinator.post(
        new_event_url(student, "activist"),
        {
            "happened_on": story_date(story_start(TODAY), 1, 15).isoformat(),
            "recommended_by": "职工代表推荐",
            "decided_by": "支部委员会",
        },
    )
    assert response.status_code == 303
    assert stage_of(student) == "activist"


def test_an_empty_channel_list_is_refused_and_the_old_one_stays(coordinator):
    response = coordinator.post("/talent-pool/settings/channels", {"channels": " \n"})
    assert response.status_code == 400
    assert response.template.name == "talent_pool/settings.html"
    assert response.context["channels_errors"]["channels"]
    assert run(current_channels()) == ("party_members", "league")


# --- due items during a 岗位实习 placement ------------------------------------------------------


def placed_activist(student: int) -> tuple[datetime.date, str]:
    """An activist whose next review falls during a placement with an enterprise mentor."""
    file_until(student, "activist_filing")
    activist = story_date(story_start(TODAY), 1, 15)
    review_due = add_months(activist, 6)
    enterprise = make_enterprise(name="苏州精工机械有限公司")
    project = make_project(enterprise, starts_on=review_due - datetime.timedelta(days=60))
    make_participation(
        project,
        student,
        starts_on=review_due,
        ends_on=review_due + datetime.timedelta(days=90),
        internship_kind="post",
    )
    college = make_mentor()
    company = make_mentor(
        side="enterprise", name="陈师傅", enterprise=enterprise, phone="13900001111"
    )
    make_assignment(student, college, company, project=project, starts_on=review_due)
    return review_due, "苏州精工机械有限公司"


def test_a_review_due_during_a_placement_names_the_enterprise_and_its_mentor(coordinator, people):
    student = people.student_id
    review_due, enterprise = placed_activist(student)
    response = coordinator.get("/talent-pool/due")
    rows = coordinator.soup(response).select(f'#due-table tr[data-student="{student}"]')
    by_kind = {row["data-kind"]: row for row in rows}
    note = by_kind["review"].select_one("[data-placement]").get_text(" ", strip=True)
    assert enterprise in note and "陈师傅" in note and "13900001111" in note
    assert not by_kind["development_target_eligible"].select_one("[data-placement]")
    view = run(pipeline_context(student, viewer_of(coordinator), TODAY))["pipeline"]
    review = next(item for item in view.due if item.kind == "review")
    assert review.placement is not None and review.placement.mentor == "陈师傅"
    page = coordinator.get(f"/talent-pool/{student}")
    assert coordinator.soup(page).select_one('.pipeline-due li[data-due="review"] [data-placement]')


def test_the_placement_covers_its_first_and_last_day_only():
    note = PlacementNote("企业", "岗位", "师傅", "")
    span = PlacementSpan(datetime.date(2026, 9, 1), datetime.date(2027, 1, 31), note)
    day = datetime.timedelta(days=1)
    assert placement_on([span], datetime.date(2026, 9, 1) - day) is None
    assert placement_on([span], datetime.date(2026, 9, 1)) == note
    assert placement_on([span], datetime.date(2027, 1, 31)) == note
    assert placement_on([span], datetime.date(2027, 1, 31) + day) is None
    open_ended = PlacementSpan(datetime.date(2026, 9, 1), None, note)
    assert placement_on([open_ended], datetime.date(2030, 1, 1)) == note


def test_a_cognitive_internship_or_a_withdrawn_placement_is_not_shown(coordinator, people):
    student = people.student_id
    placed_activist(student)
    mine = Participation.student == student
    run(Participation.update({Participation.internship_kind: "cognitive"}).where(mine))
    view = run(pipeline_context(student, viewer_of(coordinator), TODAY))["pipeline"]
    assert all(item.placement is None for item in view.due)
    withdrawn = {Participation.internship_kind: "post", Participation.status: "withdrawn"}
    run(Participation.update(withdrawn).where(mine))
    view = run(pipeline_context(student, viewer_of(coordinator), TODAY))["pipeline"]
    assert all(item.placement is None for item in view.due)
