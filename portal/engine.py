"""Database engines: SQLite tuned for concurrent requests, PostgreSQL with a pool.

Piccolo's SQLiteEngine opens a fresh connection for every query and begins DEFERRED
transactions, which fail with "database is locked" when two requests read-then-write at
once. Our subclass begins every transaction IMMEDIATE, so writers queue on SQLite's busy
timeout instead of failing, and while the app runs (between start_connection_pool and
close_connection_pool, as for PostgreSQL) it keeps a few connections open per event loop.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

BUSY_TIMEOUT_SECONDS = 30
POOL_SIZE = 8


class ConnectionPool:
    """At most `size` open connections; a request waits for a free one rather than opening
    and closing a connection (a thread and its PRAGMAs) of its own."""

    def __init__(self, open_connection, size: int = POOL_SIZE) -> None:
        self.open_connection = open_connection
        self.size = size
        self.opened = 0
        self.idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()

    async def acquire(self) -> aiosqlite.Connection:
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            try:
                return await self.open_connection()
            except BaseException:
                self.opened -= 1
                raise
        return await self.idle.get()

    async def release(self, connection: aiosqlite.Connection) -> None:
        if connection.in_transaction:  # a broken transaction: do not hand it on
            self.opened -= 1
            await connection.close()
        else:
            self.idle.put_nowait(connection)

    async def close(self) -> None:
        while not self.idle.empty():
            await self.idle.get_nowait().close()
            self.opened -= 1


class PortalSQLiteTransaction(SQLiteTransaction):
    """A transaction on a connection borrowed from the engine, given back afterwards."""

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.engine.acquire()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            await self.engine.release(self.connection)
            self.engine.current_transaction.reset(self.context)
        return exception is None


class PortalSQLiteEngine(SQLiteEngine):
    """SQLite in WAL mode with foreign keys, a busy timeout and IMMEDIATE write transactions."""

    __slots__ = ("_pools",)

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_SECONDS, **kwargs)
        self._pools: dict[int, ConnectionPool] = {}
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")

    async def start_connection_pool(self, **_: Any) -> None:
        self._pools.setdefault(id(asyncio.get_running_loop()), ConnectionPool(self._open))

    async def close_connection_pool(self) -> None:
        pool = self._pools.pop(id(asyncio.get_running_loop()), None)
        if pool is not None:
            await pool.close()

    def _pool(self) -> ConnectionPool | None:
        # aiosqlite connections answer on the loop that awaits them, so each loop has its own.
        return self._pools.get(id(asyncio.get_running_loop()))

    async def _open(self) -> aiosqlite.Connection:
        connection = aiosqlite.connect(**self.connection_kwargs)
        try:
            await connection
            connection.row_factory = dict_factory  # type: ignore[assignment]
            await connection.execute("PRAGMA foreign_keys = 1")
            await connection.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            # A task cancelled half-way must not leave the connection's thread running: it
            # would keep the process from exiting.
            connection.stop()
            raise
        return connection

    async def acquire(self) -> aiosqlite.Connection:
        pool = self._pool()
        return await pool.acquire() if pool is not None else await self._open()

    async def release(self, connection: aiosqlite.Connection) -> None:
        pool = self._pool()
        if pool is None:
            await connection.close()
        else:
            await pool.release(connection)

    async def get_connection(self) -> aiosqlite.Connection:
        return await self._open()  # the caller owns (and closes) it

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table=None
    ) -> list[dict]:
        connection = await self.acquire()
        try:
            # One hop to aiosqlite's thread (execute and fetch together), not three.
            return list(await connection.execute_fetchall(query, args or []))
        finally:
            await self.release(connection)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return PortalSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    def atomic(self, transaction_type: TransactionType = TransactionType.immediate):
        return super().atomic(transaction_type=transaction_type)


class PortalPostgresEngine(PostgresEngine):
    """PostgreSQL with a connection pool per event loop.

    asyncpg pools belong to the loop that made them. The server has one loop; a test's own
    loop beside the server's, or a CLI helper, gets a pool of its own when it starts one, and
    otherwise a connection per query — never a pooled connection of another loop.
    """

    __slots__ = ("_pools",)

    def __init__(self, config: dict[str, Any], **kwargs: Any) -> None:
        self._pools: dict[int, tuple[asyncio.AbstractEventLoop, Any]] = {}
        super().__init__(config=config, **kwargs)

    @property  # type: ignore[override]
    def pool(self) -> Any:
        """The running loop's pool (None outside a loop, or when this loop started none)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        entry = self._pools.get(id(loop))
        return entry[1] if entry is not None and entry[0] is loop else None

    @pool.setter
    def pool(self, value: Any) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # PostgresEngine.__init__ sets None before any loop runs
        if value is None:
            self._pools.pop(id(loop), None)
        else:
            self._pools[id(loop)] = (loop, value)

    async def start_connection_pool(self, **kwargs: Any) -> None:
        if self.pool is not None:
            return
        # asyncpg opens min_size connections up front (10 by default): PORTAL_DB_POOL_MIN and
        # PORTAL_DB_POOL_MAX size the pool per server worker.
        kwargs.setdefault("min_size", int(os.environ.get("PORTAL_DB_POOL_MIN", "2")))
        kwargs.setdefault("max_size", int(os.environ.get("PORTAL_DB_POOL_MAX", "10")))
        await super().start_connection_pool(**kwargs)

    async def close_connection_pool(self) -> None:
        if self.pool is not None:
            await super().close_connection_pool()

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return PortalPostgresTransaction(engine=self, allow_nested=allow_nested)


class PortalPostgresTransaction(PostgresTransaction):
    """A transaction that gives its connection back to where it came from."""

    async def get_connection(self):
        self.pooled = self.engine.pool is not None
        if self.pooled:
            return await self.engine.pool.acquire()
        return await self.engine.get_new_connection()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            if self.pooled:
                await self.engine.pool.release(self.connection)
            else:
                await self.connection.close()
            self.engine.current_transaction.reset(self.context)
        return exception is None


def engine_from_url(database_url: str, default_sqlite_path: Path) -> Engine:
    """DATABASE_URL picks the engine; empty means a SQLite file (by default under var/)."""
    if not database_url:
        return PortalSQLiteEngine(path=str(default_sqlite_path))
    parsed = urlparse(database_url)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PortalPostgresEngine(config={"dsn": database_url})
    if parsed.scheme == "sqlite":
        return PortalSQLiteEngine(path=database_url.removeprefix("sqlite:///"))
    raise ValueError(
        f"DATABASE_URL must start with postgres:// or sqlite:///, not {parsed.scheme}://"
    )
