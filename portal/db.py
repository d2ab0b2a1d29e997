"""Database helpers of the base, shared by every area: the errors a driver raises, database
constraint violations as domain errors (portal.domain_errors), a case-insensitive contains,
and running a migration's SQL script on either engine."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from piccolo.columns import Column
from piccolo.columns.combination import Where

from portal.domain_errors import Conflict as ConstraintError
from portal.domain_errors import ForeignKeyViolation, UniqueViolation
from portal.engine import PortalPostgresEngine, configured_engine

# What a statement can fail with on either engine: SQLite's errors, asyncpg's (the server's,
# the client's and its protocol's) and the connection's (OSError: refused, reset, timed out).
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
)


def constraint_violation(error: BaseException) -> ConstraintError | None:
    """The domain's name for a database constraint violation (SQLite or PostgreSQL), or None
    for any other error."""
    if isinstance(error, asyncpg.UniqueViolationError):
        return UniqueViolation(str(error))
    if isinstance(error, asyncpg.ForeignKeyViolationError):
        return ForeignKeyViolation(str(error))
    if isinstance(error, sqlite3.IntegrityError):  # SQLite names the constraint in the text
        if "UNIQUE" in str(error):
            return UniqueViolation(str(error))
        if "FOREIGN KEY" in str(error):
            return ForeignKeyViolation(str(error))
    return None


@asynccontextmanager
async def constraints_as_domain_errors() -> AsyncIterator[None]:
    """Lets a database constraint violation out as UniqueViolation or ForeignKeyViolation:
    the one place the drivers' errors are read."""
    try:
        yield
    except (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError) as error:
        translated = constraint_violation(error)
        if translated is None:
            raise
        raise translated from error


def contains(column: Column, text: str) -> Where:
    """Case-insensitive "column contains text": ILIKE on PostgreSQL, LIKE on SQLite (already
    case-insensitive for ASCII there). Wildcards typed by the user are dropped."""
    pattern = "%" + text.replace("%", "").replace("_", "") + "%"
    if column._meta.engine_type == "sqlite":
        return column.like(pattern)
    return column.ilike(pattern)


def sqlite_statements(script: str) -> list[str]:
    """A script cut into its statements (a trigger's BEGIN … END stays whole)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements


async def run_script(script: str) -> None:
    """Several statements at once, inside the running transaction (a migration's) if any.

    For migrations that write SQL of their own (triggers, functions): PostgreSQL takes the
    script whole; SQLite one statement at a time (its executescript would commit first)."""
    engine = configured_engine()
    if isinstance(engine, PortalPostgresEngine):
        transaction = engine.current_transaction.get()
        if transaction is not None:
            await transaction.connection.execute(script)
            return
        connection = await engine.get_new_connection()
        try:
            await connection.execute(script)
        finally:
            await connection.close()
        return
    async with engine.transaction() as sqlite_transaction:
        for statement in sqlite_statements(script):
            await sqlite_transaction.connection.execute(statement)
