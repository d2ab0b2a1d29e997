"""The job queue on PostgreSQL: procrastinate's App, deferring a job inside the transaction
that asks for it, retrying the jobs of workers that died, and `portal worker`.

Procrastinate keeps its jobs in its own tables (applied by the portal's migrations, see
migrations/portal). A worker registers itself, sends a heartbeat every few seconds
(PORTAL_WORKER_HEARTBEAT_SECONDS, default 10) and takes jobs one at a time per slot; a worker
that sent none for PORTAL_WORKER_STALLED_SECONDS (default 30) is taken for dead, and its jobs
are put back in the queue by the next worker that starts and by a periodic job every minute.

Upgrading procrastinate: its release notes name the SQL migrations of each version (the files
of procrastinate/sql/migrations); apply them in a new portal migration, as
migrations/portal/portal_2026_11_30t19_00_00_000000.py applies the schema.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import ConnectorException

from portal.tables import PdfBatch

logger = logging.getLogger(__name__)

# A job that raised is tried again after 3, 9, 27 and 81 seconds; the fifth failure is final.
# A run whose worker died counts as one of these attempts too.
MAX_ATTEMPTS = 4
RETRY = RetryStrategy(max_attempts=MAX_ATTEMPTS, exponential_wait=3)
DEFAULT_QUEUE = "default"
PDF_BATCH = "pdf_batch"  # the task that makes a batch's ZIP (college.jobs.tasks)


def batch_lock(batch_id: int) -> str:
    """The lock of a batch's job: one job per batch waits or runs at a time."""
    return f"pdf-batch-{batch_id}"


def _seconds(name: str, default: float) -> float:
    return float(os.environ.get(name, str(default)))


def heartbeat_seconds() -> float:
    """How often a worker says it is alive (PORTAL_WORKER_HEARTBEAT_SECONDS, default 10)."""
    return _seconds("PORTAL_WORKER_HEARTBEAT_SECONDS", 10)


def stalled_seconds() -> float:
    """How long a worker may stay silent before it is taken for dead and its jobs are run
    again by another (PORTAL_WORKER_STALLED_SECONDS, default 30)."""
    return _seconds("PORTAL_WORKER_STALLED_SECONDS", 30)


def shutdown_seconds() -> float:
    """How long a stopping worker (SIGTERM, Ctrl-C) lets its jobs finish before it cancels
    them; a cancelled batch goes back to the queue (PORTAL_WORKER_SHUTDOWN_SECONDS, 30)."""
    return _seconds("PORTAL_WORKER_SHUTDOWN_SECONDS", 30)


def uses_job_queue() -> bool:
    """True when the portal's database is PostgreSQL: jobs then go through procrastinate."""
    return bool(PdfBatch._meta.db.engine_type == "postgres")


# The connector opens its pool only in `portal worker` (and in tests that run a worker): the
# server defers jobs through its own connection pool, inside the write's transaction.
queue = App(
    connector=PsycopgConnector(conninfo=os.environ.get("DATABASE_URL", ""), min_size=1, max_size=4),
    import_paths=["college.jobs.tasks"],
)


async def queue_reachable() -> bool:
    """The queue answers (for /readyz): procrastinate's job table on PostgreSQL; on SQLite
    the server runs the jobs itself, so the queue is there when the server is."""
    if uses_job_queue():
        await PdfBatch.raw("SELECT 1 FROM procrastinate_jobs LIMIT 1")
    return True


async def defer_in_transaction(
    task_name: str, args: dict[str, Any], *, lock: str | None = None
) -> int:
    """Queues a job through the portal's own engine, so inside the current transaction: the
    row that asks for the job and the job are written together, or neither is. The lock
    serves as procrastinate's lock (one such job runs at a time) and queueing lock (one such
    job waits at a time). Uses procrastinate's versioned SQL function (the one its
    `defer_async` calls), which stays while the schema keeps it."""
    rows = await PdfBatch.raw(
        "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW("
        "{}::varchar, {}::varchar, 0, {}::text, {}::text, {}::jsonb, NULL::timestamptz"
        ")::procrastinate_job_to_defer_v1])) AS id",
        DEFAULT_QUEUE,
        task_name,
        lock,
        lock,
        json.dumps(args),
    )
    return int(rows[0]["id"])


async def retry_stalled_jobs(app: App, seconds: float | None = None) -> list[int]:
    """Puts back in the queue the jobs of workers silent for longer than `seconds` (killed,
    or their host lost): another worker runs them again from the start. Returns their ids."""
    seconds = stalled_seconds() if seconds is None else seconds
    await app.job_manager.prune_stalled_workers(seconds)
    retried: list[int] = []
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds):
        try:
            await app.job_manager.retry_job(job)
        except ConnectorException:
            # Another worker retried it (or it finished) in the meantime.
            logger.info("stalled job %s was already handled", job.id)
            continue
        assert job.id is not None
        retried.append(job.id)
    if retried:
        logger.warning("retried %s job(s) of stopped workers: %s", len(retried), retried)
    return retried
