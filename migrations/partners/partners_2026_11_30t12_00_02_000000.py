from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from partners.search import ENTERPRISES, MENTORS
from portal.db import run_script
from portal.search import drop_script, index_script

ID = "2026-11-30T12:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "Search without scans: enterprises (name, credit code) and mentors (name) indexed."


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)

    async def create_index():
        await run_script(index_script([ENTERPRISES, MENTORS], engine_finder().engine_type))

    async def drop_index():
        await run_script(drop_script([ENTERPRISES, MENTORS], engine_finder().engine_type))

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
