"""A slow PDF in Chromium: a coordinator asks for a project's summary; the page says at once
that the PDF is being made (while the server has not answered yet), then starts the download
under the server's file name and says the PDF is ready; a failure shows its message."""

from __future__ import annotations

from portal.tables import Role
from tests.browser.test_journeys import sign_in
from tests.support import make_account, make_enterprise, make_project


def test_a_slow_pdf_shows_its_progress_then_downloads(new_page):
    project = make_project(make_enterprise(), name="数控技术订单班")
    make_account("coord", Role.coordinator)
    page = new_page(locale="zh-CN", accept_downloads=True)
    sign_in(page, "coord")
    page.goto(f"/projects/{project}")
    held = []
    page.route("**/summary.pdf", lambda route: held.append(route))
    page.click("#project-summary-pdf")
    status = page.locator(".pdf-wait[role=status]")
    status.locator("progress").wait_for()
    assert status.get_attribute("aria-live") == "polite"
    assert "正在生成 PDF…" in status.inner_text()
    assert held  # ... before the server has answered
    with page.expect_download() as download_info:
        held[0].continue_()
    assert download_info.value.suggested_filename == "数控技术订单班-项目总结.pdf"
    page.wait_for_selector(".pdf-wait[data-state=done]")
    assert "已生成" in status.inner_text()
    assert status.locator("a[download]").get_attribute("download") == "数控技术订单班-项目总结.pdf"

    page.unroute("**/summary.pdf")
    page.route("**/summary.pdf", lambda route: route.fulfill(status=500, body="boom"))
    page.click("#project-summary-pdf")
    page.wait_for_selector(".pdf-wait[data-state=failed]")
    assert "PDF 生成失败（错误 500）" in status.inner_text()
