"""The dashboard's figures are kept until the next write: a figure changes right after a write
that affects it — made through the pages, in this worker or another — and the figures kept
for one viewer's scope are never shown to another."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from starlette.testclient import TestClient

from college.app import create_app
from tests.partners.test_mentorships import new_assignment_form, placed_student
from tests.support import Browser, count_queries, student_values


@contextlib.contextmanager
def second_worker() -> Iterator[Browser]:
    """The coordinator in another app instance on the same database: another worker's caches."""
    with TestClient(create_app(), base_url="http://testserver") as client:
        browser = Browser(client)
        assert browser.sign_in("coord").status_code == 303
        yield browser


def headline(response) -> list[int]:
    """The figures at the top of the dashboard, in order."""
    stats = Browser.soup(response).select("#dashboard-stats li strong")
    return [int(strong.get_text()) for strong in stats]


def new_student(student_no: str) -> dict[str, str]:
    return {k: str(v) for k, v in student_values(student_no=student_no).items()}


def test_adding_a_student_changes_the_student_count_at_once(signed_in, monkeypatch):
    coordinator = signed_in("coordinator")
    before = coordinator.get("/")
    queries = count_queries(monkeypatch)
    again = coordinator.get("/")
    assert again.text == before.text and queries == []  # kept: no query at all
    assert coordinator.post("/students/new", new_student("2026100001")).status_code == 303
    after = coordinator.get("/")
    assert headline(after)[0] == headline(before)[0] + 1
    assert after.context["student_count"] == before.context["student_count"] + 1


def test_assigning_mentors_changes_the_coverage_at_once(signed_in, people):
    coordinator = signed_in("coordinator")
    student = placed_student(people)
    before = coordinator.get("/")
    assert coordinator.get("/").text == before.text
    response = coordinator.post("/mentorships/new", new_assignment_form(people, student))
    assert response.status_code == 303
    after = coordinator.get("/")
    assert after.context["covered_count"] == before.context["covered_count"] + 1
    assert headline(after)[1] == headline(before)[1] + 1


def test_a_write_in_another_worker_changes_the_dashboard_here(signed_in):
    coordinator = signed_in("coordinator")
    before = headline(coordinator.get("/"))
    with second_worker() as elsewhere:
        elsewhere.get("/")  # that worker keeps its figures too
        assert elsewhere.post("/students/new", new_student("2026100002")).status_code == 303
        assert headline(elsewhere.get("/"))[0] == before[0] + 1
    assert headline(coordinator.get("/"))[0] == before[0] + 1


def test_the_figures_kept_for_one_scope_are_not_shown_to_another(signed_in, people):
    coordinator = signed_in("coordinator").get("/")
    partner = signed_in("partner").get("/")
    mentor = signed_in("mentor").get("/")
    assert coordinator.context["student_count"] > partner.context["student_count"] == 1
    assert coordinator.context["counts"].enterprises >= 2
    assert partner.context["enterprise"].id == people.enterprise_a
    assert "charts" not in mentor.context and mentor.context["mentor"] is not None
    again = signed_in("coordinator").get("/")
    assert headline(again) == headline(coordinator)
