"""The rules of notifications without a database: when an email or WeCom message is due
(immediate or in the daily digest, never in the quiet hours), how a digest reads, the back-off
of failed deliveries, and which addresses may be saved."""

from __future__ import annotations

import datetime

import pytest

from portal.notify_rules import (
    MAX_ATTEMPTS,
    DeliveryMode,
    DeliveryStatus,
    Notice,
    Timing,
    after_failure,
    digest_message,
    due_at,
    email_problem,
    in_quiet_hours,
    retry_delay,
    single_message,
    webhook_problem,
)

DAY = datetime.date(2026, 11, 30)
IMMEDIATE = Timing()  # quiet 22:00–07:00
DIGEST = Timing(mode=DeliveryMode.digest, digest_hour=8)


def at(hour: int, minute: int = 0, day: datetime.date = DAY) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute))


NEXT = DAY + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "moment,quiet",
    [
        (at(21, 59), False),
        (at(22), True),
        (at(23, 30), True),
        (at(3), True),
        (at(6, 59), True),
        (at(7), False),
        (at(12), False),
    ],
)
def test_quiet_hours_run_over_midnight(moment, quiet):
    assert in_quiet_hours(moment, IMMEDIATE) is quiet


def test_quiet_hours_within_a_day_and_none_when_start_equals_end():
    lunch = Timing(quiet_start=12, quiet_end=14)
    assert in_quiet_hours(at(13), lunch) and not in_quiet_hours(at(14), lunch)
    assert not in_quiet_hours(at(23), Timing(quiet_start=0, quiet_end=0))


def test_an_immediate_notice_goes_at_once_by_day():
    assert due_at(at(10, 15), IMMEDIATE) == at(10, 15)


def test_an_immediate_notice_at_night_waits_for_the_end_of_the_quiet_hours():
    assert due_at(at(23, 40), IMMEDIATE) == at(7, day=NEXT)
    assert due_at(at(2, 5), IMMEDIATE) == at(7)


def test_a_digest_goes_at_the_next_digest_hour():
    assert due_at(at(6, 30), DIGEST) == at(8)
    assert due_at(at(8), DIGEST) == at(8)
    assert due_at(at(8, 1), DIGEST) == at(8, day=NEXT)
    assert due_at(at(23), DIGEST) == at(8, day=NEXT)


def test_a_digest_hour_inside_the_quiet_hours_moves_to_their_end():
    early = Timing(mode=DeliveryMode.digest, digest_hour=5)
    assert due_at(at(12), early) == at(7, day=NEXT)


def test_the_back_off_doubles_up_to_an_hour():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(20) == datetime.timedelta(hours=1)


def test_a_failed_delivery_is_retried_then_failed_for_good():
    status, due = after_failure(1, at(10), IMMEDIATE)
    assert status is DeliveryStatus.pending and due == at(10, 1)
    status, due = after_failure(2, at(21, 59), IMMEDIATE)  # the retry would fall at 22:01
    assert status is DeliveryStatus.pending and due == at(7, day=NEXT)
    status, _ = after_failure(MAX_ATTEMPTS, at(10), IMMEDIATE)
    assert status is DeliveryStatus.failed


def test_a_digest_lists_the_notices_oldest_first_with_their_links():
    notices = [
        Notice(
            "协议即将到期",
            "联合党组织的共建协议将于 2027-01-10 到期。",
            "https://p.example/o/1",
            at(9),
        ),
        Notice("逾期的工作计划", "“三会一课”已逾期。", "", at(8)),
    ]
    message = digest_message(notices, "https://p.example/inbox")
    assert "2" in message.subject and "通知" in message.subject
    lines = message.body.splitlines()
    assert lines[0] == "1. 逾期的工作计划"
    assert "2. 协议即将到期" in lines
    assert "https://p.example/o/1" in message.body
    assert message.body.rstrip().endswith("https://p.example/inbox")


def test_a_digest_of_one_notice_is_that_notice():
    notice = Notice("待确认的实习周志", "请确认。", "https://p.example/x", at(9))
    assert digest_message([notice]) == single_message(notice)
    assert "待确认的实习周志" in single_message(notice).subject


def test_only_a_wecom_robot_address_may_be_saved():
    good = (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    )
    assert webhook_problem(good) is None
    assert webhook_problem("") is None
    for bad in (
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6",
        "https://evil.example/cgi-bin/webhook/send?key=693a91f6abc",
        "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=693a91f6",
        good + "&x=1",
    ):
        assert webhook_problem(bad), bad


def test_email_addresses():
    assert email_problem("mentor@example.com") is None
    assert email_problem("mentor") and email_problem("a@b")
