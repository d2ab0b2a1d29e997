"""CSRF protection (plain ASGI): the token is tied to the session, checked on every form and
script request, and over HTTPS the request must come from an allowed origin."""

from __future__ import annotations

from starlette.testclient import TestClient

from college.app import create_app
from portal.auth import SESSION_COOKIE
from portal.settings import load_settings
from tests.support import PASSWORD, Browser, student_values


def new_student_form(token: str, number: str = "2026000001") -> dict[str, str]:
    values = {k: str(v) for k, v in student_values(student_no=number).items()}
    return values | {"csrftoken": token}


def test_signing_in_gives_a_new_token_tied_to_the_session(browser, people):
    before = browser.csrf_token()
    browser.sign_in("coord")
    after = browser.client.cookies["csrftoken"]
    assert after != before
    page = browser.get("/students/new")
    assert Browser.soup(page).select_one("input[name=csrftoken]")["value"] == after


def test_a_token_from_before_sign_in_is_refused_after_it(browser, people):
    anonymous_token = browser.csrf_token()
    browser.sign_in("coord")
    response = browser.client.post(
        "/students/new", data=new_student_form(anonymous_token), follow_redirects=False
    )
    assert response.status_code == 403


def test_another_sessions_token_is_refused(client, people):
    mine, theirs = Browser(client), None
    with TestClient(create_app(), base_url="http://testserver") as other_client:
        theirs = Browser(other_client)
        theirs.sign_in("coord")
        their_token = other_client.cookies["csrftoken"]
    mine.sign_in("coord")
    assert client.cookies["csrftoken"] != their_token
    refused = client.post(
        "/students/new", data=new_student_form(their_token), follow_redirects=False
    )
    assert refused.status_code == 403
    accepted = mine.post("/students/new", new_student_form(client.cookies["csrftoken"]))
    assert accepted.status_code == 303


def test_a_planted_csrf_cookie_does_not_help_a_signed_in_attacker(browser, people):
    browser.sign_in("coord")
    browser.client.cookies.set("csrftoken", "planted")
    response = browser.client.post(
        "/students/new", data=new_student_form("planted"), follow_redirects=False
    )
    assert response.status_code == 403


def test_scripts_may_send_the_token_as_a_header(browser, people):
    browser.sign_in("coord")
    token = browser.client.cookies["csrftoken"]
    values = {k: v for k, v in new_student_form(token).items() if k != "csrftoken"}
    response = browser.client.post(
        "/students/new", data=values, headers={"X-CSRFToken": token}, follow_redirects=False
    )
    assert response.status_code == 303


def test_signing_out_gives_a_fresh_anonymous_token(signed_in):
    browser = signed_in("coordinator")
    session_token = browser.client.cookies["csrftoken"]
    response = browser.post("/logout")
    assert response.status_code == 303
    assert browser.client.cookies["csrftoken"] != session_token
    assert SESSION_COOKIE not in browser.client.cookies


def test_over_https_the_origin_must_be_an_allowed_host(monkeypatch, people):
    monkeypatch.setenv("PORTAL_PRODUCTION", "1")
    monkeypatch.setenv("PORTAL_ALLOWED_HOSTS", "portal.example.edu.cn")
    with TestClient(create_app(load_settings()), base_url="https://portal.example.edu.cn") as c:
        browser = Browser(c)
        form = {"username": "coord", "password": PASSWORD}
        foreign = browser.post("/login", form, headers={"origin": "https://evil.example.com"})
        assert foreign.status_code == 403
        missing = browser.post("/login", form)
        assert missing.status_code == 403
        allowed = browser.post("/login", form, headers={"origin": "https://portal.example.edu.cn"})
        assert allowed.status_code == 303
        assert "Secure" in allowed.headers["set-cookie"]
