"""Mentor pages (导师): list, detail, create, edit.

Coordinators manage every mentor; a partner sees and manages only its own enterprise's
mentors (enterprise side, its enterprise forced). The list and its export read through
partners.coeducation.queries (names searched through the n-gram index)."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import enterprise_scope, is_coordinator
from partners.coeducation.mentorships import (
    MENTOR_FIELDS,
    active_counts,
    apply,
    check_max_not_below_active,
    check_mentor_form,
    mentor_scope,
    side_label,
)
from partners.coeducation.queries import (
    MENTOR_SORT_KEYS,
    MentorFilters,
    mentor_count,
    mentor_rows,
)
from partners.coeducation.tables import Mentor, MentorAssignment
from partners.organizations.tables import Enterprise
from portal.audit import actor_of, audited_write
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest, Sort
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import MENTOR_SIDES
from portal.xlsx import Column


def side_labels() -> dict[str, str]:
    """The sides' labels in the request's language (looked up per row by the templates)."""
    return labels(MENTOR_SIDES)


def mentor_listing(request: Request) -> tuple[MentorFilters, Sort]:
    """The filters and the order of the query string: shared by the page and its export."""
    filters = MentorFilters.from_query(request.query_params)
    return filters, Sort.from_query(request.query_params, MENTOR_SORT_KEYS, "name")


@allow(Role.coordinator, Role.partner)
@cached_page
async def mentor_list(request: Request) -> Response:
    viewer = request.user
    filters, sort = mentor_listing(request)
    page_request = PageRequest.from_query(request.query_params)
    total = await cached_value(
        request,
        ("mentor_count", viewer.scope_key, filters),
        lambda: mentor_count(viewer, filters),
    )
    rows = await mentor_rows(viewer, filters, sort, page_request.size, page_request.offset)
    return render(
        request,
        "coeducation/mentor_list.html",
        {
            "page": Page(rows=rows, request=page_request, total=total),
            "sort": sort,
            "filters": filters.as_params(),
            "side_labels": side_labels(),
        },
    )


@allow(Role.coordinator, Role.partner)
async def mentor_list_export(request: Request) -> Response:
    viewer = request.user
    filters, sort = mentor_listing(request)
    rows, truncated = await export_read(lambda limit: mentor_rows(viewer, filters, sort, limit))
    columns = [
        Column(_("Name"), "name", 10),
        Column(_("Side"), lambda row: side_label(row.side), 10),
        Column(_("Department"), "department", 18),
        Column(_("Professional title"), "title", 10),
        Column(_("Enterprise"), "enterprise_name", 28),
        Column(_("Position"), "position", 14),
        Column(_("Party member"), "party_member", 8),
        Column(_("Active mentees"), "active", 9),
        Column(_("Maximum active mentees"), "max_mentees", 9),
        Column(_("Phone"), "phone", 14),
    ]
    return await excel_export(
        stem=_("Mentor list"),
        ascii_stem="mentors",
        title=_("Mentors"),
        columns=columns,
        rows=rows,
        truncated=truncated,
    )


async def get_mentor_or_404(request: Request, mentor_id: int) -> dict[str, Any]:
    row = (
        await Mentor.select(
            *Mentor.all_columns(),
            Mentor.enterprise.name.as_alias("enterprise_name"),
            Mentor.user.username.as_alias("username"),
        )
        .where(Mentor.id == mentor_id, *mentor_scope(request))
        .first()
    )
    if row is None:
        raise HTTPException(status_code=404)
    return row


async def current_mentees(mentor_id: int) -> list[dict[str, Any]]:
    return (
        await MentorAssignment.select(
            MentorAssignment.id,
            MentorAssignment.starts_on,
            MentorAssignment.college_mentor,
            MentorAssignment.student.id.as_alias("student_id"),
            MentorAssignment.student.name.as_alias("student_name"),
            MentorAssignment.student.student_no.as_alias("student_no"),
            MentorAssignment.project.name.as_alias("project_name"),
        )
        .where(
            MentorAssignment.status == "active",
            (MentorAssignment.college_mentor == mentor_id)
            | (MentorAssignment.enterprise_mentor == mentor_id),
        )
        .order_by(MentorAssignment.student.name)
        .order_by(MentorAssignment.id)
    )


@allow(Role.coordinator, Role.partner)
async def mentor_detail(request: Request) -> Response:
    mentor = await get_mentor_or_404(request, request.path_params["mentor_id"])
    mentees = await current_mentees(mentor["id"])
    return render(
        request,
        "coeducation/mentor_detail.html",
        {"mentor": mentor, "mentees": mentees, "side_label": side_label},
    )


async def enterprise_options(request: Request) -> list[tuple[int, str]]:
    rows = (
        await Enterprise.select(Enterprise.id, Enterprise.name)
        .where(*enterprise_scope(request))
        .order_by(Enterprise.name)
    )
    return [(row["id"], row["name"]) for row in rows]


async def form_page(
    request: Request, form: FormState, mentor: dict | None, status_code: int = 200
) -> Response:
    return render(
        request,
        "coeducation/mentor_form.html",
        {
            **form.context(),
            "mentor": mentor,
            "partner_form": not is_coordinator(request),
            "side_options": [(code, side_label(code)) for code in MENTOR_SIDES],
            "enterprise_options": await enterprise_options(request),
        },
        status_code=status_code,
    )


def forced_enterprise(request: Request) -> int | None:
    return None if is_coordinator(request) else request.user.enterprise_id


async def check_enterprise_exists(form: FormState, values: dict[str, Any]) -> None:
    if values["enterprise"] is not None and not await Enterprise.exists().where(
        Enterprise.id == values["enterprise"]
    ):
        form.add_error("enterprise", _("Choose one of the listed options."))


async def check_edit_rules(form: FormState, values: dict[str, Any], mentor: dict) -> None:
    """A mentor's side cannot change once assigned; the maximum never drops below the mentees."""
    active = (await active_counts([mentor["id"]])).get(mentor["id"], 0)
    apply(form, check_max_not_below_active(values["max_mentees"], active))
    if values["side"] != mentor["side"]:
        assigned = await MentorAssignment.exists().where(
            (MentorAssignment.college_mentor == mentor["id"])
            | (MentorAssignment.enterprise_mentor == mentor["id"])
        )
        if assigned:
            form.add_error("side", _("This mentor has assignments: the side cannot change."))


async def save_mentor(request: Request, values: dict[str, Any], mentor: dict | None) -> int:
    async with audited_write(actor_of(request)) as audit:
        if mentor is None:
            row = (await Mentor.insert(Mentor(**values)).returning(Mentor.id))[0]
            await audit.created(Mentor, row["id"], values, values["name"])
            return row["id"]
        await Mentor.update(values).where(Mentor.id == mentor["id"])
        before = {name: mentor[name] for name in values}
        await audit.updated(Mentor, mentor["id"], before, values, values["name"])
        return mentor["id"]


async def submit_mentor_form(request: Request, mentor: dict | None) -> Response:
    form = FormState.from_form(await read_form(request), MENTOR_FIELDS)
    values = check_mentor_form(form, forced_enterprise=forced_enterprise(request))
    if form.valid:
        await check_enterprise_exists(form, values)
    if form.valid and mentor is not None:
        await check_edit_rules(form, values, mentor)
    if not form.valid:
        return await form_page(request, form, mentor, status_code=400)
    mentor_id = await save_mentor(request, values, mentor)
    if mentor is None:
        flash(request, _("Mentor %(name)s was added.", name=values["name"]))
    else:
        flash(request, _("The changes were saved."))
    return RedirectResponse(request.url_for("mentor_detail", mentor_id=mentor_id), 303)


def edit_values(mentor: dict[str, Any]) -> dict[str, str]:
    values = {name: "" if mentor[name] is None else str(mentor[name]) for name in MENTOR_FIELDS}
    values["party_member"] = "1" if mentor["party_member"] else ""
    return values


@allow(Role.coordinator, Role.partner)
async def mentor_create(request: Request) -> Response:
    if request.method == "GET":
        values = {"side": "college", "max_mentees": "8"}
        if not is_coordinator(request):
            values.update(side="enterprise", enterprise=str(request.user.enterprise_id))
        return await form_page(request, FormState(values=values), None)
    return await submit_mentor_form(request, None)


@allow(Role.coordinator, Role.partner)
async def mentor_edit(request: Request) -> Response:
    mentor = await get_mentor_or_404(request, request.path_params["mentor_id"])
    if request.method == "GET":
        return await form_page(request, FormState(values=edit_values(mentor)), mentor)
    return await submit_mentor_form(request, mentor)


routes = [
    Route("/mentors/", mentor_list, name="mentor_list"),
    Route("/mentors/export.xlsx", mentor_list_export, name="mentor_list_export"),
    Route("/mentors/new", mentor_create, methods=["GET", "POST"], name="mentor_create"),
    Route("/mentors/{mentor_id:int}", mentor_detail, name="mentor_detail"),
    Route(
        "/mentors/{mentor_id:int}/edit", mentor_edit, methods=["GET", "POST"], name="mentor_edit"
    ),
]
