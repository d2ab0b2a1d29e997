"""Pages of the base for signing in and out, changing one's password and choosing the
language. They parse the request, call portal.sessions (the rules and the audited
transactions), and set or clear the session cookie."""

from __future__ import annotations

import functools

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import sessions
from portal.auth import ALL_ROLES, SESSION_COOKIE, allow
from portal.flash import flash
from portal.forms import FormState, answer_refusals_with, read_form
from portal.i18n import LOCALE_COOKIE, SUPPORTED_LOCALES, _
from portal.sessions import lockout_minutes_left, sign_in, sign_out
from portal.settings import Settings
from portal.templating import render


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def login_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    return render(request, "login.html", form.context(), status_code=status_code)


async def login(request: Request) -> Response:
    if request.method == "GET":
        return login_page(request, FormState(values={"next": request.query_params.get("next", "")}))

    form = FormState.from_form(await read_form(request), ["username", "next"])
    password = str((await read_form(request)).get("password", ""))
    username = form.values["username"]
    if not username:
        form.add_error("username", _("Enter your username."))
    if not password:
        form.add_error("password", _("Enter your password."))
    if not form.valid:
        return login_page(request, form, status_code=400)

    settings: Settings = request.app.state.settings
    if minutes := await lockout_minutes_left(settings, username, client_address(request)):
        form.add_error(
            "form",
            _("Too many failed sign-ins. Try again in %(minutes)s minutes.", minutes=minutes),
        )
        return login_page(request, form, status_code=429)

    answer_refusals_with(request, form, functools.partial(login_page, request))
    old_token = request.cookies.get(SESSION_COOKIE)
    session = await sign_in(settings, username, password, client_address(request), old_token)
    response = RedirectResponse(safe_next(form.values["next"]), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=settings.session_max_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.production,
    )
    return response


@allow(*ALL_ROLES)
async def logout(request: Request) -> Response:
    await sign_out(request.user)
    response = RedirectResponse(request.url_for("login"), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def password_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    return render(request, "portal/change_password.html", form.context(), status_code=status_code)


@allow(*ALL_ROLES)
async def change_password(request: Request) -> Response:
    if request.method == "GET":
        return password_page(request, FormState())
    submitted = await read_form(request)
    current, new, confirm = (
        str(submitted.get(name, "")) for name in ("current_password", "new_password", "confirm")
    )
    answer_refusals_with(request, FormState(), functools.partial(password_page, request))
    await sessions.change_password(request.user, current, new, confirm)
    flash(request, _("Your password has been changed. Other sessions were signed out."))
    return RedirectResponse(request.url_for("home"), status_code=303)


async def set_language(request: Request) -> Response:
    code = request.path_params["code"]
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    if code in SUPPORTED_LOCALES:
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 86400, samesite="lax")
    return response


routes = [
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/account/password", change_password, methods=["GET", "POST"], name="change_password"),
    Route("/lang/{code}", set_language, name="set_language"),
]
