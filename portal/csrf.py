"""CSRF protection as plain ASGI: a token tied to the session, checked on every unsafe request.

A signed-in browser's token is an HMAC of its session cookie under the server's secret, so a
token taken from one session (or planted as a cookie by a neighbouring site) is worthless in
another; before sign-in it is a random value kept in the ``csrftoken`` cookie (the classic
double-submit). The cookie always carries the current token for scripts (htmx sends it as the
``X-CSRFToken`` header); forms send it as the ``csrftoken`` field. Over HTTPS the request's
Origin (or Referer) must also name one of the allowed hosts.

It replaces piccolo_api's CSRFMiddleware, a BaseHTTPMiddleware that cost as much per request
as the fastest page of the stack.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.i18n import _
from portal.limits import (
    MAX_FORM_FIELDS,
    REFUSAL,
    ShownHTTPException,
    refuse,
    unreadable_form_message,
)

logger = logging.getLogger(__name__)

COOKIE_NAME = "csrftoken"
HEADER_NAME = "x-csrftoken"
FORM_FIELD = "csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ONE_YEAR = 365 * 24 * 3600


def stale_form_message() -> str:
    return _(
        "This form could not be accepted: it was opened in another session, or the session "
        "ended. Go back, reload the page and send it again."
    )


def session_token_for(secret: bytes, session: str) -> str:
    """The CSRF token of a session: worthless without the server's secret and that session."""
    return hmac.new(secret, b"csrf|" + session.encode(), hashlib.sha256).hexdigest()


def cookies_of(scope: Scope) -> dict[str, str]:
    """The request's cookies, parsed once per request and kept in the scope."""
    cookies = scope.get("portal.cookies")
    if cookies is None:
        header = Headers(scope=scope).get("cookie", "")
        cookies = scope["portal.cookies"] = cookie_parser(header) if header else {}
    return cookies


def new_session_cookie(headers: MutableHeaders, session_cookie: str) -> str | None:
    """The session cookie a response sets (a sign-in) or clears (a sign-out, as ""), if any."""
    for name, value in headers.raw:
        if name == b"set-cookie" and value.startswith(session_cookie.encode() + b"="):
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(value.decode("latin-1"))
            morsel = parsed[session_cookie]
            return "" if morsel["max-age"] in ("0", 0) else morsel.value
    return None


class CSRFMiddleware:
    """Puts the request's token in ``scope["csrftoken"]`` for templates; refuses unsafe
    requests without it (403)."""

    def __init__(
        self,
        app: ASGIApp,
        secret_key: str,
        session_cookie: str,
        allowed_hosts: Sequence[str] = (),
        secure_cookie: bool = False,
    ) -> None:
        self.app = app
        self.secret = secret_key.encode()
        self.session_cookie = session_cookie
        self.allowed_hosts = frozenset(allowed_hosts)
        self.secure_cookie = secure_cookie

    def expected_token(self, cookies: dict[str, str]) -> str | None:
        session = cookies.get(self.session_cookie)
        if session:
            return session_token_for(self.secret, session)
        return cookies.get(COOKIE_NAME) or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = cookies_of(scope)
        expected = self.expected_token(cookies)
        # A request already refused by a cap is answered by the router, no handler runs.
        if scope["method"] not in SAFE_METHODS and REFUSAL not in scope:
            refusal = await self.refusal(scope, receive, expected)
            if refusal is not None:
                # The reason is for the log; the person gets the error page with what to do.
                logger.info("CSRF refusal: %s %s: %s", scope["method"], scope["path"], refusal)
                refuse(scope, 403, stale_form_message())
        token = expected or secrets.token_urlsafe(32)
        scope["csrftoken"] = token
        await self.app(scope, receive, self.keeping_cookie(send, token, cookies.get(COOKIE_NAME)))

    async def refusal(self, scope: Scope, receive: Receive, expected: str | None) -> str | None:
        """Why an unsafe request is refused, or None when its token is right."""
        if expected is None:
            return "No CSRF cookie found"
        submitted: UploadFile | str | None = Headers(scope=scope).get(HEADER_NAME)
        if not submitted:
            request = Request(scope, receive)
            try:
                form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=MAX_FORM_FIELDS)
            except ShownHTTPException as error:  # the body passed its cap
                refuse(scope, error.status_code, error.detail)
                return None
            except HTTPException:  # too many fields, or not a well-formed form
                refuse(scope, 400, unreadable_form_message())
                return None
            scope["form"] = form  # handlers read it from here (the body is consumed)
            submitted = form.get(FORM_FIELD)
        if not isinstance(submitted, str) or not submitted:
            return "The CSRF token wasn't found in the form data or header."
        if not hmac.compare_digest(submitted.encode(), expected.encode()):
            return "The CSRF token does not match this session."
        if scope.get("scheme") == "https" and not self.origin_allowed(scope):
            return "Referer or origin is incorrect"
        return None

    def origin_allowed(self, scope: Scope) -> bool:
        headers = Headers(scope=scope)
        source = headers.get("origin") or headers.get("referer") or ""
        return (urlsplit(source).hostname or "") in self.allowed_hosts

    def keeping_cookie(self, send: Send, token: str, cookie: str | None) -> Send:
        """Sends the response with the ``csrftoken`` cookie set to the token that the next
        request will expect (a new one when the response signs in or out)."""

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                session = new_session_cookie(headers, self.session_cookie)
                current = token
                if session is not None:
                    current = (
                        session_token_for(self.secret, session)
                        if session
                        else secrets.token_urlsafe(32)
                    )
                if current != cookie:
                    headers.append("set-cookie", self.cookie_header(current))
            await send(message)

        return send_with_cookie

    def cookie_header(self, token: str) -> str:
        cookie = f"{COOKIE_NAME}={token}; Max-Age={ONE_YEAR}; Path=/; SameSite=lax"
        return cookie + "; Secure" if self.secure_cookie else cookie
