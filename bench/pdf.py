"""Record PDFs (成长档案): a 3-page student record next to WeasyPrint's time for a plain 3-page
CJK text document (the floor), in-process and over HTTP, and PDFs under concurrent load while
pages are requested, in one run on a SQLite college.

    .venv/bin/python -m bench.pdf [--rounds 9] [--sequential 10] [--concurrency 4]
                                  [--load-seconds 20] [--profile]

1. A fresh SQLite database in a temporary folder (schema from the migrations), 40 students
   with full records (bench/record_data.py: two projects, two dual-mentor assignments with
   their logs, two terms of evaluations with their charts, activities, awards), the bench
   coordinator.
2. In-process, in interleaved rounds (a shared machine slows both alike):
   - the floor: stock WeasyPrint — its own user-agent stylesheet, the same FontConfiguration —
     on a plain text document of exactly three A4 pages with the record's page box, margins,
     running headers and page numbers and its fonts (Noto Serif CJK SC text, Noto Sans CJK SC
     headings), the text drawn from the portal's Chinese catalogue;
   - the record: ``portal.pdf.document_to_pdf`` of a student's RecordDocument, what a PDF
     worker does: its HTML rendered from the record's data, then laid out.
   Both are printed (median wall and CPU ms), with their ratio and the record's page count.
   ``--profile`` adds a cProfile of the record's rendering, with and without its charts.
3. Over HTTP, the portal under uvicorn (one server process, the PDF pool as in production):
   GET /students/{id}/record.pdf one at a time — the median and its ratio to the floor — and
   the server process's own CPU time per PDF, which is what the event loop spends on one
   (the workers' time is not part of it).
4. Under load: ``--concurrency`` clients downloading record PDFs for ``--load-seconds`` while
   one client requests record pages (/students/{id}, each URL new, so none comes from the page
   cache) back to back: PDFs per second and their median, and the pages' median and 95th
   percentile next to the same pages without PDFs.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import seed
from bench.record_data import seed_rich_records
from bench.run import BenchError, Server, cookie_header, http_request, sign_in

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = 40
CATALOGUE = ROOT / "portal" / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"


def prepare(work_dir: Path) -> tuple[str, dict[str, str], list[int]]:
    """The database, its students with full records, and the bench account; the environment
    is set for this process's portal imports."""
    database_url = f"sqlite:///{work_dir / 'bench.sqlite'}"
    env = {"PORTAL_VAR_DIR": str(work_dir), "SECRET_KEY": secrets.token_urlsafe(32)}
    seed.migrate(database_url, env)
    os.environ.update(seed._subprocess_env(database_url, env))
    os.environ["PORTAL_BATCH_RUNNER"] = "off"
    students = asyncio.run(seed_rich_records(STUDENTS))
    seed.create_user(database_url, env)
    return database_url, env, students


# --- the floor -----------------------------------------------------------------------------


def catalogue_text() -> str:
    """Running Chinese text: the sentences of the portal's zh_CN catalogue, end to end."""
    messages = re.findall(r'^msgstr "(.+)"$', CATALOGUE.read_text(encoding="utf-8"), re.M)
    sentences = [m for m in messages if re.search("[\u4e00-\u9fff]", m) and "%" not in m]
    return "".join(sentence.rstrip("。") + "。" for sentence in sentences)


def floor_html(characters: int) -> str:
    """A plain CJK text document: a title, section headings and paragraphs, on the record's
    page box with its running headers and page numbers."""
    from portal.pdf import margin_boxes

    text = (catalogue_text() * 4)[:characters]
    paragraphs = [text[i : i + 240] for i in range(0, len(text), 240)]
    body = "".join(
        (f"<h2>第{n // 4 + 1}节</h2>" if n % 4 == 0 else "") + f"<p>{paragraph}</p>"
        for n, paragraph in enumerate(paragraphs)
    )
    css = margin_boxes("学生成长档案 · 基准", dt.date.today())
    margin = "font-family: 'Noto Sans CJK SC', sans-serif; font-size: 8pt; color: #666;"
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>'
        f"@page {{ size: A4; margin: 22mm 18mm 20mm 20mm;"
        f" @top-left {{ content: {css['header_left']}; {margin} }}"
        f" @top-right {{ content: {css['header_right']}; {margin} }}"
        f" @bottom-left {{ content: {css['generated']}; {margin} }}"
        f" @bottom-right {{ content: {css['page_numbers']}; {margin} }} }}"
        " html { font-family: 'Noto Serif CJK SC', serif; font-size: 10pt; line-height: 1.5; }"
        " h1, h2 { font-family: 'Noto Sans CJK SC', sans-serif; }"
        f"</style></head><body><h1>学生成长档案</h1>{body}</body></html>"
    )


def stock_weasyprint() -> Callable[[str], bytes]:
    """WeasyPrint as it comes (its user-agent stylesheet), with the portal's font
    configuration: what a plain document costs."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    from portal import pdf

    pdf.html_to_pdf("<p>预热</p>")  # builds the one FontConfiguration

    def render(html: str) -> bytes:
        fetcher = URLFetcher(allowed_protocols=["data"])
        document = HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=fetcher)
        return document.write_pdf(font_config=pdf._font_config)

    return render


def page_count(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def three_page_floor(render: Callable[[str], bytes]) -> tuple[str, int]:
    """The longest floor document that still fits three pages (in steps of 250 characters)."""
    characters, best = 2500, None
    while True:
        html = floor_html(characters)
        pages = page_count(render(html))
        if pages > 3:
            break
        if pages == 3:
            best = (html, characters)
        characters += 250
    if best is None:
        raise BenchError("no floor document of three pages")
    return best


# --- in-process ----------------------------------------------------------------------------


def record_document(student_id: int) -> Any:
    """The RecordDocument the server sends to a PDF worker for this student (a coordinator's
    view)."""
    from college.record import RecordDocument, read_record
    from portal.auth import Viewer
    from portal.tables import Role

    viewer = Viewer(user_id=1, username=seed.BENCH_USERNAME, role=Role.coordinator, name="",
                    session_token="")  # fmt: skip
    record = asyncio.run(read_record(viewer, student_id))
    return RecordDocument(record, dt.date.today())


def timed(function: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def in_process(rounds: int, document: Any) -> dict[str, Any]:
    """The floor and the record, interleaved: medians of wall and CPU time."""
    from portal.pdf import document_to_pdf

    stock = stock_weasyprint()
    floor, characters = three_page_floor(stock)
    record = document_to_pdf(document, "zh_CN")
    results: dict[str, list[tuple[float, float]]] = {"floor": [], "record": []}
    for _ in range(rounds):
        results["floor"].append(timed(lambda: stock(floor)))
        results["record"].append(timed(lambda: document_to_pdf(document, "zh_CN")))
    medians = {
        name: (
            statistics.median(wall for wall, _ in times) * 1000,
            statistics.median(cpu for _, cpu in times) * 1000,
        )
        for name, times in results.items()
    }
    return {
        "medians": medians,
        "floor_characters": characters,
        "record_pages": page_count(record),
        "record_bytes": len(record),
    }


def profile(document: Any) -> None:
    """Where the record's time goes, and what its charts cost."""
    import cProfile
    import pstats
    from dataclasses import replace

    from portal.pdf import document_to_pdf

    pstats_out = io.StringIO()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        document_to_pdf(document, "zh_CN")
    profiler.disable()
    pstats.Stats(profiler, stream=pstats_out).sort_stats("tottime").print_stats(25)
    print(pstats_out.getvalue())
    without_charts = replace(document, record=replace(document.record, evaluations=[]))
    with_ms = statistics.median(timed(lambda: document_to_pdf(document, "zh_CN"))[1]
                                for _ in range(5)) * 1000  # fmt: skip
    without_ms = statistics.median(timed(lambda: document_to_pdf(without_charts, "zh_CN"))[1]
                                   for _ in range(5)) * 1000  # fmt: skip
    print(f"record CPU ms: {with_ms:.1f} with its evaluations (charts and tables), "
          f"{without_ms:.1f} without")  # fmt: skip


# --- over HTTP -----------------------------------------------------------------------------


def server_cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process (not its children: the PDF workers)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get(server: Server, cookies: dict[str, str], path: str, pdf: bool = False) -> float:
    started = time.perf_counter()
    status, _headers, body = http_request(
        server.port, "GET", path, headers={"Cookie": cookie_header(cookies)}, timeout=120
    )
    if status != 200 or (pdf and not body.startswith(b"%PDF")):
        raise BenchError(f"GET {path} answered {status}")
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def page_loop(server: Server, cookies: dict[str, str], students: list[int],
              stop: threading.Event) -> list[float]:  # fmt: skip
    """Record pages back to back, a different student each time and never from the page
    cache (each URL is new), until told to stop."""
    times, index = [], 0
    while not stop.is_set():
        student = students[index % len(students)]
        times.append(get(server, cookies, f"/students/{student}?request={index}"))
        index += 1
    return times


def pdf_loop(server: Server, cookies: dict[str, str], students: list[int],
             stop: threading.Event, offset: int) -> list[float]:  # fmt: skip
    times, index = [], offset
    while not stop.is_set():
        path = f"/students/{students[index % len(students)]}/record.pdf"
        times.append(get(server, cookies, path, pdf=True))
        index += 7
    return times


def over_http(env: dict[str, str], database_url: str, students: list[int],
              args: argparse.Namespace, work_dir: Path) -> dict[str, Any]:  # fmt: skip
    server = Server("portal", "college.app:app", seed._subprocess_env(database_url, env), 1,
                    work_dir)  # fmt: skip
    try:
        server.wait_ready()
        cookies = sign_in(server)
        for student in students[:4]:  # warm-up: the PDF workers start, fonts load
            get(server, cookies, f"/students/{student}/record.pdf", pdf=True)
        path = f"/students/{students[0]}/record.pdf"
        cpu_before = server_cpu_seconds(server.process.pid)
        sequential = [get(server, cookies, path, pdf=True) for _ in range(args.sequential)]
        loop_ms = (server_cpu_seconds(server.process.pid) - cpu_before) / args.sequential * 1000

        def pages_for(seconds: float, pdf_clients: int) -> tuple[list[float], list[float]]:
            stop = threading.Event()
            with ThreadPoolExecutor(pdf_clients + 1) as pool:
                pages = pool.submit(page_loop, server, cookies, students, stop)
                pdfs = [pool.submit(pdf_loop, server, cookies, students, stop, n)
                        for n in range(pdf_clients)]  # fmt: skip
                time.sleep(seconds)
                stop.set()
                return pages.result(), [t for future in pdfs for t in future.result()]

        quiet_pages, _ = pages_for(args.load_seconds / 2, 0)
        loaded_pages, pdf_times = pages_for(args.load_seconds, args.concurrency)
    finally:
        server.stop()
    return {
        "sequential_ms": statistics.median(sequential) * 1000,
        "loop_cpu_ms": loop_ms,
        "quiet_pages": quiet_pages,
        "loaded_pages": loaded_pages,
        "pdf_times": pdf_times,
    }


def spread_of(times: list[float]) -> str:
    """How many requests, and their median and 95th percentile in ms."""
    p50, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
    return f"{len(times):5d} requests, p50 {p50:6.1f} ms, p95 {p95:6.1f} ms"


def report(args: argparse.Namespace, local: dict[str, Any], remote: dict[str, Any]) -> None:
    (floor_wall, floor_cpu), (record_wall, record_cpu) = local["medians"].values()
    http_ms, pdfs = remote["sequential_ms"], remote["pdf_times"]
    pdf_rate, pdf_p50 = len(pdfs) / args.load_seconds, statistics.median(pdfs) * 1000
    rows = [
        (
            f"floor: plain CJK text, 3 pages ({local['floor_characters']} characters), "
            "stock WeasyPrint",
            f"{floor_wall:7.1f} ms  (CPU {floor_cpu:.1f} ms)",
        ),
        (
            f"record: {local['record_pages']} pages ({local['record_bytes'] // 1024} KB), "
            "data → HTML → PDF in-process",
            f"{record_wall:7.1f} ms  (CPU {record_cpu:.1f} ms)",
        ),
        (
            "ratio record / floor",
            f"{record_wall / floor_wall:7.2f}     (CPU {record_cpu / floor_cpu:.2f})",
        ),
        (
            "record over HTTP, one at a time",
            f"{http_ms:7.1f} ms  (ratio {http_ms / floor_wall:.2f})",
        ),
        ("server process CPU per PDF (the event loop's share)", f"{remote['loop_cpu_ms']:7.1f} ms"),
        (
            f"under load: {args.concurrency} PDF clients for {args.load_seconds:.0f} s",
            f"{pdf_rate:7.2f} PDFs/s, p50 {pdf_p50:.0f} ms",
        ),
        ("record pages alone", spread_of(remote["quiet_pages"])),
        ("record pages beside the PDFs", spread_of(remote["loaded_pages"])),
    ]
    print(f"\nrecord PDF, {os.cpu_count()} cores, medians of {args.rounds} interleaved rounds")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="in-process rounds")
    parser.add_argument("--sequential", type=int, default=10, help="PDFs timed over HTTP")
    parser.add_argument("--concurrency", type=int, default=4, help="PDF clients under load")
    parser.add_argument("--load-seconds", type=float, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    work_dir = Path(tempfile.mkdtemp(prefix="portal-bench-pdf-"))
    try:
        print(f"preparing {STUDENTS} students with full records …", flush=True)
        database_url, env, students = prepare(work_dir)
        document = record_document(students[0])
        print("measuring in-process …", flush=True)
        local = in_process(args.rounds, document)
        if args.profile:
            profile(document)
        print("measuring over HTTP …", flush=True)
        remote = over_http(env, database_url, students, args, work_dir)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)

    report(args, local, remote)
    return 0


if __name__ == "__main__":
    sys.exit(main())
