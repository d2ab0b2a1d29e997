"""The demo seed brings a living partner side: organizations, a year of activities, plans."""

from __future__ import annotations

import datetime

from college.demo.seed import seed_demo
from partners.organizations.tables import (
    Activity,
    Agreement,
    CommitteeSeat,
    Enterprise,
    JointOrganization,
    MemberUnit,
    WorkPlanItem,
)
from tests.support import run


def test_the_demo_has_organizations_with_a_year_of_activities_and_plans():
    run(seed_demo(student_count=40))
    organizations = run(JointOrganization.select())
    assert len(organizations) == 3
    for organization in organizations:
        sides = {
            row["side"]
            for row in run(
                MemberUnit.select(MemberUnit.side).where(
                    MemberUnit.organization == organization["id"]
                )
            )
        }
        assert sides == {"college", "enterprise"}
        assert (
            run(CommitteeSeat.count().where(CommitteeSeat.organization == organization["id"])) == 5
        )
    dates = [row["held_on"] for row in run(Activity.select(Activity.held_on))]
    assert max(dates) - min(dates) > datetime.timedelta(days=300)
    assert run(Agreement.count()) == 3
    assert run(WorkPlanItem.count().where(WorkPlanItem.done == True)) > 0  # noqa: E712


def test_seeding_twice_adds_nothing():
    run(seed_demo(student_count=10))
    counts = run(JointOrganization.count()), run(Activity.count()), run(Enterprise.count())
    run(seed_demo(student_count=10))
    assert (
        run(JointOrganization.count()),
        run(Activity.count()),
        run(Enterprise.count()),
    ) == counts


def test_the_demo_has_projects_of_every_kind_and_dual_mentors_for_most_students():
    from partners.coeducation.tables import Evaluation, MentorAssignment, MentoringLog, Project
    from portal.tables import Student

    run(seed_demo(student_count=200))
    kinds = {row["kind"] for row in run(Project.select(Project.kind))}
    assert kinds == {"order_class", "training_base", "research", "workstation"}
    mentored = {row["student"] for row in run(MentorAssignment.select(MentorAssignment.student))}
    assert len(mentored) > run(Student.count()) / 2
    first = run(Student.select(Student.id).order_by(Student.student_no).first())["id"]
    assignment = run(
        MentorAssignment.select(MentorAssignment.id)
        .where(MentorAssignment.student == first)
        .first()
    )
    assert run(MentoringLog.count().where(MentoringLog.assignment == assignment["id"])) >= 2
    assert run(Evaluation.count().where(Evaluation.assignment == assignment["id"])) == 2
