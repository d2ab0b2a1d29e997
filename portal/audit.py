"""Audited writes (the base's, for every area): every write runs in one transaction that also
records who changed what, and the `Actor` who writes — a signed-in user or an operator."""

from __future__ import annotations

import datetime
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from piccolo.table import Table
from starlette.requests import Request

from portal.db import constraints_as_domain_errors
from portal.tables import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who performs a write: a signed-in user, or a command-line operator (user_id None)."""

    user_id: int | None
    username: str


def plain(value: Any) -> Any:
    """A JSON-safe form of a column value, for the change record."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}."""
    fields = list(dict.fromkeys([*before, *after]))
    return {
        field: [plain(before.get(field)), plain(after.get(field))]
        for field in fields
        if plain(before.get(field)) != plain(after.get(field))
    }


def actor_of(request: Request) -> Actor:
    """The signed-in user making a write."""
    return Actor(request.user.user_id, request.user.username)


class AuditTrail:
    """Records writes inside the transaction opened by `audited_write`."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    async def record(
        self,
        action: str,
        table: type[Table] | str,
        row_id: int | None,
        summary: str = "",
        changes: Mapping[str, list[Any]] | None = None,
    ) -> None:
        table_name = table if isinstance(table, str) else table._meta.tablename
        await AuditEntry.insert(
            AuditEntry(
                user=self.actor.user_id,
                username=self.actor.username,
                action=action,
                table_name=table_name,
                row_id=row_id,
                summary=summary,
                changes=json.dumps(changes or {}, ensure_ascii=False),
            )
        )

    async def created(
        self, table: type[Table], row_id: int, values: Mapping[str, Any], summary: str = ""
    ) -> None:
        await self.record("create", table, row_id, summary, diff({}, values))

    async def updated(
        self,
        table: type[Table],
        row_id: int,
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        summary: str = "",
    ) -> None:
        await self.record("update", table, row_id, summary, diff(before, after))

    async def deleted(
        self, table: type[Table], row_id: int, values: Mapping[str, Any], summary: str = ""
    ) -> None:
        await self.record("delete", table, row_id, summary, diff(values, {}))


@asynccontextmanager
async def audited_write(actor: Actor) -> AsyncIterator[AuditTrail]:
    """One transaction for the write and its audit rows (IMMEDIATE on SQLite). A database
    constraint violation leaves it as UniqueViolation or ForeignKeyViolation (see
    portal.domain_errors), the transaction rolled back."""
    async with constraints_as_domain_errors(), AuditEntry._meta.db.transaction():
        yield AuditTrail(actor)
