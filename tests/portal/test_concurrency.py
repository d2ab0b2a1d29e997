"""Forty requests writing at the same moment all succeed (IMMEDIATE transactions on SQLite,
a connection pool on PostgreSQL)."""

from __future__ import annotations

import asyncio

import httpx2
from piccolo.engine import engine_finder

from college.app import create_app
from portal.auth import SESSION_COOKIE
from portal.tables import AuditEntry, Student
from tests.support import PASSWORD, run, student_values


async def forty_concurrent_creations() -> list[int]:
    app = create_app()
    engine = engine_finder()
    await engine.start_connection_pool()
    try:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await client.get("/login")
            token = client.cookies["csrftoken"]
            signed_in = await client.post(
                "/login", data={"username": "coord", "password": PASSWORD, "csrftoken": token}
            )
            assert SESSION_COOKIE in signed_in.cookies or SESSION_COOKIE in client.cookies
            token = client.cookies["csrftoken"]  # the token of the new session

            async def create(n: int) -> int:
                values = student_values(student_no=f"2026{n:06d}")
                form = {k: str(v) for k, v in values.items()} | {"csrftoken": token}
                response = await client.post("/students/new", data=form)
                return response.status_code

            return await asyncio.gather(*(create(n) for n in range(40)))
    finally:
        await engine.close_connection_pool()


def test_forty_concurrent_writes_all_land(people):
    statuses = run(forty_concurrent_creations())
    assert statuses == [303] * 40
    assert run(Student.count().where(Student.student_no.like("2026%"))) == 40
    assert run(AuditEntry.count().where(AuditEntry.table_name == "portal_student")) == 40
