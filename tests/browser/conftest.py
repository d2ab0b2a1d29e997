"""Browser tests: the real app served by uvicorn in a subprocess, driven by Playwright with
Debian's Chromium (/usr/bin/chromium, installed by `scripts/install --tests`; never
`playwright install`).

The server runs against this pytest worker's database (the DATABASE_URL tests/conftest.py
set) on a free port, so pytest-xdist workers each have their own. The database is emptied
before every test by tests/conftest.py: each test seeds what it needs first.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium"))
START_TIMEOUT = 30.0


def _unavailable(reason: str) -> None:
    """No browser: a failure on CI (the test must run there), a skip on a laptop."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run on CI: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]


def _wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited at start-up:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /healthz in {START_TIMEOUT} s:\n{server.log()}")


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    """uvicorn serving college.app:app for the tests of one module, with the batch runner
    polling often so a batch starts at once. Not for the whole session: its runner would
    claim the batches other modules' tests make in the same database."""
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_BATCH_RUNNER": "on",
        "PORTAL_BATCH_POLL_SECONDS": "0.2",
        "PORTAL_PDF_WORKERS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    log_dir = Path(os.environ.get("PORTAL_VAR_DIR", tempfile.gettempdir()))
    log_path = log_dir / f"browser-server-{port}.log"
    command = [
        sys.executable, "-m", "uvicorn", "college.app:app",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", "warning",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        # On PostgreSQL the server runs no jobs: a `portal worker` beside it makes the batches.
        worker = None
        if env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            worker_command = [sys.executable, "-m", "college.commands", "worker"]
            worker = subprocess.Popen(
                worker_command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _chromium_or_skip() -> None:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (scripts/install --tests installs Debian's chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")


@pytest.fixture
def new_page(live_server):
    """Opens pages in fresh browser contexts (own cookies); everything closed after the test.

    Playwright's sync API keeps an event loop running in this thread while it is started, and
    the database fixtures and factories use asyncio.run: so Chromium starts at the first
    page, once the test has seeded its data, and stops before the next test empties the
    database."""
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    state: dict = {}

    def open_page(**context_options):
        if "browser" not in state:
            state["playwright"] = sync_playwright().start()
            state["browser"] = state["playwright"].chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            )
        context = state["browser"].new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(15_000)
        return context.new_page()

    yield open_page
    if "browser" in state:
        state["browser"].close()
        state["playwright"].stop()
