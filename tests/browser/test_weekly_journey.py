"""The weekly placement log's whole week in Chromium, as its three people live it: the student
writes last week on a phone; the enterprise mentor, who has no account, opens the link from
the email the portal sent (caught by a local SMTP server) and confirms in one tap; the college
mentor comments and grades it from the review queue. The taps each of them needed are counted
and written to var/screenshots/weekly-journey-clicks.json; no page is wider than the phone, and
axe-core finds nothing serious on the student's record and the link's page."""

from __future__ import annotations

import datetime
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from college.notices import produce_notices, send_due
from partners.coeducation.tables import Mentor, Participation, WeeklyLog
from portal.notify_rules import beijing_now
from tests.browser.accessibility import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.browser.test_layout import SCREENSHOTS
from tests.portal.test_notifications import mail_server
from tests.support import People, make_people, run

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
MENTOR_EMAIL = "qian.gong@enterprise.example"
WIDER_THAN_VIEWPORT = "() => document.documentElement.scrollWidth - window.innerWidth"


@dataclass
class Effort:
    """What one person did to get their part of the week done, after signing in."""

    taps: int = 0
    fields: int = 0
    pages: list[str] = field(default_factory=list)

    def tap(self, page, selector: str) -> None:
        self.taps += 1
        page.locator(selector).first.click()
        page.wait_for_load_state("load")
        self.pages.append(page.url)

    def type(self, page, selector: str, text: str) -> None:
        self.fields += 1
        page.fill(selector, text)

    def choose(self, page, selector: str, value: str) -> None:
        self.fields += 1
        page.select_option(selector, value)


def in_thread(awaitable) -> Any:
    """Database work while Playwright's loop holds this thread: on a thread of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run, awaitable).result()


@pytest.fixture
def week(monkeypatch, live_server) -> dict[str, Any]:
    """student1 on a 岗位实习 around today, with mentor1 as college mentor and an enterprise
    mentor who has no account but an email; the portal sends mail to a local SMTP server."""
    people: People = make_people()
    today = datetime.date.today()
    run(
        Participation.update(
            starts_on=today - datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=60),
            internship_kind="post",
        ).where(Participation.id == people.mine.participation)
    )
    run(
        Mentor.update({Mentor.email: MENTOR_EMAIL}).where(
            Mentor.id == people.mine.enterprise_mentor
        )
    )
    with mail_server(monkeypatch, live_server.url) as inbox:
        yield {"smtp": inbox}


def assert_fits_the_phone(page) -> None:
    assert page.evaluate(WIDER_THAN_VIEWPORT) <= 0, f"wider than the phone: {page.url}"


def test_a_week_written_confirmed_by_email_link_and_commented(new_page, week):
    effort = {"student": Effort(), "enterprise mentor": Effort(), "college mentor": Effort()}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The student, on a phone: their record offers last week; they write it and send it.
    student = effort["student"]
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    sign_in(phone, "student1")
    assert_accessible(phone)  # the record with the week to write on top
    student.tap(phone, "#write-week")
    assert_fits_the_phone(phone)
    student.type(phone, "#f-work_done", "调试装配线伺服电机，完成三台设备的参数整定。")
    student.type(phone, "#f-learned", "伺服参数整定与安全联锁")
    student.type(phone, "input[name=hours]", "38")
    phone.screenshot(path=SCREENSHOTS / "weekly-write-390.png", full_page=True)
    student.tap(phone, "main button[type=submit]")
    assert phone.locator("#weekly-link-url").count() == 1  # the link, should they send it too
    assert_fits_the_phone(phone)
    [log] = run_rows(WeeklyLog.select(WeeklyLog.id, WeeklyLog.status))
    assert log["status"] == "submitted"

    # The background jobs tell the enterprise mentor by email (daytime, outside quiet hours).
    daytime = beijing_now().replace(hour=10, minute=0, second=0, microsecond=0)
    in_thread(produce_notices(daytime))
    in_thread(send_due(daytime))
    [message] = [m for m in week["smtp"].messages if m["To"] == MENTOR_EMAIL]
    assert "待确认" in message["Subject"]
    found = re.search(
        r"http://127\.0\.0\.1:\d+(/weekly-logs/confirm/[\w-]+)", message.get_content()
    )
    assert found, message.get_content()

    # The enterprise mentor, on their phone, opens the link and confirms: no account.
    mentor = effort["enterprise mentor"]
    their_phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    mentor.taps += 1  # the link in the email
    their_phone.goto(found.group(1))
    assert "调试装配线伺服电机" in their_phone.content()
    assert_accessible(their_phone)
    their_phone.screenshot(path=SCREENSHOTS / "weekly-link-390.png", full_page=True)
    mentor.tap(their_phone, "#answer button[value=confirm]")
    assert their_phone.locator("#link-done").count() == 1
    their_phone.goto(found.group(1))  # the link served its one use
    assert their_phone.locator("#answer").count() == 0

    # The college mentor, at a desk: from the menu to the queue, comment, grade, save and next.
    teacher = effort["college mentor"]
    desk = new_page(viewport=LAPTOP, locale="zh-CN")
    sign_in(desk, "mentor1")
    teacher.tap(desk, "nav a[href$='/weekly-reviews/']")
    teacher.tap(desk, f"#entry-{log['id']} a")
    teacher.type(desk, "#f-comment", "参数整定记录完整，下周请补充安全联锁的测试结果。")
    teacher.choose(desk, "select[name=grade]", "A")
    teacher.tap(desk, "#review button[name=next]")
    assert "weekly-reviews" in desk.url
    [reviewed] = run_rows(
        WeeklyLog.select(WeeklyLog.status, WeeklyLog.grade, WeeklyLog.reviewed_at)
    )
    assert reviewed["status"] == "confirmed" and reviewed["grade"] == "A"
    assert reviewed["reviewed_at"] is not None

    counts = {
        who: {"taps": done.taps, "fields": done.fields, "pages": len(done.pages)}
        for who, done in effort.items()
    }
    (SCREENSHOTS / "weekly-journey-clicks.json").write_text(
        json.dumps(counts, ensure_ascii=False, indent=2)
    )
    # What a week costs each of them after signing in (the budget the issue asks to measure).
    assert counts["student"]["taps"] == 2
    assert counts["enterprise mentor"]["taps"] == 2
    assert counts["college mentor"]["taps"] == 3


def run_rows(query) -> list[dict[str, Any]]:
    return in_thread(query)
