"""Routing that looks only at the routes a path can match.

Starlette's router tries every route in order with a regular expression: with a hundred
routes, a request for one of the last (the talent pool's) spent more time finding its handler
than a cached page takes to serve. Routes are grouped here by the first segment of their path
(``/students/…``, ``/projects/…``); a request tries, in their original order, only the routes
of its own first segment and those whose first segment is a parameter. The first full match
is the same as Starlette's, so behaviour is unchanged; anything not found that way (a 404, a
trailing-slash redirect, a 405) is left to the full router as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Router
from starlette.types import Receive, Scope, Send

from portal.limits import raise_refusal

ANY_SEGMENT = None


def first_segment(path: str) -> str | None:
    """``students`` for ``/students/{id}``; None when the first segment is a parameter."""
    segment = path.lstrip("/").split("/", 1)[0]
    return ANY_SEGMENT if "{" in segment else segment


class SegmentRouter(Router):
    """A Router that narrows the routes it tries by the request path's first segment."""

    def __init__(self, routes: Sequence[BaseRoute], **options: Any) -> None:
        super().__init__(routes, **options)
        self._segments = {first_segment(getattr(r, "path", "/{any}")) for r in self.routes}
        self._narrowed: dict[str | None, Router] = {}

    def _router_for(self, segment: str) -> Router:
        key = segment if segment in self._segments else ANY_SEGMENT  # bounded: known ones
        narrowed = self._narrowed.get(key)
        if narrowed is None:
            candidates = [
                route
                for route in self.routes
                if first_segment(getattr(route, "path", "/{any}")) in (key, ANY_SEGMENT)
            ]
            narrowed = Router(candidates, redirect_slashes=False, default=self._everything)
            self._narrowed[key] = narrowed
        return narrowed

    async def _everything(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().app(scope, receive, send)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        scope.setdefault("router", self)  # url_for looks names up among all the routes
        raise_refusal(scope)  # a request over a cap (portal.limits) reaches no handler
        segment = get_route_path(scope).lstrip("/").split("/", 1)[0]
        await self._router_for(segment).app(scope, receive, send)
