"""Signing in and out, and changing one's password (part of the base every area builds on):
the rules — the lockout after repeated failures, what a new password must be — and the audited
transactions, each taking the settings, the `Viewer` or the `Actor` concerned (never a
request). The pages are portal.views.auth; who is asking on every request is portal.auth.

Every attempt to sign in is recorded (LoginAttempt), so the lockout counts failures across
every server worker; every sign-in starts a fresh session.
"""

from __future__ import annotations

import datetime

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from portal.audit import Actor, audited_write
from portal.auth import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, Viewer, check_password
from portal.domain_errors import FORM, FieldError, Refused, raise_refusals
from portal.i18n import _
from portal.passwords import hash_password
from portal.settings import Settings
from portal.tables import LoginAttempt

CLIENT_FAILURE_LIMIT = 20


async def lockout_minutes_left(settings: Settings, username: str, client: str) -> int:
    """Minutes until another attempt is allowed (0: allowed now).

    Five failures for a username, or twenty from one address, within the lockout window
    lock further attempts until the window has passed the oldest of them.
    """
    window = datetime.timedelta(minutes=settings.login_lockout_minutes)
    since = datetime.datetime.now() - window
    for column, value, limit in (
        (LoginAttempt.username, username, settings.login_failure_limit),
        (LoginAttempt.client, client, CLIENT_FAILURE_LIMIT),
    ):
        failures = (
            await LoginAttempt.select(LoginAttempt.at)
            .where(column == value, LoginAttempt.succeeded.eq(False), LoginAttempt.at > since)
            .order_by(LoginAttempt.at, ascending=False)
            .limit(limit)
        )
        if len(failures) >= limit:
            unlocked_at = failures[-1]["at"] + window
            seconds = (unlocked_at - datetime.datetime.now()).total_seconds()
            return max(1, -(-int(seconds) // 60))
    return 0


async def sign_in(
    settings: Settings, username: str, password: str, client: str, old_token: str | None
) -> SessionsBase:
    """Checks the password and starts a session, recording the attempt either way (audited);
    an older PBKDF2 hash is replaced by argon2id on the way. Refused (for the whole form)
    when the username or the password is not right."""
    checked = await check_password(username, password)
    user_id = checked.user_id
    async with audited_write(Actor(user_id=user_id, username=username)) as audit:
        await LoginAttempt.insert(
            LoginAttempt(username=username, client=client, succeeded=user_id is not None)
        )
        if user_id is None:
            await audit.record("login_failed", BaseUser, None, client)
        else:
            if checked.new_hash:  # an older (PBKDF2) hash, replaced by argon2id
                await BaseUser.update({BaseUser.password: checked.new_hash}).where(
                    BaseUser.id == user_id
                )
                await audit.record("password_rehashed", BaseUser, user_id, "argon2id")
            session = await start_session(settings, user_id, old_token)
            await audit.record("login", BaseUser, user_id, client)
    if user_id is None:  # refused once the attempt is recorded, for the lockout to count it
        raise Refused.at(FORM, _("The username or password is not right."))
    return session


async def start_session(settings: Settings, user_id: int, old_token: str | None) -> SessionsBase:
    """A fresh session on every sign-in; a session the browser still carried is ended."""
    if old_token:
        await SessionsBase.remove_session(old_token)
    now = datetime.datetime.now()
    await SessionsBase.delete().where(SessionsBase.max_expiry_date < now)  # housekeeping
    await BaseUser.update({BaseUser.last_login: now}).where(BaseUser.id == user_id)
    return await SessionsBase.create_session(
        user_id=user_id,
        expiry_date=now + datetime.timedelta(hours=settings.session_hours),
        max_expiry_date=now + datetime.timedelta(days=settings.session_max_days),
    )


async def sign_out(viewer: Viewer) -> None:
    """Ends the viewer's session (audited)."""
    async with audited_write(Actor(viewer.user_id, viewer.username)) as audit:
        await SessionsBase.remove_session(viewer.session_token)
        await audit.record("logout", BaseUser, viewer.user_id)


def new_password_errors(current: str, new: str, confirm: str) -> list[FieldError]:
    """What is wrong with a new password: its length, being the current one, or a
    confirmation that differs."""
    errors = []
    if len(new) < MIN_PASSWORD_LENGTH:
        message = _("A password has at least %(min)s characters.", min=MIN_PASSWORD_LENGTH)
        errors.append(FieldError("new_password", message))
    elif len(new) > MAX_PASSWORD_LENGTH:
        message = _("At most %(limit)s characters.", limit=MAX_PASSWORD_LENGTH)
        errors.append(FieldError("new_password", message))
    elif new == current:
        message = _("Choose a password different from the current one.")
        errors.append(FieldError("new_password", message))
    if new != confirm:
        errors.append(FieldError("confirm", _("The two new passwords differ.")))
    return errors


async def current_password_errors(viewer: Viewer, current: str) -> list[FieldError]:
    """The current password, asked for again before it is changed, is missing or wrong."""
    if not current:
        return [FieldError("current_password", _("Enter your current password."))]
    if (await check_password(viewer.username, current)).user_id is None:
        return [FieldError("current_password", _("The current password is not right."))]
    return []


async def change_password(viewer: Viewer, current: str, new: str, confirm: str) -> None:
    """Replaces the viewer's password and signs out their other sessions (audited). Refused,
    a message beside each field concerned, when a rule says no."""
    raise_refusals(
        [
            *await current_password_errors(viewer, current),
            *new_password_errors(current, new, confirm),
        ]
    )
    hashed = await hash_password(new)
    async with audited_write(Actor(viewer.user_id, viewer.username)) as audit:
        await BaseUser.update({BaseUser.password: hashed}).where(BaseUser.id == viewer.user_id)
        await SessionsBase.delete().where(
            SessionsBase.user_id == viewer.user_id, SessionsBase.token != viewer.session_token
        )
        await audit.record("password", BaseUser, viewer.user_id, _("Password changed"))
