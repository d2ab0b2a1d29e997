"""Logs an operator can follow: every request gets an id (kept from a proxy's X-Request-ID, or
made here), sent back in the X-Request-ID header, shown on the 500 page so a user can quote it,
and written on every log line of that request — the access line included. With
``PORTAL_LOG_FORMAT=json`` the lines are JSON objects, one a line, for a log collector."""

from __future__ import annotations

import datetime
import json
import logging
import re
import secrets
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
TRUSTED_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdMiddleware:
    """Gives each request its id (``scope["request_id"]``, the log lines, the response)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        current = given if TRUSTED_ID.fullmatch(given) else secrets.token_hex(8)
        scope["request_id"] = current
        token = request_id.set(current)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"].append((REQUEST_ID_HEADER.encode(), current.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class JsonLinesFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id; an access line's
    fields (client, method, path, status) each under its own key; a traceback as ``error``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            entry.update(zip(ACCESS_FIELDS, record.args, strict=False))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


LOGGERS = ("portal", "college", "partners", "talent_pool", "uvicorn", "uvicorn.access")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def log_config(json_lines: bool) -> dict[str, Any]:
    """The logging configuration of `portal serve` (uvicorn's own loggers included)."""
    formatter: dict[str, Any] = (
        {"()": JsonLinesFormatter} if json_lines else {"format": TEXT_FORMAT}
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "portal",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"portal": formatter},
        "handlers": {"portal": handler},
        "loggers": {
            name: {"handlers": ["portal"], "level": "INFO", "propagate": False}
            for name in LOGGERS
        },
    }
