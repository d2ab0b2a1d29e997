"""Notifications (通知), the top layer's part: sending the deliveries that are due by email
(SMTP, aiosmtplib) and by WeCom group robot (企业微信群机器人, an HTTPS POST), and the
producers that find what people must be told about.

Sending (`send_due`, every minute as a background job): the due deliveries of a person and a
channel are claimed with one conditional UPDATE (pending → sending), so two workers never
send one twice; a person on the daily digest gets them as one message. A sent delivery is
marked sent; a failed one waits (1, 2, 4 … minutes, outside the quiet hours) and is tried
again, and stays failed after five tries. A claim left behind by a worker that died goes back
to pending after 15 minutes — unless that worker was already handing the message over, when
nobody knows whether it arrived: it is not sent again (it stays in the inbox).

Producers (`produce_notices`, every 15 minutes): pipeline items (talk, half-yearly review,
end of probation) due within 7 days to the coordinators; agreements expiring within 60 days
and overdue work plan items to the coordinators and the organization's enterprises' partner
accounts; weekly placement logs waiting for the enterprise mentor's confirmation or the
college mentor's comment, and a student's week not written by Monday; an enterprise mentor
without an account gets the weeks to confirm at the email on their mentor record. Each notice
has a key, so it is made once however often a producer runs. The email to an enterprise
mentor about a weekly log carries a signed link (partners.coeducation.weekly_logs.issue_link)
made when it is sent, so the token is never stored in clear; the inbox links to the entry.

Settings: PORTAL_SMTP_HOST, PORTAL_SMTP_PORT (587), PORTAL_SMTP_USERNAME, PORTAL_SMTP_PASSWORD,
PORTAL_SMTP_FROM, PORTAL_SMTP_STARTTLS (on), PORTAL_BASE_URL (the portal's address, for the
links in messages).
"""

from __future__ import annotations

import datetime
import logging
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import httpx

from partners.coeducation.tables import Participation, WeeklyLog
from partners.coeducation.weekly_logs import (
    PLACEMENT_COLUMNS,
    Placement,
    is_active,
    is_log_placement,
    issue_link,
    monday_of,
    weeks_of,
)
from partners.organizations.tables import Agreement, MemberUnit, PartnerAccount, WorkPlanItem
from portal.audit import Actor, audited_write
from portal.domain_errors import DomainError
from portal.i18n import _
from portal.metrics import JOB_FAILURES
from portal.notifications import notify, notify_address, preferences_of
from portal.notify_rules import (
    STALE_SENDING,
    Channel,
    DeliveryMode,
    DeliveryStatus,
    Message,
    Notice,
    Timing,
    after_failure,
    beijing_now,
    digest_message,
    single_message,
)
from portal.tables import AddressedNotice, Delivery, Notification, Profile, Role
from portal.vocabulary import DUE_KINDS, label
from talent_pool.tables import DueItem, DueKind

logger = logging.getLogger(__name__)

SENDER = Actor(None, "notifications")
BATCH = 500
ROBOT_KEY = re.compile(r"key=[^\s'\"&]+")
WECOM_TEXT_LIMIT = 2000  # the robot takes at most 2048 bytes of text

PIPELINE_KINDS = (DueKind.talk.value, DueKind.review.value, DueKind.probation_end.value)
PIPELINE_DAYS = 7
AGREEMENT_DAYS = 60


# --- channels ------------------------------------------------------------------------------


def base_url() -> str:
    return os.environ.get("PORTAL_BASE_URL", "http://localhost:8000").rstrip("/")


def absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return base_url() + link


async def send_email(address: str, message: Message) -> None:
    """One email through the portal's SMTP server (PORTAL_SMTP_*), UTF-8 text."""
    email = EmailMessage()
    email["From"] = os.environ.get("PORTAL_SMTP_FROM", "portal@localhost")
    email["To"] = address
    email["Subject"] = message.subject
    email.set_content(message.body)
    username = os.environ.get("PORTAL_SMTP_USERNAME") or None
    await aiosmtplib.send(
        email,
        hostname=os.environ.get("PORTAL_SMTP_HOST", "localhost"),
        port=int(os.environ.get("PORTAL_SMTP_PORT", "587")),
        username=username,
        password=os.environ.get("PORTAL_SMTP_PASSWORD") if username else None,
        start_tls=os.environ.get("PORTAL_SMTP_STARTTLS", "on").lower()
        not in {"0", "off", "false", "no"},
        timeout=30,
    )


async def send_wecom(url: str, message: Message) -> None:
    """One text message to a WeCom group robot; an answer other than errcode 0 is a failure."""
    content = f"{message.subject}\n{message.body}"
    if len(content.encode()) > WECOM_TEXT_LIMIT:
        content = content.encode()[: WECOM_TEXT_LIMIT - 3].decode(errors="ignore") + "…"
    async with httpx.AsyncClient(timeout=15, follow_redirects=False) as client:
        response = await client.post(url, json={"msgtype": "text", "text": {"content": content}})
    response.raise_for_status()
    answer = response.json()
    if answer.get("errcode", 0) != 0:
        raise RuntimeError(f"WeCom answered {answer.get('errcode')}: {answer.get('errmsg', '')}")


Transport = Callable[[str, Message], Awaitable[None]]


@dataclass
class Transports:
    email: Transport = send_email
    wecom: Transport = send_wecom

    def of(self, channel: Channel) -> Transport:
        return self.email if channel is Channel.email else self.wecom


# --- sending -------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0  # deliveries sent
    messages: int = 0  # messages sent (a digest carries several deliveries)
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


Outbox = type[Delivery] | type[AddressedNotice]  # the two tables of messages to send
OUTBOXES: tuple[Outbox, ...] = (Delivery, AddressedNotice)


UNKNOWN_OUTCOME = "the worker stopped while sending: not sent again, so never twice"


async def put_back_stale(now: datetime.datetime) -> int:
    """Claims older than STALE_SENDING (their worker died) go back to pending, unless the
    message was already being handed over: whether it arrived is unknown, so it is not sent
    again (the notice stays in the inbox) — never twice."""
    back_in_all = 0
    async with audited_write(SENDER) as audit:
        for table in OUTBOXES:
            stale = [
                table.status == DeliveryStatus.sending.value,
                table.claimed_at < now - STALE_SENDING,
            ]
            unknown = (
                await table.update(
                    {table.status: DeliveryStatus.failed.value, table.last_error: UNKNOWN_OUTCOME}
                )
                .where(*stale, table.in_flight_at.is_not_null())
                .returning(table.id)
            )
            back = (
                await table.update({table.status: DeliveryStatus.pending.value})
                .where(*stale)
                .returning(table.id)
            )
            if unknown:
                await audit.record("update", table, None, f"{len(unknown)} {UNKNOWN_OUTCOME}")
            if back:
                await audit.record("update", table, None, f"{len(back)} stale claims put back")
            back_in_all += len(back)
    return back_in_all


async def hand_over(ids: list[int], now: datetime.datetime, table: Outbox) -> None:
    """Marks claimed messages as being handed to the mail server or the robot, just before."""
    await table.update({table.in_flight_at: now}).where(
        table.id.is_in(ids), table.status == DeliveryStatus.sending.value
    )


async def claim(ids: list[int], now: datetime.datetime, table: Outbox = Delivery) -> set[int]:
    """Takes the messages still pending among `ids` for this worker (pending → sending): one
    another worker took meanwhile is not returned."""
    if not ids:
        return set()
    rows = (
        await table.update({table.status: DeliveryStatus.sending.value, table.claimed_at: now})
        .where(table.id.is_in(ids), table.status == DeliveryStatus.pending.value)
        .returning(table.id)
    )
    return {int(row["id"]) for row in rows}


async def mark_sent(ids: list[int], now: datetime.datetime, table: Outbox = Delivery) -> None:
    async with audited_write(SENDER) as audit:
        await table.update({table.status: DeliveryStatus.sent.value, table.sent_at: now}).where(
            table.id.is_in(ids), table.status == DeliveryStatus.sending.value
        )
        await audit.record(
            "update", table, ids[0] if len(ids) == 1 else None, f"sent {len(ids)} deliveries"
        )


async def drop(ids: list[int], reason: str, table: Outbox) -> None:
    """Claimed messages that will not be sent after all, with the reason."""
    async with audited_write(SENDER) as audit:
        await table.update(
            {table.status: DeliveryStatus.failed.value, table.last_error: reason}
        ).where(table.id.is_in(ids))
        await audit.record("update", table, None, f"{len(ids)} deliveries dropped: {reason}")


async def mark_failed_try(
    rows: list[dict[str, Any]],
    error: str,
    now: datetime.datetime,
    report: SendReport,
    timing: Timing,
    table: Outbox = Delivery,
) -> None:
    """After a failed send: each message waits for its next try (outside the person's quiet
    hours), or is failed for good. The error is kept without the robot's key (an HTTP error
    names the address)."""
    error = ROBOT_KEY.sub("key=…", error)
    async with audited_write(SENDER) as audit:
        for row in rows:
            attempts = int(row["attempts"]) + 1
            status, due = after_failure(attempts, now, timing)
            await table.update(
                {
                    table.status: status.value,
                    table.attempts: attempts,
                    table.due_at: due,
                    table.last_error: error[:1000],
                    table.in_flight_at: None,  # the transport said no: known not sent
                }
            ).where(table.id == row["id"], table.status == DeliveryStatus.sending.value)
            if status is DeliveryStatus.failed:
                report.failed += 1
            else:
                report.retried += 1
        await audit.record("update", table, None, f"{len(rows)} deliveries failed: {error[:200]}")


CONFIRM_PREFIX = "/weekly-logs/"


def log_to_confirm(row: dict[str, Any]) -> int | None:
    """The weekly log a notice asks its enterprise mentor to confirm, None for other notices."""
    link = row["link"]
    if row["kind"] != "weekly_log_to_confirm" or not link.startswith(CONFIRM_PREFIX):
        return None
    log_id = link[len(CONFIRM_PREFIX) :]
    return int(log_id) if log_id.isdigit() else None


async def signed_link(log_id: int) -> str | None:
    """A signed link for the log (confirm in one tap, no sign-in; single use, 14 days), made
    at sending and never stored in clear; a link the student copied for the mentor stays
    valid beside it. None once the log no longer waits (answered, or the placement ended)."""
    try:
        token = await issue_link(SENDER, log_id, datetime.datetime.now(), replace_earlier=False)
    except DomainError:
        return None
    return f"{CONFIRM_PREFIX}confirm/{token}"


async def with_signed_link(row: dict[str, Any]) -> dict[str, Any]:
    """A weekly log waiting for its enterprise mentor goes by email with a signed link; a
    notice about anything else, or a log no longer waiting, keeps its link to the entry."""
    log_id = log_to_confirm(row)
    link = await signed_link(log_id) if log_id is not None else None
    return {**row, "link": link} if link else row


def notice_of(row: dict[str, Any]) -> Notice:
    return Notice(
        subject=row["subject"],
        body=row["body"],
        link=absolute(row["link"]),
        created_at=row["created_at"],
    )


async def send_due(
    now: datetime.datetime | None = None, transports: Transports | None = None
) -> SendReport:
    """Sends every delivery due at `now` (Beijing time). Safe to run on several workers at
    once: each delivery is claimed by one."""
    now = now or beijing_now()
    transports = transports or Transports()
    report = SendReport()
    await put_back_stale(now)
    rows = (
        await Delivery.select(
            Delivery.id,
            Delivery.channel,
            Delivery.attempts,
            Delivery.notification.user.as_alias("user"),
            Delivery.notification.kind.as_alias("kind"),
            Delivery.notification.subject.as_alias("subject"),
            Delivery.notification.body.as_alias("body"),
            Delivery.notification.link.as_alias("link"),
            Delivery.notification.created_at.as_alias("created_at"),
        )
        .where(Delivery.status == DeliveryStatus.pending.value, Delivery.due_at <= now)
        .order_by(Delivery.due_at)
        .order_by(Delivery.id)
        .limit(BATCH)
    )
    groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((int(row["user"]), row["channel"]), []).append(row)
    for (user_id, channel_name), group in groups.items():
        try:
            await _send_group(user_id, Channel(channel_name), group, now, transports, report)
        except Exception:
            # One person's group must not stop the others: logged, the next run tries again.
            logger.exception("notifications: sending to user %s failed", user_id)
    await send_addressed(now, transports, report)
    if report.messages or report.failed:
        logger.info(
            "notifications: %s messages (%s deliveries) sent, %s to retry, %s failed",
            report.messages,
            report.sent,
            report.retried,
            report.failed,
        )
    return report


@dataclass
class Sending:
    """Hands one message (for one or several claimed rows of `table`) to a transport: marked
    in flight just before, then sent, or failed and due again after the back-off."""

    transport: Transport
    now: datetime.datetime
    report: SendReport
    timing: Timing
    table: Outbox

    async def __call__(self, address: str, message: Message, rows: list[dict[str, Any]]) -> None:
        ids = [row["id"] for row in rows]
        await hand_over(ids, self.now, self.table)
        try:
            await self.transport(address, message)
        except Exception as error:
            failure = f"{type(error).__name__}: {error}"
            self.report.errors.append(failure)
            await mark_failed_try(rows, failure, self.now, self.report, self.timing, self.table)
            return
        await mark_sent(ids, self.now, self.table)
        self.report.sent += len(rows)
        self.report.messages += 1


async def _send_group(
    user_id: int,
    channel: Channel,
    group: list[dict[str, Any]],
    now: datetime.datetime,
    transports: Transports,
    report: SendReport,
) -> None:
    taken = await claim([row["id"] for row in group], now)
    mine = [row for row in group if row["id"] in taken]
    if not mine:
        return
    preferences = await preferences_of(user_id)
    address = preferences.addresses().get(channel)
    if address is None:
        # The person turned the channel off (or removed the address) since: nothing to send.
        await drop([row["id"] for row in mine], "channel turned off", Delivery)
        report.failed += len(mine)
        return
    if channel is Channel.email:
        mine = [await with_signed_link(row) for row in mine]
    if preferences.mode is DeliveryMode.digest:
        batches = [(mine, digest_message([notice_of(row) for row in mine], absolute("/inbox")))]
    else:
        batches = [([row], single_message(notice_of(row))) for row in mine]
    for rows, message in batches:
        send = Sending(transports.of(channel), now, report, preferences.timing, Delivery)
        await send(address, message, rows)


async def send_addressed(
    now: datetime.datetime, transports: Transports, report: SendReport
) -> None:
    """The due notices to people without an account, each its own email (no digest)."""
    rows = (
        await AddressedNotice.select()
        .where(
            AddressedNotice.status == DeliveryStatus.pending.value,
            AddressedNotice.due_at <= now,
        )
        .order_by(AddressedNotice.due_at)
        .order_by(AddressedNotice.id)
        .limit(BATCH)
    )
    taken = await claim([row["id"] for row in rows], now, AddressedNotice)
    for row in rows:
        if row["id"] not in taken:
            continue
        log_id = log_to_confirm(row)
        if log_id is not None:
            link = await signed_link(log_id)
            if link is None:
                # Its only use was the signed link, and the week no longer waits for one.
                await drop([row["id"]], "no longer waiting", AddressedNotice)
                continue
            row = {**row, "link": link}
        send = Sending(transports.email, now, report, Timing(), AddressedNotice)
        await send(row["email"], single_message(notice_of(row)), [row])


async def run_sending(now: datetime.datetime | None = None) -> SendReport:
    """The job: sends what is due, counting a failure of the whole run for the metrics."""
    try:
        return await send_due(now)
    except Exception:
        JOB_FAILURES.labels("notifications").inc()
        raise


# --- who is told -----------------------------------------------------------------------------


async def coordinators() -> list[int]:
    rows = await Profile.select(Profile.user).where(
        Profile.role == Role.coordinator.value, Profile.user._.active.eq(True)
    )
    return [int(row["user"]) for row in rows]


async def partner_accounts_of_organization(organization_id: int) -> list[int]:
    """The active partner accounts of the enterprises that are member units of an org."""
    units = await MemberUnit.select(MemberUnit.enterprise).where(
        MemberUnit.organization == organization_id, MemberUnit.enterprise.is_not_null()
    )
    enterprises = [row["enterprise"] for row in units]
    if not enterprises:
        return []
    rows = await PartnerAccount.select(PartnerAccount.user).where(
        PartnerAccount.enterprise.is_in(enterprises), PartnerAccount.user._.active.eq(True)
    )
    return [int(row["user"]) for row in rows]


# --- producers -------------------------------------------------------------------------------


@dataclass
class Produced:
    pipeline: int = 0
    agreements: int = 0
    work_plans: int = 0
    weekly_logs: int = 0


async def _tell(
    users: list[int],
    kind: str,
    subject: str,
    body: str,
    link: str,
    key: str,
    now: datetime.datetime,
) -> int:
    made = 0
    for user_id in dict.fromkeys(users):
        if await notify(user_id, kind, subject, body, link, key, now) is not None:
            made += 1
    return made


async def produce_pipeline(today: datetime.date, now: datetime.datetime) -> int:
    """Talks, half-yearly reviews and ends of probation due within 7 days: to each
    coordinator, once per student, item and date."""
    rows = await DueItem.select(
        DueItem.id,
        DueItem.kind,
        DueItem.due_on,
        DueItem.student,
        DueItem.student.name.as_alias("name"),
        DueItem.student.student_no.as_alias("student_no"),
    ).where(
        DueItem.kind.is_in(list(PIPELINE_KINDS)),
        DueItem.due_on >= today,
        DueItem.due_on <= today + datetime.timedelta(days=PIPELINE_DAYS),
    )
    if not rows:
        return 0
    users = await coordinators()
    made = 0
    for row in rows:
        what = label(DUE_KINDS, row["kind"])
        subject = _(
            "%(what)s due on %(date)s: %(name)s",
            what=what,
            date=row["due_on"].isoformat(),
            name=row["name"],
        )
        body = _(
            "%(name)s (%(number)s): %(what)s is due on %(date)s.",
            name=row["name"],
            number=row["student_no"],
            what=what,
            date=row["due_on"].isoformat(),
        )
        key = f"pipeline:{row['student']}:{row['kind']}:{row['due_on'].isoformat()}"
        made += await _tell(
            users, "pipeline_due", subject, body, f"/talent-pool/{row['student']}", key, now
        )
    return made


async def produce_agreements(today: datetime.date, now: datetime.datetime) -> int:
    """Agreements expiring within 60 days: to the coordinators and the partner accounts of
    the organization's enterprises, once per agreement and expiry date."""
    rows = await Agreement.select(
        Agreement.id,
        Agreement.expires_on,
        Agreement.organization,
        Agreement.organization.name.as_alias("name"),
    ).where(
        Agreement.expires_on >= today,
        Agreement.expires_on <= today + datetime.timedelta(days=AGREEMENT_DAYS),
    )
    if not rows:
        return 0
    staff = await coordinators()
    made = 0
    for row in rows:
        users = staff + await partner_accounts_of_organization(row["organization"])
        subject = _(
            "Agreement of %(name)s expires on %(date)s",
            name=row["name"],
            date=row["expires_on"].isoformat(),
        )
        body = _(
            "The co-building agreement of %(name)s expires on %(date)s: renew it in time.",
            name=row["name"],
            date=row["expires_on"].isoformat(),
        )
        key = f"agreement:{row['id']}:{row['expires_on'].isoformat()}"
        made += await _tell(
            users,
            "agreement_expiring",
            subject,
            body,
            f"/organizations/{row['organization']}",
            key,
            now,
        )
    return made


async def produce_work_plans(today: datetime.date, now: datetime.datetime) -> int:
    """Work plan items not done after their due date: to the coordinators and the partner
    accounts of the organization's enterprises, once per item and due date."""
    rows = await WorkPlanItem.select(
        WorkPlanItem.id,
        WorkPlanItem.content,
        WorkPlanItem.due_on,
        WorkPlanItem.plan,
        WorkPlanItem.plan.title.as_alias("title"),
        WorkPlanItem.plan.organization.as_alias("organization"),
        WorkPlanItem.plan._.organization._.name.as_alias("name"),
    ).where(WorkPlanItem.done.eq(False), WorkPlanItem.due_on < today)
    if not rows:
        return 0
    staff = await coordinators()
    made = 0
    for row in rows:
        users = staff + await partner_accounts_of_organization(row["organization"])
        subject = _("Overdue in the work plan %(title)s", title=row["title"])
        body = _(
            "%(name)s — %(title)s: “%(content)s” was due on %(date)s and is not done.",
            name=row["name"],
            title=row["title"],
            content=row["content"],
            date=row["due_on"].isoformat(),
        )
        key = f"plan-item:{row['id']}:{row['due_on'].isoformat()}"
        link = f"/organizations/{row['organization']}/plans/{row['plan']}"
        made += await _tell(users, "work_plan_overdue", subject, body, link, key, now)
    return made


async def produce_notices(now: datetime.datetime | None = None) -> Produced:
    """Every producer, each in its own transaction (audited with the count it made)."""
    now = now or beijing_now()
    today = now.date()
    produced = Produced()
    steps: list[tuple[str, Callable[[datetime.date, datetime.datetime], Awaitable[int]]]] = [
        ("pipeline", produce_pipeline),
        ("agreements", produce_agreements),
        ("work_plans", produce_work_plans),
        ("weekly_logs", produce_weekly_logs),
    ]
    for name, step in steps:
        async with audited_write(SENDER) as audit:
            made = await step(today, now)
            if made:
                await audit.record("create", Notification, None, f"{made} notices: {name}")
        setattr(produced, name, made)
    return produced


# --- weekly placement logs -----------------------------------------------------------------


async def produce_weekly_logs(today: datetime.date, now: datetime.datetime) -> int:
    """Weekly logs waiting for the enterprise mentor (submitted) to that mentor's account,
    confirmed ones waiting for the college mentor's comment to theirs, and to a student on
    an active placement whose last week is not written by Monday."""
    made = 0
    made += await _logs_to_confirm(now)
    made += await _logs_to_comment(now)
    made += await _weeks_missing(today, now)
    return made


WEEKLY_LOGS_WITH_MENTOR = (
    'SELECT w.id, w.week_start, s.name, m."user" AS user_id, m.email'
    " FROM partners_weekly_log w"
    " JOIN portal_student s ON s.id = w.student"
    " JOIN partners_participation pa ON pa.id = w.participation"
    " JOIN partners_mentor_assignment ma"
    "  ON ma.student = w.student AND ma.project = pa.project AND ma.status = 'active'"
    " JOIN partners_mentor m ON m.id = ma.{side}_mentor"
    " WHERE ({reachable}) AND {waiting}"
    " ORDER BY w.id"
)
HAS_ACCOUNT = 'm."user" IS NOT NULL'
HAS_ACCOUNT_OR_EMAIL = "m.\"user\" IS NOT NULL OR m.email <> ''"


async def _weekly_logs_waiting_for(
    side: str, waiting: str, reachable: str = HAS_ACCOUNT
) -> list[dict[str, Any]]:
    """The weekly logs in a waiting state, each with the account (or, for a mentor without
    one, the email) of the student's mentor of that side in the log's project, in one query.
    A mentor who cannot be reached so gets nothing."""
    statement = WEEKLY_LOGS_WITH_MENTOR.format(side=side, waiting=waiting, reachable=reachable)
    return await WeeklyLog.raw(statement)


async def _logs_to_confirm(now: datetime.datetime) -> int:
    """To the enterprise mentor's account; to their email with a signed link (made when it is
    sent) when they have none."""
    made = 0
    rows = await _weekly_logs_waiting_for(
        "enterprise", "w.status = 'submitted'", HAS_ACCOUNT_OR_EMAIL
    )
    for row in rows:
        week = str(row["week_start"])[:10]  # a date, or its text on SQLite
        subject = _(
            "Weekly log of %(name)s to confirm (week of %(week)s)", name=row["name"], week=week
        )
        body = _(
            "%(name)s wrote the placement log of the week of %(week)s: confirm it or send "
            "it back with a comment.",
            name=row["name"],
            week=week,
        )
        key = f"weekly-confirm:{row['id']}"
        link = f"/weekly-logs/{row['id']}"
        if row["user_id"] is not None:
            made += await _tell(
                [int(row["user_id"])], "weekly_log_to_confirm", subject, body, link, key, now
            )
            continue
        body += "\n" + _(
            "The link opens this week without an account, can be used once and expires in 14 days."
        )
        if await notify_address(
            row["email"], "weekly_log_to_confirm", subject, body, link, key, now
        ):
            made += 1
    return made


async def _logs_to_comment(now: datetime.datetime) -> int:
    made = 0
    waiting = "w.status = 'confirmed' AND w.reviewed_at IS NULL"
    for row in await _weekly_logs_waiting_for("college", waiting):
        week = str(row["week_start"])[:10]  # a date, or its text on SQLite
        subject = _(
            "Weekly log of %(name)s to comment on (week of %(week)s)", name=row["name"], week=week
        )
        body = _(
            "The enterprise mentor confirmed the placement log of %(name)s for the week of "
            "%(week)s: it waits for your comment.",
            name=row["name"],
            week=week,
        )
        key = f"weekly-comment:{row['id']}"
        made += await _tell(
            [int(row["user_id"])],
            "weekly_log_to_comment",
            subject,
            body,
            "/weekly-reviews/",
            key,
            now,
        )
    return made


async def _weeks_missing(today: datetime.date, now: datetime.datetime) -> int:
    """From Monday on, a student on an active 岗位实习 placement whose previous week (begun
    within the placement) has no log is told once for that week."""
    last_week = monday_of(today) - datetime.timedelta(days=7)
    rows = await Participation.select(
        *PLACEMENT_COLUMNS, Participation.student.user.as_alias("user")
    ).where(
        Participation.kind == "placement",
        Participation.internship_kind.is_in(["post", ""]),
        Participation.status == "active",
        Participation.student.user.is_not_null(),
    )
    made = 0
    for row in rows:
        user = row.pop("user")
        placement = Placement(**row)
        if not is_log_placement(placement) or last_week not in weeks_of(placement, today):
            continue
        if not is_active(placement, today) and not is_active(placement, last_week):
            continue
        written = await WeeklyLog.exists().where(
            WeeklyLog.participation == placement.id, WeeklyLog.week_start == last_week
        )
        if written:
            continue
        week = last_week.isoformat()
        subject = _("Your weekly log for the week of %(week)s is not written", week=week)
        body = _("Write the placement log of the week of %(week)s.", week=week)
        key = f"weekly-missing:{placement.id}:{week}"
        made += await _tell(
            [int(user)], "weekly_log_missing", subject, body, "/me/weekly-logs", key, now
        )
    return made
