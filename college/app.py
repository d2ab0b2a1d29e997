"""Builds the Starlette application, in the top layer because it assembles every area: the
routes of the base, partners, the talent pool and the top layer, the middleware, the lifespan
(the engine's pool, the jobs on SQLite) and the error handlers — among them the one handler
of domain errors (portal.errors.domain_error)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

import college.routes
import partners.routes
import portal.routes
import talent_pool.routes
from college.jobs.local import LocalJobs
from college.jobs.queue import queue_reachable
from portal.auth import SESSION_COOKIE, PortalAuthBackend
from portal.cache import caches_for_app
from portal.csrf import CSRFMiddleware
from portal.domain_errors import DomainError
from portal.engine import configured_engine, install_generation_triggers
from portal.errors import domain_error, http_error, server_error
from portal.health import add_readiness_check
from portal.limits import RequestLimitsMiddleware
from portal.logs import RequestIdMiddleware
from portal.metrics import MetricsMiddleware, metrics_token
from portal.middleware import CloseFormMiddleware, LocaleMiddleware, SecurityHeadersMiddleware
from portal.pdf import shutdown_pool
from portal.routing import SegmentRouter
from portal.rulebook import current_settings
from portal.settings import ROOT, Settings, load_settings, private_files_warnings

logger = logging.getLogger("portal")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    for warning in private_files_warnings():
        logger.warning(warning)
    engine = configured_engine()
    await engine.start_connection_pool()
    await install_generation_triggers(engine)
    await engine.refresh_statistics()
    await current_settings()  # the rule book's numbers and the party rules' version in force
    runner = LocalJobs()  # on SQLite: the background jobs, in every server process
    runner.start()
    try:
        yield
    finally:
        await runner.stop()
        shutdown_pool()
        await engine.close_connection_pool()


class PortalApp(Starlette):
    """Starlette with the security headers and the request id outside its error middleware
    too, so a 500 page carries them like every other response."""

    hsts = False  # Strict-Transport-Security on every response (production: HTTPS only)

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        if metrics_token():  # metrics are off unless a scraper has a token
            stack = MetricsMiddleware(stack)
        return SecurityHeadersMiddleware(RequestIdMiddleware(stack), hsts=self.hsts)


# Served under these host names unless PORTAL_ALLOWED_HOSTS names others: any other Host
# header gets 400, so no redirect or absolute link ever names a host an attacker sent.
LOCAL_HOSTS = ["localhost", "127.0.0.1", "testserver"]


def allowed_hosts_setting() -> list[str]:
    named = [h.strip() for h in os.environ.get("PORTAL_ALLOWED_HOSTS", "").split(",")]
    return [h for h in named if h] or LOCAL_HOSTS


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    allowed_hosts = allowed_hosts_setting()
    app = PortalApp(
        routes=[
            *portal.routes.routes,
            *college.routes.routes,
            *partners.routes.routes,
            *talent_pool.routes.routes,
            Mount("/static", StaticFiles(directory=ROOT / "portal" / "static"), name="static"),
        ],
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts, www_redirect=False),
            Middleware(LocaleMiddleware),
            Middleware(RequestLimitsMiddleware),
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
    add_readiness_check("queue", queue_reachable)
    app.hsts = settings.production  # read when the middleware stack is built, at the first call
    app.state.caches = caches_for_app()
    return app


app = create_app()
