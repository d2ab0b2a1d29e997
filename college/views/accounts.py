"""Account pages (账号) for coordinators: list and export, create, enable and disable logins.
They parse the request, call college.accounts (the rules and transactions) and render."""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from college.accounts import NewAccount, account, create_account, set_active
from partners.coeducation.tables import Mentor
from partners.organizations.tables import (
    Enterprise,
    PartnerAccount,
)
from portal.audit import actor_of
from portal.auth import allow
from portal.db import contains
from portal.domain_errors import Refused
from portal.exports import excel_export, export_rows
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import _
from portal.listing import Listing
from portal.pagination import Page, PageRequest
from portal.tables import Profile, Role, Student
from portal.templating import render
from portal.vocabulary import ROLES, label
from portal.xlsx import Column

ACCOUNT_FIELDS = ["username", "display_name", "role", "enterprise", "student_no", "mentor"]


role_label = functools.partial(label, ROLES)


LIST_COLUMNS = (
    Profile.user.id.as_alias("user_id"),
    Profile.user.username.as_alias("username"),
    Profile.user.active.as_alias("active"),
    Profile.user.last_login.as_alias("last_login"),
    Profile.role,
    Profile.display_name,
)


def account_listing(request: Request) -> Listing:
    """The accounts the query string selects, by username: shared by the page and export."""
    query = request.query_params
    conditions: list[Any] = []
    if search := query.get("q", "").strip():
        conditions.append(
            contains(Profile.user.username, search) | contains(Profile.display_name, search)
        )
    if (role := query.get("role", "")) in ROLES:
        conditions.append(Profile.role == role)
    else:
        role = ""
    return Listing(
        conditions=conditions,
        order=[(Profile.user.username, True)],
        filters={"q": query.get("q", ""), "role": role},
    )


@allow(Role.coordinator)
async def account_list(request: Request) -> Response:
    listing = account_listing(request)
    page_request = PageRequest.from_query(request.query_params)
    total = await Profile.count().where(*listing.conditions)
    rows = (
        await listing.apply(Profile.select(*LIST_COLUMNS))
        .limit(page_request.size)
        .offset(page_request.offset)
    )
    return render(
        request,
        "college/account_list.html",
        {
            "page": Page(rows=rows, request=page_request, total=total),
            "filters": listing.filters,
            "role_labels": ROLES,
            "role_label": role_label,
        },
    )


async def linked_records(listing: Listing) -> dict[int, str]:
    """What each listed account is linked to (a partner's enterprise, a student, a mentor),
    by user id: three queries whatever the number of accounts."""
    users = Profile.select(Profile.user).where(*listing.conditions)
    enterprises = await PartnerAccount.select(
        PartnerAccount.user, PartnerAccount.enterprise.name.as_alias("name")
    ).where(PartnerAccount.user.is_in(users))
    students = await Student.select(Student.user, Student.student_no, Student.name).where(
        Student.user.is_in(users)
    )
    mentors = await Mentor.select(Mentor.user, Mentor.name).where(Mentor.user.is_in(users))
    linked = {row["user"]: row["name"] for row in enterprises}
    linked.update({row["user"]: f"{row['student_no']} {row['name']}" for row in students})
    linked.update({row["user"]: row["name"] for row in mentors})
    return linked


@allow(Role.coordinator)
async def account_list_export(request: Request) -> Response:
    listing = account_listing(request)
    rows, truncated = await export_rows(
        listing.apply(Profile.select(*LIST_COLUMNS, Profile.created_at))
    )
    linked = await linked_records(listing)
    columns = [
        Column(_("Username"), "username", 18),
        Column(_("Name"), "display_name", 16),
        Column(_("Role"), lambda row: role_label(row["role"]), 10),
        Column(_("Linked to"), lambda row: linked.get(row["user_id"], ""), 28),
        Column(_("Status"), lambda row: _("Active") if row["active"] else _("Disabled"), 8),
        Column(_("Last sign-in"), "last_login", 17),
        Column(_("Created"), "created_at", 17),
    ]
    return await excel_export(
        stem=_("Account list"),
        ascii_stem="accounts",
        title=_("Accounts"),
        columns=columns,
        rows=rows,
        truncated=truncated,
    )


async def link_choices() -> dict[str, list[tuple[Any, str]]]:
    """Options of the account form: roles, enterprises, mentors without a login yet."""
    enterprises = await Enterprise.select(Enterprise.id, Enterprise.name).order_by(Enterprise.name)
    mentors = (
        await Mentor.select(Mentor.id, Mentor.name, Mentor.department, Mentor.enterprise.name)
        .where(Mentor.user.is_null())
        .order_by(Mentor.name)
    )
    return {
        "role_options": [(value, role_label(value)) for value in ROLES],
        "enterprise_options": [(row["id"], row["name"]) for row in enterprises],
        "mentor_options": [
            (row["id"], f"{row['name']} · {row['department'] or row['enterprise.name']}")
            for row in mentors
        ],
    }


async def account_form_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    context = {**form.context(), **await link_choices()}
    return render(request, "college/account_form.html", context, status_code=status_code)


def optional_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


def prefilled(request: Request) -> dict[str, str]:
    """?role=partner&enterprise=ID preselects both, for the enterprise page's "add" link."""
    query = request.query_params
    role = query.get("role", "")
    values = {"role": role if role in ROLES else Role.coordinator.value}
    if (enterprise := query.get("enterprise", "")).isdigit():
        values["enterprise"] = enterprise
    return values


@allow(Role.coordinator)
async def account_create(request: Request) -> Response:
    if request.method == "GET":
        return await account_form_page(request, FormState(values=prefilled(request)))
    submitted = await read_form(request)
    form = FormState.from_form(submitted, ACCOUNT_FIELDS)
    role = form.choice("role", ROLES)
    if not form.valid:
        return await account_form_page(request, form, status_code=400)
    new_account = NewAccount(
        username=form.values["username"],
        password=str(submitted.get("password", "")),
        role=Role(role),
        display_name=form.values["display_name"],
        enterprise_id=optional_id(form.values["enterprise"]),
        student_no=form.values["student_no"],
        mentor_id=optional_id(form.values["mentor"]),
    )
    answer_refusals_with(request, form, functools.partial(account_form_page, request))
    user_id = await create_account(actor_of(request), new_account)
    flash(request, _("Account %(username)s was created.", username=form.values["username"]))
    return RedirectResponse(request.url_for("account_detail", user_id=user_id), 303)


@allow(Role.coordinator)
async def account_detail(request: Request) -> Response:
    shown = await account(request.path_params["user_id"])
    return render(
        request, "college/account_detail.html", {"account": shown, "role_label": role_label}
    )


@allow(Role.coordinator)
async def account_set_active(request: Request) -> Response:
    shown = await account(request.path_params["user_id"])
    active = (await read_form(request)).get("active") == "1"
    try:
        await set_active(actor_of(request), shown.user_id, active)
    except Refused as refused:
        # Not a form to show again: the account's page says why, where the user came from.
        for error in refused.errors:
            flash(request, error.message, "error")
    else:
        message = _("The account was enabled.") if active else _("The account was disabled.")
        flash(request, message)
    return RedirectResponse(request.url_for("account_detail", user_id=shown.user_id), 303)


routes = [
    Route("/accounts/", account_list, name="account_list"),
    Route("/accounts/export.xlsx", account_list_export, name="account_list_export"),
    Route("/accounts/new", account_create, methods=["GET", "POST"], name="account_create"),
    Route("/accounts/{user_id:int}", account_detail, name="account_detail"),
    Route(
        "/accounts/{user_id:int}/active",
        account_set_active,
        methods=["POST"],
        name="account_set_active",
    ),
]
