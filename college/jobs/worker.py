"""`portal worker`: a procrastinate worker for the portal's jobs (PostgreSQL only). Run any
number of them, on any hosts that reach the database and share PORTAL_VAR_DIR (where the
batch ZIPs go). SIGTERM or Ctrl-C stops one gracefully."""

from __future__ import annotations

import logging

from college.jobs import tasks
from college.jobs.queue import (
    heartbeat_seconds,
    queue,
    retry_stalled_jobs,
    shutdown_seconds,
    stalled_seconds,
)
from portal.engine import configured_engine
from portal.pdf import shutdown_pool

logger = logging.getLogger(__name__)


async def work(concurrency: int = 1, wait: bool = True) -> None:
    """Runs jobs until stopped (or, with wait=False, until none is left). First puts back
    the jobs of workers that died, so a killed worker's batch is taken up at once."""
    assert tasks.pdf_batch.name in queue.tasks  # importing the tasks registered them
    async with queue.open_async():
        await retry_stalled_jobs(queue)
        await queue.run_worker_async(
            concurrency=concurrency,
            wait=wait,
            name="portal-worker",
            update_heartbeat_interval=heartbeat_seconds(),
            stalled_worker_timeout=stalled_seconds(),
            shutdown_graceful_timeout=shutdown_seconds(),
            install_signal_handlers=wait,
        )


async def run_worker(concurrency: int = 1) -> None:
    """`portal worker`: the jobs, with the engine's connection pool and the PDF processes."""
    engine = configured_engine()
    await engine.start_connection_pool()
    try:
        await work(concurrency)
    finally:
        shutdown_pool()
        await engine.close_connection_pool()
