"""Passwords are stored as argon2id with parameters OWASP accepts; the PBKDF2 hashes of older
accounts still sign in and are replaced by argon2id at that sign-in."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser

from portal import passwords
from portal.tables import AuditEntry
from tests.support import PASSWORD, run


def stored_hash(user_id: int) -> str:
    return run(BaseUser.select(BaseUser.password).where(BaseUser.id == user_id).first())["password"]


def test_the_production_parameters_meet_owasps_minimum():
    # OWASP Password Storage Cheat Sheet: argon2id, m ≥ 19 MiB, t ≥ 2, p = 1.
    assert passwords.OWASP_ARGON2ID["memory_cost"] >= 19 * 1024
    assert passwords.OWASP_ARGON2ID["time_cost"] >= 2
    assert passwords.OWASP_ARGON2ID["parallelism"] == 1


def test_new_accounts_get_an_argon2id_hash(people):
    assert stored_hash(people.coordinator_user).startswith("$argon2id$")


def test_an_old_pbkdf2_hash_signs_in_and_is_replaced_by_argon2id(browser, people):
    old = BaseUser.hash_password(PASSWORD)  # Piccolo's PBKDF2 format, as older accounts have
    run(BaseUser.update({BaseUser.password: old}).where(BaseUser.id == people.coordinator_user))
    assert browser.sign_in("coord").status_code == 303
    upgraded = stored_hash(people.coordinator_user)
    assert upgraded.startswith("$argon2id$")
    assert run(AuditEntry.count().where(AuditEntry.action == "password_rehashed")) == 1
    browser.client.cookies.clear()
    assert browser.sign_in("coord").status_code == 303  # the new hash works


def test_a_wrong_password_changes_nothing(browser, people):
    old = BaseUser.hash_password(PASSWORD)
    run(BaseUser.update({BaseUser.password: old}).where(BaseUser.id == people.coordinator_user))
    assert browser.sign_in("coord", "wrong-password").status_code == 400
    assert stored_hash(people.coordinator_user) == old


def test_verification_answers_for_unknown_users_too():
    assert not passwords.verify_sync(None, PASSWORD).matches
    assert not passwords.verify_sync("garbage", PASSWORD).matches
    assert not passwords.verify_sync("pbkdf2_sha256$0$unusable$none", PASSWORD).matches
