"""The talent pool pages: who sees whom in the pool, its filters, sort orders and pages, a
student's pool page, and a list that runs the same queries whatever the number of students."""

from __future__ import annotations

import pytest

from portal import reads
from portal.auth import Viewer
from portal.sql import Statement
from portal.tables import Role, Student
from talent_pool.pool import PoolFilters, PoolQuery
from talent_pool.queries import pool_count, pool_rows, pool_scope_sql
from tests.portal.test_students import count_queries
from tests.support import make_enterprise, make_student, make_students, run
from tests.talent_pool.pool_factories import (
    consent,
    in_pool,
    make_flag,
    make_score,
    mentee_of,
    page_ids,
    page_rows,
    place,
    pool_student,
    rename,
)


@pytest.fixture
def pool(people):
    """Both of the people's students in the pool, plus one nobody but the coordinator sees."""
    in_pool(people.student_id, 70.0)
    in_pool(people.other_student_id, 90.0)
    consent(people.student_id, people.other_student_id)
    outsider = pool_student(60.0)
    return {"mine": people.student_id, "theirs": people.other_student_id, "outsider": outsider}


# --- who sees whom ---------------------------------------------------------------------------


def test_the_coordinator_sees_every_pool_student_highest_score_first(signed_in, pool):
    assert page_ids(signed_in("coordinator")) == [pool["theirs"], pool["mine"], pool["outsider"]]


def test_a_student_without_a_pool_entry_is_not_listed(signed_in, pool):
    make_student(name="不在库中")
    assert len(page_ids(signed_in("coordinator"))) == 3


def test_a_partner_sees_only_the_students_placed_with_its_enterprise(signed_in, people, pool):
    assert page_ids(signed_in("partner")) == [pool["mine"]]


def test_a_partner_sees_a_student_it_placed_later_but_not_one_of_another_enterprise(
    signed_in, people, pool
):
    placed = pool_student(50.0)
    place(placed, people.enterprise_a)
    elsewhere = pool_student(95.0)
    place(elsewhere, people.enterprise_b)
    assert page_ids(signed_in("partner")) == [pool["mine"], placed]


def test_a_mentor_sees_only_their_mentees(signed_in, people, pool):
    mentee = pool_student(99.0)
    mentee_of(mentee, people.mentor_id, people.enterprise_b)
    assert page_ids(signed_in("mentor")) == [mentee, pool["mine"]]


def test_a_student_cannot_open_the_pool(signed_in, people, pool):
    student = signed_in("student")
    assert student.get("/talent-pool/").status_code == 404
    assert student.get(f"/talent-pool/{people.other_student_id}").status_code == 404
    assert student.get(f"/talent-pool/{people.student_id}").status_code == 404


def test_the_signed_out_are_sent_to_sign_in(signed_in, pool):
    response = signed_in("anonymous").get("/talent-pool/?status=pooled")
    assert response.status_code == 303
    assert "/login?next=" in response.headers["location"]


def test_the_pool_scope_rules(people):
    """pool_scope_sql is the record scope (for a partner, of students who consent), and
    nobody for a student."""
    in_pool(people.student_id)
    in_pool(people.other_student_id)
    consent(people.student_id, people.other_student_id)

    def ids(role: Role, **links) -> set[int]:
        viewer = Viewer(1, "x", role, "", "token", **links)
        scope, params = pool_scope_sql(viewer, "s.id")
        statement = Statement(f"SELECT s.id FROM portal_student s WHERE {scope}")
        return {row[0] for row in run(reads.fetch(statement, **params))}

    everyone = {people.student_id, people.other_student_id}
    assert ids(Role.coordinator) == everyone
    assert ids(Role.partner, enterprise_id=people.enterprise_a) == {people.student_id}
    assert ids(Role.partner, enterprise_id=people.enterprise_b) == {people.other_student_id}
    assert ids(Role.mentor, mentor_id=people.mentor_id) == {people.student_id}
    assert ids(Role.student, student_id=people.student_id) == set()


# --- rows ------------------------------------------------------------------------------------


def test_each_row_shows_the_student_the_status_the_score_and_the_reasons(signed_in, people):
    rename(people.student_id, "王晓明")
    in_pool(people.student_id, 83.26, status="flagged")
    make_flag(people.student_id, "nomination", reason="实训表现突出，主动承担班组任务")
    response = signed_in("coordinator").get("/talent-pool/")
    soup = signed_in("coordinator").soup(response)
    row = soup.select_one(f'#pool tbody tr[data-student-id="{people.student_id}"]')
    link = row.select_one("a")
    assert link.get_text(strip=True) == "王晓明"
    assert link["href"].endswith(f"/talent-pool/{people.student_id}")
    text = row.get_text(" ", strip=True)
    assert "83.3" in text
    assert "实训表现突出，主动承担班组任务" in text
    assert response.template.name == "talent_pool/pool_list.html"
    assert response.context["page"].rows[0].reasons


def test_a_student_without_a_score_yet_shows_zero(signed_in, people):
    in_pool(people.student_id, None)
    rows = page_rows(signed_in("coordinator"))
    assert rows[0][8] == "0.0"


def test_the_reasons_are_looked_up_once_for_the_whole_page(signed_in, monkeypatch, people):
    for index in range(5):
        make_flag(pool_student(50.0), "nomination", reason=f"理由{index}")
    queries = count_queries(monkeypatch)
    response = signed_in("coordinator").get("/talent-pool/")
    assert len([sql for sql in queries if "talent_pool_flag" in sql]) == 1
    rows = response.context["page"].rows
    assert len(rows) == 5 and all(len(row.reasons) == 1 for row in rows)


# --- filters ---------------------------------------------------------------------------------


def test_declined_students_show_only_when_filtered_for(signed_in, pool):
    declined = pool_student(99.0, status="declined")
    coordinator = signed_in("coordinator")
    assert declined not in page_ids(coordinator)
    assert page_ids(coordinator, "?status=declined") == [declined]


@pytest.mark.parametrize("status", ["flagged", "watching", "pooled"])
def test_the_status_filter(signed_in, status):
    ids = {code: pool_student(50.0, status=code) for code in ("flagged", "watching", "pooled")}
    assert page_ids(signed_in("coordinator"), f"?status={status}") == [ids[status]]


def test_search_by_name_or_student_number(signed_in):
    wang = pool_student(50.0, name="王晓明", student_no="2024990001")
    li = pool_student(60.0, name="李华", student_no="2024990002")
    coordinator = signed_in("coordinator")
    assert page_ids(coordinator, "?q=晓明") == [wang]
    assert page_ids(coordinator, "?q=990002") == [li]
    assert page_ids(coordinator, "?q=2024990") == [li, wang]


def test_search_finds_one_and_two_character_names(signed_in):
    wang = pool_student(50.0, name="王")
    wang_fang = pool_student(60.0, name="王芳")
    li_fang = pool_student(70.0, name="李芳")
    coordinator = signed_in("coordinator")
    assert page_ids(coordinator, "?q=王") == [wang_fang, wang]
    assert page_ids(coordinator, "?q=芳") == [li_fang, wang_fang]
    assert page_ids(coordinator, "?q=王芳") == [wang_fang]
    assert page_ids(coordinator, "?q=王芳芳") == []


def test_a_search_reads_the_name_index_instead_of_every_student(signed_in, monkeypatch):
    pool_student(50.0, name="王芳")
    coordinator = signed_in("coordinator")
    queries = count_queries(monkeypatch)
    response = coordinator.get("/talent-pool/?q=王芳")
    assert response.context["page"].total == 1
    searched = [sql for sql in queries if "portal_search_term" in sql]
    assert len(searched) == 2  # the page and its count
    assert not [sql for sql in queries if "LIKE" in sql.upper()]


def test_a_new_pool_student_shows_at_once_with_new_filter_choices(signed_in):
    pool_student(50.0, department="甲学院")
    coordinator = signed_in("coordinator")
    first = coordinator.get("/talent-pool/")
    assert coordinator.get("/talent-pool/").text == first.text  # kept until a write
    added = pool_student(60.0, department="乙学院")
    after = coordinator.get("/talent-pool/")
    assert after.context["page"].total == first.context["page"].total + 1
    assert "乙学院" in after.context["options"]["department"]
    assert page_ids(coordinator)[0] == added


def test_filter_by_cohort_department_major_and_political_status(signed_in):
    target = pool_student(
        50.0, cohort_year=2023, department="健康护理学院", major="护理", political_status="01"
    )
    pool_student(60.0)
    coordinator = signed_in("coordinator")
    for query in (
        "?cohort_year=2023",
        "?department=健康护理学院",
        "?major=护理",
        "?political_status=01",
    ):
        assert page_ids(coordinator, query) == [target], query


def test_filter_by_project(signed_in, people, pool):
    project = place(pool["outsider"], people.enterprise_b)
    assert page_ids(signed_in("coordinator"), f"?project={project}") == [pool["outsider"]]
    assert page_ids(signed_in("coordinator"), f"?project={people.mine.project}") == [pool["mine"]]


def test_a_partner_cannot_filter_by_another_enterprises_project(signed_in, people, pool):
    """partner_a's student also joins enterprise_b's project: the partner learns nothing."""
    place(pool["mine"], people.enterprise_b)
    other = people.theirs.project
    assert page_ids(signed_in("coordinator"), f"?project={other}") == [pool["theirs"]]
    assert page_ids(signed_in("partner"), f"?project={other}") == []


def test_filter_by_enterprise_for_coordinators_only(signed_in, people, pool):
    coordinator = signed_in("coordinator")
    assert page_ids(coordinator, f"?enterprise={people.enterprise_b}") == [pool["theirs"]]
    assert page_ids(coordinator, f"?enterprise={make_enterprise()}") == []
    # a partner's view is already its own enterprise: the parameter is ignored
    assert page_ids(signed_in("partner"), f"?enterprise={people.enterprise_b}") == [pool["mine"]]


def test_filter_by_stage(signed_in):
    applicant = pool_student(50.0, entry={"stage": "applicant"})
    activist = pool_student(60.0, entry={"stage": "activist"})
    not_applied = pool_student(70.0)
    coordinator = signed_in("coordinator")
    assert page_ids(coordinator, "?stage=applicant") == [applicant]
    assert page_ids(coordinator, "?stage=activist") == [activist]
    assert page_ids(coordinator, "?stage=none") == [not_applied]


def test_unknown_filter_values_are_ignored(signed_in, pool):
    coordinator = signed_in("coordinator")
    everyone = page_ids(coordinator)
    query = "?status=nonsense&stage=x&political_status=99&cohort_year=abc&project=x&sort=evil"
    assert page_ids(coordinator, query) == everyone


def test_the_filter_choices_come_from_the_pool_the_viewer_sees(signed_in, people, pool):
    run(Student.update({Student.department: "外院"}).where(Student.id == pool["theirs"]))
    coordinator = signed_in("coordinator").get("/talent-pool/").context["options"]
    partner = signed_in("partner").get("/talent-pool/").context["options"]
    assert "外院" in coordinator["department"]
    assert "外院" not in partner["department"]
    assert [row.id for row in partner["project"]] == [people.mine.project]
    assert partner["enterprise"] == []
    soup = signed_in("partner").soup(signed_in("partner").get("/talent-pool/"))
    assert soup.select_one("select#enterprise") is None
    assert soup.select_one("select#project") is not None


def test_empty_states(signed_in, pool):
    coordinator = signed_in("coordinator")
    nothing = coordinator.get("/talent-pool/?q=没有这个人")
    assert coordinator.soup(nothing).select_one("p.empty a") is not None  # clear the filters
    assert coordinator.soup(nothing).select_one("#pool") is None


def test_the_empty_pool(signed_in, people):
    coordinator = signed_in("coordinator")
    response = coordinator.get("/talent-pool/")
    assert response.status_code == 200
    assert coordinator.soup(response).select_one("#pool") is None
    assert coordinator.soup(response).select_one("p.empty") is not None
    assert response.context["page"].total == 0


def test_the_export_links_carry_the_filters_and_the_sort(signed_in, pool):
    coordinator = signed_in("coordinator")
    response = coordinator.get("/talent-pool/?department=智能制造学院&sort=name")
    soup = coordinator.soup(response)
    xlsx = 'a[href*="/talent-pool/export.xlsx"]'
    for selector, path in ((xlsx, "export.xlsx"), ("#export-pdf", "roster.pdf")):
        href = soup.select_one(selector)["href"]
        assert f"/talent-pool/{path}?" in href
        assert "sort=name" in href and "department=" in href


# --- sorting and pages -----------------------------------------------------------------------


def test_sorting_by_score_both_ways_with_ties_in_student_number_order(signed_in):
    a = pool_student(80.0, student_no="2024000003")
    b = pool_student(80.0, student_no="2024000001")
    c = pool_student(90.0, student_no="2024000002")
    d = pool_student(70.0, student_no="2024000004")
    coordinator = signed_in("coordinator")
    assert page_ids(coordinator) == [c, b, a, d]
    assert page_ids(coordinator, "?sort=-score") == [c, b, a, d]
    assert page_ids(coordinator, "?sort=score") == [d, b, a, c]


def test_sorting_by_name_cohort_status_and_stage(signed_in):
    a = pool_student(50.0, name="Student A", cohort_year=2022, status="watching")
    b = pool_student(60.0, name="Student B", cohort_year=2024, entry={"stage": "activist"})
    c = pool_student(70.0, name="Student C", cohort_year=2023, status="flagged")
    coordinator = signed_in("coordinator")
    assert page_ids(coordinator, "?sort=name") == [a, b, c]
    assert page_ids(coordinator, "?sort=-name") == [c, b, a]
    assert page_ids(coordinator, "?sort=cohort_year") == [a, c, b]
    assert page_ids(coordinator, "?sort=status") == [c, a, b]  # flagged, watching, pooled
    assert page_ids(coordinator, "?sort=-stage") == [b, c, a]  # activist, then by score


def test_the_pool_is_paginated(signed_in):
    ids = [pool_student(float(score)) for score in range(25)]
    coordinator = signed_in("coordinator")
    response = coordinator.get("/talent-pool/?page=2")
    assert response.context["page"].total == 25
    first, second = page_ids(coordinator), page_ids(coordinator, "?page=2")
    assert first == list(reversed(ids))[:20]
    assert second == list(reversed(ids))[20:]
    assert coordinator.soup(response).select_one('.pagination a[rel="prev"]') is not None


def test_the_list_runs_the_same_queries_whatever_the_row_count(signed_in, people, monkeypatch):
    in_pool(people.student_id)
    make_flag(people.student_id)
    coordinator = signed_in("coordinator")
    queries = count_queries(monkeypatch)
    coordinator.get("/talent-pool/")
    few = len(queries)
    for index in range(40):
        student_id = pool_student(float(index), department=f"学院{index % 7}")
        make_flag(student_id, "nomination", reason="推荐")
        make_flag(student_id, "threshold")
        place(student_id, people.enterprise_a)
    make_students(30)
    queries.clear()
    response = coordinator.get("/talent-pool/")
    assert len(response.context["page"].rows) == 20
    assert len(queries) == few
    assert few <= 4  # the viewer, the count, the filters' choices, the rows with their flags


def test_the_query_lists_the_same_students_as_the_page_in_the_same_order(people, pool):
    """The exports read the pool without a page: the same rows as the pages joined."""
    viewer = Viewer(1, "coord", Role.coordinator, "", "t")
    query = PoolQuery(viewer, PoolFilters(), PoolQuery.from_query({}, viewer).sort)
    rows = run(pool_rows(query))
    assert [row.student_id for row in rows] == [pool["theirs"], pool["mine"], pool["outsider"]]
    assert run(pool_count(query)) == 3


# --- a student's pool page -------------------------------------------------------------------


def test_the_coordinator_opens_a_pool_students_page(signed_in, people, pool):
    make_flag(people.student_id, "nomination", reason="实训表现突出")
    response = signed_in("coordinator").get(f"/talent-pool/{people.student_id}")
    assert response.status_code == 200
    assert response.template.name == "talent_pool/student_page.html"
    assert response.context["entry"]["status"] == "pooled"
    soup = signed_in("coordinator").soup(response)
    record = soup.select_one("a#record-link")
    assert record["href"].endswith(f"/students/{people.student_id}")
    # the score, the flags with their reviews and the pipeline file are all on the page
    assert soup.select_one("section.score-card") is not None
    assert soup.select_one(".flags .flag-reason").get_text(strip=True) == "实训表现突出"
    assert soup.select_one("section.pipeline") is not None


def test_the_coordinator_opens_a_student_who_is_not_in_the_pool(signed_in, people):
    outside = make_student(name="未入库学生")
    make_score(outside, 42.0)
    response = signed_in("coordinator").get(f"/talent-pool/{outside}")
    assert response.status_code == 200
    assert response.context["entry"] is None
    soup = signed_in("coordinator").soup(response)
    assert soup.select_one("h1").get_text(" ", strip=True).startswith("未入库学生")
    nominate = soup.select_one(".not-in-pool a")
    assert nominate["href"].endswith(f"/talent-pool/{outside}/nominate")
    assert response.context["score"]["total"] == 42.0


def test_a_partner_opens_its_students_page_but_not_another(signed_in, people, pool):
    partner = signed_in("partner")
    response = partner.get(f"/talent-pool/{people.student_id}")
    assert response.status_code == 200
    record = partner.soup(response).select_one("a#record-link")
    assert record["href"].endswith(f"/students/{people.student_id}/record")
    assert partner.get(f"/talent-pool/{people.other_student_id}").status_code == 404
    assert partner.get(f"/talent-pool/{pool['outsider']}").status_code == 404
    assert partner.get("/talent-pool/999999").status_code == 404


def test_a_mentor_opens_a_mentees_page_but_not_another(signed_in, people, pool):
    mentor = signed_in("mentor")
    assert mentor.get(f"/talent-pool/{people.student_id}").status_code == 200
    assert mentor.get(f"/talent-pool/{people.other_student_id}").status_code == 404


def test_the_student_page_links_back_to_the_pool(signed_in, people, pool):
    coordinator = signed_in("coordinator")
    soup = coordinator.soup(coordinator.get(f"/talent-pool/{people.student_id}"))
    assert soup.select_one('.crumbs a[href$="/talent-pool/"]') is not None


def test_pool_filters_are_read_leniently():
    viewer = Viewer(1, "p", Role.partner, "", "t", enterprise_id=3)
    filters = PoolFilters.from_query(
        {"q": "  王 ", "enterprise": "5", "cohort_year": "2024", "stage": "activist"}, viewer
    )
    assert filters.q == "王"
    assert filters.enterprise is None  # partners are already confined to their enterprise
    assert filters.cohort_year == 2024 and filters.stage == "activist"
    assert PoolFilters.from_query({"cohort_year": "99999999999"}, viewer).cohort_year is None
    assert not PoolFilters().active and filters.active
