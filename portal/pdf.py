"""PDF rendering with WeasyPrint, in worker processes so it never takes the event loop's time.

A document (``Document``: a template name and plain, picklable data) goes to a worker process
with the locale of the request; the worker renders its HTML with the locale's Jinja
environment and lays it out, so the event loop spends nothing on a PDF beyond reading its data
and pickling it. WeasyPrint holds the GIL for the whole layout, so threads would stall the
server: processes keep requests flowing and use every core, and they run below the server's
priority, so the scheduler serves page requests first. The pool starts on first use
(pages that never make a PDF pay nothing) and each worker keeps one FontConfiguration, so fonts
are looked up once per process, not once per document. ``render_pdf`` still takes HTML made
elsewhere, for documents not yet described as data.
"""

from __future__ import annotations

import asyncio
import datetime
import multiprocessing
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from portal.charts import svg_chart
from portal.i18n import _, current_locale
from portal.settings import ROOT
from portal.templating import templates

BASE_URL = str(ROOT / "templates" / "pdf") + "/"
UA_STYLESHEET = ROOT / "templates" / "pdf" / "ua.css"
# The typesetting every document shares, parsed once per worker and passed to each layout
# (a document's own <style> keeps only what varies: its margin boxes, a report's extras).
DOCUMENT_STYLESHEET = ROOT / "templates" / "pdf" / "record.css"
# Below the server's priority: under load the scheduler serves page requests first and gives
# PDFs the CPU time left (PORTAL_PDF_NICE=0 to render at the server's priority).
WORKER_NICENESS = int(os.environ.get("PORTAL_PDF_NICE", "10"))
_font_config: Any = None
_document_class: Any = None
_document_stylesheets: list[Any] = []
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


class ParserPatterns(dict[Any, Any]):
    """The character patterns of WeasyPrint's HTML parser, keyed by what it asks for.

    tinyhtml5 2.1.0 caches each pattern under the compiled pattern instead of the characters
    it looks it up by (``characters = cache[key] = regex`` binds ``characters`` first), so it
    builds one for every run of text it reads: 40% of a record's parsing. Its lookup falls to
    ``__missing__`` here, which builds each pattern once, as tinyhtml5 would."""

    def __missing__(self, key: tuple[Any, bool]) -> re.Pattern[str]:
        characters, opposite = key
        listed = "".join(f"\\x{ord(character):02x}" for character in characters)
        pattern = self[key] = re.compile(f"[{'' if opposite else '^'}{listed}]+")
        return pattern


def _start_worker() -> None:
    """Runs once per process that lays out PDFs: imports WeasyPrint, builds the one font
    configuration, and the document class that uses the portal's user-agent stylesheet
    (templates/pdf/ua.css) instead of WeasyPrint's."""
    global _font_config, _document_class, _document_stylesheets
    import tinyhtml5.inputstream  # type: ignore[import-untyped]
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    tinyhtml5.inputstream.characters_until_regex = ParserPatterns()

    _font_config = FontConfiguration()
    stylesheet = CSS(filename=str(UA_STYLESHEET))
    _document_stylesheets = [CSS(filename=str(DOCUMENT_STYLESHEET), font_config=_font_config)]

    class PortalHTML(HTML):  # type: ignore[misc]  # WeasyPrint is untyped
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            # WeasyPrint's hook for its user-agent sheet (weasyprint is pinned in pyproject;
            # tests/portal/test_record_pdf.py checks that the sheet is still the one used).
            return [stylesheet]

    _document_class = PortalHTML


def _start_pool_worker() -> None:
    """A pool worker: lower its priority, then get ready to lay out PDFs."""
    if WORKER_NICENESS and hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
    _start_worker()


def html_to_pdf(html: str) -> bytes:
    """Turns a complete HTML document into PDF bytes (called in a worker process, or directly
    where blocking is fine, e.g. a benchmark's floor)."""
    from weasyprint.urls import URLFetcher

    if _font_config is None:
        _start_worker()
    # Documents embed nothing from outside (styles inline, charts inline SVG): no file or
    # network reads, whatever a field's text may contain.
    fetcher = URLFetcher(allowed_protocols=["data"])
    document = _document_class(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(font_config=_font_config, stylesheets=_document_stylesheets)


def worker_count() -> int:
    return int(os.environ.get("PORTAL_PDF_WORKERS", "0")) or min(4, os.cpu_count() or 1)


def pool() -> ProcessPoolExecutor:
    """The process pool, started on first use. Workers are spawned, not forked: a fork of a
    running server would copy its event loop and database connections."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=worker_count(),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_pool_worker,
            )
        return _pool


def shutdown_pool() -> None:
    """Stops the workers (the app's lifespan calls this on shutdown)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


async def render_pdf(html: str) -> bytes:
    """PDF bytes of an HTML document, made in a worker process."""
    return await asyncio.get_running_loop().run_in_executor(pool(), html_to_pdf, html)


class Document(Protocol):
    """A PDF as data: the template that typesets it and the context it fills in, made from
    plain values (rows, dates, numbers) so that it pickles to a worker process. ``context`` runs
    in the worker, under the document's locale (gettext works there)."""

    @property
    def template(self) -> str: ...

    def context(self) -> dict[str, Any]: ...


def document_html(document: Document, locale: str) -> str:
    """The document's HTML in a locale (the worker's first step; tests and benchmarks call it
    directly)."""
    token = current_locale.set(locale)
    try:
        template = templates.environments[locale].get_template(document.template)
        return template.render({"locale": locale, **document.context()})
    finally:
        current_locale.reset(token)


def document_to_pdf(document: Document, locale: str) -> bytes:
    """The document's PDF: its HTML rendered, then laid out (in a worker process, or directly
    where blocking is fine)."""
    return html_to_pdf(document_html(document, locale))


async def render_document(document: Document, locale: str) -> bytes:
    """PDF bytes of a document, its HTML and layout both made in a worker process."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool(), document_to_pdf, document, locale)


def css_string(text: str) -> str:
    """Text as a quoted CSS string (for @page margin boxes); < and > escaped so a name can
    never close the <style> element it sits in."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    escaped = escaped.replace("<", "\\3c ").replace(">", "\\3e ")
    return f'"{escaped}"'


def margin_boxes(header_right: str, today: datetime.date) -> dict[str, str]:
    """The CSS `content` of a document's page margins (pdf/_document.html): the portal's name
    and `header_right` as running headers, the generation date, "page N of M"."""
    pages = _("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    counters = {"\x00": "counter(page)", "\x01": "counter(pages)"}
    page_numbers = " ".join(
        counters.get(part) or css_string(part) for part in re.split("(\x00|\x01)", pages) if part
    )
    return {
        "header_left": css_string(_("School–Enterprise Co-Education Portal")),
        "header_right": css_string(header_right),
        "generated": css_string(_("Generated on %(date)s", date=today.isoformat())),
        "page_numbers": page_numbers,
    }


def pdf_response(content: bytes, filename: str, ascii_fallback: str) -> Response:
    """An inline PDF with its (possibly Chinese) file name per RFC 6266 / RFC 5987."""
    disposition = f"inline; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def pdf_file_name(*parts: Any) -> str:
    """A download name from its parts joined by "-", without characters file systems refuse
    (e.g. 第一联合党支部-年度工作报告-2026.pdf)."""
    return UNSAFE_IN_FILE_NAMES.sub("_", "-".join(str(part) for part in parts)) + ".pdf"


async def render_template_pdf(request: Request, template: str, context: dict[str, Any]) -> bytes:
    """A PDF template (templates/pdf/) rendered in the request's language, with the viewer and
    the chart helper every report may use, and typeset in a worker process."""
    html = templates.env.get_template(template).render(
        {
            "request": request,
            "viewer": request.user,
            "locale": request.scope.get("locale", "zh_CN"),
            "svg_chart": svg_chart,
            **context,
        }
    )
    return await render_pdf(html)
