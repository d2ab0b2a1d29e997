"""Password hashing: argon2id with the parameters OWASP's Password Storage Cheat Sheet accepts
(19 MiB of memory, 2 iterations, 1 lane), PBKDF2 hashes of older accounts still verified and
replaced by argon2id at their next sign-in.

A hash costs about 30 ms of one core. It runs on a small thread pool of its own (argon2's C
code releases the GIL), one thread per core: a burst of sign-ins queues there, at most
(sign-ins ÷ cores) × 30 ms, while pages keep being served on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypedDict

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
_executor = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="password")
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


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_executor, hash_sync, password)


async def verify_password(stored: str | None, password: str) -> Verdict:
    """Checks a password against its stored hash (None: no such user, same cost) off the
    event loop."""
    return await asyncio.get_running_loop().run_in_executor(
        _executor, verify_sync, stored, password
    )
