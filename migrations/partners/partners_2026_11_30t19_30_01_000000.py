from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from portal.db import run_script

ID = "2026-11-30T19:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "One weekly placement log per placement and week (a unique index)."


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)

    async def one_log_a_week():
        await run_script(
            "CREATE UNIQUE INDEX partners_weekly_log_one_a_week"
            " ON partners_weekly_log (participation, week_start);"
        )

    async def drop_one_log_a_week():
        await run_script("DROP INDEX IF EXISTS partners_weekly_log_one_a_week;")

    manager.add_raw(one_log_a_week)
    manager.add_raw_backwards(drop_one_log_a_week)
    return manager
