"""The daily cleanup (清理): expired sessions, import previews never confirmed and batch ZIPs
older than PORTAL_RETENTION_DAYS go, each with its count in the log and the audit log; what
is recent, confirmed or in use stays."""

from __future__ import annotations

import datetime
import logging
import os
import shutil

import pytest
from piccolo_api.session_auth.tables import SessionsBase

import college.batches as batches
from college.jobs.cleanup import retention_days, run_cleanup
from portal.tables import AddressedNotice, AuditEntry, ImportBatch, JobStatus, PdfBatch
from tests.portal.batch_support import batch_row, make_batch, make_finished_batch
from tests.support import insert_id, run

NOW = datetime.datetime(2026, 11, 30, 3, 17)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def empty_batch_folder():
    shutil.rmtree(batches.VAR_DIR / "batches", ignore_errors=True)


def make_session(user_id: int, expiry: datetime.datetime, limit: datetime.datetime) -> int:
    token = f"token-{expiry.isoformat()}-{limit.isoformat()}"
    return insert_id(
        SessionsBase, token=token, user_id=user_id, expiry_date=expiry, max_expiry_date=limit
    )


def make_import(status: str, age: datetime.timedelta) -> int:
    return insert_id(
        ImportBatch, kind="students", file_name="学生.xlsx", status=status, created_at=NOW - age
    )


def test_the_retention_period_is_seven_days_unless_set(monkeypatch):
    monkeypatch.delenv("PORTAL_RETENTION_DAYS", raising=False)
    assert retention_days() == 7
    monkeypatch.setenv("PORTAL_RETENTION_DAYS", "30")
    assert retention_days() == 30


def test_expired_sessions_go_and_live_ones_stay(people):
    user = people.coordinator_user
    past_expiry = make_session(user, NOW - DAY, NOW + DAY)
    past_limit = make_session(user, NOW + DAY, NOW - DAY)
    alive = make_session(user, NOW + DAY, NOW + 7 * DAY)

    removed = run(run_cleanup(NOW))
    assert removed.sessions == 2
    left = {row["id"] for row in run(SessionsBase.select(SessionsBase.id))}
    assert alive in left and not {past_expiry, past_limit} & left


def test_unconfirmed_import_previews_go_after_the_retention_period(caplog):
    old_preview = make_import("previewed", 8 * DAY)
    old_discarded = make_import("discarded", 8 * DAY)
    recent_preview = make_import("previewed", 6 * DAY)
    old_applied = make_import("applied", 30 * DAY)
    old_failed = make_import("failed", 30 * DAY)

    with caplog.at_level(logging.INFO, logger="college.jobs.cleanup"):
        removed = run(run_cleanup(NOW))
    assert removed.import_previews == 2
    left = {row["id"] for row in run(ImportBatch.select(ImportBatch.id))}
    assert left == {recent_preview, old_applied, old_failed}
    assert not {old_preview, old_discarded} & left
    assert "removed 2 unconfirmed import previews" in caplog.text
    entry = run(AuditEntry.select().where(AuditEntry.table_name == "portal_import_batch").first())
    assert entry["action"] == "delete" and entry["username"] == "cleanup"


def test_old_batch_zips_go_and_their_batches_stay_listed(signed_in, monkeypatch, caplog):
    monkeypatch.setenv("PORTAL_RETENTION_DAYS", "7")
    old = make_finished_batch(scope_value="甲班")
    recent = make_finished_batch(scope_value="乙班")
    run(PdfBatch.update({PdfBatch.finished_at: NOW - 8 * DAY}).where(PdfBatch.id == old))
    run(PdfBatch.update({PdfBatch.finished_at: NOW - DAY}).where(PdfBatch.id == recent))
    waiting = make_batch(scope_value="丙班", status=JobStatus.queued.value)

    with caplog.at_level(logging.INFO, logger="college.jobs.cleanup"):
        removed = run(run_cleanup(NOW))
    assert removed.batch_zips == 1
    assert "removed 1 batch ZIPs" in caplog.text
    assert not batches.zip_path(old).exists() and batches.zip_path(recent).exists()
    assert (batch_row(old)["status"], batch_row(old)["file_path"]) == ("done", "")
    assert batch_row(waiting)["status"] == "queued"

    coordinator = signed_in("coordinator")
    assert coordinator.get(f"/records/batches/{old}/download").status_code == 404
    assert coordinator.get(f"/records/batches/{recent}/download").status_code == 200
    page = coordinator.soup(coordinator.get(f"/records/batches/{old}"))
    assert page.select_one("#batch-download") is None
    assert "已不存在" in page.select_one("p.empty").get_text()  # and to export it again


def test_stray_files_in_the_batch_folder_go_once_old(people):
    kept = make_finished_batch(scope_value="甲班")
    folder = batches.VAR_DIR / "batches"
    stray_old = folder / "batch-99.1a2b3c4d.part"  # a crashed run's partial file
    stray_recent = folder / "batch-98.5e6f7a8b.part"  # perhaps a run under way
    for path in (stray_old, stray_recent):
        path.write_bytes(b"PK")
    old_time = (NOW - 8 * DAY).timestamp()
    os.utime(stray_old, (old_time, old_time))
    os.utime(batches.zip_path(kept), (old_time, old_time))  # named by its batch: kept

    removed = run(run_cleanup(datetime.datetime.now()))
    assert removed.stray_files == 1
    assert not stray_old.exists() and stray_recent.exists()
    assert batches.zip_path(kept).exists()


def make_addressed_notice(status: str, age: datetime.timedelta) -> int:
    return insert_id(
        AddressedNotice,
        kind="weekly_log_to_confirm",
        email="qian@enterprise.example",
        subject="学生3的实习周志待确认",
        link="/weekly-logs/1",
        dedupe_key=f"eqian@enterprise.example:{status}:{age.days}",
        created_at=NOW - age,
        status=status,
        due_at=NOW - age,
    )


def test_emails_to_people_without_an_account_go_after_90_days_once_done():
    old_sent = make_addressed_notice("sent", 91 * DAY)
    old_failed = make_addressed_notice("failed", 120 * DAY)
    old_pending = make_addressed_notice("pending", 91 * DAY)  # still to try: kept
    recent = make_addressed_notice("sent", 89 * DAY)
    assert run(run_cleanup(NOW)).addressed_notices == 2
    left = {row["id"] for row in run(AddressedNotice.select(AddressedNotice.id))}
    assert left == {old_pending, recent} and not left & {old_sent, old_failed}


def test_a_cleanup_with_nothing_to_remove_says_so(caplog):
    with caplog.at_level(logging.INFO, logger="college.jobs.cleanup"):
        removed = run(run_cleanup(NOW))
    assert (removed.sessions, removed.import_previews, removed.batch_zips) == (0, 0, 0)
    assert "removed 0 expired sessions" in caplog.text
    assert run(AuditEntry.count()) == 0


def test_a_failed_cleanup_is_counted(monkeypatch):
    import college.jobs.cleanup as cleanup
    from portal.metrics import JOB_FAILURES

    async def broken(now):
        raise OSError("disk gone")

    monkeypatch.setattr(cleanup, "remove_expired_sessions", broken)
    before = JOB_FAILURES.labels("cleanup")._value.get()
    with pytest.raises(OSError):
        run(run_cleanup(NOW))
    assert JOB_FAILURES.labels("cleanup")._value.get() == before + 1
