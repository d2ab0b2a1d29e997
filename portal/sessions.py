"""Signing in and out, and changing one's password (part of the base every area builds on):
the rules — the lockout after repeated failures, what a new password must be — and the audited
transactions, each taking the settings, the `Viewer` or the `Actor` concerned (never a
request). The pages are portal.views.auth; who is asking on every request is portal.auth.

Every attempt to sign in is recorded (LoginAttempt), so the lockout counts failures across
every server worker; every sign-in starts a fresh session.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from portal.audit import Actor, audited_write
from portal.auth import Viewer, check_password, password_problem, stored_token
from portal.domain_errors import FORM, FieldError, Refused, raise_refusals
from portal.i18n import _
from portal.passwords import hash_password
from portal.settings import Settings
from portal.tables import LoginAttempt

# Failures of one username from every address, within the window, after which an address that
# has itself failed for that username waits (a guess spread over many addresses); an address
# that never failed for it still signs in, so nobody can lock a coordinator out.
USERNAME_FAILURE_LIMIT = 50
# Failures from one address within the window, whatever the usernames: high enough for a
# campus behind one NAT address, low enough to stop one address guessing across accounts.
ADDRESS_FAILURE_LIMIT = 200
LONGEST_WAIT = datetime.timedelta(hours=1)
PAIR_MEMORY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Failures:
    """The failed sign-ins that decide whether an attempt must wait: those of this username
    from this address since its last success (within a day), with the latest's time; the
    window's failures of the username from anywhere and of the address for anyone, each with
    the oldest of those that reach its limit (None below the limit)."""

    pair: int
    pair_latest: datetime.datetime | None
    username_limit_oldest: datetime.datetime | None
    address_limit_oldest: datetime.datetime | None


def wait_before_attempt(
    failures: Failures, now: datetime.datetime, settings: Settings
) -> datetime.timedelta:
    """How long this username must wait from this address (zero: it may try now).

    From the fifth failure of a username at an address, the wait doubles with each further
    failure: 1, 2, 4 … minutes, at most an hour, counted from the latest failure."""
    window = datetime.timedelta(minutes=settings.login_lockout_minutes)
    until = now
    if failures.pair >= settings.login_failure_limit and failures.pair_latest is not None:
        doubling = failures.pair - settings.login_failure_limit
        wait = min(datetime.timedelta(minutes=2 ** min(doubling, 10)), LONGEST_WAIT)
        until = max(until, failures.pair_latest + wait)
    if failures.username_limit_oldest is not None and failures.pair > 0:
        until = max(until, failures.username_limit_oldest + window)
    if failures.address_limit_oldest is not None:
        until = max(until, failures.address_limit_oldest + window)
    return until - now


async def failures_for(
    settings: Settings, username: str, client: str, now: datetime.datetime
) -> Failures:
    """The failed sign-ins `wait_before_attempt` weighs, read from the database (so every
    worker on every host counts the same)."""
    last_success = (
        await LoginAttempt.select(LoginAttempt.at)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.client == client,
            LoginAttempt.succeeded.eq(True),
            LoginAttempt.at > now - PAIR_MEMORY,
        )
        .order_by(LoginAttempt.at, ascending=False)
        .first()
    )
    since = last_success["at"] if last_success else now - PAIR_MEMORY
    pair = (
        await LoginAttempt.select(LoginAttempt.at)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.client == client,
            LoginAttempt.succeeded.eq(False),
            LoginAttempt.at > since,
        )
        .order_by(LoginAttempt.at, ascending=False)
    )
    window_start = now - datetime.timedelta(minutes=settings.login_lockout_minutes)
    return Failures(
        pair=len(pair),
        pair_latest=pair[0]["at"] if pair else None,
        username_limit_oldest=await oldest_of_limit(
            LoginAttempt.username == username, window_start, USERNAME_FAILURE_LIMIT
        ),
        address_limit_oldest=await oldest_of_limit(
            LoginAttempt.client == client, window_start, ADDRESS_FAILURE_LIMIT
        ),
    )


async def oldest_of_limit(
    where: Any, since: datetime.datetime, limit: int
) -> datetime.datetime | None:
    """The oldest of the latest `limit` failures matching `where` since a time, or None
    when there are fewer."""
    failures = (
        await LoginAttempt.select(LoginAttempt.at)
        .where(where, LoginAttempt.succeeded.eq(False), LoginAttempt.at > since)
        .order_by(LoginAttempt.at, ascending=False)
        .offset(limit - 1)
        .first()
    )
    return failures["at"] if failures else None


async def lockout_minutes_left(settings: Settings, username: str, client: str) -> int:
    """Minutes until another attempt of this username from this address is allowed (0: now)."""
    now = datetime.datetime.now()
    wait = wait_before_attempt(await failures_for(settings, username, client, now), now, settings)
    seconds = wait.total_seconds()
    return 0 if seconds <= 0 else max(1, -(-int(seconds) // 60))


async def sign_in(
    settings: Settings, username: str, password: str, client: str, old_token: str | None
) -> StartedSession:
    """Checks the password and starts a session, recording the attempt either way (audited);
    an older PBKDF2 hash is replaced by argon2id on the way. Refused (for the whole form)
    when the username or the password is not right."""
    checked = await check_password(username, password, client)
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


@dataclass(frozen=True)
class StartedSession:
    """A new session: the token for the cookie (the table keeps only its hash)."""

    token: str
    user_id: int


async def start_session(
    settings: Settings, user_id: int, old_token: str | None
) -> StartedSession:
    """A fresh session on every sign-in; a session the browser still carried is ended."""
    if old_token:
        await SessionsBase.remove_session(stored_token(old_token))
    now = datetime.datetime.now()
    await SessionsBase.delete().where(SessionsBase.max_expiry_date < now)  # housekeeping
    await BaseUser.update({BaseUser.last_login: now}).where(BaseUser.id == user_id)
    token = secrets.token_urlsafe(32)
    await SessionsBase.insert(
        SessionsBase(
            token=stored_token(token),
            user_id=user_id,
            expiry_date=now + datetime.timedelta(hours=settings.session_hours),
            max_expiry_date=now + datetime.timedelta(days=settings.session_max_days),
        )
    )
    return StartedSession(token, user_id)


async def sign_out(viewer: Viewer) -> None:
    """Ends the viewer's session (audited)."""
    async with audited_write(Actor(viewer.user_id, viewer.username)) as audit:
        await SessionsBase.remove_session(stored_token(viewer.session_token))
        await audit.record("logout", BaseUser, viewer.user_id)


def new_password_errors(current: str, new: str, confirm: str) -> list[FieldError]:
    """What is wrong with a new password: its length, being a common one or the current one,
    or a confirmation that differs."""
    errors = []
    if problem := password_problem(new):
        errors.append(FieldError("new_password", problem))
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
            SessionsBase.user_id == viewer.user_id,
            SessionsBase.token != stored_token(viewer.session_token),
        )
        await audit.record("password", BaseUser, viewer.user_id, _("Password changed"))
