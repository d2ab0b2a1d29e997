"""Backup and restore of the college-scale database (20,000 students and everything
bench/seed.py adds), on SQLite and PostgreSQL.

    .venv/bin/python -m bench.backup [--students 20000] [--engine sqlite|postgres|both]

Per engine: a fresh seeded database (as bench.run prepares it), then `portal backup --to` (the
archive's size) and `portal restore` into a new empty database (row counts checked against
the manifest, then migrations), each timed as the operator runs it, in a child process. The
floor is copying the database as a file (SQLite: `cp` of the file; PostgreSQL: `pg_dump` of
the same database to a file), measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from bench import run, seed

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def portal(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "college.commands", *arguments]


def measure(engine: str, args: argparse.Namespace, cleanup: ExitStack) -> None:
    prepared = run.prepare(engine, args, run.run_id_now(), cleanup)
    env = os.environ | prepared.server_env
    archive = prepared.work_dir / "backup.tar"
    if engine == "sqlite":
        source = prepared.database_url.removeprefix("sqlite:///")
        floor = timed(["cp", source, str(prepared.work_dir / "copy.sqlite")], env)
        target = f"sqlite:///{prepared.work_dir / 'restored.sqlite'}"
    else:
        floor = timed(
            [
                "pg_dump",
                "--format=custom",
                f"--file={prepared.work_dir / 'plain.pgdump'}",
                prepared.database_url,
            ],
            env,
        )
        restored = f"portal_restore_{run.run_id_now()}"
        asyncio.run(seed.create_postgres_database(args.pg_admin_url, restored))
        cleanup.callback(
            lambda: asyncio.run(seed.drop_postgres_database(args.pg_admin_url, restored))
        )
        target = run.postgres_url(args.pg_admin_url, restored)
    backup = timed(portal("backup", "--to", str(archive)), env)
    restore = timed(portal("restore", str(archive)), env | {"DATABASE_URL": target})
    size = archive.stat().st_size / 2**20
    print(
        f"{engine:>8}: backup {backup:6.2f} s ({size:.1f} MB archive), restore {restore:6.2f} s;"
        f" floor (plain copy) {floor:5.2f} s: backup {backup / floor:4.1f} × floor",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--pg-admin-url", default=run.DEFAULT_PG_ADMIN_URL)
    args = parser.parse_args()
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    with ExitStack() as cleanup:
        for engine in engines:
            measure(engine, args, cleanup)


if __name__ == "__main__":
    main()
