"""The base's Piccolo app (`portal`): its tables (portal.tables) and their migrations, after
Piccolo's users and piccolo_api's sessions, which its tables refer to."""

from piccolo.conf.apps import AppConfig, table_finder

from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="portal",
    migrations_folder_path=str(ROOT / "migrations" / "portal"),
    table_classes=table_finder(modules=["portal.tables"], exclude_imported=True),
    migration_dependencies=[
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
    ],
    commands=[],
)
