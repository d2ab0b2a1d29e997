"""The talent pool's full re-score next to its floor, in one run, on SQLite or PostgreSQL.

    .venv/bin/python -m bench.talent_pool [--students 20000] [--repeat 3] [--postgres] [--keep]

A fresh database (a SQLite file in a temporary folder; with ``--postgres`` a new PostgreSQL
database, dropped afterwards; or the database DATABASE_URL names, used as it is) gets the
schema, the students, partners and mentorships of ``bench/seed.py``, and — when missing —
awards, more activity attendance and nominations, so that every part of the score has input.

Then, ``--repeat`` times each, it times
- ``rescore()``: the DELETE and INSERT … SELECT of every student's score in one audited
  transaction, as the settings page runs it;
- the floor: the same aggregate SELECT alone, read only (the database computing every
  student's parts, total and cohort rank, reduced to one row so nothing is shipped back);
and prints the medians and their ratio. ``flag_candidates()`` is timed once, after the first
re-score, for information.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import seed

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test"
AWARD_SHARE = 0.3  # about this share of students gets 1–3 awards
EXTRA_ATTENDANCE_SHARE = 0.5  # … and this share attends a few more activities
NOMINATIONS = 400
LEVELS = ["national", "provincial", "municipal", "school", "school", "municipal"]
RANKS = ["一等奖", "二等奖", "三等奖", "金奖", "银奖", "铜奖", "优秀奖", "", "第1名", "入围"]


async def seed_score_inputs(student_count: int) -> dict[str, int]:
    """Awards, attendance and nominations where the seeded database has none; returns the
    row counts of every input of the score."""
    from partners.coeducation.tables import Evaluation
    from partners.organizations.tables import (
        Activity,
        StudentAttendance,
    )
    from portal.tables import Student
    from talent_pool.tables import Award, Flag

    rng = random.Random(2026)
    if not await Award.count():
        rows = [
            Award(
                student=student,
                kind=rng.choice(["competition", "scholarship", "honour"]),
                name=f"基准奖项{student}-{n}",
                level=rng.choice(LEVELS),
                rank=rng.choice(RANKS),
                awarded_on=datetime.date(rng.randint(2023, 2026), rng.randint(1, 12), 10),
            )
            for student in range(1, student_count + 1)
            if rng.random() < AWARD_SHARE
            for n in range(rng.randint(1, 3))
        ]
        for start in range(0, len(rows), seed.CHUNK_SIZE):
            await Award.insert(*rows[start : start + seed.CHUNK_SIZE])
    activities = [row["id"] for row in await Activity.select(Activity.id)]
    if activities and await StudentAttendance.count() < student_count:
        existing = {
            (row["activity"], row["student"])
            for row in await StudentAttendance.select(
                StudentAttendance.activity, StudentAttendance.student
            )
        }
        pairs = {
            (activity, student)
            for student in range(1, student_count + 1)
            if rng.random() < EXTRA_ATTENDANCE_SHARE
            for activity in rng.sample(activities, rng.randint(1, 6))
        } - existing
        rows = [StudentAttendance(activity=a, student=s) for a, s in sorted(pairs)]
        for start in range(0, len(rows), seed.CHUNK_SIZE):
            await StudentAttendance.insert(*rows[start : start + seed.CHUNK_SIZE])
    if not await Flag.count().where(Flag.source == "nomination"):
        rows = [
            Flag(
                student=rng.randint(1, student_count),
                source="nomination",
                reason="基准推荐：表现突出。",
                score_parts="{}",
                nominator_name="基准导师",
                nominator_role="mentor",
            )
            for _ in range(NOMINATIONS)
        ]
        await Flag.insert(*rows)
    for table in ("talent_pool_award", "partners_student_attendance", "talent_pool_flag"):
        await Award.raw(f"ANALYZE {table}")
    return {
        "students": await Student.count(),
        "evaluations": await Evaluation.count(),
        "awards": await Award.count(),
        "attendance": await StudentAttendance.count(),
        "nominations": await Flag.count().where(Flag.source == "nomination"),
    }


async def seed_pool(student_count: int) -> None:
    """Score inputs, every student's score and the automatic flags, so that the pool's pages
    are measured at scale: bench/seed.py may call it after seeding the partners."""
    from talent_pool.scoring import flag_candidates, rescore

    await seed_score_inputs(student_count)
    await rescore()
    await flag_candidates()


async def floor_query() -> None:
    """The score aggregate alone, read only, reduced to one row in the database."""
    from talent_pool.scoring import current_settings, score_sql
    from talent_pool.tables import StudentScore

    with_clause, select, args = score_sql(await current_settings(), None)
    sql = (
        f"{with_clause}\nSELECT COUNT(*) AS n, SUM(total) AS total_sum, "
        f"MAX(cohort_rank) AS worst_rank FROM ({select}) q"
    )
    rows = await StudentScore.raw(sql, *args)
    assert rows and rows[0]["n"], "the floor query scored nobody"


async def timed(action: Callable[[], Awaitable[Any]], repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        seconds.append(time.perf_counter() - started)
    return seconds


async def measure(repeat: int, student_count: int) -> dict[str, Any]:
    from talent_pool.scoring import flag_candidates, rescore
    from talent_pool.tables import StudentScore

    counts = await seed_score_inputs(student_count)
    await rescore()  # warm-up: caches, and a first flagging after it
    started = time.perf_counter()
    flagged = await flag_candidates()
    flag_seconds = time.perf_counter() - started
    floor = await timed(floor_query, repeat)
    full = await timed(rescore, repeat)
    scored = await StudentScore.count()
    return {
        **counts,
        "scored": scored,
        "flagged": flagged,
        "flag_seconds": flag_seconds,
        "rescore": full,
        "floor": floor,
    }


def report(engine: str, result: dict[str, Any]) -> str:
    rescore_median = statistics.median(result["rescore"])
    floor_median = statistics.median(result["floor"])
    runs = ", ".join(f"{s:.3f}" for s in result["rescore"])
    floor_runs = ", ".join(f"{s:.3f}" for s in result["floor"])
    return "\n".join(
        [
            f"== talent pool re-score on {engine}",
            f"   inputs: {result['students']} students, {result['evaluations']} evaluations, "
            f"{result['awards']} awards, {result['attendance']} attendances, "
            f"{result['nominations']} nominations",
            f"   rescore()          median {rescore_median:.3f} s  ({runs}); "
            f"{result['scored']} scores written",
            f"   floor (SELECT only) median {floor_median:.3f} s  ({floor_runs})",
            f"   ratio rescore / floor: {rescore_median / floor_median:.2f}",
            f"   flag_candidates() after the first re-score: {result['flagged']} flagged "
            f"in {result['flag_seconds']:.3f} s",
        ]
    )


def run_in_process(database_url: str, env: dict[str, str], repeat: int, students: int) -> str:
    """Points Piccolo at the database (before piccolo_conf is imported) and measures."""
    os.environ.update(seed._subprocess_env(database_url, env))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    result = asyncio.run(measure(repeat, students))
    engine = "postgresql" if database_url.startswith("postgres") else "sqlite"
    return report(engine, result)


def needs_seeding(database_url: str) -> bool:
    """Whether the database has no students yet (a fresh one, or an empty DATABASE_URL)."""
    if database_url.startswith("sqlite:///"):
        import sqlite3

        path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            return not connection.execute("SELECT COUNT(*) FROM portal_student").fetchone()[0]

    async def count() -> int:
        import asyncpg

        connection = await asyncpg.connect(database_url)
        try:
            return await connection.fetchval("SELECT COUNT(*) FROM portal_student")
        finally:
            await connection.close()

    return not asyncio.run(count())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database")
    parser.add_argument(
        "--pg-admin-url", default=os.environ.get("BENCH_PG_ADMIN_URL", DEFAULT_PG_ADMIN_URL)
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)

    work_dir = Path(tempfile.mkdtemp(prefix="portal-bench-talent-pool-"))
    env = {"PORTAL_VAR_DIR": str(work_dir), "SECRET_KEY": secrets.token_urlsafe(32)}
    given_url = os.environ.get("DATABASE_URL", "")
    database_name = ""
    if given_url:
        database_url = given_url
    elif args.postgres:
        database_name = f"portal_bench_pool_{uuid.uuid4().hex[:8]}"
        asyncio.run(seed.create_postgres_database(args.pg_admin_url, database_name))
        base, _, _ = args.pg_admin_url.rpartition("/")
        database_url = f"{base}/{database_name}"
    else:
        database_url = f"sqlite:///{work_dir / 'bench.sqlite'}"
    try:
        started = time.perf_counter()
        seed.migrate(database_url, env)
        if needs_seeding(database_url):
            seed.seed(database_url, args.students, env)
        print(f"database ready in {time.perf_counter() - started:.1f} s", flush=True)
        print(run_in_process(database_url, env, args.repeat, args.students))
    finally:
        if database_name and not args.keep:
            asyncio.run(seed.drop_postgres_database(args.pg_admin_url, database_name))
        if args.keep:
            print(f"kept: {database_url}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
