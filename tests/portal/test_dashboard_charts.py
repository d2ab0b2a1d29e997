"""The dashboards' charts: a coordinator sees the college in numbers, a partner only its own
enterprise's; every chart is drawn from a few grouped queries and comes with its numbers as a
table; the server-side SVG of the same charts for PDFs."""

from __future__ import annotations

import datetime
import decimal
import json

import pytest
from bs4 import BeautifulSoup

from partners.coeducation.tables import Evaluation, MentoringLog
from partners.organizations.tables import Activity
from portal.charts import (
    Chart,
    Series,
    last_months,
    months_between,
    nice_step,
    percent,
    sum_by_month,
    svg_chart,
)
from portal.dates import month_start
from talent_pool.tables import PoolEntry
from tests.support import (
    make_assignment,
    make_evaluation,
    make_log,
    make_mentor,
    make_organization,
    make_participation,
    make_project,
    make_student,
    make_students,
    run,
)

TODAY = datetime.date.today()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = month_start(TODAY, -1)
CHART_KEYS = ["coverage", "projects", "activities", "hours", "evaluations", "funnel"]


def month(day: datetime.date) -> str:
    return f"{day.year}-{day.month:02d}"


def add_pool_entry(student_id: int, status: str = "pooled", stage: str | None = None) -> None:
    entry = PoolEntry(student=student_id, status=status, status_since=TODAY, stage=stage)
    run(PoolEntry.insert(entry))


def add_activity(organization_id: int, held_on: datetime.date, title: str = "主题党日") -> None:
    activity = Activity(
        organization=organization_id, kind="theme_day", title=title, held_on=held_on
    )
    run(Activity.insert(activity))


def placed_student(enterprise_id: int, project_id: int, **fields) -> int:
    """A student placed at the enterprise's project with active dual mentors."""
    student = make_student(**fields)
    make_participation(project_id, student)
    enterprise_mentor = make_mentor(side="enterprise", enterprise=enterprise_id, department="")
    make_assignment(student, make_mentor(), enterprise_mentor, project=project_id)
    return student


class RequestQueries:
    """The queries pages run, counted through the engine (tests.portal.test_students'
    count_queries), leaving out the background PDF-batch worker's: it polls its own table on
    its own schedule while the app runs, whatever page is asked for."""

    BACKGROUND = ('"portal_pdf_batch"',)

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    def __len__(self) -> int:
        return sum(1 for q in self.seen if not any(name in q for name in self.BACKGROUND))

    def clear(self) -> None:
        self.seen.clear()


def request_queries(monkeypatch) -> RequestQueries:
    from tests.portal.test_students import count_queries

    return RequestQueries(count_queries(monkeypatch))


def charts_of(browser) -> dict[str, Chart]:
    response = browser.get("/")
    assert response.status_code == 200
    return response.context["charts"]


# --- the rules behind the charts ------------------------------------------------------------


@pytest.mark.parametrize(
    "day,months,first",
    [
        (datetime.date(2026, 11, 23), 12, datetime.date(2025, 12, 1)),
        (datetime.date(2026, 12, 31), 12, datetime.date(2026, 1, 1)),
        (datetime.date(2027, 1, 1), 12, datetime.date(2026, 2, 1)),
        (datetime.date(2026, 3, 15), 3, datetime.date(2026, 1, 1)),
    ],
)
def test_the_last_months_end_with_this_month(day, months, first):
    shown = last_months(day, months)
    assert len(shown) == months
    assert shown[0] == first
    assert shown[-1] == day.replace(day=1)


def test_months_between_spans_the_years():
    months = months_between(datetime.date(2026, 11, 30), datetime.date(2027, 2, 1))
    assert [month(m) for m in months] == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert months_between(datetime.date(2027, 2, 1), datetime.date(2026, 1, 1)) == []


def test_sums_per_month_ignore_days_outside_the_months():
    months = [datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)]
    rows = [
        {"day": datetime.date(2026, 10, 1), "hours": decimal.Decimal("1.5")},
        {"day": datetime.date(2026, 10, 31), "hours": 2},
        {"day": "2026-11-02", "hours": 0.5},
        {"day": datetime.date(2026, 9, 30), "hours": 100},
        {"day": datetime.date(2026, 12, 1), "hours": 100},
    ]
    assert sum_by_month(rows, months, "day", "hours") == [3.5, 0.5]


def test_a_percentage_of_nothing_is_no_percentage():
    assert percent(2, 3) == 66.7
    assert percent(0, 0) is None


@pytest.mark.parametrize("maximum,step", [(0, 1), (3, 1), (7, 2), (40, 10), (100, 50), (0.4, 0.1)])
def test_axis_steps_are_round(maximum, step):
    assert nice_step(maximum) == pytest.approx(step)


def test_an_svg_chart_escapes_its_labels_and_shows_its_values():
    chart = Chart(
        key="t",
        title="<b>标题</b>",
        category="月份",
        labels=["2026-10", "</svg><script>"],
        series=[Series("a", "学时", [1.5, 3]), Series("b", "次数", [2, 0])],
        decimals=1,
    )
    svg = str(svg_chart(chart))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script>" not in svg and "&lt;/svg&gt;" in svg
    assert "<title>&lt;b&gt;标题&lt;/b&gt;</title>" in svg
    assert ">1.5<" in svg and ">3.0<" in svg
    assert svg.count("<rect") == 3 + 2  # three bars with a value, two legend keys


def test_a_chart_with_only_zeros_is_empty():
    chart = Chart("t", "t", "c", ["a", "b"], [Series("s", "s", [0, None])])
    assert chart.empty
    chart.series[0].values[1] = 1
    assert not chart.empty


# --- the coordinator's dashboard --------------------------------------------------------------


def test_coverage_counts_students_with_an_active_assignment_per_department(signed_in, people):
    project = make_project(people.enterprise_a)
    covered = [
        placed_student(people.enterprise_a, project, department="健康护理学院") for _ in "12"
    ]
    uncovered = make_student(department="健康护理学院")
    ended = make_student(department="健康护理学院")
    make_assignment(ended, make_mentor(), people.mine.enterprise_mentor, status="ended")
    assert len(covered) == 2 and uncovered
    chart = charts_of(signed_in("coordinator"))["coverage"]
    assert chart.values("covered")["健康护理学院"] == 2
    assert chart.values("uncovered")["健康护理学院"] == 2  # the one without and the ended one
    row = next(r for r in chart.rows() if r["label"] == "健康护理学院")
    assert row["cells"][-2:] == ["4", "50.0%"]
    assert chart.values("covered")["智能制造学院"] == 2  # student1 and the other student


def test_three_students_two_covered_is_two_thirds(signed_in, people):
    project = make_project(people.enterprise_a)
    for _ in range(2):
        placed_student(people.enterprise_a, project, department="财经商贸学院")
    make_student(department="财经商贸学院")
    page = signed_in("coordinator").get("/")
    row = next(r for r in page.context["charts"]["coverage"].rows() if r["label"] == "财经商贸学院")
    assert row["cells"] == ["2", "1", "3", "66.7%"]
    assert row["link"].endswith(
        "/students/?department=%E8%B4%A2%E7%BB%8F%E5%95%86%E8%B4%B8%E5%AD%A6%E9%99%A2"
    )
    assert page.context["student_count"] == 2 + 3
    assert page.context["covered_count"] == 2 + 2


def test_projects_are_counted_by_kind_and_status(signed_in, people):
    make_project(people.enterprise_a, kind="order_class", status="planning")
    make_project(people.enterprise_b, kind="research", status="closed")
    chart = charts_of(signed_in("coordinator"))["projects"]
    assert len(chart.labels) == 4
    by_status = {s.key: s.values for s in chart.series}
    # kinds in order: order class, training base, research, workstation
    assert by_status == {
        "planning": [1, 0, 0, 0],
        "active": [0, 2, 0, 0],
        "closed": [0, 0, 1, 0],
    }
    assert [row["cells"][-1] for row in chart.rows()] == ["1", "2", "1", "0"]


def test_activities_and_mentoring_hours_are_summed_per_month(signed_in, people):
    run(Activity.delete(force=True))
    run(MentoringLog.delete(force=True))
    add_activity(people.organization_a, THIS_MONTH)
    add_activity(people.organization_a, THIS_MONTH)
    add_activity(people.organization_b, LAST_MONTH)
    add_activity(people.organization_b, month_start(TODAY, -12))  # thirteen months ago: left out
    mentor = people.mine.enterprise_mentor
    make_log(people.mine.assignment, mentor, held_on=THIS_MONTH, hours=decimal.Decimal("1.5"))
    make_log(people.mine.assignment, mentor, held_on=TODAY, hours=decimal.Decimal("2.0"))
    make_log(people.theirs.assignment, people.theirs.enterprise_mentor, held_on=LAST_MONTH)
    charts = charts_of(signed_in("coordinator"))
    activities = charts["activities"].values("activities")
    assert len(activities) == 12
    assert activities[month(THIS_MONTH)] == 2
    assert activities[month(LAST_MONTH)] == 1
    assert sum(activities.values()) == 3
    hours = charts["hours"].values("hours")
    assert hours[month(THIS_MONTH)] == 3.5
    assert hours[month(LAST_MONTH)] == 2.0
    assert sum(hours.values()) == 5.5
    sessions = {row["label"]: row["cells"][-1] for row in charts["hours"].rows()}
    assert sessions[month(THIS_MONTH)] == "2"


def test_evaluation_averages_per_dimension_by_mentor_side(signed_in, people):
    make_evaluation(people.mine.assignment, people.mine.enterprise_mentor, political=70)
    chart = charts_of(signed_in("coordinator"))["evaluations"]
    assert len(chart.labels) == 5
    political = chart.labels[0]
    assert chart.values("college")[political] == 90.0  # both college evaluations: 90
    assert chart.values("enterprise")[political] == 70.0
    assert chart.rows()[0]["cells"] == ["90.0", "70.0", "83.3"]
    assert chart.max_value == 100


def test_the_funnel_counts_pool_students_by_stage(signed_in, people):
    students = [make_student() for _ in range(6)]
    add_pool_entry(students[0])
    add_pool_entry(students[1])
    add_pool_entry(students[2], stage="applicant")
    add_pool_entry(students[3], stage="activist")
    add_pool_entry(students[4], status="flagged")  # not in the pool yet: not counted
    add_pool_entry(students[5], status="declined")
    chart = charts_of(signed_in("coordinator"))["funnel"]
    assert chart.series[0].values == [2, 1, 1, 0, 0, 0]
    assert chart.horizontal


def test_every_chart_has_a_canvas_its_numbers_and_the_same_numbers_in_a_table(
    browser, signed_in, people
):
    make_evaluation(people.mine.assignment, people.mine.enterprise_mentor)
    add_pool_entry(people.student_id, stage="activist")
    add_activity(people.organization_a, TODAY)
    make_log(people.mine.assignment, people.mentor_id, held_on=TODAY)
    page = signed_in("coordinator").get("/")
    assert list(page.context["charts"]) == CHART_KEYS
    soup = browser.soup(page)
    for key in CHART_KEYS:
        figure = soup.select_one(f"figure.chart#chart-{key}-figure")
        assert figure is not None, key
        assert figure.select_one("figcaption").get_text(strip=True)
        canvas = figure.select_one(f"canvas#chart-{key}[role=img][aria-label]")
        assert canvas is not None and canvas["data-chart"] == f"chart-{key}-data"
        data = json.loads(figure.select_one(f"script#chart-{key}-data").string)
        assert figure.select_one(f"script#chart-{key}-data")["type"] == "application/json"
        table = figure.select_one("details table")
        labels = [th.get_text(strip=True) for th in table.select("tbody th[scope=row]")]
        assert labels == data["labels"]
        chart = page.context["charts"][key]
        for index, dataset in enumerate(data["datasets"]):
            cells = [tr.select("td")[index].get_text(strip=True) for tr in table.select("tbody tr")]
            assert cells == [chart.format(value) for value in dataset["data"]], key
    scripts = [tag["src"] for tag in soup.select("script[src]")]
    library = scripts.index("http://testserver/static/vendor/chartjs/chart-4.6.1.umd.min.js")
    assert scripts.index("http://testserver/static/charts.js") == library + 1
    assert "http://testserver/static/menu.js" in scripts  # the phone menu's button (base.html)
    assert all(tag.has_attr("defer") for tag in soup.select("script[src]"))
    assert not soup.select("[style]"), "the CSP allows no inline style attributes"
    assert all(tag.get("type") == "application/json" for tag in soup.select("script:not([src])"))


def test_the_chart_scripts_are_served(client):
    library = client.get("/static/vendor/chartjs/chart-4.6.1.umd.min.js")
    assert library.status_code == 200 and "Chart.js v4.6.1" in library.text[:200]
    script = client.get("/static/charts.js")
    assert script.status_code == 200 and 'dataset.drawn = "true"' in script.text


def test_an_empty_college_shows_empty_states(signed_in, people):
    run(Activity.delete(force=True))
    run(Evaluation.delete(force=True))
    page = signed_in("coordinator").get("/")
    charts = page.context["charts"]
    assert charts["funnel"].empty and charts["activities"].empty and charts["evaluations"].empty
    soup = BeautifulSoup(page.text, "html.parser")
    funnel = soup.select_one("#chart-funnel-figure")
    assert funnel.select_one("p.empty") and not funnel.select_one("canvas")
    assert soup.select_one("#chart-coverage-figure canvas")  # there are students


def test_expiring_agreements_are_a_table_with_links_and_counts(signed_in, people):
    from tests.partners.test_dashboard import add_agreement

    add_agreement(people.organization_a, 20)
    add_agreement(people.organization_b, -5)
    other = make_organization(people.enterprise_b)
    add_agreement(other, 200)
    page = signed_in("coordinator").get("/")
    assert page.context["agreement_counts"] == {"expired": 1, "expiring": 1}
    rows = BeautifulSoup(page.text, "html.parser").select("#agreements-table tbody tr")
    links = [row.select_one("a")["href"] for row in rows]
    assert links == [
        f"http://testserver/organizations/{people.organization_b}",
        f"http://testserver/organizations/{people.organization_a}",
    ]


# --- the partner's dashboard ----------------------------------------------------------------


def test_a_partner_sees_only_its_own_enterprise_in_the_charts(signed_in, people):
    run(Activity.delete(force=True))
    run(MentoringLog.delete(force=True))
    project_b = make_project(people.enterprise_b, kind="order_class", status="planning")
    for _ in range(3):
        placed_student(people.enterprise_b, project_b, department="他方学院")
    make_student(department="无人学院")  # placed nowhere
    add_activity(people.organization_a, TODAY)
    add_activity(people.organization_b, TODAY)
    add_activity(people.organization_b, TODAY)
    make_log(people.mine.assignment, people.mentor_id, held_on=TODAY, hours=decimal.Decimal("1"))
    make_log(people.theirs.assignment, people.theirs.enterprise_mentor, held_on=TODAY)
    make_evaluation(people.theirs.assignment, people.theirs.enterprise_mentor, political=10)
    add_pool_entry(people.student_id, stage="activist")
    add_pool_entry(people.other_student_id, stage="applicant")
    from tests.talent_pool.pool_factories import consent

    consent(people.student_id)  # a partner's funnel counts only students who consent

    page = signed_in("partner").get("/")
    charts = page.context["charts"]
    coverage = charts["coverage"]
    assert coverage.labels == ["智能制造学院"]
    assert coverage.values("covered") == {"智能制造学院": 1}  # student1 only
    assert coverage.links is None  # a partner has no student list to link to
    assert page.context["student_count"] == 1
    assert {s.key: s.values for s in charts["projects"].series} == {
        "planning": [0, 0, 0, 0],
        "active": [0, 1, 0, 0],
        "closed": [0, 0, 0, 0],
    }
    assert charts["activities"].values("activities")[month(TODAY)] == 1
    assert charts["hours"].values("hours")[month(TODAY)] == 1.0
    evaluations = charts["evaluations"]
    assert evaluations.values("enterprise")[evaluations.labels[0]] is None
    assert evaluations.values("college")[evaluations.labels[0]] == 90.0
    assert charts["funnel"].series[0].values == [0, 0, 1, 0, 0, 0]
    assert "他方学院" not in page.text and "无人学院" not in page.text


def test_the_dashboard_runs_the_same_queries_whatever_the_data(signed_in, people, monkeypatch):
    queries = request_queries(monkeypatch)

    def dashboard_of(role: str):
        """The dashboard as the role sees it (signed in afresh: the browsers share one
        client's cookies) and the queries it ran."""
        browser = signed_in(role)
        queries.clear()
        page = browser.get("/")
        assert page.context["viewer"].role.value == role
        return page, len(queries)

    _page, few_coordinator = dashboard_of("coordinator")
    _page, few_partner = dashboard_of("partner")

    project = make_project(people.enterprise_a, kind="workstation")
    for department in ("甲学院", "乙学院", "丙学院"):
        make_students(5, department=department)
        student = placed_student(people.enterprise_a, project, department=department)
        add_pool_entry(student, stage="probationary")
    for days in range(0, 300, 7):
        day = TODAY - datetime.timedelta(days=days)
        add_activity(people.organization_a, day)
        make_log(people.mine.assignment, people.mentor_id, held_on=day)
    for year in range(2020, 2025):
        term = f"{year}-{year + 1}-1"
        make_evaluation(people.mine.assignment, people.mine.enterprise_mentor, term=term)

    page, many_coordinator = dashboard_of("coordinator")
    assert many_coordinator == few_coordinator
    assert sum(page.context["charts"]["activities"].series[0].values) >= 43
    page, many_partner = dashboard_of("partner")
    assert many_partner == few_partner
    assert page.context["placements"].total == 1 + 3
    # the viewer, then the figures at the top, the partner side (three), the attention and due
    # lists, and the charts (five); for a partner the partner side is its term figures and
    # agreements (two) and its own lists (placements and their projects, mentors, activities,
    # plan items due: five); the coordinator's weekly logs add their completion and queue (two)
    assert few_coordinator <= 14 and few_partner <= 16


def test_a_mentor_sees_no_charts(signed_in, people):
    page = signed_in("mentor").get("/")
    assert page.status_code == 200
    assert "charts" not in page.context
    assert "chart-4.6.1" not in page.text
