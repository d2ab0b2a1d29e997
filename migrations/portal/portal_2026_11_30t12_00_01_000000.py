from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from portal.db import run_script
from portal.search import STUDENTS, drop_script, index_script

ID = "2026-11-30T12:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "Search without scans: the n-gram index portal_search_term (terms of 1-3 characters), "
    "kept by triggers; students' names and numbers indexed."
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_index():
        await run_script(index_script([STUDENTS], engine_finder().engine_type))

    async def drop_index():
        await run_script(drop_script([STUDENTS], engine_finder().engine_type))

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
