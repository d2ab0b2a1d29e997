"""Sign-in under a burst: how long one person's sign-in waits while another address sends
many at once, with the production hash (argon2id, OWASP parameters).

    .venv/bin/python -m bench.signin [--burst 40] [--rounds 5]

Three figures per round, all measured in this run on this machine:
- floor: one password check alone (the hash's own cost);
- shared queue: the lone check started just after a burst of ``--burst`` checks from another
  address, all waiting in one first-come queue (how sign-ins were served before);
- turns: the same, with a queue per address served in turn (portal.passwords.FairTurns).
It prints the medians and their ratio to the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from portal import passwords

PASSWORD = "correct horse battery staple"


async def lone_check_after_burst(stored: str, burst: int, burst_key: str) -> float:
    """Seconds the lone check (address "lone") takes when ``burst`` checks from
    ``burst_key`` are queued just before it (the same key: one first-come queue)."""
    flood = [
        asyncio.create_task(passwords.verify_password(stored, "wrong password", burst_key))
        for _ in range(burst)
    ]
    await asyncio.sleep(0.005)  # the burst is in before the lone sign-in arrives
    started = time.perf_counter()
    verdict = await passwords.verify_password(stored, PASSWORD, "lone")
    took = time.perf_counter() - started
    assert verdict.matches
    await asyncio.gather(*flood)
    return took


async def measure(burst: int, rounds: int) -> dict[str, float]:
    stored = passwords.hash_sync(PASSWORD)
    floor, shared, turns = [], [], []
    for _ in range(rounds):
        started = time.perf_counter()
        await passwords.verify_password(stored, PASSWORD, "lone")
        floor.append(time.perf_counter() - started)
        # One key for everybody is one first-come queue: the way sign-ins were served before.
        shared.append(await lone_check_after_burst(stored, burst, "lone"))
        turns.append(await lone_check_after_burst(stored, burst, "burst"))
    return {
        "floor": statistics.median(floor),
        "shared queue": statistics.median(shared),
        "turns": statistics.median(turns),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.burst, args.rounds))
    floor = figures["floor"]
    print(
        f"hashing threads: {passwords.HASHING_THREADS}; burst: {args.burst}; "
        f"median of {args.rounds} rounds"
    )
    for name, seconds in figures.items():
        print(f"{name:>13}: {seconds * 1000:8.1f} ms  ({seconds / floor:5.1f} × floor)")


if __name__ == "__main__":
    main()
