"""Background jobs (后台任务): `portal worker` takes the PDF batches from the queue on
PostgreSQL; a worker killed mid-job leaves no half-written ZIP, and another worker makes the
batch again, whole. On SQLite no worker is needed."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from contextlib import redirect_stdout
from pathlib import Path

import pytest

import college.batches as batches
from college.batches import queue_batch
from college.commands import build_parser, main
from college.jobs.queue import retry_stalled_jobs
from portal.audit import Actor
from portal.settings import ROOT
from portal.tables import PdfBatch, Student
from tests.conftest import uses_postgres
from tests.portal.batch_support import batch_row, queued_jobs
from tests.support import make_enterprise, make_mentor, make_mentorship, make_student, run

CLASS = "机电一体化2401班"
STALLED_SECONDS = 3  # a killed worker is taken for dead after this long (test setting)

needs_postgres = pytest.mark.skipif(not uses_postgres(), reason="the job queue is PostgreSQL's")


def test_the_worker_command_is_documented():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    assert "worker" in commands.choices
    help_text = commands.choices["worker"].format_help()
    assert "--concurrency" in help_text and "PostgreSQL" in help_text and "SQLite" in help_text


def test_on_sqlite_the_worker_says_it_is_not_needed(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'portal.sqlite'}")
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["worker"]) == 0
    assert "not needed on SQLite" in out.getvalue()


# --- a worker killed mid-job ----------------------------------------------------------------


def worker_process(log: Path, **settings: str) -> subprocess.Popen[bytes]:
    """`portal worker` as an operator starts it, in its own process group (with its PDF
    processes), sending heartbeats every second."""
    env = {
        **os.environ,
        "PORTAL_PDF_WORKERS": "1",
        "PORTAL_WORKER_HEARTBEAT_SECONDS": "1",
        "PORTAL_WORKER_STALLED_SECONDS": str(STALLED_SECONDS),
        **settings,
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "college.commands", "worker"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for(condition, what: str, log: Path, limit: float = 180.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {limit} s; worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def live_workers() -> int:
    rows = run(
        PdfBatch.raw(
            "SELECT count(*) AS n FROM procrastinate_workers"
            " WHERE last_heartbeat > now() - make_interval(secs => {})",
            STALLED_SECONDS,
        )
    )
    return int(rows[0]["n"])


def batch_files() -> list[Path]:
    folder = batches.VAR_DIR / "batches"
    return sorted(folder.iterdir()) if folder.is_dir() else []


@needs_postgres
def test_a_worker_killed_mid_job_leaves_no_half_zip_and_another_completes_it(tmp_path):
    for path in batch_files():
        path.unlink()
    ids = [make_student(class_name=CLASS, name=f"学生{n:02d}") for n in range(12)]
    make_mentorship(make_enterprise(), ids[0], make_mentor())
    queued = run(queue_batch(Actor(None, "test"), "class_name", CLASS))
    log = tmp_path / "workers.log"

    first = worker_process(log)
    try:
        wait_for(lambda: batch_row(queued.id)["done"] >= 2, "the first worker under way", log)
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its PDF processes, mid-job
        first.wait()
    killed = batch_row(queued.id)
    assert killed["status"] == "running" and killed["done"] < killed["total"] == 12
    assert [path.suffix for path in batch_files()] == [".part"]  # half a ZIP, never the ZIP
    [job] = queued_jobs()
    assert job["status"] == "doing"

    wait_for(lambda: live_workers() == 0, "the killed worker's heartbeat to age", log)
    second = worker_process(log)
    try:
        wait_for(lambda: batch_row(queued.id)["status"] == "done", "the batch done", log)
    finally:
        second.send_signal(signal.SIGTERM)  # a graceful stop
        assert second.wait(timeout=60) == 0

    done = batch_row(queued.id)
    assert (done["done"], done["total"], done["failures"]) == (12, 12, [])
    assert done["started_at"] > killed["started_at"]  # made again from the start
    assert batch_files() == [batches.zip_path(queued.id)]  # the partial file is gone
    students = run(Student.select().where(Student.id.is_in(ids)))
    expected = {batches.pdf_name(s["student_no"], s["name"]) for s in students}
    with zipfile.ZipFile(batches.zip_path(queued.id)) as archive:
        assert archive.testzip() is None
        assert set(archive.namelist()) == expected
        assert all(archive.read(name).startswith(b"%PDF") for name in expected)
    [job] = queued_jobs()
    assert (job["status"], job["attempts"]) == ("succeeded", 2)  # two runs, the first killed


@needs_postgres
def test_a_worker_stopped_mid_job_puts_the_batch_back_and_leaves_no_file(tmp_path):
    for path in batch_files():
        path.unlink()
    for n in range(12):
        make_student(class_name=CLASS, name=f"学生{n:02d}")
    queued = run(queue_batch(Actor(None, "test"), "class_name", CLASS))
    log = tmp_path / "workers.log"

    worker = worker_process(log, PORTAL_WORKER_SHUTDOWN_SECONDS="0.5")
    try:
        wait_for(lambda: batch_row(queued.id)["done"] >= 1, "the worker under way", log)
    finally:
        worker.send_signal(signal.SIGTERM)  # as systemd stops it; too long a batch to wait for
        assert worker.wait(timeout=60) == 0
    row = batch_row(queued.id)
    assert (row["status"], row["done"], row["started_at"]) == ("queued", 0, None)
    assert batch_files() == []
    [job] = queued_jobs()
    assert (job["status"], job["attempts"]) == ("todo", 1)  # the next worker takes it


@needs_postgres
def test_the_jobs_of_a_silent_worker_are_put_back_in_the_queue():
    """What a worker does at its start and every minute (college.jobs.queue)."""
    from college.jobs.queue import queue

    queued = run(queue_batch(Actor(None, "test"), "class_name", "某班"))
    run(
        PdfBatch.raw(
            "WITH dead AS (INSERT INTO procrastinate_workers (last_heartbeat)"
            " VALUES (now() - interval '1 hour') RETURNING id)"
            " UPDATE procrastinate_jobs SET status = 'doing', worker_id = (SELECT id FROM dead)"
        )
    )

    async def retry() -> list[int]:
        async with queue.open_async():
            return await retry_stalled_jobs(queue, seconds=60)

    [job] = queued_jobs()
    assert run(retry()) == [job["id"]]
    [job] = queued_jobs()
    assert (job["status"], job["attempts"]) == ("todo", 1)
    assert run(retry()) == []  # nothing more to put back
    assert batch_row(queued.id)["status"] == "queued"


def test_migrating_again_changes_nothing():
    from college.commands import migrate

    run(migrate())
    if uses_postgres():
        rows = run(PdfBatch.raw("SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS ok"))
        assert rows[0]["ok"] is True
