"""Signing in and out, throttling, CSRF, session cookies, disabling accounts, passwords."""

from __future__ import annotations

import datetime
import sqlite3

import pytest
from piccolo.apps.migrations.tables import Migration
from piccolo_api.session_auth.tables import SessionsBase

from college.app import create_app
from portal.auth import SESSION_COOKIE, stored_token
from portal.domain_errors import FORM, Refused
from portal.sessions import new_password_errors, sign_in
from portal.settings import load_settings
from portal.tables import LoginAttempt, Student
from tests.support import PASSWORD, Browser, run


def test_signing_in_leads_to_the_page_asked_for(browser, people):
    response = browser.get("/students/")
    assert response.headers["location"] == "http://testserver/login?next=%2Fstudents%2F"
    response = browser.post(
        "/login", {"username": "coord", "password": PASSWORD, "next": "/students/"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/students/"
    assert browser.get("/students/").status_code == 200


def test_sign_in_never_redirects_off_site(browser, people):
    response = browser.post(
        "/login", {"username": "coord", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert response.headers["location"] == "/"


def test_wrong_password_says_so_and_keeps_the_username(browser, people):
    response = browser.sign_in("coord", "wrong-password")
    assert response.status_code == 400
    page = browser.soup(response)
    assert page.select_one("input[name=username]")["value"] == "coord"
    assert page.select_one("[role=alert]").get_text(strip=True)


def test_five_failures_make_the_username_wait_at_that_address(browser, people):
    for _ in range(5):
        assert browser.sign_in("coord", "wrong-password").status_code == 400
    locked = browser.sign_in("coord")  # even the right password waits
    assert locked.status_code == 429
    assert "1 分钟" in browser.soup(locked).select_one("[role=alert]").get_text()
    assert browser.get("/students/").status_code == 303  # not signed in

    earlier = datetime.datetime.now() - datetime.timedelta(minutes=2)
    run(LoginAttempt.update({LoginAttempt.at: earlier}).where(LoginAttempt.username == "coord"))
    assert browser.sign_in("coord").status_code == 303


def test_failures_of_one_user_do_not_lock_another(browser, people):
    for _ in range(5):
        browser.sign_in("coord", "wrong-password")
    assert browser.sign_in("partner_a").status_code == 303


def test_post_without_csrf_token_is_rejected(browser, people):
    browser.sign_in("coord")
    response = browser.client.post(
        "/students/new", data={"student_no": "2024999999"}, follow_redirects=False
    )
    assert response.status_code == 403
    wrong = browser.client.post(
        "/students/new", data={"csrftoken": "not-the-cookie"}, follow_redirects=False
    )
    assert wrong.status_code == 403
    # The portal's error page, saying what to do, rather than a bare line of text.
    assert wrong.headers["content-type"].startswith("text/html")
    assert "reload the page" in wrong.text or "刷新页面" in wrong.text
    assert run(Student.count().where(Student.student_no == "2024999999")) == 0


def test_session_cookie_is_httponly_and_samesite(browser, people):
    response = browser.sign_in("coord")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie


def test_production_setting_makes_cookies_secure(monkeypatch, people):
    from starlette.testclient import TestClient

    monkeypatch.setenv("PORTAL_PRODUCTION", "1")
    monkeypatch.setenv("PORTAL_ALLOWED_HOSTS", "testserver")
    with TestClient(create_app(load_settings()), base_url="https://testserver") as client:
        browser = Browser(client)
        response = browser.post(
            "/login",
            {"username": "coord", "password": PASSWORD},
            headers={"origin": "https://testserver"},
        )
        assert "Secure" in response.headers["set-cookie"]


def test_every_sign_in_gets_a_fresh_session(browser, people):
    first = browser.sign_in("coord").cookies[SESSION_COOKIE]
    second = browser.sign_in("coord").cookies[SESSION_COOKIE]
    assert first != second
    assert run(SessionsBase.count().where(SessionsBase.token == stored_token(first))) == 0
    assert run(SessionsBase.count().where(SessionsBase.token == stored_token(second))) == 1


def test_signing_out_ends_the_session(signed_in):
    browser = signed_in("coordinator")
    token = browser.client.cookies[SESSION_COOKIE]
    assert browser.post("/logout").status_code == 303
    assert run(SessionsBase.count().where(SessionsBase.token == stored_token(token))) == 0
    browser.client.cookies.set(SESSION_COOKIE, token)
    assert browser.get("/students/").status_code == 303


def test_an_expired_session_asks_to_sign_in_again(signed_in):
    browser = signed_in("coordinator")
    past = datetime.datetime.now() - datetime.timedelta(minutes=1)
    run(SessionsBase.update({SessionsBase.expiry_date: past}, force=True))
    assert browser.get("/students/").status_code == 303


def test_disabling_an_account_signs_it_out_and_stops_sign_in(client, people):
    from starlette.testclient import TestClient

    coordinator = Browser(client)
    coordinator.sign_in("coord")
    with TestClient(create_app(), base_url="http://testserver") as partner_client:
        partner = Browser(partner_client)
        partner.sign_in("partner_a")
        assert partner.get("/").status_code == 200

        response = coordinator.post(f"/accounts/{people.partner_user}/active", {"active": "0"})
        assert response.status_code == 303
        assert run(SessionsBase.count().where(SessionsBase.user_id == people.partner_user)) == 0
        assert partner.get("/").status_code == 303
        assert partner.sign_in("partner_a").status_code == 400

        coordinator.post(f"/accounts/{people.partner_user}/active", {"active": "1"})
        assert partner.sign_in("partner_a").status_code == 303


def test_a_coordinator_cannot_disable_themselves(signed_in, people):
    browser = signed_in("coordinator")
    browser.post(f"/accounts/{people.coordinator_user}/active", {"active": "0"})
    assert browser.get("/students/").status_code == 200


def test_changing_the_password(signed_in):
    browser = signed_in("student")
    response = browser.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a-new-pass-9", "confirm": "a-new-pass-9"},
    )
    assert response.status_code == 303
    assert browser.sign_in("student1", PASSWORD).status_code == 400
    assert browser.sign_in("student1", "a-new-pass-9").status_code == 303


def test_password_change_explains_each_mistake(signed_in):
    browser = signed_in("mentor")
    response = browser.post(
        "/account/password",
        {"current_password": "wrong", "new_password": "short", "confirm": "other"},
    )
    assert response.status_code == 400
    for field in ("current_password", "new_password", "confirm"):
        assert Browser.field_error(response, field), field
    same = browser.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD},
    )
    assert Browser.field_error(same, "new_password")


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_readiness_reports_the_database(client):
    response = client.get("/readyz")
    assert response.json()["database"] == "ok"


@pytest.mark.parametrize(
    "failure",
    [
        sqlite3.OperationalError("unable to open database file"),
        ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
    ],
)
def test_readiness_reports_a_database_that_fails(client, monkeypatch, failure):
    async def failing(*_args: object) -> None:
        raise failure

    monkeypatch.setattr(Migration, "select", lambda *args: failing())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready", "database": "unreachable", "migrations_pending": -1
    }
    assert client.get("/healthz").status_code == 200  # the process itself is alive


def test_new_password_rules_without_http():
    assert new_password_errors("old-password-1", "new-password-1", "new-password-1") == []
    fields = [e.field for e in new_password_errors("same-password", "same-password", "other")]
    assert fields == ["new_password", "confirm"]
    assert [e.field for e in new_password_errors("x", "short", "short")] == ["new_password"]


def test_a_wrong_password_is_refused_and_still_counts_towards_the_lockout(people):
    settings = load_settings()
    with pytest.raises(Refused) as refused:
        run(sign_in(settings, "coord", "not-the-password", "10.0.0.9", None))
    assert [error.field for error in refused.value.errors] == [FORM]
    attempts = run(LoginAttempt.select().where(LoginAttempt.client == "10.0.0.9"))
    assert [attempt["succeeded"] for attempt in attempts] == [False]
    session = run(sign_in(settings, "coord", PASSWORD, "10.0.0.9", None))
    assert run(SessionsBase.exists().where(SessionsBase.token == stored_token(session.token)))


def test_the_sessions_table_keeps_only_a_hash_of_each_token(signed_in):
    browser = signed_in("coordinator")
    token = browser.client.cookies[SESSION_COOKIE]
    stored = [row["token"] for row in run(SessionsBase.select(SessionsBase.token))]
    assert token not in stored and stored_token(token) in stored
    # a copy of the table signs nobody in
    browser.client.cookies.clear()
    browser.client.cookies.set(SESSION_COOKIE, stored_token(token))
    assert browser.get("/students/").status_code == 303
