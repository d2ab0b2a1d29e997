"""The documented deployment (deploy/): two server processes on two ports in front of one
database, as two hosts behind a proxy run them, and a `portal worker`. A session started on
one is valid on the other, a lockout earned on one holds on the other (both live in the
database), and a PDF batch started through one is made by the worker and downloaded through
the other."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx2
import pytest

from portal.settings import ROOT
from tests.conftest import uses_postgres
from tests.support import PASSWORD, make_student


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], log_path: Path, stack: ExitStack, **env: str) -> subprocess.Popen:
    log = stack.enter_context(log_path.open("wb"))
    process = subprocess.Popen(
        [sys.executable, "-m", "college.commands", *command],
        cwd=ROOT,
        env=os.environ | {"PORTAL_DB_POOL_MIN": "1", "PORTAL_DB_POOL_MAX": "2"} | env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def stop() -> None:
        process.terminate()
        process.wait(timeout=30)

    stack.callback(stop)
    return process


def start_server(log_path: Path, stack: ExitStack, **env: str) -> str:
    """`portal serve` on a port of its own, as a host of the deployment runs it."""
    port = free_port()
    server = start(["serve", "--port", str(port)], log_path, stack, **env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx2.get(base + "/readyz").status_code == 200:
                return base
        except httpx2.TransportError:
            pass
        assert server.poll() is None, log_path.read_text()
        assert time.monotonic() < deadline, f"{base} did not start:\n{log_path.read_text()}"
        time.sleep(0.2)


@pytest.fixture
def two_hosts(tmp_path) -> Iterator[tuple[str, str]]:
    """Host A and host B. Background jobs: on PostgreSQL a `portal worker` takes them; on
    SQLite (one machine only) host B's server runs them, as the README says."""
    with ExitStack() as stack:
        host_a = start_server(tmp_path / "host-a.log", stack)
        if uses_postgres():
            host_b = start_server(tmp_path / "host-b.log", stack)
            start(["worker"], tmp_path / "worker.log", stack)
        else:
            host_b = start_server(tmp_path / "host-b.log", stack, PORTAL_BATCH_RUNNER="on")
        yield host_a, host_b


def sign_in(client: httpx2.Client, username: str, password: str) -> httpx2.Response:
    client.get("/login")
    form = {"username": username, "password": password, "csrftoken": client.cookies["csrftoken"]}
    return client.post("/login", data=form)


def test_a_session_and_a_lockout_hold_on_both_hosts(two_hosts, people):
    host_a, host_b = two_hosts
    with httpx2.Client(base_url=host_a) as on_a, httpx2.Client(base_url=host_b) as on_b:
        assert sign_in(on_a, "coord", PASSWORD).status_code == 303
        on_b.cookies = on_a.cookies  # the proxy sends the next request to the other host
        assert on_b.get("/students/").status_code == 200
        token = on_b.cookies["csrftoken"]
        changed = on_b.post(
            "/account/password",
            data={"csrftoken": token, "current_password": "wrong", "new_password": "x"},
        )
        assert changed.status_code == 400  # the form was checked: the CSRF token held on B

    with httpx2.Client(base_url=host_a) as on_a, httpx2.Client(base_url=host_b) as on_b:
        for _ in range(5):
            assert sign_in(on_a, "partner_a", "wrong-password").status_code == 400
        assert sign_in(on_b, "partner_a", PASSWORD).status_code == 429


def test_a_batch_started_on_one_host_is_made_in_the_background_and_fetched_on_the_other(
    two_hosts, people
):
    host_a, host_b = two_hosts
    for name in ("张三", "李四"):
        make_student(class_name="部署测试班", name=name)
    with httpx2.Client(base_url=host_a) as on_a, httpx2.Client(base_url=host_b) as on_b:
        assert sign_in(on_a, "coord", PASSWORD).status_code == 303
        form = {"target": "class_name:部署测试班", "csrftoken": on_a.cookies["csrftoken"]}
        started = on_a.post("/records/batches/", data=form)
        assert started.status_code == 303
        batch_page = started.headers["location"]
        on_b.cookies = on_a.cookies
        deadline = time.monotonic() + 60
        while (progress := on_b.get(batch_page + "/progress").json())["status"] != "done":
            assert progress["status"] != "failed", progress
            assert time.monotonic() < deadline, progress
            time.sleep(0.3)
        download = on_b.get(batch_page + "/download")
    assert download.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
