"""/healthz (the process answers) and /readyz (the database answers, the schema is current):
for a load balancer or an orchestrator, open to anyone, saying nothing about the data."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal.health import readiness

NO_STORE = {"Cache-Control": "no-store"}


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


async def readyz(request: Request) -> Response:
    state = await readiness()
    body = {
        "status": "ready" if state.ready else "not ready",
        "database": "ok" if state.database else "unreachable",
        "migrations_pending": state.migrations_pending,
        **{name: "ok" if passed else "failing" for name, passed in state.checks.items()},
    }
    return JSONResponse(body, status_code=200 if state.ready else 503, headers=NO_STORE)


routes = [
    Route("/healthz", healthz, name="healthz"),
    Route("/readyz", readyz, name="readyz"),
]
