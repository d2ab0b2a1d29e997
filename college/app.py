"""Builds the Starlette application, in the top layer because it assembles every area: the
routes of the base, partners, the talent pool and the top layer, the middleware, the lifespan
(the engine's pool, the PDF batch runner) and the error handlers — among them the one handler
of domain errors (portal.errors.domain_error)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

import college.routes
import partners.routes
import portal.routes
import talent_pool.routes
from college.batches import BatchRunner
from portal.auth import SESSION_COOKIE, PortalAuthBackend
from portal.cache import caches_for_app
from portal.csrf import CSRFMiddleware
from portal.domain_errors import DomainError
from portal.engine import configured_engine, install_generation_triggers
from portal.errors import domain_error, http_error, server_error
from portal.middleware import CloseFormMiddleware, LocaleMiddleware, SecurityHeadersMiddleware
from portal.pdf import shutdown_pool
from portal.routing import SegmentRouter
from portal.rulebook import current_settings
from portal.settings import ROOT, Settings, load_settings


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    engine = configured_engine()
    await engine.start_connection_pool()
    await install_generation_triggers(engine)
    await engine.refresh_statistics()
    await current_settings()  # the rule book's numbers and the party rules' version in force
    runner = BatchRunner()  # batch PDF exports, in the background of every server process
    runner.start()
    try:
        yield
    finally:
        await runner.stop()
        shutdown_pool()
        await engine.close_connection_pool()


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    allowed_hosts = [h for h in os.environ.get("PORTAL_ALLOWED_HOSTS", "").split(",") if h]
    app = Starlette(
        routes=[
            *portal.routes.routes,
            *college.routes.routes,
            *partners.routes.routes,
            *talent_pool.routes.routes,
            Mount("/static", StaticFiles(directory=ROOT / "portal" / "static"), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(LocaleMiddleware),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="portal_flash",
                same_site="lax",
                https_only=settings.production,
            ),
            Middleware(CloseFormMiddleware),
            Middleware(
                CSRFMiddleware,
                secret_key=settings.secret_key,
                session_cookie=SESSION_COOKIE,
                allowed_hosts=allowed_hosts,
                secure_cookie=settings.production,
            ),
            Middleware(AuthenticationMiddleware, backend=PortalAuthBackend(settings.session_hours)),
        ],
        exception_handlers={
            HTTPException: http_error,
            DomainError: domain_error,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    # Same routes, same order, same answers: found by their path's first segment.
    app.router = SegmentRouter(app.router.routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.caches = caches_for_app()
    return app


app = create_app()
