from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index piccolo_api's session tokens: every request looks its session up by token."


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS sessions_token_idx ON sessions (token)"
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions (user_id)"
        )

    async def drop_indexes():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS sessions_token_idx")
        await engine.run_ddl("DROP INDEX IF EXISTS sessions_user_id_idx")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
