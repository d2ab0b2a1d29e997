"""Notices by email to an enterprise mentor without an account: the weeks waiting for their
confirmation go to the email on their mentor record, once per week, each with a signed link
that works once; nothing without an address or a mail server, nothing once the week no longer
waits; retried after a failure like any delivery, and never sent twice."""

from __future__ import annotations

import asyncio
import datetime
import re

from college.notices import Transports, produce_notices, send_due
from partners.coeducation.tables import Mentor, WeeklyLog
from partners.coeducation.weekly_logs import issue_link
from portal.audit import Actor
from portal.notify_rules import MAX_ATTEMPTS, Message
from portal.tables import AddressedNotice, Notification, Role
from tests.portal.test_notifications import NOW, smtp  # noqa: F401 (the SMTP fixture)
from tests.support import Browser, insert_id, make_account, run

ADDRESS = "qian.gong@enterprise.example"


def waiting_week(people, week_start=datetime.date(2026, 11, 23)) -> int:
    return insert_id(
        WeeklyLog,
        participation=people.mine.participation,
        student=people.student_id,
        week_start=week_start,
        work_done="完成装配线调试",
        hours=40,
    )


def give_email(people, email: str = ADDRESS) -> None:
    run(Mentor.update({Mentor.email: email}).where(Mentor.id == people.mine.enterprise_mentor))


def notices() -> list[dict]:
    return run(AddressedNotice.select().order_by(AddressedNotice.id))


def test_a_mentor_without_an_account_gets_the_week_by_email_once(client, people, smtp):  # noqa: F811
    give_email(people)
    log = waiting_week(people)
    assert run(produce_notices(NOW)).weekly_logs >= 1
    assert run(produce_notices(NOW + datetime.timedelta(minutes=15))).weekly_logs == 0
    [notice] = notices()
    assert (notice["email"], notice["status"]) == (ADDRESS, "pending")
    assert notice["link"] == f"/weekly-logs/{log}"  # the token is made when it is sent
    assert not run(Notification.select().where(Notification.kind == "weekly_log_to_confirm"))

    run(send_due(NOW))
    run(send_due(NOW + datetime.timedelta(minutes=1)))
    [message] = [m for m in smtp.messages if m["To"] == ADDRESS]
    assert "待确认" in message["Subject"]
    text = message.get_content()
    assert "无需账号" in text and "14 天" in text
    found = re.search(r"https://portal\.college\.example(/weekly-logs/confirm/[\w-]+)", text)
    assert found, text
    assert notices()[0]["status"] == "sent"

    anonymous = Browser(client)
    assert anonymous.post(found.group(1), {"action": "confirm"}).status_code == 200
    assert run(WeeklyLog.select(WeeklyLog.status).where(WeeklyLog.id == log).first()) == {
        "status": "confirmed"
    }
    assert anonymous.post(found.group(1), {"action": "confirm"}).status_code == 400


def test_the_link_the_student_copied_stays_valid_until_either_answers(
    client,
    people,
    smtp,  # noqa: F811
):
    give_email(people)
    log = waiting_week(people)
    copied = run(issue_link(Actor(people.student_user, "student1"), log, datetime.datetime.now()))
    run(produce_notices(NOW))
    run(send_due(NOW))
    [message] = smtp.messages
    emailed = re.search(r"(/weekly-logs/confirm/[\w-]+)", message.get_content()).group(1)
    anonymous = Browser(client)
    assert anonymous.get(f"/weekly-logs/confirm/{copied}").status_code == 200
    assert anonymous.post(emailed, {"action": "confirm"}).status_code == 200
    assert anonymous.get(f"/weekly-logs/confirm/{copied}").status_code == 410


def test_no_email_no_mail_server_or_an_account_makes_no_addressed_notice(
    people,
    smtp,  # noqa: F811
    monkeypatch,
):
    waiting_week(people)
    run(produce_notices(NOW))
    assert notices() == []  # no address on the mentor record
    give_email(people)
    monkeypatch.delenv("PORTAL_SMTP_HOST")
    run(produce_notices(NOW))
    assert notices() == []  # the portal sends no email
    monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
    make_account("qiangong", Role.mentor, mentor_id=people.mine.enterprise_mentor)
    run(produce_notices(NOW))
    assert notices() == []  # with an account the inbox (and their own settings) serve


def test_a_week_answered_before_sending_is_not_sent(people, smtp):  # noqa: F811
    give_email(people)
    log = waiting_week(people)
    run(produce_notices(NOW))
    run(WeeklyLog.update({WeeklyLog.status: "confirmed"}).where(WeeklyLog.id == log))
    run(send_due(NOW))
    assert smtp.messages == []
    [notice] = notices()
    assert (notice["status"], notice["last_error"]) == ("failed", "no longer waiting")


def test_a_failed_email_is_retried_then_failed(people, monkeypatch):
    monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
    give_email(people)
    waiting_week(people)
    run(produce_notices(NOW))

    async def refused(address: str, message: Message) -> None:
        raise ConnectionRefusedError("no mail server")

    failing = Transports(email=refused)
    report = run(send_due(NOW, failing))
    assert (report.retried, report.sent) == (1, 0)
    notice = notices()[0]
    assert notice["status"] == "pending" and notice["attempts"] == 1
    assert notice["due_at"] > NOW and "no mail server" in notice["last_error"]
    later = NOW
    for _ in range(MAX_ATTEMPTS - 1):
        later = notices()[0]["due_at"]
        run(send_due(later, failing))
    assert notices()[0]["status"] == "failed"
    assert run(send_due(later + datetime.timedelta(days=1), failing)).messages == 0


def test_two_workers_at_once_send_it_once(people, monkeypatch):
    monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
    give_email(people)
    waiting_week(people)
    waiting_week(people, datetime.date(2026, 11, 16))
    run(produce_notices(NOW))
    sent: list[str] = []

    async def record(address: str, message: Message) -> None:
        await asyncio.sleep(0.01)
        sent.append(message.subject)

    async def two_workers():
        transports = Transports(email=record)
        await asyncio.gather(send_due(NOW, transports), send_due(NOW, transports))

    run(two_workers())
    assert len(sent) == 2 and len(set(sent)) == 2
    assert {row["status"] for row in notices()} == {"sent"}


def test_a_notice_of_another_kind_goes_with_its_own_link(smtp):  # noqa: F811
    insert_id(
        AddressedNotice,
        kind="agreement_expiring",
        email=ADDRESS,
        subject="共建协议将于 2027-01-10 到期",
        link="/organizations/1",
        dedupe_key=f"e{ADDRESS}:agreement:1",
        created_at=NOW,
        due_at=NOW,
    )
    run(send_due(NOW))
    [message] = smtp.messages
    assert "https://portal.college.example/organizations/1" in message.get_content()
    assert notices()[0]["status"] == "sent"
