"""Backup and restore of the whole portal: `portal backup` and `portal restore`.

A backup is one tar archive:
- ``database.sqlite.gz`` (SQLite's online backup API: a consistent copy while the portal runs)
  or ``database.pgdump`` (``pg_dump`` custom format, taken in a snapshot that the manifest's
  counts are read in too);
- ``manifest.json``: the engine, when, the schema version (every migration applied), the rows
  of every table, and the SHA-256 of the database file.

Uploaded documents live in the database, so the database file is all there is to keep; batch
ZIPs are made again on request and the secret key is deliberately left out (a restored portal
signs everyone out, nothing else changes).

`portal restore` refuses an archive whose checksum does not match, one made by a newer version
of the portal (a migration unknown here), one of the other engine, and a target database that
is not empty; after restoring it counts every table against the manifest, then migrates
forwards to this version's schema.
"""

from __future__ import annotations

import asyncio
import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from portal.health import expected_migrations
from portal.settings import VAR_DIR

MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite.gz"
POSTGRES_MEMBER = "database.pgdump"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go on, with the reason for the operator."""


@dataclass(frozen=True)
class Target:
    """Where the portal's data is: a SQLite file or a PostgreSQL database URL."""

    engine: str  # "sqlite" or "postgres"
    location: str

    @classmethod
    def from_url(cls, database_url: str) -> Target:
        if database_url.startswith(("postgres://", "postgresql://")):
            return cls("postgres", database_url)
        if database_url.startswith("sqlite:///"):
            return cls("sqlite", database_url.removeprefix("sqlite:///"))
        if not database_url:
            return cls("sqlite", str(VAR_DIR / "portal.sqlite"))
        raise BackupError(f"DATABASE_URL must be postgres:// or sqlite:///, not {database_url}")


def default_archive_name(now: datetime.datetime) -> Path:
    return VAR_DIR / "backups" / f"portal-{now:%Y%m%d-%H%M%S}.tar"


# --- reading a database -----------------------------------------------------------------------
def sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    return {
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names
    }


def sqlite_migrations(connection: sqlite3.Connection) -> list[str]:
    return sorted(
        f"{app}:{name}" for app, name in connection.execute("SELECT app_name, name FROM migration")
    )


async def postgres_counts(connection: asyncpg.Connection) -> dict[str, int]:
    names = [
        row["tablename"]
        for row in await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    return {name: await connection.fetchval(f'SELECT count(*) FROM "{name}"') for name in names}


async def postgres_migrations(connection: asyncpg.Connection) -> list[str]:
    rows = await connection.fetch("SELECT app_name, name FROM migration")
    return sorted(f"{row['app_name']}:{row['name']}" for row in rows)


# --- backup -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """A database file taken at one moment, with what the manifest says of that moment."""

    member: str
    path: Path
    counts: dict[str, int]
    migrations: list[str]


def sqlite_snapshot(source: str, folder: Path) -> Snapshot:
    """SQLite's online backup into a file, read back for the counts, then gzipped."""
    if not Path(source).exists():
        raise BackupError(f"no database at {source}")
    copy = folder / "database.sqlite"
    with sqlite3.connect(source, timeout=30) as live, sqlite3.connect(copy) as target:
        live.backup(target)  # all pages in one step: one consistent read
        counts, migrations = sqlite_counts(target), sqlite_migrations(target)
    live.close()
    target.close()
    packed = folder / SQLITE_MEMBER
    with copy.open("rb") as raw, gzip.open(packed, "wb", compresslevel=1) as out:
        shutil.copyfileobj(raw, out)
    copy.unlink()
    return Snapshot(SQLITE_MEMBER, packed, counts, migrations)


async def postgres_snapshot(url: str, folder: Path) -> Snapshot:
    """``pg_dump`` in a snapshot exported by a repeatable-read transaction, in which the
    counts are read too: the dump and the manifest describe the same moment."""
    dump = folder / POSTGRES_MEMBER
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
            counts = await postgres_counts(connection)
            migrations = await postgres_migrations(connection)
            await run_tool(
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                "--no-owner",
                "--no-privileges",
                f"--dbname={url}",
            )
    finally:
        await connection.close()
    return Snapshot(POSTGRES_MEMBER, dump, counts, migrations)


async def run_tool(*command: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)"
        )
    process = await asyncio.create_subprocess_exec(
        *command, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, errors = await process.communicate()
    if process.returncode != 0:
        raise BackupError(f"{command[0]} failed: {errors.decode(errors='replace').strip()}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


async def backup(database_url: str, archive: Path, now: datetime.datetime) -> dict[str, Any]:
    """Writes the archive (complete or not at all) and returns its manifest."""
    target = Target.from_url(database_url)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=archive.parent) as work:
        folder = Path(work)
        snapshot = (
            await asyncio.to_thread(sqlite_snapshot, target.location, folder)
            if target.engine == "sqlite"
            else await postgres_snapshot(target.location, folder)
        )
        manifest = {
            "format": FORMAT_VERSION,
            "engine": target.engine,
            "made_at": now.isoformat(timespec="seconds"),
            "migrations": snapshot.migrations,
            "rows": snapshot.counts,
            "files": {snapshot.member: sha256_of(snapshot.path)},
        }
        partial = folder / "archive.part"
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(snapshot.path, arcname=snapshot.member)
        os.replace(partial, archive)  # the archive appears whole, or not at all
    return manifest


def prune(folder: Path, keep: int) -> list[Path]:
    """Deletes all but the newest `keep` archives named portal-<time>.tar in a folder (the
    names sort by time); returns those deleted."""
    archives = sorted(folder.glob("portal-*.tar"))
    doomed = archives[:-keep] if keep > 0 else []
    for archive in doomed:
        archive.unlink()
    return doomed


# --- restore ----------------------------------------------------------------------------------
def read_archive(archive: Path, folder: Path) -> dict[str, Any]:
    """The manifest, with the database file unpacked into the folder and its checksum
    verified."""
    try:
        with tarfile.open(archive, "r") as tar:
            manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
            for member, expected in manifest["files"].items():
                tar.extract(member, folder, filter="data")
                if sha256_of(folder / member) != expected:
                    raise BackupError(
                        f"{member} does not match its checksum: the archive is damaged"
                    )
    except (tarfile.TarError, KeyError, OSError, json.JSONDecodeError) as error:
        raise BackupError(f"{archive} is not a portal backup ({error})") from error
    return manifest


def newer_migrations(manifest: dict[str, Any]) -> list[str]:
    """Migrations the backup's schema has and this version of the portal does not know."""
    known = {f"{app}:{migration}" for app, migration in expected_migrations()}
    return sorted(set(manifest["migrations"]) - known)


def restore_sqlite(folder: Path, manifest: dict[str, Any], location: str) -> dict[str, int]:
    path = Path(location)
    if path.exists() and path.stat().st_size > 0:
        with sqlite3.connect(path) as existing:
            tables = sqlite_counts(existing)
        existing.close()
        if tables:
            raise BackupError(
                f"{path} is not empty ({len(tables)} tables): restore into a new file"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".restoring")
    with gzip.open(folder / SQLITE_MEMBER, "rb") as packed, partial.open("wb") as out:
        shutil.copyfileobj(packed, out)
    partial.chmod(0o600)
    os.replace(partial, path)
    with sqlite3.connect(path) as restored:
        counts = sqlite_counts(restored)
    restored.close()
    return counts


async def restore_postgres(folder: Path, manifest: dict[str, Any], url: str) -> dict[str, int]:
    connection = await asyncpg.connect(url)
    try:
        tables = await postgres_counts(connection)
        if tables:
            raise BackupError(
                f"the database is not empty ({len(tables)} tables): restore into a new one"
            )
        await run_tool(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={url}",
            str(folder / POSTGRES_MEMBER),
        )
        return await postgres_counts(connection)
    finally:
        await connection.close()


async def restore(database_url: str, archive: Path) -> dict[str, Any]:
    """Restores the archive into an empty database and checks every table's rows against the
    manifest. Returns the manifest."""
    target = Target.from_url(database_url)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        manifest = read_archive(archive, folder)
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"backup format {manifest.get('format')} is not known here")
        if manifest["engine"] != target.engine:
            raise BackupError(
                f"the backup is of a {manifest['engine']} database; DATABASE_URL is {target.engine}"
            )
        if unknown := newer_migrations(manifest):
            raise BackupError(
                "the backup was made by a newer version of the portal (migrations unknown here: "
                + ", ".join(unknown)
                + "): install that version first"
            )
        counts = (
            await asyncio.to_thread(restore_sqlite, folder, manifest, target.location)
            if target.engine == "sqlite"
            else await restore_postgres(folder, manifest, target.location)
        )
    if counts != manifest["rows"]:
        differing = sorted(
            name
            for name in set(counts) | set(manifest["rows"])
            if counts.get(name) != manifest["rows"].get(name)
        )
        raise BackupError("restored rows differ from the manifest in: " + ", ".join(differing))
    return manifest
