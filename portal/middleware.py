"""Our own middleware, written as plain ASGI (BaseHTTPMiddleware costs time on every request)."""

from __future__ import annotations

from starlette.datastructures import FormData, Headers, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.csrf import cookies_of
from portal.i18n import LOCALE_COOKIE, current_locale, pick_locale

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    ),
]


HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware:
    """Adds the security headers every response should carry (HSTS too, in production, where
    the site is served over HTTPS only)."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS] if hsts else SECURITY_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                present = {name for name, _ in message["headers"]}
                message["headers"] += [h for h in self.headers if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LocaleMiddleware:
    """Chooses the request's language (?lang=, the `lang` cookie, Accept-Language)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query_string = scope.get("query_string", b"")
        query_lang = QueryParams(query_string).get("lang") if b"lang=" in query_string else None
        locale = pick_locale(
            query_lang,
            cookies_of(scope).get(LOCALE_COOKIE),
            Headers(scope=scope).get("accept-language", ""),
        )
        scope["locale"] = locale
        token = current_locale.set(locale)
        try:
            await self.app(scope, receive, send)
        finally:
            current_locale.reset(token)


class CloseFormMiddleware:
    """Closes the uploaded files of a parsed form once the response is sent.

    The CSRF middleware parses form bodies (keeping them in scope["form"]) before a handler
    runs, and nothing else closes their temporary files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            form = scope.get("form")
            if isinstance(form, FormData):
                await form.close()
