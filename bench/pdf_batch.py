"""Batch PDFs (批量导出成长档案): PDFs per second of a real batch run by the portal's runner,
next to one core's rate measured in the same run, on a SQLite college of rich records.

    .venv/bin/python -m bench.pdf_batch [--records 200] [--floor 12]

1. A fresh SQLite database in a temporary folder, the schema from the migrations.
2. `--records` students of one cohort (bench/seed.py's students), each with a placement in an
   order class, dual mentors, four mentoring logs, two evaluations, two awards and six joint
   activities attended — a record of two to three pages.
3. The floor, one core: the HTML of `--floor` of these records (gathered and rendered exactly
   as the batch does), turned into PDFs one after another with WeasyPrint in this process,
   before and after the batch; the faster of the two counts (the machine may be shared).
4. The batch: a PdfBatch for the cohort, run by `portal.batches.run_once()` — the runner's
   step, with the PDF process pool (portal/pdf.py, one worker per core) warmed up first. The
   ZIP is opened and checked: one PDF per student, no failure.

It prints both rates and their ratio, which approaches the number of cores when the batch
keeps every core busy. The work folder is removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench import seed

COHORT = 2024
ACTIVITIES = 12


def prepare(work_dir: Path) -> None:
    """The database and environment the portal reads, set before any portal import."""
    database_url = f"sqlite:///{work_dir / 'bench.sqlite'}"
    env = {"PORTAL_VAR_DIR": str(work_dir), "SECRET_KEY": secrets.token_urlsafe(32)}
    seed.migrate(database_url, env)
    os.environ.update(seed._subprocess_env(database_url, env))
    os.environ["PORTAL_BATCH_RUNNER"] = "off"


async def seed_records(count: int) -> None:
    """`count` students of one cohort with rich records."""
    from partners import tables as t
    from portal.tables import Award, Student

    rng = random.Random(2026)
    today = dt.date.today()
    await seed.seed_students(count)
    await Student.update({Student.cohort_year: COHORT}, force=True)
    enterprises = await seed.insert_returning_ids(
        t.Enterprise,
        [{"name": f"基准企业{i:04d}", "credit_code": seed.credit_code(i)} for i in range(50)],
    )
    await seed.seed_mentorships(enterprises, count, rng, today)
    organization = (
        await t.JointOrganization.insert(
            t.JointOrganization(kind="joint_branch", name="基准联合党支部")
        ).returning(t.JointOrganization.id)
    )[0]["id"]
    activities = await seed.insert_returning_ids(
        t.Activity,
        [
            {
                "organization": organization,
                "kind": rng.choice(seed.ACTIVITY_KINDS),
                "title": f"联学联建活动{n}：工匠精神专题",
                "held_on": today - dt.timedelta(days=30 * n),
                "place": "党员活动室",
            }
            for n in range(ACTIVITIES)
        ],
    )
    students = [row["id"] for row in await Student.select(Student.id)]
    await seed.insert_returning_ids(
        t.StudentAttendance,
        [
            {"activity": activity, "student": student}
            for student in students
            for activity in rng.sample(activities, 6)
        ],
    )
    await seed.insert_returning_ids(
        Award,
        [
            {
                "student": student,
                "kind": kind,
                "name": name,
                "level": rng.choice(["national", "provincial", "municipal", "school"]),
                "rank": rng.choice(["一等奖", "二等奖", "三等奖"]),
                "awarded_on": today - dt.timedelta(days=rng.randint(30, 600)),
            }
            for student in students
            for kind, name in (("competition", "技能大赛"), ("scholarship", "国家励志奖学金"))
        ],
    )


async def floor_documents(count: int) -> list[str]:
    """The HTML of the first `count` records, made as the batch makes it."""
    from portal.batches import coordinator_view, record_html
    from portal.record import gather_record
    from portal.tables import Student

    viewer = coordinator_view({"requested_by": None})
    today = dt.date.today()
    students = await Student.select().order_by(Student.student_no).limit(count)
    return [record_html(await gather_record(viewer, s), viewer, today) for s in students]


async def run_batch(records: int) -> tuple[float, dict]:
    """Warms the PDF pool, queues a batch for the cohort and times the runner's step."""
    from portal import pdf
    from portal.batches import run_once
    from portal.tables import PdfBatch

    html = (await floor_documents(1))[0]
    await asyncio.gather(*(pdf.render_pdf(html) for _ in range(pdf.worker_count() * 2)))
    await PdfBatch.insert(
        PdfBatch(scope="cohort_year", scope_value=str(COHORT), title="bench", total=records)
    )
    started = time.perf_counter()
    assert await run_once(), "the runner found no batch"
    elapsed = time.perf_counter() - started
    batch = await PdfBatch.select().output(load_json=True).first()
    return elapsed, batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200, help="PDFs in the batch")
    parser.add_argument("--floor", type=int, default=12, help="PDFs rendered one by one")
    args = parser.parse_args(argv)
    work_dir = Path(tempfile.mkdtemp(prefix="portal-bench-batch-"))
    try:
        print(f"preparing {args.records} students with rich records …", flush=True)
        prepare(work_dir)
        asyncio.run(seed_records(args.records))

        from portal import pdf
        from portal.batches import zip_path

        documents = asyncio.run(floor_documents(args.floor))
        for html in documents[:3]:
            pdf.html_to_pdf(html)  # warm-up: fonts and glyph caches
        sizes: list[int] = []

        def one_core_rate() -> float:
            started = time.perf_counter()
            sizes[:] = [len(pdf.html_to_pdf(html)) for html in documents]
            return len(documents) / (time.perf_counter() - started)

        floor_before = one_core_rate()
        print(f"running the batch ({pdf.worker_count()} PDF workers) …", flush=True)
        elapsed, batch = asyncio.run(run_batch(args.records))
        pdf.shutdown_pool()
        floor_after = one_core_rate()  # the machine may be shared: the faster of the two
        floor_rate = max(floor_before, floor_after)
        if batch["status"] != "done" or batch["failures"]:
            print(f"the batch ended {batch['status']}: {batch['failures']}", file=sys.stderr)
            return 1
        with zipfile.ZipFile(zip_path(batch["id"])) as archive:
            names = [n for n in archive.namelist() if n.endswith(".pdf")]
            pdf_bytes = sum(archive.getinfo(n).file_size for n in names)
            if len(names) != args.records or not all(
                archive.read(n).startswith(b"%PDF") for n in names[:5]
            ):
                print(f"the ZIP holds {len(names)} PDFs, not {args.records}", file=sys.stderr)
                return 1
        zip_bytes = zip_path(batch["id"]).stat().st_size
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)

    rate = args.records / elapsed
    print(f"\nbatch PDF export, {os.cpu_count()} cores, {pdf.worker_count()} PDF workers")
    print(f"  one core: WeasyPrint in-process, {len(documents)} records one by one  "
          f"{floor_rate:7.2f} PDFs/s  ({1000 / floor_rate:.0f} ms, "
          f"{sum(sizes) / len(sizes) / 1024:.0f} KB per PDF; before the batch "
          f"{floor_before:.2f}, after {floor_after:.2f})")  # fmt: skip
    print(f"  the batch: {args.records} records through the runner            "
          f"{rate:7.2f} PDFs/s  ({elapsed:.1f} s, ZIP {zip_bytes / 2**20:.1f} MB "
          f"of {pdf_bytes / 2**20:.1f} MB of PDFs)")  # fmt: skip
    print(f"  ratio batch / one core                                 {rate / floor_rate:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
