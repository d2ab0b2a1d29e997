"""Test set-up: a throwaway database per run and per pytest-xdist worker (SQLite file or
PostgreSQL database), built by
running the real migrations, emptied before every test.

TEST_DATABASE=postgres runs the suite on PostgreSQL (server from TEST_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/test); anything else runs it on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import tempfile
import uuid
from pathlib import Path

import pytest

POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
_state: dict[str, str] = {}


def uses_postgres() -> bool:
    return os.environ.get("TEST_DATABASE", "sqlite") == "postgres"


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_SERVER)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def pytest_configure(config: pytest.Config) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="portal-tests-"))
    os.environ["PORTAL_VAR_DIR"] = str(workdir)
    os.environ["SECRET_KEY"] = "test-secret-key-not-for-production"
    os.environ["PICCOLO_CONF"] = "piccolo_conf"
    os.environ.pop("PORTAL_PRODUCTION", None)
    # The PDF-batch runner would poll the database during requests and skew query counts:
    # tests drive it by hand (tests/portal/test_batches.py); the browser tests turn it on.
    os.environ["PORTAL_BATCH_RUNNER"] = "off"
    os.environ["PORTAL_DB_POOL_MIN"] = "1"  # every test's app opens its own pool
    if uses_postgres():
        name = f"portal_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        _state["postgres_db"] = name
        base = POSTGRES_SERVER.rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = f"{base}/{name}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'test.sqlite'}"

    from argon2 import PasswordHasher
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.apps.user.tables import BaseUser
    from piccolo.engine import engine_finder

    from portal import passwords
    from portal.engine import install_generation_triggers

    with contextlib.redirect_stdout(io.StringIO()):
        result = asyncio.run(run_forwards("all"))
    assert result.success, result.message
    asyncio.run(install_generation_triggers(engine_finder()))
    # OWASP's argon2id parameters cost ~30 ms per hash; the tests need correctness, not cost.
    passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    BaseUser._pbkdf2_iteration_count = 1_000


def pytest_unconfigure(config: pytest.Config) -> None:
    from tests.support import close_run_loop

    close_run_loop()
    if name := _state.get("postgres_db"):
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {'postgresql' if uses_postgres() else 'sqlite'}"


async def _empty_all_tables() -> None:
    from piccolo.conf.apps import Finder
    from piccolo.engine import engine_finder
    from piccolo.table import sort_table_classes

    tables = sort_table_classes(Finder().get_table_classes())
    names = [t._meta.tablename for t in tables]
    engine = engine_finder()
    # Only the tables a test wrote to are emptied: one query finds them, so a test that
    # writes to three tables pays for three DELETEs, not for every table of the schema.
    used = " UNION ALL ".join(
        f"SELECT '{name}' AS name WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in names
    )
    filled = {row["name"] for row in await tables[0].raw(used)}
    async with engine.transaction():
        for name in reversed(names):
            if name in filled:
                await engine.run_ddl(f'DELETE FROM "{name}"')
        if uses_postgres():
            # The job queue's jobs (procrastinate's tables, not Piccolo's) too: no job
            # outlives its test, nor meets a restarted id. Its workers stay (a browser test's
            # worker lives for a module), and so do their ids (below).
            for queue_table in ("periodic_defers", "jobs"):
                await engine.run_ddl(f"DELETE FROM procrastinate_{queue_table}")
            # Sequences restart so ids start at 1 on both engines; pg_sequences shows NULL as
            # the last value of a sequence not used since its last restart.
            used_sequences = await tables[0].raw(
                "SELECT sequencename FROM pg_sequences WHERE last_value IS NOT NULL"
                " AND sequencename <> 'procrastinate_workers_id_seq'"
            )
            for row in used_sequences:
                await engine.run_ddl(f'ALTER SEQUENCE "{row["sequencename"]}" RESTART')


@pytest.fixture(autouse=True)
def empty_database() -> None:
    from tests.support import run

    run(_empty_all_tables())


@pytest.fixture
def client():
    from starlette.testclient import TestClient

    from college.app import create_app

    with TestClient(create_app(), base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def browser(client):
    from tests.support import Browser

    return Browser(client)


@pytest.fixture
def people():
    from tests.support import make_people

    return make_people()


@pytest.fixture
def signed_in(client, people):
    """A browser signed in as the given role's test account."""
    from tests.support import Browser

    usernames = {
        "coordinator": "coord",
        "partner": "partner_a",
        "student": "student1",
        "mentor": "mentor1",
    }

    def sign_in(role: str) -> Browser:
        browser = Browser(client)
        if role != "anonymous":
            response = browser.sign_in(usernames[role])
            assert response.status_code == 303, response.text
        return browser

    return sign_in
