"""Sign-in throttling (issue 14): failures of a username at one address make that pair wait,
doubling from the fifth; nobody can lock another person out from elsewhere; a campus behind
one NAT address keeps signing in; the counts live in the database, shared by every worker."""

from __future__ import annotations

import datetime

import pytest

from portal.domain_errors import Refused
from portal.sessions import (
    ADDRESS_FAILURE_LIMIT,
    USERNAME_FAILURE_LIMIT,
    Failures,
    failures_for,
    lockout_minutes_left,
    sign_in,
    wait_before_attempt,
)
from portal.settings import load_settings
from portal.tables import LoginAttempt
from tests.support import PASSWORD, run

NOW = datetime.datetime(2026, 11, 30, 9, 0)
MINUTE = datetime.timedelta(minutes=1)
SETTINGS = load_settings()


def wait(pair=0, latest=NOW, username_oldest=None, address_oldest=None) -> datetime.timedelta:
    failures = Failures(pair, latest, username_oldest, address_oldest)
    return wait_before_attempt(failures, NOW, SETTINGS)


@pytest.mark.parametrize(
    "failures,minutes", [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (10, 32), (11, 60), (40, 60)]
)
def test_the_wait_doubles_from_the_fifth_failure_and_stops_at_an_hour(failures, minutes):
    assert wait(pair=failures) == minutes * MINUTE


def test_the_wait_counts_from_the_latest_failure():
    second = datetime.timedelta(seconds=1)
    assert wait(pair=6, latest=NOW - 90 * second) == 30 * second
    assert wait(pair=6, latest=NOW - 3 * MINUTE) <= datetime.timedelta(0)


def test_a_username_guessed_from_many_addresses_waits_only_where_it_failed():
    many = NOW - 5 * MINUTE
    assert wait(pair=0, latest=None, username_oldest=many) == datetime.timedelta(0)
    assert wait(pair=1, username_oldest=many) == 10 * MINUTE


def test_an_address_over_its_limit_waits_for_every_username():
    assert wait(pair=0, latest=None, address_oldest=NOW - 5 * MINUTE) == 10 * MINUTE


def record(username: str, client: str, succeeded: bool, count: int = 1, ago: int = 0) -> None:
    at = datetime.datetime.now() - datetime.timedelta(minutes=ago)
    run(
        LoginAttempt.insert(
            *[
                LoginAttempt(username=username, client=client, succeeded=succeeded, at=at)
                for _ in range(count)
            ]
        )
    )


def test_failures_are_counted_since_the_pair_s_last_success(people):
    record("coord", "10.0.0.1", False, count=3, ago=30)
    record("coord", "10.0.0.1", True, ago=20)
    record("coord", "10.0.0.1", False, count=2, ago=10)
    record("coord", "10.0.0.2", False, count=7, ago=10)
    counted = run(failures_for(SETTINGS, "coord", "10.0.0.1", datetime.datetime.now()))
    assert counted.pair == 2 and counted.username_limit_oldest is None


def test_someone_failing_as_a_coordinator_elsewhere_does_not_lock_them_out(people):
    record("coord", "203.0.113.9", False, count=USERNAME_FAILURE_LIMIT + 10)
    assert run(lockout_minutes_left(SETTINGS, "coord", "203.0.113.9")) >= 10
    assert run(lockout_minutes_left(SETTINGS, "coord", "10.1.1.1")) == 0
    assert run(sign_in(SETTINGS, "coord", PASSWORD, "10.1.1.1", None)).token


def test_a_campus_nat_address_keeps_signing_in_below_its_high_limit(people):
    for number in range(ADDRESS_FAILURE_LIMIT - 1):
        record(f"student{number}", "10.20.0.1", False)
    assert run(lockout_minutes_left(SETTINGS, "coord", "10.20.0.1")) == 0
    record("someone", "10.20.0.1", False)
    assert run(lockout_minutes_left(SETTINGS, "coord", "10.20.0.1")) > 0


def test_a_wrong_password_counts_for_its_pair_only(people):
    for _ in range(5):
        with pytest.raises(Refused):
            run(sign_in(SETTINGS, "coord", "wrong", "10.0.0.5", None))
    assert run(lockout_minutes_left(SETTINGS, "coord", "10.0.0.5")) == 1
    assert run(lockout_minutes_left(SETTINGS, "coord", "10.0.0.6")) == 0
    assert run(lockout_minutes_left(SETTINGS, "partner_a", "10.0.0.5")) == 0
