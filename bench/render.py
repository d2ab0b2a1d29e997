"""Render cost of signed-in pages in-process, page cache off, against the floor measured in
the same run: what each page costs whenever a write has just invalidated it, with no server,
network or load generator in the figure.

    .venv/bin/python -m bench.render [--requests 60] [--rounds 2] [--database FILE]

1. A SQLite database (``--database``, built and seeded with the demo college when missing:
   ``portal migrate`` and ``portal seed-demo``), served with ``PORTAL_PAGE_CACHE_MB=0``.
2. The portal app and the floor (bench/floor_app.py: the same stack rendering 12 rows from
   one raw query) each get requests through httpx's ASGI transport, in the same process and
   event loop, signed in as the demo coordinator.
3. For each page: 5 warm-up requests, then ``--requests`` timed ones; the median in ms, and
   the ratio to the floor's median of the same round. Rounds interleave portal and floor so
   a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

PAGES = (
    "/",
    "/students/",
    "/students/1",
    "/students/1/record",
    "/enterprises/",
    "/organizations/1",
    "/organizations/1/seats",
    "/projects/",
    "/projects/1",
    "/mentors/",
    "/mentorships/",
    "/talent-pool/",
    "/talent-pool/due",
    "/weekly-reviews/",
    "/weekly-reviews/completion",
    "/filings/",
    "/audit/",
)
WARM_UP = 5
DEMO_PASSWORD = "demo-pass-2026"


def prepare(database: Path) -> None:
    """The demo college in `database`, made once by the portal's own commands."""
    if database.exists():
        return
    portal = [str(Path(sys.executable).with_name("portal"))]
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run(portal + command, check=True, capture_output=True)


async def median_ms(client: httpx.AsyncClient, path: str, requests: int) -> float:
    for _ in range(WARM_UP):
        await client.get(path)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.get(path)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return statistics.median(times) * 1000


async def signed_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert token is not None, "no CSRF token on the sign-in page"
    answer = await client.post(
        "/login", data={"username": "admin", "password": DEMO_PASSWORD, "csrftoken": token[1]}
    )
    if answer.status_code != 303:
        raise SystemExit(f"signing in as the demo coordinator failed: {answer.status_code}")


async def measure(requests: int, rounds: int) -> None:
    from bench.floor_app import app as floor_app
    from college.app import create_app

    portal_app = create_app()
    async with (
        portal_app.router.lifespan_context(portal_app),
        floor_app.router.lifespan_context(floor_app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=portal_app), base_url="http://testserver"
        ) as portal,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=floor_app), base_url="http://testserver"
        ) as floor,
    ):
        await signed_in(portal)
        results: dict[str, list[tuple[float, float]]] = {path: [] for path in PAGES}
        for _ in range(rounds):
            for path in PAGES:
                floor_ms = await median_ms(floor, "/", requests)
                results[path].append((await median_ms(portal, path, requests), floor_ms))
    print(f"{'page':26s} {'ms (median per round)':>24s}  {'× floor':>10s}")
    for path, figures in results.items():
        ms = ", ".join(f"{page:.2f}" for page, _ in figures)
        ratios = ", ".join(f"{page / floor:.1f}" for page, floor in figures)
        print(f"{path:26s} {ms:>24s}  {ratios:>10s}")
    floors = [floor for figures in results.values() for _, floor in figures]
    print(f"{'floor (bench/floor_app.py)':26s} {statistics.median(floors):>24.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database", type=Path, default=Path("var/bench-render.sqlite"))
    args = parser.parse_args()
    database = args.database.resolve()
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["PORTAL_PAGE_CACHE_MB"] = "0"
    os.environ.setdefault("PORTAL_BATCH_RUNNER", "off")
    database.parent.mkdir(parents=True, exist_ok=True)
    prepare(database)
    asyncio.run(measure(args.requests, args.rounds))


if __name__ == "__main__":
    main()
