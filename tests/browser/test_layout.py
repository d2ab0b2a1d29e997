"""The layout every role works in, in Chromium at a phone's width (390×844) and a laptop's
(1366×900): a header no taller than 64 px on the phone, the side menu behind a menu button
there and beside the page on the laptop, the current section marked, and no page wider than
the screen (wide tables scroll inside their own focusable region). Screenshots of the
dashboard, a project page, an activity's attendance page and a student's record at both
widths go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from partners.organizations.tables import Activity
from tests.browser.test_journeys import sign_in
from tests.support import People, make_people, run

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
HEADER_MAX_PX = 64

LAYOUT = """() => {
  const header = document.querySelector('.site-header');
  const current = [...document.querySelectorAll('#site-menu a[aria-current="page"]')];
  const regions = [...document.querySelectorAll('.table-scroll')];
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    header: header.getBoundingClientRect().height,
    current: current.map(a => new URL(a.href).pathname),
    unfocusable: regions.filter(r => r.tabIndex !== 0
      || !(r.getAttribute('aria-label') || r.getAttribute('aria-labelledby'))).length,
    wide: [...document.querySelectorAll('body *')]
      .filter(e => !e.closest('.table-scroll'))
      .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .slice(0, 5).map(e => `${e.tagName} ${e.getAttribute('class') || ''} ${e.id}`),
  };
}"""


@pytest.fixture
def people() -> People:
    return make_people()


def pages_of(people: People) -> dict[str, list[tuple[str, str, str | None]]]:
    """Per account: (page, section the menu marks, screenshot name or None)."""
    project = f"/projects/{people.mine.project}"
    org = people.organization_a
    activity = run(Activity.select(Activity.id).where(Activity.organization == org).first())
    attendance = f"/organizations/{org}/activities/{activity['id']}/attendance"
    return {
        "coord": [
            ("/", "/", "dashboard"),
            ("/students/", "/students/", None),
            (project, "/projects/", "project"),
            (f"/students/{people.student_id}/record", "/students/", "record"),
            ("/mentorships/", "/mentorships/", None),
            (f"/organizations/{people.organization_a}", "/organizations/", None),
            (attendance, "/organizations/", "attendance"),
            ("/talent-pool/", "/talent-pool/", None),
            ("/mentors/import", "/mentors/import", None),  # 数据与报表, not 学生与导师
            ("/records/batches/", "/records/batches/", None),
            ("/audit/", "/audit/", None),
        ],
        "partner_a": [
            ("/", "/", None),
            (f"/enterprises/{people.enterprise_a}", f"/enterprises/{people.enterprise_a}", None),
            ("/organizations/", "/organizations/", None),
        ],
        "mentor1": [("/", "/", None), ("/mentorships/", "/mentorships/", None)],
        "student1": [("/me", "/me", None)],
    }


def check_menu_button(page, screenshot: Path | None = None) -> None:
    """On a phone the menu hides behind its button, which opens and closes it."""
    button = page.locator(".menu-button")
    menu = page.locator("#site-menu")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    button.click()
    assert button.get_attribute("aria-expanded") == "true" and menu.is_visible()
    assert page.locator("#site-menu a").first.is_visible()
    if screenshot:
        page.screenshot(path=screenshot)
    button.click()
    assert button.get_attribute("aria-expanded") == "false" and not menu.is_visible()


def test_every_role_sees_the_side_menu_and_no_page_wider_than_the_screen(new_page, people):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for username, visits in pages_of(people).items():
        page = new_page(viewport=PHONE)
        sign_in(page, username)
        for viewport in (PHONE, LAPTOP):
            page.set_viewport_size(viewport)
            width = viewport["width"]
            for path, section, shot in visits:
                page.goto(path)
                seen = page.evaluate(LAYOUT)
                where = f"{username} {path} at {width}px"
                assert seen["scrollWidth"] <= seen["innerWidth"], f"{where}: {seen}"
                assert seen["current"] == [section], f"{where}: {seen['current']}"
                assert seen["unfocusable"] == 0, where
                if width == PHONE["width"]:
                    assert seen["header"] <= HEADER_MAX_PX, f"{where}: header {seen['header']}px"
                    check_menu_button(page, SCREENSHOTS / f"menu-{shot}-390.png" if shot else None)
                else:
                    assert page.locator("#site-menu").is_visible(), where
                    assert not page.locator(".menu-button").is_visible(), where
                if shot:
                    page.screenshot(path=SCREENSHOTS / f"{shot}-{width}.png", full_page=True)
        page.context.close()


def test_the_sign_in_page_and_chinese_pages_keep_a_low_header_on_a_phone(new_page, people):
    page = new_page(viewport=PHONE)
    page.goto("/login")
    seen = page.evaluate(LAYOUT)
    assert seen["header"] <= HEADER_MAX_PX and seen["scrollWidth"] <= seen["innerWidth"], seen
    sign_in(page, "coord")
    page.goto("/lang/zh_CN?next=/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    seen = page.evaluate(LAYOUT)
    assert seen["header"] <= HEADER_MAX_PX and seen["scrollWidth"] <= seen["innerWidth"], seen
    check_menu_button(page, SCREENSHOTS / "menu-dashboard-390-zh.png")
