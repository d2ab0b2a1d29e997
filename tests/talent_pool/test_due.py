"""What is due in the recruitment files: kept in step with the events, listed for everyone in
the pipeline (sorted, filtered, paginated, overdue said in words), on the dashboard widget,
and scoped like the files themselves."""

from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup

from portal.dates import add_months
from portal.tables import Student
from talent_pool.queries import due_summary
from talent_pool.tables import DueItem
from tests.support import make_student, make_students, run
from tests.talent_pool.pipeline_support import (
    due_of,
    file_until,
    pool,
    record,
    render_template,
    story_date,
    story_start,
    viewer_of,
)
from tests.talent_pool.pool_factories import consent

TODAY = datetime.date.today()


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def rows_of(response) -> list[dict]:
    soup = BeautifulSoup(response.text, "html.parser")
    return [
        {
            "student": int(tr["data-student"]),
            "kind": tr["data-kind"],
            "due": tr["data-due"],
            "overdue": "overdue" in (tr.get("class") or []),
            "status": tr.select("td")[-1].get_text(strip=True),
            "marked": bool(tr.select_one(".overdue-mark")),
            "link": tr.select_one("a")["href"],
        }
        for tr in soup.select("#due-table tbody tr")
    ]


def due_item(student_id: int, kind: str, due_on: datetime.date) -> None:
    run(DueItem.insert(DueItem(student=student_id, kind=kind, due_on=due_on)))


# --- kept in step with the events ----------------------------------------------------------


def test_due_items_follow_the_file_through_the_first_stages(people):
    student = people.student_id
    start = story_start(TODAY)
    activist = story_date(start, 1, 15)
    file_until(student, "application")
    assert due_of(student) == [("talk", add_months(start, 1))]
    record(student, "talk", story_date(start, 0, 17))
    assert due_of(student) == []
    record(student, "activist", activist, recommended_by="league", decided_by="支部委员会")
    assert due_of(student) == [
        ("activist_filing", activist),
        ("review", add_months(activist, 6)),
        ("development_target_eligible", add_months(activist, 12)),
    ]
    record(student, "activist_filing", activist + datetime.timedelta(days=3))
    assert [kind for kind, _day in due_of(student)] == ["review", "development_target_eligible"]
    review = story_date(start, 2, 1)
    record(student, "review", review)
    assert due_of(student)[0] == ("review", add_months(review, 6))


def test_due_items_at_probation(people):
    student = people.student_id
    meeting = story_date(story_start(TODAY), 16, 15)
    file_until(student, "branch_meeting")
    assert due_of(student) == [
        ("approval", add_months(meeting, 3)),
        ("approval_latest", add_months(meeting, 6)),
        ("probation_end", add_months(meeting, 12)),
    ]
    record(student, "approval", story_date(story_start(TODAY), 17, 15), decided_by="学院党委")
    assert due_of(student) == [("probation_end", add_months(meeting, 12))]
    record(student, "extension", add_months(meeting, 12), months=6)
    assert due_of(student) == [("probation_end", add_months(meeting, 18))]


def test_an_unfiled_development_target_is_due_for_filing_from_the_decision(people):
    student = people.student_id
    file_until(student, "development_target")
    decided = story_date(story_start(TODAY), 13, 15)
    assert due_of(student) == [("target_filing", decided)]
    record(student, "target_filing", decided + datetime.timedelta(days=1))
    assert due_of(student) == []


def test_a_filed_development_target_and_a_full_member_have_nothing_due(people):
    file_until(people.student_id, "target_filing")
    assert due_of(people.student_id) == []
    file_until(people.other_student_id, "conversion")
    assert due_of(people.other_student_id) == []


# --- the due list --------------------------------------------------------------------------


def test_the_due_list_is_soonest_first_with_overdue_said_in_words(coordinator, people):
    a, b, c = people.student_id, people.other_student_id, make_student(name="张三")
    for student in (a, b, c):
        pool(student)
    due_item(a, "review", TODAY + datetime.timedelta(days=10))
    due_item(b, "talk", TODAY - datetime.timedelta(days=5))
    due_item(c, "approval", TODAY)
    response = coordinator.get("/talent-pool/due")
    assert response.status_code == 200
    assert response.template.name == "talent_pool/due_list.html"
    rows = rows_of(response)
    assert [row["student"] for row in rows] == [b, c, a]
    assert [row["overdue"] for row in rows] == [True, False, False]
    assert rows[0]["marked"] and "5" in rows[0]["status"]
    assert not rows[1]["marked"] and not rows[2]["marked"]
    assert rows[0]["link"].endswith(f"/talent-pool/{b}")


def test_the_due_list_sorts_by_date_descending_and_by_name(coordinator):
    names = ["王五", "李四", "赵六"]
    ids = [make_student(name=name) for name in names]
    for offset, student in enumerate(ids):
        due_item(student, "review", TODAY + datetime.timedelta(days=offset))
    newest = rows_of(coordinator.get("/talent-pool/due?sort=-due_on"))
    assert [row["student"] for row in newest] == list(reversed(ids))
    by_name = coordinator.get("/talent-pool/due?sort=name")
    assert by_name.context["sort"].key == "name"
    expected = [i for _, i in sorted(zip(names, ids, strict=True))]
    assert [row["student"] for row in rows_of(by_name)] == expected


def test_the_due_list_filters_by_kind_overdue_and_name(coordinator, people):
    a, b = people.student_id, people.other_student_id
    due_item(a, "review", TODAY - datetime.timedelta(days=1))
    due_item(a, "development_target_eligible", TODAY + datetime.timedelta(days=40))
    due_item(b, "talk", TODAY + datetime.timedelta(days=3))
    assert [r["kind"] for r in rows_of(coordinator.get("/talent-pool/due?kind=talk"))] == ["talk"]
    overdue = rows_of(coordinator.get("/talent-pool/due?overdue=1"))
    assert [(r["student"], r["kind"]) for r in overdue] == [(a, "review")]
    name = run(Student.select(Student.name).where(Student.id == b).first())["name"]
    found = rows_of(coordinator.get(f"/talent-pool/due?q={name}"))
    assert {r["student"] for r in found} == {b}
    empty = coordinator.get("/talent-pool/due?kind=approval")
    assert rows_of(empty) == []
    assert BeautifulSoup(empty.text, "html.parser").select_one("p.empty")


def test_the_due_list_is_paginated_keeping_the_filters(coordinator):
    make_students(25)
    ids = [row["id"] for row in run(Student.select(Student.id).order_by(Student.id))]
    for offset, student in enumerate(ids):
        due_item(student, "review", TODAY + datetime.timedelta(days=offset))
    first = coordinator.get("/talent-pool/due?kind=review")
    assert len(rows_of(first)) == 20
    links = [a["href"] for a in BeautifulSoup(first.text, "html.parser").select(".pagination a")]
    assert any("page=2" in href and "kind=review" in href for href in links)
    second = coordinator.get("/talent-pool/due?kind=review&page=2")
    assert [row["student"] for row in rows_of(second)] == ids[20:]


def test_the_due_list_runs_the_same_queries_whatever_the_row_count(coordinator, monkeypatch):
    from tests.portal.test_students import count_queries

    make_students(3)
    ids = [row["id"] for row in run(Student.select(Student.id))]
    for student in ids:
        pool(student)
        due_item(student, "review", TODAY)
    queries = count_queries(monkeypatch)
    coordinator.get("/talent-pool/due")
    few = len(queries)
    make_students(40)
    more = [row["id"] for row in run(Student.select(Student.id).where(Student.id.not_in(ids)))]
    for student in more:
        pool(student)
        due_item(student, "talk", TODAY)
    queries.clear()
    coordinator.get("/talent-pool/due")
    assert len(queries) == few


@pytest.mark.parametrize("role", ["partner", "mentor"])
def test_partners_and_mentors_see_only_their_students_due(signed_in, people, role):
    consent(people.student_id, people.other_student_id)
    due_item(people.student_id, "review", TODAY)
    due_item(people.other_student_id, "talk", TODAY)
    response = signed_in(role).get("/talent-pool/due")
    assert response.status_code == 200
    assert [row["student"] for row in rows_of(response)] == [people.student_id]


def test_a_student_has_no_due_list(signed_in):
    assert signed_in("student").get("/talent-pool/due").status_code == 404


# --- the dashboard widget ------------------------------------------------------------------


def test_the_due_summary_counts_overdue_and_the_next_thirty_days(coordinator, people):
    a, b = people.student_id, people.other_student_id
    due_item(a, "review", TODAY - datetime.timedelta(days=1))
    due_item(a, "talk", TODAY)
    due_item(b, "approval", TODAY + datetime.timedelta(days=30))
    due_item(b, "probation_end", TODAY + datetime.timedelta(days=31))
    summary = run(due_summary(viewer_of(coordinator), TODAY))
    assert (summary.overdue, summary.due_soon) == (1, 2)
    assert [row.kind for row in summary.rows] == ["review", "talk", "approval"]
    assert [row.overdue for row in summary.rows] == [True, False, False]
    limited = run(due_summary(viewer_of(coordinator), TODAY, limit=2))
    assert len(limited.rows) == 2 and (limited.overdue, limited.due_soon) == (1, 2)


def test_the_due_summary_of_a_partner_is_scoped(signed_in, people):
    consent(people.student_id, people.other_student_id)
    due_item(people.student_id, "review", TODAY - datetime.timedelta(days=1))
    due_item(people.other_student_id, "talk", TODAY - datetime.timedelta(days=1))
    summary = run(due_summary(viewer_of(signed_in("partner")), TODAY))
    assert summary.overdue == 1
    assert [row.student_id for row in summary.rows] == [people.student_id]


def test_the_due_widget_renders_counts_rows_and_the_link(coordinator, people):
    due_item(people.student_id, "review", TODAY - datetime.timedelta(days=2))
    summary = run(due_summary(viewer_of(coordinator), TODAY))
    html = render_template("talent_pool/_due_widget.html", due_summary=summary)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("#due-overdue-count").get_text() == "1"
    assert soup.select_one("tr.overdue .overdue-mark")
    assert any(a["href"].endswith("/talent-pool/due") for a in soup.select("a"))
