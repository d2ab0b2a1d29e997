"""Who is asking: sessions from piccolo_api's session table, roles, and route guards.

One joined query reads the session, the user, the role and the records the user is tied to
(the student record, the partner's enterprise, the mentor record), so every handler knows what
the viewer may see without further look-ups; its result is kept until the next write.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase
from starlette.authentication import AuthCredentials, AuthenticationBackend
from starlette.authentication import BaseUser as StarletteUser
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response

from portal.cache import MISSING, GenerationCache, forget_generation, generation
from portal.csrf import cookies_of
from portal.i18n import _
from portal.passwords import is_common_password, verify_password
from portal.tables import Role

SESSION_COOKIE = "portal_session"
SESSION_EXTEND_WHEN_LEFT = datetime.timedelta(minutes=30)

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Viewer(StarletteUser):
    """The signed-in user and what they are tied to."""

    user_id: int
    username: str
    role: Role
    name: str
    session_token: str
    student_id: int | None = None
    enterprise_id: int | None = None
    mentor_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def identity(self) -> str:
        return str(self.user_id)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def scope_key(self) -> tuple[str, int | None, int | None, int | None]:
        """What the viewer's reach depends on (role and the records they are tied to): part
        of the key of every figure cached for what they may see."""
        return (self.role.value, self.enterprise_id, self.mentor_id, self.student_id)


class Anonymous(StarletteUser):
    role = None

    @property
    def is_authenticated(self) -> bool:
        return False

    @property
    def display_name(self) -> str:
        return ""

    def has_role(self, *roles: Role) -> bool:
        return False


@dataclass(frozen=True)
class ViewerTie:
    """A record an account may be tied to, read with the viewer in the same statement: the
    Viewer field it fills, the expression that gives it and the LEFT JOIN that reaches it
    from the user ``u``. Areas above the base register theirs (partners: a partner's
    enterprise, a mentor's record), so the base names no table of theirs."""

    field: str
    expression: str
    join: str


_ties: dict[str, ViewerTie] = {}


def tie_viewer(tie: ViewerTie) -> None:
    """Registers a tie (once per field; the last registration wins)."""
    _ties[tie.field] = tie
    _viewer_query.cache_clear()


@functools.cache
def _viewer_query() -> str:
    ties = [_ties.get(field) for field in ("enterprise_id", "mentor_id")]
    columns = "".join(
        f", {tie.expression if tie else 'NULL'} AS {field}"
        for field, tie in zip(("enterprise_id", "mentor_id"), ties, strict=True)
    )
    joins = "".join(f"\n{tie.join}" for tie in ties if tie)
    return (
        "SELECT u.id AS user_id, u.username, p.role, p.display_name,"
        " s.expiry_date, s.max_expiry_date, st.id AS student_id" + columns + "\n"
        "FROM sessions s\n"
        "JOIN piccolo_user u ON u.id = s.user_id AND u.active = {}\n"
        'JOIN portal_profile p ON p."user" = u.id\n'
        'LEFT JOIN portal_student st ON st."user" = u.id' + joins + "\n"
        "WHERE s.token = {}"
    )


def stored_token(token: str) -> str:
    """What the sessions table keeps of a session's token: its SHA-256. The cookie holds the
    token itself, so a copy of the table (a backup, a leak) signs nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()


async def load_viewer(token: str, session_hours: int) -> Viewer | None:
    """The viewer of a session token, or None (unknown, expired, or the account deactivated)."""
    loaded = await load_session(token, session_hours)
    return loaded[0] if loaded else None


async def load_session(token: str, session_hours: int) -> tuple[Viewer, datetime.datetime] | None:
    """The viewer of a session token and when the session ends, or None (unknown, expired,
    or the account deactivated). A session with under half an hour left is extended."""
    rows = await SessionsBase.raw(_viewer_query(), True, stored_token(token)).run()
    if not rows:
        return None
    row = rows[0]
    now = datetime.datetime.now()
    if row["expiry_date"] <= now or row["max_expiry_date"] <= now:
        return None
    expiry = row["expiry_date"]
    if expiry - now < SESSION_EXTEND_WHEN_LEFT:
        expiry = min(now + datetime.timedelta(hours=session_hours), row["max_expiry_date"])
        await SessionsBase.update({SessionsBase.expiry_date: expiry}).where(
            SessionsBase.token == stored_token(token)
        )
    viewer = Viewer(
        user_id=row["user_id"],
        username=row["username"],
        role=Role(row["role"]),
        name=row["display_name"],
        session_token=token,
        student_id=row["student_id"],
        enterprise_id=row["enterprise_id"],
        mentor_id=row["mentor_id"],
    )
    return viewer, expiry


class PortalAuthBackend(AuthenticationBackend):
    """Who is asking, from the session cookie. The viewer of a session is kept in memory for
    as long as the write generation stands: signing out, a password change, a deactivation or
    any other write makes every worker read it again (see portal.cache)."""

    def __init__(self, session_hours: int, cache_size: int = 10_000) -> None:
        self.session_hours = session_hours
        self.cache = GenerationCache(max_entries=cache_size)

    async def authenticate(
        self, conn: HTTPConnection
    ) -> tuple[AuthCredentials, StarletteUser] | None:
        token = cookies_of(conn.scope).get(SESSION_COOKIE)
        viewer = await self.viewer_of(conn, token) if token else None
        if viewer is None:
            return AuthCredentials([]), Anonymous()
        return AuthCredentials(["authenticated", viewer.role.value]), viewer

    async def viewer_of(self, conn: HTTPConnection, token: str) -> Viewer | None:
        current = await generation(conn)
        cached = self.cache.get(token, current)
        now = datetime.datetime.now()
        if cached is not MISSING and cached[1] - now >= SESSION_EXTEND_WHEN_LEFT:
            return cached[0]
        loaded = await load_session(token, self.session_hours)
        forget_generation(conn)  # the session may have been extended: a write
        if loaded is None:
            return None
        # Kept under the generation read before loading: a sign-out committed meanwhile has
        # moved the generation on, so this entry is never served after it.
        self.cache.put(token, current, loaded)
        return loaded[0]


def allow(*roles: Role) -> Callable[[Endpoint], Endpoint]:
    """Declares which roles may use a route: others get 404, the signed-out go to /login."""

    def decorator(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            if not request.user.is_authenticated:
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                login_url = request.url_for("login").include_query_params(next=target)
                return RedirectResponse(str(login_url), status_code=303)
            if not request.user.has_role(*roles):
                raise HTTPException(status_code=404)
            return await endpoint(request)

        guarded.allowed_roles = roles  # type: ignore[attr-defined]
        return guarded

    return decorator


ALL_ROLES = tuple(Role)


# --- passwords -------------------------------------------------------------------------------
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


def password_problem(password: str) -> str | None:
    """Why a new password may not be used (ASVS V2.1: at least 8 characters, at most 128,
    not one of the passwords people use most), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("A password has at least %(min)s characters.", min=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("At most %(limit)s characters.", limit=MAX_PASSWORD_LENGTH)
    if is_common_password(password):
        return _("This password is among the most used ones and easy to guess: choose another.")
    return None


@dataclass(frozen=True)
class SignIn:
    """A sign-in attempt's outcome: the user, when the password was right and the account is
    active, and the stronger hash to store when the old one is due for replacement."""

    user_id: int | None
    new_hash: str | None = None


async def check_password(username: str, password: str, client: str = "") -> SignIn:
    """Checks a username's password (as long to answer whether or not the user exists), in
    the turn of the client's address."""
    if len(username) > 100 or len(password) > MAX_PASSWORD_LENGTH:
        return SignIn(None)
    row = (
        await BaseUser.select(BaseUser.id, BaseUser.password, BaseUser.active)
        .where(BaseUser.username == username)
        .first()
    )
    verdict = await verify_password(row["password"] if row else None, password, client)
    if row is None or not verdict.matches or not row["active"]:
        return SignIn(None)
    return SignIn(row["id"], verdict.new_hash)
