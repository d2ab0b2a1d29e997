"""Prometheus metrics, off unless PORTAL_METRICS_TOKEN is set: requests by route and status,
their latency, the background queue's depth and the jobs that failed. /metrics (in the top
layer, which knows the queue) answers only a scraper that sends the token.

With several server workers, set PROMETHEUS_MULTIPROC_DIR to an empty folder (the client
library's multiprocess mode): each worker writes its figures there and /metrics adds them up.
"""

from __future__ import annotations

import hmac
import os
import time

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "portal_requests",
    "Requests answered, by route template, method and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "portal_request_duration_seconds",
    "Time to answer a request, by route template",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
QUEUE_DEPTH = Gauge(
    "portal_queue_jobs",
    "Background jobs waiting or running, by kind and status",
    ["kind", "status"],
    multiprocess_mode="mostrecent",
)
JOB_FAILURES = Counter("portal_job_failures", "Background jobs that failed, by kind", ["kind"])


def metrics_token() -> str:
    return os.environ.get("PORTAL_METRICS_TOKEN", "")


def scraper_allowed(authorization: str) -> bool:
    """The request carries ``Authorization: Bearer <PORTAL_METRICS_TOKEN>``."""
    token = metrics_token()
    return bool(token) and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode())


def exposition() -> bytes:
    """The metrics in Prometheus' text format, of every worker in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


class MetricsMiddleware:
    """Counts and times every request under its route's template (``/students/{student_id}``,
    never the path itself, so the label set stays small); unmatched paths count as one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            method = scope["method"]
            REQUESTS.labels(template, method, str(status)).inc()
            LATENCY.labels(template, method).observe(time.perf_counter() - started)
