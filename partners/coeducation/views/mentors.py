"""Mentor pages (导师): list, detail, create, edit.

Coordinators manage every mentor; a partner sees and manages only its own enterprise's
mentors (enterprise side, its enterprise forced). The list and its export read through
partners.coeducation.queries (names searched through the n-gram index); the rules and the
writes are partners.coeducation.mentors'. A refused save comes back as the form with its
messages (portal.forms.answer_refusals_with)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.access import is_coordinator
from partners.coeducation.mentors import (
    MENTOR_FIELDS,
    MentorRecord,
    check_mentor_form,
    forced_enterprise,
    save_mentor,
    visible_mentor,
)
from partners.coeducation.queries import (
    MENTOR_SORT_KEYS,
    MentorFilters,
    current_mentees,
    enterprise_options,
    mentor_count,
    mentor_rows,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.cache import cached_page, cached_value
from portal.exports import excel_export, export_read
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _, labels
from portal.pagination import Page, PageRequest, Sort
from portal.tables import Role
from portal.templating import render
from portal.vocabulary import MENTOR_SIDES, label
from portal.xlsx import Column


def side_labels() -> Mapping[str, str]:
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
        Column(_("Side"), lambda row: label(MENTOR_SIDES, row.side), 10),
        Column(_("Department"), "department", 18),
        Column(_("Professional title"), "title", 10),
        Column(_("Enterprise"), "enterprise_name", 28),
        Column(_("Position"), "position", 14),
        Column(_("Party member"), "party_member", 8),
        Column(_("Active mentees"), "active", 9),
        Column(_("Maximum active mentees"), "max_mentees", 9),
        Column(_("Phone"), "phone", 14),
        Column(_("Email"), "email", 28),
    ]
    return await excel_export(
        stem=_("Mentor list"),
        ascii_stem="mentors",
        title=_("Mentors"),
        columns=columns,
        rows=rows,
        truncated=truncated,
    )


async def mentor_of(request: Request) -> MentorRecord:
    """The mentor named in the path, if the viewer may see them (else a 404)."""
    return await visible_mentor(request.user, request.path_params["mentor_id"])


@allow(Role.coordinator, Role.partner)
async def mentor_detail(request: Request) -> Response:
    mentor = await mentor_of(request)
    return render(
        request,
        "coeducation/mentor_detail.html",
        {
            "mentor": mentor,
            "mentees": await current_mentees(mentor.id),
            "side_labels": side_labels(),
        },
    )


async def form_page(
    request: Request, form: FormState, mentor: MentorRecord | None, status_code: int = 200
) -> Response:
    return render(
        request,
        "coeducation/mentor_form.html",
        {
            **form.context(),
            "mentor": mentor,
            "partner_form": not is_coordinator(request.user),
            "side_options": list(side_labels().items()),
            "enterprise_options": await enterprise_options(request.user),
        },
        status_code=status_code,
    )


async def submit_mentor_form(request: Request, mentor: MentorRecord | None) -> Response:
    form = FormState.from_form(await read_form(request), MENTOR_FIELDS)
    answer_refusals_with(
        request, form, lambda refused, status: form_page(request, refused, mentor, status)
    )
    values = check_mentor_form(form, forced_enterprise=forced_enterprise(request.user))
    if not form.valid:
        return await form_page(request, form, mentor, status_code=400)
    mentor_id = await save_mentor(actor_of(request), values, mentor)
    if mentor is None:
        flash(request, _("Mentor %(name)s was added.", name=values["name"]))
    else:
        flash(request, _("The changes were saved."))
    return RedirectResponse(request.url_for("mentor_detail", mentor_id=mentor_id), 303)


def edit_values(mentor: MentorRecord) -> dict[str, str]:
    """The edit form's fields as the mentor stands."""
    values = {name: getattr(mentor, name) for name in MENTOR_FIELDS}
    fields = {name: "" if value is None else str(value) for name, value in values.items()}
    fields["party_member"] = "1" if mentor.party_member else ""
    return fields


@allow(Role.coordinator, Role.partner)
async def mentor_create(request: Request) -> Response:
    if request.method == "GET":
        values = {"side": "college", "max_mentees": "8"}
        if (enterprise := forced_enterprise(request.user)) is not None:
            values.update(side="enterprise", enterprise=str(enterprise))
        return await form_page(request, FormState(values=values), None)
    return await submit_mentor_form(request, None)


@allow(Role.coordinator, Role.partner)
async def mentor_edit(request: Request) -> Response:
    mentor = await mentor_of(request)
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
