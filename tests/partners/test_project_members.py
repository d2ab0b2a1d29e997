"""A project page with many members: the members table paged and searchable, the dual-mentor
table limited with a link to the full list, the places taken, and a constant number of queries
whatever the number of members."""

from __future__ import annotations

import datetime

import pytest

from partners.coeducation.tables import Participation
from tests.support import (
    Browser,
    count_queries,
    make_assignment,
    make_mentor,
    make_participation,
    make_project,
    make_student,
    run,
)

D = datetime.date


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


def enroll(project: int, count: int, **student_fields) -> list[int]:
    students = [make_student(**student_fields) for _ in range(count)]
    for student in students:
        make_participation(project, student, kind="enrollment", position="")
    return students


def member_names(response) -> list[str]:
    rows = Browser.soup(response).select("#member-table tbody tr td:first-child a")
    return [a.get_text(strip=True) for a in rows]


def test_members_come_twenty_to_a_page_with_a_link_to_the_next(coordinator, people):
    project = make_project(people.enterprise_a, kind="order_class", capacity=100)
    enroll(project, 24)
    make_participation(project, make_student(), kind="enrollment", status="withdrawn")
    page = coordinator.get(f"/projects/{project}")
    soup = Browser.soup(page)
    assert len(member_names(page)) == 20
    assert soup.select_one("#seats").get_text(strip=True) == "24 / 100"
    links = [a["href"] for a in soup.select("#member-pages a")]
    assert "?members_page=2#members" in links
    second = coordinator.get(f"/projects/{project}?members_page=2")
    assert len(member_names(second)) == 5
    assert Browser.soup(second).select_one("#seats").get_text(strip=True) == "24 / 100"
    everyone = coordinator.get(f"/projects/{project}?members_size=50")
    assert len(member_names(everyone)) == 25 and not Browser.soup(everyone).select("#member-pages")


def test_the_member_search_finds_a_one_character_part_of_a_name(coordinator, people):
    project = make_project(people.enterprise_a, kind="order_class", capacity=100)
    enroll(project, 22)
    make_participation(project, make_student(name="欧阳娜娜", student_no="202499000001"))
    found = coordinator.get(f"/projects/{project}", params={"members_q": "娜"})
    assert member_names(found) == ["欧阳娜娜"]
    assert Browser.soup(found).select_one("#members-q")["value"] == "娜"
    by_number = coordinator.get(f"/projects/{project}", params={"members_q": "99000001"})
    assert member_names(by_number) == ["欧阳娜娜"]
    many = coordinator.get(f"/projects/{project}", params={"members_q": "学生"})
    assert len(member_names(many)) == 20
    next_page = Browser.soup(many).select_one('#member-pages a[rel="next"]')["href"]
    assert "members_q=" in next_page and "members_page=2" in next_page
    none = coordinator.get(f"/projects/{project}", params={"members_q": "不存在"})
    assert member_names(none) == [] and Browser.soup(none).select_one("#members p.empty")


def test_queries_do_not_grow_with_members(coordinator, people, monkeypatch):
    project = make_project(people.enterprise_a, kind="order_class", capacity=200)
    enroll(project, 1)
    queries = count_queries(monkeypatch)
    assert coordinator.get(f"/projects/{project}").status_code == 200
    few = len(queries)
    students = enroll(project, 45)
    for student in students[:25]:
        make_assignment(student, people.mentor_id, people.mine.enterprise_mentor, project=project)
    queries.clear()
    page = coordinator.get(f"/projects/{project}")
    assert len(member_names(page)) == 20
    assert len(queries) == few
    queries.clear()
    coordinator.get(f"/projects/{project}", params={"members_q": "学生", "members_page": "2"})
    assert len(queries) <= few  # the viewer is known by now: one query fewer


def test_the_dual_mentor_table_shows_the_first_twenty_and_links_to_the_rest(coordinator, people):
    project = make_project(people.enterprise_a, kind="order_class", capacity=100)
    mentor = make_mentor(max_mentees=50)
    for day, student in enumerate(enroll(project, 23), start=1):
        make_assignment(
            student,
            mentor,
            people.mine.enterprise_mentor,
            project=project,
            starts_on=D(2026, 9, day),
        )
    soup = Browser.soup(coordinator.get(f"/projects/{project}"))
    assert len(soup.select("#mentors tbody tr")) == 20
    link = soup.select_one("#all-assignments a")["href"]
    assert link == f"http://testserver/mentorships/?project={project}"
    listed = coordinator.get(link)
    assert listed.context["page"].total == 23
    shown = [a.get_text(strip=True) for a in soup.select("#mentors tbody td:first-child a")]
    assert shown == [row.student_name for row in listed.context["page"].rows]


def test_a_partner_s_member_links_go_to_the_record_page(signed_in, people):
    partner = signed_in("partner")
    soup = Browser.soup(partner.get(f"/projects/{people.mine.project}"))
    [link] = soup.select("#member-table tbody td:first-child a")
    assert link["href"] == f"http://testserver/students/{people.student_id}/record"
    edit = soup.select_one(f'#member-{people.mine.participation} a[href$="/edit"]')["href"]
    assert edit.endswith(
        f"/projects/{people.mine.project}/members/{people.mine.participation}/edit"
    )


@pytest.mark.parametrize(
    "starts_on,ends_on,long",
    [
        (D(2026, 8, 31), D(2027, 3, 1), True),  # 31 August + 6 months is 28 February
        (D(2026, 8, 31), D(2027, 2, 28), False),
        # six months counted inclusively (issue 12): 1 September to 28 February
        (D(2026, 9, 1), D(2027, 2, 27), False),
        (D(2026, 9, 1), D(2027, 2, 28), False),
        (D(2026, 9, 1), D(2027, 3, 1), True),
        (D(2026, 3, 1), D(2026, 8, 31), False),
        (D(2026, 3, 1), D(2026, 9, 1), True),
    ],
)
def test_long_placements_are_counted_as_the_rules_count_them(
    coordinator, people, starts_on, ends_on, long
):
    project = make_project(people.enterprise_a)
    placement = make_participation(project, make_student(), starts_on=starts_on, ends_on=ends_on)
    soup = Browser.soup(coordinator.get(f"/projects/{project}"))
    assert bool(soup.select(f"#member-{placement} .overdue")) is long
    assert bool(soup.select_one("#long-placements")) is long


def test_the_page_shows_a_new_member_right_after_the_write(coordinator, people):
    project = make_project(people.enterprise_a, kind="order_class", capacity=5)
    enroll(project, 1)
    seats = Browser.soup(coordinator.get(f"/projects/{project}")).select_one("#seats")
    assert seats.get_text(strip=True) == "1 / 5"
    listed = Browser.soup(coordinator.get("/projects/?kind=order_class")).select(".seats")
    assert [cell.get_text(strip=True) for cell in listed] == ["1 / 5"]
    run(
        Participation.update({Participation.status: "withdrawn"}).where(
            Participation.project == project
        )
    )
    enroll(project, 2)
    seats = Browser.soup(coordinator.get(f"/projects/{project}")).select_one("#seats")
    assert seats.get_text(strip=True) == "2 / 5"
    listed = Browser.soup(coordinator.get("/projects/?kind=order_class")).select(".seats")
    assert [cell.get_text(strip=True) for cell in listed] == ["2 / 5"]


def test_each_member_row_says_which_internship_it_is(coordinator, people):
    project = make_project(people.enterprise_a, kind="order_class", capacity=10)
    visit, older = make_student(), make_student()
    make_participation(project, visit, kind="enrollment", internship_kind="cognitive")
    make_participation(project, older, kind="enrollment", internship_kind="")
    soup = Browser.soup(coordinator.get(f"/projects/{project}"))
    rows = soup.select("#member-table tbody tr")
    kinds = [row.select("td")[3].get_text(strip=True) for row in rows]
    # rows from before kinds were recorded count as 岗位实习, as the rules count them
    assert kinds == ["报名录取 · 认识实习", "报名录取 · 岗位实习"]
