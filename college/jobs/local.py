"""The jobs inside the server process, on SQLite (which has no job queue): a task started in
the app's lifespan runs the same job functions as `portal worker` does on PostgreSQL.

It looks for queued batches (PORTAL_BATCH_POLL_SECONDS, default 1), runs one at a time, tries
a failed one again with the queue's back-off, puts back a batch whose heartbeat stopped (its
server was killed: PORTAL_BATCH_STALE_SECONDS, default 120), runs the cleanup once a day, and
sends due notifications every minute and makes new ones every 15 minutes (college.notices).
Several server processes may share the database: the claim of a batch is conditional, so
only one of them runs it.

Stopping is cooperative: the runner finishes the records under way, puts its batch back in
the queue and ends. It is cancelled only if that takes longer than `grace` seconds, as a task
cancelled inside a database call can leave a SQLite connection's thread behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import os
import time
from dataclasses import dataclass

from college.batches import make_batch, next_queued, requeue_stale
from college.jobs.cleanup import run_cleanup
from college.jobs.queue import RETRY, uses_job_queue
from college.jobs.tasks import is_last_attempt
from college.notices import produce_notices, run_sending

logger = logging.getLogger(__name__)

CLEANUP_EVERY = datetime.timedelta(days=1)
SEND_NOTICES_EVERY = datetime.timedelta(minutes=1)
PRODUCE_NOTICES_EVERY = datetime.timedelta(minutes=15)


def jobs_enabled() -> bool:
    """PORTAL_BATCH_RUNNER=off: this server runs no background jobs (the tests drive them)."""
    return os.environ.get("PORTAL_BATCH_RUNNER", "on").lower() not in {"0", "off", "false", "no"}


def poll_seconds() -> float:
    """How often an idle runner looks for work (PORTAL_BATCH_POLL_SECONDS, default 1)."""
    return float(os.environ.get("PORTAL_BATCH_POLL_SECONDS", "1"))


def retry_wait(attempts: int) -> float:
    """Seconds before a batch that failed `attempts` times is tried again: the queue's."""
    return float(RETRY.exponential_wait**attempts)


@dataclass
class Retry:
    attempts: int
    not_before: float


class LocalJobs:
    """The background task of one server process that runs the jobs (SQLite only)."""

    def __init__(self, poll: float | None = None, grace: float = 30.0) -> None:
        self.poll = poll_seconds() if poll is None else poll
        self.grace = grace
        self.task: asyncio.Task[None] | None = None
        self.stopping = asyncio.Event()
        self.retries: dict[int, Retry] = {}
        self.next_cleanup = 0.0
        self.next_sending = 0.0
        self.next_producing = 0.0

    def start(self) -> None:
        if jobs_enabled() and not uses_job_queue() and self.task is None:
            self.stopping.clear()
            self.task = asyncio.create_task(self._loop(), name="portal-jobs")

    async def stop(self) -> None:
        if self.task is None:
            return
        self.stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self.task), self.grace)
        except TimeoutError:
            logger.warning("the background jobs did not stop in %s s: cancelled", self.grace)
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self.task = None

    async def step(self) -> bool:
        """One step: the cleanup when due, batches of stopped servers put back, then one
        queued batch run. True when a batch was run (the loop looks again at once)."""
        if time.monotonic() >= self.next_cleanup:
            self.next_cleanup = time.monotonic() + CLEANUP_EVERY.total_seconds()
            await run_cleanup()
        await self._notices()
        await requeue_stale()
        now = time.monotonic()
        waiting = {batch_id for batch_id, retry in self.retries.items() if retry.not_before > now}
        batch_id = await next_queued(skip=waiting)
        if batch_id is None:
            return False
        retry = self.retries.pop(batch_id, Retry(0, 0.0))
        try:
            await make_batch(
                batch_id, final=is_last_attempt(retry.attempts), stopping=self.stopping
            )
        except Exception:
            # The batch is back in the queue (college.batches.run_batch): try it again later.
            attempts = retry.attempts + 1
            self.retries[batch_id] = Retry(attempts, time.monotonic() + retry_wait(attempts))
        return True

    async def _notices(self) -> None:
        """Notices made every 15 minutes and sent every minute; a failure is logged and does
        not hold up the batches."""
        try:
            if time.monotonic() >= self.next_producing:
                self.next_producing = time.monotonic() + PRODUCE_NOTICES_EVERY.total_seconds()
                await produce_notices()
            if time.monotonic() >= self.next_sending:
                self.next_sending = time.monotonic() + SEND_NOTICES_EVERY.total_seconds()
                await run_sending()
        except Exception:
            logger.exception("the notifications job failed a step")

    async def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                worked = await self.step()
            except Exception:
                # A boundary: the runner is the background task of the server process, and
                # nothing restarts it; a failed step (a database hiccup, a full disk) is
                # logged and the runner tries again at the next poll.
                logger.exception("the background jobs failed a step")
                worked = False
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), self.poll)
