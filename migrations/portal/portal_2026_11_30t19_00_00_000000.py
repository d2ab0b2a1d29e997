from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "The job queue of `portal worker` on PostgreSQL: procrastinate's tables, types and "
    "functions (its schema.sql), when missing. Nothing on SQLite, which has no job queue."
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def apply_job_queue_schema():
        engine = engine_finder()
        if engine is None or engine.engine_type != "postgres":
            return
        from procrastinate.schema import SchemaManager

        async def apply(connection):
            present = await connection.fetchval(
                "SELECT to_regclass('procrastinate_jobs') IS NOT NULL"
            )
            if not present:  # several statements: asyncpg runs them as one simple query
                await connection.execute(SchemaManager.get_schema())

        transaction = engine.current_transaction.get()  # the migration's, as a rule
        if transaction is not None:
            await apply(transaction.connection)
        else:
            async with engine.transaction() as outer:
                await apply(outer.connection)

    manager.add_raw(apply_job_queue_schema)
    return manager
