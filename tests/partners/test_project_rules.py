"""Project and participation rules, without HTTP: the pure checks and the transactional
writes, including two enrollments racing for the last seat."""

from __future__ import annotations

import asyncio
import datetime

import pytest

from partners.coeducation.participations import (
    OtherPlacement,
    add_participation,
    change_participation,
    check_capacity,
    check_intern_quota,
    check_may_add_members,
    check_minimum_age,
    check_no_overlap,
    check_project_open,
    find_participation,
    may_add_members,
    periods_overlap,
    placement_status,
    runs_too_long,
    visible_participation,
    withdraw_participation,
)
from partners.coeducation.projects import (
    check_deletable,
    check_period,
    check_project_form,
    delete_project,
    visible_project,
)
from partners.coeducation.tables import Participation, Project
from partners.organizations.tables import Enterprise
from portal.audit import Actor
from portal.auth import Viewer
from portal.dates import age_on
from portal.domain_errors import FieldError, NotVisible, Refused
from portal.forms import FormState
from portal.tables import AuditEntry, Role, Student
from tests.support import (
    make_assignment,
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


def only_error(refusal: pytest.ExceptionInfo[Refused] | Refused) -> FieldError:
    """The one message of a refusal (these rules refuse with one)."""
    refused = refusal.value if isinstance(refusal, pytest.ExceptionInfo) else refusal
    [error] = refused.errors
    return error


# --- pure rules ------------------------------------------------------------------------------


def test_capacity_allows_the_last_seat_and_refuses_beyond_it():
    check_capacity(29, 30)
    with pytest.raises(Refused) as refused:
        check_capacity(30, 30)
    assert only_error(refused).field == "form"
    assert "30" in only_error(refused).message


def test_closed_projects_take_nobody():
    check_project_open("active")
    check_project_open("planning")
    with pytest.raises(Refused):
        check_project_open("closed")


def test_end_may_not_come_before_start():
    assert check_period(D(2026, 9, 1), D(2026, 8, 31))
    assert check_period(D(2026, 9, 1), D(2026, 9, 1)) is None
    assert check_period(D(2026, 9, 1), None) is None


def test_age_counts_full_years():
    assert age_on(D(2010, 9, 2), D(2026, 9, 1)) == 15
    assert age_on(D(2010, 9, 1), D(2026, 9, 1)) == 16
    assert age_on(D(2008, 2, 29), D(2024, 2, 28)) == 15
    assert age_on(D(2008, 2, 29), D(2024, 2, 29)) == 16


def test_no_intern_under_16_and_the_birth_date_must_be_known():
    check_minimum_age(D(2010, 9, 1), D(2026, 9, 1))
    with pytest.raises(Refused) as young:
        check_minimum_age(D(2010, 9, 2), D(2026, 9, 1))
    assert only_error(young).field == "starts_on"
    with pytest.raises(Refused) as unknown:
        check_minimum_age(None, D(2026, 9, 1))
    assert only_error(unknown).field == "student_no"


@pytest.mark.parametrize(
    "a,b,overlap",
    [
        ((D(2026, 9, 1), D(2026, 12, 31)), (D(2027, 1, 1), D(2027, 3, 1)), False),
        ((D(2026, 9, 1), D(2026, 12, 31)), (D(2026, 12, 31), D(2027, 3, 1)), True),
        ((D(2026, 9, 1), None), (D(2030, 1, 1), D(2030, 2, 1)), True),
        ((D(2026, 9, 1), D(2026, 10, 1)), (D(2025, 1, 1), None), True),
        ((D(2026, 9, 1), D(2026, 10, 1)), (D(2026, 10, 2), None), False),
    ],
)
def test_periods_overlap_with_open_ends_running_on(a, b, overlap):
    assert periods_overlap(*a, *b) is overlap
    assert periods_overlap(*b, *a) is overlap


def test_overlapping_placement_names_the_other_one():
    other = OtherPlacement(D(2026, 9, 1), None, "数控实训基地")
    check_no_overlap(D(2026, 3, 1), D(2026, 8, 31), [other])
    with pytest.raises(Refused) as refused:
        check_no_overlap(D(2027, 3, 1), D(2027, 4, 1), [other])
    assert "数控实训基地" in only_error(refused).message


def test_interns_at_most_ten_percent_of_employees():
    check_intern_quota(100, 9)
    with pytest.raises(Refused) as full:
        check_intern_quota(100, 10)
    assert "10" in only_error(full).message
    with pytest.raises(Refused):
        check_intern_quota(9, 0)  # 10% of 9 is under one intern
    with pytest.raises(Refused) as unknown:
        check_intern_quota(0, 0)
    assert only_error(unknown).field == "form"


def test_placement_is_pending_until_agreement_and_insurance():
    assert placement_status(None, "") == "pending"
    assert placement_status(D(2026, 8, 1), "") == "pending"
    assert placement_status(None, "PICC-1") == "pending"
    assert placement_status(D(2026, 8, 1), "PICC-1") == "active"


def test_six_months_warning():
    # exactly six months counted inclusively is not too long (issue 12); a day more is
    assert not runs_too_long(D(2026, 3, 1), D(2026, 8, 30))
    assert not runs_too_long(D(2026, 3, 1), D(2026, 8, 31))
    assert runs_too_long(D(2026, 3, 1), D(2026, 9, 1))
    assert not runs_too_long(D(2026, 8, 31), D(2027, 2, 28))
    assert not runs_too_long(D(2026, 3, 1), None)


def form(**values: str) -> FormState:
    base = {
        "name": "订单班",
        "enterprise": "1",
        "starts_on": "2026-09-01",
        "capacity": "40",
        "status": "active",
    }
    return FormState(values={**base, **values})


def test_project_form_checks_the_kind_fields_and_blanks_the_others():
    state = form(cohort_year="2026", agreement_no="DD-1", employment_promised="on", address="x")
    values = check_project_form(state, "order_class", [1], [])
    assert state.valid, state.errors
    assert values["cohort_year"] == 2026 and values["employment_promised"] is True
    assert values["address"] == ""  # another kind's field is not kept
    state = form()
    check_project_form(state, "training_base", [1], [])
    assert {"address", "safety_contact"} <= set(state.errors)
    state = form()
    check_project_form(state, "workstation", [1], [])
    assert "workstation_kind" in state.errors
    state = form(research_topic="")
    check_project_form(state, "research", [1], [])
    assert "research_topic" in state.errors


def test_project_form_common_rules():
    state = form(ends_on="2026-08-31", capacity="0", enterprise="7", organization="3")
    check_project_form(state, "research", [1], [2])
    assert {"ends_on", "capacity", "enterprise", "organization"} <= set(state.errors)
    state = form(capacity="2001", research_topic="t")
    check_project_form(state, "research", [1], [])
    assert set(state.errors) == {"capacity"}


# --- the transactional writes ------------------------------------------------------------------


def student_no(student_id: int) -> str:
    return run(Student.select(Student.student_no).where(Student.id == student_id).first())[
        "student_no"
    ]


def live_rows(project_id: int) -> list[dict]:
    return run(
        Participation.select().where(
            Participation.project == project_id,
            Participation.status.is_in(["pending", "active"]),
        )
    )


def enroll(project_id: int, student_id: int) -> object:
    return run(add_participation(ACTOR, project_id, {"student_no": student_no(student_id)}, TODAY))


def placement(student_id: int, **fields) -> dict:
    return {
        "student_no": student_no(student_id),
        "starts_on": D(2026, 9, 1),
        "ends_on": D(2027, 1, 31),
        "position": "装配技术员",
        "agreement_signed_on": D(2026, 8, 20),
        "insurance_policy_no": "PICC-1",
        "insurance_starts_on": D(2026, 9, 1),
        "insurance_ends_on": None,
        "internship_kind": "post",
        "agreement_parties": "school,enterprise,student",
        "post_headcount": 100,
        **fields,
    }


def with_mentors(student_id: int) -> int:
    """Gives the student an active college and enterprise mentor (a post intern needs both)."""
    company = make_mentor(side="enterprise", enterprise=make_enterprise(), department="")
    make_assignment(student_id, make_mentor(), company)
    return student_id


def test_enrollment_is_active_follows_the_project_period_and_is_audited():
    project = make_project(make_enterprise(), kind="order_class", starts_on=D(2026, 10, 1))
    saved = enroll(project, make_student())
    row = run(Participation.select().where(Participation.id == saved.participation_id).first())
    assert row["kind"] == "enrollment" and row["status"] == "active"
    assert row["starts_on"] == D(2026, 10, 1) and row["ends_on"] == D(2027, 7, 31)
    audit = run(AuditEntry.select().where(AuditEntry.table_name == "partners_participation"))
    assert [entry["row_id"] for entry in audit] == [saved.participation_id]


def test_closed_project_and_unknown_student_are_refused():
    closed = make_project(make_enterprise(), kind="order_class", status="closed")
    with pytest.raises(Refused, match="已结束"):
        enroll(closed, make_student())
    project = make_project(make_enterprise(), kind="order_class")
    with pytest.raises(Refused) as refused:
        run(add_participation(ACTOR, project, {"student_no": "NOPE999"}, TODAY))
    assert only_error(refused).field == "student_no"
    assert live_rows(closed) == live_rows(project) == []


def test_a_student_joins_a_project_once_while_live_but_may_rejoin_after_withdrawing():
    project = make_project(make_enterprise(), kind="order_class")
    student = make_student()
    saved = enroll(project, student)
    with pytest.raises(Refused) as refused:
        enroll(project, student)
    assert only_error(refused).field == "student_no"
    row = run(find_participation(project, saved.participation_id))
    assert row is not None
    assert run(withdraw_participation(ACTOR, row)) is True
    assert run(withdraw_participation(ACTOR, row)) is False  # only a live member withdraws
    enroll(project, student)
    assert len(live_rows(project)) == 1


def test_capacity_counts_live_members_only():
    project = make_project(make_enterprise(), kind="order_class", capacity=1)
    make_participation(project, make_student(), kind="enrollment", status="withdrawn")
    enroll(project, make_student())
    with pytest.raises(Refused, match="1"):
        enroll(project, make_student())
    assert len(live_rows(project)) == 1


async def race(project_id: int, numbers: list[str]) -> list[object]:
    calls = [add_participation(ACTOR, project_id, {"student_no": n}, TODAY) for n in numbers]
    return await asyncio.gather(*calls, return_exceptions=True)


def test_two_coordinators_enrolling_into_the_last_seat_at_once_exactly_one_wins():
    project = make_project(make_enterprise(), kind="order_class", capacity=2)
    make_participation(project, make_student(), kind="enrollment")
    numbers = [student_no(make_student()), student_no(make_student())]
    results = run(race(project, numbers))
    refused = [r for r in results if isinstance(r, Refused)]
    won = [r for r in results if not isinstance(r, BaseException)]
    assert len(won) == 1 and len(refused) == 1, results
    assert "2" in only_error(refused[0]).message and only_error(refused[0]).field == "form"
    assert len(live_rows(project)) == 2


def test_the_same_student_enrolled_twice_at_once_gets_one_place_and_one_message():
    project = make_project(make_enterprise(), kind="order_class", capacity=10)
    number = student_no(make_student())
    results = run(race(project, [number, number]))
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(refused) == 1 and only_error(refused[0]).field == "student_no", results
    assert len(live_rows(project)) == 1


def training_base(employee_count: int = 200, **fields) -> int:
    return make_project(make_enterprise(employee_count=employee_count), **fields)


def test_placement_pending_until_agreement_and_insurance_then_active_on_edit():
    project = training_base()
    student = with_mentors(make_student())
    saved = run(
        add_participation(
            ACTOR,
            project,
            placement(student, insurance_policy_no="", insurance_starts_on=None),
            TODAY,
        )
    )
    assert saved.status == "pending"
    row = run(find_participation(project, saved.participation_id))
    assert row is not None
    values = {
        name: getattr(row, name)
        for name in ("starts_on", "ends_on", "position", "agreement_signed_on")
    }
    insured = {"insurance_policy_no": "PICC-9", "insurance_starts_on": D(2026, 8, 1)}
    changed = run(change_participation(ACTOR, row, {**values, **insured, "status": "pending"}))
    assert changed.status == "active"
    row = run(Participation.select().where(Participation.id == saved.participation_id).first())
    assert row["status"] == "active" and row["insurance_policy_no"] == "PICC-9"


def test_no_two_overlapping_placements_at_any_training_base():
    student = make_student()
    first = training_base()
    make_participation(first, student, starts_on=D(2026, 9, 1), ends_on=None)
    other = training_base()
    with pytest.raises(Refused) as refused:
        run(
            add_participation(
                ACTOR,
                other,
                placement(student, starts_on=D(2027, 6, 1), ends_on=D(2027, 7, 1)),
                TODAY,
            )
        )
    assert only_error(refused).field == "starts_on"
    assert live_rows(other) == []
    before = training_base()
    run(
        add_participation(
            ACTOR,
            before,
            placement(
                student,
                starts_on=D(2026, 3, 1),
                ends_on=D(2026, 8, 31),
                agreement_signed_on=D(2026, 2, 20),
                insurance_starts_on=D(2026, 3, 1),
            ),
            TODAY,
        )
    )
    assert len(live_rows(before)) == 1


def test_no_placement_under_16():
    project = training_base()
    young = make_student(birth_date=D(2010, 9, 2))
    with pytest.raises(Refused) as refused:
        run(add_participation(ACTOR, project, placement(young), TODAY))
    assert "16" in only_error(refused).message
    assert live_rows(project) == []


def test_intern_quota_spans_every_training_base_of_the_enterprise():
    enterprise = make_enterprise(employee_count=20)  # 10% → 2 interns
    first, second = make_project(enterprise), make_project(enterprise)
    make_participation(first, make_student())
    make_participation(second, make_student(), ends_on=D(2028, 1, 1), starts_on=D(2027, 1, 31))
    with pytest.raises(Refused, match="20"):
        run(add_participation(ACTOR, second, placement(make_student()), TODAY))
    run(Enterprise.update({Enterprise.employee_count: 30}).where(Enterprise.id == enterprise))
    run(add_participation(ACTOR, second, placement(make_student()), TODAY))


def test_intern_quota_counts_only_placements_whose_dates_overlap():
    """Issue 12: a placement that ends before this one starts does not take a share."""
    enterprise = make_enterprise(employee_count=20)  # 10% → 2 interns
    project = make_project(enterprise)
    make_participation(project, make_student())  # 2026-09-01 .. 2027-01-31
    make_participation(project, make_student(), starts_on=D(2026, 3, 1), ends_on=D(2026, 8, 31))
    run(add_participation(ACTOR, project, placement(make_student()), TODAY))


def test_unknown_headcount_refuses_placements():
    project = training_base(employee_count=0)
    with pytest.raises(Refused, match="职工人数"):
        run(add_participation(ACTOR, project, placement(make_student()), TODAY))


def test_long_placement_saves_with_a_warning():
    project = training_base()
    values = placement(
        with_mentors(make_student()), starts_on=D(2026, 9, 1), ends_on=D(2027, 6, 30)
    )
    saved = run(add_participation(ACTOR, project, values, TODAY))
    assert saved.status == "active" and len(saved.warnings) == 1
    short = run(add_participation(ACTOR, project, placement(make_student()), TODAY))
    assert short.warnings == []


# --- who sees which project, who adds members, deleting ----------------------------------------


def viewer(role: Role, **ids: int | None) -> Viewer:
    return Viewer(user_id=1, username="test", role=role, name="", session_token="", **ids)


def test_a_partner_sees_only_its_own_enterprises_projects_and_placements():
    mine, theirs = make_enterprise(), make_enterprise()
    base, other = make_project(mine), make_project(theirs)
    order = make_project(mine, kind="order_class")
    partner = viewer(Role.partner, enterprise_id=mine)
    assert run(visible_project(partner, base)).enterprise == mine
    with pytest.raises(NotVisible):
        run(visible_project(partner, other))
    assert run(visible_project(viewer(Role.coordinator), other)).id == other
    placed = make_participation(base, make_student())
    enrolled = make_participation(order, make_student(), kind="enrollment")
    assert run(visible_participation(partner, base, placed)).kind == "placement"
    with pytest.raises(NotVisible):  # enrollments are the college's business
        run(visible_participation(partner, order, enrolled))
    with pytest.raises(NotVisible):  # a member of another project
        run(visible_participation(viewer(Role.coordinator), order, placed))


def test_coordinators_enroll_and_place_partners_only_place():
    partner, coordinator = viewer(Role.partner, enterprise_id=1), viewer(Role.coordinator)
    assert may_add_members(coordinator, "order_class") and may_add_members(partner, "training_base")
    assert not may_add_members(partner, "order_class")
    check_may_add_members(partner, "training_base")
    with pytest.raises(NotVisible):
        check_may_add_members(partner, "research")


def test_a_joined_or_mentored_project_is_not_deleted():
    check_deletable(has_members=False, has_assignments=False)
    with pytest.raises(Refused) as members:
        check_deletable(has_members=True, has_assignments=True)
    assert only_error(members).field == "form" and "删除" in only_error(members).message
    with pytest.raises(Refused) as assignments:
        check_deletable(has_members=False, has_assignments=True)
    assert only_error(assignments).message != only_error(members).message


def test_deleting_a_project_is_audited_and_refused_while_it_has_members():
    enterprise = make_enterprise()
    coordinator = viewer(Role.coordinator)
    joined = make_project(enterprise)
    make_participation(joined, make_student())
    with pytest.raises(Refused):
        run(delete_project(ACTOR, run(visible_project(coordinator, joined))))
    mentored = make_project(enterprise)
    assignment_student = make_student()
    college = make_mentor()
    company = make_mentor(side="enterprise", enterprise=enterprise, department="")
    make_assignment(assignment_student, college, company, project=mentored)
    with pytest.raises(Refused):
        run(delete_project(ACTOR, run(visible_project(coordinator, mentored))))
    empty = make_project(enterprise)
    run(delete_project(ACTOR, run(visible_project(coordinator, empty))))
    assert run(Project.count().where(Project.id.is_in([joined, mentored, empty]))) == 2
    deleted = run(AuditEntry.select().where(AuditEntry.action == "delete"))
    assert [(entry["table_name"], entry["row_id"]) for entry in deleted] == [
        ("partners_project", empty)
    ]
