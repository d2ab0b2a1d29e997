"""《职业学校学生实习管理规定》(2021) through the placement transactions (issue 12, section 3):
what a coordinator or partner sees when placing a student — refused with the text cited,
pending until consent and mentors, warned about pay — without HTTP."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from partners.coeducation.participations import (
    add_participation,
    change_participation,
    find_participation,
)
from partners.coeducation.tables import Participation
from portal.audit import Actor
from portal.domain_errors import FieldError, Refused
from portal.rulebook import citation
from portal.tables import AuditEntry, Student
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
TEXT = "职业学校学生实习管理规定"


def student_no(student_id: int) -> str:
    row = run(Student.select(Student.student_no).where(Student.id == student_id).first())
    return row["student_no"]


def placement(student_id: int, **fields: Any) -> dict[str, Any]:
    """A complete post internship from 2026-09-01 to 2027-01-31."""
    return {
        "student_no": student_no(student_id),
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


def mentored(student_id: int) -> int:
    company = make_mentor(side="enterprise", enterprise=make_enterprise(), department="")
    make_assignment(student_id, make_mentor(), company)
    return student_id


def place(project: int, values: dict[str, Any]) -> Any:
    return run(add_participation(ACTOR, project, values, TODAY))


def refused(project: int, values: dict[str, Any], cites: str = TEXT) -> FieldError:
    with pytest.raises(Refused) as refusal:
        place(project, values)
    [error] = refusal.value.errors
    assert cites in error.message, error.message
    return error


def training_base(employee_count: int = 500) -> int:
    return make_project(make_enterprise(employee_count=employee_count))


def test_a_first_year_student_may_visit_but_not_do_a_post_internship():
    base = training_base()
    freshman = mentored(make_student(cohort_year=2026))
    assert refused(base, placement(freshman)).field == "internship_kind"
    visit = place(base, placement(freshman, internship_kind="cognitive"))
    assert visit.status == "active"  # a cognitive internship needs no mentors
    second_year = mentored(make_student(cohort_year=2025))
    assert place(training_base(), placement(second_year)).status == "active"


def test_an_order_class_member_marked_post_internship_is_checked_for_age_too():
    order = make_project(make_enterprise(), kind="order_class", starts_on=D(2026, 9, 1))
    young = make_student(birth_date=D(2010, 9, 2), cohort_year=2024)
    values = {"student_no": student_no(young), "internship_kind": "post"}
    assert refused(order, values).field == "starts_on"
    place(order, {"student_no": student_no(young)})  # an enrollment without an internship


def test_a_minors_placement_waits_for_the_guardians_consent():
    base = training_base()
    minor = mentored(make_student(birth_date=D(2009, 1, 1)))  # 17 on the start date
    assert refused(base, placement(minor)).field == "agreement_parties"  # no guardian signed
    parties = "school,enterprise,student,guardian"
    saved = place(base, placement(minor, agreement_parties=parties))
    assert saved.status == "pending"
    row = run(find_participation(base, saved.participation_id))
    assert row is not None
    values = {"guardian_consent_on": D(2026, 8, 15), "status": "pending"}
    changed = run(change_participation(ACTOR, row, values))
    assert changed.status == "active"
    visitor = make_student(birth_date=D(2009, 1, 1))  # a cognitive internship: no consent asked
    visit = placement(visitor, internship_kind="cognitive", agreement_parties=parties)
    assert place(training_base(), visit).status == "active"


def test_a_post_intern_is_active_only_with_both_mentors():
    base = training_base()
    student = make_student()
    saved = place(base, placement(student))
    assert saved.status == "pending"
    mentored(student)
    row = run(find_participation(base, saved.participation_id))
    assert row is not None
    assert run(change_participation(ACTOR, row, {"status": "active"})).status == "active"


def test_an_agreement_signed_after_the_start_is_refused():
    base = training_base()
    late = placement(mentored(make_student()), agreement_signed_on=D(2026, 9, 2))
    assert refused(base, late).field == "agreement_signed_on"
    on_time = placement(mentored(make_student()), agreement_signed_on=D(2026, 9, 1))
    assert place(base, on_time).status == "active"


def test_insurance_ending_before_the_placement_is_refused():
    short = placement(mentored(make_student()), insurance_ends_on=D(2027, 1, 30))
    assert refused(training_base(), short).field == "insurance_starts_on"


def test_post_share_counts_interns_on_the_same_post_at_the_same_time():
    enterprise = make_enterprise(employee_count=1000)
    base = make_project(enterprise)
    make_participation(base, make_student(), position="装配技术员")  # 2026-09-01..2027-01-31
    make_participation(
        base, make_student(), position="装配技术员", starts_on=D(2026, 3, 1), ends_on=D(2026, 8, 31)
    )
    make_participation(base, make_student(), position="仓储管理员")
    values = placement(mentored(make_student()), post_headcount=10)  # 20% of 10 → 2
    assert place(base, values).status == "active"
    assert refused(base, placement(mentored(make_student()), post_headcount=10)).field == (
        "post_headcount"
    )


def test_fees_hours_and_forbidden_work_are_refused():
    base = training_base()
    assert refused(base, placement(make_student(), fee=200)).field == "fee"
    assert refused(base, placement(make_student(), daily_hours=9)).field == "daily_hours"
    assert refused(base, placement(make_student(), night_shifts=True)).field == "night_shifts"
    venue = placement(make_student(), work_type="entertainment_venue")
    assert refused(base, venue).field == "work_type"
    agency = placement(make_student(), through_agency=True)
    assert refused(base, agency).field == "through_agency"
    assert run(Participation.count().where(Participation.project == base)) == 0


def test_low_pay_saves_with_a_warning():
    saved = place(training_base(), placement(mentored(make_student()), monthly_pay=3999))
    assert saved.status == "active"
    assert any(TEXT in warning and "4000" in warning for warning in saved.warnings)
    fair = place(training_base(), placement(mentored(make_student()), monthly_pay=4000))
    assert fair.warnings == []


def order_class() -> int:
    return make_project(
        make_enterprise(),
        kind="order_class",
        majors="数控技术、工业机器人技术",
        cohort_year=2024,
        starts_on=D(2026, 9, 1),
    )


def test_an_order_class_takes_its_majors_and_cohort_unless_a_reason_is_recorded():
    order = order_class()
    place(order, {"student_no": student_no(make_student(major="数控技术"))})
    other_major = student_no(make_student(major="电子商务"))
    rule = citation("placement.order_class_match")
    assert refused(order, {"student_no": other_major}, rule).field == "override_reason"
    other_cohort = student_no(make_student(cohort_year=2025))
    assert refused(order, {"student_no": other_cohort}, rule).field == "override_reason"
    reason = "企业特批：跨专业选拔"
    saved = place(order, {"student_no": other_major, "override_reason": reason})
    row = run(Participation.select().where(Participation.id == saved.participation_id).first())
    assert row["override_reason"] == reason
    audit = run(AuditEntry.select().where(AuditEntry.row_id == saved.participation_id))
    assert reason in str([entry["changes"] for entry in audit])


def test_six_months_exactly_saves_quietly_and_an_open_end_is_warned():
    base = training_base()
    insured = {"insurance_ends_on": None}  # an open policy covers any end
    exact = place(base, placement(mentored(make_student()), ends_on=D(2027, 2, 28), **insured))
    assert exact.warnings == []
    longer = place(base, placement(mentored(make_student()), ends_on=D(2027, 3, 1), **insured))
    assert len(longer.warnings) == 1 and TEXT in longer.warnings[0]
    open_end = placement(mentored(make_student()), ends_on=None, insurance_ends_on=None)
    assert any(TEXT in warning for warning in place(base, open_end).warnings)
    visit = placement(make_student(), internship_kind="cognitive", ends_on=None)
    assert place(base, {**visit, "insurance_ends_on": None}).warnings == []
