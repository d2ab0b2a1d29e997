"""The inbox and the notification settings in Chromium at a laptop's and a phone's width:
axe-core finds no serious or critical violation, no page is wider than the phone, the unread
count appears in the menu once htmx has loaded it, and the settings sent wrong show their
messages beside the fields."""

from __future__ import annotations

import datetime

import pytest

from portal.audit import Actor, audited_write
from portal.notifications import notify
from tests.browser.accessibility import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.support import People, make_people, run

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def people() -> People:
    made = make_people()

    async def write() -> None:
        async with audited_write(Actor(None, "test")):
            for number in range(3):
                await notify(
                    made.coordinator_user,
                    "agreement_expiring",
                    f"测试联合党支部{number}的共建协议将于 2027-01-20 到期",
                    "共建协议将于 2027-01-20 到期，请及时续签。",
                    "/organizations/1",
                    f"browser:{number}",
                    datetime.datetime(2026, 11, 30, 10, 0),
                )

    run(write())
    return made


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366px", "390px"])
def test_the_inbox_and_the_settings_are_accessible(new_page, people, viewport):
    page = new_page(viewport=viewport)
    sign_in(page, "coord")
    response = page.goto("/inbox")
    assert response is not None and response.ok
    assert page.locator(".inbox-count .badge").inner_text()  # loaded by htmx
    assert page.locator("li.notice.unread").count() == 3
    assert_accessible(page)

    response = page.goto("/account/notifications")
    assert response is not None and response.ok
    assert_accessible(page)
    page.check("input[name=channels][value=wecom]")
    page.fill("#f-wecom_webhook", "https://example.com/hook")
    page.click("form button.primary")
    page.wait_for_selector("#e-wecom_webhook")
    assert_accessible(page)
