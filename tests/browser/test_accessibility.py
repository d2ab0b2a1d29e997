"""The main journey of every role in Chromium, at a laptop's width (1366×900) and a phone's
(390×844), with axe-core run on every page visited: no serious or critical violation, and no
page wider than the phone. A coordinator goes from the dashboard through a student's record,
a project and an organization to an activity's attendance and the audit log; a partner from
the dashboard to their enterprise, an organization, an activity and its plans; a mentor to a
mentee's assignment and the log form (sent empty, so the errors are checked too); a student
reads their record and acknowledges a log."""

from __future__ import annotations

import pytest

from partners.organizations.tables import Activity
from tests.browser.accessibility import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.support import People, make_people, run

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
VIEWPORTS = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366px", "390px"])


@pytest.fixture
def people() -> People:
    return make_people()


def activity_of(organization_id: int) -> int:
    row = run(Activity.select(Activity.id).where(Activity.organization == organization_id).first())
    return int(row["id"])


def walk(page, paths: list[str]) -> None:
    """Opens each page in turn and checks it; a page that answers an error fails at once."""
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        assert_accessible(page)


@VIEWPORTS
def test_a_coordinators_journey_is_accessible(new_page, people, viewport):
    org = people.organization_a
    activity = activity_of(org)  # before Chromium starts: its event loop holds this thread
    page = new_page(viewport=viewport)
    sign_in(page, "coord")
    walk(
        page,
        [
            "/",
            "/students/",
            f"/students/{people.student_id}/record",
            f"/projects/{people.mine.project}",
            f"/organizations/{org}",
            f"/organizations/{org}/activities/{activity}/attendance",
            "/audit/",
        ],
    )


@VIEWPORTS
def test_a_partners_journey_is_accessible(new_page, people, viewport):
    org = people.organization_a
    activity = activity_of(org)
    page = new_page(viewport=viewport)
    sign_in(page, "partner_a")
    walk(
        page,
        [
            "/",
            f"/enterprises/{people.enterprise_a}",
            f"/organizations/{org}",
            f"/organizations/{org}/activities/{activity}",
            f"/organizations/{org}/plans/",
        ],
    )


@VIEWPORTS
def test_a_mentors_journey_is_accessible(new_page, people, viewport):
    assignment = f"/mentorships/{people.mine.assignment}"
    page = new_page(viewport=viewport)
    sign_in(page, "mentor1")
    walk(page, ["/", assignment, assignment + "/logs/new"])
    # The form sent empty comes back with a message next to each field it needs.
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state("load")
    assert page.locator("main .error:not([hidden])").count() >= 1
    assert_accessible(page)


@VIEWPORTS
def test_a_students_journey_is_accessible(new_page, people, viewport):
    page = new_page(viewport=viewport)
    sign_in(page, "student1")
    walk(page, ["/me"])
    acknowledge = page.locator("form[action*='/acknowledge'] button[type=submit]")
    assert acknowledge.count() == 1
    acknowledge.click()
    page.wait_for_load_state("load")
    assert page.locator("form[action*='/acknowledge']").count() == 0
    assert_accessible(page)


def test_the_check_fails_on_a_nameless_button_and_on_a_page_wider_than_a_phone(new_page):
    page = new_page(viewport=PHONE)
    page.set_content(
        '<!doctype html><html lang="en"><title>t</title><main><h1>t</h1>'
        "<button></button></main></html>"
    )
    with pytest.raises(AssertionError, match=r"critical button-name[\s\S]*<button></button>"):
        assert_accessible(page)
    page.set_content(
        '<!doctype html><html lang="en"><title>t</title><main><h1>t</h1>'
        '<p style="width: 900px">wide</p></main></html>'
    )
    with pytest.raises(AssertionError, match="scrollWidth"):
        assert_accessible(page)
