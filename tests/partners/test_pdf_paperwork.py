"""PDFs typeset like official paperwork, and slow PDFs showing their progress on the page.

A long table runs over pages with its header row on each of them and its totals once, at the
end (a tfoot would repeat them at every page break); names and terms are never split across
lines. The links and forms of the PDFs that take a while (annual report, project summary,
roster) carry the hook of portal/static/pdf-wait.js, which the pages load."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.partners.test_reports import save, year_of_activity
from tests.support import (
    make_assignment,
    make_log,
    make_mentor,
    make_participation,
    make_student,
)
from tests.talent_pool.pool_factories import make_flag, pool_student

LONG_NAME = "阿依古丽·买买提明"  # 9 characters: wider than any column of short names
# Running text that wants the whole width of its table: the columns beside it are squeezed.
LONG_TEXT = "实训中表现突出，主动承担班组任务，积极向党组织靠拢，多次参加技能竞赛并获奖，" * 2


def page_lines(response) -> list[list[str]]:
    """Each page's text lines, spaces removed (a word split across lines shows as two)."""
    reader = PdfReader(io.BytesIO(response.content))
    return [
        [line.replace(" ", "") for line in page.extract_text().splitlines()]
        for page in reader.pages
    ]


def long_project(people, students: int = 45) -> tuple[int, str]:
    """A project of the partner's enterprise with many students, each with a dual-mentor
    assignment and a log: its assignments table runs over several pages. Returns the project
    and the enterprise mentor's name (printed in the assignments table only)."""
    project = people.mine.project
    enterprise_mentor = make_mentor(
        side="enterprise", name="柏青松", enterprise=people.enterprise_a, department=""
    )
    college_mentor = make_mentor(name="龚秋菊")
    for n in range(students):
        student = make_student(name=LONG_NAME if n == 7 else f"学生甲{n:02d}")
        make_participation(project, student, position=LONG_TEXT if n == 7 else "装配技术员")
        assignment = make_assignment(student, college_mentor, enterprise_mentor, project=project)
        make_log(assignment, enterprise_mentor)
    return project, "柏青松"


def test_a_long_summary_prints_its_header_on_every_page_and_its_totals_once(signed_in, people):
    project, mentor = long_project(people)
    response = signed_in("coordinator").get(f"/projects/{project}/summary.pdf")
    assert response.status_code == 200
    save(response, "long-project-summary.pdf")
    pages = page_lines(response)
    with_rows = [lines for lines in pages if any(mentor in line for line in lines)]
    assert len(with_rows) >= 2  # the assignments table crosses a page
    for lines in with_rows:
        assert any("校内导师" in line and "企业导师" in line for line in lines), lines[:12]
    text = "\n".join("\n".join(lines) for lines in pages)
    assert text.count("合计") == 1
    # ... at the end of the table: after its last row, on its last page
    last = with_rows[-1]
    total = next(i for i, line in enumerate(last) if line.startswith("合计"))
    assert all(mentor not in line for line in last[total + 1 :])


def test_a_long_annual_report_totals_its_activities_once(signed_in, people):
    for n in range(40):
        year_of_activity(people.organization_a, 2026, f"联学活动{n:02d}", [people.student_id])
    response = signed_in("partner").get(
        f"/organizations/{people.organization_a}/report.pdf?year=2026"
    )
    save(response, "long-annual-report.pdf")
    pages = page_lines(response)
    with_rows = [lines for lines in pages if any("联学活动" in line for line in lines)]
    assert len(with_rows) >= 2
    for lines in with_rows:
        assert any("日期" in line and "承办单位" in line for line in lines), lines[:12]
    totals = [line for lines in pages for line in lines if line.startswith("合计")]
    assert totals == ["合计4040"]  # 40 member and 40 student attendances, once


def test_a_long_name_is_never_split_across_lines(signed_in, people):
    project, _ = long_project(people, students=12)
    response = signed_in("partner").get(f"/projects/{project}/summary.pdf")
    lines = [line for page in page_lines(response) for line in page]
    whole = [line for line in lines if LONG_NAME in line]
    assert len(whole) == 2  # participants and dual mentors, each on one line
    assert not any(line.endswith("阿依古丽") or line.startswith("买买提明") for line in lines)


def test_the_roster_keeps_names_and_terms_whole_and_its_header_on_every_page(signed_in):
    for index in range(60):
        student = pool_student(
            float(index),
            name=LONG_NAME if index == 30 else f"乙同学{index:02d}",
            department="智能制造与机器人工程学院",
            class_name="工业机器人技术2401班",
            political_status="02",  # 中共预备党员
        )
        make_flag(student, reason=LONG_TEXT)
    response = signed_in("coordinator").get("/talent-pool/roster.pdf")
    save(response, "long-pool-roster.pdf")
    pages = page_lines(response)
    with_rows = [lines for lines in pages if any("乙同学" in line for line in lines)]
    assert len(with_rows) >= 2
    for lines in with_rows:
        assert any("姓名" in line and "学号" in line for line in lines), lines[:12]
    lines = [line for page in pages for line in page]
    assert sum(LONG_NAME in line for line in lines) == 1
    for term in ("智能制造与机器人工程学院", "工业机器人技术2401班", "中共预备党员"):
        assert sum(term in line for line in lines) == 60, term


# --- progress while a slow PDF is made ---------------------------------------------------------


def test_slow_pdf_links_show_their_progress_and_the_script_is_served(browser, signed_in, people):
    coordinator = signed_in("coordinator")
    pool_student(80.0)
    pages = {
        f"/projects/{people.mine.project}": "a#project-summary-pdf",
        f"/organizations/{people.organization_a}": "#organization-report a",
        "/talent-pool/": "a#export-pdf",
    }
    for path, selector in pages.items():
        soup = browser.soup(coordinator.get(path))
        hook = soup.select_one(selector)
        assert hook is not None and hook.has_attr("data-pdf-wait"), path
        assert hook["data-pdf-wait"] == "正在生成 PDF…"
        assert "{s}" in hook["data-pdf-wait-elapsed"]
        assert hook["href"].split("?")[0].endswith(".pdf")  # without scripts: the plain link
        scripts = [tag["src"] for tag in soup.select("script[src]")]
        assert any(src.endswith("/pdf-wait.js") for src in scripts), scripts
        assert not soup.select("script:not([src])")  # CSP: no inline code
    form = browser.soup(coordinator.get(f"/organizations/{people.organization_a}")).select_one(
        "form#organization-report"
    )
    assert form.has_attr("data-pdf-wait") and form["method"] == "get"
    script = coordinator.get("/static/pdf-wait.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "data-pdf-wait" in script.text and "Content-Disposition" in script.text
