"""Password hashing: argon2id with the parameters OWASP's Password Storage Cheat Sheet accepts
(19 MiB of memory, 2 iterations, 1 lane), PBKDF2 hashes of older accounts still verified and
replaced by argon2id at their next sign-in.

A hash costs about 30 ms of one core. It runs on a small thread pool of its own (argon2's C
code releases the GIL), one thread per core, while pages keep being served on the event loop.
Hashes beyond the pool's size wait in one queue per client address, served in turn: a burst
of sign-ins from one address (a script, a classroom behind one NAT) delays another address's
sign-in by at most one hash per busy address, not by the whole burst (bench/signin.py).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import os
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypedDict, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Parameters(TypedDict):
    time_cost: int  # iterations
    memory_cost: int  # KiB
    parallelism: int  # lanes


# OWASP: "argon2id with a minimum configuration of 19 MiB of memory, an iteration count of 2,
# and 1 degree of parallelism".
OWASP_ARGON2ID: Argon2Parameters = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}
PBKDF2_PREFIX = "pbkdf2_sha256$"

hasher = PasswordHasher(**OWASP_ARGON2ID)
HASHING_THREADS = os.cpu_count() or 2
_executor = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="password")
# Verified against when a username does not exist, so both cases take the same time.
_absent_user_hash: str | None = None


@dataclass(frozen=True)
class Verdict:
    """A password check: whether it matched, and the hash to store instead, if one is due."""

    matches: bool
    new_hash: str | None = None


def use_hasher(replacement: PasswordHasher) -> None:
    """Swap the hashing parameters (the tests use cheap ones; production never calls this)."""
    global hasher, _absent_user_hash
    hasher = replacement
    _absent_user_hash = None


def hash_sync(password: str) -> str:
    return hasher.hash(password)


def pbkdf2_matches(stored: str, password: str) -> bool:
    """Piccolo's PBKDF2 format: pbkdf2_sha256$<iterations>$<salt>$<hex digest>."""
    try:
        _, iterations, salt, digest = stored.split("$")
        candidate = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), salt.encode(), int(iterations)
        ).hex()
    except ValueError:
        return False
    return hmac.compare_digest(candidate, digest)


def verify_sync(stored: str | None, password: str) -> Verdict:
    if stored is None:
        absent = _absent_user_hash or _remember_absent_hash()
        _argon2_matches(absent, password)
        return Verdict(False)
    if stored.startswith(PBKDF2_PREFIX):
        if pbkdf2_matches(stored, password):
            return Verdict(True, new_hash=hasher.hash(password))
        return Verdict(False)
    if not _argon2_matches(stored, password):
        return Verdict(False)
    due = hasher.check_needs_rehash(stored)  # the parameters were raised since
    return Verdict(True, new_hash=hasher.hash(password) if due else None)


def _argon2_matches(stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _remember_absent_hash() -> str:
    global _absent_user_hash
    _absent_user_hash = hasher.hash(os.urandom(16).hex())
    return _absent_user_hash


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 30,000 passwords people use most (zxcvbn's list, from leaked password sets), in
    lower case: refused as new passwords (OWASP ASVS 2.1.7)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def is_common_password(password: str) -> bool:
    return password.lower() in common_passwords()


T = TypeVar("T")


class FairTurns:
    """At most ``slots`` jobs at once; the others wait in one queue per key (a client
    address), and a freed slot goes to the next key in turn, not to the oldest job."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.running = 0
        self.waiting: OrderedDict[str, deque[asyncio.Future[None]]] = OrderedDict()

    async def run(self, key: str, job: Callable[[], T]) -> T:
        if self.running >= self.slots or self.waiting:
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.waiting.setdefault(key, deque()).append(turn)
            try:
                await turn  # the slot is handed over with the turn
            except asyncio.CancelledError:
                if not turn.done() or turn.cancelled():
                    self._forget(key, turn)
                    raise
                self._hand_over()  # cancelled just after being given the slot: pass it on
                raise
        else:
            self.running += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(_executor, job)
        finally:
            self._hand_over()

    def _hand_over(self) -> None:
        while self.waiting:
            key, turns = next(iter(self.waiting.items()))
            turn = turns.popleft()
            if turns:
                self.waiting.move_to_end(key)  # this key's next job waits for the others
            else:
                del self.waiting[key]
            if not turn.done():
                turn.set_result(None)  # the slot passes to it
                return
        self.running -= 1

    def _forget(self, key: str, turn: asyncio.Future[None]) -> None:
        turns = self.waiting.get(key)
        if turns and turn in turns:
            turns.remove(turn)
            if not turns:
                del self.waiting[key]


_turns_by_loop: dict[asyncio.AbstractEventLoop, FairTurns] = {}


def hashing_turns() -> FairTurns:
    """The running event loop's turns (tests run several loops, one after another)."""
    loop = asyncio.get_running_loop()
    turns = _turns_by_loop.get(loop)
    if turns is None:
        _turns_by_loop.clear()
        turns = _turns_by_loop[loop] = FairTurns(HASHING_THREADS)
    return turns


async def hash_password(password: str, client: str = "") -> str:
    return await hashing_turns().run(client, lambda: hash_sync(password))


async def verify_password(stored: str | None, password: str, client: str = "") -> Verdict:
    """Checks a password against its stored hash (None: no such user, same cost) off the
    event loop, in the turn of the client's address."""
    return await hashing_turns().run(client, lambda: verify_sync(stored, password))
