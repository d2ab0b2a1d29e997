from piccolo.conf.apps import AppConfig, table_finder

from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="talent_pool",
    migrations_folder_path=str(ROOT / "migrations" / "talent_pool"),
    table_classes=table_finder(modules=["talent_pool.tables"], exclude_imported=True),
    migration_dependencies=["portal.piccolo_app", "partners.piccolo_app"],
    commands=[],
)
