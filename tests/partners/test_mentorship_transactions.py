"""The dual-mentor transactions called directly, without HTTP: what they write, what they
refuse (each rule read inside the write's transaction), and that they refuse everything at once
where the form shows it so."""

from __future__ import annotations

import datetime
import decimal

import pytest

from partners.coeducation import mentorships
from partners.coeducation.mentors import check_mentor_form, save_mentor, visible_mentor
from partners.coeducation.mentorships import (
    AssignmentDraft,
    EvaluationValues,
    LogValues,
    NewAssignment,
    Writer,
    acknowledge_log,
    add_evaluation,
    add_log,
    create_assignment,
    end_assignment,
    plan_assignment,
)
from partners.coeducation.tables import Evaluation, Mentor, MentorAssignment, MentoringLog, Project
from portal.audit import Actor
from portal.auth import Viewer
from portal.domain_errors import NotVisible, Refused
from portal.forms import FormState
from portal.tables import AuditEntry, Role, Student
from tests.support import make_assignment, make_mentor, make_participation, make_student, run

D = datetime.date
ACTOR = Actor(None, "test")
SCORES = {"political": 90, "professional": 80, "practical": 85, "innovation": 70}


def student_no(student_id: int) -> str:
    row = run(Student.select(Student.student_no).where(Student.id == student_id).first())
    return row["student_no"]


def draft(people, student: int, **changes) -> AssignmentDraft:
    values = {
        "student_no": student_no(student),
        "project": str(people.mine.project),
        "college_mentor": str(people.mentor_id),
        "enterprise_mentor": str(people.mine.enterprise_mentor),
        "starts_on": D(2026, 9, 10),
        "ends_on": None,
        **changes,
    }
    return AssignmentDraft(**values)


def placed_student(people) -> int:
    student = make_student()
    make_participation(people.mine.project, student)
    return student


def planned(people, student: int, **changes) -> NewAssignment:
    new = run(plan_assignment(draft(people, student, **changes)))
    assert new is not None
    return new


def refusal_fields(refused: pytest.ExceptionInfo[Refused]) -> set[str]:
    return {error.field for error in refused.value.errors}


def active_assignments(student: int) -> int:
    return run(
        MentorAssignment.count().where(
            MentorAssignment.student == student, MentorAssignment.status == "active"
        )
    )


# --- planning and creating an assignment ------------------------------------------------------


def test_the_plan_names_every_problem_at_once(people):
    wrong = draft(
        people,
        placed_student(people),
        student_no="NOPE0000",
        college_mentor=str(people.mine.enterprise_mentor),  # an enterprise-side mentor
        enterprise_mentor=str(people.theirs.enterprise_mentor),  # another enterprise's
        ends_on=D(2026, 9, 1),
    )
    with pytest.raises(Refused) as refused:
        run(plan_assignment(wrong))
    assert refusal_fields(refused) == {
        "student_no",
        "college_mentor",
        "enterprise_mentor",
        "ends_on",
    }


def test_the_student_takes_part_in_an_open_project(people):
    with pytest.raises(Refused) as refused:
        run(plan_assignment(draft(people, make_student())))
    assert refusal_fields(refused) == {"project"}
    student = placed_student(people)
    run(Project.update({Project.status: "closed"}).where(Project.id == people.mine.project))
    with pytest.raises(Refused) as refused:
        run(plan_assignment(draft(people, student)))
    assert refusal_fields(refused) == {"project"}


def test_unknown_choices_are_refused_and_an_incomplete_draft_is_no_plan(people):
    student = placed_student(people)
    with pytest.raises(Refused) as refused:
        run(plan_assignment(draft(people, student, project="99999", college_mentor="x")))
    assert refusal_fields(refused) == {"project", "college_mentor"}
    assert run(plan_assignment(draft(people, student, starts_on=None))) is None


def test_an_assignment_is_created_and_audited(people):
    student = placed_student(people)
    assignment_id = run(create_assignment(ACTOR, planned(people, student)))
    row = run(MentorAssignment.select().where(MentorAssignment.id == assignment_id).first())
    assert (row["student"], row["project"], row["status"]) == (
        student,
        people.mine.project,
        "active",
    )
    assert run(
        AuditEntry.exists().where(
            AuditEntry.table_name == "partners_mentor_assignment",
            AuditEntry.row_id == assignment_id,
        )
    )


def test_one_active_assignment_per_student_and_project_until_it_ends(people):
    with pytest.raises(Refused) as refused:
        run(create_assignment(ACTOR, planned(people, people.student_id)))
    assert refusal_fields(refused) == {"student_no"}
    run(end_assignment(ACTOR, people.mine.assignment, D(2026, 12, 1)))
    run(create_assignment(ACTOR, planned(people, people.student_id)))
    assert active_assignments(people.student_id) == 1


def test_one_active_assignment_outside_any_project(people):
    student = make_student()
    run(create_assignment(ACTOR, planned(people, student, project="")))
    with pytest.raises(Refused) as refused:
        run(create_assignment(ACTOR, planned(people, student, project="")))
    assert refusal_fields(refused) == {"student_no"}
    assert active_assignments(student) == 1


def test_a_mentor_at_the_maximum_takes_no_one_more(people):
    run(Mentor.update({Mentor.max_mentees: 1}).where(Mentor.id == people.mentor_id))
    student = placed_student(people)
    with pytest.raises(Refused) as refused:
        run(create_assignment(ACTOR, planned(people, student)))
    assert refusal_fields(refused) == {"college_mentor"}
    assert active_assignments(student) == 0


# --- ending ------------------------------------------------------------------------------------


def test_an_assignment_ends_once_never_before_its_start(people):
    run(end_assignment(ACTOR, people.mine.assignment, D(2026, 8, 1)))  # before its start
    row = run(
        MentorAssignment.select().where(MentorAssignment.id == people.mine.assignment).first()
    )
    assert row["status"] == "ended" and row["ends_on"] == row["starts_on"]
    with pytest.raises(Refused) as refused:
        run(end_assignment(ACTOR, people.mine.assignment, D(2026, 12, 1)))
    assert refusal_fields(refused) == {"form"}


# --- logs and evaluations ----------------------------------------------------------------------


def test_a_log_records_its_writer_and_whom_it_was_written_for(people):
    log = LogValues(D(2026, 10, 20), "online", "职业规划", "", decimal.Decimal("1.5"))
    actor = Actor(people.partner_user, "partner_a")
    writer = Writer(people.mine.enterprise_mentor, on_behalf=True)
    log_id = run(add_log(actor, people.mine.assignment, writer, log))
    row = run(MentoringLog.select().where(MentoringLog.id == log_id).first())
    assert row["mentor"] == people.mine.enterprise_mentor and row["on_behalf"] is True
    assert row["written_by"] == people.partner_user and row["hours"] == decimal.Decimal("1.5")


def test_only_the_assignments_student_acknowledges_a_log_once(people):
    student = Viewer(
        people.student_user, "student1", Role.student, "", "", student_id=people.student_id
    )
    other = Viewer(0, "other", Role.student, "", "", student_id=people.other_student_id)
    now = datetime.datetime(2026, 10, 21, 9, 0)
    args = (people.mine.assignment, people.mine.log, now)
    with pytest.raises(NotVisible):
        run(acknowledge_log(ACTOR, other, *args))
    assert run(acknowledge_log(ACTOR, student, *args)) is True
    assert run(acknowledge_log(ACTOR, student, *args)) is False


def evaluation(term: str) -> EvaluationValues:
    return EvaluationValues(term, {**SCORES, "craftsmanship": 95}, "认真")


def test_a_mentor_evaluates_an_assignment_once_per_term_and_the_student_is_rescored(
    people, monkeypatch
):
    announced = []

    async def record(event):
        announced.append(event)

    monkeypatch.setattr(mentorships, "announce", record)
    writer = Writer(people.mentor_id, on_behalf=False)
    args = (ACTOR, people.mine.assignment, people.student_id, writer)
    with pytest.raises(Refused) as refused:  # the fixture's evaluation of 2026-2027-1
        run(add_evaluation(*args, evaluation("2026-2027-1")))
    assert refusal_fields(refused) == {"term"} and announced == []
    run(add_evaluation(*args, evaluation("2026-2027-2")))
    assert [set(event.student_ids) for event in announced] == [{people.student_id}]
    other_mentor = Writer(people.mine.enterprise_mentor, on_behalf=True)
    run(
        add_evaluation(
            ACTOR,
            people.mine.assignment,
            people.student_id,
            other_mentor,
            evaluation("2026-2027-1"),
        )
    )
    assert run(Evaluation.count().where(Evaluation.assignment == people.mine.assignment)) == 3


# --- saving a mentor ---------------------------------------------------------------------------


def mentor_values(**changes: str) -> dict:
    values = {"side": "college", "name": "王建国", "department": "智能制造学院", "max_mentees": "6"}
    state = FormState(values={**values, **changes})
    checked = check_mentor_form(state)
    assert state.valid, state.errors
    return checked


def coordinator() -> Viewer:
    return Viewer(1, "coord", Role.coordinator, "", "")


def test_a_mentor_is_saved_and_their_rules_hold(people):
    mentor_id = run(save_mentor(ACTOR, mentor_values(), None))
    mentor = run(visible_mentor(coordinator(), mentor_id))
    assert (mentor.name, mentor.max_mentees) == ("王建国", 6)
    make_assignment(make_student(), mentor_id, people.mine.enterprise_mentor)
    make_assignment(make_student(), mentor_id, people.mine.enterprise_mentor)
    with pytest.raises(Refused) as refused:
        run(save_mentor(ACTOR, mentor_values(max_mentees="1"), mentor))
    assert refusal_fields(refused) == {"max_mentees"}
    moved = mentor_values(side="enterprise", enterprise=str(people.enterprise_a), max_mentees="1")
    with pytest.raises(Refused) as refused:
        run(save_mentor(ACTOR, moved, mentor))
    assert refusal_fields(refused) == {"max_mentees", "side"}
    run(save_mentor(ACTOR, mentor_values(max_mentees="2", name="改名"), mentor))
    assert run(visible_mentor(coordinator(), mentor_id)).name == "改名"


def test_an_enterprise_mentor_needs_an_enterprise_the_portal_knows():
    values = mentor_values(side="enterprise", enterprise="99999")
    with pytest.raises(Refused) as refused:
        run(save_mentor(ACTOR, values, None))
    assert refusal_fields(refused) == {"enterprise"}


def test_a_partner_sees_only_its_own_enterprises_mentors(people):
    partner = Viewer(
        people.partner_user, "partner_a", Role.partner, "", "", enterprise_id=people.enterprise_a
    )
    assert run(visible_mentor(partner, people.mine.enterprise_mentor)).side == "enterprise"
    for hidden in (people.mentor_id, people.theirs.enterprise_mentor, make_mentor()):
        with pytest.raises(NotVisible):
            run(visible_mentor(partner, hidden))
