"""Batch PDFs (批量导出成长档案): PDFs per second of a real batch run by the portal's runner,
next to one core's rate measured in the same run, on a SQLite college of rich records.

    .venv/bin/python -m bench.pdf_batch [--records 200] [--floor 12]

1. A fresh SQLite database in a temporary folder, the schema from the migrations.
2. `--records` students of one cohort with full records (bench/record_data.py: the three-page
   record bench/pdf.py measures).
3. The floor, one core: `--floor` of these records (read exactly as the batch reads them),
   rendered and laid out one after another in this process as a PDF worker does, before and
   after the batch; the faster of the two counts (the machine may be shared).
4. The batch: a PdfBatch for the cohort, run by `college.batches.make_batch()` — the batch
   job, with the PDF process pool (portal/pdf.py, one worker per core) warmed up first. The
   ZIP is opened and checked: one PDF per student, no failure.

It prints both rates and their ratio, which approaches the number of cores when the batch
keeps every core busy. The work folder is removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import secrets
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from bench import seed
from bench.record_data import COHORT, seed_rich_records


def prepare(work_dir: Path) -> None:
    """The database and environment the portal reads, set before any portal import."""
    database_url = f"sqlite:///{work_dir / 'bench.sqlite'}"
    env = {"PORTAL_VAR_DIR": str(work_dir), "SECRET_KEY": secrets.token_urlsafe(32)}
    seed.migrate(database_url, env)
    os.environ.update(seed._subprocess_env(database_url, env))
    os.environ["PORTAL_BATCH_RUNNER"] = "off"


async def floor_documents(count: int) -> list[Any]:
    """The documents of the first `count` records, read as the batch reads them."""
    from college.batches import coordinator_view, students_in_scope
    from college.record import RecordDocument, gather_record

    viewer = coordinator_view({"requested_by": None})
    today = dt.date.today()
    students = (await students_in_scope("cohort_year", str(COHORT)))[:count]
    return [RecordDocument(await gather_record(viewer, s), today) for s in students]


async def run_batch(records: int) -> tuple[float, dict]:
    """Warms the PDF pool, queues a batch for the cohort and times the runner's step."""
    from college.batches import make_batch
    from portal import pdf
    from portal.tables import PdfBatch

    document = (await floor_documents(1))[0]
    await asyncio.gather(
        *(pdf.render_document(document, "zh_CN") for _ in range(pdf.worker_count() * 2))
    )
    queued = await PdfBatch.insert(
        PdfBatch(scope="cohort_year", scope_value=str(COHORT), title="bench", total=records)
    ).returning(PdfBatch.id)
    started = time.perf_counter()
    assert await make_batch(queued[0]["id"]), "the batch job found no batch"
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
        asyncio.run(seed_rich_records(args.records))

        from college.batches import zip_path
        from portal import pdf

        documents = asyncio.run(floor_documents(args.floor))
        for document in documents[:3]:
            pdf.document_to_pdf(document, "zh_CN")  # warm-up: fonts and glyph caches
        sizes: list[int] = []

        def one_core_rate() -> float:
            started = time.perf_counter()
            sizes[:] = [len(pdf.document_to_pdf(d, "zh_CN")) for d in documents]
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
