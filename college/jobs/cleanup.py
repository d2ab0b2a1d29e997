"""The daily cleanup (清理): what the portal keeps only for a while goes when its time is up,
so a portal that runs for years does not fill its database and disk with leftovers.

- expired sessions (past their expiry or their hard limit): nobody can use them any more;
- import previews never confirmed (or cancelled), older than PORTAL_RETENTION_DAYS;
- batch ZIPs older than PORTAL_RETENTION_DAYS (the batch stays listed, without its file: a
  coordinator exports the group again when needed), and files in the batch folder that no
  batch names (left by a crash) once they are that old too;
- emails to people without an account (an enterprise mentor's address, a student's name),
  sent or given up more than 90 days ago: kept only while they help trace a delivery.

Each step logs how many it removed and records it in the audit log. Runs once a day: as a
periodic job on PostgreSQL, inside the server on SQLite.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from piccolo_api.session_auth.tables import SessionsBase

from college.batches import BATCH_FOLDER, stored_file
from portal.audit import Actor, audited_write
from portal.metrics import JOB_FAILURES
from portal.notify_rules import DeliveryStatus
from portal.settings import VAR_DIR
from portal.tables import AddressedNotice, ImportBatch, ImportStatus, JobStatus, PdfBatch

logger = logging.getLogger(__name__)

CLEANER = Actor(None, "cleanup")
DEFAULT_RETENTION_DAYS = 7
ADDRESSED_NOTICE_DAYS = 90


def retention_days() -> int:
    """How many days import previews and batch ZIPs are kept (PORTAL_RETENTION_DAYS, 7)."""
    days = int(os.environ.get("PORTAL_RETENTION_DAYS", str(DEFAULT_RETENTION_DAYS)))
    return max(days, 1)


@dataclass(frozen=True)
class Removed:
    """What one cleanup removed."""

    sessions: int
    import_previews: int
    batch_zips: int
    stray_files: int
    addressed_notices: int = 0


async def remove_expired_sessions(now: datetime.datetime) -> int:
    """Sessions past their expiry (or their hard limit): they sign nobody in any more."""
    async with audited_write(CLEANER) as audit:
        gone = (
            await SessionsBase.delete()
            .where((SessionsBase.expiry_date < now) | (SessionsBase.max_expiry_date < now))
            .returning(SessionsBase.id)
        )
        if gone:
            await audit.record(
                "delete", SessionsBase, None, f"removed {len(gone)} expired sessions"
            )
    logger.info("cleanup: removed %s expired sessions", len(gone))
    return len(gone)


async def remove_unconfirmed_imports(cutoff: datetime.datetime) -> int:
    """Import previews nobody confirmed (or that were cancelled) made before `cutoff`: the
    rows they hold were never written, and the file can be uploaded again."""
    waiting = [ImportStatus.previewed.value, ImportStatus.discarded.value]
    async with audited_write(CLEANER) as audit:
        gone = (
            await ImportBatch.delete()
            .where(ImportBatch.status.is_in(waiting), ImportBatch.created_at < cutoff)
            .returning(ImportBatch.id)
        )
        if gone:
            summary = f"removed {len(gone)} unconfirmed import previews"
            await audit.record("delete", ImportBatch, None, summary)
    logger.info("cleanup: removed %s unconfirmed import previews", len(gone))
    return len(gone)


async def remove_old_batch_zips(cutoff: datetime.datetime) -> int:
    """The ZIPs of batches finished before `cutoff`: the file goes, the batch stays listed
    (without a download)."""
    rows = await PdfBatch.select(PdfBatch.id, PdfBatch.file_path).where(
        PdfBatch.file_path != "",
        PdfBatch.status.is_in([JobStatus.done.value, JobStatus.failed.value]),
        PdfBatch.finished_at < cutoff,
    )
    removed: list[int] = []
    for row in rows:
        async with audited_write(CLEANER) as audit:
            cleared = (
                await PdfBatch.update({PdfBatch.file_path: ""})
                .where(PdfBatch.id == row["id"], PdfBatch.file_path == row["file_path"])
                .returning(PdfBatch.id)
            )
            if cleared:
                path = stored_file(row["file_path"])
                if path is not None:
                    await asyncio.to_thread(path.unlink, missing_ok=True)
                await audit.record(
                    "update",
                    PdfBatch,
                    row["id"],
                    "ZIP removed after the retention period",
                    {"file_path": [row["file_path"], ""]},
                )
                removed.append(row["id"])
    logger.info("cleanup: removed %s batch ZIPs", len(removed))
    return len(removed)


def _stray_files(folder: Path, named: set[str], cutoff: float) -> int:
    if not folder.is_dir():
        return 0
    count = 0
    for path in folder.iterdir():
        if path.is_file() and path.name not in named and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            count += 1
    return count


async def remove_stray_batch_files(cutoff: datetime.datetime) -> int:
    """Files in the batch folder that no batch names (partial files of a crashed run, ZIPs of
    deleted batches), once they are older than `cutoff`: a run under way is never touched."""
    rows = await PdfBatch.select(PdfBatch.file_path).where(PdfBatch.file_path != "")
    named = {Path(row["file_path"]).name for row in rows}
    count = await asyncio.to_thread(_stray_files, VAR_DIR / BATCH_FOLDER, named, cutoff.timestamp())
    logger.info("cleanup: removed %s stray files from the batch folder", count)
    return count


async def remove_old_addressed_notices(now: datetime.datetime) -> int:
    """Emails to people without an account, sent or given up ADDRESSED_NOTICE_DAYS ago."""
    cutoff = now - datetime.timedelta(days=ADDRESSED_NOTICE_DAYS)
    done = [DeliveryStatus.sent.value, DeliveryStatus.failed.value]
    async with audited_write(CLEANER) as audit:
        gone = (
            await AddressedNotice.delete()
            .where(AddressedNotice.status.is_in(done), AddressedNotice.created_at < cutoff)
            .returning(AddressedNotice.id)
        )
        if gone:
            await audit.record(
                "delete", AddressedNotice, None, f"removed {len(gone)} old addressed notices"
            )
    logger.info("cleanup: removed %s old emails to people without an account", len(gone))
    return len(gone)


async def run_cleanup(now: datetime.datetime | None = None) -> Removed:
    """Every step of the daily cleanup, each with its count in the log."""
    now = now or datetime.datetime.now()
    cutoff = now - datetime.timedelta(days=retention_days())
    try:
        return Removed(
            sessions=await remove_expired_sessions(now),
            import_previews=await remove_unconfirmed_imports(cutoff),
            batch_zips=await remove_old_batch_zips(cutoff),
            stray_files=await remove_stray_batch_files(cutoff),
            addressed_notices=await remove_old_addressed_notices(now),
        )
    except Exception:
        # Counted for the metrics, whatever failed; the caller logs it and tries again later.
        JOB_FAILURES.labels("cleanup").inc()
        raise
