"""Factories for batch PDF export tests (the access matrix uses them too)."""

from __future__ import annotations

import datetime
import json
import zipfile
from typing import Any

from college.batches import zip_path, zip_relative_path
from portal.tables import JobStatus, PdfBatch
from tests.support import insert_id, run


def make_batch(**fields: Any) -> int:
    values = {
        "scope": "class_name",
        "scope_value": "工业机器人2401班",
        "title": "Class 工业机器人2401班",
        "status": JobStatus.queued.value,
        "total": 1,
        **fields,
    }
    return insert_id(PdfBatch, **values)


def make_finished_batch(**fields: Any) -> int:
    """A done batch with a small ZIP in its place, as the runner leaves one."""
    now = datetime.datetime.now()
    batch_id = make_batch(
        status=JobStatus.done.value,
        done=1,
        started_at=now,
        heartbeat_at=now,
        finished_at=now,
        **fields,
    )
    path = zip_path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2024000001-学生1.pdf", b"%PDF-1.7\n")
    run(
        PdfBatch.update({PdfBatch.file_path: zip_relative_path(batch_id)}).where(
            PdfBatch.id == batch_id
        )
    )
    return batch_id


def batch_row(batch_id: int) -> dict[str, Any]:
    row = run(PdfBatch.select().where(PdfBatch.id == batch_id).first())
    row["failures"] = json.loads(row["failures"]) if isinstance(row["failures"], str) else []
    return row


def run_jobs() -> None:
    """Runs every job waiting now, as the portal would: on PostgreSQL a procrastinate worker
    (college.jobs.worker) until the queue is empty; on SQLite the server's runner's steps."""
    from college.jobs.local import LocalJobs
    from college.jobs.queue import uses_job_queue
    from college.jobs.worker import work

    if uses_job_queue():
        run(work(wait=False))
        return
    runner = LocalJobs(poll=0)
    while run(runner.step()):
        pass


def queued_jobs(task_name: str = "pdf_batch") -> list[dict[str, Any]]:
    """The job queue's jobs of one task (PostgreSQL only)."""
    return run(
        PdfBatch.raw(
            "SELECT id, task_name, lock, queueing_lock, args, status::text AS status, attempts"
            " FROM procrastinate_jobs WHERE task_name = {} ORDER BY id",
            task_name,
        )
    )
