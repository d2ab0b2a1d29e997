"""Talent pool pages (人才库): the pool list with its filters, a student's pool page (score,
flags and reviews, recruitment pipeline), and the pool roster as xlsx and PDF (人才库名册).

Coordinators see everyone, partners the students placed with their enterprise, mentors their
mentees; students get 404 everywhere here (they never see the scores of others)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.auth import allow
from portal.i18n import _
from portal.pagination import Page, PageRequest
from portal.pdf import pdf_response, render_pdf
from portal.record import visible_student
from portal.students import POLITICAL_STATUSES, gender_label, political_status_label
from portal.tables import Role
from portal.templating import render, templates
from portal.views.records import css_string, record_url
from portal.xlsx import Column, export_filename, workbook_bytes, xlsx_response
from talent_pool.flags import flag_summaries, flags_context
from talent_pool.pipeline import STAGES, pipeline_context
from talent_pool.pool import (
    NO_STAGE,
    POOL_STATUSES,
    PoolQuery,
    applied_filters,
    filter_options,
    pool_status_label,
    stage_label,
)
from talent_pool.scoring import score_context

STAFF = (Role.coordinator, Role.partner, Role.mentor)
ROSTER_STEM = "人才库名册"


def reason_line(flag: dict[str, Any]) -> str:
    """One flag in a line: its source (and nominator), then its reason."""
    source = flag["source_label"]
    if flag.get("nominator_name"):
        source = _("%(source)s (%(name)s)", source=source, name=flag["nominator_name"])
    if not flag.get("reason"):
        return source
    return _("%(source)s: %(reason)s", source=source, reason=flag["reason"])


async def with_reasons(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with their flags (source and reason), looked up in one batch for all."""
    summaries = await flag_summaries([row["student_id"] for row in rows])
    return [
        {
            **row,
            "flags": (flags := summaries.get(row["student_id"], [])),
            "reasons": [reason_line(flag) for flag in flags],
        }
        for row in rows
    ]


def labels() -> dict[str, Any]:
    """Label functions and choices the pool templates use."""
    return {
        "pool_label": pool_status_label,
        "stage_label": stage_label,
        "political_label": political_status_label,
        "status_label": political_status_label,  # as templates/portal/_student_facts.html has it
        "gender_label": gender_label,
        "pool_statuses": POOL_STATUSES,
        "stages": STAGES,
        "no_stage": NO_STAGE,
        "political_statuses": POLITICAL_STATUSES,
    }


@allow(*STAFF)
async def pool_list(request: Request) -> Response:
    pool = PoolQuery.from_query(request.query_params, request.user)
    page_request = PageRequest.from_query(request.query_params)
    total = await pool.count()
    rows = await with_reasons(await pool.rows(page_request)) if total else []
    return render(
        request,
        "talent_pool/pool_list.html",
        {
            **labels(),
            "page": Page(rows=rows, request=page_request, total=total),
            "sort": pool.sort,
            "filters": pool.filters,
            "params": pool.params(),
            "options": await filter_options(request.user),
        },
    )


# --- exports --------------------------------------------------------------------------------


def roster_columns() -> list[Column]:
    """The roster's columns, headers translated (xlsx)."""
    return [
        Column(_("Student number"), "student_no", 14),
        Column(_("Name"), "name", 12),
        Column(_("Gender"), lambda row: gender_label(row["gender"]), 8),
        Column(_("Department"), "department", 20),
        Column(_("Major"), "major", 20),
        Column(_("Class"), "class_name", 18),
        Column(_("Cohort"), "cohort_year", 8),
        Column(
            _("Political status"), lambda row: political_status_label(row["political_status"]), 16
        ),
        Column(_("Status"), lambda row: pool_status_label(row["status"]), 12),
        Column(_("Status since"), "status_since", 12),
        Column(_("Stage"), lambda row: stage_label(row["stage"]), 14),
        Column(_("Stage since"), "stage_since", 12),
        Column(_("Score"), lambda row: round(row["score"] or 0, 1), 8, number_format="0.0"),
        Column(_("Reasons"), lambda row: "\n".join(row["reasons"]), 60),
    ]


async def roster_rows(request: Request) -> tuple[PoolQuery, list[dict[str, Any]]]:
    pool = PoolQuery.from_query(request.query_params, request.user)
    return pool, await with_reasons(await pool.rows())


@allow(*STAFF)
async def pool_export_xlsx(request: Request) -> Response:
    _pool, rows = await roster_rows(request)
    today = datetime.date.today()
    content = workbook_bytes(_("Talent pool roster"), roster_columns(), rows)
    return xlsx_response(
        content,
        export_filename(ROSTER_STEM, today),
        export_filename("talent-pool", today),
    )


def roster_margins(today: datetime.date) -> dict[str, str]:
    """The CSS `content` of the roster's page margins, as the record PDF has them."""
    pages = _("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    counters = {"\x00": "counter(page)", "\x01": "counter(pages)"}
    page_numbers = " ".join(
        counters.get(part) or css_string(part) for part in re.split("(\x00|\x01)", pages) if part
    )
    return {
        "header_left": css_string(_("School–Enterprise Co-Education Portal")),
        "header_right": css_string(_("Talent pool roster")),
        "generated": css_string(_("Generated on %(date)s", date=today.isoformat())),
        "page_numbers": page_numbers,
    }


@allow(*STAFF)
async def pool_roster_pdf(request: Request) -> Response:
    pool, rows = await roster_rows(request)
    today = datetime.date.today()
    options = await filter_options(request.user)
    context = {
        **labels(),
        "request": request,
        "viewer": request.user,
        "locale": request.scope.get("locale", "zh_CN"),
        "rows": rows,
        "applied": applied_filters(pool.filters, options),
        "generated_on": today,
        "css": roster_margins(today),
    }
    html = templates.env.get_template("pdf/pool_roster.html").render(context)
    content = await render_pdf(html)
    return pdf_response(
        content,
        export_filename(ROSTER_STEM, today, "pdf"),
        export_filename("talent-pool", today, "pdf"),
    )


# --- a student's pool page -------------------------------------------------------------------


@allow(*STAFF)
async def pool_student(request: Request) -> Response:
    """A student's pool page: facts, pool status, score, flags and reviews, pipeline. A
    coordinator may open any student (one not in the pool shows the score and a nominate
    link); partners and mentors only the students of their scope."""
    viewer = request.user
    student = await visible_student(viewer, request.path_params["student_id"])
    if student is None:
        raise HTTPException(status_code=404)
    student_id = student["id"]
    today = datetime.date.today()
    flags = await flags_context(student_id, viewer)
    context = {
        **await score_context(student_id),
        **flags,
        **await pipeline_context(student_id, viewer, today),
    }
    return render(
        request,
        "talent_pool/student_page.html",
        {
            **context,
            **labels(),
            "student": student,
            "entry": flags["pool_entry"],
            "record_url": record_url(request, student_id),
            "today": today,
        },
    )


routes = [
    Route("/talent-pool/", pool_list, name="pool_list"),
    Route("/talent-pool/export.xlsx", pool_export_xlsx, name="pool_export_xlsx"),
    Route("/talent-pool/roster.pdf", pool_roster_pdf, name="pool_roster_pdf"),
    Route("/talent-pool/{student_id:int}", pool_student, name="pool_student"),
]
