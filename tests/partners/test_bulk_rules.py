"""Bulk enrolment and pairing (partners.coeducation.bulk) without HTTP: every ticked student
goes through the single forms' rules and transaction on their own — the refused ones are
reported with the rules' messages and nothing is written for them, the others are written
with one audit entry each."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from partners.coeducation.bulk import (
    ChosenStudent,
    check_bulk_member_form,
    check_pairing,
    check_selection,
    chosen_students,
    enroll_students,
    pair_students,
    read_pairing_form,
)
from partners.coeducation.mentorships import (
    AssignmentDraft,
    duplicate_assignment_error,
    no_participation_error,
)
from partners.coeducation.participations import already_member_error, check_capacity
from partners.coeducation.placement_rules import check_not_first_year
from partners.coeducation.tables import Mentor, MentorAssignment, Participation
from portal.audit import Actor
from portal.domain_errors import FORM, Refused
from portal.forms import FormState
from portal.selection import MAX_SELECTED, selected_ids
from portal.tables import AuditEntry
from tests.support import (
    make_enterprise,
    make_mentor,
    make_participation,
    make_project,
    make_student,
    run,
)

D = datetime.date
ACTOR = Actor(None, "test")
TODAY = D(2026, 9, 1)


def chosen(*ids: int) -> list[ChosenStudent]:
    return run(chosen_students(list(ids)))


def audit_rows(table: str) -> list[dict[str, Any]]:
    return run(AuditEntry.select().where(AuditEntry.table_name == table))


def memberships(student_id: int) -> int:
    return run(Participation.count().where(Participation.student == student_id))


def message_of(rule: Any) -> str:
    """The message a rule refuses with (in the tests' language, as the bulk result shows it)."""
    with pytest.raises(Refused) as refusal:
        rule()
    return refusal.value.errors[0].message


def mentor_name(mentor_id: int) -> str:
    row = run(Mentor.select(Mentor.name).where(Mentor.id == mentor_id).first())
    return str(row["name"])


def placement_values(**fields: Any) -> dict[str, Any]:
    """A complete post internship from 2026-09-01 to 2027-01-31 (no student: the bulk form
    gives every ticked student the same)."""
    return {
        "starts_on": D(2026, 9, 1),
        "ends_on": D(2027, 1, 31),
        "position": "装配技术员",
        "internship_kind": "post",
        "agreement_signed_on": D(2026, 8, 20),
        "agreement_parties": "school,enterprise,student",
        "insurance_policy_no": "PICC-1",
        "insurance_starts_on": D(2026, 9, 1),
        "insurance_ends_on": D(2027, 1, 31),
        "post_headcount": 100,
        "monthly_pay": 4000,
        "post_wage": 5000,
        "daily_hours": 8,
        "weekly_hours": 40,
        **fields,
    }


def test_the_ticked_ids_are_cleaned_and_the_students_kept_in_order():
    assert selected_ids(["3", "x", "1", "3", "-2", "0", " 7 ", "1e3"]) == [3, 1, 7]
    assert len(selected_ids(str(n) for n in range(1, MAX_SELECTED + 50))) == MAX_SELECTED
    first, second = make_student(name="甲"), make_student(name="乙")
    found = chosen(second, 999_999, first)
    assert [student.name for student in found] == ["乙", "甲"]
    assert chosen() == []
    with pytest.raises(Refused) as refusal:
        check_selection([])
    assert refusal.value.errors[0].field == FORM


def test_an_enrolment_adds_the_others_and_reports_the_member_already_in():
    project = make_project(make_enterprise(), kind="research", capacity=10)
    first, already, third = make_student(), make_student(name="王已在"), make_student()
    make_participation(project, already, kind="enrollment")
    before = len(audit_rows("partners_participation"))

    result = run(enroll_students(ACTOR, project, chosen(first, already, third), {}, TODAY))

    assert [done.student.id for done in result.done] == [first, third]
    assert all(done.status == "active" for done in result.done)
    [refusal] = result.refused
    assert refusal.student.name == "王已在"
    assert refusal.messages == (already_member_error().errors[0].message,)
    assert memberships(already) == 1  # nothing written for the refused student
    assert memberships(first) == memberships(third) == 1
    entries = audit_rows("partners_participation")[before:]
    assert len(entries) == 2  # one audit entry per student written, as a single add
    assert {entry["action"] for entry in entries} == {"create"}


def test_a_full_project_refuses_the_students_beyond_its_capacity():
    project = make_project(make_enterprise(), kind="research", capacity=2)
    students = [make_student() for _ in range(3)]
    result = run(enroll_students(ACTOR, project, chosen(*students), {}, TODAY))
    assert len(result.done) == 2
    [refusal] = result.refused
    assert refusal.student.id == students[2]
    assert refusal.messages == (message_of(lambda: check_capacity(2, 2)),)
    assert memberships(students[2]) == 0


def test_a_placement_checks_every_student_against_the_internship_rules():
    base = make_project(make_enterprise(employee_count=500))
    freshman = make_student(name="新生", cohort_year=2026)
    second_years = [make_student(cohort_year=2025) for _ in range(2)]
    ids = [second_years[0], freshman, second_years[1]]

    result = run(enroll_students(ACTOR, base, chosen(*ids), placement_values(), TODAY))

    assert [done.student.id for done in result.done] == second_years
    # Pending: no mentors yet, as a single placement would be.
    assert {done.status for done in result.done} == {"pending"}
    [refusal] = result.refused
    assert refusal.student.name == "新生"
    assert refusal.messages == (message_of(lambda: check_not_first_year(2026, TODAY)),)
    assert "职业学校学生实习管理规定" in refusal.messages[0]
    assert memberships(freshman) == 0


def test_the_bulk_member_form_asks_what_the_single_one_does_but_the_student():
    placement_form = FormState(values={"ends_on": "2026-01-01", "internship_kind": "x"})
    check_bulk_member_form(placement_form, "training_base")
    assert set(placement_form.errors) >= {"starts_on", "position", "internship_kind"}
    assert "student_no" not in placement_form.errors

    enrolment_form = FormState(values={"internship_kind": "cognitive"})
    values = check_bulk_member_form(enrolment_form, "order_class")
    assert enrolment_form.valid
    assert values == {"internship_kind": "cognitive", "override_reason": ""}

    bad_period = FormState(values={**{k: str(v) for k, v in placement_values().items()}})
    bad_period.values["ends_on"] = "2026-08-01"
    check_bulk_member_form(bad_period, "training_base")
    assert set(bad_period.errors) == {"ends_on"}


def mentors_of(enterprise: int, college_max: int = 8) -> tuple[int, int]:
    college = make_mentor(max_mentees=college_max)
    company = make_mentor(side="enterprise", enterprise=enterprise, department="")
    return college, company


def draft(project: int | None, college: int, company: int) -> AssignmentDraft:
    return AssignmentDraft(
        student_no="",
        project=str(project or ""),
        college_mentor=str(college),
        enterprise_mentor=str(company),
        starts_on=TODAY,
        ends_on=None,
    )


def test_pairing_reports_a_student_outside_the_project_and_a_full_mentor():
    enterprise = make_enterprise()
    project = make_project(enterprise, kind="research")
    college, company = mentors_of(enterprise, college_max=2)
    members = [make_student() for _ in range(3)]
    for student in members:
        make_participation(project, student, kind="enrollment")
    outsider = make_student(name="局外人")
    before = len(audit_rows("partners_mentor_assignment"))

    result = run(
        pair_students(
            ACTOR, chosen(members[0], outsider, *members[1:]), draft(project, college, company)
        )
    )

    assert [done.student.id for done in result.done] == members[:2]
    outside, full = result.refused
    assert outside.student.name == "局外人"
    assert outside.messages == (no_participation_error().message,)
    assert full.student.id == members[2]
    [message] = full.messages
    assert "2" in message and mentor_name(college) in message
    assigned = run(MentorAssignment.select(MentorAssignment.student))
    assert {row["student"] for row in assigned} == set(members[:2])
    assert len(audit_rows("partners_mentor_assignment")) - before == 2


def test_pairing_twice_refuses_the_second_assignment_in_the_same_project():
    enterprise = make_enterprise()
    college, company = mentors_of(enterprise)
    student = make_student()
    first = run(pair_students(ACTOR, chosen(student), draft(None, college, company)))
    again = run(pair_students(ACTOR, chosen(student), draft(None, college, company)))
    assert len(first.done) == 1 and not again.done
    assert again.refused[0].messages == (duplicate_assignment_error().message,)


def test_the_pairing_form_itself_is_checked_before_any_student():
    enterprise, elsewhere = make_enterprise(), make_enterprise()
    project = make_project(enterprise, kind="research")
    college, company = mentors_of(elsewhere)
    with pytest.raises(Refused) as refusal:
        run(check_pairing(draft(project, college, company)))
    assert [error.field for error in refusal.value.errors] == ["enterprise_mentor"]
    with pytest.raises(Refused) as swapped:
        run(check_pairing(draft(None, company, college)))
    assert {error.field for error in swapped.value.errors} == {
        "college_mentor",
        "enterprise_mentor",
    }
    run(check_pairing(draft(None, college, company)))  # nothing wrong: no error

    form = FormState(values={"starts_on": "soon"})
    read_pairing_form(form)
    assert set(form.errors) == {"college_mentor", "enterprise_mentor", "starts_on"}
