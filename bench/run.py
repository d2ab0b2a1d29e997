"""Measure signed-in pages against the floor, on SQLite and PostgreSQL, in one command.

    .venv/bin/python -m bench.run [--engine sqlite|postgres|both] [--duration 10]
                                  [--connections 16] [--students 20000] [--workers 1]

For each engine: a fresh database (a SQLite file in a temporary folder, or a new PostgreSQL
database dropped afterwards), the schema from the project's migrations, ``--students``
students, and a coordinator account made with the portal CLI. Then the portal and the floor
(bench/floor_app.py) run under uvicorn on loopback, and wrk, in its own process, measures each
page of ``bench.pages.PAGES`` signed in, and the floor, in the same run. Each page's
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
from bench.pages import FLOOR, PAGES, Page

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"
HOST = "127.0.0.1"
DEFAULT_PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test"
SESSION_COOKIE = "portal_session"
CSRF_COOKIE = "csrftoken"
STARTUP_TIMEOUT_SECONDS = 60


class BenchError(RuntimeError):
    """Something the benchmark cannot measure around: said loudly, and the run stops."""


@dataclass
class Measurement:
    name: str
    path: str
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]
    ratio_to_floor: float | None = None


@dataclass
class EngineResult:
    engine: str
    database: str
    students: int
    floor: Measurement | None = None
    pages: list[Measurement] = field(default_factory=list)
    seconds_to_prepare: float = 0.0


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


def sign_in(server: Server) -> dict[str, str]:
    """Sign in as the bench coordinator the way a browser does; returns the cookies to send."""
    status, headers, body = http_request(server.port, "GET", "/login")
    if status != 200:
        raise BenchError(f"GET /login answered {status}:\n{body[:500]!r}\n{server.log_tail()}")
    cookies = cookies_from(headers)
    if CSRF_COOKIE not in cookies:
        raise BenchError(f"GET /login set no {CSRF_COOKIE} cookie (got {sorted(cookies)})")
    form = {
        "username": seed.BENCH_USERNAME,
        "password": seed.BENCH_PASSWORD,
        CSRF_COOKIE: cookies[CSRF_COOKIE],
    }
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


def check_page(server: Server, page: Page, cookies: dict[str, str] | None) -> int:
    """A page must answer 200 (not a redirect to /login) before and after it is measured."""
    headers = {"Cookie": cookie_header(cookies)} if cookies else {}
    status, response_headers, body = http_request(server.port, "GET", page.path, headers=headers)
    if status != 200:
        location = response_headers.get("Location", "")
        raise BenchError(
            f"{page.name} ({page.path}) on {server.name} answered {status}"
            f"{f' -> {location}' if location else ''}, expected 200:\n"
            f"{body[:1000].decode(errors='replace')}\n{server.log_tail()}"
        )
    return len(body)


# --- wrk ----------------------------------------------------------------------------------


def run_wrk(
    url: str, *, seconds: float, connections: int, threads: int, cookies: dict[str, str] | None
) -> dict[str, Any]:
    command = [
        "wrk", f"--threads={threads}", f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s", "--timeout=10s", f"--script={WRK_SCRIPT}",
    ]  # fmt: skip
    if cookies:
        command += ["--header", f"Cookie: {cookie_header(cookies)}"]
    command.append(url)
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
    server: Server, page: Page, cookies: dict[str, str] | None, args: argparse.Namespace
) -> Measurement:
    check_page(server, page, cookies)
    url = server.base_url + page.path
    options = {"connections": args.connections, "threads": args.threads, "cookies": cookies}
    if args.warmup > 0:
        run_wrk(url, seconds=args.warmup, **options)
    raw = run_wrk(url, seconds=args.duration, **options)
    check_page(server, page, cookies)
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    result = Measurement(
        name=page.name,
        path=page.path,
        requests=raw["requests"],
        seconds=round(seconds, 3),
        requests_per_second=round(raw["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=round(latency["p50"] / 1000, 2),
        p90_ms=round(latency["p90"] / 1000, 2),
        p99_ms=round(latency["p99"] / 1000, 2),
        max_ms=round(latency["max"] / 1000, 2),
        errors={kind: count for kind, count in raw["errors"].items() if count},
    )
    print(
        f"  {result.name:<24} {result.requests_per_second:>9.1f} req/s  "
        f"p50 {result.p50_ms:>7.2f} ms  p99 {result.p99_ms:>7.2f} ms"
        + (f"  errors {result.errors}" if result.errors else ""),
        flush=True,
    )
    return result


# --- one engine ---------------------------------------------------------------------------


def postgres_url(admin_url: str, database: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{database}"


def run_engine(engine: str, args: argparse.Namespace, run_id: str) -> EngineResult:
    """Prepare a fresh database for ``engine``, serve the portal and the floor, measure."""
    print(f"\n== {engine}: preparing {args.students} students", flush=True)
    started = time.perf_counter()
    with ExitStack() as cleanup:
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
        result = EngineResult(engine=engine, database=label, students=args.students)
        result.seconds_to_prepare = round(time.perf_counter() - started, 1)
        print(f"   ready in {result.seconds_to_prepare} s ({label})", flush=True)

        server_env = seed._subprocess_env(database_url, env)
        floor = Server("floor", "bench.floor_app:app", server_env, args.workers, work_dir)
        cleanup.callback(floor.stop)
        portal = Server("portal", "portal.app:app", server_env, args.workers, work_dir)
        cleanup.callback(portal.stop)
        floor.wait_ready()
        portal.wait_ready()
        cookies = sign_in(portal)
        for page in PAGES:  # fail before measuring anything if a page does not answer 200
            check_page(portal, page, cookies)

        print(
            f"   measuring: {args.duration:g} s per page after {args.warmup:g} s warm-up, "
            f"{args.connections} connections, {args.workers} worker(s)",
            flush=True,
        )
        result.floor = measure(floor, FLOOR, None, args)
        for page in PAGES:
            result.pages.append(measure(portal, page, cookies, args))
        for measurement in [result.floor, *result.pages]:
            if result.floor.requests_per_second:
                measurement.ratio_to_floor = round(
                    measurement.requests_per_second / result.floor.requests_per_second, 3
                )
        return result


# --- report -------------------------------------------------------------------------------


def format_table(result: EngineResult, args: argparse.Namespace) -> str:
    title = (
        f"{result.engine} — {result.students:,} students, {args.connections} connections, "
        f"{args.duration:g} s per page, {args.workers} worker(s)"
    )
    rows = [("page", "path", "req/s", "p50 ms", "p99 ms", "ratio", "errors")]
    for m in [result.floor, *result.pages]:
        assert m is not None
        rows.append(
            (
                m.name,
                m.path,
                f"{m.requests_per_second:.1f}",
                f"{m.p50_ms:.2f}",
                f"{m.p99_ms:.2f}",
                f"{m.ratio_to_floor:.3f}" if m.ratio_to_floor is not None else "-",
                ", ".join(f"{k} {v}" for k, v in m.errors.items()) or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {2, 3, 4, 5}
    lines = [title]
    for index, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per page")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured load first")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk's threads")
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers, portal and floor")
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("BENCH_PG_ADMIN_URL", DEFAULT_PG_ADMIN_URL),
        help="an existing PostgreSQL database to run CREATE/DROP DATABASE from",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases and logs (paths are printed)"
    )
    args = parser.parse_args(argv)
    if args.threads > args.connections:
        parser.error("--threads must not exceed --connections")
    if not 1 <= args.duration <= 600 or not 0 <= args.warmup <= 60:
        parser.error("--duration must be 1..600 s and --warmup 0..60 s")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: run scripts/install-bench-tools", file=sys.stderr)
        return 2
    run_id = dt.datetime.now().strftime("%Y%m%d_%H%M%S") + f"_{os.getpid()}"
    facts: dict[str, Any] = {}
    results: list[EngineResult] = []
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
            path = RESULTS_DIR / f"bench-{run_id}.json"
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
