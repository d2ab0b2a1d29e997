"""Account pages for coordinators: list, create, enable and disable logins."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from partners.tables import Enterprise, Mentor
from portal.accounts import AccountError, NewAccount, create_account, set_active
from portal.audit import Actor
from portal.auth import allow
from portal.db import contains
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import _, lazy
from portal.pagination import Page, PageRequest
from portal.tables import Profile, Role
from portal.templating import render

ROLE_LABELS = {
    Role.coordinator.value: lazy("Coordinator"),
    Role.partner.value: lazy("Partner"),
    Role.student.value: lazy("Student"),
    Role.mentor.value: lazy("Mentor"),
}
ACCOUNT_FIELDS = ["username", "display_name", "role", "enterprise", "student_no", "mentor"]


def role_label(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


@allow(Role.coordinator)
async def account_list(request: Request) -> Response:
    query = request.query_params
    page_request = PageRequest.from_query(query)
    conditions: list[Any] = []
    if search := query.get("q", "").strip():
        conditions.append(
            contains(Profile.user.username, search) | contains(Profile.display_name, search)
        )
    if (role := query.get("role", "")) in ROLE_LABELS:
        conditions.append(Profile.role == role)
    total = await Profile.count().where(*conditions)
    rows = (
        await Profile.select(
            Profile.user.id.as_alias("user_id"),
            Profile.user.username.as_alias("username"),
            Profile.user.active.as_alias("active"),
            Profile.user.last_login.as_alias("last_login"),
            Profile.role,
            Profile.display_name,
        )
        .where(*conditions)
        .order_by(Profile.user.username)
        .limit(page_request.size)
        .offset(page_request.offset)
    )
    return render(
        request,
        "portal/account_list.html",
        {
            "page": Page(rows=rows, request=page_request, total=total),
            "filters": {"q": query.get("q", ""), "role": role},
            "role_labels": ROLE_LABELS,
            "role_label": role_label,
        },
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
        "role_options": [(value, role_label(value)) for value in ROLE_LABELS],
        "enterprise_options": [(row["id"], row["name"]) for row in enterprises],
        "mentor_options": [
            (row["id"], f"{row['name']} · {row['department'] or row['enterprise.name']}")
            for row in mentors
        ],
    }


async def account_form_page(request: Request, form: FormState, status_code: int = 200):
    context = {**form.context(), **await link_choices()}
    return render(request, "portal/account_form.html", context, status_code=status_code)


def optional_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


def prefilled(request: Request) -> dict[str, str]:
    """?role=partner&enterprise=ID preselects both, for the enterprise page's "add" link."""
    query = request.query_params
    role = query.get("role", "")
    values = {"role": role if role in ROLE_LABELS else Role.coordinator.value}
    if (enterprise := query.get("enterprise", "")).isdigit():
        values["enterprise"] = enterprise
    return values


@allow(Role.coordinator)
async def account_create(request: Request) -> Response:
    if request.method == "GET":
        return await account_form_page(request, FormState(values=prefilled(request)))
    submitted = await read_form(request)
    form = FormState.from_form(submitted, ACCOUNT_FIELDS)
    role = form.choice("role", ROLE_LABELS)
    if form.valid:
        account = NewAccount(
            username=form.values["username"],
            password=str(submitted.get("password", "")),
            role=Role(role),
            display_name=form.values["display_name"],
            enterprise_id=optional_id(form.values["enterprise"]),
            student_no=form.values["student_no"],
            mentor_id=optional_id(form.values["mentor"]),
        )
        try:
            user_id = await create_account(
                Actor(request.user.user_id, request.user.username), account
            )
        except AccountError as error:
            form.add_error(error.field, error.message)
    if not form.valid:
        return await account_form_page(request, form, status_code=400)
    flash(request, _("Account %(username)s was created.", username=form.values["username"]))
    return RedirectResponse(request.url_for("account_detail", user_id=user_id), 303)


async def get_account_or_404(user_id: int) -> dict[str, Any]:
    row = (
        await Profile.select(
            Profile.user.id.as_alias("user_id"),
            Profile.user.username.as_alias("username"),
            Profile.user.active.as_alias("active"),
            Profile.user.last_login.as_alias("last_login"),
            Profile.role,
            Profile.display_name,
            Profile.created_at,
        )
        .where(Profile.user == user_id)
        .first()
    )
    if row is None:
        raise HTTPException(status_code=404)
    return row


@allow(Role.coordinator)
async def account_detail(request: Request) -> Response:
    account = await get_account_or_404(request.path_params["user_id"])
    return render(
        request, "portal/account_detail.html", {"account": account, "role_label": role_label}
    )


@allow(Role.coordinator)
async def account_set_active(request: Request) -> Response:
    account = await get_account_or_404(request.path_params["user_id"])
    active = (await read_form(request)).get("active") == "1"
    if account["user_id"] == request.user.user_id and not active:
        flash(request, _("You cannot disable your own account."), "error")
    else:
        await set_active(
            Actor(request.user.user_id, request.user.username), account["user_id"], active
        )
        message = _("The account was enabled.") if active else _("The account was disabled.")
        flash(request, message)
    return RedirectResponse(request.url_for("account_detail", user_id=account["user_id"]), 303)


routes = [
    Route("/accounts/", account_list, name="account_list"),
    Route("/accounts/new", account_create, methods=["GET", "POST"], name="account_create"),
    Route("/accounts/{user_id:int}", account_detail, name="account_detail"),
    Route(
        "/accounts/{user_id:int}/active",
        account_set_active,
        methods=["POST"],
        name="account_set_active",
    ),
]
