"""Batch PDF export (批量导出成长档案): a coordinator exports the records of a class, major,
cohort or department as a ZIP of PDFs, made in the background with progress (by `portal
worker` on PostgreSQL, by the server itself on SQLite); a failing record is reported, not
fatal; a failing run is tried again, then fails; a batch left running by a stopped server or a
killed worker is made again. Killing a real worker: tests/portal/test_worker_killed.py."""

from __future__ import annotations

import asyncio
import datetime
import io
import json
import shutil
import zipfile
from urllib.parse import quote

import pytest
from pypdf import PdfReader

import college.batches as batches
from college.batches import (
    claim_batch,
    count_in_scope,
    pdf_name,
    queue_depth,
    requeue_stale,
    run_batch,
)
from college.batches import (
    make_batch as make_batch_job,
)
from college.jobs.local import LocalJobs
from portal.metrics import JOB_FAILURES
from portal.tables import AuditEntry, JobStatus, PdfBatch, Student
from tests.conftest import uses_postgres
from tests.portal.batch_support import (
    batch_row,
    make_batch,
    make_finished_batch,
    queued_jobs,
    run_jobs,
)
from tests.support import (
    make_enterprise,
    make_mentor,
    make_mentorship,
    make_student,
    run,
)

CLASS = "数控技术2301班"


@pytest.fixture(autouse=True)
def no_background_runner(monkeypatch):
    """These tests run the jobs themselves: the app's own runner stays off. Ids restart with
    every test, so the files of earlier tests' batches go too."""
    monkeypatch.setenv("PORTAL_BATCH_RUNNER", "off")
    shutil.rmtree(batches.VAR_DIR / "batches", ignore_errors=True)


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


@pytest.fixture
def class_students(people) -> list[int]:
    """Three students of one class (the first with a mentorship, so its record has content)
    and one of another class."""
    ids = [
        make_student(class_name=CLASS, major="数控技术", cohort_year=2023, name=name)
        for name in ("张三", "李四", "王五")
    ]
    make_mentorship(make_enterprise(), ids[0], make_mentor())
    make_student(class_name="数控技术2302班", major="数控技术", cohort_year=2023)
    return ids


def start(coordinator, target: str = f"class_name:{CLASS}"):
    return coordinator.post("/records/batches/", {"target": target})


def students_of(ids: list[int]) -> list[dict]:
    return run(Student.select().where(Student.id.is_in(ids)).order_by(Student.student_no))


def open_zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.content))


# --- who may export ------------------------------------------------------------------------


def test_only_coordinators_see_the_batch_export(signed_in, people):
    batch_id = make_finished_batch()
    for role in ("partner", "student", "mentor"):
        browser = signed_in(role)
        for path in ("/records/batches/", f"/records/batches/{batch_id}"):
            assert browser.get(path).status_code == 404, (role, path)
        assert browser.get(f"/records/batches/{batch_id}/download").status_code == 404, role
        assert browser.post("/records/batches/", {"target": "major:数控技术"}).status_code == 404
    assert run(PdfBatch.count()) == 1


def test_the_student_list_links_to_the_batch_export(coordinator):
    soup = coordinator.soup(coordinator.get("/students/"))
    assert soup.select_one('a[href$="/records/batches/"]') is not None


# --- starting a batch ----------------------------------------------------------------------


def test_the_form_offers_each_class_major_cohort_and_department(coordinator, class_students):
    response = coordinator.get("/records/batches/")
    assert response.status_code == 200
    assert response.template.name == "college/batch_list.html"
    soup = coordinator.soup(response)
    values = {option["value"] for option in soup.select("#f-target optgroup option")}
    assert {
        f"class_name:{CLASS}",
        "class_name:数控技术2302班",
        "major:数控技术",
        "cohort_year:2023",
        "department:智能制造学院",
    } <= values
    assert len(soup.select("#f-target optgroup")) == 4
    assert soup.select_one('label[for="f-target"]') is not None


def test_a_coordinator_starts_a_batch_for_a_class(coordinator, class_students, people):
    response = start(coordinator)
    assert response.status_code == 303
    batch = run(PdfBatch.select().first())
    assert response.headers["location"].endswith(f"/records/batches/{batch['id']}")
    assert batch["status"] == JobStatus.queued.value
    assert (batch["scope"], batch["scope_value"]) == ("class_name", CLASS)
    assert batch["total"] == 3
    assert batch["requested_by"] == people.coordinator_user
    entry = run(AuditEntry.select().where(AuditEntry.table_name == "portal_pdf_batch").first())
    assert entry["action"] == "create" and entry["username"] == "coord"


@pytest.mark.parametrize(
    "target",
    ["", "class_name", "nonsense:数控技术2301班", "cohort_year:twenty", "class_name:没有这个班"],
)
def test_a_batch_needs_a_group_with_students(coordinator, class_students, target):
    response = start(coordinator, target)
    assert response.status_code == 400
    assert coordinator.field_error(response, "target")
    assert run(PdfBatch.count()) == 0


def test_starting_the_same_group_twice_opens_the_batch_under_way(coordinator, class_students):
    first = start(coordinator)
    second = start(coordinator)
    assert second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert run(PdfBatch.count()) == 1


def test_each_scope_counts_its_own_students(class_students):
    assert run(count_in_scope("class_name", CLASS)) == 3
    assert run(count_in_scope("major", "数控技术")) == 4
    assert run(count_in_scope("cohort_year", "2023")) == 4
    assert run(count_in_scope("department", "智能制造学院")) >= 4  # with people's students
    assert run(count_in_scope("department", "没有这个学院")) == 0


# --- running it ----------------------------------------------------------------------------


def test_a_batch_runs_to_done_with_one_pdf_per_student(coordinator, class_students):
    batch_id = int(start(coordinator).headers["location"].rsplit("/", 1)[1])
    progress = coordinator.get(f"/records/batches/{batch_id}/progress").json()
    assert (progress["status"], progress["done"], progress["total"]) == ("queued", 0, 3)
    assert progress["finished"] is False

    run_jobs()

    batch = batch_row(batch_id)
    assert (batch["status"], batch["done"], batch["total"]) == ("done", 3, 3)
    assert batch["failures"] == [] and batch["finished_at"] is not None
    progress = coordinator.get(f"/records/batches/{batch_id}/progress").json()
    assert progress == {**progress, "done": 3, "total": 3, "finished": True, "text": "3 / 3"}

    download = coordinator.get(f"/records/batches/{batch_id}/download")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('成长档案-' + CLASS + '.zip')}" in disposition
    archive = open_zip(download)
    expected = {f"{s['student_no']}-{s['name']}.pdf" for s in students_of(class_students)}
    assert set(archive.namelist()) == expected
    for name in expected:
        assert archive.read(name).startswith(b"%PDF")
    first = students_of(class_students[:1])[0]
    reader = PdfReader(io.BytesIO(archive.read(f"{first['student_no']}-{first['name']}.pdf")))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    assert first["name"] in text and "数控机床安全操作规程" in text  # the record's own log


def test_the_progress_page_moves_while_running_and_offers_the_zip_when_done(
    coordinator, class_students
):
    batch_id = int(start(coordinator).headers["location"].rsplit("/", 1)[1])
    page = coordinator.get(f"/records/batches/{batch_id}")
    assert page.template.name == "college/batch_detail.html"
    soup = coordinator.soup(page)
    section = soup.select_one("[data-progress-url]")
    assert section["data-progress-url"].endswith(f"/records/batches/{batch_id}/progress")
    assert soup.select_one("progress#batch-progress")["max"] == "3"
    assert soup.select_one("#batch-progress-text")["aria-live"] == "polite"
    assert soup.select_one('script[src$="/static/batches.js"]') is not None
    assert soup.select_one('noscript meta[http-equiv="refresh"]') is not None
    assert soup.select_one("#batch-download") is None

    run_jobs()
    soup = coordinator.soup(coordinator.get(f"/records/batches/{batch_id}"))
    assert soup.select_one("[data-progress-url]") is None  # no more polling
    bar = soup.select_one("progress#batch-progress")
    assert (bar["value"], bar["max"]) == ("3", "3")
    assert soup.select_one("#batch-download")["href"].endswith(f"/{batch_id}/download")
    listed = coordinator.soup(coordinator.get("/records/batches/"))
    assert listed.select_one(f'a[href$="/records/batches/{batch_id}/download"]') is not None


def test_a_failing_record_is_reported_and_the_others_are_made(
    coordinator, class_students, monkeypatch
):
    broken = students_of(class_students[1:2])[0]
    gather = batches.gather_record

    async def gather_or_fail(viewer, student):
        if student.id == broken["id"]:
            raise RuntimeError("record gathering broke")
        return await gather(viewer, student)

    monkeypatch.setattr(batches, "gather_record", gather_or_fail)
    batch_id = int(start(coordinator).headers["location"].rsplit("/", 1)[1])
    run_jobs()

    batch = batch_row(batch_id)
    assert (batch["status"], batch["done"], batch["total"]) == ("done", 3, 3)
    assert batch["failures"] == [
        {
            "student_no": broken["student_no"],
            "name": broken["name"],
            "error": "RuntimeError: record gathering broke",
        }
    ]
    archive = open_zip(coordinator.get(f"/records/batches/{batch_id}/download"))
    pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(pdfs) == 2 and pdf_name(broken["student_no"], broken["name"]) not in pdfs
    assert broken["student_no"] in archive.read("failures.txt").decode()
    soup = coordinator.soup(coordinator.get(f"/records/batches/{batch_id}"))
    assert broken["student_no"] in soup.select_one("table.batch-failures").get_text()


def test_a_queued_batch_says_so_and_a_running_one_shows_its_count_and_start(
    coordinator, class_students
):
    batch_id = int(start(coordinator).headers["location"].rsplit("/", 1)[1])
    soup = coordinator.soup(coordinator.get(f"/records/batches/{batch_id}"))
    assert "排队中" in soup.select_one("#batch-progress-text").get_text()
    assert "0/" not in soup.select_one(".batch-progress").get_text().replace(" ", "")
    assert soup.select_one("#batch-started").get_text().strip() not in ("", "—")
    progress = coordinator.get(f"/records/batches/{batch_id}/progress").json()
    assert "排队中" in progress["text"] and progress["started"] == ""
    listed = coordinator.soup(coordinator.get("/records/batches/"))
    row = listed.select_one(f'a[href$="/records/batches/{batch_id}"]').find_parent("tr")
    assert "排队中" in row.get_text() and "0/" not in row.get_text().replace(" ", "")

    started = datetime.datetime(2026, 11, 30, 9, 15)
    run(
        PdfBatch.update(
            {
                PdfBatch.status: JobStatus.running.value,
                PdfBatch.done: 2,
                PdfBatch.started_at: started,
            }
        ).where(PdfBatch.id == batch_id)
    )
    soup = coordinator.soup(coordinator.get(f"/records/batches/{batch_id}"))
    text = soup.select_one("#batch-progress-text").get_text()
    assert "2 / 3" in text and "2026-11-30 09:15" in text and "排队中" not in text
    assert soup.select_one("#batch-started").get_text().strip() == "2026-11-30 09:15"
    progress = coordinator.get(f"/records/batches/{batch_id}/progress").json()
    assert (progress["text"], progress["started"]) == (text, "2026-11-30 09:15")
    listed = coordinator.soup(coordinator.get("/records/batches/"))
    row = listed.select_one(f'a[href$="/records/batches/{batch_id}"]').find_parent("tr")
    assert "2 / 3" in row.get_text() and "2026-11-30 09:15" in row.get_text()


def test_a_batch_that_cannot_write_its_zip_is_tried_again_then_fails_and_offers_nothing(
    coordinator, class_students, monkeypatch
):
    def refuse(path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(batches, "_open_archive", refuse)
    failed_before = JOB_FAILURES.labels("pdf_batch")._value.get()
    batch_id = int(start(coordinator).headers["location"].rsplit("/", 1)[1])
    run_jobs()  # the first run fails: the batch waits for its next try
    batch = batch_row(batch_id)
    assert (batch["status"], batch["done"], batch["started_at"]) == ("queued", 0, None)
    assert "排队中" in coordinator.get(f"/records/batches/{batch_id}/progress").json()["text"]
    if uses_postgres():  # the queue tries again after its back-off
        [job] = queued_jobs()
        assert (job["status"], job["attempts"]) == ("todo", 1)
    assert JOB_FAILURES.labels("pdf_batch")._value.get() == failed_before

    assert run(make_batch_job(batch_id, final=True)) is True  # the last try fails too
    batch = batch_row(batch_id)
    assert batch["status"] == "failed" and batch["file_path"] == ""
    assert "No space left on device" in batch["failures"][-1]["error"]
    assert JOB_FAILURES.labels("pdf_batch")._value.get() == failed_before + 1
    assert coordinator.get(f"/records/batches/{batch_id}/download").status_code == 404
    page = coordinator.get(f"/records/batches/{batch_id}")
    assert coordinator.soup(page).select_one("p.error[role=alert]") is not None
    assert not list((batches.VAR_DIR / "batches").glob(f"batch-{batch_id}.*"))


def test_the_queue_depth_counts_waiting_and_running_batches(class_students):
    make_batch(scope_value="甲班")
    make_batch(scope_value="乙班")
    make_batch(scope_value="丙班", status="running")
    make_finished_batch(scope_value="丁班")
    assert run(queue_depth()) == {"queued": 2, "running": 1}


def test_record_file_names_are_safe_in_any_file_system():
    assert pdf_name("2024000123", "张三") == "2024000123-张三.pdf"
    assert pdf_name("2024/01", 'a:b*"c') == "2024_01-a_b__c.pdf"


# --- restarts and several workers ----------------------------------------------------------


def test_a_batch_job_is_queued_with_its_batch(coordinator, class_students):
    batch_id = int(start(coordinator).headers["location"].rsplit("/", 1)[1])
    start(coordinator)  # a second click: the same batch, no second job
    if not uses_postgres():
        assert queue_depth_now() == {"queued": 1, "running": 0}  # the server's runner's work
        return
    [job] = queued_jobs()
    assert (job["task_name"], job["status"], job["attempts"]) == ("pdf_batch", "todo", 0)
    assert json.loads(job["args"]) == {"batch_id": batch_id}
    assert job["lock"] == job["queueing_lock"] == f"pdf-batch-{batch_id}"


def queue_depth_now() -> dict[str, int]:
    return run(queue_depth())


def test_a_batch_left_running_by_a_stopped_server_is_queued_again(monkeypatch, class_students):
    monkeypatch.setenv("PORTAL_BATCH_STALE_SECONDS", "120")
    now = datetime.datetime.now()
    stopped = make_batch(
        status="running",
        done=2,
        started_at=now - datetime.timedelta(minutes=10),
        heartbeat_at=now - datetime.timedelta(seconds=121),
    )
    alive = make_batch(
        scope_value="其他班",
        status="running",
        started_at=now,
        heartbeat_at=now - datetime.timedelta(seconds=119),
    )
    partial = batches.VAR_DIR / "batches" / f"batch-{stopped}.dead.part"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"PK half a zip")

    assert run(requeue_stale(now)) == [stopped]
    row = batch_row(stopped)
    assert (row["status"], row["done"], row["heartbeat_at"]) == ("queued", 0, None)
    assert not partial.exists()
    assert batch_row(alive)["status"] == "running"
    # The server's runner (SQLite) claims it and finishes it.
    run(PdfBatch.update({PdfBatch.scope_value: CLASS}).where(PdfBatch.id == stopped))
    monkeypatch.setenv("PORTAL_BATCH_STALE_SECONDS", "3600")  # leave `alive` alone
    assert run(LocalJobs(poll=0).step()) is True
    assert (batch_row(stopped)["status"], batch_row(stopped)["done"]) == ("done", 3)


def test_a_batch_whose_worker_died_is_made_again_from_the_start(class_students):
    """The queue ran the job again (its worker was killed): the batch is still marked running,
    with the dead run's progress and partial file."""
    stopped = make_batch(
        scope_value=CLASS,
        status="running",
        done=2,
        started_at=datetime.datetime.now() - datetime.timedelta(minutes=3),
    )
    partial = batches.VAR_DIR / "batches" / f"batch-{stopped}.dead.part"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"PK half a zip")

    assert run(make_batch_job(stopped)) is False  # the server's runner takes only queued ones
    assert run(make_batch_job(stopped, take_over=True)) is True
    row = batch_row(stopped)
    assert (row["status"], row["done"], row["total"]) == ("done", 3, 3)
    assert not partial.exists()
    left = [path.name for path in (batches.VAR_DIR / "batches").iterdir()]
    assert left == [f"batch-{stopped}.zip"]
    with zipfile.ZipFile(batches.VAR_DIR / "batches" / left[0]) as archive:
        assert archive.testzip() is None and len(archive.namelist()) == 3
    assert run(make_batch_job(stopped, take_over=True)) is False  # done: nothing more to do


def test_two_runners_cannot_claim_the_same_batch(class_students):
    batch_id = make_batch(scope_value=CLASS)

    async def two_at_once():
        return await asyncio.gather(claim_batch(batch_id), claim_batch(batch_id))

    claims = run(two_at_once())
    assert sorted(c is None for c in claims) == [False, True]
    winner = next(c for c in claims if c is not None)
    assert winner["id"] == batch_id
    assert batch_row(batch_id)["status"] == "running"
    assert run(claim_batch(batch_id)) is None


def test_a_run_that_lost_its_batch_stops_without_touching_it(class_students):
    batch_id = make_batch(scope_value=CLASS, total=3)
    batch = run(claim_batch(batch_id))
    # Meanwhile another worker thought this run dead and queued the batch again.
    run(PdfBatch.update({PdfBatch.status: "queued", PdfBatch.started_at: None}, force=True))
    run(run_batch(batch))
    row = batch_row(batch["id"])
    assert (row["status"], row["done"], row["file_path"]) == ("queued", 0, "")
    assert not list((batches.VAR_DIR / "batches").glob(f"batch-{batch['id']}.*"))


@pytest.mark.skipif(uses_postgres(), reason="on PostgreSQL the server runs no jobs")
def test_a_server_stopping_mid_batch_puts_it_back_in_the_queue(monkeypatch, class_students):
    monkeypatch.setenv("PORTAL_BATCH_RUNNER", "on")
    monkeypatch.setenv("PORTAL_PDF_WORKERS", "1")  # two records at a time: one left waiting
    batch_id = make_batch(scope_value=CLASS)

    async def start_and_stop():
        gate = asyncio.Event()
        started: list[str] = []

        async def held_record(student, viewer, today):
            started.append(student.student_no)
            await gate.wait()
            return b"%PDF-1.7 test"

        monkeypatch.setattr(batches, "record_pdf", held_record)
        runner = LocalJobs(poll=0.01)
        runner.start()
        async with asyncio.timeout(30):  # until the runner has claimed it and started two
            while len(started) < 2:
                await asyncio.sleep(0.01)
        stopping = asyncio.create_task(runner.stop())
        await asyncio.sleep(0.05)
        gate.set()  # the records under way finish; the third is never started
        await stopping
        return started

    assert len(run(start_and_stop())) == 2
    row = batch_row(batch_id)
    assert (row["status"], row["done"], row["started_at"]) == ("queued", 0, None)
    assert not list((batches.VAR_DIR / "batches").glob(f"batch-{batch_id}.*"))


def test_the_server_runs_no_jobs_when_told_so_or_on_postgresql(monkeypatch):
    async def started() -> bool:
        runner = LocalJobs()
        runner.start()
        running = runner.task is not None
        await runner.stop()
        return running

    monkeypatch.setenv("PORTAL_BATCH_RUNNER", "off")
    assert run(started()) is False
    monkeypatch.setenv("PORTAL_BATCH_RUNNER", "on")
    assert run(started()) is not uses_postgres()


# --- missing and unfinished batches --------------------------------------------------------


def test_a_missing_batch_is_not_found(coordinator):
    for path in ("/records/batches/99", "/records/batches/99/progress"):
        assert coordinator.get(path).status_code == 404
    assert coordinator.get("/records/batches/99/download").status_code == 404


def test_an_unfinished_batch_has_nothing_to_download(coordinator, class_students):
    batch_id = int(start(coordinator).headers["location"].rsplit("/", 1)[1])
    assert coordinator.get(f"/records/batches/{batch_id}/download").status_code == 404


def test_the_list_shows_past_batches_newest_first(coordinator):
    older = make_finished_batch(scope_value="甲班")
    newer = make_batch(scope_value="乙班")
    soup = coordinator.soup(coordinator.get("/records/batches/"))
    links = [a["href"] for a in soup.select("table.batch-table th[scope=row] a")]
    assert [link.rsplit("/", 1)[1] for link in links] == [str(newer), str(older)]
