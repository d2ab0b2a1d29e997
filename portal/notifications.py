"""Notifications (通知), the base's part: `notify` puts a notice in a person's inbox and, per
channel they chose (email, WeCom group robot), a delivery for the background jobs to send
(college.notices); `notify_address` makes one by email for someone without an account; the
inbox, its unread count and "mark read"; each person's preferences.

`notify` runs inside the caller's transaction: the notice is made with the write that asks for
it, or not at all. A second notify with the same key for the same person does nothing, so
producers that run every few minutes may call it again and again.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any

from portal.audit import Actor, audited_write
from portal.domain_errors import FieldError, raise_refusals
from portal.i18n import _
from portal.notify_rules import (
    Channel,
    DeliveryMode,
    DeliveryStatus,
    Timing,
    beijing_now,
    due_at,
    email_problem,
    parse_channels,
    webhook_problem,
)
from portal.tables import AddressedNotice, Delivery, Notification, NotificationPreference

INBOX_LIMIT = 200


def email_configured() -> bool:
    """Email goes out only when the portal has an SMTP server (PORTAL_SMTP_HOST)."""
    return bool(os.environ.get("PORTAL_SMTP_HOST", ""))


@dataclass(frozen=True)
class Preferences:
    """An account's choices; the defaults (inbox only, at once, quiet 22:00–07:00) when none
    were saved."""

    channels: tuple[Channel, ...] = ()
    email: str = ""
    wecom_webhook: str = ""
    mode: DeliveryMode = DeliveryMode.immediate
    digest_hour: int = 8
    quiet_start: int = 22
    quiet_end: int = 7

    @property
    def timing(self) -> Timing:
        return Timing(self.mode, self.digest_hour, self.quiet_start, self.quiet_end)

    def addresses(self) -> dict[Channel, str]:
        """The channels that can be used: chosen and with an address (email only when the
        portal has an SMTP server)."""
        found: dict[Channel, str] = {}
        if Channel.email in self.channels and self.email and email_configured():
            found[Channel.email] = self.email
        if Channel.wecom in self.channels and self.wecom_webhook:
            found[Channel.wecom] = self.wecom_webhook
        return found


def preferences_from_row(row: dict[str, object] | None) -> Preferences:
    if row is None:
        return Preferences()
    mode = str(row["mode"])
    return Preferences(
        channels=tuple(parse_channels(str(row["channels"]))),
        email=str(row["email"]),
        wecom_webhook=str(row["wecom_webhook"]),
        mode=DeliveryMode(mode) if mode in DeliveryMode.__members__ else DeliveryMode.immediate,
        digest_hour=int(str(row["digest_hour"])),
        quiet_start=int(str(row["quiet_start"])),
        quiet_end=int(str(row["quiet_end"])),
    )


async def preferences_of(user_id: int) -> Preferences:
    row = (
        await NotificationPreference.select().where(NotificationPreference.user == user_id).first()
    )
    return preferences_from_row(row)


def dedupe_key_of(user_id: int, key: str) -> str:
    return f"u{user_id}:{key}"[:255]


async def notify(
    user_id: int,
    kind: str,
    subject: str,
    body: str,
    link: str,
    dedupe_key: str,
    now: datetime.datetime | None = None,
) -> int | None:
    """Makes a notice for one account, and a delivery per channel it chose, in the caller's
    transaction. Returns the notice's id, or None when that account already had one with
    this key (nothing is made)."""
    now = now or beijing_now()
    made = (
        await Notification.insert(
            Notification(
                user=user_id,
                kind=kind[:40],
                subject=subject[:200],
                body=body,
                link=link[:500],
                dedupe_key=dedupe_key_of(user_id, dedupe_key),
                created_at=now,
            )
        )
        .on_conflict(target=Notification.dedupe_key, action="DO NOTHING")
        .returning(Notification.id)
    )
    if not made:
        return None
    notification_id = int(made[0]["id"])
    preferences = await preferences_of(user_id)
    when = due_at(now, preferences.timing)
    for channel in preferences.addresses():
        await Delivery.insert(
            Delivery(
                notification=notification_id,
                channel=channel.value,
                channel_key=f"{notification_id}:{channel.value}",
                status=DeliveryStatus.pending.value,
                due_at=when,
            )
        )
    return notification_id


async def notify_address(
    email: str,
    kind: str,
    subject: str,
    body: str,
    link: str,
    dedupe_key: str,
    now: datetime.datetime | None = None,
) -> int | None:
    """Makes a notice by email for someone without an account, in the caller's transaction,
    due at once outside the default quiet hours (22:00–07:00). Returns its id, or None when
    that address already had one with this key, or the portal sends no email."""
    if not email or email_problem(email) or not email_configured():
        return None
    now = now or beijing_now()
    made = (
        await AddressedNotice.insert(
            AddressedNotice(
                kind=kind[:40],
                email=email,
                subject=subject[:200],
                body=body,
                link=link[:500],
                dedupe_key=f"e{email.lower()}:{dedupe_key}"[:400],
                created_at=now,
                status=DeliveryStatus.pending.value,
                due_at=due_at(now, Timing()),
            )
        )
        .on_conflict(target=AddressedNotice.dedupe_key, action="DO NOTHING")
        .returning(AddressedNotice.id)
    )
    return int(made[0]["id"]) if made else None


@dataclass(frozen=True)
class InboxItem:
    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: datetime.datetime
    unread: bool


async def inbox(user_id: int, limit: int = INBOX_LIMIT) -> list[InboxItem]:
    """The account's notices, newest first."""
    rows = (
        await Notification.select(
            Notification.id,
            Notification.kind,
            Notification.subject,
            Notification.body,
            Notification.link,
            Notification.created_at,
            Notification.read_at,
        )
        .where(Notification.user == user_id)
        .order_by(Notification.created_at, ascending=False)
        .order_by(Notification.id, ascending=False)
        .limit(limit)
    )
    return [
        InboxItem(
            id=row["id"],
            kind=row["kind"],
            subject=row["subject"],
            body=row["body"],
            link=row["link"],
            created_at=row["created_at"],
            unread=row["read_at"] is None,
        )
        for row in rows
    ]


async def unread_count(user_id: int) -> int:
    return int(
        await Notification.count().where(
            Notification.user == user_id, Notification.read_at.is_null()
        )
    )


async def mark_all_read(actor: Actor, now: datetime.datetime | None = None) -> int:
    """Marks the actor's unread notices read; returns how many."""
    assert actor.user_id is not None
    now = now or beijing_now()
    async with audited_write(actor) as audit:
        marked = (
            await Notification.update({Notification.read_at: now})
            .where(Notification.user == actor.user_id, Notification.read_at.is_null())
            .returning(Notification.id)
        )
        if marked:
            await audit.record("update", Notification, None, f"marked {len(marked)} notices read")
    return len(marked)


async def mark_read(
    actor: Actor, notification_id: int, now: datetime.datetime | None = None
) -> bool:
    """Marks one of the actor's own notices read; False when it is not theirs (or unknown)."""
    assert actor.user_id is not None
    now = now or beijing_now()
    async with audited_write(actor) as audit:
        marked = (
            await Notification.update({Notification.read_at: now})
            .where(
                Notification.id == notification_id,
                Notification.user == actor.user_id,
                Notification.read_at.is_null(),
            )
            .returning(Notification.id)
        )
        if marked:
            await audit.record("update", Notification, notification_id, "marked read")
    owned = await Notification.exists().where(
        Notification.id == notification_id, Notification.user == actor.user_id
    )
    return bool(owned)


HOURS = range(24)


def check_preferences(
    channels: list[str],
    email: str,
    webhook: str,
    mode: str,
    digest_hour: int | None,
    quiet_start: int | None,
    quiet_end: int | None,
) -> tuple[Preferences | None, list[FieldError]]:
    """The submitted preferences, or the messages beside the wrong fields."""
    errors: list[FieldError] = []
    chosen = tuple(parse_channels(",".join(channels)))
    if len(chosen) != len(channels):
        errors.append(FieldError("channels", _("Choose one of the listed options.")))
    if problem := email_problem(email):
        errors.append(FieldError("email", problem))
    elif Channel.email in chosen and not email:
        errors.append(FieldError("email", _("Enter the email address to send notices to.")))
    if problem := webhook_problem(webhook):
        errors.append(FieldError("wecom_webhook", problem))
    elif Channel.wecom in chosen and not webhook:
        errors.append(FieldError("wecom_webhook", _("Paste the address of the WeCom group robot.")))
    if mode not in DeliveryMode.__members__:
        errors.append(FieldError("mode", _("Choose one of the listed options.")))
    for name, hour in (
        ("digest_hour", digest_hour),
        ("quiet_start", quiet_start),
        ("quiet_end", quiet_end),
    ):
        if hour is None or hour not in HOURS:
            errors.append(FieldError(name, _("Choose an hour from 0 to 23.")))
    if errors or digest_hour is None or quiet_start is None or quiet_end is None:
        return None, errors
    return (
        Preferences(
            channels=chosen,
            email=email,
            wecom_webhook=webhook,
            mode=DeliveryMode(mode),
            digest_hour=digest_hour,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
        ),
        [],
    )


def _stored(preferences: Preferences) -> dict[str, Any]:
    return {
        "channels": ",".join(channel.value for channel in preferences.channels),
        "email": preferences.email,
        "wecom_webhook": preferences.wecom_webhook,
        "mode": preferences.mode.value,
        "digest_hour": preferences.digest_hour,
        "quiet_start": preferences.quiet_start,
        "quiet_end": preferences.quiet_end,
    }


async def save_preferences(
    actor: Actor,
    channels: list[str],
    email: str,
    webhook: str,
    mode: str,
    digest_hour: int | None,
    quiet_start: int | None,
    quiet_end: int | None,
) -> Preferences:
    """Saves the actor's own preferences (refused with messages beside the fields). Deliveries
    still waiting keep their time; new notices follow the new choices."""
    assert actor.user_id is not None
    preferences, errors = check_preferences(
        channels, email, webhook, mode, digest_hour, quiet_start, quiet_end
    )
    raise_refusals(errors)
    assert preferences is not None
    values = _stored(preferences)
    async with audited_write(actor) as audit:
        row = (
            await NotificationPreference.select()
            .where(NotificationPreference.user == actor.user_id)
            .first()
        )
        if row is None:
            made = await NotificationPreference.insert(
                NotificationPreference(user=actor.user_id, updated_at=beijing_now(), **values)
            ).returning(NotificationPreference.id)
            await audit.created(NotificationPreference, made[0]["id"], _masked(values))
        else:
            await NotificationPreference.update(
                {**values, "updated_at": beijing_now()}  # type: ignore[dict-item]
            ).where(NotificationPreference.id == row["id"])
            before = {name: row[name] for name in values}
            await audit.updated(NotificationPreference, row["id"], _masked(before), _masked(values))
    return preferences


def _masked(values: dict[str, object]) -> dict[str, object]:
    """The webhook's key lets anyone post to the group: the audit log keeps only its end."""
    url = str(values.get("wecom_webhook", ""))
    return {**values, "wecom_webhook": ("…" + url[-4:]) if url else ""}
