from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo_api.session_auth.tables import SessionsBase

ID = "2026-11-30T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "Session tokens are kept hashed (SHA-256; the cookie holds the token): the sessions "
    "stored before, whose tokens were kept as they are, are ended (everyone signs in again)."
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def end_plain_sessions():
        await SessionsBase.delete(force=True)

    manager.add_raw(end_plain_sessions)
    return manager
