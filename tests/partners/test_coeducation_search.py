"""Mentor and dual-mentor searches go through the n-gram index: one- and two-character
Chinese names are found, no statement scans with LIKE, and a list shows a new match right
after the write."""

from __future__ import annotations

import pytest

from tests.support import (
    Browser,
    count_queries,
    make_assignment,
    make_mentor,
    make_student,
)


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def mentor_names(response) -> list[str]:
    return [a.get_text(strip=True) for a in Browser.soup(response).select("#mentors tbody a")]


def student_names(response) -> list[str]:
    return [row.student_name for row in response.context["page"].rows]


def scans(queries: list[str]) -> list[str]:
    return [sql for sql in queries if "LIKE" in sql.upper()]


@pytest.mark.parametrize("query", ["懿", "司马"])
def test_mentor_search_by_one_or_two_characters(coordinator, people, monkeypatch, query):
    make_mentor(name="司马懿")
    make_mentor(name="诸葛亮")
    queries = count_queries(monkeypatch)
    response = coordinator.get("/mentors/", params={"q": query})
    assert mentor_names(response) == ["司马懿"]
    assert response.context["page"].total == 1
    assert scans(queries) == []


@pytest.mark.parametrize("query", ["昭", "司马"])
def test_assignment_search_by_one_or_two_characters(coordinator, people, monkeypatch, query):
    student = make_student(name="司马昭")
    make_assignment(student, people.mentor_id, people.mine.enterprise_mentor)
    queries = count_queries(monkeypatch)
    response = coordinator.get("/mentorships/", params={"q": query})
    assert student_names(response) == ["司马昭"]
    assert response.context["page"].total == 1
    assert scans(queries) == []


def test_a_partner_s_search_stays_within_its_enterprise(signed_in, people):
    make_mentor(side="enterprise", enterprise=people.enterprise_b, name="司马徽")
    mine = make_mentor(side="enterprise", enterprise=people.enterprise_a, name="司马光")
    partner = signed_in("partner")
    assert mentor_names(partner.get("/mentors/", params={"q": "司马"})) == ["司马光"]
    student = make_student(name="司马迁")
    make_assignment(student, people.mentor_id, mine, project=people.theirs.project)
    assert student_names(partner.get("/mentorships/", params={"q": "司马"})) == []


def test_a_new_mentor_is_found_right_after_it_is_added(coordinator, people):
    make_mentor(name="欧阳修")
    assert mentor_names(coordinator.get("/mentors/?q=欧阳")) == ["欧阳修"]
    make_mentor(name="欧阳询")
    response = coordinator.get("/mentors/?q=欧阳")
    assert sorted(mentor_names(response)) == ["欧阳修", "欧阳询"]
    assert "2" in Browser.soup(response).select_one(".list-export").get_text()
