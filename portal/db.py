"""Small database helpers shared by every app."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from piccolo.columns import Column
from piccolo.columns.combination import Where
from piccolo.engine import engine_finder

from portal.domain_errors import Conflict as ConstraintError
from portal.domain_errors import ForeignKeyViolation, UniqueViolation


def constraint_violation(error: BaseException) -> ConstraintError | None:
    """The domain's name for a database constraint violation (SQLite or PostgreSQL), or None
    for any other error."""
    if is_unique_violation(error):
        return UniqueViolation(str(error))
    if is_foreign_key_violation(error):
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


def is_unique_violation(error: BaseException) -> bool:
    """True when a write failed on a UNIQUE constraint (SQLite or PostgreSQL)."""
    if isinstance(error, (UniqueViolation, asyncpg.UniqueViolationError)):
        return True
    return isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)


def is_foreign_key_violation(error: BaseException) -> bool:
    """True when a delete or write was refused because other rows still refer to the row."""
    if isinstance(error, (ForeignKeyViolation, asyncpg.ForeignKeyViolationError)):
        return True
    return isinstance(error, sqlite3.IntegrityError) and "FOREIGN KEY" in str(error)


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
    engine = engine_finder()
    transaction = engine.current_transaction.get()
    if engine.engine_type == "postgres":
        if transaction is not None:
            await transaction.connection.execute(script)
            return
        connection = await engine.get_new_connection()
        try:
            await connection.execute(script)
        finally:
            await connection.close()
        return
    async with engine.transaction():
        connection = engine.current_transaction.get().connection
        for statement in sqlite_statements(script):
            await connection.execute(statement)
