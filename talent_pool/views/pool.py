"""Talent pool pages (人才库): the pool list with its filters, a student's pool page (score,
flags and reviews, recruitment pipeline), and the pool roster as xlsx and PDF (人才库名册).

Coordinators see everyone, partners the students placed with their enterprise, mentors their
mentees; students get 404 everywhere here (they never see the scores of others)."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partners.students import record_student
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.domain_errors import NotVisible
from portal.engine import offloaded_reads
from portal.exports import excel_export, export_read
from portal.i18n import _, current_locale
from portal.pagination import Page, PageRequest
from portal.pdf import margin_boxes, pdf_response, render_template_pdf
from portal.students import record_page
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import (
    GENDERS,
    POLITICAL_STATUSES,
    POOL_STATUSES,
    STAGES,
    label,
    record_labels,
)
from portal.xlsx import Column, export_filename
from talent_pool.consent import check_talent_details
from talent_pool.flags import flags_context
from talent_pool.pipeline.view import pipeline_context
from talent_pool.pool import (
    NO_STAGE,
    PoolFilters,
    PoolLabels,
    PoolQuery,
    applied_filters,
    pool_labels,
)
from talent_pool.queries import pool_choices, pool_count, pool_rows
from talent_pool.scoring import score_context

STAFF = (Role.coordinator, Role.partner, Role.mentor)
ROSTER_STEM = "人才库名册"


def labels() -> dict[str, Any]:
    """Label functions and choices the pool's student page and roster PDF use."""
    political_label = functools.partial(label, POLITICAL_STATUSES)
    return {
        "pool_label": functools.partial(label, POOL_STATUSES),
        "stage_label": functools.partial(label, STAGES),  # nothing for a student not applied
        "political_label": political_label,
        "status_label": political_label,  # as templates/portal/_student_facts.html has it
        "gender_label": functools.partial(label, GENDERS),
        "pool_statuses": POOL_STATUSES,
        "stages": STAGES,
        "no_stage": NO_STAGE,
        "political_statuses": POLITICAL_STATUSES,
    }


async def cached_choices(request: Request) -> dict[str, list[Any]]:
    """The filters' choices for the viewer's scope, kept until the next write."""
    viewer = request.user
    return await cached_value(
        request, ("pool_choices", viewer.scope_key), lambda: pool_choices(viewer)
    )


def option_tags(options: Mapping[str, list[Any]], filters: PoolFilters) -> dict[str, Markup]:
    """The <option> tags of the filters whose choices come from the data, the chosen one
    selected: one string each, built in Python rather than in a template loop (a coordinator
    picks from every enterprise, hundreds of them)."""

    def values(name: str) -> Markup:
        chosen = getattr(filters, name)
        return Markup(
            "".join(
                f"<option{' selected' if value == chosen else ''}>{escape(value)}</option>"
                for value in options[name]
            )
        )

    def named(name: str) -> Markup:
        chosen = getattr(filters, name)
        return Markup(
            "".join(
                f'<option value="{choice.id}"{" selected" if choice.id == chosen else ""}>'
                f"{escape(choice.name)}</option>"
                for choice in options[name]
            )
        )

    return {
        "cohort_year": values("cohort_year"),
        "department": values("department"),
        "major": values("major"),
        "project": named("project"),
        "enterprise": named("enterprise"),
    }


@allow(*STAFF)
@cached_page
async def pool_list(request: Request) -> Response:
    pool = PoolQuery.from_query(request.query_params, request.user)
    page_request = PageRequest.from_query(request.query_params)
    total = await cached_value(
        request,
        ("pool_count", request.user.scope_key, pool.filters),
        lambda: pool_count(pool),
    )
    rows = await pool_rows(pool, page_request.size, page_request.offset) if total else []
    options = await cached_choices(request)
    return render(
        request,
        "talent_pool/pool_list.html",
        {
            "labels": pool_labels(current_locale.get()),
            "no_stage": NO_STAGE,
            "page": Page(rows=rows, request=page_request, total=total),
            "sort": pool.sort,
            "filters": pool.filters,
            "params": pool.params(),
            "options": options,
            "option_tags": option_tags(options, pool.filters),
        },
    )


# --- exports --------------------------------------------------------------------------------


def roster_columns(labels: PoolLabels) -> list[Column]:
    """The roster's columns, headers translated (xlsx)."""
    return [
        Column(_("Student number"), "student_no", 14),
        Column(_("Name"), "name", 12),
        Column(_("Gender"), lambda row: labels.gender.get(row.gender, row.gender), 8),
        Column(_("Department"), "department", 20),
        Column(_("Major"), "major", 20),
        Column(_("Class"), "class_name", 18),
        Column(_("Cohort"), "cohort_year", 8),
        Column(
            _("Political status"),
            lambda row: labels.political_status.get(row.political_status, row.political_status),
            16,
        ),
        Column(_("Status"), lambda row: labels.pool_status.get(row.status, row.status), 12),
        Column(_("Status since"), "status_since", 12),
        Column(
            _("Stage"), lambda row: labels.stage.get(row.stage, row.stage) if row.stage else "", 14
        ),
        Column(_("Stage since"), "stage_since", 12),
        Column(_("Score"), lambda row: round(row.score or 0, 1), 8, number_format="0.0"),
        Column(_("Reasons"), lambda row: "\n".join(row.reasons), 60),
    ]


@allow(*STAFF)
async def pool_export_xlsx(request: Request) -> Response:
    pool = PoolQuery.from_query(request.query_params, request.user)
    rows, truncated = await export_read(lambda limit: pool_rows(pool, limit))
    return await excel_export(
        stem=ROSTER_STEM,
        ascii_stem="talent-pool",
        title=_("Talent pool roster"),
        columns=roster_columns(pool_labels(current_locale.get())),
        rows=rows,
        truncated=truncated,
    )


@allow(*STAFF)
async def pool_roster_pdf(request: Request) -> Response:
    """The roster as PDF: every matching student (the pool is a selection of the college's
    students, a few pages long), read off the event loop like the other exports."""
    pool = PoolQuery.from_query(request.query_params, request.user)
    with offloaded_reads():
        rows = await pool_rows(pool)
    today = datetime.date.today()
    context = {
        **labels(),
        "request": request,
        "viewer": request.user,
        "locale": request.scope.get("locale", "zh_CN"),
        "rows": rows,
        "applied": applied_filters(pool.filters, await cached_choices(request)),
        "generated_on": today,
        "css": margin_boxes(_("Talent pool roster"), today),
    }
    content = await render_template_pdf(request, "pdf/pool_roster.html", context)
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
    student = await record_student(viewer, request.path_params["student_id"])
    if student is None:
        raise NotVisible(request.path_params["student_id"])
    await check_talent_details(request.user, student.id)  # partners: only with consent
    student_id = student.id
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
            "labels": record_labels(current_locale.get()),  # for portal/_student_facts.html
            "student": student,
            "entry": flags["pool_entry"],
            "record_url": request.url_for(record_page(request.user), student_id=student_id),
            "today": today,
        },
    )


routes = [
    Route("/talent-pool/", pool_list, name="pool_list"),
    Route("/talent-pool/export.xlsx", pool_export_xlsx, name="pool_export_xlsx"),
    Route("/talent-pool/roster.pdf", pool_roster_pdf, name="pool_roster_pdf"),
    Route("/talent-pool/{student_id:int}", pool_student, name="pool_student"),
]
