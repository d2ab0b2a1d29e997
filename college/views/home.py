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

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from college import dashboard_queries as queries
from college.dashboard import ChartLinks, dashboard_charts
from partners.coeducation.weekly_reviews import completion, queue_size
from partners.dashboard import partner_side_figures
from partners.dashboard_enterprise import enterprise_figures
from partners.dashboard_queries import ATTENTION_ON_DASHBOARD, ATTENTION_SORTS, attention_list
from portal.auth import ALL_ROLES, Viewer, allow
from portal.cache import cached_page, cached_value
from portal.charts import Chart
from portal.i18n import current_locale, labels
from portal.pagination import PAGE_SIZES, Page, PageRequest, Sort
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import ACTIVITY_KINDS, INTERNSHIP_KINDS, record_labels
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
    if viewer.role is Role.partner:
        locale = current_locale.get()
        context["labels"] = record_labels(locale)
        context["internship_kinds"] = labels(INTERNSHIP_KINDS, locale)
        context["activity_kinds"] = labels(ACTIVITY_KINDS, locale)
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
    if viewer.role is Role.partner:
        figures |= await enterprise_figures(viewer, today)
    if viewer.role in STAFF:
        attention = await attention_list(viewer, today, limit=ATTENTION_ON_DASHBOARD)
        figures |= {"needing_attention": attention.rows, "attention_total": attention.total}
        figures["due_summary"] = await due_summary(viewer, today)
    if viewer.role in (Role.coordinator, Role.mentor):  # the weekly logs (实习周志)
        figures["weekly"] = await completion(viewer, today)
        figures["weekly_queue"] = await queue_size(viewer)
    return figures


@allow(*STAFF)
@cached_page
async def attention_page(request: Request) -> Response:
    """Every student needing attention (双导师 指导记录 待跟进) the viewer may see, a page at a
    time: longest without a mentoring log first unless sorted otherwise."""
    today = datetime.date.today()
    query = request.query_params
    sort = Sort.from_query(query, tuple(ATTENTION_SORTS), "-days")
    page_request = PageRequest.from_query(query)
    found = await attention_list(
        request.user,
        today,
        limit=page_request.size,
        offset=page_request.offset,
        sort=sort.key,
        descending=sort.descending,
    )
    params = {
        "sort": sort.param if sort.param != "-days" else "",
        "size": str(page_request.size) if page_request.size != PAGE_SIZES[0] else "",
    }
    return render(
        request,
        "college/attention_list.html",
        {
            "page": Page(rows=found.rows, request=page_request, total=found.total),
            "sort": sort,
            "params": params,
            "today": today,
        },
    )


routes = [
    Route("/", home, name="home"),
    Route("/dashboard/attention", attention_page, name="attention_list"),
]
