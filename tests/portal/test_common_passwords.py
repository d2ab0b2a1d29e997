"""New passwords are refused when they are among the passwords people use most (ASVS 2.1.7),
whether a coordinator creates an account or a user changes their own."""

from __future__ import annotations

import pytest

from portal.auth import password_problem
from tests.support import PASSWORD, Browser


@pytest.mark.parametrize("common", ["password", "12345678", "Qwertyuiop", "iloveyou", "1qaz2wsx"])
def test_the_most_used_passwords_are_refused(common):
    assert "最常用的密码" in (password_problem(common) or "")


def test_a_long_uncommon_password_passes():
    assert password_problem("青砖-灯塔-2026-铜钥匙") is None
    assert password_problem(PASSWORD) is None


def test_changing_to_a_common_password_is_refused_beside_the_field(signed_in):
    coordinator = signed_in("coordinator")
    response = coordinator.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "sunshine", "confirm": "sunshine"},
    )
    assert response.status_code == 400
    assert "最常用的密码" in Browser.field_error(response, "new_password")
    assert Browser.soup(response).select_one("#f-new_password") is not None
