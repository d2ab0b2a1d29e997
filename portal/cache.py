"""Data-keyed caches: values derived from the database, kept until the next write.

Every entry remembers the write generation it was computed at (``PRAGMA data_version`` on
SQLite, a row bumped by every writing transaction on PostgreSQL — see portal.engine) and is
served only while the generation is unchanged, so a cached figure or page is never older than
the last committed write, in this worker or any other. The generation is read before the value
is computed: a write that lands in between leaves the value fresher than its key, never staler.

Nothing user-specific crosses users. A page is kept per viewer scope (role and the records
the viewer is tied to: every coordinator shares the college's pages, a partner its
enterprise's), and what differs between viewers of one scope — their name in the header, the
CSRF token of their session — is put into each response, never stored; pages with flash
messages are not stored at all.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import os
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from html import escape
from typing import Any, TypeVar

from piccolo.engine import engine_finder
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

T = TypeVar("T")
MISSING: Any = object()
GENERATION_KEY = "portal.generation"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Rendered with these in place of the CSRF token and the viewer's name, put back per response.
TOKEN_PLACEHOLDER = "csrf-placeholder-" + secrets.token_hex(12)
NAME_PLACEHOLDER = "viewer-name-placeholder-" + secrets.token_hex(12)


_engine: Any = None


def current_engine() -> Any:
    """The engine piccolo_conf chose (looked up once: engine_finder imports the config)."""
    global _engine
    if _engine is None:
        _engine = engine_finder()
    return _engine


class GenerationCache:
    """A bounded LRU of values, each valid for the write generation it was computed at."""

    def __init__(self, max_entries: int = 10_000, max_bytes: int = 64 * 2**20) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[int, Any, int]] = OrderedDict()

    def get(self, key: Hashable, generation: int) -> Any:
        entry = self._entries.get(key)
        if entry is None or entry[0] != generation:
            self.misses += 1
            return MISSING
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[1]

    def put(self, key: Hashable, generation: int, value: Any, size: int = 1) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= old[2]
        self._entries[key] = (generation, value, size)
        self.size += size
        while self._entries and (
            len(self._entries) > self.max_entries or self.size > self.max_bytes
        ):
            _, (_, _, dropped) = self._entries.popitem(last=False)
            self.size -= dropped

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0

    def __len__(self) -> int:
        return len(self._entries)


def caches_for_app() -> dict[str, GenerationCache]:
    """The caches one app instance keeps (a new app, e.g. per test, starts empty)."""
    page_megabytes = int(os.environ.get("PORTAL_PAGE_CACHE_MB", "64"))
    return {
        "values": GenerationCache(max_entries=20_000, max_bytes=32 * 2**20),
        "pages": GenerationCache(max_entries=20_000, max_bytes=page_megabytes * 2**20),
    }


# --- the generation of a request -----------------------------------------------------------


async def generation(connection: HTTPConnection) -> int:
    """The write generation, read once per safe request (a GET sees one state of the data);
    read afresh for requests that write."""
    scope = connection.scope
    if scope.get("method") in SAFE_METHODS:
        known = scope.get(GENERATION_KEY)
        if known is not None:
            return known
        scope[GENERATION_KEY] = known = await current_engine().write_generation()
        return known
    return await current_engine().write_generation()


def forget_generation(connection: HTTPConnection) -> None:
    """After a write inside a safe request (a session extended), read the generation again."""
    connection.scope.pop(GENERATION_KEY, None)


# --- derived values ------------------------------------------------------------------------


async def cached_value(request: Request, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
    """A figure derived from the data (dashboard counts, filter choices), computed once per
    write generation. The key must name everything the value depends on besides the data:
    the viewer's scope, the locale of any text in it, the day for date-relative figures."""
    cache: GenerationCache = request.app.state.caches["values"]
    current = await generation(request)
    value = cache.get(key, current)
    if value is MISSING:
        value = await compute()
        cache.put(key, current, value)
    return value


# --- whole pages ---------------------------------------------------------------------------


def page_key(request: Request) -> tuple[Any, ...]:
    """What a page's HTML depends on besides the data: what the viewer may see (their scope),
    in which language, at which URL (absolute links carry the host), and on which day."""
    viewer = request.scope.get("user")
    return (
        getattr(viewer, "scope_key", None),
        request.scope.get("locale"),
        request.url.netloc,
        request.url.scheme,
        request.scope["path"],
        request.scope.get("query_string", b""),
        datetime.date.today(),
    )


def has_flashes(request: Request) -> bool:
    session = request.scope.get("session")
    return bool(session and session.get("flash"))


def personalized(body: bytes, request: Request) -> bytes:
    """A stored page with this response's CSRF token and the viewer's name put in."""
    token = request.scope.get("csrftoken", "")
    body = body.replace(TOKEN_PLACEHOLDER.encode(), token.encode())
    viewer = request.scope.get("user")
    if NAME_PLACEHOLDER.encode() in body:
        name = escape(getattr(viewer, "display_name", ""), quote=True)
        body = body.replace(NAME_PLACEHOLDER.encode(), name.encode())
    return body


def anonymized(viewer: Any) -> Any:
    """The viewer as a stored page may show them: their name left as a placeholder."""
    if (
        dataclasses.is_dataclass(viewer)
        and not isinstance(viewer, type)
        and hasattr(viewer, "name")
    ):
        return dataclasses.replace(viewer, name=NAME_PLACEHOLDER)
    return viewer


def cached_page(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Serves a GET page from the data-keyed cache when nothing it shows has changed.

    For pages whose HTML depends only on the data, the viewer's scope (and name), the URL, the
    language and the day. The page is rendered with placeholders for the CSRF token and the
    viewer's name, put back per response; a page with flash messages to show is rendered
    fresh and not stored."""

    @functools.wraps(endpoint)
    async def serve(request: Request) -> Response:
        if request.method != "GET" or has_flashes(request):
            return await endpoint(request)
        cache: GenerationCache = request.app.state.caches["pages"]
        key = (endpoint.__qualname__, *page_key(request))
        current = await generation(request)
        stored = cache.get(key, current)
        if stored is not MISSING:
            status, media_type, body = stored
            return Response(personalized(body, request), status_code=status, media_type=media_type)
        token, viewer = request.scope.get("csrftoken", ""), request.scope.get("user")
        request.scope["csrftoken"], request.scope["user"] = TOKEN_PLACEHOLDER, anonymized(viewer)
        try:
            response = await endpoint(request)
        finally:
            request.scope["csrftoken"], request.scope["user"] = token, viewer
        body = getattr(response, "body", None)
        if not isinstance(body, bytes):
            return response
        if response.status_code == 200 and "set-cookie" not in response.headers:
            media_type = response.headers.get("content-type", "text/html; charset=utf-8")
            cache.put(key, current, (200, media_type.split(";")[0], body), size=len(body) + 200)
        response.body = personalized(body, request)
        response.headers["content-length"] = str(len(response.body))
        return response

    serve.cached_page = True  # type: ignore[attr-defined]
    return serve
