from piccolo.conf.apps import AppConfig, table_finder

from portal.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="partners",
    migrations_folder_path=str(ROOT / "migrations" / "partners"),
    table_classes=table_finder(
        modules=["partners.organizations.tables", "partners.coeducation.tables"],
        exclude_imported=True,
    ),
    migration_dependencies=["piccolo.apps.user.piccolo_app", "portal.piccolo_app"],
    commands=[],
)
