"""Record PDFs (成长档案): time per PDF over HTTP next to WeasyPrint rendering the same HTML
directly in this process (the floor, one core), and records per second under concurrent PDF
requests, in one run on a SQLite demo college.

    .venv/bin/python -m bench.pdf [--records 200] [--concurrency 8] [--sequential 10]

The HTML of the floor is the very document the server renders for the record: it is captured
in-process through the app, with the PDF step replaced by returning the HTML.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import seed
from bench.run import BenchError, Server, cookie_header, http_request, sign_in

ROOT = Path(__file__).resolve().parent.parent


def prepare(work_dir: Path) -> tuple[str, dict[str, str]]:
    """A demo college (200 students with projects, mentors, logs) and the bench account."""
    database_url = f"sqlite:///{work_dir / 'bench.sqlite'}"
    env = {"PORTAL_VAR_DIR": str(work_dir), "SECRET_KEY": secrets.token_urlsafe(32)}
    seed.migrate(database_url, env)
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "portal"), "seed-demo"],
        env=seed._subprocess_env(database_url, env), check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    seed.create_user(database_url, env)
    return database_url, env


def mentored_student_ids(database_url: str, count: int) -> list[int]:
    import sqlite3

    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        rows = connection.execute(
            "SELECT DISTINCT student FROM partners_mentor_assignment ORDER BY student LIMIT ?",
            (count,),
        ).fetchall()
    return [row[0] for row in rows]


def record_html(database_url: str, env: dict[str, str], student_id: int) -> str:
    """The HTML the server turns into the record's PDF, captured in-process."""
    os.environ.update(seed._subprocess_env(database_url, env))
    from starlette.testclient import TestClient

    import portal.views.records as records
    from portal.app import create_app

    async def html_instead_of_pdf(html: str) -> bytes:
        return html.encode()

    records.render_pdf = html_instead_of_pdf
    with TestClient(create_app()) as client:
        client.get("/login")
        client.post(
            "/login",
            data={"username": seed.BENCH_USERNAME, "password": seed.BENCH_PASSWORD,
                  "csrftoken": client.cookies["csrftoken"]},
        )  # fmt: skip
        response = client.get(f"/students/{student_id}/record.pdf")
        if response.status_code != 200:
            raise BenchError(f"record HTML answered {response.status_code}")
        return response.content.decode()


def fetch_pdf(server: Server, cookies: dict[str, str], student_id: int) -> float:
    started = time.perf_counter()
    status, headers, body = http_request(
        server.port, "GET", f"/students/{student_id}/record.pdf",
        headers={"Cookie": cookie_header(cookies)}, timeout=120,
    )  # fmt: skip
    if status != 200 or not body.startswith(b"%PDF"):
        raise BenchError(f"record.pdf of student {student_id} answered {status}")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200, help="PDFs in the concurrent batch")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--sequential", type=int, default=10, help="PDFs timed one by one")
    args = parser.parse_args(argv)
    work_dir = Path(tempfile.mkdtemp(prefix="portal-bench-pdf-"))
    try:
        print("preparing the demo college …", flush=True)
        database_url, env = prepare(work_dir)
        students = mentored_student_ids(database_url, args.records)
        html = record_html(database_url, env, students[0])

        from portal.pdf import html_to_pdf

        html_to_pdf(html)  # warm-up: fonts
        floor = []
        for _ in range(args.sequential):
            started = time.perf_counter()
            html_to_pdf(html)
            floor.append(time.perf_counter() - started)
        floor_ms = statistics.median(floor) * 1000

        server = Server("portal", "portal.app:app", seed._subprocess_env(database_url, env), 1,
                        work_dir)  # fmt: skip
        try:
            server.wait_ready()
            cookies = sign_in(server)
            fetch_pdf(server, cookies, students[0])  # warm-up: starts the PDF workers
            sequential = [fetch_pdf(server, cookies, students[0]) for _ in range(args.sequential)]
            http_ms = statistics.median(sequential) * 1000
            batch = [students[i % len(students)] for i in range(args.records)]
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as executor:
                list(executor.map(lambda s: fetch_pdf(server, cookies, s), batch))
            elapsed = time.perf_counter() - started
        finally:
            server.stop()
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)

    one_core_rate = 1000 / floor_ms
    rate = args.records / elapsed
    print(f"\nrecord PDF (student {students[0]}), {os.cpu_count()} cores")
    print(f"  floor: WeasyPrint on the same HTML, in-process   {floor_ms:8.1f} ms per PDF")
    print(f"  over HTTP, one at a time                          {http_ms:8.1f} ms per PDF"
          f"   ratio to floor {http_ms / floor_ms:.2f}")  # fmt: skip
    print(f"  over HTTP, {args.records} records, {args.concurrency} concurrent       "
          f"{rate:8.2f} PDFs/s   one core's floor rate {one_core_rate:.2f} PDFs/s"
          f"   ratio {rate / one_core_rate:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
