"""Every role against every route: allowed, sent to sign in, or told the page does not exist."""

from __future__ import annotations

import pytest
from starlette.routing import Mount, Route

from college.app import create_app
from tests.partners import (
    matrix_activities,
    matrix_bulk,
    matrix_enterprises,
    matrix_mentorships,
    matrix_organizations,
    matrix_plans,
    matrix_projects,
    matrix_records,
    matrix_weekly_logs,
    matrix_weekly_reviews,
)
from tests.portal import (
    matrix_dashboards,
    matrix_exports,
    matrix_filings,
    matrix_imports,
    matrix_notifications,
    matrix_pdf_batches,
)
from tests.support import Browser
from tests.talent_pool import matrix_pipeline, matrix_pool

AREA_MATRICES = (
    matrix_bulk,
    matrix_weekly_logs,
    matrix_weekly_reviews,
    matrix_pool,
    matrix_pipeline,
    matrix_imports,
    matrix_exports,
    matrix_dashboards,
    matrix_pdf_batches,
    matrix_filings,
    matrix_notifications,
)

LOGIN = "login"  # signed-out users are redirected to /login?next=…
ROLES = ("anonymous", "coordinator", "partner", "student", "mentor")
USERNAMES = {
    "coordinator": "coord",
    "partner": "partner_a",
    "student": "student1",
    "mentor": "mentor1",
}

# path template → method → expected outcome per role, in the order of ROLES.
MATRIX: dict[tuple[str, str], tuple] = {
    ("GET", "/login"): (200, 200, 200, 200, 200),
    ("POST", "/login"): (400, 400, 400, 400, 400),
    ("POST", "/logout"): (LOGIN, 303, 303, 303, 303),
    ("GET", "/account/password"): (LOGIN, 200, 200, 200, 200),
    ("POST", "/account/password"): (LOGIN, 400, 400, 400, 400),
    ("GET", "/lang/{code}"): (303, 303, 303, 303, 303),
    ("GET", "/"): (LOGIN, 200, 200, 303, 200),
    ("GET", "/me"): (LOGIN, 404, 404, 200, 404),
    ("GET", "/favicon.ico"): (200, 200, 200, 200, 200),
    ("GET", "/healthz"): (200, 200, 200, 200, 200),
    ("GET", "/readyz"): (200, 200, 200, 200, 200),
    ("GET", "/metrics"): (404, 404, 404, 404, 404),  # off unless PORTAL_METRICS_TOKEN is set
    ("GET", "/students/"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/students/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/students/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/students/{student_id}"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/students/{student_id}/edit"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/students/{student_id}/edit"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/students/{student_id}/delete"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/students/{student_id}/delete"): (LOGIN, 303, 404, 404, 404),
    ("GET", "/accounts/"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/accounts/new"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/accounts/new"): (LOGIN, 400, 404, 404, 404),
    ("GET", "/accounts/{user_id}"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/accounts/{user_id}/active"): (LOGIN, 303, 404, 404, 404),
    ("GET", "/audit/"): (LOGIN, 200, 404, 404, 404),
    ("GET", "/rules"): (LOGIN, 200, 404, 404, 404),
    ("POST", "/rules/number"): (LOGIN, 400, 404, 404, 404),
    ("POST", "/rules/version"): (LOGIN, 400, 404, 404, 404),
    **matrix_enterprises.MATRIX,
    **matrix_organizations.MATRIX,
    **matrix_activities.MATRIX,
    **matrix_plans.MATRIX,
    **matrix_projects.MATRIX,
    **matrix_mentorships.MATRIX,
    **matrix_records.MATRIX,
}
for _area in AREA_MATRICES:
    MATRIX.update(_area.MATRIX)


def concrete(path: str, people) -> str:
    """The path with ids filled in. Pages of the other enterprise's objects (…_b) are used, so
    a partner's row says what it gets for objects that are not its own; the matrix files test
    its own objects separately."""
    return path.format(
        code="en",
        student_id=people.other_student_id,
        user_id=people.mentor_user,
        enterprise_id=people.enterprise_b,
        organization_id=people.organization_b,
        project_id=people.theirs.project,
        participation_id=people.theirs.participation,
        mentor_id=people.theirs.enterprise_mentor,
        assignment_id=people.theirs.assignment,
        log_id=people.theirs.log,
        evaluation_id=people.theirs.evaluation,
        award_id=people.theirs.award,
        **objects_of(people),
    )


def objects_of(people) -> dict[str, int]:
    """Ids of objects inside the other enterprise's organization (activities, plans, …), and
    those each area's matrix module makes with its `objects(people)`."""
    from tests.partners.objects import objects_in

    ids = objects_in(people.organization_b)
    for area in AREA_MATRICES:
        if hasattr(area, "objects"):
            ids.update(area.objects(people))
    return ids


# Roles that may change data (coordinators) go last, so a successful POST cannot change what a
# later role is checked against (e.g. a coordinator deactivating the mentor's account).
ROLES_IN_TEST_ORDER = ("anonymous", "mentor", "student", "partner", "coordinator")


@pytest.mark.parametrize("method,path", list(MATRIX))
def test_route_access(client, people, method, path):
    """One test per route, every role in turn: the people and objects are made once."""
    url = concrete(path, people)
    for role in ROLES_IN_TEST_ORDER:
        browser = signed_in_as(client, role)
        response = browser.get(url) if method == "GET" else browser.post(url, {})
        expected = MATRIX[(method, path)][ROLES.index(role)]
        if expected == LOGIN:
            assert response.status_code == 303, f"{role} {method} {url}"
            assert response.headers["location"].startswith("http://testserver/login?next=")
        else:
            assert response.status_code == expected, f"{role} {method} {url}"


def signed_in_as(client, role: str) -> Browser:
    """The test client as a fresh browser of that role (cookies of the previous one dropped)."""
    client.cookies.clear()
    browser = Browser(client)
    if role != "anonymous":
        response = browser.sign_in(USERNAMES[role])
        assert response.status_code == 303, response.text
    return browser


def test_student_home_is_their_own_record(signed_in):
    response = signed_in("student").get("/")
    assert response.headers["location"].endswith("/me")


def test_every_route_is_in_the_access_matrix():
    declared = {path for _, path in MATRIX}
    for route in create_app().routes:
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route)
        template = route.path.replace(":int", "")
        assert template in declared, f"{template} is missing from the access matrix"
        for method in route.methods - {"HEAD"}:
            assert (method, template) in MATRIX, f"{method} {template} missing"


def test_forbidden_pages_look_like_missing_ones(signed_in, people):
    partner = signed_in("partner")
    forbidden = partner.get(f"/students/{people.student_id}")
    missing = partner.get("/students/999999")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.template.name == missing.template.name == "error.html"
