"""In Chromium, with htmx: ticks on the attendance form survive a search (the form is swapped
in place, not reloaded) and are all saved; choosing a project on the new assignment form
narrows the enterprise mentors at once. No request is refused by CSRF, nothing by the CSP."""

from __future__ import annotations

import datetime

import pytest

from partners.organizations.queries import units_of
from partners.organizations.tables import Activity, OrganizationMember
from tests.browser.test_journeys import sign_in
from tests.support import People, make_people, run

MARK_PAGE = "() => { window.stillTheSamePage = true; }"
SAME_PAGE = "() => window.stillTheSamePage === true"
OFFERED = "document.querySelectorAll(\"#f-enterprise_mentor option:not([value=''])\").length"


@pytest.fixture
def people() -> People:
    return make_people()


def watch(page) -> list[str]:
    """Console errors (a CSP refusal shows there) and refused requests, collected."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return problems


def test_ticks_survive_a_search_and_are_all_saved(new_page, people):
    org = people.organization_a
    unit = run(units_of(org))[0].id
    run(
        OrganizationMember.insert(
            *(
                OrganizationMember(organization=org, member_unit=unit, name=f"队员{n:02d}")
                for n in range(1, 41)
            )
        )
    )
    activity = run(
        Activity.insert(
            Activity(
                organization=org, kind="lecture", title="讲座", held_on=datetime.date(2026, 3, 5)
            )
        ).returning(Activity.id)
    )[0]["id"]
    page = new_page(viewport={"width": 390, "height": 844})
    problems = watch(page)
    sign_in(page, "coord")
    page.goto(f"/organizations/{org}/activities/{activity}/attendance")
    page.evaluate(MARK_PAGE)
    page.get_by_label("队员05", exact=True).check()  # the name is the checkbox's label
    page.fill("#f-member_q", "队员3")
    page.press("#f-member_q", "Enter")
    page.wait_for_selector("label.check:has-text('队员35')")
    assert page.evaluate(SAME_PAGE), "the search reloaded the page instead of swapping the form"
    assert page.locator("label.check", has_text="队员05").count() == 0
    page.get_by_label("队员35", exact=True).check()
    page.click("button[name=action][value=save]")
    page.wait_for_url(f"**/organizations/{org}/activities/{activity}")
    attending = page.locator("ul.attendees li").all_inner_texts()
    assert sorted(attending) == ["队员05", "队员35"]
    assert problems == []


def test_choosing_a_project_narrows_the_enterprise_mentors(new_page, people):
    page = new_page(viewport={"width": 1366, "height": 900})
    problems = watch(page)
    sign_in(page, "coord")
    page.goto("/mentorships/new")
    page.evaluate(MARK_PAGE)
    options = "#f-enterprise_mentor option:not([value=''])"

    def offered() -> set[int]:
        return {int(v) for v in page.eval_on_selector_all(options, "os => os.map(o => o.value)")}

    mine, theirs = people.mine.enterprise_mentor, people.theirs.enterprise_mentor
    assert {mine, theirs} <= offered()
    page.select_option("#f-project", str(people.mine.project))
    page.wait_for_function(f"n => {OFFERED} === n", arg=1)
    assert offered() == {mine}
    assert page.evaluate(SAME_PAGE)
    page.select_option("#f-enterprise_mentor", str(mine))
    page.select_option("#f-project", "")
    page.wait_for_function(f"n => {OFFERED} >= n", arg=2)
    assert page.input_value("#f-enterprise_mentor") == str(mine)  # kept while still offered
    assert problems == []
