"""The jobs themselves, as procrastinate tasks: the same functions run by `portal worker` on
PostgreSQL and, on SQLite, by the server's own runner (college.jobs.local).

- pdf_batch: makes one batch's ZIP (college.batches.make_batch); deferred with the lock
  `pdf-batch-<id>`, so one batch is never made twice at once; retried with back-off; a run
  whose worker died is run again from the start by another worker.
- retry_stalled_jobs (every minute): puts back the jobs of workers that stopped sending
  heartbeats.
- cleanup (daily, 03:17): college.jobs.cleanup, then the queue's own finished jobs.
- send_notifications (every minute) and produce_notices (every 15 minutes): college.notices.
"""

from __future__ import annotations

import logging

from procrastinate import JobContext

from college.batches import make_batch
from college.jobs.cleanup import retention_days, run_cleanup
from college.jobs.queue import MAX_ATTEMPTS, PDF_BATCH, RETRY, queue, retry_stalled_jobs
from college.notices import produce_notices, run_sending

logger = logging.getLogger(__name__)


def is_last_attempt(attempts: int) -> bool:
    """Whether a run after `attempts` earlier ones is the last: the queue retries no more
    (RetryStrategy: none once attempts reach max_attempts), so if it fails the batch ends
    as failed."""
    return attempts >= MAX_ATTEMPTS


@queue.task(name=PDF_BATCH, retry=RETRY, pass_context=True)
async def pdf_batch(context: JobContext, batch_id: int) -> None:
    """Makes a batch's ZIP. A failure before the last attempt puts the batch back in the
    queue (排队中) and raises, so the queue tries again after its back-off."""
    await make_batch(batch_id, final=is_last_attempt(context.job.attempts), take_over=True)


@queue.periodic(cron="* * * * *", periodic_id="retry_stalled_jobs")
@queue.task(name="retry_stalled_jobs", queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled(context: JobContext, timestamp: int) -> None:
    await retry_stalled_jobs(context.app)


@queue.periodic(cron="17 3 * * *", periodic_id="cleanup")
@queue.task(name="cleanup", queueing_lock="cleanup", pass_context=True)
async def cleanup(context: JobContext, timestamp: int) -> None:
    await run_cleanup()
    await context.app.job_manager.delete_old_jobs(
        nb_hours=retention_days() * 24,
        include_failed=True,
        include_cancelled=True,
        include_aborted=True,
    )
    logger.info("cleanup: removed the queue's jobs finished over %s days ago", retention_days())


@queue.periodic(cron="* * * * *", periodic_id="send_notifications")
@queue.task(name="send_notifications", queueing_lock="send_notifications", pass_context=True)
async def send_notifications(context: JobContext, timestamp: int) -> None:
    """Sends the email and WeCom deliveries that are due (each claimed by one worker)."""
    await run_sending()


@queue.periodic(cron="*/15 * * * *", periodic_id="produce_notices")
@queue.task(name="produce_notices", queueing_lock="produce_notices", pass_context=True)
async def produce(context: JobContext, timestamp: int) -> None:
    """Makes the notices of what is due (each once, by its key)."""
    await produce_notices()
