"""The floor: the fastest our stack can serve a 12-row page, to compare real pages against.

The same stack as the portal (uvicorn, Starlette, Jinja2) with none of its work: no
middleware, no session, no ORM. One route runs one raw query on a connection opened once
at startup (a sqlite3 connection, or an asyncpg pool) and renders a 12-row template.
The database comes from DATABASE_URL, as for the portal (sqlite:///path or postgres://...).

    DATABASE_URL=sqlite:///tmp/x.sqlite uvicorn bench.floor_app:app --port 8001
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

QUERY = (
    "SELECT id, student_no, name, department, major, cohort_year "
    "FROM portal_student ORDER BY id LIMIT 12"
)

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


class SQLiteSource:
    """One sqlite3 connection for the life of the process; queries run on the event loop."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, check_same_thread=False)
        self.connection.row_factory = sqlite3.Row

    async def fetch(self) -> list[Any]:
        return self.connection.execute(QUERY).fetchall()

    async def close(self) -> None:
        self.connection.close()


class PostgresSource:
    """An asyncpg pool created at startup."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, dsn: str) -> PostgresSource:
        import asyncpg

        return cls(await asyncpg.create_pool(dsn))

    async def fetch(self) -> list[Any]:
        async with self.pool.acquire() as connection:
            return await connection.fetch(QUERY)

    async def close(self) -> None:
        await self.pool.close()


async def open_source(database_url: str) -> SQLiteSource | PostgresSource:
    if database_url.startswith(("postgres://", "postgresql://")):
        return await PostgresSource.open(database_url)
    if database_url.startswith("sqlite:///"):
        return SQLiteSource(database_url.removeprefix("sqlite:///"))
    raise ValueError(
        f"floor_app needs DATABASE_URL=sqlite:///... or postgres://..., not {database_url!r}"
    )


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.source = await open_source(os.environ.get("DATABASE_URL", ""))
    try:
        yield
    finally:
        await app.state.source.close()


async def floor(request: Request) -> Response:
    students = await request.app.state.source.fetch()
    return templates.TemplateResponse(request, "floor.html", {"students": students})


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(
    routes=[Route("/", floor, name="floor"), Route("/healthz", healthz, name="healthz")],
    lifespan=lifespan,
)
