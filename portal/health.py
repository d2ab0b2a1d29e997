"""Health of a server process, for load balancers and orchestrators: alive (the process
answers), and ready (the database answers, its schema is the one this code expects, and the
checks the application adds pass — the job queue's, registered by the top layer)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.tables import Migration

from portal.db import DATABASE_ERRORS

ReadinessCheck = Callable[[], Awaitable[bool]]
_checks: dict[str, ReadinessCheck] = {}


def add_readiness_check(name: str, check: ReadinessCheck) -> None:
    """Another thing a ready server needs (e.g. "queue"): /readyz reports it by name."""
    _checks[name] = check


@dataclass(frozen=True)
class Readiness:
    database: bool
    migrations_pending: int  # -1 when the database could not be asked
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.database and self.migrations_pending == 0 and all(self.checks.values())


@functools.cache
def expected_migrations() -> frozenset[tuple[str, str]]:
    """(app, migration id) of every migration this code ships."""
    manager = BaseMigrationManager()
    expected: set[tuple[str, str]] = set()
    for app_module in manager.get_app_modules():
        config = app_module.APP_CONFIG
        modules = manager.get_migration_modules(config.resolved_migrations_folder_path)
        expected.update((config.app_name, migration_id) for migration_id in modules)
    return frozenset(expected)


async def readiness() -> Readiness:
    try:
        applied = await Migration.select(Migration.app_name, Migration.name)
    except DATABASE_ERRORS:
        return Readiness(database=False, migrations_pending=-1)
    ran = {(row["app_name"], row["name"]) for row in applied}
    checks = {name: await passes(check) for name, check in _checks.items()}
    return Readiness(True, len(expected_migrations() - ran), checks)


async def passes(check: ReadinessCheck) -> bool:
    try:
        return await check()
    except DATABASE_ERRORS:
        return False
