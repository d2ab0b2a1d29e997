"""The dual-mentor rules without HTTP (their pages are tested in test_mentors.py and
test_mentorships.py): the pure checks at their boundaries — sides, a mentor's maximum of
active mentees, one active assignment per student and project, who writes for whom, one
evaluation per mentor, assignment and term — and the transactions that apply them, called
directly."""

from __future__ import annotations

import datetime
import decimal

import pytest

from partners.coeducation.mentors import (
    MentorLoad,
    check_max_not_below_active,
    check_mentor_form,
    check_side_kept,
    rank_suggestions,
)
from partners.coeducation.mentorships import (
    MentorChoice,
    NewAssignment,
    ProjectChoice,
    Writer,
    assignment_refusals,
    assignment_scope,
    average_scores,
    check_capacity,
    check_evaluated_once,
    check_evaluation_form,
    check_hours,
    check_log_form,
    check_may_end,
    check_mentor_pair,
    check_period,
    check_project_open,
    current_term,
    is_valid_term,
    writer_for,
)
from partners.coeducation.tables import MentorAssignment
from partners.dashboard_queries import needing_attention
from portal.auth import Viewer
from portal.domain_errors import FieldError, Refused
from portal.forms import FormState
from portal.tables import Role
from tests.support import make_assignment, make_log, make_mentor, make_student, run

COLLEGE = MentorChoice(id=1, name="王老师", side="college", enterprise=None, max_mentees=2)
ENTERPRISE = MentorChoice(id=2, name="李工", side="enterprise", enterprise=10, max_mentees=2)
PROJECT = ProjectChoice(id=5, name="数控实训基地", enterprise=10, status="active")
MENTORS = (1, 2)  # the assignment's college and enterprise mentors


def fields(errors: list[FieldError]) -> list[str]:
    return [error.field for error in errors]


def refused_fields(refusal: pytest.ExceptionInfo[Refused]) -> list[str]:
    return fields(refusal.value.errors)


def viewer(role: Role, **ids: int | None) -> Viewer:
    return Viewer(user_id=1, username="test", role=role, name="", session_token="", **ids)


def test_a_proper_pair_passes():
    assert check_mentor_pair(COLLEGE, ENTERPRISE, PROJECT) == []
    assert check_mentor_pair(COLLEGE, ENTERPRISE, None) == []


def test_sides_must_match_their_slot():
    assert fields(check_mentor_pair(ENTERPRISE, COLLEGE, None)) == [
        "college_mentor",
        "enterprise_mentor",
    ]


def test_the_enterprise_mentor_belongs_to_the_projects_enterprise():
    other = ProjectChoice(id=6, name="另一个项目", enterprise=11, status="active")
    [error] = check_mentor_pair(COLLEGE, ENTERPRISE, other)
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
    assert writer_for(Role.mentor, 1, MENTORS, "2") == Writer(1, on_behalf=False)
    with pytest.raises(Refused) as refused:
        writer_for(Role.mentor, 3, MENTORS, "1")
    assert refused_fields(refused) == ["mentor"]


def test_partners_and_coordinators_write_on_behalf_of_either_mentor():
    assert writer_for(Role.partner, None, MENTORS, "2") == Writer(2, on_behalf=True)
    assert writer_for(Role.coordinator, None, MENTORS, "1") == Writer(1, on_behalf=True)
    for chosen in ("3", "", "x"):
        with pytest.raises(Refused) as refused:
            writer_for(Role.coordinator, None, MENTORS, chosen)
        assert refused_fields(refused) == ["mentor"]


def test_students_cannot_write_logs():
    with pytest.raises(Refused) as refused:
        writer_for(Role.student, None, MENTORS, "1")
    assert refused_fields(refused) == ["mentor"]


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
    def load(mentor_id: int, name: str, party: bool, maximum: int, active: int) -> MentorLoad:
        return MentorLoad(mentor_id, name, party, maximum, None, "", "", active)

    mentors = [
        load(1, "甲", False, 9, 0),
        load(2, "乙", True, 3, 2),
        load(3, "丙", True, 5, 1),
        load(4, "丁", True, 2, 2),
    ]
    assert [m.id for m in rank_suggestions(mentors)] == [3, 2, 1]


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
    state = form(side="enterprise", name="李工", max_mentees="5", enterprise="3", email="li@")
    check_mentor_form(state)
    assert list(state.errors) == ["email"] and state.values["email"] == "li@"
    state = form(side="enterprise", name="李工", max_mentees="5", enterprise="3", email=" li@a.cn ")
    assert check_mentor_form(state)["email"] == "li@a.cn"
    state = form(side="college", name="王老师", max_mentees="5", email="wang@college.cn")
    assert check_mentor_form(state)["email"] == ""  # a college mentor signs in instead


def test_students_needing_attention(people):
    quiet = make_assignment(make_student(), make_mentor(), people.mine.enterprise_mentor)
    make_log(quiet, people.mine.enterprise_mentor, held_on=datetime.date(2026, 12, 20))
    today = datetime.date(2026, 11, 20)  # mine's last log 2026-10-15: 36 days
    college = viewer(Role.coordinator)
    rows = run(needing_attention(college, today))
    ids = [row.id for row in rows]
    assert people.mine.assignment in ids and people.theirs.assignment in ids
    mine = next(row for row in rows if row.id == people.mine.assignment)
    assert mine.last_log == datetime.date(2026, 10, 15) and (today - mine.since).days == 36
    assert run(needing_attention(college, datetime.date(2026, 11, 10))) == []
    mentor = viewer(Role.mentor, mentor_id=people.mentor_id)
    assert [row.id for row in run(needing_attention(mentor, today))] == [people.mine.assignment]
    run(MentorAssignment.update({MentorAssignment.status: "ended"}, force=True))
    assert run(needing_attention(college, today)) == []


def test_an_assignment_without_logs_counts_from_its_start(people):
    own_mentor = make_mentor()
    make_assignment(make_student(), own_mentor, people.mine.enterprise_mentor)
    mentor = viewer(Role.mentor, mentor_id=own_mentor)
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
    mentor = viewer(Role.mentor, mentor_id=mentor_id)
    [first] = run(needing_attention(mentor, datetime.date(2026, 11, 20), limit=1))
    assert first.id == started_late_but_never_logged


def test_scope_of_a_viewer_without_links_is_empty(people):
    scope = assignment_scope(viewer(Role.student))
    assert run(MentorAssignment.count().where(*scope)) == 0
    scope = assignment_scope(viewer(Role.partner, enterprise_id=people.enterprise_a))
    ids = [row["id"] for row in run(MentorAssignment.select(MentorAssignment.id).where(*scope))]
    assert ids == [people.mine.assignment]


# --- the rules read under the lock, at their boundaries ------------------------------------------


def new_assignment(project: ProjectChoice | None = PROJECT) -> NewAssignment:
    return NewAssignment(
        student=7,
        project=project,
        college_mentor=COLLEGE,
        enterprise_mentor=ENTERPRISE,
        starts_on=datetime.date(2026, 9, 1),
        ends_on=None,
    )


def test_a_mentor_takes_mentees_up_to_the_maximum_on_either_side():
    new = new_assignment()
    assert assignment_refusals(new, {1: 1, 2: 1}, already_assigned=False) == []
    assert fields(assignment_refusals(new, {1: 2}, already_assigned=False)) == ["college_mentor"]
    assert fields(assignment_refusals(new, {2: 2}, already_assigned=False)) == ["enterprise_mentor"]
    both_full = assignment_refusals(new, {1: 2, 2: 3}, already_assigned=False)
    assert fields(both_full) == ["college_mentor", "enterprise_mentor"]


def test_one_active_assignment_per_student_and_project():
    [error] = assignment_refusals(new_assignment(), {}, already_assigned=True)
    assert error.field == "student_no" and "已" in error.message
    errors = assignment_refusals(new_assignment(), {1: 2}, already_assigned=True)
    assert fields(errors) == ["college_mentor", "student_no"]  # every problem at once


def test_a_closed_project_takes_no_new_assignment():
    assert check_project_open(None) == check_project_open(PROJECT) == []
    closed = ProjectChoice(id=5, name="已结束项目", enterprise=10, status="closed")
    assert fields(check_project_open(closed)) == ["project"]


def test_an_assignment_is_ended_once():
    check_may_end("active")
    with pytest.raises(Refused) as refused:
        check_may_end("ended")
    assert refused_fields(refused) == ["form"]


def test_a_mentor_evaluates_once_per_term():
    check_evaluated_once(False)
    with pytest.raises(Refused) as refused:
        check_evaluated_once(True)
    assert refused_fields(refused) == ["term"]


def test_the_maximum_never_drops_below_the_active_mentees():
    assert check_max_not_below_active(3, 3) == []
    assert check_max_not_below_active(None, 3) == []  # the form already said it is missing
    [error] = check_max_not_below_active(2, 3)
    assert error.field == "max_mentees" and "3" in error.message


def test_a_mentor_with_assignments_keeps_their_side():
    assert check_side_kept("college", "college", has_assignments=True) == []
    assert check_side_kept("college", "enterprise", has_assignments=False) == []
    assert fields(check_side_kept("college", "enterprise", has_assignments=True)) == ["side"]


def test_evaluation_form():
    scores = {name: "80" for name in ("political", "professional", "practical", "innovation")}
    state = form(term="2026-2027-1", craftsmanship="100", comment="好", **scores)
    values = check_evaluation_form(state)
    assert state.valid and values is not None
    assert values.term == "2026-2027-1" and values.scores["craftsmanship"] == 100
    state = form(term="2026-2027-3", craftsmanship="101", **scores)
    assert check_evaluation_form(state) is None
    assert set(state.errors) == {"term", "craftsmanship"}


def test_a_valid_log_form_gives_the_log():
    state = form(held_on="2026-10-01", mode="online", topic="职业规划", hours="1.5")
    log = check_log_form(state, datetime.date(2026, 11, 1))
    assert log is not None and log.hours == decimal.Decimal("1.5") and log.content == ""
