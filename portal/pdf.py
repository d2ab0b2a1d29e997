"""PDF rendering with WeasyPrint, in worker processes so it never blocks the event loop.

The request renders the HTML with the one Jinja environment (translations, filters); a worker
process only turns that HTML into PDF bytes. WeasyPrint holds the GIL for the whole layout,
so threads would stall the server: processes keep requests flowing and use every core. The
pool starts on first use (pages that never make a PDF pay nothing) and each worker keeps one
FontConfiguration, so fonts are looked up once per process, not once per document.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from portal.settings import ROOT

BASE_URL = str(ROOT / "templates" / "pdf") + "/"
_font_config: Any = None
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _start_worker() -> None:
    """Runs once in each worker process: import WeasyPrint and build the font configuration."""
    global _font_config
    from weasyprint.text.fonts import FontConfiguration

    _font_config = FontConfiguration()


def html_to_pdf(html: str) -> bytes:
    """Turns a complete HTML document into PDF bytes (called in a worker process, or directly
    where blocking is fine, e.g. a benchmark's floor)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    global _font_config
    if _font_config is None:
        _start_worker()
    # Records embed nothing from outside (styles inline, the chart inline SVG): no file or
    # network reads, whatever a field's text may contain.
    fetcher = URLFetcher(allowed_protocols=["data"])
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(font_config=_font_config)


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
                initializer=_start_worker,
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


def pdf_response(content: bytes, filename: str, ascii_fallback: str) -> Response:
    """An inline PDF with its (possibly Chinese) file name per RFC 6266 / RFC 5987."""
    disposition = f"inline; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )
