"""Background jobs (后台任务), in the top layer with the work they do: the PDF batches and the
daily cleanup.

On PostgreSQL they run on procrastinate (college.jobs.queue): a job is a row of its queue,
deferred in the same transaction as the write that asks for it, taken by any number of
`portal worker` processes on any hosts, retried with back-off, and retried again when its
worker stopped sending heartbeats (killed mid-job). On the SQLite default the same job
functions (college.jobs.tasks) run inside the server process (college.jobs.local).

PORTAL_BATCH_RUNNER=off means "this server runs no background jobs" (the tests drive them).
"""
