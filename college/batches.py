"""Batch PDFs (批量导出成长档案), in the top layer with the record they are made of: the records
of a whole class, major, cohort or department as a ZIP of PDFs, made in the background.

A coordinator queues a batch (a PdfBatch row, written by `queue_batch`, with its job on
PostgreSQL). The job (`make_batch`, run by `portal worker` on PostgreSQL and by the server's
own runner on SQLite, see college.jobs) claims the row with a conditional UPDATE, reads each
record as the record PDF does (a coordinator's view, the same document), has portal/pdf.py's
process pool render and lay them out a few at a time so every core works, writes them into a
partial file under PORTAL_VAR_DIR (in a thread, not on the event loop) that is renamed to the
ZIP only when complete, and writes its progress (and heartbeat) to the row after every record,
which is what the pages show. A record that fails is listed in the batch's failures and in
failures.txt; the batch goes on. A run that fails is retried a few times, then the batch
fails. A run whose worker was killed is run again from the start by another.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import os
import re
import secrets
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, cast

from piccolo.columns.combination import Where

from college.jobs.queue import PDF_BATCH, batch_lock, defer_in_transaction, uses_job_queue
from college.record import RecordDocument, gather_record
from partners.students import RecordStudent, students_where
from portal import pdf
from portal.audit import Actor, audited_write
from portal.auth import Viewer
from portal.db import DATABASE_ERRORS
from portal.domain_errors import NotVisible
from portal.forms import FormState
from portal.i18n import DEFAULT_LOCALE, _, current_locale
from portal.metrics import JOB_FAILURES
from portal.settings import VAR_DIR
from portal.tables import JobStatus, PdfBatch, Role, Student
from portal.templating import format_date
from portal.vocabulary import BATCH_SCOPES, BATCH_STATUSES

logger = logging.getLogger(__name__)

# What a batch covers (导出范围): a column of Student and its label.
FINISHED = (JobStatus.done.value, JobStatus.failed.value)
RUNNER = Actor(None, "pdf-batch-runner")
BATCH_FOLDER = "batches"
ERROR_LENGTH = 500


# --- settings --------------------------------------------------------------------------------


def stale_after() -> datetime.timedelta:
    """How long a running batch may go without a heartbeat before it is queued again
    (PORTAL_BATCH_STALE_SECONDS, default two minutes)."""
    return datetime.timedelta(seconds=float(os.environ.get("PORTAL_BATCH_STALE_SECONDS", "120")))


def in_flight() -> int:
    """Records rendered at once: one per PDF worker plus one, so a worker never waits while
    the next record is gathered."""
    return pdf.worker_count() + 1


# --- batches as stored ----------------------------------------------------------------------


class BatchRow(TypedDict):
    """A batch as stored (PdfBatch's columns). `failures` is JSON text, or the list it holds
    when read with load_json."""

    id: int
    scope: str
    scope_value: str
    title: str
    status: str
    total: int
    done: int
    failures: str | list[dict[str, str]]
    file_path: str
    requested_by: int | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    heartbeat_at: datetime.datetime | None
    finished_at: datetime.datetime | None


class ShownBatch(BatchRow):
    """A batch as its pages show it: with the username of the coordinator who asked for it."""

    requester: str | None


SHOWN_COLUMNS = (*PdfBatch.all_columns(), PdfBatch.requested_by.username.as_alias("requester"))


async def shown_batch(batch_id: int) -> ShownBatch:
    """A batch for its page; NotVisible (404) when there is none."""
    batch = (
        await PdfBatch.select(*SHOWN_COLUMNS)
        .where(PdfBatch.id == batch_id)
        .output(load_json=True)
        .first()
    )
    if batch is None:
        raise NotVisible(f"PDF batch {batch_id}")
    return cast(ShownBatch, batch)


async def shown_batches(limit: int, offset: int) -> list[ShownBatch]:
    """A page of the batches, the newest first."""
    rows = (
        await PdfBatch.select(*SHOWN_COLUMNS)
        .order_by(PdfBatch.id, ascending=False)
        .limit(limit)
        .offset(offset)
        .output(load_json=True)
    )
    return cast(list[ShownBatch], rows)


# --- scope and names -------------------------------------------------------------------------


def scope_label(scope: str) -> str:
    return _(BATCH_SCOPES[scope]) if scope in BATCH_SCOPES else scope


def status_label(status: str) -> str:
    return _(BATCH_STATUSES[status]) if status in BATCH_STATUSES else status


def scope_condition(scope: str, value: str) -> Where:
    """Where-condition on Student for the students a batch covers."""
    if scope not in BATCH_SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    column = getattr(Student, scope)
    if scope == "cohort_year":
        return cast(Where, column == int(value))
    return cast(Where, column == value)


async def count_in_scope(scope: str, value: str) -> int:
    return await Student.count().where(scope_condition(scope, value))


async def students_in_scope(scope: str, value: str) -> list[RecordStudent]:
    """The students a batch covers, by student number."""
    if scope not in BATCH_SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    return await students_where(scope, int(value) if scope == "cohort_year" else value)


def pdf_name(student_no: str, name: str) -> str:
    """A record's file name in the ZIP, e.g. 2024000123-张三.pdf; characters that file
    systems refuse are replaced."""
    stem = f"{student_no}-{name}"
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", stem).strip(" .") + ".pdf"


async def queue_depth() -> dict[str, int]:
    """Batches waiting and running (for the metrics)."""
    waiting = (JobStatus.queued.value, JobStatus.running.value)
    rows = await PdfBatch.raw(
        "SELECT status, count(*) AS n FROM portal_pdf_batch"
        " WHERE status IN ({}, {}) GROUP BY status",
        *waiting,
    )
    found = {row["status"]: row["n"] for row in rows}
    return {status: found.get(status, 0) for status in waiting}


def zip_relative_path(batch_id: int) -> str:
    """Where the finished ZIP lives, relative to PORTAL_VAR_DIR (as stored in file_path)."""
    return f"{BATCH_FOLDER}/batch-{batch_id}.zip"


def zip_path(batch_id: int) -> Path:
    return VAR_DIR / zip_relative_path(batch_id)


def stored_file(file_path: str) -> Path | None:
    """The ZIP a batch's file_path names, if it is inside the batch folder and exists."""
    if not file_path:
        return None
    folder = (VAR_DIR / BATCH_FOLDER).resolve()
    path = (VAR_DIR / file_path).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return path


def finished_file(batch: BatchRow) -> Path:
    """The ZIP of a finished batch; NotVisible (404) while it runs, or when it failed or its
    file is gone."""
    path = stored_file(batch["file_path"])
    if batch["status"] != JobStatus.done.value or path is None:
        raise NotVisible(f"ZIP of PDF batch {batch['id']}")
    return path


def remove_files(batch_id: int) -> None:
    """Removes a batch's partial files (one per run that claimed it) and its ZIP."""
    folder = VAR_DIR / BATCH_FOLDER
    for path in [*folder.glob(f"batch-{batch_id}.*.part"), zip_path(batch_id)]:
        path.unlink(missing_ok=True)


def failures_of(batch: BatchRow) -> list[dict[str, str]]:
    raw = batch.get("failures") or []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return []
    return raw if isinstance(raw, list) else []


def progress_of(batch: BatchRow) -> dict[str, Any]:
    """What the progress page shows, as its JSON poll returns it."""
    return {
        "id": batch["id"],
        "status": batch["status"],
        "status_label": status_label(batch["status"]),
        "done": batch["done"],
        "total": batch["total"],
        "failures": len(failures_of(batch)),
        "finished": batch["status"] in FINISHED,
        "text": progress_text(batch),
        "started": format_date(batch["started_at"]),
    }


def progress_text(batch: BatchRow) -> str:
    """From the first second: a queued batch says so (not "0 / 4"), a running one its count
    and when it started, a finished one its count."""
    if batch["status"] == JobStatus.queued.value:
        return _("Queued, waiting for a worker")
    count = f"{batch['done']} / {batch['total']}"
    if batch["status"] == JobStatus.running.value and batch["started_at"] is not None:
        return _(
            "%(count)s done, started at %(time)s",
            count=count,
            time=format_date(batch["started_at"]),
        )
    return count


# --- queueing a batch ------------------------------------------------------------------------


def target_of(scope: str, value: str) -> str:
    """The form's single choice: scope and value in one option (scope:value)."""
    return f"{scope}:{value}"


async def check_batch_form(form: FormState) -> tuple[str, str]:
    """The scope and value chosen; a message next to the field when there is no such choice
    or no student in it (an empty ZIP helps nobody)."""
    target = form.required("target")
    scope, _sep, value = target.partition(":")
    unknown = (
        scope not in BATCH_SCOPES or not value or (scope == "cohort_year" and not value.isdigit())
    )
    if target and unknown:
        form.add_error("target", _("Choose one of the listed options."))
    if form.valid and await count_in_scope(scope, value) == 0:
        form.add_error("target", _("No student is in this group: choose another one."))
    return scope, value


@dataclass(frozen=True)
class QueuedBatch:
    """The batch a request to export a group ended with: a new one, or the one under way."""

    id: int
    title: str
    already_under_way: bool


async def queue_batch(actor: Actor, scope: str, value: str) -> QueuedBatch:
    """Queues a batch, audited, with its job on PostgreSQL (in the same transaction); one
    unfinished batch per group, so a second request (a second click) gets the first one."""
    title = f"{scope_label(scope)} {value}"
    async with audited_write(actor) as audit:
        existing = (
            await PdfBatch.select(PdfBatch.id)
            .where(
                PdfBatch.scope == scope,
                PdfBatch.scope_value == value,
                PdfBatch.status.is_in([JobStatus.queued.value, JobStatus.running.value]),
            )
            .first()
        )
        if existing is not None:
            return QueuedBatch(existing["id"], title, already_under_way=True)
        values: dict[str, Any] = {
            "scope": scope,
            "scope_value": value,
            "title": title,
            "status": JobStatus.queued.value,
            "total": await count_in_scope(scope, value),
            "requested_by": actor.user_id,
        }
        row = (await PdfBatch.insert(PdfBatch(**values)).returning(PdfBatch.id))[0]
        await audit.created(PdfBatch, row["id"], values, title)
        if uses_job_queue():  # on SQLite the server's runner finds the queued row
            job = {"batch_id": row["id"]}
            await defer_in_transaction(PDF_BATCH, job, lock=batch_lock(row["id"]))
    return QueuedBatch(row["id"], title, already_under_way=False)


# --- the record of one student ---------------------------------------------------------------


def coordinator_view(batch: BatchRow) -> Viewer:
    """A coordinator's view of the records (the batch was requested by a coordinator)."""
    return Viewer(
        user_id=batch.get("requested_by") or 0,
        username=RUNNER.username,
        role=Role.coordinator,
        name="",
        session_token="",
    )


async def record_pdf(student: RecordStudent, viewer: Viewer, today: datetime.date) -> bytes:
    """One student's record as PDF bytes: read here, rendered and laid out in the PDF
    process pool, in the batch's language."""
    record = await gather_record(viewer, student)
    return await pdf.render_document(RecordDocument(record, today), current_locale.get())


# --- the runner's steps ----------------------------------------------------------------------


class LostBatch(Exception):
    """The batch is no longer this run's (requeued as stale, or deleted): stop quietly."""


class StopRequested(Exception):
    """The server is stopping: the run puts its batch back in the queue."""


def _owned(batch: BatchRow) -> list[Any]:
    """Where-conditions for "still the batch this run claimed": running, same claim time."""
    return [
        PdfBatch.id == batch["id"],
        PdfBatch.status == JobStatus.running.value,
        PdfBatch.started_at == batch["started_at"],
    ]


async def requeue_stale(now: datetime.datetime | None = None) -> list[int]:
    """Queues again every running batch whose heartbeat is older than the limit (its server
    stopped mid-way): progress reset, partial files removed. Returns their ids."""
    cutoff = (now or datetime.datetime.now()) - stale_after()
    stale_condition = (PdfBatch.heartbeat_at < cutoff) | PdfBatch.heartbeat_at.is_null()
    rows = await PdfBatch.select(PdfBatch.id, PdfBatch.title).where(
        PdfBatch.status == JobStatus.running.value, stale_condition
    )
    requeued: list[int] = []
    for row in rows:
        # Files first: once queued, another worker may claim the batch and start writing.
        await asyncio.to_thread(remove_files, row["id"])
        async with audited_write(RUNNER) as audit:
            won = (
                await PdfBatch.update(
                    {
                        PdfBatch.status: JobStatus.queued.value,
                        PdfBatch.done: 0,
                        PdfBatch.failures: "[]",
                        PdfBatch.file_path: "",
                        PdfBatch.started_at: None,
                        PdfBatch.heartbeat_at: None,
                    }
                )
                .where(
                    PdfBatch.id == row["id"],
                    PdfBatch.status == JobStatus.running.value,
                    stale_condition,
                )
                .returning(PdfBatch.id)
            )
            if won:
                await audit.record(
                    "update",
                    PdfBatch,
                    row["id"],
                    f"{row['title']}: requeued, its heartbeat stopped",
                    {"status": [JobStatus.running.value, JobStatus.queued.value]},
                )
                requeued.append(row["id"])
    if requeued:
        logger.warning("PDF batches %s had stopped and were queued again", requeued)
    return requeued


async def next_queued(skip: Collection[int] = ()) -> int | None:
    """The oldest queued batch, but those in `skip` (waiting for their retry), or None."""
    query = PdfBatch.select(PdfBatch.id).where(PdfBatch.status == JobStatus.queued.value)
    if skip:
        query = query.where(PdfBatch.id.not_in(list(skip)))
    row = await query.order_by(PdfBatch.id).first()
    return None if row is None else int(row["id"])


async def claim_batch(batch_id: int, take_over: bool = False) -> BatchRow | None:
    """Marks a batch as run by this job from now on, or None when it is no longer waiting
    (done, failed, deleted, or claimed by another runner). The UPDATE is conditional, so two
    runners that pick the same batch at the same moment cannot both win it.

    `take_over`: the queue's lock makes this job the only one for its batch, so a batch still
    marked running was left so by a run that died (its worker killed): it is run again from
    the start, and the dead run's partial file goes."""
    claimable = [JobStatus.queued.value]
    if take_over:
        claimable.append(JobStatus.running.value)
    now = datetime.datetime.now()
    won = (
        await PdfBatch.update(
            {
                PdfBatch.status: JobStatus.running.value,
                PdfBatch.started_at: now,
                PdfBatch.heartbeat_at: now,
                PdfBatch.done: 0,
                PdfBatch.failures: "[]",
                PdfBatch.file_path: "",
                PdfBatch.finished_at: None,
            }
        )
        .where(PdfBatch.id == batch_id, PdfBatch.status.is_in(claimable))
        .returning(*PdfBatch.all_columns())
    )
    if not won:
        return None
    await asyncio.to_thread(remove_files, batch_id)  # a dead run's partial file, if any
    batch = cast(BatchRow, dict(won[0]))
    batch["started_at"] = now  # the claim's mark, exactly as written
    return batch


@dataclass
class Progress:
    """A run's progress, written to the batch row after each record (its heartbeat)."""

    batch: BatchRow
    done: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    failures_written: int = 0

    def fail(self, student: RecordStudent, error: BaseException) -> None:
        message = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
        self.failures.append(
            {"student_no": student.student_no, "name": student.name, "error": message}
        )

    async def beat(self) -> None:
        values: dict[Any, Any] = {
            PdfBatch.done: self.done,
            PdfBatch.heartbeat_at: datetime.datetime.now(),
        }
        if len(self.failures) != self.failures_written:
            values[PdfBatch.failures] = json.dumps(self.failures, ensure_ascii=False)
        won = await PdfBatch.update(values).where(*_owned(self.batch)).returning(PdfBatch.id)
        if not won:
            raise LostBatch(self.batch["id"])
        self.failures_written = len(self.failures)


def failures_text(failures: list[dict[str, str]]) -> str:
    lines = [_("Records that could not be made:"), ""]
    lines += [f"{row['student_no']} {row['name']}: {row['error']}" for row in failures]
    return "\n".join(lines) + "\n"


async def _write_records(
    archive: zipfile.ZipFile,
    students: list[RecordStudent],
    progress: Progress,
    stopping: asyncio.Event | None = None,
) -> None:
    """Renders the records a few at a time and writes each PDF into the ZIP as it comes.
    When `stopping` is set, no further record starts; those under way are finished (never
    cancelled half-way through a database call) and StopRequested is raised."""
    viewer = coordinator_view(progress.batch)
    today = datetime.date.today()
    waiting = iter(students)
    running: dict[asyncio.Future[Any], RecordStudent] = {}
    stop_signal = asyncio.ensure_future((stopping or asyncio.Event()).wait())
    try:
        while True:
            while not stop_signal.done() and len(running) < in_flight():
                student = next(waiting, None)
                if student is None:
                    break
                running[asyncio.ensure_future(record_pdf(student, viewer, today))] = student
            if not running:
                break
            watched = [*running] if stop_signal.done() else [*running, stop_signal]
            finished, _pending = await asyncio.wait(
                watched, timeout=30, return_when=asyncio.FIRST_COMPLETED
            )
            for task in finished:
                if task is stop_signal:
                    continue
                student = running.pop(task)
                try:
                    content = task.result()
                except Exception as error:
                    # A boundary: one record's failure is listed, and the batch goes on. A
                    # record fails with whatever its reading or WeasyPrint's layout (in a
                    # worker process) raised, which no list of types covers.
                    logger.exception("record PDF of %s failed", student.student_no)
                    progress.fail(student, error)
                else:
                    name = pdf_name(student.student_no, student.name)
                    await asyncio.to_thread(archive.writestr, name, content)
                progress.done += 1
            await progress.beat()  # also when nothing finished for 30 s: still alive
        if stop_signal.done() and next(waiting, None) is not None:
            raise StopRequested(progress.batch["id"])
    finally:
        stop_signal.cancel()
        for task in running:  # only when cancelled outright or the batch was lost
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)


async def _finish(batch: BatchRow, values: dict[Any, Any], summary: str) -> bool:
    """Writes a run's end (done or failed) if the batch is still this run's."""
    async with audited_write(RUNNER) as audit:
        now = datetime.datetime.now()
        won = (
            await PdfBatch.update({**values, PdfBatch.finished_at: now, PdfBatch.heartbeat_at: now})
            .where(*_owned(batch))
            .returning(PdfBatch.id)
        )
        if won:
            status = values[PdfBatch.status]
            await audit.record(
                "update",
                PdfBatch,
                batch["id"],
                summary,
                {"status": [JobStatus.running.value, status]},
            )
    return bool(won)


async def _requeue_own(batch: BatchRow) -> None:
    """Puts a batch this run was working on back in the queue (the server is stopping)."""
    await PdfBatch.update(
        {
            PdfBatch.status: JobStatus.queued.value,
            PdfBatch.done: 0,
            PdfBatch.failures: "[]",
            PdfBatch.started_at: None,
            PdfBatch.heartbeat_at: None,
        }
    ).where(*_owned(batch))


def _open_archive(path: Path) -> zipfile.ZipFile:
    """PDFs are stored, not deflated: their streams are compressed already (deflate saved
    ~10%), and the cores are better spent on rendering."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED)


async def run_batch(
    batch: BatchRow, stopping: asyncio.Event | None = None, final: bool = True
) -> None:
    """Makes a claimed batch's ZIP and records how it ended. When the run fails and it is
    not the `final` attempt, the batch goes back in the queue and the error is raised again,
    for the job queue to retry after its back-off."""
    token = current_locale.set(DEFAULT_LOCALE)  # files for the college, in its language
    partial = VAR_DIR / BATCH_FOLDER / f"batch-{batch['id']}.{secrets.token_hex(4)}.part"
    archive: zipfile.ZipFile | None = None
    progress = Progress(batch)
    try:
        students = await students_in_scope(batch["scope"], batch["scope_value"])
        await PdfBatch.update({PdfBatch.total: len(students)}).where(*_owned(batch))
        archive = await asyncio.to_thread(_open_archive, partial)
        await _write_records(archive, students, progress, stopping)
        if progress.failures:
            text = failures_text(progress.failures)
            await asyncio.to_thread(archive.writestr, "failures.txt", text.encode())
        await asyncio.to_thread(archive.close)
        archive = None
        await asyncio.to_thread(os.replace, partial, zip_path(batch["id"]))
        values = {
            PdfBatch.status: JobStatus.done.value,
            PdfBatch.done: progress.done,
            PdfBatch.total: len(students),
            PdfBatch.failures: json.dumps(progress.failures, ensure_ascii=False),
            PdfBatch.file_path: zip_relative_path(batch["id"]),
        }
        summary = f"{batch['title']}: {progress.done - len(progress.failures)} PDFs"
        if not await _finish(batch, values, summary):
            logger.warning("PDF batch %s was taken over before it finished", batch["id"])
    except LostBatch:
        logger.warning("PDF batch %s was requeued while running; this run stops", batch["id"])
    except StopRequested:
        await _requeue_own(batch)  # the next start picks it up at once
    except asyncio.CancelledError:
        with contextlib.suppress(*DATABASE_ERRORS):
            await asyncio.shield(_requeue_own(batch))  # the next start picks it up at once
        raise
    except Exception as error:
        # A boundary: a batch that cannot run (the ZIP cannot be written, the database went
        # away…) is tried again a few times, then ends as failed, with the reason, whatever
        # went wrong; left running, it would be taken over and fail again for ever.
        if not final:
            logger.warning("PDF batch %s failed, to be tried again: %s", batch["id"], error)
            with contextlib.suppress(*DATABASE_ERRORS):
                await _requeue_own(batch)
            raise
        logger.exception("PDF batch %s failed", batch["id"])
        JOB_FAILURES.labels("pdf_batch").inc()
        failure = {"student_no": "", "name": "", "error": f"{type(error).__name__}: {error}"}
        values = {
            PdfBatch.status: JobStatus.failed.value,
            PdfBatch.done: progress.done,
            PdfBatch.failures: json.dumps([*progress.failures, failure], ensure_ascii=False),
        }
        await _finish(batch, values, f"{batch['title']}: failed")
    finally:
        if archive is not None:
            # The run ended early and the partial file goes next: a failed write of the ZIP's
            # directory (OSError) or a record still being written in its thread (ValueError)
            # changes nothing.
            with contextlib.suppress(OSError, ValueError):
                archive.close()
        partial.unlink(missing_ok=True)
        current_locale.reset(token)


async def make_batch(
    batch_id: int,
    *,
    final: bool = True,
    take_over: bool = False,
    stopping: asyncio.Event | None = None,
) -> bool:
    """The PDF batch job: claims the batch and makes its ZIP. False when there was nothing to
    do (finished already, deleted, or run by another runner). See claim_batch for
    `take_over` and run_batch for `final`."""
    batch = await claim_batch(batch_id, take_over=take_over)
    if batch is None:
        return False
    await run_batch(batch, stopping, final=final)
    return True
