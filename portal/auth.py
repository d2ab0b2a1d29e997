"""Who is asking: sessions from piccolo_api's session table, roles, and route guards.

One joined query per request reads the session, the user, the role and the records the user
is tied to (the student record, the partner's enterprise, the mentor record), so every
handler knows what the viewer may see without further look-ups.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase
from starlette.authentication import AuthCredentials, AuthenticationBackend
from starlette.authentication import BaseUser as StarletteUser
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response

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


VIEWER_QUERY = """
SELECT u.id AS user_id, u.username, p.role, p.display_name,
       s.expiry_date, s.max_expiry_date,
       st.id AS student_id, pa.enterprise AS enterprise_id, m.id AS mentor_id
FROM sessions s
JOIN piccolo_user u ON u.id = s.user_id AND u.active = {}
JOIN portal_profile p ON p."user" = u.id
LEFT JOIN portal_student st ON st."user" = u.id
LEFT JOIN partners_partner_account pa ON pa."user" = u.id
LEFT JOIN partners_mentor m ON m."user" = u.id
WHERE s.token = {}
"""


async def load_viewer(token: str, session_hours: int) -> Viewer | None:
    rows = await SessionsBase.raw(VIEWER_QUERY, True, token).run()
    if not rows:
        return None
    row = rows[0]
    now = datetime.datetime.now()
    if row["expiry_date"] <= now or row["max_expiry_date"] <= now:
        return None
    if row["expiry_date"] - now < SESSION_EXTEND_WHEN_LEFT:
        extended = min(now + datetime.timedelta(hours=session_hours), row["max_expiry_date"])
        await SessionsBase.update({SessionsBase.expiry_date: extended}).where(
            SessionsBase.token == token
        )
    return Viewer(
        user_id=row["user_id"],
        username=row["username"],
        role=Role(row["role"]),
        name=row["display_name"],
        session_token=token,
        student_id=row["student_id"],
        enterprise_id=row["enterprise_id"],
        mentor_id=row["mentor_id"],
    )


class PortalAuthBackend(AuthenticationBackend):
    def __init__(self, session_hours: int) -> None:
        self.session_hours = session_hours

    async def authenticate(self, conn: HTTPConnection):
        token = conn.cookies.get(SESSION_COOKIE)
        viewer = await load_viewer(token, self.session_hours) if token else None
        if viewer is None:
            return AuthCredentials([]), Anonymous()
        return AuthCredentials(["authenticated", viewer.role.value]), viewer


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


async def hash_password(password: str) -> str:
    """PBKDF2 with 600k rounds takes ~0.15 s of CPU: run it off the event loop."""
    return await asyncio.to_thread(BaseUser.hash_password, password)


async def check_password(username: str, password: str) -> int | None:
    """The user id when the password is right and the account active, else None."""
    if len(username) > 100 or len(password) > MAX_PASSWORD_LENGTH:
        return None
    row = (
        await BaseUser.select(BaseUser.id, BaseUser.password, BaseUser.active)
        .where(BaseUser.username == username)
        .first()
    )
    if row is None:
        await hash_password(password)  # same time whether or not the user exists
        return None
    _, iterations, salt, _ = BaseUser.split_stored_password(row["password"])
    candidate = await asyncio.to_thread(BaseUser.hash_password, password, salt, int(iterations))
    if candidate != row["password"] or not row["active"]:
        return None
    return row["id"]
