"""Import of 20,000 students (导入): preview (read + check) and apply, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.import_rows [--rows 20000] [--engine sqlite|postgres|both]

It writes a students workbook the way a registrar's system exports it (Chinese header, 男/女,
date cells, 2024级, 共青团员 …; the rows of bench/seed.py), then, per engine, on a fresh
database built by the project's migrations (as bench.run does):

1. preview: read the .xlsx, check every row with the student form's rule, look up existing
   student numbers in chunks — the work of POST /students/import; then store the batch;
2. apply: write all rows in one transaction (POST /imports/{id}/confirm);
3. the same file with every phone number changed: preview and apply 20,000 updates.

The import runs in a child process whose Piccolo engine reads that database's DATABASE_URL,
calling the functions the handlers call. Figures are wall-clock seconds and rows per second.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import seed

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test"
HEADER = ["学号", "姓名", "性别", "出生日期", "院系", "专业", "班级", "年级", "政治面貌", "手机号"]
GENDERS = {"M": "男", "F": "女"}
POLITICAL = {"01": "中共党员", "02": "中共预备党员", "03": "共青团员", "13": "群众"}


def registrar_rows(count: int, new_phones: bool = False) -> list[list[Any]]:
    """The bench students as cells of a registrar's sheet (with every phone changed)."""
    rows = []
    for student in seed.student_rows(count):
        phone = student["phone"]
        if new_phones:
            phone = phone[:-4] + f"{(int(phone[-4:]) + 1) % 10_000:04d}"
        rows.append(
            [
                student["student_no"],
                student["name"],
                GENDERS[student["gender"]],
                student["birth_date"],
                student["department"],
                student["major"],
                student["class_name"],
                f"{student['cohort_year']}级",
                POLITICAL[student["political_status"]],
                phone,
            ]
        )
    return rows


def workbook(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("学生名单")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the child: one engine ------------------------------------------------------------------


async def import_once(path: Path, expected: dict[str, int]) -> dict[str, float]:
    from piccolo.engine import engine_finder

    from college.importing.applying import apply_batch, store_preview
    from college.importing.kinds import SPECS
    from college.importing.preview import build_preview
    from college.importing.reading import read_sheet
    from portal.audit import Actor

    content = path.read_bytes()
    actor = Actor(None, "bench")
    figures: dict[str, float] = {}
    engine = engine_finder()
    await engine.start_connection_pool()
    try:
        started = time.perf_counter()
        read_sheet(content)
        figures["read_xlsx_s"] = time.perf_counter() - started

        started = time.perf_counter()
        preview = await build_preview(SPECS["students"], content, dt.date.today())
        figures["preview_s"] = time.perf_counter() - started
        counts = preview.counts()
        if preview.problems or any(counts[name] != n for name, n in expected.items()):
            raise SystemExit(f"unexpected preview: {counts}, problems {preview.problems[:3]}")

        started = time.perf_counter()
        batch_id = await store_preview(actor, preview, path.name)
        figures["store_s"] = time.perf_counter() - started

        started = time.perf_counter()
        outcome = await apply_batch(batch_id, actor)
        figures["apply_s"] = time.perf_counter() - started
        if outcome.status != "applied":
            raise SystemExit(f"apply failed: {outcome.message}")
    finally:
        await engine.close_connection_pool()
    return figures


def child(args: argparse.Namespace) -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    expected = json.loads(args.expect)
    figures = asyncio.run(import_once(Path(args.child), expected))
    print(json.dumps(figures))
    return 0


# --- the parent: files, databases, report ---------------------------------------------------


def run_child(database_url: str, env: dict[str, str], path: Path, expect: dict[str, int]):
    command = [sys.executable, "-m", "bench.import_rows", "--child", str(path)]
    command += ["--expect", json.dumps(expect)]
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env=seed._subprocess_env(database_url, env),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"import failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def measure_engine(engine: str, args: argparse.Namespace, files: dict[str, Path]) -> dict:
    work_dir = Path(tempfile.mkdtemp(prefix=f"portal-import-bench-{engine}-"))
    label = ""
    try:
        if engine == "sqlite":
            database_url = f"sqlite:///{work_dir / 'bench.sqlite'}"
        else:
            label = f"portal_import_bench_{secrets.token_hex(4)}"
            asyncio.run(seed.create_postgres_database(args.pg_admin_url, label))
            database_url = f"{args.pg_admin_url.rpartition('/')[0]}/{label}"
        env = {"PORTAL_VAR_DIR": str(work_dir), "SECRET_KEY": secrets.token_urlsafe(32)}
        seed.migrate(database_url, env)
        created = run_child(database_url, env, files["create"], {"create": args.rows})
        updated = run_child(database_url, env, files["update"], {"update": args.rows})
        return {"engine": engine, "create": created, "update": updated}
    finally:
        if label:
            asyncio.run(seed.drop_postgres_database(args.pg_admin_url, label))
        shutil.rmtree(work_dir, ignore_errors=True)


def report(result: dict, rows: int) -> str:
    lines = [f"\n== {result['engine']}: {rows:,} rows"]
    lines.append(f"{'':34}{'seconds':>9}{'rows/s':>10}")
    for phase, title in (("create", "new students"), ("update", "updates")):
        figures = result[phase]
        for key, name in (
            ("read_xlsx_s", "read .xlsx"),
            ("preview_s", "preview (read+check)"),
            ("store_s", "store the batch"),
            ("apply_s", "apply (1 transaction)"),
        ):
            seconds = figures[key]
            lines.append(f"{title:12} {name:21}{seconds:9.2f}{rows / seconds:10,.0f}")
        total = figures["preview_s"] + figures["store_s"] + figures["apply_s"]
        lines.append(f"{title:12} {'upload to written':21}{total:9.2f}{rows / total:10,.0f}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--pg-admin-url", default=os.environ.get("BENCH_PG_ADMIN_URL", DEFAULT_PG_ADMIN_URL)
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--expect", default="{}", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    with tempfile.TemporaryDirectory(prefix="portal-import-files-") as folder:
        started = time.perf_counter()
        files = {
            "create": Path(folder) / "students.xlsx",
            "update": Path(folder) / "students-new-phones.xlsx",
        }
        files["create"].write_bytes(workbook(registrar_rows(args.rows)))
        files["update"].write_bytes(workbook(registrar_rows(args.rows, new_phones=True)))
        size = files["create"].stat().st_size / 1e6
        print(
            f"{args.rows:,}-row workbook: {size:.1f} MB, written in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
        for engine in engines:
            print(report(measure_engine(engine, args, files), args.rows), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
