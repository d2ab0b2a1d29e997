"""/metrics for a Prometheus scraper (portal.metrics): a 404 unless PORTAL_METRICS_TOKEN is set
and the scraper sends it; the queue's depth is read from the database at each scrape."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from college.batches import queue_depth
from portal.metrics import QUEUE_DEPTH, exposition, metrics_token, scraper_allowed

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


async def metrics(request: Request) -> Response:
    if not metrics_token():
        return Response(status_code=404)
    if not scraper_allowed(request.headers.get("authorization", "")):
        return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    for status, count in (await queue_depth()).items():
        QUEUE_DEPTH.labels("pdf_batch", status).set(count)
    return Response(exposition(), media_type=PROMETHEUS_TEXT, headers={"Cache-Control": "no-store"})


routes = [Route("/metrics", metrics, name="metrics")]
