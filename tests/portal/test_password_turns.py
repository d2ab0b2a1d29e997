"""Password hashes wait in one queue per client address, served in turn: a burst from one
address does not hold up a sign-in from another (portal.passwords.FairTurns)."""

from __future__ import annotations

import asyncio
import threading

from portal.passwords import FairTurns


async def started_order(turns: FairTurns, jobs: list[tuple[str, str]]) -> list[str]:
    """The order the jobs start in when they arrive one after another while the first ones
    still hold the slots."""
    order: list[str] = []
    all_arrived = threading.Event()

    def job(name: str) -> str:
        order.append(name)
        all_arrived.wait(timeout=10)
        return name

    async def submit(key: str, name: str) -> str:
        return await turns.run(key, lambda: job(name))

    tasks = []
    for key, name in jobs:
        tasks.append(asyncio.create_task(submit(key, name)))
        await asyncio.sleep(0)  # each arrives after the one before
    await asyncio.sleep(0.01)
    all_arrived.set()
    assert await asyncio.gather(*tasks) == [name for _key, name in jobs]
    return order


def test_a_lone_address_goes_before_the_rest_of_a_burst():
    jobs = [("burst", f"b{n}") for n in range(1, 6)] + [("lone", "lone")]
    order = asyncio.run(started_order(FairTurns(slots=1), jobs))
    assert order.index("lone") == 2  # behind the running one and one turn of the burst
    assert [name for name in order if name != "lone"] == ["b1", "b2", "b3", "b4", "b5"]


def test_one_address_alone_is_served_first_come_first_served():
    jobs = [("same", f"j{n}") for n in range(6)]
    assert asyncio.run(started_order(FairTurns(slots=2), jobs)) == [f"j{n}" for n in range(6)]


def test_a_cancelled_wait_gives_its_place_up_and_the_slots_stay_counted():
    async def scenario() -> tuple[list[str], int]:
        turns = FairTurns(slots=1)
        release = asyncio.Event()
        order: list[str] = []

        async def blocker() -> None:
            loop = asyncio.get_running_loop()
            await turns.run("a", lambda: asyncio.run_coroutine_threadsafe(
                release.wait(), loop).result())

        running = asyncio.create_task(blocker())
        await asyncio.sleep(0.01)
        gone = asyncio.create_task(turns.run("b", lambda: order.append("gone")))
        kept = asyncio.create_task(turns.run("c", lambda: order.append("kept")))
        await asyncio.sleep(0.01)
        gone.cancel()
        release.set()
        await asyncio.gather(running, kept)
        assert gone.cancelled()
        return order, turns.running

    order, running = asyncio.run(scenario())
    assert order == ["kept"] and running == 0
