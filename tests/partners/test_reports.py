"""Reports as PDF: a joint organization's annual report and a project's summary, typeset like
the record (CJK fonts embedded, charts as SVG), for the coordinator and the partners of the
organization's or project's enterprise only."""

from __future__ import annotations

import datetime
import decimal
import io
import os

import pytest
from pypdf import PdfReader

from partners.coeducation.tables import Project
from partners.organizations.reports import (
    PlanProgress,
    completion_chart,
    report_year,
)
from partners.organizations.tables import (
    Activity,
    Agreement,
    JointOrganization,
    MemberAttendance,
    OrganizationMember,
    StudentAttendance,
    WorkPlan,
    WorkPlanItem,
)
from portal.charts import svg_chart
from portal.domain_errors import Refused
from portal.tables import Student
from tests.portal.test_dashboard_charts import request_queries
from tests.support import (
    insert_id,
    make_evaluation,
    make_log,
    run,
)

TODAY = datetime.date(2026, 11, 23)


def pdf_text(response) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return text.replace(" ", "").replace("\n", ""), fonts


def has_cjk_font(fonts: set[str]) -> bool:
    plain = {font.replace("-", "") for font in fonts}
    return any("NotoSansCJK" in font or "NotoSerifCJK" in font for font in plain)


def save(response, name: str) -> None:
    """REPORT_PDF_OUT=/some/dir keeps the PDFs to look at."""
    if folder := os.environ.get("REPORT_PDF_OUT"):
        with open(os.path.join(folder, name), "wb") as out:
            out.write(response.content)


def rename_organization(organization_id: int, name: str) -> None:
    run(
        JointOrganization.update({JointOrganization.name: name}).where(
            JointOrganization.id == organization_id
        )
    )


def year_of_activity(organization_id: int, year: int, title: str, students: list[int]) -> int:
    activity = insert_id(
        Activity,
        organization=organization_id,
        kind="joint_study",
        title=title,
        held_on=datetime.date(year, 6, 18),
        place="实训楼A201",
    )
    member = run(
        OrganizationMember.select(OrganizationMember.id)
        .where(OrganizationMember.organization == organization_id)
        .first()
    )
    run(MemberAttendance.insert(MemberAttendance(activity=activity, member=member["id"])))
    for student in students:
        run(StudentAttendance.insert(StudentAttendance(activity=activity, student=student)))
    return activity


def plan_with_items(organization_id: int, year: int, title: str, done: int, open_: int) -> None:
    plan = insert_id(
        WorkPlan, organization=organization_id, period="annual", year=year, title=title
    )
    for n in range(done + open_):
        is_done = n < done
        insert_id(
            WorkPlanItem,
            plan=plan,
            content=f"{title}事项{n + 1}",
            owner="李委员",
            due_on=datetime.date(year, 11, 1),
            done=is_done,
            done_on=datetime.date(year, 10, 1) if is_done else None,
        )


# --- rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,year", [(None, 2026), ("", 2026), (" 2025 ", 2025), ("2000", 2000), ("2100", 2100)]
)
def test_the_report_year_defaults_to_this_year(raw, year):
    assert report_year(raw, TODAY) == year


@pytest.mark.parametrize(
    "raw", ["1999", "2101", "abc", "-2026", "2026.0", "２０２６x", "99999999999"]
)
def test_a_year_out_of_range_or_not_a_number_is_refused(raw):
    with pytest.raises(Refused) as refused:
        report_year(raw, TODAY)
    assert [error.field for error in refused.value.errors] == ["year"]


def test_plan_completion_is_a_whole_percentage_and_none_without_items():
    plans = [
        PlanProgress({"title": "甲", "period": "annual", "year": 2026, "period_number": None}),
        PlanProgress({"title": "乙", "period": "annual", "year": 2026, "period_number": None}),
    ]
    plans[0].items = [{"done": True}, {"done": True}, {"done": False}]
    assert plans[0].rate == 66 and plans[1].rate is None
    chart = completion_chart(plans)
    assert chart.values("rate") == {"甲": 66, "乙": None}
    assert "<svg" in str(svg_chart(chart))


# --- the organization's annual report -------------------------------------------------------


def test_the_coordinator_downloads_an_organizations_annual_report(signed_in, people):
    rename_organization(people.organization_a, "智能制造联合党支部")
    year_of_activity(
        people.organization_a,
        2026,
        "工匠精神联学联建",
        [people.student_id, people.other_student_id],
    )
    year_of_activity(people.organization_a, 2025, "往年的活动", [])
    plan_with_items(people.organization_a, 2026, "年度党建计划", done=3, open_=1)
    run(
        Agreement.insert(
            Agreement(
                organization=people.organization_a,
                signed_on=datetime.date(2024, 1, 1),
                expires_on=datetime.date(2027, 1, 1),
            )
        )
    )
    response = signed_in("coordinator").get(
        f"/organizations/{people.organization_a}/report.pdf?year=2026"
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert (
        f"organization-{people.organization_a}-report-2026.pdf"
        in response.headers["content-disposition"]
    )
    save(response, "organization-report.pdf")
    text, fonts = pdf_text(response)
    assert has_cjk_font(fonts), fonts
    assert "智能制造联合党支部" in text
    assert "工匠精神联学联建" in text and "往年的活动" not in text
    assert "主题党日" in text  # make_organization's activity of 2026-10-01
    assert "年度党建计划" in text and "年度党建计划事项4" in text
    assert "2026-06-18" in text and "2027-01-01" in text
    assert "75%" in text  # 3 of the 4 items of the plan above; the fixture plan's item is open


def test_the_report_of_another_year_shows_that_years_activities(signed_in, people):
    year_of_activity(people.organization_a, 2025, "二〇二五年的党课", [])
    response = signed_in("coordinator").get(
        f"/organizations/{people.organization_a}/report.pdf?year=2025"
    )
    text, _ = pdf_text(response)
    assert "二〇二五年的党课" in text and "主题党日" not in text


def test_a_partner_gets_the_reports_of_its_own_organizations_only(signed_in, people):
    partner = signed_in("partner")
    assert partner.get(f"/organizations/{people.organization_a}/report.pdf").status_code == 200
    other = partner.get(f"/organizations/{people.organization_b}/report.pdf")
    assert other.status_code == 404
    assert other.template.name == "error.html"


@pytest.mark.parametrize("role", ["student", "mentor"])
def test_students_and_mentors_get_no_reports(signed_in, people, role):
    browser = signed_in(role)
    assert browser.get(f"/organizations/{people.organization_a}/report.pdf").status_code == 404
    assert browser.get(f"/projects/{people.mine.project}/summary.pdf").status_code == 404


@pytest.mark.parametrize("year", ["abc", "1999", "20260", "2026-01"])
def test_a_bad_year_is_a_400_page_not_an_error(signed_in, people, year):
    response = signed_in("coordinator").get(
        f"/organizations/{people.organization_a}/report.pdf?year={year}"
    )
    assert response.status_code == 400
    assert response.template.name == "error.html"
    assert response.headers["content-type"].startswith("text/html")


def test_a_bad_year_on_someone_elses_organization_is_still_a_404(signed_in, people):
    partner = signed_in("partner")
    response = partner.get(f"/organizations/{people.organization_b}/report.pdf?year=abc")
    assert response.status_code == 404


def test_a_missing_organization_is_a_404(signed_in):
    assert signed_in("coordinator").get("/organizations/999/report.pdf").status_code == 404


def test_an_empty_year_still_makes_a_report(signed_in, people):
    run(Activity.delete(force=True))
    run(WorkPlan.delete(force=True))
    response = signed_in("coordinator").get(
        f"/organizations/{people.organization_a}/report.pdf?year=2001"
    )
    assert response.status_code == 200
    text, _ = pdf_text(response)
    assert "2001" in text


def test_the_organization_page_links_to_its_report(browser, signed_in, people):
    page = signed_in("partner").get(f"/organizations/{people.organization_a}")
    soup = browser.soup(page)
    link = soup.select_one("#organization-report a")
    assert link["href"].endswith(f"/organizations/{people.organization_a}/report.pdf")
    form = soup.select_one("form#organization-report")
    assert form["method"] == "get" and form["action"] == link["href"]
    year = form.select_one("input[name=year]")
    assert soup.select_one(f"label[for={year['id']}]")


def test_the_report_runs_the_same_queries_whatever_the_year_holds(signed_in, people, monkeypatch):
    coordinator = signed_in("coordinator")
    url = f"/organizations/{people.organization_a}/report.pdf?year=2026"
    queries = request_queries(monkeypatch)
    coordinator.get(url)
    few = len(queries)
    for n in range(6):
        year_of_activity(people.organization_a, 2026, f"活动{n}", [people.student_id])
        plan_with_items(people.organization_a, 2026, f"计划{n}", done=1, open_=2)
    queries.clear()
    assert coordinator.get(url).status_code == 200
    assert len(queries) == few


# --- the project's summary -------------------------------------------------------------------


def test_the_coordinator_downloads_a_projects_summary(signed_in, people):
    run(Project.update({Project.name: "数控技术订单班"}).where(Project.id == people.mine.project))
    run(Student.update({Student.name: "王晓明"}).where(Student.id == people.student_id))
    mentor = people.mine.enterprise_mentor
    make_log(
        people.mine.assignment,
        mentor,
        held_on=datetime.date(2026, 9, 3),
        hours=decimal.Decimal("1.5"),
    )
    make_evaluation(people.mine.assignment, mentor, political=70)
    response = signed_in("coordinator").get(f"/projects/{people.mine.project}/summary.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    save(response, "project-summary.pdf")
    text, fonts = pdf_text(response)
    assert has_cjk_font(fonts), fonts
    assert "数控技术订单班" in text
    assert "王晓明" in text
    student_no = run(
        Student.select(Student.student_no).where(Student.id == people.student_id).first()
    )
    assert student_no["student_no"] in text
    assert "3.5" in text  # the fixture's 2-hour log and the 1.5 above
    assert "2026-09" in text and "2026-10" in text  # logs per month
    assert "80.0" in text  # political: the college mentor's 90 and the enterprise mentor's 70


def test_a_partner_gets_the_summary_of_its_own_projects_only(signed_in, people):
    partner = signed_in("partner")
    assert partner.get(f"/projects/{people.mine.project}/summary.pdf").status_code == 200
    assert partner.get(f"/projects/{people.theirs.project}/summary.pdf").status_code == 404
    assert partner.get("/projects/999/summary.pdf").status_code == 404


def test_a_project_without_members_or_logs_still_has_a_summary(signed_in, people):
    from tests.support import make_project

    project = make_project(people.enterprise_a, kind="research", research_topic="焊接机器人视觉")
    response = signed_in("partner").get(f"/projects/{project}/summary.pdf")
    assert response.status_code == 200
    text, _ = pdf_text(response)
    assert "焊接机器人视觉" in text


def test_the_project_page_links_to_its_summary(browser, signed_in, people):
    page = signed_in("coordinator").get(f"/projects/{people.mine.project}")
    link = browser.soup(page).select_one("#project-summary-pdf")
    assert link["href"].endswith(f"/projects/{people.mine.project}/summary.pdf")
