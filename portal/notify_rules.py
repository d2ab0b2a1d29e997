"""The rules of notifications (通知) that need no database: when a delivery by email or WeCom is
due (immediate or in the daily digest, never in the person's quiet hours), how a digest puts a
person's waiting notices into one message, how long a failed delivery waits before the next
try, and which WeCom robot addresses may be saved.

Times are Beijing time (China has one time zone and no summer time), kept without a zone in
the database like the portal's other timestamps.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from portal.i18n import _, ngettext

BEIJING = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")
MAX_ATTEMPTS = 5  # a delivery that failed this many times stays failed
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_RETRY = datetime.timedelta(hours=1)
STALE_SENDING = datetime.timedelta(minutes=15)  # a claim older than this: its worker died
WECOM_WEBHOOK = re.compile(
    r"https://qyapi\.weixin\.qq\.com/cgi-bin/webhook/send\?key=[A-Za-z0-9-]{8,100}"
)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class Channel(str, Enum):
    """Where a notice goes besides the in-portal inbox (站内信, always)."""

    email = "email"
    wecom = "wecom"


class DeliveryMode(str, Enum):
    immediate = "immediate"
    digest = "digest"


class DeliveryStatus(str, Enum):
    pending = "pending"
    sending = "sending"  # claimed by one worker
    sent = "sent"
    failed = "failed"  # MAX_ATTEMPTS failures


def beijing_now() -> datetime.datetime:
    """Now, in Beijing time without a zone (the form the notification tables keep)."""
    return datetime.datetime.now(BEIJING).replace(tzinfo=None)


@dataclass(frozen=True)
class Timing:
    """A person's choices that decide when their email and WeCom messages go."""

    mode: DeliveryMode = DeliveryMode.immediate
    digest_hour: int = 8
    quiet_start: int = 22
    quiet_end: int = 7


def in_quiet_hours(moment: datetime.datetime, timing: Timing) -> bool:
    """Whether `moment` lies in the quiet hours [quiet_start, quiet_end), which may run over
    midnight (22 → 7). Equal hours mean no quiet hours."""
    start, end, hour = timing.quiet_start, timing.quiet_end, moment.hour
    if start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def after_quiet_hours(moment: datetime.datetime, timing: Timing) -> datetime.datetime:
    """`moment`, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(moment, timing):
        return moment
    end = moment.replace(hour=timing.quiet_end, minute=0, second=0, microsecond=0)
    return end if end > moment else end + datetime.timedelta(days=1)


def due_at(now: datetime.datetime, timing: Timing) -> datetime.datetime:
    """When a notice made at `now` goes out: at once, or at the next digest hour (today's if it
    is still ahead, else tomorrow's); either moved to the end of the quiet hours."""
    if timing.mode is DeliveryMode.digest:
        slot = now.replace(hour=timing.digest_hour, minute=0, second=0, microsecond=0)
        if slot < now:
            slot += datetime.timedelta(days=1)
        return after_quiet_hours(slot, timing)
    return after_quiet_hours(now, timing)


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long a delivery that failed `attempts` times waits: 1, 2, 4, 8 … minutes, at most
    an hour."""
    delay = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)


def after_failure(
    attempts: int, now: datetime.datetime, timing: Timing
) -> tuple[DeliveryStatus, datetime.datetime]:
    """What a delivery becomes after its `attempts`-th failure: tried again after the back-off
    (outside the quiet hours), or failed for good after MAX_ATTEMPTS."""
    if attempts >= MAX_ATTEMPTS:
        return DeliveryStatus.failed, now
    return DeliveryStatus.pending, after_quiet_hours(now + retry_delay(attempts), timing)


@dataclass(frozen=True)
class Notice:
    """One notice as a message shows it."""

    subject: str
    body: str
    link: str = ""  # absolute, or ""
    created_at: datetime.datetime | None = None


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def notice_text(notice: Notice) -> str:
    parts = [notice.body.strip()] if notice.body.strip() else []
    if notice.link:
        parts.append(_("Open: %(link)s", link=notice.link))
    return "\n".join(parts)


def single_message(notice: Notice) -> Message:
    """An immediate notice: its own subject and text."""
    return Message(
        subject=_("[Co-Education Portal] %(subject)s", subject=notice.subject),
        body=notice_text(notice),
    )


def digest_message(notices: Sequence[Notice], inbox_link: str = "") -> Message:
    """One message for a person's waiting notices, oldest first, each with its subject, text
    and link; a single notice goes as itself."""
    if len(notices) == 1:
        return single_message(notices[0])
    ordered = sorted(notices, key=lambda notice: notice.created_at or datetime.datetime.min)
    subject = ngettext(
        "[Co-Education Portal] %(count)s new notice",
        "[Co-Education Portal] %(count)s new notices",
        len(ordered),
        count=len(ordered),
    )
    lines: list[str] = []
    for number, notice in enumerate(ordered, start=1):
        lines.append(f"{number}. {notice.subject}")
        text = notice_text(notice)
        if text:
            lines.extend("   " + line for line in text.splitlines())
    if inbox_link:
        lines.append("")
        lines.append(_("All notices: %(link)s", link=inbox_link))
    return Message(subject=subject, body="\n".join(lines))


def webhook_problem(url: str) -> str | None:
    """Why a WeCom group robot address may not be saved (it must be the robot's own)."""
    if url and not WECOM_WEBHOOK.fullmatch(url):
        return _(
            "Paste the group robot's address: "
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
        )
    return None


def email_problem(address: str) -> str | None:
    if address and (len(address) > 254 or not EMAIL.fullmatch(address)):
        return _("Enter an email address such as name@example.com.")
    return None


def parse_channels(stored: str) -> list[Channel]:
    """The channels kept as "email,wecom"; unknown names dropped."""
    known = {channel.value: channel for channel in Channel}
    return [known[name] for name in stored.split(",") if name in known]
