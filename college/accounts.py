"""Accounts (账号), in the top layer because a login is tied to a record of another area: a
partner's to an enterprise (partners.organizations), a mentor's to a mentor
(partners.coeducation), a student's to a student (the base). The rules and transactions that
create logins for each role and disable them, each taking the `Actor` who writes; used by the
account pages (college.views.accounts), the `portal create-user` command and the demo.

A rule that says no raises `Refused` naming the form field concerned (portal.domain_errors).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from partners.coeducation.tables import Mentor
from partners.organizations.tables import (
    Enterprise,
    PartnerAccount,
)
from portal.audit import Actor, audited_write
from portal.auth import password_problem
from portal.domain_errors import FORM, NotVisible, Refused, UniqueViolation
from portal.i18n import _
from portal.passwords import hash_password
from portal.tables import Profile, Role, Student

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.\-]{3,50}")


@dataclass(frozen=True)
class NewAccount:
    """A login to create, with the record it is tied to (by role)."""

    username: str
    password: str
    role: Role
    display_name: str = ""
    enterprise_id: int | None = None
    student_no: str = ""
    mentor_id: int | None = None


@dataclass(frozen=True, slots=True)
class AccountRow:
    """A login as its page shows it."""

    user_id: int
    username: str
    active: bool
    last_login: datetime.datetime | None
    role: str
    display_name: str
    created_at: datetime.datetime


def check_username_and_password(username: str, password: str) -> None:
    if not USERNAME_PATTERN.fullmatch(username):
        raise Refused.at(
            "username", _("A username is 3 to 50 letters, digits, dots, dashes or underscores.")
        )
    if problem := password_problem(password):
        raise Refused.at("password", problem)


def username_taken() -> Refused:
    return Refused.at("username", _("This username is already taken."))


async def linked_name(account: NewAccount) -> tuple[str, int | None]:
    """Checks the record a partner, student or mentor account is tied to; returns its name, id."""
    if account.role is Role.partner:
        if account.enterprise_id is None:
            raise Refused.at("enterprise", _("Choose the enterprise of this partner account."))
        row = (
            await Enterprise.select(Enterprise.name)
            .where(Enterprise.id == account.enterprise_id)
            .first()
        )
        if row is None:
            raise Refused.at("enterprise", _("No such enterprise."))
        return row["name"], account.enterprise_id
    if account.role is Role.student:
        row = (
            await Student.select(Student.id, Student.name, Student.user)
            .where(Student.student_no == account.student_no.strip().upper())
            .first()
        )
        if row is None:
            raise Refused.at("student_no", _("No student has this student number."))
        if row["user"] is not None:
            raise Refused.at("student_no", _("This student already has an account."))
        return row["name"], row["id"]
    if account.role is Role.mentor:
        if account.mentor_id is None:
            raise Refused.at("mentor", _("Choose the mentor of this account."))
        row = (
            await Mentor.select(Mentor.name, Mentor.user)
            .where(Mentor.id == account.mentor_id)
            .first()
        )
        if row is None:
            raise Refused.at("mentor", _("No such mentor."))
        if row["user"] is not None:
            raise Refused.at("mentor", _("This mentor already has an account."))
        return row["name"], account.mentor_id
    return "", None


# Piccolo's own format, so BaseUser stores it as it is; it matches no password.
UNUSABLE_PASSWORD = "pbkdf2_sha256$0$unusable$none"


async def create_account(actor: Actor, account: NewAccount) -> int:
    """Creates the login, its profile and its link, in one audited transaction."""
    check_username_and_password(account.username, account.password)
    hashed = await hash_password(account.password)
    try:
        async with audited_write(actor) as audit:
            if await BaseUser.exists().where(BaseUser.username == account.username):
                raise username_taken()
            record_name, linked_id = await linked_name(account)
            display_name = account.display_name.strip() or record_name or account.username
            user = BaseUser(
                username=account.username,
                password=UNUSABLE_PASSWORD,
                email=f"{account.username}@accounts.invalid",
                active=True,
            )
            await user.save()
            # Stored by an update: BaseUser re-hashes (with PBKDF2) any password it is given
            # that does not look like its own format.
            await BaseUser.update({BaseUser.password: hashed}).where(BaseUser.id == user.id)
            await Profile.insert(
                Profile(user=user.id, role=account.role, display_name=display_name)
            )
            if account.role is Role.partner:
                await PartnerAccount.insert(PartnerAccount(user=user.id, enterprise=linked_id))
            elif account.role is Role.student:
                await Student.update({Student.user: user.id}).where(Student.id == linked_id)
            elif account.role is Role.mentor:
                await Mentor.update({Mentor.user: user.id}).where(Mentor.id == linked_id)
            await audit.created(
                BaseUser,
                user.id,
                {"username": account.username, "role": account.role, "linked_id": linked_id},
                display_name,
            )
            return int(user.id)
    except UniqueViolation as error:  # the same username created by someone else meanwhile
        raise username_taken() from error


async def account(user_id: int) -> AccountRow:
    """The login of a user, for its page; NotVisible (404) when the user has no profile."""
    row = (
        await Profile.select(
            Profile.user.id.as_alias("user_id"),
            Profile.user.username.as_alias("username"),
            Profile.user.active.as_alias("active"),
            Profile.user.last_login.as_alias("last_login"),
            Profile.role,
            Profile.display_name,
            Profile.created_at,
        )
        .where(Profile.user == user_id)
        .first()
    )
    if row is None:
        raise NotVisible(f"account {user_id}")
    return AccountRow(**row)


async def set_active(actor: Actor, user_id: int, active: bool) -> None:
    """Enables or disables a login; disabling ends all of that user's sessions. Refused when
    the actor would disable their own login (nobody would be left to enable it)."""
    if not active and user_id == actor.user_id:
        raise Refused.at(FORM, _("You cannot disable your own account."))
    async with audited_write(actor) as audit:
        before = await BaseUser.select(BaseUser.active).where(BaseUser.id == user_id).first()
        await BaseUser.update({BaseUser.active: active}).where(BaseUser.id == user_id)
        if not active:
            await SessionsBase.delete().where(SessionsBase.user_id == user_id)
        await audit.updated(
            BaseUser,
            user_id,
            {"active": before["active"] if before else None},
            {"active": active},
            _("Account enabled") if active else _("Account disabled"),
        )
