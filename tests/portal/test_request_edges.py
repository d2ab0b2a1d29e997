"""Requests at the edges (issue 14): over-long addresses, huge or many-field forms, foreign Host
headers, control characters in text, and the headers of a 500 page — each answered with a
clear 4xx in the user's language, never a 500."""

from __future__ import annotations

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from college.app import create_app
from portal.limits import MAX_FORM_BYTES, MAX_FORM_FIELDS
from portal.settings import load_settings, private_files_warnings
from portal.tables import Student
from tests.portal.test_students import VALID
from tests.support import Browser, run


def error_details(response) -> list[str]:
    return [li.get_text(strip=True) for li in Browser.soup(response).select(".error-details li")]


def test_a_fifty_thousand_character_search_is_refused_with_a_message(signed_in):
    coordinator = signed_in("coordinator")
    response = coordinator.get("/students/?q=" + "a" * 50_001)
    assert response.status_code == 400
    assert error_details(response) == ["网址过长，请缩短搜索词或减少筛选条件。"]


def test_a_form_with_two_hundred_thousand_fields_is_refused(browser):
    body = "&".join(["a="] * 200_000)
    assert len(body) < MAX_FORM_BYTES and MAX_FORM_FIELDS < 200_000
    response = browser.client.post(
        "/login",
        content=f"csrftoken={browser.csrf_token()}&{body}",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert error_details(response) == ["无法读取提交的表单：字段过多或格式不正确。"]


def test_a_body_longer_than_it_may_be_is_refused_whether_declared_or_streamed(browser):
    declared = browser.client.post(
        "/login",
        content=b"x" * 10,
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "content-length": str(50 * 1024 * 1024),
        },
    )
    assert declared.status_code == 413

    def chunks():
        for _ in range(40):
            yield b"username=" + b"a" * 64 * 1024

    streamed = browser.client.post(
        "/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert streamed.status_code == 413
    assert "提交的内容超过门户允许的大小" in error_details(streamed)[0]


def test_control_characters_in_a_text_field_are_refused_beside_it(signed_in):
    coordinator = signed_in("coordinator")
    response = coordinator.post("/students/new", {**VALID, "name": "李\x00明"})
    assert response.status_code == 400
    assert "控制字符" in Browser.field_error(response, "name")
    assert Browser.soup(response).select_one("#f-name")["value"] == "李明"
    assert not run(Student.select().where(Student.student_no == VALID["student_no"]))


def test_a_foreign_host_header_is_refused_and_named_hosts_are_served(monkeypatch):
    with TestClient(create_app(), base_url="http://evil.example") as client:
        assert client.get("/login").status_code == 400
    monkeypatch.setenv("PORTAL_ALLOWED_HOSTS", "portal.example.edu.cn")
    with TestClient(create_app(), base_url="http://portal.example.edu.cn") as client:
        assert client.get("/login").status_code == 200
    with TestClient(create_app(), base_url="http://localhost") as client:
        assert client.get("/login").status_code == 400


def failing(request):
    raise RuntimeError("a bug")


@pytest.mark.parametrize("production", [False, True])
def test_a_500_page_carries_the_security_headers(monkeypatch, production):
    monkeypatch.setenv("PORTAL_PRODUCTION", "1" if production else "")
    app = create_app(load_settings())
    app.router.routes.append(Route("/boom", failing))
    with TestClient(app, raise_server_exceptions=False) as client:
        page, crash = client.get("/login"), client.get("/boom")
    assert crash.status_code == 500
    for response in (page, crash):
        assert response.headers["x-frame-options"] == "DENY"
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert ("strict-transport-security" in response.headers) is production


def test_files_under_var_that_others_can_read_are_named_at_start(tmp_path):
    var = tmp_path / "var"
    (var / "batches").mkdir(parents=True)
    var.chmod(0o700)
    (var / "batches").chmod(0o755)
    (var / "secret_key").write_text("k")
    (var / "secret_key").chmod(0o600)
    (var / "portal.sqlite").write_text("")
    (var / "portal.sqlite").chmod(0o644)
    warnings = private_files_warnings(var)
    assert warnings == [
        f"{var / 'batches'} is readable by other users (mode 755): chmod 700 {var / 'batches'}",
        f"{var / 'portal.sqlite'} is readable by other users (mode 644): "
        f"chmod 600 {var / 'portal.sqlite'}",
    ]
    (var / "batches").chmod(0o700)
    (var / "portal.sqlite").chmod(0o600)
    assert private_files_warnings(var) == []


def test_health_and_readiness_answer_anyone_without_data(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "database": "ok",
        "migrations_pending": 0,
        "queue": "ok",
    }


def test_readiness_fails_while_a_migration_is_pending(client, monkeypatch):
    from portal import health

    shipped = health.expected_migrations() | {("portal", "2099-01-01T00:00:00:000000")}
    monkeypatch.setattr(health, "expected_migrations", lambda: shipped)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["migrations_pending"] == 1


def test_readiness_fails_while_the_queue_does_not_answer(client, monkeypatch):
    from portal import health

    async def unreachable() -> bool:
        raise ConnectionRefusedError(111, "Connect call failed")

    monkeypatch.setitem(health._checks, "queue", unreachable)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["queue"] == "failing"


def test_every_response_carries_a_request_id_and_a_500_page_shows_it(monkeypatch):
    app = create_app(load_settings())
    app.router.routes.append(Route("/boom", failing))
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/login")
        given = client.get("/login", headers={"x-request-id": "proxy-abc-12345"})
        crash = client.get("/boom", headers={"accept-language": "zh-CN"})
    assert len(page.headers["x-request-id"]) == 16
    assert given.headers["x-request-id"] == "proxy-abc-12345"
    shown = Browser.soup(crash).select_one(".request-id code").get_text()
    assert shown == crash.headers["x-request-id"]
