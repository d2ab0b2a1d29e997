"""Notifications (通知) with the database: a notice is made once per key, with a delivery per
channel the person chose; the job sends them to a local SMTP server (aiosmtpd) and a local
WeCom-like webhook, one message per notice or one digest, retries after a failure and never
sends one twice (two workers at once, or a run after success); the producers; and the inbox
and settings pages as each role sees them."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from college.notices import Transports, produce_notices, send_due
from partners.coeducation.tables import WeeklyLog
from partners.organizations.tables import Agreement, WorkPlan, WorkPlanItem
from portal.audit import Actor, audited_write
from portal.domain_errors import Refused
from portal.notifications import notify, save_preferences
from portal.notify_rules import MAX_ATTEMPTS, Message
from portal.tables import Delivery, Notification, NotificationPreference, Role
from talent_pool.tables import DueItem
from tests.support import Browser, insert_id, make_account, run

NOW = datetime.datetime(2026, 11, 30, 10, 0)  # a Monday, 10:00 Beijing time
WEBHOOK = (
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@contextlib.contextmanager
def mail_server(monkeypatch, base_url: str = "https://portal.college.example"):
    """A local SMTP server (aiosmtpd) the portal sends to, with links to `base_url`."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTAL_SMTP_PORT", str(port))
    monkeypatch.setenv("PORTAL_SMTP_STARTTLS", "off")
    monkeypatch.setenv("PORTAL_SMTP_FROM", "portal@college.example")
    monkeypatch.setenv("PORTAL_BASE_URL", base_url)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp(monkeypatch):
    with mail_server(monkeypatch) as inbox:
        yield inbox


class Robot:
    """A local stand-in for the WeCom group robot: records each JSON body; answers errcode 0,
    or HTTP 500 while `failing`."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.failing = False
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if robot.failing:
                    self.send_response(500)
                    self.end_headers()
                    return
                robot.received.append(json.loads(body))
                answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=t"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    made = Robot()
    yield made
    made.close()


def prefer(user_id: int, **values) -> None:
    """Preferences written directly (the robot's local address would not pass the form)."""
    run(NotificationPreference.delete().where(NotificationPreference.user == user_id))
    insert_id(NotificationPreference, user=user_id, **values)


def tell(user_id: int, key: str, subject: str = "协议即将到期", now=NOW) -> int | None:
    async def write():
        async with audited_write(Actor(None, "test")):
            return await notify(
                user_id,
                "agreement_expiring",
                subject,
                "联合党组织的共建协议将于 2027-01-10 到期，请及时续签。",
                "/organizations/1",
                key,
                now,
            )

    return run(write())


def deliveries(user_id: int) -> list[dict]:
    return run(
        Delivery.select(Delivery.all_columns())
        .where(Delivery.notification.user == user_id)
        .order_by(Delivery.id)
    )


# --- making notices ---------------------------------------------------------------------------


def test_a_notice_is_made_once_per_key_with_a_delivery_per_chosen_channel(people, smtp):
    user = people.coordinator_user
    prefer(user, channels="email,wecom", email="coord@college.example", wecom_webhook=WEBHOOK)
    first = tell(user, "agreement:1:2027-01-10")
    assert first is not None
    assert tell(user, "agreement:1:2027-01-10") is None  # the same key: nothing more
    assert run(Notification.count().where(Notification.user == user)) == 1
    made = deliveries(user)
    assert sorted(row["channel"] for row in made) == ["email", "wecom"]
    assert all(row["status"] == "pending" and row["due_at"] == NOW for row in made)
    # the same key for another person is another notice
    assert tell(people.partner_user, "agreement:1:2027-01-10") is not None


def test_inbox_only_by_default_and_no_email_without_a_mail_server(people, monkeypatch):
    monkeypatch.delenv("PORTAL_SMTP_HOST", raising=False)
    tell(people.student_user, "k1")
    assert deliveries(people.student_user) == []
    prefer(people.student_user, channels="email", email="s@college.example")
    tell(people.student_user, "k2")
    assert deliveries(people.student_user) == []


def test_a_notice_at_night_waits_for_the_end_of_the_quiet_hours(people, robot):
    user = people.mentor_user
    prefer(user, channels="wecom", wecom_webhook=robot.url)
    tell(user, "night", now=datetime.datetime(2026, 11, 30, 23, 30))
    assert deliveries(user)[0]["due_at"] == datetime.datetime(2026, 12, 1, 7, 0)
    report = run(send_due(datetime.datetime(2026, 12, 1, 6, 59)))
    assert report.messages == 0 and robot.received == []
    run(send_due(datetime.datetime(2026, 12, 1, 7, 0)))
    assert len(robot.received) == 1


# --- sending ----------------------------------------------------------------------------------


def test_an_email_and_a_wecom_message_are_sent_once(people, smtp, robot):
    user = people.coordinator_user
    prefer(user, channels="email,wecom", email="coord@college.example", wecom_webhook=robot.url)
    tell(user, "agreement:7", subject="测试联合党支部的共建协议将于 2027-01-10 到期")

    report = run(send_due(NOW))
    assert report.messages == 2 and report.sent == 2
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "coord@college.example"
    assert message["Subject"] == "【校企协同育人门户】测试联合党支部的共建协议将于 2027-01-10 到期"
    text = message.get_content()
    assert "联合党组织的共建协议将于 2027-01-10 到期，请及时续签。" in text
    assert "https://portal.college.example/organizations/1" in text

    assert len(robot.received) == 1
    body = robot.received[0]
    assert body["msgtype"] == "text"
    assert body["text"]["content"].startswith("【校企协同育人门户】测试联合党支部的共建协议")
    assert "请及时续签" in body["text"]["content"]

    assert {row["status"] for row in deliveries(user)} == {"sent"}
    # a later run (a retry after success) sends nothing again
    again = run(send_due(NOW + datetime.timedelta(minutes=5)))
    assert again.messages == 0
    assert len(smtp.messages) == 1 and len(robot.received) == 1


def test_a_digest_goes_as_one_message_at_the_digest_hour(people, smtp):
    user = people.partner_user
    prefer(user, channels="email", email="partner@enterprise.example", mode="digest", digest_hour=8)
    tell(user, "a", subject="协议即将到期")
    tell(user, "b", subject="工作计划有逾期事项")
    tell(user, "c", subject="第三条通知")
    assert run(send_due(NOW)).messages == 0  # due tomorrow 08:00
    report = run(send_due(datetime.datetime(2026, 12, 1, 8, 0)))
    assert report.messages == 1 and report.sent == 3
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["Subject"] == "【校企协同育人门户】3 条新通知"
    text = message.get_content()
    assert "1. 协议即将到期" in text and "3. 第三条通知" in text
    assert "全部通知：https://portal.college.example/inbox" in text


def test_a_failed_delivery_is_retried_with_back_off_then_failed(people, robot):
    user = people.mentor_user
    prefer(user, channels="wecom", wecom_webhook=robot.url)
    tell(user, "retry")
    robot.failing = True
    report = run(send_due(NOW))
    assert report.retried == 1
    row = deliveries(user)[0]
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["due_at"] == NOW + datetime.timedelta(minutes=1)
    assert "500" in row["last_error"] and "key=t" not in row["last_error"]
    assert run(send_due(NOW + datetime.timedelta(seconds=30))).retried == 0  # not yet due

    robot.failing = False
    run(send_due(NOW + datetime.timedelta(minutes=1)))
    assert deliveries(user)[0]["status"] == "sent" and len(robot.received) == 1

    tell(user, "never")
    robot.failing = True
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        moment += datetime.timedelta(hours=2)
        run(send_due(moment))
    last = deliveries(user)[-1]
    assert last["status"] == "failed" and last["attempts"] == MAX_ATTEMPTS


def test_two_workers_at_once_send_each_notice_once(people):
    user = people.coordinator_user
    prefer(user, channels="wecom", wecom_webhook=WEBHOOK)
    for number in range(5):
        tell(user, f"n{number}")
    sent: list[str] = []

    async def slow_send(url: str, message: Message) -> None:
        await asyncio.sleep(0.01)
        sent.append(message.subject)

    transports = Transports(email=slow_send, wecom=slow_send)

    async def both():
        return await asyncio.gather(send_due(NOW, transports), send_due(NOW, transports))

    first, second = run(both())
    assert first.sent + second.sent == 5
    assert len(sent) == 5
    assert {row["status"] for row in deliveries(user)} == {"sent"}


def test_a_claim_left_by_a_dead_worker_is_taken_up_again(people):
    user = people.coordinator_user
    prefer(user, channels="wecom", wecom_webhook=WEBHOOK)
    tell(user, "stale")
    run(Delivery.update({Delivery.status: "sending", Delivery.claimed_at: NOW}, force=True))
    sent: list[str] = []

    async def record(url: str, message: Message) -> None:
        sent.append(url)

    transports = Transports(email=record, wecom=record)
    run(send_due(NOW + datetime.timedelta(minutes=5), transports))
    assert sent == []  # still someone else's
    run(send_due(NOW + datetime.timedelta(minutes=16), transports))
    assert sent == [WEBHOOK]


def test_a_message_a_dead_worker_was_handing_over_is_never_sent_twice(people):
    """The worker died after giving the message to the server: it may have arrived, so it
    is not sent again; it stays in the inbox. The others it had claimed go out."""
    user = people.coordinator_user
    prefer(user, channels="wecom", wecom_webhook=WEBHOOK)
    tell(user, "in-flight")
    tell(user, "claimed-only")
    first, second = deliveries(user)
    run(Delivery.update({Delivery.status: "sending", Delivery.claimed_at: NOW}, force=True))
    run(Delivery.update({Delivery.in_flight_at: NOW}).where(Delivery.id == first["id"]))
    sent: list[str] = []

    async def record(url: str, message: Message) -> None:
        sent.append(message.subject)

    run(send_due(NOW + datetime.timedelta(minutes=16), Transports(email=record, wecom=record)))
    assert len(sent) == 1 and "协议即将到期" in sent[0]
    after = {row["id"]: row for row in deliveries(user)}
    assert after[first["id"]]["status"] == "failed"
    assert "never twice" in after[first["id"]]["last_error"]
    assert after[second["id"]]["status"] == "sent"
    assert len(run(Notification.select().where(Notification.user == user))) == 2  # inbox


def test_a_refused_message_is_known_not_sent_and_tried_again(people):
    user = people.coordinator_user
    prefer(user, channels="wecom", wecom_webhook=WEBHOOK)
    tell(user, "refused")

    async def refuse(url: str, message: Message) -> None:
        raise ConnectionRefusedError("robot down")

    run(send_due(NOW, Transports(email=refuse, wecom=refuse)))
    [row] = deliveries(user)
    assert row["status"] == "pending" and row["in_flight_at"] is None


# --- producers --------------------------------------------------------------------------------


def subjects(user_id: int) -> list[str]:
    return [
        row["subject"]
        for row in run(
            Notification.select(Notification.subject)
            .where(Notification.user == user_id)
            .order_by(Notification.id)
        )
    ]


def test_producers_tell_the_coordinators_and_the_organizations_partners_once(people):
    insert_id(
        Agreement,
        organization=people.organization_a,
        signed_on=datetime.date(2024, 1, 1),
        expires_on=datetime.date(2027, 1, 20),
    )
    insert_id(
        Agreement,
        organization=people.organization_b,
        signed_on=datetime.date(2024, 1, 1),
        expires_on=datetime.date(2027, 6, 1),
    )  # beyond 60 days
    plan = insert_id(
        WorkPlan,
        organization=people.organization_a,
        period="annual",
        year=2026,
        title="2026年度工作计划",
    )
    insert_id(
        WorkPlanItem,
        plan=plan,
        content="召开组织生活会",
        owner="书记",
        due_on=datetime.date(2026, 11, 20),
    )
    insert_id(
        WorkPlanItem,
        plan=plan,
        content="已完成的事",
        owner="书记",
        due_on=datetime.date(2026, 11, 20),
        done=True,
    )
    insert_id(DueItem, student=people.student_id, kind="talk", due_on=datetime.date(2026, 12, 4))
    insert_id(
        DueItem, student=people.student_id, kind="review", due_on=datetime.date(2026, 12, 20)
    )  # beyond 7 days

    produced = run(produce_notices(NOW))
    assert (produced.agreements, produced.work_plans, produced.pipeline) == (2, 2, 1)
    coordinator = subjects(people.coordinator_user)
    assert any(s.endswith("的共建协议将于 2027-01-20 到期") for s in coordinator)
    assert not any("2027-06-01" in s for s in coordinator)
    assert any("2026年度工作计划" in s for s in coordinator)
    assert any("2026-12-04" in s for s in coordinator)
    partner = subjects(people.partner_user)
    assert len(partner) == 2  # its organization's agreement and plan, not the pipeline
    assert not [s for s in subjects(people.student_user) if "周志" not in s]

    again = run(produce_notices(NOW + datetime.timedelta(minutes=15)))
    assert (again.agreements, again.work_plans, again.pipeline) == (0, 0, 0)


def test_weekly_log_producers(people):
    # the enterprise mentor of student1's placement gets an account
    enterprise_mentor_user = make_account(
        "ementor", Role.mentor, mentor_id=people.mine.enterprise_mentor
    )
    log = insert_id(
        WeeklyLog,
        participation=people.mine.participation,
        student=people.student_id,
        week_start=datetime.date(2026, 11, 16),
        work_done="装配",
        hours=40,
    )
    run(produce_notices(NOW))
    assert any("待确认" in s for s in subjects(enterprise_mentor_user))
    # the week of 11-23 is not written by Monday 11-30: the student is told
    assert any("2026-11-23" in s for s in subjects(people.student_user))

    run(WeeklyLog.update({WeeklyLog.status: "confirmed"}).where(WeeklyLog.id == log))
    run(produce_notices(NOW))
    assert any("待批阅" in s for s in subjects(people.mentor_user))
    assert len([s for s in subjects(people.student_user) if "2026-11-23" in s]) == 1


# --- pages ------------------------------------------------------------------------------------


def signed(client, username: str) -> Browser:
    browser = Browser(client)
    assert browser.sign_in(username).status_code == 303
    return browser


@pytest.mark.parametrize(
    "username,user_attr",
    [
        ("coord", "coordinator_user"),
        ("partner_a", "partner_user"),
        ("student1", "student_user"),
        ("mentor1", "mentor_user"),
    ],
)
def test_each_role_sees_only_its_own_inbox_and_marks_it_read(client, people, username, user_attr):
    mine = getattr(people, user_attr)
    other = people.coordinator_user if user_attr != "coordinator_user" else people.student_user
    tell(mine, "mine", subject="我的通知")
    tell(other, "theirs", subject="别人的通知")
    browser = signed(client, username)
    page = browser.soup(browser.get("/inbox"))
    text = page.get_text()
    assert "我的通知" in text and "别人的通知" not in text
    assert page.select_one("li.notice.unread")
    assert "1 条未读" in browser.get("/inbox/count").text

    assert browser.post("/inbox/read-all").status_code == 303
    page = browser.soup(browser.get("/inbox"))
    assert not page.select("li.notice.unread") and "我的通知" in page.get_text()
    assert browser.get("/inbox/count").text == ""
    # the other person's notice is still unread
    assert (
        run(Notification.count().where(Notification.user == other, Notification.read_at.is_null()))
        == 1
    )


def test_the_settings_are_saved_and_wrong_fields_get_messages(client, people):
    browser = signed(client, "partner_a")
    page = browser.soup(browser.get("/account/notifications"))
    assert page.select_one("#f-quiet_start option[selected]").get("value") == "22"

    bad = browser.post(
        "/account/notifications",
        {
            "channels": ["wecom", "email"],
            "email": "not-an-address",
            "wecom_webhook": "https://example.com/hook",
            "mode": "digest",
            "digest_hour": "8",
            "quiet_start": "22",
            "quiet_end": "7",
        },
    )
    assert bad.status_code == 400
    assert "qyapi.weixin.qq.com" in Browser.field_error(bad, "wecom_webhook")
    assert Browser.field_error(bad, "email")
    kept = Browser.soup(bad)
    assert kept.select_one("#f-wecom_webhook")["value"] == "https://example.com/hook"
    assert kept.select_one("input[name=channels][value=wecom]").has_attr("checked")

    hour = browser.post(
        "/account/notifications",
        {"mode": "digest", "digest_hour": "25", "quiet_start": "22", "quiet_end": "7"},
    )
    assert hour.status_code == 400 and Browser.field_error(hour, "digest_hour")

    good = browser.post(
        "/account/notifications",
        {
            "channels": ["wecom"],
            "email": "",
            "wecom_webhook": WEBHOOK,
            "mode": "digest",
            "digest_hour": "9",
            "quiet_start": "23",
            "quiet_end": "6",
        },
    )
    assert good.status_code == 303
    row = run(
        NotificationPreference.select()
        .where(NotificationPreference.user == people.partner_user)
        .first()
    )
    assert (row["channels"], row["wecom_webhook"], row["mode"], row["digest_hour"]) == (
        "wecom",
        WEBHOOK,
        "digest",
        9,
    )
    page = browser.soup(browser.get("/account/notifications"))
    assert page.select_one("input[name=channels][value=wecom]").has_attr("checked")
    assert page.select_one("#f-quiet_end option[selected]").get("value") == "6"


def test_a_rule_refuses_a_channel_without_an_address(people):
    with pytest.raises(Refused) as refused:
        run(
            save_preferences(
                Actor(people.student_user, "student1"), ["email"], "", "", "immediate", 8, 22, 7
            )
        )
    assert {error.field for error in refused.value.errors} == {"email"}


def test_the_header_links_to_the_inbox(client, people):
    browser = signed(client, "student1")
    page = browser.soup(browser.get("/me"))
    link = page.select_one("a.inbox-link")
    assert link and link["href"].endswith("/inbox")
    assert page.select_one("[hx-get$='/inbox/count']")


def test_the_background_jobs_send_them(people, robot):
    """The periodic jobs are registered with the queue (PostgreSQL), and the server's own
    runner (SQLite) sends a due delivery in its step."""
    from college.jobs.local import LocalJobs
    from college.jobs.queue import queue

    assert {"send_notifications", "produce_notices"} <= set(queue.tasks)
    prefer(people.mentor_user, channels="wecom", wecom_webhook=robot.url)
    tell(people.mentor_user, "job")  # due at NOW, in the past
    run(LocalJobs(poll=0).step())
    assert len(robot.received) == 1
    assert deliveries(people.mentor_user)[0]["status"] == "sent"


def test_the_enterprise_mentor_confirms_from_the_emailed_link_once(client, people, smtp):
    import re

    mentor_user = make_account("ementor", Role.mentor, mentor_id=people.mine.enterprise_mentor)
    prefer(mentor_user, channels="email", email="mentor@enterprise.example")
    log = insert_id(
        WeeklyLog,
        participation=people.mine.participation,
        student=people.student_id,
        week_start=datetime.date(2026, 11, 23),
        work_done="完成装配线调试",
        hours=40,
    )
    run(produce_notices(NOW))
    run(send_due(NOW))
    [message] = [m for m in smtp.messages if m["To"] == "mentor@enterprise.example"]
    assert "待确认" in message["Subject"]
    text = message.get_content()
    assert "实习周志" in text
    found = re.search(r"https://portal\.college\.example(/weekly-logs/confirm/[\w-]+)", text)
    assert found, text
    assert "/weekly-logs/confirm/" not in "".join(subjects(mentor_user))  # not kept in clear
    stored = run(Notification.select(Notification.link).where(Notification.user == mentor_user))
    assert stored == [{"link": f"/weekly-logs/{log}"}]

    anonymous = Browser(client)
    page = anonymous.get(found.group(1))
    assert page.status_code == 200 and "完成装配线调试" in page.text
    assert anonymous.post(found.group(1), {"action": "confirm"}).status_code == 200
    status = run(
        WeeklyLog.select(WeeklyLog.status, WeeklyLog.confirmed_via)
        .where(WeeklyLog.id == log)
        .first()
    )
    assert status == {"status": "confirmed", "confirmed_via": "link"}
    assert anonymous.post(found.group(1), {"action": "confirm"}).status_code == 400
    assert anonymous.get(found.group(1)).status_code == 410
