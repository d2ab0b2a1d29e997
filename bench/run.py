"""Measure signed-in pages against the floor, on SQLite and PostgreSQL, in one command.

    .venv/bin/python -m bench.run [--engine sqlite|postgres|both] [--duration 10]
                                  [--repeat-duration 5] [--viewers 32] [--connections 16]
                                  [--workers 1]

For each engine: a fresh database (a SQLite file in a temporary folder, or a new PostgreSQL
database dropped afterwards), the schema from the project's migrations, ``--students``
students with their partners, projects and accounts (bench/seed.py), and a coordinator
account made with the portal CLI. Then the portal and the floor (bench/floor_app.py) run
under uvicorn on loopback, and wrk, in its own process, measures each page of
``bench.pages.PAGES`` signed in: rotating over the page's walk of distinct URLs, requested
in turn by ``--viewers`` coordinators (the figure that counts), then one URL repeated by one
coordinator (for information), then the same walk on a second portal server whose page cache
is off (``PORTAL_PAGE_CACHE_MB=0``: every page rendered, only derived figures cached) — what a
page costs whenever a write has just invalidated it; the floor before and after. Each page's
requests/second is printed as a ratio to the floor's; results go to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, suppress
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import seed
from bench.pages import FLOOR, PAGES

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
WRK_SCRIPT = BENCH_DIR / "wrk_paths.lua"
HOST = "127.0.0.1"
DEFAULT_PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test"
SESSION_COOKIE = "portal_session"
CSRF_COOKIE = "csrftoken"
STARTUP_TIMEOUT_SECONDS = 60
CHECKED_PATHS = 12  # of each page's walk, spread over it, must answer 200 before and after
PAGE_LINK = re.compile(r"[?&;]page=(\d+)")


class BenchError(RuntimeError):
    """Something the benchmark cannot measure around: said loudly, and the run stops."""


@dataclass
class Measurement:
    """One wrk run: a page in one mode (rotating over ``paths`` distinct URLs as ``viewers``
    signed-in coordinators, or repeat: one URL, one viewer)."""

    name: str
    mode: str
    path: str
    paths: int
    viewers: int
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    bytes_per_request: float
    errors: dict[str, int]
    ratio_to_floor: float | None = None


@dataclass
class PageResult:
    name: str
    rotating: Measurement
    repeat: Measurement | None
    uncached: Measurement | None = None  # the walk with the page cache off


@dataclass
class EngineResult:
    engine: str
    database: str
    students: int
    floor_before: Measurement | None = None
    floor_after: Measurement | None = None
    floor_requests_per_second: float = 0.0
    pages: list[PageResult] = field(default_factory=list)
    seconds_to_prepare: float = 0.0
    loadavg_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    loadavg_after: tuple[float, float, float] = (0.0, 0.0, 0.0)


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """A uvicorn process (its own process group), stopped for sure by ``stop``."""

    def __init__(self, name: str, app: str, env: dict[str, str], workers: int, log_dir: Path):
        self.name = name
        self.port = free_port()
        self.log_path = log_dir / f"{name}.log"
        command = [
            sys.executable, "-m", "uvicorn", app,
            "--host", HOST, "--port", str(self.port),
            "--workers", str(workers), "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait_ready(self, path: str = "/healthz") -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"{self.name} exited with {self.process.returncode} while starting:\n"
                    f"{self.log_tail()}"
                )
            try:
                status, _, _ = http_request(self.port, "GET", path, timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(
            f"{self.name} did not answer 200 on {path} within {STARTUP_TIMEOUT_SECONDS} s:\n"
            f"{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


# --- HTTP: sign-in and checks -------------------------------------------------------------


def http_request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 30,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def cookies_from(headers: http.client.HTTPMessage) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for header in headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        cookies.update({name: morsel.value for name, morsel in parsed.items()})
    return cookies


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def sign_in(
    server: Server, username: str = seed.BENCH_USERNAME, password: str = seed.BENCH_PASSWORD
) -> dict[str, str]:
    """Sign in the way a browser does (the bench coordinator unless told); returns the
    cookies to send: the session, and the CSRF token the portal ties to it."""
    status, headers, body = http_request(server.port, "GET", "/login")
    if status != 200:
        raise BenchError(f"GET /login answered {status}:\n{body[:500]!r}\n{server.log_tail()}")
    cookies = cookies_from(headers)
    if CSRF_COOKIE not in cookies:
        raise BenchError(f"GET /login set no {CSRF_COOKIE} cookie (got {sorted(cookies)})")
    form = {"username": username, "password": password, CSRF_COOKIE: cookies[CSRF_COOKIE]}
    status, headers, body = http_request(
        server.port,
        "POST",
        "/login",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie_header(cookies),
            "Origin": server.base_url,
            "Referer": f"{server.base_url}/login",
        },
        body=urlencode(form).encode(),
    )
    cookies.update(cookies_from(headers))
    if status != 303 or SESSION_COOKIE not in cookies:
        raise BenchError(
            f"POST /login answered {status} with cookies {sorted(cookies)}, expected 303 and "
            f"{SESSION_COOKIE}:\n{body[:1000].decode(errors='replace')}\n{server.log_tail()}"
        )
    return {CSRF_COOKIE: cookies[CSRF_COOKIE], SESSION_COOKIE: cookies[SESSION_COOKIE]}


def get_page(server: Server, path: str, cookies: dict[str, str] | None) -> bytes:
    """The body of a page that must answer 200 (not a redirect to /login, not an error)."""
    headers = {"Cookie": cookie_header(cookies)} if cookies else {}
    status, response_headers, body = http_request(server.port, "GET", path, headers=headers)
    if status != 200:
        location = response_headers.get("Location", "")
        raise BenchError(
            f"{path} on {server.name} answered {status}"
            f"{f' -> {location}' if location else ''}, expected 200:\n"
            f"{body[:1000].decode(errors='replace')}\n{server.log_tail()}"
        )
    return body


def check_paths(server: Server, page: str, paths: list[str], cookies: dict[str, str] | None) -> int:
    """A sample of a walk, spread over it (first and last included), must answer 200;
    returns the smallest body of the sample, in bytes."""
    sizes = []
    for path in dict.fromkeys([*seed.spread(paths, CHECKED_PATHS), paths[-1]]):
        try:
            sizes.append(len(get_page(server, path, cookies)))
        except BenchError as error:
            raise BenchError(f"page {page!r}: {error}") from error
    return min(sizes)


def check_sizes(measurement: Measurement, smallest_page: int) -> None:
    """wrk counts only 4xx and 5xx as errors: responses much smaller than the smallest page
    of the sample were redirects (to /login) or empty answers, not the page."""
    if measurement.bytes_per_request < smallest_page / 2:
        raise BenchError(
            f"{measurement.name} ({measurement.mode}): wrk's responses averaged "
            f"{measurement.bytes_per_request:.0f} bytes, the page's are at least {smallest_page}: "
            "were they redirects?"
        )


# --- what the walks are built from ----------------------------------------------------------


class Catalog:
    """Ids in the seeded database and page counts of the running portal's lists, for the
    pages' walks (bench.pages.Catalog)."""

    def __init__(self, database_url: str, server: Server, cookies: dict[str, str]) -> None:
        self.database_url = database_url
        self.server = server
        self.cookies = cookies

    def ids(self, sql: str) -> list[int]:
        return [row[0] for row in seed.query(self.database_url, sql)]

    def every_page(self, path: str, params: dict[str, str] | None = None) -> list[str]:
        """Page 1 is fetched; its pagination links name the last page."""
        first = f"{path}?{urlencode(params)}" if params else path
        html = get_page(self.server, first, self.cookies).decode(errors="replace")
        last = max((int(number) for number in PAGE_LINK.findall(html)), default=1)
        return [f"{path}?{urlencode({**(params or {}), 'page': n})}" for n in range(1, last + 1)]


# --- wrk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Walk:
    """What one measurement asks for: a server, the paths in order, and who asks — one
    session's cookies per viewer (none for the floor)."""

    server: Server
    paths: list[str]
    viewers: list[dict[str, str]]

    @property
    def length(self) -> int:
        """Requests until a (viewer, path) pair comes again."""
        return len(self.paths) * max(1, len(self.viewers))


def run_wrk(
    walk: Walk, files: list[Path], *, start: int, seconds: float, args: argparse.Namespace
) -> dict[str, Any]:
    """One wrk run over the walk (its paths file, then its cookies file if it has viewers)
    from request ``start`` on; its report."""
    command = [
        "wrk", f"--threads={args.threads}", f"--connections={args.connections}",
        f"--duration={max(1, round(seconds))}s", "--timeout=10s", f"--script={WRK_SCRIPT}",
        walk.server.base_url, "--", str(files[0]), str(start), str(args.threads),
        *map(str, files[1:]),
    ]  # fmt: skip
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    raise BenchError(
        f"wrk printed no result (exit {completed.returncode}):\n{completed.stdout}\n"
        f"{completed.stderr}"
    )


def measure(
    walk: Walk, name: str, mode: str, seconds: float, args: argparse.Namespace, work_dir: Path
) -> Measurement:
    """Warm up, then measure, along the walk; the measured run starts where the warm-up
    stopped, so it does not go again over the pairs the warm-up has just cached."""
    slug = re.sub(r"\W+", "-", name)
    files = [work_dir / f"paths-{slug}-{mode}.txt"]
    files[0].write_text("\n".join(walk.paths) + "\n")
    if walk.viewers:
        files.append(work_dir / f"cookies-{slug}-{mode}.txt")
        files[1].write_text("\n".join(cookie_header(c) for c in walk.viewers) + "\n")
    start = 0
    if args.warmup > 0:
        warmup = run_wrk(walk, files, start=0, seconds=args.warmup, args=args)
        start = warmup["requests"] % walk.length
    raw = run_wrk(walk, files, start=start, seconds=seconds, args=args)
    elapsed = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    result = Measurement(
        name=name,
        mode=mode,
        path=walk.paths[0],
        paths=len(walk.paths),
        viewers=len(walk.viewers),
        requests=raw["requests"],
        seconds=round(elapsed, 3),
        requests_per_second=round(raw["requests"] / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(latency["p50"] / 1000, 2),
        p90_ms=round(latency["p90"] / 1000, 2),
        p99_ms=round(latency["p99"] / 1000, 2),
        max_ms=round(latency["max"] / 1000, 2),
        bytes_per_request=round(raw["bytes"] / raw["requests"], 1) if raw["requests"] else 0.0,
        errors={kind: count for kind, count in raw["errors"].items() if count},
    )
    print(
        f"  {result.name:<20} {mode:<8} {result.paths:>5} paths × {result.viewers:>2} viewers "
        f"{result.requests_per_second:>9.1f} req/s  "
        f"p50 {result.p50_ms:>7.2f} ms  p99 {result.p99_ms:>7.2f} ms"
        + (f"  errors {result.errors}" if result.errors else ""),
        flush=True,
    )
    return result


# --- one engine ---------------------------------------------------------------------------


@dataclass
class Prepared:
    """A seeded database, ready to serve: its URL, a label for the report, the folder for
    logs and files, and the environment the servers run with."""

    engine: str
    database_url: str
    label: str
    work_dir: Path
    server_env: dict[str, str]
    seconds: float


def postgres_url(admin_url: str, database: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{database}"


def prepare(engine: str, args: argparse.Namespace, run_id: str, cleanup: ExitStack) -> Prepared:
    """A fresh database for ``engine`` (removed by ``cleanup`` unless ``args.keep``): schema,
    ``args.students`` students and everything bench/seed.py adds, and the bench account."""
    print(f"\n== {engine}: preparing {args.students} students", flush=True)
    started = time.perf_counter()
    work_dir = Path(tempfile.mkdtemp(prefix=f"portal-bench-{engine}-"))
    if not args.keep:
        cleanup.callback(shutil.rmtree, work_dir, ignore_errors=True)
    if engine == "sqlite":
        database_url = f"sqlite:///{work_dir / 'bench.sqlite'}"
        label = str(work_dir / "bench.sqlite")
    else:
        label = f"portal_bench_{run_id}"
        asyncio.run(seed.create_postgres_database(args.pg_admin_url, label))
        if not args.keep:
            cleanup.callback(
                lambda: asyncio.run(seed.drop_postgres_database(args.pg_admin_url, label))
            )
        database_url = postgres_url(args.pg_admin_url, label)
    env = {
        # Keep the portal's generated files (secret key, SQLite default) out of the tree.
        "PORTAL_VAR_DIR": str(work_dir),
        "SECRET_KEY": secrets.token_urlsafe(32),
    }
    seed.migrate(database_url, env)
    seed.seed(database_url, args.students, env)
    seed.create_user(database_url, env)
    seconds = round(time.perf_counter() - started, 1)
    print(f"   ready in {seconds} s ({label})", flush=True)
    return Prepared(
        engine, database_url, label, work_dir, seed._subprocess_env(database_url, env), seconds
    )


def serve(
    name: str,
    app: str,
    prepared: Prepared,
    workers: int,
    cleanup: ExitStack,
    env: dict[str, str] | None = None,
) -> Server:
    """A uvicorn server of ``app`` on the prepared database, answering, stopped by cleanup."""
    server = Server(name, app, {**prepared.server_env, **(env or {})}, workers, prepared.work_dir)
    cleanup.callback(server.stop)
    server.wait_ready()
    return server


def walks(catalog: Catalog) -> dict[str, list[str]]:
    """Each page's walk, built before anything is measured."""
    result = {}
    for page in PAGES:
        paths = page.walk(catalog)
        if not paths:
            raise BenchError(f"page {page.name!r} has nothing to walk: is the database seeded?")
        result[page.name] = paths
    return result


def run_engine(engine: str, args: argparse.Namespace, run_id: str) -> EngineResult:
    """Prepare a fresh database for ``engine``, serve the portal and the floor, measure."""
    with ExitStack() as cleanup:
        prepared = prepare(engine, args, run_id, cleanup)
        result = EngineResult(engine=engine, database=prepared.label, students=args.students)
        result.seconds_to_prepare = prepared.seconds
        floor = serve("floor", "bench.floor_app:app", prepared, args.workers, cleanup)
        portal = serve("portal", "college.app:app", prepared, args.workers, cleanup)
        uncached = None
        if args.uncached_duration > 0:
            no_pages = {"PORTAL_PAGE_CACHE_MB": "0"}
            uncached = serve(
                "portal-uncached", "college.app:app", prepared, args.workers, cleanup, no_pages
            )
        cookies = sign_in(portal)
        paths = walks(Catalog(prepared.database_url, portal, cookies))
        for page in PAGES:  # fail before measuring anything if a path does not answer 200
            check_paths(portal, page.name, [page.path, *paths[page.name]], cookies)
        viewers = [
            sign_in(portal, f"load-coordinator-{number:02d}", seed.LOAD_PASSWORD)
            for number in range(1, args.viewers + 1)
        ]
        print(
            f"   measuring: {args.duration:g} s rotating ({args.viewers} viewers) and "
            f"{args.repeat_duration:g} s repeat per page, each after {args.warmup:g} s warm-up, "
            f"{args.connections} connections, {args.workers} worker(s); "
            f"load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        result.loadavg_before = os.getloadavg()
        servers = Servers(floor, portal, uncached)
        measure_pages(result, servers, paths, cookies, viewers, args, prepared.work_dir)
        result.loadavg_after = os.getloadavg()
        set_ratios(result)
        return result


@dataclass(frozen=True)
class Servers:
    """The floor, the portal, and the portal with its page cache off (sessions live in the
    database: the viewers' cookies work on both portals)."""

    floor: Server
    portal: Server
    uncached: Server | None


def measure_pages(
    result: EngineResult,
    servers: Servers,
    paths: dict[str, list[str]],
    cookies: dict[str, str],
    viewers: list[dict[str, str]],
    args: argparse.Namespace,
    work_dir: Path,
) -> None:
    """The floor, each page rotating (its walk, as the viewers), repeat (its one path, as the
    bench coordinator) and rotating with the page cache off, the floor again; each page's
    sample checked again afterwards."""
    floor, portal = servers.floor, servers.portal
    floor_walk = Walk(floor, [FLOOR.path], [])
    result.floor_before = measure(floor_walk, "floor", "before", args.duration, args, work_dir)
    for page in PAGES:
        walk = Walk(portal, paths[page.name], viewers)
        rotating = measure(walk, page.name, "rotating", args.duration, args, work_dir)
        repeat = None
        if args.repeat_duration > 0:
            one_url = Walk(portal, [page.path], [cookies])
            repeat = measure(one_url, page.name, "repeat", args.repeat_duration, args, work_dir)
        uncached = None
        if servers.uncached is not None:
            cold_walk = Walk(servers.uncached, paths[page.name], viewers)
            uncached = measure(
                cold_walk, page.name, "no page cache", args.uncached_duration, args, work_dir
            )
        smallest = check_paths(portal, page.name, [page.path, *paths[page.name]], cookies)
        measured = [m for m in (rotating, repeat, uncached) if m is not None]
        for measurement in measured:
            check_sizes(measurement, smallest)
        result.pages.append(PageResult(page.name, rotating, repeat, uncached))
    result.floor_after = measure(floor_walk, "floor", "after", args.duration, args, work_dir)


def set_ratios(result: EngineResult) -> None:
    """Ratios to the floor: the mean of the floor measured before and after the pages."""
    assert result.floor_before and result.floor_after
    floor_rate = (
        result.floor_before.requests_per_second + result.floor_after.requests_per_second
    ) / 2
    result.floor_requests_per_second = round(floor_rate, 1)
    if not floor_rate:
        return
    measurements = [result.floor_before, result.floor_after]
    for page in result.pages:
        measurements += [m for m in (page.rotating, page.repeat, page.uncached) if m is not None]
    for measurement in measurements:
        measurement.ratio_to_floor = round(measurement.requests_per_second / floor_rate, 3)


# --- report -------------------------------------------------------------------------------


def format_table(result: EngineResult, args: argparse.Namespace) -> str:
    assert result.floor_before and result.floor_after
    load_before, load_after = result.loadavg_before[0], result.loadavg_after[0]
    title = (
        f"{result.engine} — {result.students:,} students, {args.connections} connections, "
        f"{args.duration:g} s rotating as {args.viewers} viewers + {args.repeat_duration:g} s "
        "repeat per page, "
        f"{args.workers} worker(s); floor {result.floor_requests_per_second:.1f} req/s "
        f"(before {result.floor_before.requests_per_second:.1f}, "
        f"after {result.floor_after.requests_per_second:.1f}); "
        f"load average {load_before:.2f} → {load_after:.2f}"
    )
    header = (
        "page", "paths", "passes", "rotating req/s", "p50 ms", "p99 ms", "ratio",
        "repeat req/s", "ratio", "no page cache req/s", "p50 ms", "ratio", "errors",
    )  # fmt: skip
    rows = [header]
    for page in result.pages:
        rotating, repeat, uncached = page.rotating, page.repeat, page.uncached
        errors = {
            **rotating.errors,
            **{f"repeat {k}": v for k, v in (repeat.errors if repeat else {}).items()},
            **{f"uncached {k}": v for k, v in (uncached.errors if uncached else {}).items()},
        }
        rows.append(
            (
                page.name,
                str(rotating.paths),
                f"{rotating.requests / rotating.paths:.2f}",
                f"{rotating.requests_per_second:.1f}",
                f"{rotating.p50_ms:.2f}",
                f"{rotating.p99_ms:.2f}",
                f"{rotating.ratio_to_floor:.3f}",
                f"{repeat.requests_per_second:.1f}" if repeat else "-",
                f"{repeat.ratio_to_floor:.3f}" if repeat else "-",
                f"{uncached.requests_per_second:.1f}" if uncached else "-",
                f"{uncached.p50_ms:.2f}" if uncached else "-",
                f"{uncached.ratio_to_floor:.3f}" if uncached else "-",
                ", ".join(f"{k} {v}" for k, v in errors.items()) or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [title]
    for index, row in enumerate(rows):
        cells = [
            c.ljust(w) if i in (0, len(header) - 1) else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def environment_facts(args: argparse.Namespace) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
        "loadavg_before": os.getloadavg(),
    }
    with suppress(OSError, IndexError):
        facts["wrk"] = subprocess.run(
            ["wrk", "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.splitlines()[0]
    try:
        facts["git_commit"] = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10,
            check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        facts["git_commit"] = None
    if "postgres" in engines_of(args):
        facts["postgres"] = asyncio.run(postgres_version(args.pg_admin_url))
    return facts


async def postgres_version(admin_url: str) -> str:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


def engines_of(args: argparse.Namespace) -> list[str]:
    return ["sqlite", "postgres"] if args.engine == "both" else [args.engine]


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """The options bench.run and bench.load share: engine, size, servers, where PostgreSQL is."""
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per server")
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("BENCH_PG_ADMIN_URL", DEFAULT_PG_ADMIN_URL),
        help="an existing PostgreSQL database to run CREATE/DROP DATABASE from",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases and logs (paths are printed)"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    add_database_arguments(parser)
    parser.add_argument(
        "--duration", type=float, default=10, help="seconds measured per page, rotating"
    )
    parser.add_argument(
        "--repeat-duration",
        type=float,
        default=5,
        help="seconds measured per page on one URL (0: no repeat column)",
    )
    parser.add_argument(
        "--uncached-duration",
        type=float,
        default=5,
        help="seconds measured per page rotating with the page cache off (0: no such column)",
    )
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured load first")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk's threads")
    parser.add_argument(
        "--viewers",
        type=int,
        default=seed.LOAD_ACCOUNTS_PER_ROLE,
        help="coordinators (seeded accounts) the rotating walks are requested as, in turn",
    )
    args = parser.parse_args(argv)
    if args.threads > args.connections:
        parser.error("--threads must not exceed --connections")
    if not 1 <= args.duration <= 600 or not 0 <= args.warmup <= 60:
        parser.error("--duration must be 1..600 s and --warmup 0..60 s")
    if not 1 <= args.viewers <= seed.LOAD_ACCOUNTS_PER_ROLE:
        parser.error(f"--viewers must be 1..{seed.LOAD_ACCOUNTS_PER_ROLE} (the seeded accounts)")
    if args.repeat_duration and not 1 <= args.repeat_duration <= 600:
        parser.error("--repeat-duration must be 0 or 1..600 s")
    if args.uncached_duration and not 1 <= args.uncached_duration <= 600:
        parser.error("--uncached-duration must be 0 or 1..600 s")
    return args


def run_id_now() -> str:
    return dt.datetime.now().strftime("%Y%m%d_%H%M%S") + f"_{os.getpid()}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: run scripts/install-bench-tools", file=sys.stderr)
        return 2
    run_id = run_id_now()
    facts: dict[str, Any] = {}
    results: list[EngineResult] = []
    path = RESULTS_DIR / f"bench-{run_id}.json"
    try:
        facts = environment_facts(args)
        for engine in engines_of(args):
            results.append(run_engine(engine, args, run_id))
    except (RuntimeError, OSError) as error:
        # BenchError; a failed migration, seeding or create-user; PostgreSQL not reachable.
        print(f"\nbench failed: {error}", file=sys.stderr)
        return 1
    finally:
        if results:
            RESULTS_DIR.mkdir(exist_ok=True)
            document = {
                "run_id": run_id,
                "arguments": vars(args),
                "environment": facts,
                "results": [asdict(result) for result in results],
            }
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    for result in results:
        print("\n" + format_table(result, args))
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
