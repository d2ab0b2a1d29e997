"""`portal backup` and `portal restore` (issue 14): the demo college backed up while writes go
on, restored into an empty database, compared table by table and row by row; archives from a
newer portal, of the other engine, damaged ones, and non-empty targets are refused."""

from __future__ import annotations

import asyncio
import datetime
import io
import json
import os
import sqlite3
import tarfile
import uuid
from pathlib import Path

import asyncpg
import pytest

from college.backup import BackupError, Target, backup, prune, restore
from college.demo.seed import seed_demo
from portal.audit import Actor, audited_write
from portal.tables import Student
from tests.conftest import POSTGRES_SERVER, _admin, uses_postgres
from tests.support import run, student_values

NOW = datetime.datetime(2026, 11, 30, 2, 0)
LOAD_CLASS = "备份压力测试班"  # the students the write load adds


async def table_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, as comparable text."""
    target = Target.from_url(url)
    if target.engine == "sqlite":
        with sqlite3.connect(target.location) as connection:
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            found = {
                name: sorted(
                    tuple(map(str, row)) for row in connection.execute(f'SELECT * FROM "{name}"')
                )
                for name in names
            }
        connection.close()
        return found
    connection = await asyncpg.connect(target.location)
    try:
        names = [
            row[0]
            for row in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        return {
            name: sorted(
                tuple(map(str, row.values()))
                for row in await connection.fetch(f'SELECT * FROM "{name}"')
            )
            for name in names
        }
    finally:
        await connection.close()


@pytest.fixture
def empty_target(tmp_path):
    """The URL of a new, empty database of the engine under test (dropped afterwards)."""
    if not uses_postgres():
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    name = f"portal_restore_{uuid.uuid4().hex[:10]}"
    run(_admin(f'CREATE DATABASE "{name}"'))
    yield f"{POSTGRES_SERVER.rsplit('/', 1)[0]}/{name}"
    run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def write_load(stop: asyncio.Event) -> int:
    """Students added one transaction each (the student and its audit row) until stopped."""
    written = 0
    while not stop.is_set():
        async with audited_write(Actor(None, "load")) as audit:
            row = await Student.insert(Student(**student_values(class_name=LOAD_CLASS))).returning(
                Student.id
            )
            await audit.record("create", Student, row[0]["id"], "load")
        written += 1
        await asyncio.sleep(0)
    return written


async def backup_under_load(archive: Path) -> tuple[dict, int]:
    stop = asyncio.Event()
    load = asyncio.create_task(write_load(stop))
    await asyncio.sleep(0.05)  # the load is writing when the backup starts
    try:
        manifest = await backup(os.environ["DATABASE_URL"], archive, NOW)
    finally:
        await asyncio.sleep(0.05)
        stop.set()
    return manifest, await load


def test_the_demo_backed_up_under_writes_restores_row_for_row(tmp_path, empty_target):
    run(seed_demo(student_count=30))
    archive = tmp_path / "portal.tar"
    manifest, written = run(backup_under_load(archive))
    assert written > 0

    run(restore(empty_target, archive))

    source, restored = run(table_rows(os.environ["DATABASE_URL"])), run(table_rows(empty_target))
    assert (
        set(restored) == set(source)
        and {n: len(r) for n, r in restored.items()} == manifest["rows"]
    )
    added_by_load = {"portal_student", "portal_audit_entry", "portal_search_term"}
    counters = {name for name in source if "generation" in name}  # bumped by every write
    for name in source:
        if name in added_by_load:
            assert set(restored[name]) <= set(source[name]), name  # no torn or invented rows
        elif name in counters:
            assert [row[0] for row in restored[name]] == [row[0] for row in source[name]]
        else:
            assert restored[name] == source[name], name
    # one consistent moment: each student the load wrote came with its audit row, or neither
    load_students = sum(LOAD_CLASS in row for row in restored["portal_student"])
    load_audits = sum("load" in row and "create" in row for row in restored["portal_audit_entry"])
    assert load_students == load_audits


def test_a_damaged_archive_a_newer_schema_and_a_full_target_are_refused(tmp_path, empty_target):
    run(seed_demo(student_count=5))
    archive = tmp_path / "portal.tar"
    run(backup(os.environ["DATABASE_URL"], archive, NOW))

    with pytest.raises(BackupError, match="not empty"):
        run(restore(os.environ["DATABASE_URL"], archive))

    newer = tmp_path / "newer.tar"
    rewrite_manifest(
        archive, newer, lambda m: m["migrations"].append("portal:2099-01-01T00:00:00:000000")
    )
    with pytest.raises(BackupError, match="newer version"):
        run(restore(empty_target, newer))

    damaged = tmp_path / "damaged.tar"
    rewrite_manifest(
        archive, damaged, lambda m: m["files"].update({k: "0" * 64 for k in m["files"]})
    )
    with pytest.raises(BackupError, match="checksum"):
        run(restore(empty_target, damaged))

    other = tmp_path / "other.tar"
    swapped = "postgres" if not uses_postgres() else "sqlite"
    rewrite_manifest(archive, other, lambda m: m.update(engine=swapped))
    with pytest.raises(BackupError, match="DATABASE_URL is"):
        run(restore(empty_target, other))


def rewrite_manifest(source: Path, target: Path, change) -> None:
    with tarfile.open(source) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        members = [
            (m, tar.extractfile(m).read()) for m in tar.getmembers() if m.name != "manifest.json"
        ]
    change(manifest)
    with tarfile.open(target, "w") as out:
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
        for member, content in members:
            out.addfile(member, io.BytesIO(content))


def test_only_the_newest_archives_are_kept(tmp_path):
    for day in range(1, 6):
        (tmp_path / f"portal-202611{day:02d}-020000.tar").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("kept")
    deleted = prune(tmp_path, keep=3)
    assert [p.name for p in deleted] == ["portal-20261101-020000.tar", "portal-20261102-020000.tar"]
    assert sorted(p.name for p in tmp_path.iterdir())[-1] == "portal-20261105-020000.tar"
    assert (tmp_path / "notes.txt").exists() and prune(tmp_path, keep=0) == []
