"""The dashboards as each role uses them day to day: a coordinator's fits in about two screens
(the ten most urgent students needing attention, with a link to all of them), and a partner's
shows what its enterprise acts on — its placements, mentors, its organizations' activities,
plan items due and an agreement running out — and nothing of another enterprise."""

from __future__ import annotations

import datetime

from partners.coeducation.tables import MentorAssignment, Participation
from partners.dashboard_enterprise import (
    CurrentPlacements,
    current_placements,
    enterprise_mentors,
    organization_activities,
    plan_items_due,
)
from partners.organizations.tables import WorkPlanItem
from portal.auth import Viewer
from portal.tables import Role
from tests.partners.test_dashboard import add_agreement, add_item
from tests.portal.test_dashboard_charts import add_activity, request_queries
from tests.support import (
    Browser,
    make_assignment,
    make_mentor,
    make_participation,
    make_project,
    make_student,
    run,
)

TODAY = datetime.date.today()
LONG_AGO = TODAY - datetime.timedelta(days=90)


def students_needing_attention(people, count: int, enterprise: str = "a") -> list[int]:
    """``count`` students with dual mentors (in enterprise a's or b's project) and no
    mentoring log, whose assignments began 90 days ago and a day apart (the first waits
    longest)."""
    side = people.mine if enterprise == "a" else people.theirs
    enterprise_id = people.enterprise_a if enterprise == "a" else people.enterprise_b
    mentor = make_mentor(side="enterprise", enterprise=enterprise_id, department="", max_mentees=99)
    college_mentor = make_mentor(max_mentees=99)
    assignments = []
    for n in range(count):
        student = make_student(name=f"待关注{enterprise}{n:02d}")
        starts_on = LONG_AGO + datetime.timedelta(days=n)
        assignments.append(
            make_assignment(
                student, college_mentor, mentor, project=side.project, starts_on=starts_on
            )
        )
    return assignments


def attention_rows(response) -> list[str]:
    soup = Browser.soup(response)
    return [a.get_text(strip=True) for a in soup.select("#attention-table tbody td:first-child a")]


# --- the coordinator -------------------------------------------------------------------------


def test_a_coordinator_sees_the_ten_most_urgent_and_a_link_to_all(signed_in, people):
    mine = students_needing_attention(people, 14)
    theirs = students_needing_attention(people, 9, enterprise="b")
    total = 14 + 9 + 2  # and the two assignments of people, last logged in 2026-10
    page = signed_in("coordinator").get("/")
    soup = Browser.soup(page)
    rows = soup.select("#attention-rows tbody tr")
    assert len(rows) == 10
    # longest waiting first: the first of each batch began on the same day
    first = rows[0].select_one("a")["href"]
    assert first.endswith(f"/mentorships/{mine[0]}") or first.endswith(f"/mentorships/{theirs[0]}")
    link = soup.select_one("a#attention-all")
    assert link.get_text(strip=True) == f"查看全部（{total}）"
    assert link["href"] == "http://testserver/dashboard/attention"
    assert soup.select_one("#attention .dash-count").get_text() == str(total)

    everything = signed_in("coordinator").get("/dashboard/attention?size=50")
    assert everything.status_code == 200
    assert everything.template.name == "college/attention_list.html"
    names = attention_rows(everything)
    assert len(names) == total and len(set(names)) == total
    days = [int(td.get_text()) for td in Browser.soup(everything).select("#attention-table td.num")]
    assert days == sorted(days, reverse=True)  # the most urgent first


def test_the_full_list_is_paged_and_sorted(signed_in, people):
    students_needing_attention(people, 23)
    coordinator = signed_in("coordinator")
    first = coordinator.get("/dashboard/attention")
    assert len(attention_rows(first)) == 20
    assert first.context["page"].total == 25
    assert Browser.soup(first).select_one("a[rel=next]")["href"].endswith("?page=2")
    second = coordinator.get("/dashboard/attention?page=2")
    assert len(attention_rows(second)) == 5
    assert not set(attention_rows(first)) & set(attention_rows(second))
    by_name = attention_rows(coordinator.get("/dashboard/attention?sort=name&size=100"))
    assert by_name == sorted(by_name) and len(by_name) == 25
    past_the_end = coordinator.get("/dashboard/attention?page=9")
    assert past_the_end.status_code == 200 and past_the_end.context["page"].total == 25
    assert coordinator.get("/dashboard/attention?size=7&sort=nonsense").status_code == 200


def test_with_ten_or_fewer_the_dashboard_shows_them_all(signed_in, people):
    students_needing_attention(people, 3)
    soup = Browser.soup(signed_in("coordinator").get("/"))
    assert len(soup.select("#attention-rows tbody tr")) == 5
    assert soup.select_one("a#attention-all") is None


def test_the_full_list_runs_the_same_queries_whatever_the_data(signed_in, people, monkeypatch):
    coordinator = signed_in("coordinator")
    queries = request_queries(monkeypatch)
    coordinator.get("/dashboard/attention")
    few = len(queries)
    students_needing_attention(people, 30)
    queries.clear()
    coordinator.get("/dashboard/attention?size=50")
    assert len(queries) == few <= 2  # the viewer and the page with its count


# --- the partner and the mentor: their own only ----------------------------------------------


def test_a_partner_and_a_mentor_see_only_their_own_students_needing_attention(signed_in, people):
    mine = students_needing_attention(people, 12)
    students_needing_attention(people, 12, enterprise="b")
    partner = signed_in("partner")
    page = partner.get("/")
    soup = Browser.soup(page)
    assert page.context["attention_total"] == 12 + 1
    assert soup.select_one("a#attention-all").get_text(strip=True) == "查看全部（13）"
    names = attention_rows(partner.get("/dashboard/attention?size=50"))
    assert len(names) == 13 and not any(name.startswith("待关注b") for name in names)
    assert signed_in("mentor").get("/dashboard/attention").context["page"].total == 1
    assert mine


def test_a_student_has_no_attention_list(signed_in, people):
    assert signed_in("student").get("/dashboard/attention").status_code == 404


def placement(enterprise_id: int, project_id: int, name: str, ends_in: int | None, **fields):
    student = make_student(name=name)
    ends_on = None if ends_in is None else TODAY + datetime.timedelta(days=ends_in)
    make_participation(
        project_id,
        student,
        starts_on=TODAY - datetime.timedelta(days=20),
        ends_on=ends_on,
        **fields,
    )
    return student


def test_a_partner_sees_its_placements_ending_soonest_first(signed_in, people):
    base = make_project(people.enterprise_a, name="数控实训基地")
    order_class = make_project(people.enterprise_a, kind="order_class", name="数控订单班")
    placement(people.enterprise_a, base, "晚结束", 100, internship_kind="post")
    placement(people.enterprise_a, base, "快结束", 10, internship_kind="cognitive")
    placement(people.enterprise_a, order_class, "订单班生", None, kind="enrollment")
    placement(people.enterprise_a, base, "已结束", -1)
    placement(people.enterprise_a, base, "已退出", 50, status="withdrawn")
    other = make_project(people.enterprise_b, name="他方实训基地")
    placement(people.enterprise_b, other, "他方学生", 5)

    page = signed_in("partner").get("/")
    soup = Browser.soup(page)
    rows = soup.select("#placements-table tbody tr")
    names = [row.select_one("td a").get_text(strip=True) for row in rows]
    # student1's placement (people.mine) is among them, in the order of its end
    ours = ["快结束", "晚结束", "订单班生"]
    assert [name for name in names if name in ours] == ours
    assert names[-1] == "订单班生"  # open-ended last
    assert "他方学生" not in page.text and "他方实训基地" not in page.text
    assert "已结束" not in names and "已退出" not in names
    soon = next(row for row in rows if "快结束" in row.get_text())
    assert "认识实习" in soon.get_text() and "warning-expiring" in soon["class"]
    later = next(row for row in rows if "晚结束" in row.get_text())
    assert "岗位实习" in later.get_text()
    assert "报名录取" in next(row for row in rows if "订单班生" in row.get_text()).get_text()
    record = soon.select_one("td a")["href"]
    assert record.startswith("http://testserver/students/") and record.endswith("/record")
    assert signed_in("partner").get(record.removeprefix("http://testserver")).status_code == 200
    projects = [a.get_text() for a in soup.select("#placements .dash-more a")]
    assert "数控实训基地" in projects and "数控订单班" in projects
    assert page.context["placements"].ending_soon >= 1


def test_a_partner_sees_its_mentors_with_their_mentees(signed_in, people):
    busy = make_mentor(side="enterprise", enterprise=people.enterprise_a, name="忙导师")
    make_mentor(side="enterprise", enterprise=people.enterprise_a, name="闲导师")
    make_mentor(side="enterprise", enterprise=people.enterprise_b, name="他方导师")
    for _ in range(3):
        make_assignment(make_student(), make_mentor(), busy, project=people.mine.project)
    ended = make_assignment(make_student(), make_mentor(), busy, project=people.mine.project)
    ending = MentorAssignment.update({MentorAssignment.status: "ended"})
    run(ending.where(MentorAssignment.id == ended))
    page = signed_in("partner").get("/")
    rows = Browser.soup(page).select("#mentors-table tbody tr")
    counts = {
        row.select_one("a").get_text(strip=True): row.select_one("td.num").get_text(strip=True)
        for row in rows
    }
    assert counts["忙导师"].startswith("3 /")
    assert counts["闲导师"].startswith("0 /")
    assert "他方导师" not in page.text
    assert list(counts)[0] == "忙导师"
    assert len(counts) == 3  # and the enterprise mentor of student1


def test_a_partner_sees_plan_items_due_activities_and_its_agreement_running_out(signed_in, people):
    run(WorkPlanItem.delete(force=True))
    add_item(people.organization_a, "我方逾期事项", -3)
    add_item(people.organization_a, "我方下周事项", 7)
    add_item(people.organization_a, "我方明年事项", 200)
    add_item(people.organization_a, "我方已完成", -3, done=True)
    add_item(people.organization_b, "他方逾期事项", -3)
    add_agreement(people.organization_a, 20)
    add_agreement(people.organization_b, 10)
    add_activity(people.organization_a, TODAY + datetime.timedelta(days=5), "我方下周活动")
    add_activity(people.organization_a, TODAY - datetime.timedelta(days=5), "我方上周活动")
    add_activity(people.organization_b, TODAY - datetime.timedelta(days=1), "他方活动")

    page = signed_in("partner").get("/")
    soup = Browser.soup(page)
    items = [row.select_one("td").get_text() for row in soup.select("#plan-items-table tbody tr")]
    assert [item.split("王")[0] for item in items] == ["我方逾期事项", "我方下周事项"]
    assert "overdue" in soup.select("#plan-items-table tbody tr")[0]["class"]
    assert soup.select_one("#dashboard-stats a[href='#plan-items'] strong").get_text() == "1"
    warnings = soup.select(".dash-agreement")
    assert len(warnings) == 1 and "还剩 20 天" in warnings[0].get_text()
    link = warnings[0].select_one("a")["href"]
    assert link == f"http://testserver/organizations/{people.organization_a}"
    assert [a.get_text() for a in soup.select("#activities-coming li > a")] == ["我方下周活动"]
    assert "我方上周活动" in soup.select_one("#activities-recent").get_text()
    for theirs in ("他方逾期事项", "他方活动"):
        assert theirs not in page.text
    assert str(people.organization_b) not in [
        a["href"].rsplit("/", 1)[-1] for a in soup.select("a[href*='/organizations/']")
    ]


def test_a_partner_without_placements_or_plans_sees_empty_states(signed_in, people):
    run(WorkPlanItem.delete(force=True))
    soup = Browser.soup(signed_in("partner").get("/"))
    assert soup.select_one("#plan-items .empty")
    assert not soup.select(".dash-agreement")


def test_the_partner_dashboard_keeps_its_charts_folded_away(signed_in, people):
    soup = Browser.soup(signed_in("partner").get("/"))
    details = soup.select_one("details.dash-charts-more")
    assert details is not None and not details.has_attr("open")
    assert details.select_one("figure#chart-activities-figure")


# --- the read layer, without HTTP ------------------------------------------------------------


def partner_viewer(enterprise_id: int | None) -> Viewer:
    return Viewer(
        user_id=0,
        username="p",
        role=Role.partner,
        name="",
        session_token="",
        enterprise_id=enterprise_id,
    )


def test_the_partner_lists_are_kept_to_the_viewers_enterprise(people):
    add_item(people.organization_b, "他方事项", -1)
    add_activity(people.organization_b, TODAY, "他方活动")
    later = TODAY + datetime.timedelta(days=60)
    run(Participation.update({Participation.ends_on: later}, force=True))
    theirs = partner_viewer(people.enterprise_b)
    placements = run(current_placements(theirs, TODAY))
    assert [row.student_id for row in placements.rows] == [people.other_student_id]
    assert [p.project_id for p in placements.projects] == [people.theirs.project]
    mentors = run(enterprise_mentors(theirs)).rows
    assert [m.id for m in mentors] == [people.theirs.enterprise_mentor]
    assert mentors[0].mentees == 1
    assert [a.title for a in run(organization_activities(theirs, TODAY)).coming] == ["他方活动"]
    assert "他方事项" in [item.content for item in run(plan_items_due(theirs, TODAY)).rows]


def test_a_partner_account_without_an_enterprise_sees_nothing(people):
    nobody = partner_viewer(None)
    add_item(people.organization_a, "事项", -1)
    assert run(current_placements(nobody, TODAY)) == CurrentPlacements([], 0, 0, [])
    assert run(enterprise_mentors(nobody)).rows == []
    activities = run(organization_activities(nobody, TODAY))
    assert activities.coming == activities.recent == []
    assert run(plan_items_due(nobody, TODAY)).rows == []
