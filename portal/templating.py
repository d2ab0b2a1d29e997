"""The templates of pages and PDFs: one Jinja2 environment per locale, each with the
``_("…")`` literals of its templates translated once, when a template is compiled.

A page calls ``_()`` dozens of times (navigation, headings, buttons); translating those
literals per render was a third of render time. A call with a constant message (and constant
or computed ``%(name)s`` variables) becomes the translated constant in the compiled template,
with exactly the escaping gettext's newstyle call gives it; everything else (ngettext, messages
built at run time) still goes through gettext per render.
"""

from __future__ import annotations

import base64
import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import jinja2
from jinja2 import nodes
from jinja2.visitor import NodeTransformer
from starlette.requests import Request
from starlette.responses import Response
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


def data_uri(content: str, media_type: str = "image/svg+xml") -> str:
    """Content as a data: URI, e.g. a chart's SVG for an <img> in a PDF (an image is drawn
    from its own small tree; inline SVG joins the page's and is styled with it)."""
    return f"data:{media_type};base64," + base64.b64encode(content.encode()).decode("ascii")


def query_with(params: dict[str, Any], **changes: Any) -> str:
    """A query string from the current filters with some changed; empty values dropped."""
    merged = {**params, **changes}
    pairs = tuple(sorted((k, v) for k, v in merged.items() if v not in ("", None)))
    try:
        return _encoded(pairs)
    except TypeError:  # a value that cannot be a cache key (a list): encoded as it is
        return "?" + urlencode(pairs)


@lru_cache(maxsize=4096)
def _encoded(pairs: tuple[tuple[str, Any], ...]) -> str:
    """Sort headers and page links repeat the same few query strings on every render."""
    return "?" + urlencode(pairs)


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


def base_url_of(request: Request) -> str:
    """The site's base URL without the trailing slash, worked out once per request."""
    base = request.scope.get("portal.base_url")
    if base is None:
        base = request.scope["portal.base_url"] = str(request.base_url).rstrip("/")
    return base


@jinja2.pass_context
def url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """Starlette's url_for, with the route look-up cached: it scans every route each time,
    and a page calls it dozens of times (navigation, links per row)."""
    request: Request = context["request"]
    arguments = tuple(sorted(params.items())) if params else ()
    return base_url_of(request) + _url_path(request.scope["router"], name, arguments)


GETTEXT_NAMES = frozenset({"_", "gettext"})


class LiteralTranslator(NodeTransformer):
    """Replaces ``_("constant", name=value…)`` with its translation in one locale."""

    def __init__(self, translations: Any) -> None:
        self.translations = translations

    def visit_Call(self, call: nodes.Call) -> nodes.Node:
        node = self.generic_visit(call)
        if not (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Name)
            and node.node.name in GETTEXT_NAMES
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        translated = self.translations.gettext(node.args[0].value)
        if not node.kwargs:
            try:
                translated = translated % {}  # newstyle gettext always formats (%% → %)
            except (TypeError, ValueError, KeyError):
                return node  # left to fail (or not) at render time, as before
            return nodes.MarkSafeIfAutoescape(nodes.Const(translated), lineno=node.lineno)
        message = nodes.MarkSafeIfAutoescape(nodes.Const(translated), lineno=node.lineno)
        variables = nodes.Dict(
            [nodes.Pair(nodes.Const(k.key), k.value, lineno=node.lineno) for k in node.kwargs],
            lineno=node.lineno,
        )
        return nodes.Mod(message, variables, lineno=node.lineno)


class LocaleEnvironment(jinja2.Environment):
    """A Jinja2 environment whose templates are compiled for one locale."""

    def __init__(self, locale: str, **options: Any) -> None:
        super().__init__(**options)
        self.locale = locale

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        return LiteralTranslator(i18n.translations_for(self.locale)).visit(tree)


def build_environment(locale: str = i18n.DEFAULT_LOCALE) -> jinja2.Environment:
    env = LocaleEnvironment(
        locale,
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    env.filters["date"] = format_date
    env.filters["data_uri"] = data_uri
    env.globals["url_for"] = url_for
    env.globals["query_with"] = query_with
    env.globals["supported_locales"] = i18n.SUPPORTED_LOCALES
    env.globals["language_name"] = i18n.language_name
    return env


class LocaleTemplates(Jinja2Templates):
    """Jinja2Templates over one environment per locale: ``env`` and ``get_template`` answer
    in the locale of the request (or job) in flight."""

    def __init__(self) -> None:
        self.environments = {code: build_environment(code) for code in i18n.SUPPORTED_LOCALES}
        super().__init__(
            env=self.environments[i18n.DEFAULT_LOCALE], context_processors=[page_context]
        )

    @property
    def env(self) -> jinja2.Environment:
        return self.environments.get(i18n.current_locale.get()) or self._default_env

    @env.setter
    def env(self, value: jinja2.Environment) -> None:
        self._default_env = value

    def _setup_env_defaults(self, env: jinja2.Environment) -> None:
        """Our url_for is already in every environment's globals."""

    def get_template(self, name: str) -> jinja2.Template:
        return self.env.get_template(name)


templates = LocaleTemplates()


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)
