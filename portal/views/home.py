"""Home: dashboards for staff and partners (students go to their record, /me), and the health
check."""

from __future__ import annotations

import datetime

from piccolo.apps.user.tables import BaseUser
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from partners.dashboard import partner_side_figures
from partners.mentorships import assignment_scope, students_needing_attention
from partners.tables import Enterprise, Mentor, PartnerAccount
from portal.auth import ALL_ROLES, allow
from portal.dashboard import dashboard_charts
from portal.tables import Profile, Role
from portal.templating import render
from talent_pool.pipeline import due_summary


@allow(*ALL_ROLES)
async def home(request: Request) -> Response:
    if request.user.role is Role.student:
        return RedirectResponse(request.url_for("my_record"), status_code=303)
    return await dashboard(request)


async def dashboard(request: Request) -> Response:
    """The coordinator's and partner's dashboard: figures, charts (the college's, or the
    partner's enterprise's) and the lists that need action; a mentor's short version."""
    viewer = request.user
    today = datetime.date.today()
    context: dict = {"today": today}
    if viewer.role is Role.coordinator:
        roles = await Profile.raw(
            "SELECT p.role, COUNT(*) AS accounts FROM portal_profile p "
            'JOIN piccolo_user u ON u.id = p."user" WHERE u.active = {} GROUP BY p.role',
            True,
        )
        context |= {
            "accounts_by_role": {row["role"]: row["accounts"] for row in roles},
            "enterprise_count": await Enterprise.count(),
            "mentor_count": await Mentor.count(),
        }
    elif viewer.role is Role.partner:
        context |= {
            "enterprise": await Enterprise.select(Enterprise.id, Enterprise.name, Enterprise.status)
            .where(Enterprise.id == viewer.enterprise_id)
            .first(),
            "mentor_count": await Mentor.count().where(Mentor.enterprise == viewer.enterprise_id),
            "account_count": await PartnerAccount.count().where(
                PartnerAccount.enterprise == viewer.enterprise_id
            ),
        }
    elif viewer.role is Role.mentor:
        context["mentor"] = (
            await Mentor.select(Mentor.name, Mentor.side, Mentor.max_mentees)
            .where(Mentor.id == viewer.mentor_id)
            .first()
        )
    if viewer.role in (Role.coordinator, Role.partner):
        charts = await dashboard_charts(viewer, today, request)
        coverage = charts["coverage"]
        context |= {
            "charts": charts,
            "student_count": sum(sum(s.values) for s in coverage.series),
            "covered_count": sum(coverage.values("covered").values()),
            **await partner_side_figures(request, today),
        }
    if viewer.role in (Role.coordinator, Role.partner, Role.mentor):
        context["needing_attention"] = await students_needing_attention(
            assignment_scope(request), today
        )
        context["due_summary"] = await due_summary(viewer, today)
    return render(request, "portal/dashboard.html", context)


async def healthz(request: Request) -> Response:
    try:
        await BaseUser.raw("SELECT 1")
    except Exception as error:  # the point is to report any failure, whatever it is
        return JSONResponse({"status": "error", "database": str(error)[:200]}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


routes = [
    Route("/", home, name="home"),
    Route("/healthz", healthz, name="healthz"),
]
