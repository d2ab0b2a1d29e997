"""The read layer's entry points: a statement and its parameters in, typed rows out.

Each area keeps its hot reads in a ``queries.py`` of ``Statement``s and row classes (frozen,
slotted dataclasses, so templates read attributes directly instead of missing on a dict first);
these functions run them on the engine's read path (see portal.engine) and build the rows.
Inside a transaction they run on the transaction's connection, so rules see their own writes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from portal.cache import current_engine
from portal.sql import Shapes, Statement

Row = TypeVar("Row")


async def fetch(statement: Statement, **params: Any) -> list[Any]:
    """The raw rows (tuples by position)."""
    return await current_engine().fetch(statement, params)


async def rows(make: Callable[..., Row], statement: Statement, **params: Any) -> list[Row]:
    """Every row, each built as ``make(*columns)`` (a row class, in the statement's column
    order)."""
    return [make(*row) for row in await current_engine().fetch(statement, params)]


async def first(make: Callable[..., Row], statement: Statement, **params: Any) -> Row | None:
    found = await current_engine().fetch(statement, params)
    return make(*found[0]) if found else None


async def value(statement: Statement, **params: Any) -> Any:
    """The first column of the first row (a count, an id), or None."""
    found = await current_engine().fetch(statement, params)
    return found[0][0] if found else None


async def count(shapes: Shapes, key: Hashable, source: str, where: str, **params: Any) -> int:
    """How many rows ``source`` (a FROM clause, with its joins) has under ``where`` (a WHERE
    clause or ""); the statement is built once per ``key`` (the shape of the two)."""
    statement = shapes.get(key, lambda: f"SELECT COUNT(*) FROM {source}{where}")
    return int(await value(statement, **params))
