"""The dual-mentor rules as plain functions, without HTTP (their pages are tested in
test_mentors.py and test_mentorships.py)."""

from __future__ import annotations

import datetime
import decimal

import pytest

from partners.coeducation.mentorships import (
    assignment_scope,
    average_scores,
    check_capacity,
    check_hours,
    check_log_form,
    check_mentor_form,
    check_mentor_pair,
    check_period,
    current_term,
    is_valid_term,
    rank_suggestions,
    writer_for,
)
from partners.coeducation.tables import MentorAssignment
from partners.dashboard_queries import needing_attention
from portal.forms import FormState
from portal.tables import Role
from tests.support import make_assignment, make_log, make_mentor, make_student, run

COLLEGE = {"id": 1, "side": "college", "enterprise": None, "name": "王老师", "max_mentees": 2}
ENTERPRISE = {"id": 2, "side": "enterprise", "enterprise": 10, "name": "李工", "max_mentees": 2}
PROJECT = {"id": 5, "enterprise": 10}
MENTORS = (1, 2)  # the assignment's college and enterprise mentors


def fields(errors) -> list[str]:
    return [error.field for error in errors]


def test_a_proper_pair_passes():
    assert check_mentor_pair(COLLEGE, ENTERPRISE, PROJECT) == []
    assert check_mentor_pair(COLLEGE, ENTERPRISE, None) == []


def test_sides_must_match_their_slot():
    assert fields(check_mentor_pair(ENTERPRISE, COLLEGE, None)) == [
        "college_mentor",
        "enterprise_mentor",
    ]


def test_the_enterprise_mentor_belongs_to_the_projects_enterprise():
    [error] = check_mentor_pair(COLLEGE, ENTERPRISE, {"id": 6, "enterprise": 11})
    assert error.field == "enterprise_mentor"
    assert "企业" in error.message


def test_a_mentor_at_their_maximum_takes_no_one_more():
    assert check_capacity("college_mentor", COLLEGE, 1) == []
    [error] = check_capacity("college_mentor", COLLEGE, 2)
    assert error.field == "college_mentor" and "王老师" in error.message


def test_the_end_is_not_before_the_start():
    start = datetime.date(2026, 9, 1)
    assert check_period(start, None) == []
    assert check_period(start, start) == []
    assert fields(check_period(start, start - datetime.timedelta(days=1))) == ["ends_on"]


def form(**values: str) -> FormState:
    return FormState(values=values)


@pytest.mark.parametrize("raw", ["0.5", "1", "1.5", "24", "8.0"])
def test_hours_in_half_hour_steps(raw):
    state = form(hours=raw)
    assert check_hours(state) == decimal.Decimal(raw)
    assert state.valid


@pytest.mark.parametrize("raw", ["0", "0.3", "1.25", "24.5", "25", "-1", "abc", ""])
def test_wrong_hours(raw):
    state = form(hours=raw)
    assert check_hours(state) is None
    assert "hours" in state.errors


def test_a_log_cannot_be_dated_in_the_future():
    today = datetime.date(2026, 11, 1)
    state = form(held_on="2026-11-02", mode="online", topic="职业规划", hours="1")
    check_log_form(state, today)
    assert list(state.errors) == ["held_on"]
    state = form(held_on="2026-11-01", mode="phone", topic="", hours="1")
    check_log_form(state, today)
    assert set(state.errors) == {"mode", "topic"}


def test_a_mentor_account_writes_only_for_itself():
    assert writer_for(Role.mentor, 1, MENTORS, "2") == (1, False, [])
    mentor_id, _, errors = writer_for(Role.mentor, 3, MENTORS, "1")
    assert mentor_id is None and fields(errors) == ["mentor"]


def test_partners_and_coordinators_write_on_behalf_of_either_mentor():
    assert writer_for(Role.partner, None, MENTORS, "2") == (2, True, [])
    assert writer_for(Role.coordinator, None, MENTORS, "1") == (1, True, [])
    assert fields(writer_for(Role.coordinator, None, MENTORS, "3")[2]) == ["mentor"]
    assert fields(writer_for(Role.coordinator, None, MENTORS, "")[2]) == ["mentor"]


def test_students_cannot_write_logs():
    assert fields(writer_for(Role.student, None, MENTORS, "1")[2]) == ["mentor"]


@pytest.mark.parametrize("term", ["2026-2027-1", "2025-2026-2"])
def test_valid_terms(term):
    assert is_valid_term(term)


@pytest.mark.parametrize("term", ["2026-2028-1", "2026-2027-3", "2026-2027", "26-27-1", "x"])
def test_wrong_terms(term):
    assert not is_valid_term(term)


def test_current_term():
    assert current_term(datetime.date(2026, 10, 1)) == "2026-2027-1"
    assert current_term(datetime.date(2027, 1, 10)) == "2026-2027-1"
    assert current_term(datetime.date(2027, 3, 1)) == "2026-2027-2"


def test_average_scores():
    rows = [
        dict(political=90, professional=80, practical=70, innovation=60, craftsmanship=100),
        dict(political=80, professional=80, practical=80, innovation=80, craftsmanship=80),
    ]
    averages = average_scores(rows)
    assert averages["political"] == 85.0 and averages["innovation"] == 70.0
    assert averages["overall"] == 80.0
    assert average_scores([])["overall"] is None


def test_suggestions_put_party_members_first_then_free_places():
    mentors = [
        {"id": 1, "name": "甲", "party_member": False, "max_mentees": 9, "active": 0},
        {"id": 2, "name": "乙", "party_member": True, "max_mentees": 3, "active": 2},
        {"id": 3, "name": "丙", "party_member": True, "max_mentees": 5, "active": 1},
        {"id": 4, "name": "丁", "party_member": True, "max_mentees": 2, "active": 2},
    ]
    assert [m["id"] for m in rank_suggestions(mentors)] == [3, 2, 1]


def test_mentor_form_rules():
    state = form(side="college", name="王老师", max_mentees="51", phone="123")
    check_mentor_form(state)
    assert set(state.errors) == {"max_mentees", "phone"}
    state = form(side="enterprise", name="李工", max_mentees="5")
    check_mentor_form(state)
    assert list(state.errors) == ["enterprise"]
    state = form(side="college", name="李工", max_mentees="5", enterprise="7")
    values = check_mentor_form(state, forced_enterprise=3)
    assert state.valid and values["side"] == "enterprise" and values["enterprise"] == 3


class FakeUser:
    def __init__(self, role: Role, **ids) -> None:
        self.role = role
        self.student_id = ids.get("student_id")
        self.enterprise_id = ids.get("enterprise_id")
        self.mentor_id = ids.get("mentor_id")


class FakeRequest:
    def __init__(self, role: Role, **ids) -> None:
        self.user = FakeUser(role, **ids)


def test_students_needing_attention(people):
    quiet = make_assignment(make_student(), make_mentor(), people.mine.enterprise_mentor)
    make_log(quiet, people.mine.enterprise_mentor, held_on=datetime.date(2026, 12, 20))
    today = datetime.date(2026, 11, 20)  # mine's last log 2026-10-15: 36 days
    college = FakeUser(Role.coordinator)
    rows = run(needing_attention(college, today))
    ids = [row.id for row in rows]
    assert people.mine.assignment in ids and people.theirs.assignment in ids
    mine = next(row for row in rows if row.id == people.mine.assignment)
    assert mine.last_log == datetime.date(2026, 10, 15) and (today - mine.since).days == 36
    assert run(needing_attention(college, datetime.date(2026, 11, 10))) == []
    mentor = FakeUser(Role.mentor, mentor_id=people.mentor_id)
    assert [row.id for row in run(needing_attention(mentor, today))] == [people.mine.assignment]
    run(MentorAssignment.update({MentorAssignment.status: "ended"}, force=True))
    assert run(needing_attention(college, today)) == []


def test_an_assignment_without_logs_counts_from_its_start(people):
    own_mentor = make_mentor()
    make_assignment(make_student(), own_mentor, people.mine.enterprise_mentor)
    mentor = FakeUser(Role.mentor, mentor_id=own_mentor)
    assert run(needing_attention(mentor, datetime.date(2026, 10, 1))) == []
    [row] = run(needing_attention(mentor, datetime.date(2026, 10, 2)))
    assert row.last_log is None and row.since == datetime.date(2026, 9, 1)


def test_the_longest_waiting_come_first_even_beyond_the_list_length(people):
    mentor_id = make_mentor()
    started_late_but_never_logged = make_assignment(
        make_student(),
        mentor_id,
        people.mine.enterprise_mentor,
        starts_on=datetime.date(2026, 3, 1),
    )
    started_early_logged_lately = make_assignment(
        make_student(),
        mentor_id,
        people.mine.enterprise_mentor,
        starts_on=datetime.date(2026, 1, 1),
    )
    make_log(started_early_logged_lately, mentor_id, held_on=datetime.date(2026, 6, 1))
    mentor = FakeUser(Role.mentor, mentor_id=mentor_id)
    [first] = run(needing_attention(mentor, datetime.date(2026, 11, 20), limit=1))
    assert first.id == started_late_but_never_logged


def test_scope_of_a_viewer_without_links_is_empty(people):
    scope = assignment_scope(FakeRequest(Role.student))
    assert run(MentorAssignment.count().where(*scope)) == 0
    scope = assignment_scope(FakeRequest(Role.partner, enterprise_id=people.enterprise_a))
    ids = [row["id"] for row in run(MentorAssignment.select(MentorAssignment.id).where(*scope))]
    assert ids == [people.mine.assignment]
