"""Two server processes on one database (as `portal serve --workers 2` runs them): a write
answered by one is seen by the next request, whichever worker answers it — each keeps its
caches in its own memory, keyed to the write generation the database holds."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx2
import pytest

from portal.settings import ROOT
from tests.support import PASSWORD, make_students, student_values

READS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def two_workers(tmp_path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "college.app:app", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "2", "--log-level", "warning",
        ],
        cwd=ROOT,
        env=os.environ | {"PORTAL_DB_POOL_MIN": "1", "PORTAL_DB_POOL_MAX": "2"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx2.get(base + "/healthz").status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()


def total_shown(client: httpx2.Client) -> str:
    """The list's "Showing 1–20 of N", each time on a new connection (any worker)."""
    response = client.get("/students/", headers={"Connection": "close"})
    assert response.status_code == 200, response.status_code
    return response.text.split('<p class="count">')[1].split("</p>")[0]


def test_a_write_on_one_worker_is_seen_on_every_worker(two_workers, people):
    make_students(3)
    with httpx2.Client(base_url=two_workers) as client:
        client.get("/login")
        form = {"username": "coord", "password": PASSWORD, "csrftoken": client.cookies["csrftoken"]}
        assert client.post("/login", data=form).status_code == 303
        before = {total_shown(client) for _ in range(READS)}  # both workers' caches warm
        assert len(before) == 1
        values = {k: str(v) for k, v in student_values(student_no="2026999999").items()}
        created = client.post(
            "/students/new",
            data=values | {"csrftoken": client.cookies["csrftoken"]},
            headers={"Connection": "close"},
        )
        assert created.status_code == 303
        after = {total_shown(client) for _ in range(READS)}
    assert len(after) == 1 and after != before
