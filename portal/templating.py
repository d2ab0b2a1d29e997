"""The one Jinja2 environment that renders pages and PDF templates."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from portal import i18n
from portal.settings import ROOT

TEMPLATE_DIR = ROOT / "templates"


def format_date(value: datetime.date | datetime.datetime | None) -> str:
    """Dates show as 2026-11-22 in every locale."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def query_with(params: dict[str, Any], **changes: Any) -> str:
    """A query string from the current filters with some changed; empty values dropped."""
    merged = {**params, **changes}
    return "?" + urlencode(sorted((k, v) for k, v in merged.items() if v not in ("", None)))


def page_context(request: Request) -> dict[str, Any]:
    """What every page template can use: the viewer, the CSRF token, flashes, the locale."""
    session = request.scope.get("session")
    flashes = session.pop("flash", []) if session is not None else []
    return {
        "viewer": request.scope.get("user"),
        "csrf_token": request.scope.get("csrftoken", ""),
        "flashes": flashes,
        "locale": request.scope.get("locale", i18n.DEFAULT_LOCALE),
    }


_url_paths: dict[tuple[int, str, tuple[tuple[str, Any], ...]], str] = {}
URL_PATH_CACHE_SIZE = 10_000


def _url_path(router: Any, name: str, params: tuple[tuple[str, Any], ...]) -> str:
    key = (id(router), name, params)
    path = _url_paths.get(key)
    if path is None:
        if len(_url_paths) >= URL_PATH_CACHE_SIZE:
            _url_paths.clear()
        path = _url_paths[key] = str(router.url_path_for(name, **dict(params)))
    return path


@jinja2.pass_context
def url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """Starlette's url_for, with the route look-up cached: it scans every route each time,
    and a page calls it dozens of times (navigation, links per row)."""
    request: Request = context["request"]
    path = _url_path(request.scope["router"], name, tuple(sorted(params.items())))
    return str(request.base_url).rstrip("/") + path


def build_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    env.filters["date"] = format_date
    env.globals["url_for"] = url_for
    env.globals["query_with"] = query_with
    env.globals["supported_locales"] = i18n.SUPPORTED_LOCALES
    env.globals["language_name"] = i18n.language_name
    return env


templates = Jinja2Templates(env=build_environment(), context_processors=[page_context])


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code=200):
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)
