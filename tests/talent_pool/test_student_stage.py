"""A student sees their own recruitment stage on their record, and what comes next."""

from __future__ import annotations

from tests.support import Browser
from tests.talent_pool.pipeline_support import file_until


def test_a_student_without_an_application_sees_no_pipeline_section(signed_in):
    page = signed_in("student").get("/me")
    assert page.status_code == 200
    assert Browser.soup(page).select_one("#pipeline") is None


def test_a_student_sees_their_stage_and_what_is_due_next(signed_in, people):
    file_until(people.student_id, "activist")
    page = signed_in("student").get("/me")
    section = Browser.soup(page).select_one("#pipeline")
    assert section is not None
    assert page.context["pipeline"].stage == "activist"
    assert page.context["pipeline"].stage_label in section.get_text()
    due_kinds = {item.kind for item in page.context["pipeline"].due}
    assert "review" in due_kinds
    assert len(section.select("ol.timeline li")) == len(page.context["pipeline"].timeline)


def test_a_student_never_sees_another_students_file(signed_in, people):
    file_until(people.other_student_id, "activist")
    page = signed_in("student").get("/me")
    assert Browser.soup(page).select_one("#pipeline") is None
    assert signed_in("student").get(f"/talent-pool/{people.other_student_id}").status_code == 404
