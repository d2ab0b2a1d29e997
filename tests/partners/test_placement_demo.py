"""The demo's placements follow 《职业学校学生实习管理规定》(2021) (issue 12): every one passes
the placement rules, and one shows a minor placed with the guardian's consent."""

from __future__ import annotations

from college.demo.seed import seed_demo
from partners.coeducation import placement_rules as rules
from partners.coeducation.participations import (
    JoiningStudent,
    check_placement_terms,
    check_post_internship,
)
from partners.coeducation.tables import Participation
from portal.rulebook import default_numbers
from portal.tables import Student
from tests.support import run


def test_demo_placements_pass_the_rules_and_one_is_a_minors_with_consent():
    run(seed_demo(student_count=200))
    placements = run(Participation.select().where(Participation.kind == "placement"))
    assert placements
    numbers = default_numbers()
    minors = []
    for placement in placements:
        student = JoiningStudent(
            **run(
                Student.select(
                    Student.id,
                    Student.name,
                    Student.birth_date,
                    Student.gender,
                    Student.major,
                    Student.cohort_year,
                )
                .where(Student.id == placement["student"])
                .first()
            )
        )
        check_placement_terms(student, placement, numbers)
        if rules.is_post_internship(placement["kind"], placement["internship_kind"]):
            check_post_internship(student, placement["starts_on"], numbers)
        if rules.is_minor(student.birth_date, placement["starts_on"]):
            minors.append(placement)
    [minor] = minors
    assert minor["guardian_consent_on"] is not None and minor["status"] == "active"
    assert "guardian" in rules.parse_parties(minor["agreement_parties"])


def test_demo_order_class_members_match_or_have_a_recorded_reason():
    run(seed_demo(student_count=200))
    members = run(
        Participation.select(
            Participation.override_reason,
            Participation.student.major.as_alias("major"),
            Participation.student.cohort_year.as_alias("cohort"),
            Participation.project.majors.as_alias("majors"),
            Participation.project.cohort_year.as_alias("class_cohort"),
        ).where(Participation.project.kind == "order_class")
    )
    assert members
    for member in members:
        matches = member["major"] in member["majors"].split("、") and (
            member["cohort"] == member["class_cohort"]
        )
        assert matches or member["override_reason"], member
