"""Data-keyed caches: what a worker keeps in memory (the viewer of a session, derived figures,
whole pages) is served only while no write has happened since — in this worker or another —
and nothing of one user's reaches another."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from piccolo.apps.user.tables import BaseUser
from starlette.testclient import TestClient

from college.app import create_app
from portal.auth import SESSION_COOKIE
from portal.tables import Profile, Role
from tests.support import (
    PASSWORD,
    Browser,
    count_queries,
    make_account,
    make_students,
    run,
    student_values,
)


@contextlib.contextmanager
def second_worker() -> Iterator[TestClient]:
    """Another app instance on the same database: another worker's caches."""
    with TestClient(create_app(), base_url="http://testserver") as client:
        yield client


def test_a_cached_count_changes_right_after_a_write_in_this_worker(signed_in):
    coordinator = signed_in("coordinator")
    make_students(3)
    first = coordinator.get("/students/")
    again = coordinator.get("/students/")
    assert again.text == first.text  # served from the cache, token and all
    values = {k: str(v) for k, v in student_values(student_no="2026123456").items()}
    assert coordinator.post("/students/new", values).status_code == 303
    after = coordinator.get("/students/")
    assert "2026123456" in after.text
    assert after.context["page"].total == first.context["page"].total + 1


def test_a_write_in_another_worker_is_seen_at_once(signed_in, people):
    coordinator = signed_in("coordinator")
    make_students(2)
    before = coordinator.get("/students/")
    with second_worker() as other:
        elsewhere = Browser(other)
        elsewhere.sign_in("coord")
        values = {k: str(v) for k, v in student_values(student_no="2026654321").items()}
        assert elsewhere.post("/students/new", values).status_code == 303
    after = coordinator.get("/students/")
    assert "2026654321" in after.text and "2026654321" not in before.text


def test_signing_out_in_another_worker_ends_the_session_here_too(signed_in):
    coordinator = signed_in("coordinator")
    assert coordinator.get("/students/").status_code == 200  # the viewer is now cached
    token = coordinator.client.cookies[SESSION_COOKIE]
    with second_worker() as other:
        other.cookies.set(SESSION_COOKIE, token)
        other.cookies.set("csrftoken", coordinator.client.cookies["csrftoken"])
        assert Browser(other).post("/logout").status_code == 303
    assert coordinator.get("/students/").status_code == 303  # to the sign-in page


def test_a_deactivated_account_is_signed_out_at_its_next_request(signed_in, people):
    coordinator = signed_in("coordinator")
    assert coordinator.get("/students/").status_code == 200
    run(BaseUser.update({BaseUser.active: False}).where(BaseUser.id == people.coordinator_user))
    assert coordinator.get("/students/").status_code == 303


def test_a_changed_display_name_shows_at_once(signed_in, people):
    coordinator = signed_in("coordinator")
    assert "教务处张老师" not in coordinator.get("/students/").text
    run(
        Profile.update({Profile.display_name: "教务处张老师"}).where(
            Profile.user == people.coordinator_user
        )
    )
    assert "教务处张老师" in coordinator.get("/students/").text


def test_a_cached_page_is_never_served_to_another_user(client, people):
    make_account("coord2", Role.coordinator)
    run(
        Profile.update({Profile.display_name: "第二位老师"}).where(Profile.display_name == "coord2")
    )
    first, second = Browser(client), None
    first.sign_in("coord")
    mine = first.get("/students/")
    with second_worker() as other:
        second = Browser(other)
        second.sign_in("coord2")
        theirs = second.get("/students/")
        their_token = other.cookies["csrftoken"]
    assert "第二位老师" in theirs.text and "第二位老师" not in mine.text
    assert their_token in theirs.text and their_token not in mine.text


def test_each_response_of_a_cached_page_carries_its_own_token(client, people):
    one, two = Browser(client), None
    one.sign_in("coord")
    one.get("/students/")
    with second_worker() as other:
        two = Browser(other)
        two.sign_in("coord")  # the same user, another session: another token
        page = two.get("/students/")
        token = other.cookies["csrftoken"]
    logout_form = Browser.soup(page).select_one("form[action$='/logout'] input[name=csrftoken]")
    assert logout_form["value"] == token != client.cookies["csrftoken"]


def test_flash_messages_are_shown_once_and_never_cached(signed_in):
    coordinator = signed_in("coordinator")
    coordinator.get("/students/")
    values = {k: str(v) for k, v in student_values(student_no="2026777777").items()}
    created = coordinator.post("/students/new", values)
    shown = coordinator.get(created.headers["location"])
    assert Browser.soup(shown).select(".flash-success")
    assert not Browser.soup(coordinator.get(created.headers["location"])).select(".flash-success")


def test_the_sign_in_page_works_for_many_sessions_at_once(client, people):
    """The login form is never cached with someone else's token."""
    for _ in range(3):
        browser = Browser(client)
        client.cookies.clear()
        assert browser.sign_in("coord", PASSWORD).status_code == 303


def test_a_repeated_page_is_served_without_a_query(signed_in, monkeypatch):
    coordinator = signed_in("coordinator")
    make_students(3)
    coordinator.get("/students/?sort=name")
    queries = count_queries(monkeypatch)
    again = coordinator.get("/students/?sort=name")
    assert again.status_code == 200 and queries == []


def test_viewers_of_one_scope_share_a_page_each_with_their_own_name(client, people, monkeypatch):
    make_account("coord2", Role.coordinator)
    run(
        Profile.update({Profile.display_name: "第二位老师"}).where(Profile.display_name == "coord2")
    )
    browser = Browser(client)
    browser.sign_in("coord2")
    second = dict(client.cookies)
    client.cookies.clear()
    browser.sign_in("coord")  # signing in writes: both sign in before pages are kept
    mine = browser.get("/students/")
    client.cookies.clear()
    client.cookies.update(second)
    queries = count_queries(monkeypatch)
    theirs = browser.get("/students/")
    # The college's page as it was stored for the first coordinator (only the second one's
    # session is read).
    assert [sql for sql in queries if "FROM sessions" not in sql] == []
    assert "第二位老师" in theirs.text and "第二位老师" not in mine.text
    assert second["csrftoken"] in theirs.text and second["csrftoken"] not in mine.text


def test_a_name_is_escaped_where_it_is_put_in(signed_in, people):
    coordinator = signed_in("coordinator")
    run(
        Profile.update({Profile.display_name: "<b>张&李</b>"}).where(
            Profile.user == people.coordinator_user
        )
    )
    page = coordinator.get("/students/").text
    assert "&lt;b&gt;张&amp;李&lt;/b&gt;" in page and "<b>张&李</b>" not in page
