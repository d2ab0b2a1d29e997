"""Home, in the top layer: dashboards for staff and partners that join every area (students
go to their record, /me), and the health check.

The dashboard's figures are derived from the whole college's (or an enterprise's) data, so
they are kept until the next write (portal.cache), keyed to what else they depend on: the
viewer's scope, the day (terms, months, what is overdue), and for the charts the language of
their labels and the site's address in their links. The page itself is kept per viewer.
"""

from __future__ import annotations

import datetime
from typing import Any

from piccolo.apps.user.tables import BaseUser
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from college import dashboard_queries as queries
from college.dashboard import ChartLinks, dashboard_charts
from partners.dashboard import partner_side_figures
from partners.dashboard_queries import needing_attention
from portal.auth import ALL_ROLES, Viewer, allow
from portal.cache import cached_page, cached_value
from portal.charts import Chart
from portal.db import DATABASE_ERRORS
from portal.i18n import current_locale
from portal.tables import Role
from portal.templating import render
from talent_pool.queries import due_summary

STAFF = (Role.coordinator, Role.partner, Role.mentor)


@allow(*ALL_ROLES)
@cached_page
async def home(request: Request) -> Response:
    if request.user.role is Role.student:
        return RedirectResponse(request.url_for("my_record"), status_code=303)
    return await dashboard(request)


async def dashboard(request: Request) -> Response:
    """The coordinator's and partner's dashboard: figures, charts (the college's, or the
    partner's enterprise's) and the lists that need action; a mentor's short version."""
    viewer = request.user
    today = datetime.date.today()
    figures = await cached_value(
        request, ("dashboard", viewer.scope_key, today), lambda: dashboard_figures(viewer, today)
    )
    context: dict[str, Any] = {"today": today, **figures}
    if viewer.role in (Role.coordinator, Role.partner):
        charts = await cached_charts(request, today)
        coverage = charts["coverage"]
        context |= {
            "charts": charts,
            "student_count": sum(series.total for series in coverage.series),
            "covered_count": next(s.total for s in coverage.series if s.key == "covered"),
        }
    return render(request, "college/dashboard.html", context)


async def cached_charts(request: Request, today: datetime.date) -> dict[str, Chart]:
    """The viewer's charts: their labels are in the page's language, their links absolute."""
    viewer = request.user
    links = ChartLinks(
        students=str(request.url_for("student_list")),
        projects=str(request.url_for("project_list")),
    )
    key = ("dashboard_charts", viewer.scope_key, today, current_locale.get(), links)
    return await cached_value(request, key, lambda: dashboard_charts(viewer, today, links))


async def dashboard_figures(viewer: Viewer, today: datetime.date) -> dict[str, Any]:
    """The viewer's figures and lists (all but the charts), as the template names them."""
    figures: dict[str, Any] = {}
    if viewer.role is Role.coordinator:
        figures["counts"] = await queries.college_counts()
    elif viewer.role is Role.partner:
        counts = await queries.enterprise_counts(viewer.enterprise_id)
        figures |= {"counts": counts, "enterprise": counts.enterprise}
    elif viewer.role is Role.mentor:
        figures["mentor"] = await queries.mentor_summary(viewer.mentor_id)
    if viewer.role in (Role.coordinator, Role.partner):
        figures |= await partner_side_figures(viewer, today)
    if viewer.role in STAFF:
        figures["needing_attention"] = await needing_attention(viewer, today)
        figures["due_summary"] = await due_summary(viewer, today)
    return figures


async def healthz(request: Request) -> Response:
    """Whether the database answers: 200, or 503 with the driver's error (for the proxy's or
    the orchestrator's health probe)."""
    try:
        await BaseUser.raw("SELECT 1")
    except DATABASE_ERRORS as error:
        return JSONResponse({"status": "error", "database": str(error)[:200]}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


routes = [
    Route("/", home, name="home"),
    Route("/healthz", healthz, name="healthz"),
]
