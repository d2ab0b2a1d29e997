"""Coordinators create logins for each role and disable them; the account rules refuse what
cannot be, beside the field concerned."""

from __future__ import annotations

import pytest
from piccolo.apps.user.tables import BaseUser

from college.accounts import NewAccount, create_account, set_active
from portal.audit import Actor
from portal.domain_errors import FORM, Refused
from portal.tables import Role
from tests.support import PASSWORD, Browser, run

OFFICE = Actor(None, "校企合作办")


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def refused_fields(account: NewAccount) -> list[str]:
    with pytest.raises(Refused) as refused:
        run(create_account(OFFICE, account))
    return [error.field for error in refused.value.errors]


def test_a_coordinator_creates_a_partner_account_for_an_enterprise(coordinator, people):
    form = {"username": "zhang.wei", "password": PASSWORD, "role": "partner"}
    response = coordinator.post("/accounts/new", {**form, "enterprise": people.enterprise_a})
    assert response.status_code == 303
    user = run(BaseUser.select(BaseUser.id).where(BaseUser.username == "zhang.wei").first())
    assert response.headers["location"].endswith(f"/accounts/{user['id']}")
    assert Browser(coordinator.client).sign_in("zhang.wei").status_code == 303


def test_a_taken_username_is_refused_beside_its_field_with_what_was_typed(coordinator, people):
    form = {"username": "partner_a", "display_name": "张伟", "password": PASSWORD}
    response = coordinator.post(
        "/accounts/new", {**form, "role": "partner", "enterprise": people.enterprise_a}
    )
    assert response.status_code == 400
    assert response.template.name == "college/account_form.html"
    assert "已被占用" in Browser.field_error(response, "username")
    assert response.context["values"]["display_name"] == "张伟"
    assert response.context["enterprise_options"]  # the form's choices are there again


def test_an_unknown_student_number_is_refused_beside_its_field(coordinator, people):
    response = coordinator.post(
        "/accounts/new",
        {"username": "stu2", "password": PASSWORD, "role": "student", "student_no": "X0000000"},
    )
    assert response.status_code == 400
    assert Browser.field_error(response, "student_no")


def test_account_rules_without_http(people):
    assert refused_fields(NewAccount("ab", PASSWORD, Role.coordinator)) == ["username"]
    assert refused_fields(NewAccount("abc", "short", Role.coordinator)) == ["password"]
    assert refused_fields(NewAccount("partner_a", PASSWORD, Role.coordinator)) == ["username"]
    assert refused_fields(NewAccount("partner2", PASSWORD, Role.partner)) == ["enterprise"]
    assert refused_fields(NewAccount("partner3", PASSWORD, Role.partner, enterprise_id=999)) == [
        "enterprise"
    ]
    assert refused_fields(
        NewAccount("mentor2", PASSWORD, Role.mentor, mentor_id=people.mentor_id)
    ) == ["mentor"]


def test_nobody_disables_their_own_account(coordinator, people):
    response = coordinator.post(f"/accounts/{people.coordinator_user}/active", {"active": "0"})
    assert response.status_code == 303
    page = Browser.soup(coordinator.get(response.headers["location"]))
    assert page.select_one(".flash-error")
    assert run(BaseUser.select(BaseUser.active).where(BaseUser.id == people.coordinator_user))[0][
        "active"
    ]
    with pytest.raises(Refused) as refused:
        run(set_active(Actor(people.coordinator_user, "coord"), people.coordinator_user, False))
    assert [error.field for error in refused.value.errors] == [FORM]


def test_an_account_that_does_not_exist_is_missing(coordinator):
    assert coordinator.get("/accounts/999999").status_code == 404
