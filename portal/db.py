"""Small database helpers shared by every app."""

from __future__ import annotations

import sqlite3

import asyncpg
from piccolo.columns import Column
from piccolo.columns.combination import Where


def is_unique_violation(error: BaseException) -> bool:
    """True when a write failed on a UNIQUE constraint (SQLite or PostgreSQL)."""
    if isinstance(error, asyncpg.UniqueViolationError):
        return True
    return isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)


def is_foreign_key_violation(error: BaseException) -> bool:
    """True when a delete or write was refused because other rows still refer to the row."""
    if isinstance(error, asyncpg.ForeignKeyViolationError):
        return True
    return isinstance(error, sqlite3.IntegrityError) and "FOREIGN KEY" in str(error)


def contains(column: Column, text: str) -> Where:
    """Case-insensitive "column contains text": ILIKE on PostgreSQL, LIKE on SQLite (already
    case-insensitive for ASCII there). Wildcards typed by the user are dropped."""
    pattern = "%" + text.replace("%", "").replace("_", "") + "%"
    if column._meta.engine_type == "sqlite":
        return column.like(pattern)
    return column.ilike(pattern)
