"""Every delete, removal, withdrawal and ending asks first, on a page that says what will
change — what goes with it (counted by kind), what stays, what refuses it — with a button
naming the action and the object and a way back. Spoken as the users who see them: the
coordinator, and a partner who sees only its own objects' pages (404 for the others)."""

from __future__ import annotations

import datetime

import pytest

from partners.coeducation.tables import MentorAssignment, Participation, Project
from partners.organizations.tables import (
    Activity,
    CommitteeSeat,
    Enterprise,
    JointOrganization,
    MemberAttendance,
    MemberUnit,
    OrganizationMember,
    StudentAttendance,
    WorkPlan,
    WorkPlanItem,
)
from portal.tables import Student
from talent_pool.tables import Award, PipelineEvent
from tests.support import (
    make_award,
    make_enterprise,
    make_member_unit,
    make_project,
    make_student,
    run,
)
from tests.talent_pool.pipeline_support import file_until, stage_of


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator")


@pytest.fixture
def partner(signed_in):
    return signed_in("partner")


def counts(page, list_id: str) -> dict[str, str]:
    """The confirmation page's list `list_id` as {table: the line's text}."""
    soup = page_soup(page)
    return {
        item["data-table"]: item.get_text(" ", strip=True)
        for item in soup.select(f"#{list_id} li[data-table]")
    }


def page_soup(page):
    from bs4 import BeautifulSoup

    return BeautifulSoup(page.text, "html.parser")


def button(page) -> str:
    found = page_soup(page).select_one("form.confirm-actions button.danger")
    return found.get_text(strip=True) if found else ""


def cancel(page) -> str:
    return page_soup(page).select_one("form.confirm-actions a.confirm-cancel")["href"]


def first(query) -> int:
    return run(query.first())["id"]


def units_of(org: int, side: str) -> int:
    return first(
        MemberUnit.select(MemberUnit.id).where(
            MemberUnit.organization == org, MemberUnit.side == side
        )
    )


def member_of_unit(unit: int) -> int:
    return first(
        OrganizationMember.select(OrganizationMember.id).where(
            OrganizationMember.member_unit == unit
        )
    )


def activity_of(org: int) -> int:
    return first(Activity.select(Activity.id).where(Activity.organization == org))


def plan_of(org: int) -> int:
    return first(WorkPlan.select(WorkPlan.id).where(WorkPlan.organization == org))


def attend(activity: int, students: int = 0, members: tuple[int, ...] = ()) -> None:
    for _ in range(students):
        run(StudentAttendance.insert(StudentAttendance(activity=activity, student=make_student())))
    for member in members:
        run(MemberAttendance.insert(MemberAttendance(activity=activity, member=member)))


# --- joint organizations ---------------------------------------------------------------------


def test_the_organization_page_counts_what_goes_with_it_and_what_stays(coordinator, people):
    org = people.organization_a
    college = units_of(org, "college")
    attend(activity_of(org), students=12, members=(member_of_unit(college),))
    linked = make_project(people.enterprise_a, name="联合党支部共建实训基地")
    run(Project.update({Project.organization: org}).where(Project.id == linked))
    plan = plan_of(org)
    for n in range(2):
        run(
            WorkPlanItem.insert(
                WorkPlanItem(plan=plan, content=f"事项{n}", due_on=datetime.date(2026, 12, 1))
            )
        )

    page = coordinator.get(f"/organizations/{org}/delete")
    assert page.status_code == 200
    removed = counts(page, "confirm-removed")
    assert removed["partners_student_attendance"] == "12条学生考勤记录"
    assert removed["partners_member_attendance"] == "1条组织成员考勤记录"
    assert removed["partners_work_plan_item"] == "3项工作计划事项"
    assert removed["partners_member_unit"] == "2个成员单位"
    assert removed["partners_committee_seat"] == "1个委员职务"
    assert counts(page, "confirm-unlinked") == {"partners_project": "1个协同育人项目"}
    name = run(
        JointOrganization.select(JointOrganization.name).where(JointOrganization.id == org).first()
    )["name"]
    assert button(page) == f"删除联合党组织“{name}”"
    assert cancel(page).endswith(f"/organizations/{org}")

    assert coordinator.post(f"/organizations/{org}/delete").status_code == 303
    assert not run(JointOrganization.exists().where(JointOrganization.id == org))
    assert not run(StudentAttendance.exists())
    assert run(Project.select(Project.organization).where(Project.id == linked).first()) == {
        "organization": None
    }


def test_a_partner_does_not_reach_the_coordinators_delete_pages(partner, people):
    org = people.organization_a
    assert partner.get(f"/organizations/{org}/delete").status_code == 404
    assert (
        partner.get(f"/organizations/{org}/units/{units_of(org, 'college')}/delete").status_code
        == 404
    )
    assert partner.get(f"/enterprises/{people.enterprise_a}/delete").status_code == 404
    assert partner.get(f"/projects/{people.mine.project}/delete").status_code == 404
    assert partner.get(f"/mentorships/{people.mine.assignment}/end").status_code == 404
    assert partner.get(f"/students/{people.student_id}/delete").status_code == 404


def test_the_last_unit_of_its_side_is_refused_on_the_page_and_another_lists_its_members(
    coordinator, people
):
    org = people.organization_a
    enterprise_unit = units_of(org, "enterprise")
    page = coordinator.get(f"/organizations/{org}/units/{enterprise_unit}/delete")
    assert page.status_code == 200
    assert page_soup(page).select_one("#delete-blocked")
    assert not button(page)

    second = make_member_unit(org, side="college", name="教工第二党支部")
    run(
        OrganizationMember.insert(
            OrganizationMember(organization=org, member_unit=second, name="李四")
        )
    )
    run(Activity.update({Activity.host_unit: second}).where(Activity.organization == org))
    attend(activity_of(org), members=(member_of_unit(second),))
    page = coordinator.get(f"/organizations/{org}/units/{second}/delete")
    assert counts(page, "confirm-removed") == {
        "partners_organization_member": "2名组织成员",
        "partners_member_attendance": "1条组织成员考勤记录",
    }
    assert counts(page, "confirm-unlinked") == {"partners_activity": "1次活动"}
    assert button(page) == "移除成员单位“教工第二党支部”"
    assert coordinator.post(f"/organizations/{org}/units/{second}/delete").status_code == 303
    assert not run(MemberUnit.exists().where(MemberUnit.id == second))


def test_removing_a_member_says_their_seat_and_attendance_go(signed_in, people):
    coordinator = signed_in("coordinator")
    org = people.organization_a
    secretary = first(
        CommitteeSeat.select(CommitteeSeat.member.as_alias("id")).where(
            CommitteeSeat.organization == org
        )
    )
    attend(activity_of(org), members=(secretary,))
    page = coordinator.get(f"/organizations/{org}/members/{secretary}/delete")
    assert counts(page, "confirm-removed") == {
        "partners_committee_seat": "1个委员职务",
        "partners_member_attendance": "1条组织成员考勤记录",
    }
    assert page_soup(page).select_one("#seat-vacated")

    partner = signed_in("partner")  # the same browser, signed in again
    own = member_of_unit(units_of(org, "enterprise"))
    assert partner.get(f"/organizations/{org}/members/{own}/delete").status_code == 200
    other_org = people.organization_b
    theirs = member_of_unit(units_of(other_org, "enterprise"))
    assert partner.get(f"/organizations/{other_org}/members/{theirs}/delete").status_code == 404
    assert partner.post(f"/organizations/{org}/members/{own}/delete").status_code == 303
    assert not run(OrganizationMember.exists().where(OrganizationMember.id == own))


def test_activity_and_plan_pages_count_their_records_for_the_partner_too(partner, people):
    org = people.organization_a
    activity = activity_of(org)
    attend(activity, students=3, members=(member_of_unit(units_of(org, "college")),))
    page = partner.get(f"/organizations/{org}/activities/{activity}/delete")
    assert page.status_code == 200
    assert counts(page, "confirm-removed") == {
        "partners_member_attendance": "1条组织成员考勤记录",
        "partners_student_attendance": "3条学生考勤记录",
    }
    assert button(page) == "删除活动《主题党日》"

    plan = plan_of(org)
    page = partner.get(f"/organizations/{org}/plans/{plan}/delete")
    assert counts(page, "confirm-removed") == {"partners_work_plan_item": "1项工作计划事项"}
    assert button(page) == "删除工作计划《2026年度工作计划》"
    item = first(WorkPlanItem.select(WorkPlanItem.id).where(WorkPlanItem.plan == plan))
    page = partner.get(f"/organizations/{org}/plans/{plan}/items/{item}/delete")
    assert page_soup(page).select_one("#confirm-removed-none")

    other = people.organization_b
    assert (
        partner.get(f"/organizations/{other}/activities/{activity_of(other)}/delete").status_code
        == 404
    )
    assert partner.get(f"/organizations/{other}/plans/{plan_of(other)}/delete").status_code == 404

    assert partner.post(f"/organizations/{org}/activities/{activity}/delete").status_code == 303
    assert not run(StudentAttendance.exists())
    assert partner.post(f"/organizations/{org}/plans/{plan}/delete").status_code == 303
    assert not run(WorkPlanItem.exists().where(WorkPlanItem.plan == plan))


# --- enterprises -----------------------------------------------------------------------------


def test_an_enterprise_in_use_is_refused_on_the_page_with_what_holds_it(coordinator, people):
    page = coordinator.get(f"/enterprises/{people.enterprise_a}/delete")
    assert page.status_code == 200
    assert counts(page, "confirm-blocking") == {
        "partners_partner_account": "1个企业账号",
        "partners_member_unit": "1个成员单位",
        "partners_mentor": "1名导师",
        "partners_project": "1个协同育人项目",
    }
    assert not button(page)


def test_an_unused_enterprise_says_what_loses_its_link_and_is_deleted(coordinator, people):
    enterprise = make_enterprise(name="闲置合作企业有限公司")
    make_award(people.student_id, enterprise_id=enterprise)
    page = coordinator.get(f"/enterprises/{enterprise}/delete")
    assert counts(page, "confirm-unlinked") == {"talent_pool_award": "1个奖项"}
    assert button(page) == "删除合作企业“闲置合作企业有限公司”"
    assert coordinator.post(f"/enterprises/{enterprise}/delete").status_code == 303
    assert not run(Enterprise.exists().where(Enterprise.id == enterprise))
    assert run(Award.count().where(Award.student == people.student_id)) == 2


# --- projects, withdrawals, pairings ---------------------------------------------------------


def test_a_project_with_members_is_refused_on_the_page(coordinator, people):
    page = coordinator.get(f"/projects/{people.mine.project}/delete")
    assert counts(page, "confirm-blocking") == {
        "partners_participation": "1条项目报名或实习记录",
        "partners_mentor_assignment": "1个双导师结对",
    }
    assert not button(page)

    empty = make_project(people.enterprise_a, name="新建实训基地")
    page = coordinator.get(f"/projects/{empty}/delete")
    assert button(page) == "删除项目《新建实训基地》"
    assert page_soup(page).select_one("#confirm-removed-none")
    assert coordinator.post(f"/projects/{empty}/delete").status_code == 303
    assert not run(Project.exists().where(Project.id == empty))


def withdraw_url(people, mentorship) -> str:
    return f"/projects/{mentorship.project}/members/{mentorship.participation}/withdraw"


def test_withdrawing_shows_the_seat_the_dates_and_the_pairing_that_stays(coordinator, people):
    page = coordinator.get(withdraw_url(people, people.mine))
    assert page.status_code == 200
    soup = page_soup(page)
    facts = soup.select_one("#withdraw-facts").get_text(" ", strip=True)
    assert "2026-09-01 – 2027-01-31" in facts
    changes = soup.select_one("#confirm-changes").get_text(" ", strip=True)
    assert "目前已占用1个（共30个），退出后为0个" in changes
    [pairing] = soup.select("#confirm-pairings li")
    assert pairing["data-status"] == "active"
    assert "退出项目不会结束结对" in pairing.get_text()
    end_link = pairing.select_one("a")["href"]
    assert end_link.endswith(f"/mentorships/{people.mine.assignment}/end")
    name = run(Student.select(Student.name).where(Student.id == people.student_id).first())["name"]
    assert button(page).startswith(f"确认{name}退出《")

    assert coordinator.post(withdraw_url(people, people.mine)).status_code == 303
    status = run(
        Participation.select(Participation.status)
        .where(Participation.id == people.mine.participation)
        .first()
    )
    assert status == {"status": "withdrawn"}
    again = coordinator.get(withdraw_url(people, people.mine))
    assert page_soup(again).select_one("#delete-blocked") and not button(again)
    # the pairing is untouched: it was shown as staying
    assignment = run(
        MentorAssignment.select(MentorAssignment.status)
        .where(MentorAssignment.id == people.mine.assignment)
        .first()
    )
    assert assignment == {"status": "active"}


def test_the_partner_withdraws_from_its_own_project_only_and_is_not_offered_to_end(partner, people):
    page = partner.get(withdraw_url(people, people.mine))
    assert page.status_code == 200
    assert not page_soup(page).select("#confirm-pairings a")
    assert partner.get(withdraw_url(people, people.theirs)).status_code == 404
    assert partner.post(withdraw_url(people, people.theirs)).status_code == 404


def test_the_project_page_leads_to_the_withdraw_page_instead_of_withdrawing_at_once(
    coordinator, people
):
    page = coordinator.get(f"/projects/{people.mine.project}")
    row = page_soup(page).select_one(f"#member-{people.mine.participation}")
    assert not row.select("form")
    assert row.select_one("a[href$='/withdraw']")


def test_ending_a_pairing_shows_its_end_date_what_is_kept_and_the_mentors_places(
    coordinator, people
):
    url = f"/mentorships/{people.mine.assignment}/end"
    page = coordinator.get(url)
    assert page.status_code == 200
    soup = page_soup(page)
    today = datetime.date.today()
    ends_on = max(today, datetime.date(2026, 9, 1))
    assert ends_on.isoformat() in soup.select_one("#confirm-changes").get_text()
    kept = soup.select_one("#confirm-kept").get_text(" ", strip=True)
    assert "1条指导记录" in kept and "1份评价" in kept
    assert (
        "目前指导1名学生（上限8名），结束后为0名" in soup.select_one("#confirm-changes").get_text()
    )
    assert coordinator.get(f"/mentorships/{people.theirs.assignment}/end").status_code == 200
    assert coordinator.post(url).status_code == 303
    row = run(
        MentorAssignment.select(MentorAssignment.status, MentorAssignment.ends_on)
        .where(MentorAssignment.id == people.mine.assignment)
        .first()
    )
    assert row == {"status": "ended", "ends_on": ends_on}


# --- students, awards, the pipeline ----------------------------------------------------------


def test_a_student_in_a_project_is_refused_on_the_page(coordinator, people):
    page = coordinator.get(f"/students/{people.student_id}/delete")
    assert counts(page, "confirm-blocking") == {
        "partners_participation": "1条项目报名或实习记录",
        "partners_mentor_assignment": "1个双导师结对",
    }
    assert not button(page)


def test_a_student_without_projects_is_deleted_with_what_the_page_counted(coordinator, people):
    student = make_student(name="王五", student_no="2024999999")
    make_award(student)
    make_award(student, name="国家奖学金")
    run(
        StudentAttendance.insert(
            StudentAttendance(activity=activity_of(people.organization_a), student=student)
        )
    )
    page = coordinator.get(f"/students/{student}/delete")
    assert counts(page, "confirm-removed") == {
        "partners_student_attendance": "1条学生考勤记录",
        "talent_pool_award": "2个奖项",
    }
    assert button(page) == "删除学生王五（2024999999）"
    assert cancel(page).endswith(f"/students/{student}")
    assert coordinator.post(f"/students/{student}/delete").status_code == 303
    assert not run(Student.exists().where(Student.id == student))
    assert not run(Award.exists().where(Award.student == student))


def test_award_pages_for_the_coordinator_and_the_partner_that_entered_it(signed_in, people):
    coordinator = signed_in("coordinator")
    mine = f"/students/{people.student_id}/awards/{people.mine.award}/delete"
    page = coordinator.get(mine)
    assert page.status_code == 200
    assert page_soup(page).select_one("#confirm-removed-none")
    assert button(page) == "删除奖项《全国职业院校技能大赛》"
    partner = signed_in("partner")
    assert partner.get(mine).status_code == 200
    theirs = f"/students/{people.other_student_id}/awards/{people.theirs.award}/delete"
    assert partner.get(theirs).status_code == 404
    assert partner.post(mine).status_code == 303
    assert not run(Award.exists().where(Award.id == people.mine.award))


def test_deleting_the_latest_pipeline_event_says_how_the_stage_goes_back(coordinator, people):
    student = people.student_id
    ids = file_until(student, "activist")
    url = f"/talent-pool/{student}/events/{ids[-1]}/delete"
    page = coordinator.get(url)
    soup = page_soup(page)
    assert (
        soup.select_one("#stage-change").get_text(strip=True)
        == "发展阶段将从“入党积极分子”退回到“入党申请人”。"
    )
    assert soup.select_one("#due-change")
    assert coordinator.post(url).status_code == 303
    assert stage_of(student) == "applicant"
    assert run(PipelineEvent.count().where(PipelineEvent.student == student)) == 2
