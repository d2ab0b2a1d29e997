"""Awards (奖项): coordinators for any student, partners for students placed with them; a
partner deletes only what its enterprise entered. Every write is audited."""

from __future__ import annotations

import datetime

import pytest

from college.awards import (
    award_student,
    check_award_form,
    deletable_award,
    delete_award,
    record_award,
)
from portal.audit import Actor
from portal.auth import Viewer
from portal.domain_errors import NotVisible
from portal.forms import FormState
from portal.tables import AuditEntry, Role
from talent_pool.tables import Award
from tests.support import Browser, make_award, run

VALID = {
    "kind": "competition",
    "name": "江苏省职业院校技能大赛",
    "level": "provincial",
    "rank": "二等奖",
    "awarded_on": "2026-06-10",
}


def awards_of(student_id: int) -> list[dict]:
    return run(Award.select().where(Award.student == student_id).order_by(Award.id))


def test_a_partner_records_an_award_for_a_student_placed_with_it(signed_in, people):
    partner = signed_in("partner")
    form = partner.get(f"/students/{people.student_id}/awards/new")
    assert form.status_code == 200
    response = partner.post(f"/students/{people.student_id}/awards/new", VALID)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/students/{people.student_id}/record")
    award = awards_of(people.student_id)[-1]
    assert award["name"] == VALID["name"]
    assert award["awarded_on"] == datetime.date(2026, 6, 10)
    assert award["enterprise_id"] == people.enterprise_a
    assert award["entered_by"] == people.partner_user
    audit = run(AuditEntry.select().where(AuditEntry.table_name == "talent_pool_award").first())
    assert audit["action"] == "create" and audit["row_id"] == award["id"]
    page = partner.get(response.headers["location"])
    assert VALID["name"] in page.text


def test_a_partner_cannot_award_students_not_placed_with_it(signed_in, people):
    partner = signed_in("partner")
    path = f"/students/{people.other_student_id}/awards/new"
    assert partner.get(path).status_code == 404
    assert partner.post(path, VALID).status_code == 404
    assert len(awards_of(people.other_student_id)) == 1


def test_the_coordinator_records_an_award_for_anyone(signed_in, people):
    coordinator = signed_in("coordinator")
    response = coordinator.post(f"/students/{people.other_student_id}/awards/new", VALID)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/students/{people.other_student_id}")
    assert awards_of(people.other_student_id)[-1]["enterprise_id"] is None


@pytest.mark.parametrize(
    "field,bad_value",
    [
        ("kind", "medal"),
        ("name", ""),
        ("name", "奖" * 201),
        ("level", "global"),
        ("rank", "一" * 51),
        ("awarded_on", ""),
        ("awarded_on", "2026-02-30"),
        ("awarded_on", (datetime.date.today() + datetime.timedelta(days=1)).isoformat()),
    ],
)
def test_bad_award_input_is_explained_next_to_the_field(signed_in, people, field, bad_value):
    coordinator = signed_in("coordinator")
    response = coordinator.post(
        f"/students/{people.student_id}/awards/new", {**VALID, field: bad_value}
    )
    assert response.status_code == 400
    assert Browser.field_error(response, field)
    assert response.context["values"][field] == bad_value
    assert len(awards_of(people.student_id)) == 1


def test_award_rules_without_http():
    today = datetime.date(2026, 11, 23)
    form = FormState(values={**VALID, "awarded_on": "2026-11-24"})
    check_award_form(form, today)
    assert set(form.errors) == {"awarded_on"}
    form = FormState(values=dict(VALID))
    values = check_award_form(form, today)
    assert form.valid and values["awarded_on"] == datetime.date(2026, 6, 10)


def test_a_partner_deletes_only_what_its_enterprise_entered(signed_in, people):
    partner = signed_in("partner")
    own = people.mine.award  # entered by enterprise_a (make_mentorship)
    college = make_award(people.student_id, name="国家奖学金", kind="scholarship")
    assert partner.get(f"/students/{people.student_id}/awards/{college}/delete").status_code == 404
    assert partner.post(f"/students/{people.student_id}/awards/{college}/delete").status_code == 404
    record = partner.get(f"/students/{people.student_id}/record")
    links = [a["href"] for a in Browser.soup(record).select("a[href*='/awards/']")]
    assert any(href.endswith(f"/awards/{own}/delete") for href in links)
    assert not any(href.endswith(f"/awards/{college}/delete") for href in links)
    confirm = partner.get(f"/students/{people.student_id}/awards/{own}/delete")
    assert confirm.status_code == 200
    response = partner.post(f"/students/{people.student_id}/awards/{own}/delete")
    assert response.status_code == 303
    assert [a["id"] for a in awards_of(people.student_id)] == [college]
    audit = run(AuditEntry.select().where(AuditEntry.action == "delete").first())
    assert audit["table_name"] == "talent_pool_award" and audit["row_id"] == own


def test_an_award_is_deleted_only_through_its_own_student(signed_in, people):
    coordinator = signed_in("coordinator")
    path = f"/students/{people.student_id}/awards/{people.theirs.award}/delete"
    assert coordinator.post(path).status_code == 404
    assert len(awards_of(people.other_student_id)) == 1


def test_students_and_mentors_do_not_enter_awards(signed_in, people):
    for role in ("student", "mentor"):
        browser = signed_in(role)
        response = browser.post(f"/students/{people.student_id}/awards/new", VALID)
        assert response.status_code == 404
    assert len(awards_of(people.student_id)) == 1


def test_award_transactions_without_http(people):
    partner = Viewer(
        people.partner_user, "partner_a", Role.partner, "", "", enterprise_id=people.enterprise_a
    )
    actor = Actor(partner.user_id, partner.username)
    student = run(award_student(partner, people.student_id))
    values = check_award_form(FormState(values=dict(VALID)), datetime.date(2026, 11, 23))
    award_id = run(record_award(partner, actor, student, values))
    assert awards_of(people.student_id)[-1]["enterprise_id"] == people.enterprise_a
    college = make_award(people.student_id, name="国家奖学金", kind="scholarship")
    with pytest.raises(NotVisible):
        run(deletable_award(partner, student, college))
    with pytest.raises(NotVisible):
        run(award_student(partner, people.other_student_id))
    run(delete_award(actor, student, run(deletable_award(partner, student, award_id))))
    assert award_id not in [award["id"] for award in awards_of(people.student_id)]
