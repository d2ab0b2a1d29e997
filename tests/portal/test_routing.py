"""The router that narrows by first path segment finds, for every path, the route Starlette's
full scan finds."""

from __future__ import annotations

import re

from starlette.routing import Match, Router

from college.app import create_app

PARAMETER = re.compile(r"{[^}]+}")


def sample_paths(app) -> list[str]:
    paths = []
    for route in app.router.routes:
        path = getattr(route, "path", None)
        if path is not None:
            paths.append(PARAMETER.sub("7", path) or "/")
    return paths + ["/", "/nowhere", "/students", "/static/portal.css", "/students/7/nothing"]


def first_full_match(routes, scope):
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
    return None


def test_every_path_reaches_the_route_a_full_scan_reaches():
    app = create_app()
    router = app.router
    for path in sample_paths(app):
        for method in ("GET", "POST"):
            scope = {"type": "http", "path": path, "root_path": "", "method": method}
            segment = path.lstrip("/").split("/", 1)[0]
            narrowed: Router = router._router_for(segment)
            expected = first_full_match(router.routes, scope)
            assert first_full_match(narrowed.routes, scope) is expected, (method, path)


def test_unknown_first_segments_share_one_narrowed_router():
    router = create_app().router
    assert router._router_for("a-b-c") is router._router_for("x-y-z")


def test_a_missing_trailing_slash_still_redirects(signed_in):
    coordinator = signed_in("coordinator")
    response = coordinator.get("/students")
    assert response.status_code in (307, 308)
    assert response.headers["location"].endswith("/students/")
