"""Caps on what a request may carry, checked before anything parses it: the query string,
the body (by its declared length and while it is read), and the number of form fields.

A request over a cap is answered 400 (or 413 for a body) with a message, on the portal's own
error page: the middleware here, and the CSRF middleware when parsing a form fails, only mark
the request (`refuse`); the router raises the HTTP error (portal.routing), inside the
exception handlers that render error pages in the user's language.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.i18n import _

MAX_QUERY_BYTES = 4 * 1024  # the longest filter links are a few hundred bytes
MAX_FORM_BYTES = 1024 * 1024  # a urlencoded form: the longest text fields are a few KB
MAX_UPLOAD_BYTES = 12 * 1024 * 1024  # a multipart form: a 10 MB roster plus the form around it
MAX_FORM_FIELDS = 2_000  # the largest real form (attendance of a big organization) has < 1,000

REFUSAL = "portal.refusal"


def refuse(scope: Scope, status_code: int, message: str) -> None:
    """Marks the request as refused; the router answers it with the error page."""
    scope.setdefault(REFUSAL, (status_code, message))


class ShownHTTPException(HTTPException):
    """An HTTP error whose detail is written for the user (the error page shows it)."""


def raise_refusal(scope: Scope) -> None:
    """Raises the HTTP error a request was marked with (called by the router)."""
    refusal = scope.get(REFUSAL)
    if refusal is not None:
        raise ShownHTTPException(*refusal)


class BodyTooLarge(ShownHTTPException):
    def __init__(self) -> None:
        super().__init__(413, too_large_message())


def unreadable_form_message() -> str:
    return _("The form could not be read: it has too many fields or is not well formed.")


def too_large_message() -> str:
    return _(
        "What was sent is larger than the portal accepts (%(limit)s MB).",
        limit=MAX_UPLOAD_BYTES // (1024 * 1024),
    )


def body_cap(headers: Headers) -> int:
    content_type = headers.get("content-type", "")
    return MAX_UPLOAD_BYTES if content_type.startswith("multipart/") else MAX_FORM_BYTES


class RequestLimitsMiddleware:
    """Refuses a query string or a body over its cap before anything reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            refuse(scope, 400, _("The address is too long: shorten the search or the filters."))
        headers = Headers(scope=scope)
        cap = body_cap(headers)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            refuse(scope, 413, too_large_message())
            receive = empty_body
        await self.app(scope, receive if REFUSAL in scope else counted(receive, cap), send)


async def empty_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def counted(receive: Receive, cap: int) -> Receive:
    """The body as it comes, stopped with a 413 once it passes the cap (a body sent without a
    length, or longer than it said)."""
    read = 0

    async def receive_counted() -> Message:
        nonlocal read
        message = await receive()
        if message["type"] == "http.request":
            read += len(message.get("body", b""))
            if read > cap:
                raise BodyTooLarge()
        return message

    return receive_counted
