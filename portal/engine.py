"""Database engines: SQLite tuned for concurrent requests, PostgreSQL with a lean pool, both
with a read path that costs what its SQL costs and a write generation for data-keyed caches.

SQLite. Piccolo's SQLiteEngine opens a fresh connection for every query and begins DEFERRED
transactions, which fail with "database is locked" when two requests read-then-write at once.
Here every transaction begins IMMEDIATE (writers queue on the busy timeout instead of failing)
on a few pooled aiosqlite connections per event loop. Reads outside a transaction skip
aiosqlite's thread hop: they run synchronously on one query-only connection per thread, which
in WAL mode never waits for a writer. ``PRAGMA data_version`` on that connection changes
whenever any other connection (this process's writers, another worker, the CLI) commits, so it
is the write generation at no cost.

PostgreSQL. One asyncpg pool per event loop, released without asyncpg's RESET round trip
(nothing here sets session state; an open transaction is still rolled back). The write
generation is a row that a deferred trigger on every table bumps inside the writing
transaction, so it changes exactly when the data does, for every worker and host.

Both count the statements they run through ``observe_queries`` (the tests keep pages free of
N+1 with it).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import re
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlparse

import aiosqlite
from piccolo.engine import engine_finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import (
    Atomic,
    SQLiteEngine,
    SQLiteTransaction,
    TransactionType,
    dict_factory,
)
from piccolo.querystring import QueryString
from piccolo.table import Table

from portal.sql import Statement

BUSY_TIMEOUT_SECONDS = 30
READ_BUSY_TIMEOUT_SECONDS = 5
POOL_SIZE = 8
ANALYSIS_ROWS = 1000  # rows sampled per index by ANALYZE
WRITE_KEYWORD = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
GENERATION_TABLE = "portal_write_generation"

QueryObserver = Callable[[str], None]
_offloaded: contextvars.ContextVar[bool] = contextvars.ContextVar("offloaded", default=False)


@contextlib.contextmanager
def offloaded_reads() -> Iterator[None]:
    """Reads inside run on a worker thread instead of the event loop: for the few long reads
    (a whole list exported) that would otherwise hold up every other request."""
    token = _offloaded.set(True)
    try:
        yield
    finally:
        _offloaded.reset(token)


def is_read(sql: str) -> bool:
    """A statement that only reads (the read connection is query-only: a write would fail)."""
    head = sql.lstrip()[:7].upper()
    if head.startswith("WITH"):
        return WRITE_KEYWORD.search(sql) is None
    return head.startswith(("SELECT", "PRAGMA", "VALUES"))


class ObservedEngine:
    """Statement observers shared by both engines (tests count queries per page with them)."""

    observers: list[QueryObserver]

    def observe(self, sql: str) -> None:
        for observer in self.observers:
            observer(sql)

    @contextlib.contextmanager
    def observe_queries(self, observer: QueryObserver) -> Iterator[None]:
        self.observers.append(observer)
        try:
            yield
        finally:
            self.observers.remove(observer)


# --- SQLite ---------------------------------------------------------------------------------


class ConnectionPool:
    """At most `size` open connections; a request waits for a free one rather than opening
    and closing a connection (a thread and its PRAGMAs) of its own."""

    def __init__(
        self,
        open_connection: Callable[[], Awaitable[aiosqlite.Connection]],
        size: int = POOL_SIZE,
    ) -> None:
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

    engine: PortalSQLiteEngine

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.engine.acquire()

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]  # Piccolo's
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]
        finally:
            await self.engine.release(self.connection)
            self.engine.current_transaction.reset(self.context)
        return exception is None


class Reader(threading.local):
    """This thread's query-only connection and the data_version it last saw."""

    connection: sqlite3.Connection | None = None
    data_version: int | None = None


class PortalSQLiteEngine(ObservedEngine, SQLiteEngine):
    """SQLite in WAL mode with foreign keys, a busy timeout and IMMEDIATE write transactions;
    reads on a query-only connection per thread, without a thread hop."""

    __slots__ = ("_pools", "_reader", "_generation", "_generation_lock", "observers")

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_SECONDS, **kwargs)
        self._pools: dict[int, ConnectionPool] = {}
        self._reader = Reader()
        self._generation = 0
        self._generation_lock = threading.Lock()
        self.observers = []
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")

    # pooled write connections, per event loop -----------------------------------------------

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

    # the read connection -----------------------------------------------------------------

    def read_connection(self) -> sqlite3.Connection:
        connection = self._reader.connection
        if connection is None:
            connection = sqlite3.connect(
                self.path,
                timeout=READ_BUSY_TIMEOUT_SECONDS,
                detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES,
                isolation_level=None,
                check_same_thread=False,
            )
            connection.execute("PRAGMA query_only = 1")
            self._reader.connection = connection
        return connection

    def read_sync(self, sql: str, args: list[Any], as_dicts: bool = False) -> list[Any]:
        cursor = self.read_connection().cursor()
        if as_dicts:
            cursor.row_factory = dict_factory
        try:
            return cursor.execute(sql, args).fetchall()
        finally:
            cursor.close()

    async def _read(self, sql: str, args: list[Any], as_dicts: bool) -> list[Any]:
        if _offloaded.get():
            return await asyncio.to_thread(self.read_sync, sql, args, as_dicts)
        return self.read_sync(sql, args, as_dicts)

    async def fetch(self, statement: Statement, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of a read-layer statement, as tuples."""
        compiled = statement.compiled("sqlite")
        args = compiled.arguments(params)
        self.observe(compiled.text)
        transaction = self.current_transaction.get()
        if transaction is not None:
            # As tuples, not through the connection's dict rows: two columns of one name
            # (p.name, e.name) would collapse into one.
            cursor = await transaction.connection.cursor()
            cursor.row_factory = None
            try:
                await cursor.execute(compiled.text, args)
                return list(await cursor.fetchall())
            finally:
                await cursor.close()
        return await self._read(compiled.text, args, as_dicts=False)

    def generation(self) -> int:
        """Changes after every commit by any connection: a key for data-derived caches."""
        reader = self._reader
        version = self.read_connection().execute("PRAGMA data_version").fetchone()[0]
        if version != reader.data_version:
            reader.data_version = version
            with self._generation_lock:
                self._generation += 1
        return self._generation

    async def write_generation(self) -> int:
        return self.generation()

    async def refresh_statistics(self) -> None:
        """SQLite never gathers planner statistics by itself: without them it scans whole
        tables on joins. A sampled ANALYZE (a few milliseconds at 20,000 students) at start."""
        connection = await self.acquire()
        try:
            await connection.execute(f"PRAGMA analysis_limit = {ANALYSIS_ROWS}")
            await connection.execute("ANALYZE")
        finally:
            await self.release(connection)

    # Piccolo's path ------------------------------------------------------------------------

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        self.observe(str(querystring))
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> list[dict[str, Any]]:
        # Piccolo marks only inserts by type ("generic" for selects): the SQL tells.
        if query_type != "insert" and is_read(query):
            return await self._read(query, list(args or []), as_dicts=True)
        connection = await self.acquire()
        try:
            # One hop to aiosqlite's thread (execute and fetch together), not three.
            rows = await connection.execute_fetchall(query, args or [])
            return cast(list[dict[str, Any]], list(rows))  # dicts: the row factory's
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

    def atomic(self, transaction_type: TransactionType = TransactionType.immediate) -> Atomic:
        return super().atomic(transaction_type=transaction_type)


# --- PostgreSQL -----------------------------------------------------------------------------


async def keep_session_state(connection: Any) -> None:
    """asyncpg's pool resets every released connection with a round trip (UNLISTEN, RESET ALL,
    advisory unlock…). The portal sets no session state, so there is nothing to reset; an open
    transaction is still rolled back by the pool before this runs."""


class PortalPostgresEngine(ObservedEngine, PostgresEngine):
    """PostgreSQL with a connection pool per event loop.

    asyncpg pools belong to the loop that made them. The server has one loop; a test's own
    loop beside the server's, or a CLI helper, gets a pool of its own when it starts one, and
    otherwise a connection per query — never a pooled connection of another loop.
    """

    __slots__ = ("_pools", "observers")

    def __init__(self, config: dict[str, Any], **kwargs: Any) -> None:
        self._pools: dict[int, tuple[asyncio.AbstractEventLoop, Any]] = {}
        self.observers = []
        super().__init__(config=config, **kwargs)

    @property
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
        kwargs.setdefault("reset", keep_session_state)
        await super().start_connection_pool(**kwargs)

    async def close_connection_pool(self) -> None:
        if self.pool is not None:
            await super().close_connection_pool()

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return PortalPostgresTransaction(engine=self, allow_nested=allow_nested)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        self.observe(str(querystring))
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def _fetch(self, sql: str, args: list[Any]) -> list[Any]:
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await transaction.connection.fetch(sql, *args)
        pool = self.pool
        if pool is None:
            connection = await self.get_new_connection()
            try:
                return await connection.fetch(sql, *args)
            finally:
                await connection.close()
        async with pool.acquire() as connection:
            return await connection.fetch(sql, *args)

    async def fetch(self, statement: Statement, params: Mapping[str, Any]) -> list[Any]:
        """The rows of a read-layer statement (asyncpg Records: tuples by position)."""
        compiled = statement.compiled("postgres")
        self.observe(compiled.text)
        return await self._fetch(compiled.text, compiled.arguments(params))

    async def refresh_statistics(self) -> None:
        """PostgreSQL's autovacuum keeps the planner's statistics."""

    async def write_generation(self) -> int:
        """The write generation every worker and host shares: bumped in the same transaction
        as the data, so it is never older than what a later read sees."""
        rows = await self._fetch(f"SELECT value FROM {GENERATION_TABLE} WHERE id = 1", [])
        return int(rows[0][0]) if rows else 0


class PortalPostgresTransaction(PostgresTransaction):
    """A transaction that gives its connection back to where it came from."""

    source_pool: Any = None  # the asyncpg pool the connection came from (None: its own)

    async def get_connection(self) -> Any:
        self.source_pool = self.engine.pool
        if self.source_pool is not None:
            return await self.source_pool.acquire()
        return await self.engine.get_new_connection()

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]  # Piccolo's
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]
        finally:
            if self.source_pool is not None:
                await self.source_pool.release(self.connection)
            else:
                await self.connection.close()
            self.engine.current_transaction.reset(self.context)
        return exception is None


PortalEngine = PortalSQLiteEngine | PortalPostgresEngine


def configured_engine() -> PortalEngine:
    """The engine piccolo_conf.py chose (``DB = engine_from_url(...)``): Piccolo's
    engine_finder() gives None without a configuration and any Engine with another one; both
    are a broken installation, said here once instead of failing later on a missing method."""
    engine = engine_finder()
    if not isinstance(engine, (PortalSQLiteEngine, PortalPostgresEngine)):
        raise RuntimeError(
            f"piccolo_conf.py must set DB = portal.engine.engine_from_url(...), not {engine!r}"
        )
    return engine


async def install_generation_triggers(engine: Engine[Any]) -> int:
    """Gives every table (those of later migrations too) the trigger that bumps the write
    generation on PostgreSQL; a no-op where all have it, and on SQLite."""
    if not isinstance(engine, PortalPostgresEngine):
        return 0
    rows = await engine._fetch("SELECT portal_install_write_generation_triggers()", [])
    return int(rows[0][0])


def engine_from_url(database_url: str, default_sqlite_path: Path) -> PortalEngine:
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
