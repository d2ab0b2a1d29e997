"""Sign in, sign out, change password, choose the language."""

from __future__ import annotations

import datetime

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.audit import Actor, audited_write
from portal.auth import (
    ALL_ROLES,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    SESSION_COOKIE,
    allow,
    check_password,
)
from portal.flash import flash
from portal.forms import FormState, read_form
from portal.i18n import LOCALE_COOKIE, SUPPORTED_LOCALES, _
from portal.passwords import hash_password
from portal.tables import LoginAttempt
from portal.templating import render

CLIENT_FAILURE_LIMIT = 20


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


async def lockout_minutes_left(request: Request, username: str) -> int:
    """Minutes until another attempt is allowed (0: allowed now).

    Five failures for a username, or twenty from one address, within the lockout window
    lock further attempts until the window has passed the oldest of them.
    """
    settings = request.app.state.settings
    window = datetime.timedelta(minutes=settings.login_lockout_minutes)
    since = datetime.datetime.now() - window
    for column, value, limit in (
        (LoginAttempt.username, username, settings.login_failure_limit),
        (LoginAttempt.client, client_address(request), CLIENT_FAILURE_LIMIT),
    ):
        failures = (
            await LoginAttempt.select(LoginAttempt.at)
            .where(column == value, LoginAttempt.succeeded.eq(False), LoginAttempt.at > since)
            .order_by(LoginAttempt.at, ascending=False)
            .limit(limit)
        )
        if len(failures) >= limit:
            unlocked_at = failures[-1]["at"] + window
            seconds = (unlocked_at - datetime.datetime.now()).total_seconds()
            return max(1, -(-int(seconds) // 60))
    return 0


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

    if minutes := await lockout_minutes_left(request, username):
        form.add_error(
            "form",
            _("Too many failed sign-ins. Try again in %(minutes)s minutes.", minutes=minutes),
        )
        return login_page(request, form, status_code=429)

    sign_in = await check_password(username, password)
    user_id = sign_in.user_id
    actor = Actor(user_id=user_id, username=username)
    async with audited_write(actor) as audit:
        await LoginAttempt.insert(
            LoginAttempt(username=username, client=client_address(request), succeeded=bool(user_id))
        )
        if user_id is None:
            await audit.record("login_failed", BaseUser, None, client_address(request))
        else:
            if sign_in.new_hash:  # an older (PBKDF2) hash, replaced by argon2id
                await BaseUser.update({BaseUser.password: sign_in.new_hash}).where(
                    BaseUser.id == user_id
                )
                await audit.record("password_rehashed", BaseUser, user_id, "argon2id")
            session = await start_session(request, user_id)
            await audit.record("login", BaseUser, user_id, client_address(request))
    if user_id is None:
        form.add_error("form", _("The username or password is not right."))
        return login_page(request, form, status_code=400)

    response = RedirectResponse(safe_next(form.values["next"]), status_code=303)
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=settings.session_max_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.production,
    )
    return response


async def start_session(request: Request, user_id: int) -> SessionsBase:
    """A fresh session on every sign-in; a session the browser still carried is ended."""
    if old_token := request.cookies.get(SESSION_COOKIE):
        await SessionsBase.remove_session(old_token)
    settings = request.app.state.settings
    now = datetime.datetime.now()
    await SessionsBase.delete().where(SessionsBase.max_expiry_date < now)  # housekeeping
    await BaseUser.update({BaseUser.last_login: now}).where(BaseUser.id == user_id)
    return await SessionsBase.create_session(
        user_id=user_id,
        expiry_date=now + datetime.timedelta(hours=settings.session_hours),
        max_expiry_date=now + datetime.timedelta(days=settings.session_max_days),
    )


@allow(*ALL_ROLES)
async def logout(request: Request) -> Response:
    viewer = request.user
    async with audited_write(Actor(viewer.user_id, viewer.username)) as audit:
        await SessionsBase.remove_session(viewer.session_token)
        await audit.record("logout", BaseUser, viewer.user_id)
    response = RedirectResponse(request.url_for("login"), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@allow(*ALL_ROLES)
async def change_password(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "portal/change_password.html", FormState().context())

    submitted = await read_form(request)
    form = FormState()
    current, new, confirm = (
        str(submitted.get(name, "")) for name in ("current_password", "new_password", "confirm")
    )
    viewer = request.user
    if not current:
        form.add_error("current_password", _("Enter your current password."))
    elif (await check_password(viewer.username, current)).user_id is None:
        form.add_error("current_password", _("The current password is not right."))
    if len(new) < MIN_PASSWORD_LENGTH:
        form.add_error(
            "new_password",
            _("A password has at least %(min)s characters.", min=MIN_PASSWORD_LENGTH),
        )
    elif len(new) > MAX_PASSWORD_LENGTH:
        form.add_error(
            "new_password", _("At most %(limit)s characters.", limit=MAX_PASSWORD_LENGTH)
        )
    elif new == current:
        form.add_error("new_password", _("Choose a password different from the current one."))
    if new != confirm:
        form.add_error("confirm", _("The two new passwords differ."))
    if not form.valid:
        return render(request, "portal/change_password.html", form.context(), status_code=400)

    hashed = await hash_password(new)
    async with audited_write(Actor(viewer.user_id, viewer.username)) as audit:
        await BaseUser.update({BaseUser.password: hashed}).where(BaseUser.id == viewer.user_id)
        await SessionsBase.delete().where(
            SessionsBase.user_id == viewer.user_id, SessionsBase.token != viewer.session_token
        )
        await audit.record("password", BaseUser, viewer.user_id, _("Password changed"))
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
