"""Piccolo configuration: the engine chosen by DATABASE_URL, and the app registry."""

import os

from piccolo.conf.apps import AppRegistry

from portal.engine import engine_from_url
from portal.settings import VAR_DIR

DB = engine_from_url(
    os.environ.get("DATABASE_URL", ""), default_sqlite_path=VAR_DIR / "portal.sqlite"
)

APP_REGISTRY = AppRegistry(
    apps=[
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
        "portal.piccolo_app",
        "partners.piccolo_app",
        "talent_pool.piccolo_app",
    ]
)
